"""Feature blocks: how a batch of clauses becomes the theme model's features.

The features of :class:`~itunlp.themes.classifier.ThemeClassifier` are named blocks
in one shared index space, in this order: ``text`` (word n-grams, then character
n-grams; :class:`~itunlp.themes.text_features.TextBlock`), ``function`` (the
heading; :class:`FunctionBlock`), ``terms`` (3 per theme; :class:`TermsBlock`).
The numpy predictor (:mod:`itunlp.themes.inference`) adds up each block's
contribution for a whole batch at once.

Adding a block (context features, issue 12)
-------------------------------------------
A block is any object with

* ``name`` (str, unique) and ``n_features`` (int);
* ``__call__(batch) -> (rows, cols, values)``: numpy arrays, one entry per non-zero
  feature of the batch's clauses, ``rows`` indexing the batch's clauses and
  ``cols`` the block's own features ``0 .. n_features - 1``;
* ``feature_name(col) -> str``, for explanations;
* optionally ``score(batch, coef) -> ndarray (n_clauses, k)``: its product with
  ``coef`` (the block's columns of the weights) computed directly, when that is
  faster than the entries.

A :class:`ClauseBatch` carries the clause texts, their headings and any context
fields (``batch.context["section_title"]``, the neighbouring clauses ...), plus a
``shared`` dictionary where blocks keep work others can reuse (the term counts
under ``"terms.dense"``, the token types under ``"text.types"``). A new block is
appended to the predictor's block list and owns the next ``n_features`` columns of
``coef``; the other blocks neither know nor care. For training,
:func:`blocks_matrix` gives any blocks' features as one SciPy CSR matrix, equal to
the estimator's own feature matrix for the three standard blocks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from itunlp.themes.inputs import function_kind
from itunlp.themes.matcher import TermMatcher

__all__ = [
    "ClauseBatch",
    "FeatureBlock",
    "FunctionBlock",
    "SparseRows",
    "TermsBlock",
    "blocks_matrix",
    "empty_rows",
]

# ------------------------------------------------------------------------- batch


@dataclass
class ClauseBatch:
    """Clauses predicted together: texts, headings, context fields, shared work.

    Parameters
    ----------
    texts : list of str
    functions : list of str
        Headings, lower case and whitespace-folded (as :func:`coerce_clauses` gives).
    context : dict of str to sequence
        Extra per-clause fields for context blocks (one value per clause).
    """

    texts: list[str]
    functions: list[str]
    context: dict[str, Sequence[Any]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.texts)


SparseRows = tuple[np.ndarray, np.ndarray, np.ndarray]


class FeatureBlock(Protocol):
    """What a feature block provides (see the module docstring)."""

    name: str
    n_features: int

    def __call__(self, batch: ClauseBatch) -> SparseRows: ...

    def feature_name(self, col: int) -> str: ...


def empty_rows() -> SparseRows:
    """No entries."""
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)


class FunctionBlock:
    """The heading's words and kind (``__operative__`` ...), binary, l2-normalised."""

    name = "function"
    _TOKEN = re.compile(r"(?u)\b\w+\b")

    def __init__(self, vocabulary: Sequence[str], weight: float) -> None:
        self.vocabulary = list(vocabulary)
        self.ids = {w: i for i, w in enumerate(self.vocabulary)}
        self.n_features = len(self.vocabulary)
        self.weight = float(weight)
        self._cache: dict[str, tuple[list[int], float]] = {}

    def _analyse(self, function: str) -> tuple[list[int], float]:
        found = self._cache.get(function)
        if found is None:
            document = f"__{function_kind(function)}__ {function}".lower()
            cols = sorted({self.ids[t] for t in self._TOKEN.findall(document) if t in self.ids})
            value = self.weight / math.sqrt(len(cols)) if cols else 0.0
            if len(self._cache) > 10_000:
                self._cache.clear()
            found = self._cache[function] = (cols, value)
        return found

    def __call__(self, batch: ClauseBatch) -> SparseRows:
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for row, function in enumerate(batch.functions):
            found, value = self._analyse(function)
            rows += [row] * len(found)
            cols += found
            values += [value] * len(found)
        return (
            np.asarray(rows, dtype=np.int64),
            np.asarray(cols, dtype=np.int64),
            np.asarray(values, dtype=np.float64),
        )

    def feature_name(self, col: int) -> str:
        return f"heading '{self.vocabulary[col]}'"


class TermsBlock:
    """Per theme: a term hit not explained by a trap, log1p of the net count, any trap."""

    name = "terms"

    def __init__(self, matcher: TermMatcher, weight: float) -> None:
        self.matcher = matcher
        self.themes = matcher.themes
        self.n_features = 3 * len(self.themes)
        self.weight = float(weight)

    def dense(self, batch: ClauseBatch) -> np.ndarray:
        """The block as a dense ``(n_clauses, 3 * n_themes)`` array (cached in ``shared``)."""
        cached = batch.shared.get("terms.dense")
        if cached is not None:
            return cached
        counts = self.matcher.counts(batch.texts)
        terms, traps = counts[:, :, 0], counts[:, :, 1]
        net = np.maximum(0, terms - traps)
        out = np.empty((len(batch), len(self.themes), 3))
        out[:, :, 0] = net > 0
        out[:, :, 1] = np.log1p(net)
        out[:, :, 2] = traps > 0
        dense = out.reshape(len(batch), 3 * len(self.themes))
        batch.shared["terms.dense"] = dense
        return dense

    def __call__(self, batch: ClauseBatch) -> SparseRows:
        dense = self.dense(batch)
        rows, cols = np.nonzero(dense)
        return rows, cols, dense[rows, cols] * self.weight

    def feature_name(self, col: int) -> str:
        theme, which = self.themes[col // 3], col % 3
        return (f"terms of {theme}", f"term count of {theme}", f"trap of {theme}")[which]


def blocks_matrix(blocks: Sequence[FeatureBlock], batch: ClauseBatch) -> Any:
    """The blocks' features of a batch as one SciPy CSR matrix (for training)."""
    import scipy.sparse as sp

    parts_r, parts_c, parts_v = [], [], []
    offset = 0
    for block in blocks:
        rows, cols, values = block(batch)
        parts_r.append(rows)
        parts_c.append(cols + offset)
        parts_v.append(values)
        offset += block.n_features
    return sp.csr_matrix(
        (np.concatenate(parts_v), (np.concatenate(parts_r), np.concatenate(parts_c))),
        shape=(len(batch), offset),
    )
