"""Scoring shared by the evaluation settings: per-fold scores, summaries, the methods.

:func:`_run` fits the model (and the two baselines) on each (train, test) job and
predicts the test part; :func:`_fold_scores` and :func:`_summarise` turn the
predictions into the rows of :data:`RESULT_COLUMNS`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from itunlp.themes.classifier import FewLabelsWarning, ThemeClassifier, scheme_hits
from itunlp.themes.folds import model_input
from itunlp.themes.scheme import ThemeScheme

__all__ = ["FEW_LABELS", "MAX_PAIRED_SOURCES", "METHODS", "RESULT_COLUMNS"]

#: Themes with fewer positive clauses than this in a test set get a note: their
#: scores rest on a handful of clauses.
FEW_LABELS = 5

#: With more sources than this, cross-source scores are only "all others -> one".
MAX_PAIRED_SOURCES = 4

#: The model and the two baselines scored on the same folds.
METHODS = ("model", "tfidf_lr@0.5", "keywords")

RESULT_COLUMNS = [
    "setting",
    "train",
    "test",
    "method",
    "theme",
    "precision",
    "recall",
    "f1",
    "f1_std",
    "support",
    "n_folds",
    "note",
]


# ------------------------------------------------------------------- scoring
def _counts(predicted: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per theme (tp, fp, fn) as an array of shape (n_themes, 3)."""
    predicted, truth = predicted.astype(bool), truth.astype(bool)
    return np.stack(
        [
            (predicted & truth).sum(0),
            (predicted & ~truth).sum(0),
            (~predicted & truth).sum(0),
        ],
        axis=1,
    ).astype(float)


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    """Precision, recall, F1; NaN where undefined (nothing predicted / nothing to find)."""
    precision = tp / (tp + fp) if tp + fp else np.nan
    recall = tp / (tp + fn) if tp + fn else np.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else np.nan
    return precision, recall, f1


def _fold_scores(predicted: np.ndarray, truth: np.ndarray, themes: list[str]) -> dict:
    """One fold's per-theme scores plus micro and macro averages, keyed by row name."""
    counts = _counts(predicted, truth)
    scores = {theme: _prf(*counts[j]) for j, theme in enumerate(themes)}
    scores["micro"] = _prf(*counts.sum(0))
    per_theme = np.array([scores[t] for t in themes])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a theme absent from a fold
        scores["macro"] = tuple(np.nanmean(per_theme, axis=0))
    return scores


