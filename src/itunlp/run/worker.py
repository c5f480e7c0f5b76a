"""The unit of work and what runs it: tasks, the per-document worker, model references.

A :class:`_Task` is one document (or one block of a large text file); :func:`_run_task`
segments (and classifies) it in whichever process runs it. Models travel to workers
as references that each worker process loads once and caches.
"""

from __future__ import annotations

import hashlib
import itertools
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from itunlp.documents import (
    Document,
    DocumentError,
    MissingExtraError,
    read_document,
    text_blocks,
)

#: The clause-context columns, after ``text``: the heading, its part, the section
#: and its title, and the tracked change (see :class:`itunlp.segmentation.engine.Clause`).
CONTEXT_COLUMNS = ("function", "section", "section_title", "part", "change")


@dataclass(frozen=True)
class _Task:
    """A unit of work: a whole document, or one block of a streamed text file."""

    index: int
    last: bool
    doc_id: str
    path: str | None
    file: str | None = None
    document: Document | None = None
    offset: int = 0
    block: str | None = None
    reason: str | None = None  # set when reading failed in the calling process
    layout: Any = None  # a streamed block's LayoutState at its start (see inputs._Context)


class _Result(NamedTuple):
    index: int
    last: bool
    frame: pd.DataFrame | None
    reason: str | None


# ---------------------------------------------------------------------------- worker


def _run_task(
    model_ref: Any, task: _Task, explain: bool, max_bytes: int, block_chars: int
) -> _Result:
    """Read, segment and classify one work item; any failure becomes a reason, not a crash."""
    return next(_run_tasks(model_ref, iter([task]), explain, max_bytes, block_chars))


#: The table's dtypes as objects: resolving "str" by name costs pandas a registry
#: search per column and call, which adds up over many small documents.
STR = pd.Series([], dtype="str").dtype
INT64_NA = pd.Int64Dtype()

#: Clauses classified together by :func:`_run_tasks`: big enough that numpy's
#: per-call costs vanish, small enough to keep memory flat.
BATCH_CLAUSES = 4096


@dataclass
class _Segmented:
    """A work item read and cut into clauses, waiting for its themes."""

    task: _Task
    starts: list[int]
    ends: list[int]
    texts: list[str]
    clean: list[str]  # what the classifier reads: wraps joined, hyphenation undone
    context: dict[str, list[str]]  # CONTEXT_COLUMNS, one list each
    pages: list[int | None] | None

    @property
    def functions(self) -> list[str]:
        return self.context["function"]


def _context(items: Sequence[_Segmented]) -> dict[str, list[str]]:
    """Each clause's neighbours in its own document and its section title, in order."""
    prev: list[str] = []
    following: list[str] = []
    titles: list[str] = []
    for item in items:
        texts = item.clean
        prev += ["", *texts[:-1]] if texts else []
        following += [*texts[1:], ""] if texts else []
        titles += item.context["section_title"]
    return {"prev_text": prev, "next_text": following, "section_title": titles}


def _failure(task: _Task, error: Exception) -> _Result:
    if isinstance(error, DocumentError | MissingExtraError):
        return _Result(task.index, task.last, None, getattr(error, "reason", str(error)))
    return _Result(task.index, task.last, None, f"{type(error).__name__}: {error}")


def _run_tasks(
    model_ref: Any,
    tasks: Iterator[_Task],
    explain: bool,
    max_bytes: int,
    block_chars: int,
    batch_clauses: int = BATCH_CLAUSES,
) -> Iterator[_Result]:
    """:func:`_run_task` for a stream of work items, in order, classifying in batches.

    Items are read and segmented one by one; their clauses are classified together
    once ``batch_clauses`` have gathered (or the stream ends), which gives the same
    table as item by item. If a batch fails to classify, its items are retried one
    by one, so one bad document still only fails itself.
    """
    pending: list[_Segmented | _Result] = []
    gathered = 0
    model = None
    for task in tasks:
        if task.reason is not None:
            pending.append(_Result(task.index, task.last, None, task.reason))
            continue
        try:
            if model is None and model_ref is not None:
                model = model_ref.get()
            item = _segment_task(model, task, max_bytes, block_chars)
        except Exception as error:  # one bad document must not stop the run
            pending.append(_failure(task, error))
            continue
        pending.append(item)
        gathered += len(item.texts)
        if gathered >= batch_clauses:
            yield from _finish(model, pending, explain)
            pending, gathered = [], 0
    yield from _finish(model, pending, explain)


