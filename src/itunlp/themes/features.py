"""Features of a clause for the theme classifier.

How a clause and its heading become the estimator's input: the heading's kind
(preamble/operative), the coercion of clause inputs, the fitted vectorizers, the
theme scheme's term hits, and the fitting helpers (Naive-Bayes scaling, Platt
scaling, thresholds) that :class:`~itunlp.themes.classifier.ThemeClassifier` uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import MultiLabelBinarizer

from itunlp.themes.inputs import (  # noqa: F401  (re-exported: their home before issue 13)
    _HEADING_PREFIXES,
    _OPERATIVE_WORDS,
    _PREAMBLE_WORDS,
    coerce_clauses,
    function_kind,
)
from itunlp.themes.scheme import ThemeScheme


@dataclass
class _Vectorizers:
    """The fitted feature space: word and character TF-IDF and the heading vocabulary."""

    word: TfidfVectorizer
    char: TfidfVectorizer | None
    function: CountVectorizer


def stratifiable(Y: np.ndarray) -> np.ndarray:
    """An indicator matrix the iterative stratifier accepts (it needs two columns or more).

    A single theme column gets its complement beside it, which stratifies the same way.

    Parameters
    ----------
    Y : ndarray of shape (n_clauses, n_themes)

    Returns
    -------
    ndarray

    Examples
    --------
    >>> stratifiable(np.array([[1], [0]])).tolist()
    [[1, 0], [0, 1]]
    """
    return np.column_stack([Y, 1 - Y[:, 0]]) if Y.shape[1] == 1 else Y


# Bounded so that classifying a stream of millions of clauses keeps memory flat
# (about 30 MB when full), while still holding a whole training corpus for CV.
_HITS_CACHE_SIZE = 16_384


@lru_cache(maxsize=_HITS_CACHE_SIZE)
def scheme_hits(
    scheme: ThemeScheme, text: str
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The scheme's term and trap hits in one clause, cached.

    Cross-validation and the keyword baseline look at each clause many times, and
    regex matching of every term list is the slowest part of a fit.

    Examples
    --------
    >>> from itunlp.themes.scheme import load_themes
    >>> terms, traps = scheme_hits(load_themes(), "The financial security of the Union")
    >>> terms["cybersecurity"], traps["cybersecurity"]
    (['security'], ['financial security'])
    """
    return scheme.term_hits(text), scheme.trap_hits(text)


@lru_cache(maxsize=_HITS_CACHE_SIZE)
def _term_row(scheme: ThemeScheme, text: str) -> tuple[float, ...]:
    """One clause's term features (cached like :func:`scheme_hits`)."""
    terms, traps = scheme_hits(scheme, text)
    row: list[float] = []
    for theme in scheme.ids:
        net = max(0, len(terms.get(theme, ())) - len(traps.get(theme, ())))
        row += [float(net > 0), math.log1p(net), float(theme in traps)]
    return tuple(row)


