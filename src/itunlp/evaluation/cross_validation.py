"""Measure a theme model honestly: :func:`evaluate`.

Repeated multilabel-stratified k-fold cross-validation (iterative stratification,
so rare themes land in every fold), with each fold's thresholds tuned inside the
training part only; per theme precision, recall and F1 with their spread across
folds; micro and macro averages; the same folds for two plain baselines (TF-IDF +
one-vs-rest logistic regression at 0.5, and the scheme's term lists as keyword
rules); and a cross-source block (train on one source, test on another) that shows
the generalisation gap the in-corpus folds hide.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from iterstrat.ml_stratifiers import RepeatedMultilabelStratifiedKFold
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from itunlp.labels.corpus import (
    SHIPPED_PARTS,
)
from itunlp.labels.training_corpus import LabelSource, _read_corpus, _resolve_scheme
from itunlp.pipeline import ThemeModel
from itunlp.themes.classifier import FewLabelsWarning, ThemeClassifier, scheme_hits, stratifiable
from itunlp.themes.scheme import ThemeScheme, load_themes

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

__all__ = ["FEW_LABELS", "MAX_PAIRED_SOURCES", "METHODS", "RESULT_COLUMNS", "evaluate"]


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
        return model.fit(frame[["text", "function"]].reset_index(drop=True), list(frame["themes"]))


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
    X_test = test[["text", "function"]].reset_index(drop=True)
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


# ------------------------------------------------------------- CV machinery
def _cv_splits(
    Y: np.ndarray, folds: int, repeats: int, seed: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Iteratively stratified (train, test) index pairs, ``folds`` x ``repeats``."""
    splitter = RepeatedMultilabelStratifiedKFold(
        n_splits=folds, n_repeats=repeats, random_state=seed
    )
    yield from splitter.split(np.zeros((len(Y), 1)), stratifiable(Y))


def _cross_validate(
    estimator: ThemeClassifier,
    frame: pd.DataFrame,
    themes: list[str],
    scheme: ThemeScheme,
    *,
    folds: int,
    repeats: int,
    seed: int,
    baselines: bool,
    n_jobs: int = 1,
) -> list[dict]:
    Y = _indicators(frame["themes"], themes)
    collected: dict[str, list[dict]] = {m: [] for m in METHODS}
    prior: set[str] = set()
    splits = list(_cv_splits(Y, folds, repeats, seed))
    jobs = [(frame.iloc[train], frame.iloc[test]) for train, test in splits]
    results = _run(estimator, jobs, themes, scheme, baselines, n_jobs)
    for (_, test_index), (predictions, fallback) in zip(splits, results, strict=True):
        prior.update(fallback)
        for method, predicted in predictions.items():
            collected[method].append(_fold_scores(predicted, Y[test_index], themes))
    support = Y.sum(0)
    notes = _notes(support, themes, prior)
    label = f"{folds}-fold x {repeats}"
    rows = []
    for method, fold_scores in collected.items():
        if fold_scores:
            rows += _summarise(
                fold_scores, support, themes, setting="cv", train="all", test=label,
                method=method, notes=notes if method == "model" else _notes(support, themes),
            )  # fmt: skip
    return rows


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


def _cross_source_pairs(parts: np.ndarray) -> list[tuple[list[str], str]]:
    """Train/test source combinations: ordered pairs (up to 4 sources), and rest-vs-one."""
    present = set(parts.tolist())
    sources = [p for p in SHIPPED_PARTS if p in present] + sorted(present - set(SHIPPED_PARTS))
    pairs: list[tuple[list[str], str]] = []
    if len(sources) <= MAX_PAIRED_SOURCES:
        pairs += [([a], b) for a in sources for b in sources if a != b]
    if len(sources) > 2:
        pairs += [([s for s in sources if s != test], test) for test in sources]
    return pairs


def _cross_source(
    estimator: ThemeClassifier,
    frame: pd.DataFrame,
    parts: np.ndarray,
    themes: list[str],
    scheme: ThemeScheme,
    baselines: bool,
    n_jobs: int = 1,
) -> list[dict]:
    rows = []
    Y = _indicators(frame["themes"], themes)
    pairs = _cross_source_pairs(parts)
    masks = [(np.isin(parts, train_parts), parts == test) for train_parts, test in pairs]
    jobs = [(frame[train_mask], frame[test_mask]) for train_mask, test_mask in masks]
    results = _run(estimator, jobs, themes, scheme, baselines, n_jobs)
    for (train_parts, test_part), (_, test_mask), (predictions, fallback) in zip(
        pairs, masks, results, strict=True
    ):
        support = Y[test_mask].sum(0)
        for method, predicted in predictions.items():
            rows += _summarise(
                [_fold_scores(predicted, Y[test_mask], themes)], support, themes,
                setting="cross-source", train="+".join(train_parts), test=test_part,
                method=method,
                notes=_notes(support, themes, fallback if method == "model" else ()),
            )  # fmt: skip
    return rows