def _finish(model: Any, pending: list[_Segmented | _Result], explain: bool) -> Iterator[_Result]:
    """The results of segmented items (and earlier failures), in order."""
    items = [p for p in pending if isinstance(p, _Segmented)]
    try:
        frames = iter(_clause_frames(model, items, explain))
    except Exception:  # find the item that fails, keep the others
        frames = iter([])
        alone: list[pd.DataFrame | Exception] = []
        for item in items:
            try:
                alone.append(_clause_frames(model, [item], explain)[0])
            except Exception as error:
                alone.append(error)
        frames = iter(alone)
    for entry in pending:
        if isinstance(entry, _Result):
            yield entry
            continue
        frame = next(frames)
        if isinstance(frame, Exception):
            yield _failure(entry.task, frame)
        else:
            yield _Result(entry.task.index, entry.task.last, frame, None)


def _segment_task(model: Any, task: _Task, max_bytes: int, block_chars: int) -> _Segmented:
    """Read and cut one work item into clauses (errors propagate)."""
    if task.block is not None:
        blocks, page_of = [(task.offset, task.block)], None
    else:
        document = task.document
        if document is None:
            document = read_document(task.file or "", max_bytes=max_bytes)
        blocks = text_blocks(document.text, block_chars)
        page_of = document.page_of if document.page_starts else None
    from itunlp.segmentation.engine import LayoutState, split_into_clauses

    # The blocks of one document share a LayoutState, so a section, heading or change
    # block runs on across their edges; a block of a streamed file starts from the
    # state the caller found for it (``task.layout``).
    state = task.layout if task.layout is not None else LayoutState()
    starts: list[int] = []
    ends: list[int] = []
    texts: list[str] = []
    clean: list[str] = []
    context: dict[str, list[str]] = {name: [] for name in CONTEXT_COLUMNS}
    for offset, block in blocks:
        if model is not None:
            clauses = _segment(model, block, state)
        else:
            clauses = split_into_clauses(block, state=state)
        for clause in clauses:
            starts.append(clause.start + offset)
            ends.append(clause.end + offset)
            texts.append(clause.text)
            clean.append(getattr(clause, "clean_text", clause.text))
            for name in CONTEXT_COLUMNS:
                context[name].append(getattr(clause, name, ""))
    pages = [page_of(s) for s in starts] if page_of else None
    return _Segmented(task, starts, ends, texts, clean, context, pages)


def _segment(model: Any, block: str, state: Any) -> Any:
    """``model.segment`` with the layout state, or without it for a model that takes none."""
    try:
        return model.segment(block, state=state)
    except TypeError as error:
        if "state" not in str(error):
            raise
        return model.segment(block)


def _takes_context(method: Any) -> bool:
    """Whether ``score_clauses`` accepts the context keywords (``**context``)."""
    import inspect

    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _scores(
    model: Any, texts: list[str], functions: list[str], context: dict[str, list[str]] | None = None
) -> np.ndarray:
    """Theme probabilities, columns in ``model.themes`` order.

    ``context`` (neighbours and section titles, see :mod:`itunlp.themes.context`)
    reaches models whose ``score_clauses`` takes it (``**context``); a model with
    ``predict_proba(texts, functions=...)`` only is called as before.
    """
    themes = list(model.themes)
    if not texts:
        return np.zeros((0, len(themes)))
    context = context or {}
    if hasattr(model, "score_clauses"):
        heads = [" ".join(f.lower().split()) for f in functions]
        if context and _takes_context(model.score_clauses):
            return np.asarray(model.score_clauses(texts, heads, **context), dtype="float64")
        return np.asarray(model.score_clauses(texts, heads), dtype="float64")
    proba = model.predict_proba(texts, functions=functions)
    return proba[themes].to_numpy(dtype="float64")


def _theme_lists(themes: list[str], hits: np.ndarray) -> list[list[str]]:
    """Per row of a boolean (clauses, themes) matrix, the themes that are on."""
    if not hits.shape[1]:
        return [[] for _ in range(len(hits))]
    codes = hits.astype(np.int64) @ (1 << np.arange(hits.shape[1], dtype=np.int64))
    names = {
        int(code): [t for j, t in enumerate(themes) if int(code) >> j & 1]
        for code in np.unique(codes)
    }
    return [list(names[code]) for code in codes.tolist()]


def _objects(values: list[Any]) -> np.ndarray:
    """A 1-d object array of ``values`` (lists stay lists, whatever their lengths)."""
    out = np.empty(len(values), dtype=object)
    for index, value in enumerate(values):  # out[:] = values would read equal-length lists as 2-d
        out[index] = value
    return out