def _nb_scale(present: sp.csr_matrix, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per-feature scale ``|log(p / q)| + 0.1`` from one theme's labels (see ``nb_scale``).

    Parameters
    ----------
    present : sparse matrix of shape (n_clauses, n_features)
        1 where a clause has the feature, else 0.
    y : ndarray of shape (n_clauses,)
        The theme's 0/1 labels.
    weights : ndarray of shape (n_clauses,)
        Sample weights (descriptions count less).

    Returns
    -------
    ndarray of shape (n_features,)
        Positive scales, 0.1 for a feature equally common in and out of the theme.

    Examples
    --------
    >>> present = sp.csr_matrix(np.array([[1.0, 1.0], [0.0, 1.0]]))
    >>> _nb_scale(present, np.array([1, 0]), np.ones(2)).round(3).tolist()
    [0.505, 0.388]
    """
    p = 1.0 + present.T @ (weights * (y == 1))
    q = 1.0 + present.T @ (weights * (y == 0))
    return np.abs(np.log((p / p.sum()) / (q / q.sum()))) + 0.1


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid calibration of out-of-fold scores (Platt scaling), as (a, b)."""
    if y.min() == y.max():
        return 1.0, 0.0
    # Newton-Cholesky: exact and about ten times faster than lbfgs on one feature.
    model = LogisticRegression(C=100.0, solver="newton-cholesky").fit(scores.reshape(-1, 1), y)
    a = float(model.coef_[0, 0])
    # A non-positive slope means the scores carry no usable signal out of fold; keep
    # the raw score's direction rather than inverting it.
    if a <= 0:
        return 1.0, 0.0
    return a, float(model.intercept_[0])


def _prf(predicted: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of one theme's yes/no predictions (0 when undefined)."""
    tp = float(np.sum(predicted & (y == 1)))
    n_predicted, positives = float(predicted.sum()), float(y.sum())
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _weighted_f1(predicted: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    tp = float(weights[predicted & (y == 1)].sum())
    wrong = float(weights[predicted & (y == 0)].sum() + weights[~predicted & (y == 1)].sum())
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def _best_threshold(
    probabilities: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, dict[str, float]]:
    """The F1-maximising threshold on out-of-fold probabilities, and the scores there.

    Among equally good thresholds the median is taken, which sits in the middle of a
    plateau instead of on its edge (less sensitive to one clause more or less).
    ``weights`` count some clauses more in the F1 that picks the threshold (a user's
    own clauses, when a model adapts to them); the scores returned are unweighted.
    """
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    if weights is None:
        f1s = np.array([_prf(probabilities >= t, y)["f1"] for t in grid])
    else:
        f1s = np.array([_weighted_f1(probabilities >= t, y, weights) for t in grid])
    best = grid[f1s >= f1s.max() - 1e-12]
    threshold = float(np.median(best))
    return threshold, _prf(probabilities >= threshold, y)


# ------------------------------------------------------- helpers of the estimator
def _coerce_y(y: Any, themes: list[str], n_samples: int) -> np.ndarray:
    """A binary indicator matrix in scheme order from label lists or an indicator matrix."""
    if isinstance(y, pd.Series):
        y = y.tolist()
    if isinstance(y, np.ndarray | pd.DataFrame) or (hasattr(y, "toarray") and hasattr(y, "shape")):
        matrix = y.toarray() if hasattr(y, "toarray") else np.asarray(y)
        if matrix.ndim != 2 or matrix.shape[1] != len(themes):
            raise ValueError(
                f"y as an indicator matrix must have shape (n_clauses, {len(themes)}) with "
                f"columns {', '.join(themes)}; got shape {matrix.shape}"
            )
        if not np.isin(matrix, (0, 1)).all():
            raise ValueError("y as an indicator matrix must hold only 0 and 1")
        matrix = matrix.astype(int)
    else:
        label_sets = list(y)
        for index, labels in enumerate(label_sets):
            if isinstance(labels, str) or not isinstance(labels, Sequence | set | frozenset):
                raise TypeError(
                    f"y[{index}] is {labels!r}; give each clause a list of theme ids "
                    "(e.g. ['gender']) or an empty list for none"
                )
            unknown = [t for t in labels if t not in themes]
            if unknown:
                raise ValueError(
                    f"Unknown theme {unknown[0]!r} in y[{index}]; valid themes: {', '.join(themes)}"
                )
        matrix = MultiLabelBinarizer(classes=themes).fit_transform(label_sets)
    if matrix.shape[0] != n_samples:
        raise ValueError(f"Got {n_samples} clauses but {matrix.shape[0]} label rows")
    return np.asarray(matrix, dtype=int)


def _function_documents(functions: Sequence[str]) -> list[str]:
    return [f"__{function_kind(f)}__ {f}" for f in functions]


def _scores(estimators: list[LogisticRegression], features: sp.csr_matrix) -> np.ndarray:
    if not estimators:
        return np.zeros((features.shape[0], 0))
    return np.column_stack([est.decision_function(features) for est in estimators])
