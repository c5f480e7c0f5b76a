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

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from iterstrat.ml_stratifiers import RepeatedMultilabelStratifiedKFold
from sklearn.base import clone

from itunlp.labels.corpus import (
    SHIPPED_PARTS,
)
from itunlp.labels.training_corpus import LabelSource, _read_corpus, _resolve_scheme
from itunlp.pipeline import ThemeModel
from itunlp.themes.classifier import ThemeClassifier, stratifiable
from itunlp.themes.folds import model_input
from itunlp.themes.scheme import ThemeScheme, load_themes

__all__ = ["FEW_LABELS", "MAX_PAIRED_SOURCES", "METHODS", "RESULT_COLUMNS", "evaluate"]

from itunlp.evaluation.grouped import (
    grouped_cross_validate,
    learning_curve,
    leave_one_source_out,
)
from itunlp.evaluation.scoring import (
    FEW_LABELS,
    MAX_PAIRED_SOURCES,
    METHODS,
    RESULT_COLUMNS,
    _fold_scores,
    _indicators,
    _notes,
    _run,
    _score_splits,
    _summarise,
)


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
    splits = list(_cv_splits(Y, folds, repeats, seed))
    return _score_splits(
        estimator, frame, Y, splits, themes, scheme,
        setting="cv", label=f"{folds}-fold x {repeats}", baselines=baselines, n_jobs=n_jobs,
    )  # fmt: skip


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
    grouped: bool = True,
    random_folds: bool = True,
    learning: bool = True,
) -> pd.DataFrame:
    """Cross-validated per-theme scores of a model configuration, with baselines.

    The headline is ``grouped-cv``: folds by document (:mod:`itunlp.evaluation.grouped`),
    which is what a user should expect on documents the model has not seen. Then
    ``leave-one-source-out``, the ``learning-curve``, and the older ``cv`` over
    randomly assigned clauses (kept for comparison; it flatters the model).

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
        Also leave each source out in turn (seed, supplement, dev, each writer of
        ``data/documents``, formats, the user's labels) and test on it.
    baselines : bool, default=True
        Also score TF-IDF + one-vs-rest LR at 0.5 and the keyword rules.
    scheme : ThemeScheme or path, optional
        Theme scheme; the model's own, else the shipped one.
    n_jobs : int, default=1
        Worker processes for the folds and source pairs (-1: all cores); the
        results are the same for any value.
    grouped : bool, default=True
        The headline ``grouped-cv`` setting (``folds`` x ``repeats``, by document).
    random_folds : bool, default=True
        Also the ``cv`` setting over randomly assigned clauses.
    learning : bool, default=True
        Also the ``learning-curve`` (25/50/75/100% of the training documents, on
        ``folds`` grouped folds, once).

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
    frame = corpus.frame
    rows: list[dict] = []
    if grouped:
        rows += grouped_cross_validate(
            estimator, frame, themes, used_scheme,
            folds=folds, repeats=repeats, seed=seed, baselines=baselines, n_jobs=n_jobs,
        )  # fmt: skip
    if cross_source:
        rows += leave_one_source_out(
            estimator, frame, corpus.sources, themes, used_scheme,
            baselines=baselines, n_jobs=n_jobs,
        )  # fmt: skip
    if learning:
        rows += learning_curve(
            estimator, frame, themes, used_scheme,
            folds=folds, repeats=1, seed=seed, n_jobs=n_jobs,
        )  # fmt: skip
    if random_folds:
        rows += _cross_validate(
            estimator, frame, themes, used_scheme,
            folds=folds, repeats=repeats, seed=seed, baselines=baselines, n_jobs=n_jobs,
        )  # fmt: skip
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
    predicted = classifier.predict(model_input(frame))
    support = Y.sum(0)
    rows = _summarise(
        [_fold_scores(predicted, Y, themes)], support, themes, setting="held-out",
        train="model", test="labels", method="model",
        notes=_notes(support, themes, [*classifier.too_few_positives_, *classifier.prior_themes_]),
    )  # fmt: skip
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)
