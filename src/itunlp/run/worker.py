"""The unit of work and what runs it: tasks, the per-document worker, model references.

A :class:`_Task` is one document (or one block of a large text file); :func:`_run_task`
segments (and classifies) it in whichever process runs it. Models travel to workers
as references that each worker process loads once and caches.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from itunlp.documents import (
    Document,
    DocumentError,
    MissingExtraError,
    read_document,
    text_blocks,
)


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
    if task.reason is not None:
        return _Result(task.index, task.last, None, task.reason)
    try:
        if task.block is not None:
            blocks, page_of = [(task.offset, task.block)], None
        else:
            document = task.document
            if document is None:
                document = read_document(task.file or "", max_bytes=max_bytes)
            blocks = text_blocks(document.text, block_chars)
            page_of = document.page_of if document.page_starts else None
        model = model_ref.get() if model_ref is not None else None
        frame = _clause_frame(model, task, blocks, page_of, explain)
    except (DocumentError, MissingExtraError) as error:
        return _Result(task.index, task.last, None, getattr(error, "reason", str(error)))
    except Exception as error:  # one bad document must not stop the run
        return _Result(task.index, task.last, None, f"{type(error).__name__}: {error}")
    return _Result(task.index, task.last, frame, None)


def _clause_frame(
    model: Any,
    task: _Task,
    blocks: Sequence[tuple[int, str]],
    page_of: Callable[[int], int | None] | None,
    explain: bool,
) -> pd.DataFrame:
    """The clause table of one work item, without ``clause_id`` (numbered by the caller)."""
    starts: list[int] = []
    ends: list[int] = []
    texts: list[str] = []
    functions: list[str] = []
    for offset, block in blocks:
        if model is not None:
            clauses = model.segment(block)
        else:
            from itunlp.segmentation.component import split_into_clauses

            clauses = split_into_clauses(block)
        for clause in clauses:
            starts.append(clause.start + offset)
            ends.append(clause.end + offset)
            texts.append(clause.text)
            functions.append(clause.function)
    n = len(texts)
    columns: dict[str, Any] = {
        "doc_id": pd.Series([task.doc_id] * n, dtype="str"),
        "path": pd.Series([task.path] * n, dtype="str"),
        "page": pd.array([page_of(s) for s in starts] if page_of else [None] * n, dtype="Int64"),
        "start": pd.Series(starts, dtype="int64"),
        "end": pd.Series(ends, dtype="int64"),
        "text": pd.Series(texts, dtype="str"),
        "function": pd.Series(functions, dtype="str"),
    }
    if model is not None:
        themes = list(model.themes)
        if n:
            proba = model.predict_proba(texts, functions=functions)
            scores = proba[themes].to_numpy(dtype="float64")
        else:
            scores = pd.DataFrame(columns=themes, dtype="float64").to_numpy()
        thresholds = model.thresholds
        cutoffs = [float(thresholds.get(theme, 0.5)) for theme in themes]
        columns["themes"] = pd.Series(
            [[t for t, s, c in zip(themes, row, cutoffs, strict=True) if s >= c] for row in scores],
            dtype=object,
        )
        for j, theme in enumerate(themes):
            columns[f"score_{theme}"] = pd.Series(scores[:, j], dtype="float64")
        if explain:
            columns["explanation"] = pd.Series(
                [_explanation(model, t, f) for t, f in zip(texts, functions, strict=True)],
                dtype=object,
            )
    return pd.DataFrame(columns)


def _explanation(model: Any, text: str, function: str) -> dict[str, list[list[Any]]]:
    """The model's top terms per predicted theme, as plain lists (JSON-ready)."""
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