def _estimator_of(model: Any, scheme: ThemeScheme | None) -> tuple[ThemeClassifier, ThemeScheme]:
    """The unfitted classifier configuration to evaluate, and its scheme."""
    if model is None:
        resolved = scheme or load_themes()
        return ThemeClassifier(scheme=resolved), resolved
    if isinstance(model, str | Path):
        from itunlp.pipeline import load

        model = load(model)
    if isinstance(model, ThemeModel):
        model = model.classifier
    if not isinstance(model, ThemeClassifier):
        raise TypeError(
            "model must be None, a ThemeModel, a ThemeClassifier or a model folder path; got "
            f"{type(model).__name__}"
        )
    fitted_scheme = getattr(model, "scheme_", None)
    resolved = scheme or fitted_scheme or model.scheme or load_themes()
    return clone(model).set_params(scheme=resolved), resolved


def evaluate(
    model: Any = None,
    labels: LabelSource = None,
    *,
    no_seed: bool = False,
    folds: int = 5,
    repeats: int = 2,
    seed: int = 0,
    cross_source: bool = True,
    baselines: bool = True,
    scheme: ThemeScheme | str | Path | None = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Cross-validated per-theme scores of a model configuration, with baselines.

    The model's configuration (not its fitted weights) is retrained on each training
    fold, so its own training clauses never score it; thresholds are tuned by the
    classifier's internal cross-validation inside each training fold only.

    Parameters
    ----------
    model : ThemeModel, ThemeClassifier, path or None
        The configuration to evaluate; the default classifier when None. With
        ``folds=0`` the fitted model itself is scored on ``labels`` (a held-out set).
    labels : path, list of paths or DataFrame, optional
        Labels merged over the shipped corpus (as :func:`train` does).
    no_seed : bool, default=False
        Evaluate on ``labels`` alone, without the shipped corpus.
    folds : int, default=5
        Folds of the iteratively stratified k-fold; 0 scores ``model`` as it is.
    repeats : int, default=2
        Repetitions with different fold assignments (the spread in ``f1_std``).
    seed : int, default=0
        Seeds the fold assignment.
    cross_source : bool, default=True
        Also train on one source (seed, supplement, dev, user) and test on another.
    baselines : bool, default=True
        Also score TF-IDF + one-vs-rest LR at 0.5 and the keyword rules.
    scheme : ThemeScheme or path, optional
        Theme scheme; the model's own, else the shipped one.
    n_jobs : int, default=1
        Worker processes for the folds and source pairs (-1: all cores); the
        results are the same for any value.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESULT_COLUMNS`: one row per setting, method and theme, plus
        ``micro`` and ``macro`` rows. ``f1`` is the mean over folds and ``f1_std``
        its standard deviation; ``note`` flags themes with fewer than 5 labels.

    Raises
    ------
    LabelError
        Invalid labels.
    ValueError
        Bad fold counts, or too few clauses for the folds.

    Examples
    --------
    >>> table = evaluate(folds=2, repeats=1, cross_source=False)   # doctest: +SKIP
    >>> table.query("method == 'model' and theme == 'micro'")["f1"]  # doctest: +SKIP
    """
    if not isinstance(folds, int) or folds < 0 or folds == 1:
        raise ValueError(f"folds must be 0 (score the model as is) or >= 2, got {folds!r}")
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats!r}")
    resolved_scheme = _resolve_scheme(scheme) if scheme is not None else None
    if folds == 0:
        return _score_as_is(model, labels, no_seed, resolved_scheme)
    estimator, used_scheme = _estimator_of(model, resolved_scheme)
    corpus = _read_corpus(labels, no_seed, used_scheme)
    themes = used_scheme.ids
    if len(corpus.frame) < 2 * folds:
        raise ValueError(
            f"{len(corpus.frame)} labelled clauses are too few for {folds}-fold "
            "cross-validation; label more or lower --folds"
        )
    rows = _cross_validate(
        estimator, corpus.frame, themes, used_scheme,
        folds=folds, repeats=repeats, seed=seed, baselines=baselines, n_jobs=n_jobs,
    )  # fmt: skip
    if cross_source:
        rows += _cross_source(
            estimator, corpus.frame, corpus.parts, themes, used_scheme, baselines, n_jobs
        )
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def _score_as_is(
    model: Any, labels: LabelSource, no_seed: bool, scheme: ThemeScheme | None
) -> pd.DataFrame:
    if model is None or labels is None:
        raise ValueError(
            "folds=0 scores a trained model on held-out labels: give both a model and labels"
        )
    if isinstance(model, str | Path):
        from itunlp.pipeline import load

        model = load(model)
    classifier = model.classifier if isinstance(model, ThemeModel) else model
    used = scheme or classifier.scheme_
    frame = _read_corpus(labels, True, used).frame
    themes = list(classifier.classes_)
    Y = _indicators(frame["themes"], themes)
    predicted = classifier.predict(frame[["text", "function"]])
    support = Y.sum(0)
    rows = _summarise(
        [_fold_scores(predicted, Y, themes)], support, themes, setting="held-out",
        train="model", test="labels", method="model",
        notes=_notes(support, themes, [*classifier.too_few_positives_, *classifier.prior_themes_]),
    )  # fmt: skip
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