def _summarise(
    fold_scores: list[dict],
    support: np.ndarray,
    themes: list[str],
    *,
    setting: str,
    train: str,
    test: str,
    method: str,
    notes: dict[str, str],
) -> list[dict]:
    rows = []
    for name in [*themes, "micro", "macro"]:
        values = np.array([scores[name] for scores in fold_scores], dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: undefined
            mean = np.nanmean(values, axis=0)
            std = np.nanstd(values[:, 2], ddof=1) if np.isfinite(values[:, 2]).sum() > 1 else 0.0
        n = int(support[themes.index(name)]) if name in themes else int(support.sum())
        rows.append(
            {
                "setting": setting,
                "train": train,
                "test": test,
                "method": method,
                "theme": name,
                "precision": float(mean[0]),
                "recall": float(mean[1]),
                "f1": float(mean[2]),
                "f1_std": float(std),
                "support": n,
                "n_folds": len(fold_scores),
                "note": notes.get(name, ""),
            }
        )
    return rows


def _notes(support: np.ndarray, themes: list[str], prior_themes: Iterable[str] = ()) -> dict:
    notes = {}
    prior = set(prior_themes)
    for j, theme in enumerate(themes):
        parts = []
        if support[j] < FEW_LABELS:
            parts.append(f"too few labels ({int(support[j])} < {FEW_LABELS})")
        if theme in prior:
            parts.append("term prior (too few labels, or it beat the model in training)")
        if parts:
            notes[theme] = "; ".join(parts)
    return notes


# ------------------------------------------------------------------ methods
def _indicators(themes_column: Iterable[list[str]], themes: list[str]) -> np.ndarray:
    return MultiLabelBinarizer(classes=themes).fit_transform(list(themes_column))


def _fit_model(estimator: ThemeClassifier, frame: pd.DataFrame) -> ThemeClassifier:
    model = clone(estimator)
    with warnings.catch_warnings():
        # Repeats once per fold; the result table's note column says it once.
        warnings.simplefilter("ignore", FewLabelsWarning)
        return model.fit(model_input(frame), list(frame["themes"]))


def _predict_methods(
    estimator: ThemeClassifier,
    train: pd.DataFrame,
    test: pd.DataFrame,
    themes: list[str],
    scheme: ThemeScheme,
    baselines: bool,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Predictions of the model (and baselines) trained on ``train`` for ``test``."""
    model = _fit_model(estimator, train)
    X_test = model_input(test)
    out = {"model": model.predict(X_test)}
    if baselines:
        out["tfidf_lr@0.5"] = _tfidf_baseline(train, test, themes)
        out["keywords"] = _keyword_baseline(test, themes, scheme)
    return out, [*model.too_few_positives_, *model.prior_themes_]


def _tfidf_baseline(train: pd.DataFrame, test: pd.DataFrame, themes: list[str]) -> np.ndarray:
    """The plain baseline: word TF-IDF, one-vs-rest logistic regression, threshold 0.5."""
    Y = _indicators(train["themes"], themes)
    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        # liblinear: the same L2 logistic model as the default solver, several times faster.
        OneVsRestClassifier(LogisticRegression(solver="liblinear", max_iter=1000)),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "label not present" in a fold
        pipeline.fit(list(train["text"]), Y)
        return (pipeline.predict_proba(list(test["text"])) >= 0.5).astype(int)


def _keyword_baseline(test: pd.DataFrame, themes: list[str], scheme: ThemeScheme) -> np.ndarray:
    """The codebook's "typical words" as plain keyword rules: any term hit is a yes."""
    rows = [scheme_hits(scheme, text)[0] for text in test["text"]]
    return np.array([[int(theme in hits) for theme in themes] for hits in rows], dtype=int)


def _run(
    estimator: ThemeClassifier,
    jobs: list[tuple[pd.DataFrame, pd.DataFrame]],
    themes: list[str],
    scheme: ThemeScheme,
    baselines: bool,
    n_jobs: int,
) -> list[tuple[dict[str, np.ndarray], list[str]]]:
    """Fit and predict every (train, test) job, in worker processes when ``n_jobs`` > 1.

    The jobs are independent and seeded, so the results do not depend on ``n_jobs``.
    """
    if n_jobs == 1 or len(jobs) < 2:
        return [
            _predict_methods(estimator, train, test, themes, scheme, baselines)
            for train, test in jobs
        ]
    return Parallel(n_jobs=n_jobs)(
        delayed(_predict_methods)(estimator, train, test, themes, scheme, baselines)
        for train, test in jobs
    )


def _score_splits(
    estimator: Any,
    frame: Any,
    Y: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    themes: list[str],
    scheme: Any,
    *,
    setting: str,
    label: str,
    baselines: bool,
    n_jobs: int = 1,
) -> list[dict]:
    """Fit on each split's train rows, score its test rows, summarise over the splits."""
    jobs = [(frame.iloc[train], frame.iloc[test]) for train, test in splits]
    results = _run(estimator, jobs, themes, scheme, baselines, n_jobs)
    collected: dict[str, list[dict]] = {}
    prior: set[str] = set()
    for (_, test), (predictions, fallback) in zip(splits, results, strict=True):
        prior.update(fallback)
        for method, predicted in predictions.items():
            collected.setdefault(method, []).append(_fold_scores(predicted, Y[test], themes))
    support = Y.sum(0)
    rows: list[dict] = []
    for method, fold_scores in collected.items():
        rows += _summarise(
            fold_scores, support, themes, setting=setting, train="all", test=label,
            method=method,
            notes=_notes(support, themes, prior if method == "model" else ()),
        )  # fmt: skip
    return rows