def _clause_frames(model: Any, items: Sequence[_Segmented], explain: bool) -> list[pd.DataFrame]:
    """The clause tables of segmented items (without ``clause_id``), classified together."""
    sizes = [len(item.texts) for item in items]
    texts = [t for item in items for t in item.texts]
    clean = [t for item in items for t in item.clean]
    functions = [f for item in items for f in item.functions]
    pages: list[int | None] = []
    for item, size in zip(items, sizes, strict=True):
        pages += item.pages if item.pages is not None else [None] * size
    doc_ids: list[str] = []
    paths: list[str | None] = []
    for item, size in zip(items, sizes, strict=True):
        doc_ids += [item.task.doc_id] * size
        paths += [item.task.path] * size
    # Arrays, not Series: a DataFrame of Series aligns their indexes, which costs more
    # than the columns themselves for a small document.
    columns: dict[str, Any] = {
        "doc_id": pd.array(doc_ids, dtype=STR),
        "path": pd.array(paths, dtype=STR),
        "page": pd.array(pages, dtype=INT64_NA),
        "start": np.array([s for item in items for s in item.starts], dtype=np.int64),
        "end": np.array([e for item in items for e in item.ends], dtype=np.int64),
        "text": pd.array(texts, dtype=STR),
    }
    for name in CONTEXT_COLUMNS:
        columns[name] = pd.array([v for item in items for v in item.context[name]], dtype=STR)
    if model is not None:
        themes = list(model.themes)
        context = _context(items)
        scores = _scores(model, clean, functions, context)
        thresholds = model.thresholds
        cutoffs = np.array([float(thresholds.get(theme, 0.5)) for theme in themes])
        columns["themes"] = _objects(_theme_lists(themes, scores >= cutoffs))
        for j, theme in enumerate(themes):
            columns[f"score_{theme}"] = np.ascontiguousarray(scores[:, j], dtype=np.float64)
        if explain:
            columns["explanation"] = _objects(
                [
                    _explanation(model, t, f, {k: v[i] for k, v in context.items()})
                    for i, (t, f) in enumerate(zip(clean, functions, strict=True))
                ]
            )
    frame = pd.DataFrame(columns)
    if len(items) == 1:
        return [frame]
    bounds = np.cumsum([0, *sizes]).tolist()
    return [frame.iloc[a:b].reset_index(drop=True) for a, b in itertools.pairwise(bounds)]


def _explanation(
    model: Any, text: str, function: str, context: dict[str, str] | None = None
) -> dict[str, list[list[Any]]]:
    """The model's top terms per predicted theme, as plain lists (JSON-ready).

    The clause's context reaches models whose ``explain`` takes it, so the
    explanation matches the scores (context features are named ``context: ...``).
    """
    import inspect

    try:
        takes_context = "context" in inspect.signature(model.explain).parameters
    except (TypeError, ValueError):
        takes_context = False
    if context and takes_context:
        explained = model.explain(text, function=function, top=5, context=context)
    else:
        explained = model.explain(text, function=function, top=5)
    return {
        str(theme): [[str(term), float(weight)] for term, weight in terms]
        for theme, terms in explained.items()
    }


# ---------------------------------------------------------------------- model refs


class _InProcessModel:
    """The caller's own model object, for work done in the calling process."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def get(self) -> Any:
        return self.model


# Models loaded in this (worker) process, by content hash; two at most so that a
# long-lived worker pool does not pile up models across runs.
_WORKER_MODELS: OrderedDict[str, Any] = OrderedDict()


def _cache_model(token: str, load: Callable[[], Any]) -> Any:
    model = _WORKER_MODELS.get(token)
    if model is None:
        model = load()
        _WORKER_MODELS[token] = model
        while len(_WORKER_MODELS) > 2:
            _WORKER_MODELS.popitem(last=False)
    return model


class _PickledModelFile:
    """A model pickled once to a private temporary file; each worker loads it once.

    Only the path travels with a task, so a model is not shipped per document.
    """

    def __init__(self, path: str, token: str) -> None:
        self.path, self.token = path, token

    def get(self) -> Any:
        def load() -> Any:
            with open(self.path, "rb") as handle:
                return pickle.load(handle)  # our own file, written this run

        return _cache_model(self.token, load)


def _model_payload(model: Any) -> tuple[bytes, str]:
    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    return payload, hashlib.sha256(payload).hexdigest()[:16]
