"""What a document says around a clause, as features of the theme model.

A clause such as "It stops short of giving the Union a mandate over the technology"
is about Internet governance only because of the clause before it; a bare "to
report to the Council" sits under a section whose title names the topic. The
context block gives the classifier, per theme, whether the scheme's terms occur

* in the previous clause of the same document (``context: previous clause``),
* in the next clause (``context: next clause``),
* in the title of the section the clause sits in (``context: section title``),

each as a 0/1 feature (a term hit not explained by a trap), scaled by the
classifier's ``context_weight``. The heading (``function``) is already a block of
its own. A clause given without context (standalone, or ``predict`` on a plain list
of texts) has no context features, so its prediction is exactly what the text and
heading alone give.

Clauses carry their context in three fields (:data:`CONTEXT_COLUMNS`):
``prev_text``, ``next_text`` and ``section_title``; :func:`context_columns` reads
them from a DataFrame, and :func:`~itunlp.themes.folds.add_neighbours` fills the
neighbours from the clauses' order in their documents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from itunlp.themes.blocks import ClauseBatch, SparseRows
from itunlp.themes.matcher import TermMatcher

__all__ = ["CONTEXT_COLUMNS", "CONTEXT_FIELDS", "ContextBlock", "context_columns"]

#: The per-clause context fields, in feature order.
CONTEXT_COLUMNS = ("prev_text", "next_text", "section_title")
#: How each field is named in explanations.
CONTEXT_FIELDS = {
    "prev_text": "previous clause",
    "next_text": "next clause",
    "section_title": "section title",
}


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value if isinstance(value, str) else str(value)


def context_columns(X: Any, n: int) -> dict[str, list[str]]:
    """The context fields of ``n`` clauses: from a DataFrame's columns, else empty.

    Examples
    --------
    >>> import pandas as pd
    >>> context_columns(pd.DataFrame({"text": ["a"], "prev_text": [None]}), 1)["prev_text"]
    ['']
    """
    out: dict[str, list[str]] = {}
    columns = getattr(X, "columns", ())
    for name in CONTEXT_COLUMNS:
        if name in columns:
            out[name] = [_text(v) for v in X[name].tolist()]
        else:
            out[name] = [""] * n
    return out


def context_hits(matcher_or_rows: Any, texts: Sequence[str], n_themes: int) -> np.ndarray:
    """Per text, 1 for each theme with a term hit not explained by a trap (blank: 0)."""
    texts = list(texts)
    out = np.zeros((len(texts), n_themes))
    filled = [i for i, t in enumerate(texts) if t.strip()]
    if not filled:
        return out
    if isinstance(matcher_or_rows, TermMatcher):
        counts = matcher_or_rows.counts([texts[i] for i in filled])
        out[filled] = (counts[:, :, 0] - counts[:, :, 1]) > 0
    else:  # a function text -> term row (the estimator's cached _term_row)
        rows = np.array([matcher_or_rows(texts[i]) for i in filled]).reshape(len(filled), -1)
        out[filled] = rows[:, 0::3] > 0
    return out


def context_matrix(hits_of: Any, context: dict[str, Sequence[str]], n_themes: int) -> np.ndarray:
    """The dense context features ``(n, 3 * n_themes)``: previous, next, section title."""
    return np.hstack([context_hits(hits_of, context[name], n_themes) for name in CONTEXT_COLUMNS])


class ContextBlock:
    """The context features for the numpy predictor (see the module docstring)."""

    name = "context"

    def __init__(self, matcher: TermMatcher, weight: float) -> None:
        self.matcher = matcher
        self.themes = matcher.themes
        self.n_features = len(CONTEXT_COLUMNS) * len(self.themes)
        self.weight = float(weight)

    def _hits(self, batch: ClauseBatch, texts: Sequence[str]) -> np.ndarray:
        """Term hits of context texts, reusing the batch's own rows where a neighbour is one.

        In a document's clauses in order, the previous clause's text is the row above;
        its term hits are already in ``batch.shared["terms.dense"]``, so only context
        from outside the batch (and each distinct section title once) is matched.
        """
        n, k = len(texts), len(self.themes)
        out = np.zeros((n, k))
        own = batch.shared.get("terms.dense")
        pending: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            if not text.strip():
                continue
            if own is not None:
                if i > 0 and batch.texts[i - 1] == text:
                    out[i] = own[i - 1, 0::3]
                    continue
                if i + 1 < n and batch.texts[i + 1] == text:
                    out[i] = own[i + 1, 0::3]
                    continue
            pending.setdefault(text, []).append(i)
        if pending:
            distinct = list(pending)
            found = context_hits(self.matcher, distinct, k)
            for row, text in zip(found, distinct, strict=True):
                out[pending[text]] = row
        return out

    def __call__(self, batch: ClauseBatch) -> SparseRows:
        n = len(batch)
        dense = np.hstack(
            [
                self._hits(batch, [_text(v) for v in batch.context.get(name, [""] * n)])
                for name in CONTEXT_COLUMNS
            ]
        )
        rows, cols = np.nonzero(dense)
        return rows, cols, np.full(len(rows), self.weight)

    def feature_name(self, col: int) -> str:
        field = CONTEXT_COLUMNS[col // len(self.themes)]
        return f"context: {CONTEXT_FIELDS[field]} terms of {self.themes[col % len(self.themes)]}"


def weights_array(values: Any, n: int, name: str) -> np.ndarray:
    """Per-clause weights as a float array: ones when None; checked for shape and sign."""
    if values is None:
        return np.ones(n)
    array = np.asarray(values, dtype=float).reshape(-1)
    if array.shape != (n,):
        raise ValueError(f"{name} must have one value per clause ({n}), got {array.shape[0]}")
    if not np.isfinite(array).all() or (array < 0).any():
        raise ValueError(f"{name} must hold finite numbers >= 0")
    return array
