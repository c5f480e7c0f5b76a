"""Classify or segment many documents: in order, in chunks, on one core, many, or a Dask cluster.

:func:`classify_documents` is what ``model.classify(...)`` runs; :func:`stream_clauses`
is the same job as a generator of DataFrame chunks, which the command line writes
one by one so that memory stays flat however large the corpus.

The clause table has these columns, in this order::

    doc_id, path, page, clause_id, start, end, text, function,
    themes, score_<theme> (one per theme, in model.themes order), [explanation]

``segment_documents`` gives the first eight. ``page`` is the 1-based page of the
clause's first character for paged formats (PDF) and missing otherwise;
``clause_id`` is ``<doc_id>-<NNN>`` numbered from 001 in text order; ``start`` and
``end`` index the document text as :func:`itunlp.read_document` returns it;
``themes`` is the list of themes whose score reaches the theme's threshold
(``model.thresholds``), in ``model.themes`` order.

Parallel runs give the same table as one process, in the same order: documents
are the unit of work, results are put back in input order, and clause numbering
is done in the calling process.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pandas as pd

from itunlp.documents import (
    DEFAULT_BLOCK_CHARS,
    DEFAULT_MAX_BYTES,
    DocumentError,
)
from itunlp.run.inputs import Failure, _resolve, _tasks
from itunlp.run.progress import Progress
from itunlp.run.worker import (
    _InProcessModel,
    _model_payload,
    _PickledModelFile,
    _Result,
    _run_task,
    _run_tasks,
    _Task,
)

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "DEFAULT_STREAM_BYTES",
    "ENGINES",
    "SEGMENT_COLUMNS",
    "Failure",
    "classify_documents",
    "clause_columns",
    "segment_documents",
    "stream_clauses",
]

SEGMENT_COLUMNS = ["doc_id", "path", "page", "clause_id", "start", "end", "text", "function"]
ENGINES = ("local", "dask")
ON_ERROR = ("warn", "collect", "raise")
#: Rows per chunk yielded by :func:`stream_clauses` (and written at a time by the CLI).
DEFAULT_CHUNK_ROWS = 10_000
#: Text files above this size are streamed block by block instead of read whole.
DEFAULT_STREAM_BYTES = 16 * 1024**2


def clause_columns(themes: Sequence[str] | None = None, explain: bool = False) -> list[str]:
    """The clause table's columns in order; ``themes=None`` for :func:`segment_documents`.

    Examples
    --------
    >>> clause_columns(["gender"], explain=True)[-4:]
    ['function', 'themes', 'score_gender', 'explanation']
    """
    columns = list(SEGMENT_COLUMNS)
    if themes is not None:
        columns += ["themes", *(f"score_{theme}" for theme in themes)]
        if explain:
            columns.append("explanation")
    return columns


# The Dask engine lives in itunlp.run.dask_engine, imported only when engine="dask" is
# used; its names stay reachable here (PEP 562), including the worker plugin class
# that plugins pickled by earlier versions name as itunlp.batch._ModelPluginClass.
_DASK_NAMES = {
    "_DaskPluginModel": "_DaskPluginModel",
    "_ModelPluginClass": "_ModelPluginClass",
    "_dask_client": "_dask_client",
    "_dask_result": "_dask_result",
    "_model_plugin_class": "_model_plugin_class",
    "_run_dask": "run_dask",
}


def __getattr__(name: str) -> Any:
    if name in _DASK_NAMES:
        from itunlp.run import dask_engine

        return getattr(dask_engine, _DASK_NAMES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------------- engines


def _run_local(
    model: Any, tasks: Iterator[_Task], n_jobs: int, settings: tuple[bool, int, int]
) -> Iterator[_Result]:
    if n_jobs == 1:
        # One process: documents are segmented one by one and their clauses
        # classified in batches (the same table as document by document).
        ref = _InProcessModel(model) if model is not None else None
        yield from _run_tasks(ref, tasks, *settings)
        return
    from joblib import Parallel, delayed

    folder = tempfile.mkdtemp(prefix="itunlp-model-")
    try:
        ref = None
        if model is not None:
            payload, token = _model_payload(model)
            path = os.path.join(folder, "model.pkl")
            with open(path, "wb") as handle:
                handle.write(payload)
            del payload
            ref = _PickledModelFile(path, token)
        parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
        yield from parallel(delayed(_run_task)(ref, task, *settings) for task in tasks)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ----------------------------------------------------------------------- the driver


def _validate(
    model: Any, n_jobs: Any, engine: Any, chunk_size: Any, on_error: Any, explain: bool
) -> None:
    if model is not None:
        missing = [
            a for a in ("themes", "thresholds", "segment", "predict_proba") if not hasattr(model, a)
        ]
        if missing:
            raise TypeError(
                f"model must be an itunlp ThemeModel (itunlp.load()); {type(model).__name__} "
                f"lacks {', '.join(missing)}"
            )
        if explain and not hasattr(model, "explain"):
            raise TypeError(f"explain=True needs model.explain; {type(model).__name__} has none")
    elif explain:
        raise ValueError("explain=True needs a model; segment_documents has no themes to explain")
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero int (-1 for all cores), got {n_jobs!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
    if not callable(on_error) and on_error not in ON_ERROR:
        raise ValueError(
            f"on_error must be one of {', '.join(ON_ERROR)} or a callable, got {on_error!r}"
        )


def stream_clauses(
    model: Any,
    texts_or_paths: Any,
    *,
    n_jobs: int = 1,
    engine: str = "local",
    scheduler: Any = None,
    recursive: bool = False,
    explain: bool = False,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    progress: bool | Progress | None = None,
    on_error: str | Callable[[str, str], Any] = "warn",
    max_bytes: int = DEFAULT_MAX_BYTES,
    stream_bytes: int = DEFAULT_STREAM_BYTES,
    block_chars: int = DEFAULT_BLOCK_CHARS,
) -> Iterator[pd.DataFrame]:
    """Yield the clause table in chunks of at most ``chunk_size`` rows, in input order.

    This is :func:`classify_documents` as a generator (``model=None`` segments
    only). Nothing is kept once a chunk is yielded, so writing chunks as they
    come keeps memory flat: it is bounded by ``chunk_size`` rows, the documents
    in flight (two per worker) and, for text files over ``stream_bytes``, one
    block of ``block_chars`` characters each.

    Parameters
    ----------
    model : ThemeModel or None
        See :func:`classify_documents`; ``None`` gives the segment-only table.
    texts_or_paths, n_jobs, engine, scheduler, recursive, explain, progress, on_error
        See :func:`classify_documents`.
    chunk_size : int, default 10000
        Rows per yielded chunk (the last may be shorter; no empty chunks).
    max_bytes : int, default 100 MiB
        Refuse PDF, Word and HTML files above this size.
    stream_bytes : int, default 16 MiB
        Text files above this size are not read whole: they are decoded and
        segmented block by block (see :func:`itunlp.documents.reading.iter_text_blocks`).
    block_chars : int
        Largest piece of text given to the segmenter at once.

    Yields
    ------
    pandas.DataFrame
        Consecutive rows of the clause table.
    """
    _validate(model, n_jobs, engine, chunk_size, on_error, explain)
    sources, early = _resolve(texts_or_paths, recursive, stream_bytes)
    if isinstance(progress, Progress):
        bar = progress
        bar.set_total(len(sources) + len(early))
    else:
        bar = Progress(len(sources) + len(early), enabled=False if progress is False else None)
    failures: list[Failure] = []

    def fail(failure: Failure) -> None:
        failures.append(failure)
        if on_error == "raise":
            raise DocumentError(failure.path, failure.reason)
        if callable(on_error):
            on_error(failure.path, failure.reason)

    columns = clause_columns(list(model.themes) if model is not None else None, explain)
    settings = (explain, max_bytes, block_chars)
    try:
        for failure in early:
            fail(failure)
            bar.advance(files=1)
        tasks = _tasks(sources, block_chars)
        if engine == "dask":
            from itunlp.run.dask_engine import run_dask

            results = run_dask(model, tasks, scheduler, n_jobs, settings)
        else:
            # One small document is not worth starting workers; a streamed one is.
            local_jobs = n_jobs if len(sources) > 1 or any(s.stream for s in sources) else 1
            results = _run_local(model, tasks, local_jobs, settings)
        numbered: dict[int, int] = {}
        buffer: list[pd.DataFrame] = []
        rows = 0
        for result in results:
            source = sources[result.index]
            if result.reason is not None:
                fail(
                    Failure(
                        source.path if source.path is not None else source.doc_id, result.reason
                    )
                )
            elif result.frame is not None and len(result.frame):
                first = numbered.get(result.index, 0) + 1
                numbered[result.index] = first - 1 + len(result.frame)
                frame = result.frame
                frame.insert(
                    3,
                    "clause_id",
                    pd.Series(
                        [f"{source.doc_id}-{i:03d}" for i in range(first, first + len(frame))],
                        dtype="str",
                    ),
                )
                buffer.append(frame[columns])
                rows += len(frame)
                bar.advance(clauses=len(frame))
            if result.last:
                bar.advance(files=1)
            while rows >= chunk_size:
                chunk, buffer, rows = _take(buffer, chunk_size)
                yield chunk
        if rows:
            yield _take(buffer, rows)[0]
    finally:
        if not isinstance(progress, Progress):
            bar.close()
    if failures and on_error == "warn":
        listed = "; ".join(f"{f.path}: {f.reason}" for f in failures[:5])
        more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
        warnings.warn(
            f"{len(failures)} document(s) skipped: {listed}{more}", UserWarning, stacklevel=2
        )


def _take(buffer: list[pd.DataFrame], size: int) -> tuple[pd.DataFrame, list[pd.DataFrame], int]:
    """The first ``size`` buffered rows as one frame, and what remains."""
    whole = pd.concat(buffer, ignore_index=True) if len(buffer) > 1 else buffer[0]
    chunk = whole.iloc[:size].reset_index(drop=True)
    rest = whole.iloc[size:].reset_index(drop=True)
    return chunk, ([rest] if len(rest) else []), len(rest)


def _empty_table(columns: Sequence[str]) -> pd.DataFrame:
    """A table with no rows but the same columns and dtypes as a full one."""

    def dtype(column: str) -> Any:
        if column in ("start", "end"):
            return "int64"
        if column == "page":
            return "Int64"
        if column.startswith("score_"):
            return "float64"
        return object if column in ("themes", "explanation") else "str"

    return pd.DataFrame({c: pd.Series([], dtype=dtype(c)) for c in columns})


def classify_documents(
    model: Any,
    texts_or_paths: Any,
    *,
    n_jobs: int = 1,
    engine: str = "local",
    scheduler: Any = None,
    recursive: bool = False,
    explain: bool = False,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    progress: bool | Progress | None = None,
    on_error: str | Callable[[str, str], Any] = "warn",
    max_bytes: int = DEFAULT_MAX_BYTES,
    stream_bytes: int = DEFAULT_STREAM_BYTES,
) -> pd.DataFrame:
    """Cut documents into clauses and tag each clause with themes: one row per clause.

    Parameters
    ----------
    model : ThemeModel
        From :func:`itunlp.load`. ``model.classify(...)`` calls this function.
    texts_or_paths : str, Path, Document, or a list of them
        Files (``.txt``, ``.md``, ``.pdf``, ``.docx``, ``.html``, ``.htm``),
        folders (their supported files, sorted; subfolders with ``recursive``),
        glob patterns (``"docs/**/*.pdf"``), ``"-"`` for stdin, texts, or
        :class:`itunlp.documents.reading.Document` objects. A ``pathlib.Path`` is always
        a path. A ``str`` is a path when it has no line break and names an
        existing file or folder, or is a glob pattern matching something, or
        ends with a supported extension (so a mistyped file name is reported as
        missing, not classified as a one-line text); any other ``str`` is a text,
        with ``doc_id`` ``text-`` + the first 8 hex digits of its SHA-1.
    n_jobs : int, default 1
        Processes working on documents at once (joblib; -1 for all cores), or
        Dask workers for a local cluster. The result is identical to ``n_jobs=1``.
    engine : {"local", "dask"}, default "local"
        ``"dask"`` runs one task per document on a Dask cluster: the model is
        sent once per worker (a worker plugin), each document's table comes back
        as its own partition and is put in input order. Workers read files by
        absolute path, so they must see the same file system.
    scheduler : str, distributed.Client or cluster, optional
        With ``engine="dask"``: an address (``"tcp://10.0.0.5:8786"``) or a
        client/cluster to use; ``None`` starts a local cluster for the run.
    recursive : bool, default False
        Look into subfolders of folder inputs. Symbolic links to folders are
        followed once; links that loop are not followed again.
    explain : bool, default False
        Add an ``explanation`` column: for each predicted theme, the top five
        ``[term, weight]`` pairs from :meth:`ThemeModel.explain`.
    chunk_size : int, default 10000
        Rows handled at a time (see :func:`stream_clauses`).
    progress : bool or Progress, optional
        A progress bar on stderr (files, clauses, rate, time left), drawn only
        when stderr is a terminal; ``False`` never draws it. A
        :class:`~itunlp.run.progress.Progress` is used as given.
    on_error : {"warn", "collect", "raise"} or callable, default "warn"
        A document that cannot be read or processed is skipped and recorded as
        ``(path, reason)`` in ``result.attrs["failures"]``; ``"warn"`` also
        issues one warning listing them, ``"raise"`` raises
        :class:`~itunlp.documents.reading.DocumentError` at the first, a callable is
        called as ``on_error(path, reason)`` for each.
    max_bytes, stream_bytes : int
        Size limits, see :func:`stream_clauses`.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, path, page, clause_id, start, end, text, function,
        themes, score_<theme>...`` (+ ``explanation``), rows in input order; see
        the module docstring for each column.

    Raises
    ------
    TypeError, ValueError
        Invalid arguments (checked before any document is read).

    Examples
    --------
    >>> import itunlp                                              # doctest: +SKIP
    >>> model = itunlp.load()                                      # doctest: +SKIP
    >>> table = model.classify(["docs/", "Member States are invited to connect schools."])
    ... # doctest: +SKIP
    >>> table[["clause_id", "themes"]].head()                      # doctest: +SKIP
    """
    if model is None:
        raise TypeError("classify_documents needs a model; use segment_documents to only segment")
    _validate(model, n_jobs, engine, chunk_size, on_error, explain)
    return _collect(
        model,
        texts_or_paths,
        clause_columns(list(model.themes), explain),
        on_error,
        n_jobs=n_jobs,
        engine=engine,
        scheduler=scheduler,
        recursive=recursive,
        explain=explain,
        chunk_size=chunk_size,
        progress=progress,
        max_bytes=max_bytes,
        stream_bytes=stream_bytes,
    )


def segment_documents(
    texts_or_paths: Any,
    *,
    n_jobs: int = 1,
    engine: str = "local",
    scheduler: Any = None,
    recursive: bool = False,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    progress: bool | Progress | None = None,
    on_error: str | Callable[[str, str], Any] = "warn",
    max_bytes: int = DEFAULT_MAX_BYTES,
    stream_bytes: int = DEFAULT_STREAM_BYTES,
) -> pd.DataFrame:
    """Cut documents into clauses without themes: :func:`classify_documents`'s first columns.

    Parameters are those of :func:`classify_documents` (without a model).

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, path, page, clause_id, start, end, text, function``.

    Examples
    --------
    >>> table = segment_documents(["resolves\\n\\n1 to connect schools;\\n2 to report."])
    >>> for row in table[["clause_id", "function", "text"]].itertuples(index=False):
    ...     print(*row, sep=" | ")
    text-4ae9ed12-001 | resolves | to connect schools;
    text-4ae9ed12-002 | resolves | to report.
    """
    return _collect(
        None,
        texts_or_paths,
        clause_columns(None),
        on_error,
        n_jobs=n_jobs,
        engine=engine,
        scheduler=scheduler,
        recursive=recursive,
        chunk_size=chunk_size,
        progress=progress,
        max_bytes=max_bytes,
        stream_bytes=stream_bytes,
    )


def _collect(
    model: Any, texts_or_paths: Any, columns: list[str], on_error: Any, **options: Any
) -> pd.DataFrame:
    """The whole table from :func:`stream_clauses`, failures in ``attrs["failures"]``."""
    if not callable(on_error) and on_error not in ON_ERROR:
        raise ValueError(
            f"on_error must be one of {', '.join(ON_ERROR)} or a callable, got {on_error!r}"
        )
    failures: list[Failure] = []

    def record(path: str, reason: str) -> None:
        failures.append(Failure(path, reason))
        if on_error == "raise":
            raise DocumentError(path, reason)
        if callable(on_error):
            on_error(path, reason)

    chunks = list(stream_clauses(model, texts_or_paths, on_error=record, **options))
    table = pd.concat(chunks, ignore_index=True) if chunks else _empty_table(columns)
    table.attrs["failures"] = [tuple(f) for f in failures]
    if failures and on_error == "warn":
        listed = "; ".join(f"{f.path}: {f.reason}" for f in failures[:5])
        more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
        warnings.warn(
            f"{len(failures)} document(s) skipped (see result.attrs['failures']): {listed}{more}",
            UserWarning,
            stacklevel=3,
        )
    return table
