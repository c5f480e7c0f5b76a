"""Figures that mirror new documents: folds by document, sources held out, a learning curve.

A user brings documents the model has never seen. Random folds over clauses put
clauses of one document on both sides (same names, same topic, same wording) and
flatter the model; these settings do not:

* ``grouped-cv`` (the headline): repeated k-fold cross-validation in which every
  document's clauses sit in one fold (standalone clauses, such as the supplement's,
  are each a group of their own), stratified by theme
  (:func:`~itunlp.themes.folds.grouped_folds`). The classifier's own thresholds are
  tuned by grouped folds inside each training part.
* ``leave-one-source-out``: train on every source but one, test on it. Sources are
  the seed, the supplement, the dev set, each writer of ``data/documents``
  (``documents:ngo``, ...), ``formats``, and the user's labels.
* ``learning-curve``: the grouped folds again, training on 25/50/75/100% of each
  training part's documents (a seeded sample of whole documents), the test part
  unchanged: does more data of the same kind help?

Each returns rows of :data:`~itunlp.evaluation.cross_validation.RESULT_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from itunlp.evaluation.scoring import (
    _fold_scores,
    _indicators,
    _notes,
    _run,
    _score_splits,
    _summarise,
)
from itunlp.themes.classifier import ThemeClassifier
from itunlp.themes.folds import clause_groups, repeated_grouped_folds
from itunlp.themes.scheme import ThemeScheme

__all__ = [
    "LEARNING_FRACTIONS",
    "grouped_cross_validate",
    "learning_curve",
    "leave_one_source_out",
    "source_order",
]

#: Shares of the training documents in the learning curve.
LEARNING_FRACTIONS = (0.25, 0.5, 0.75, 1.0)
_SHIPPED_ORDER = ("seed", "supplement", "dev", "documents", "formats")


def source_order(sources: Sequence[str]) -> list[str]:
    """Distinct sources, shipped parts first (in corpus order), then the rest sorted."""
    present = sorted(set(map(str, sources)))
    rank = {p: i for i, p in enumerate(_SHIPPED_ORDER)}
    return sorted(present, key=lambda s: (rank.get(s.split(":")[0], len(rank)), s))


def grouped_cross_validate(
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
    """The headline: repeated cross-validation with folds by document (``grouped-cv``)."""
    Y = _indicators(frame["themes"], themes)
    groups = clause_groups(frame)
    splits = list(repeated_grouped_folds(Y, groups, folds, repeats, seed))
    label = f"{folds}-fold x {repeats} by document ({len(set(groups))} groups)"
    return _score_splits(
        estimator, frame, Y, splits, themes, scheme,
        setting="grouped-cv", label=label, baselines=baselines, n_jobs=n_jobs,
    )  # fmt: skip


def leave_one_source_out(
    estimator: ThemeClassifier,
    frame: pd.DataFrame,
    sources: np.ndarray,
    themes: list[str],
    scheme: ThemeScheme,
    *,
    baselines: bool,
    n_jobs: int = 1,
) -> list[dict]:
    """Train on all sources but one, test on that one, for every source."""
    Y = _indicators(frame["themes"], themes)
    names = source_order(sources) if len(set(sources)) > 1 else []
    masks = [np.asarray(sources) == name for name in names]
    jobs = [(frame[~mask], frame[mask]) for mask in masks]
    results = _run(estimator, jobs, themes, scheme, baselines, n_jobs)
    rows: list[dict] = []
    for name, mask, (predictions, fallback) in zip(names, masks, results, strict=True):
        support = Y[mask].sum(0)
        for method, predicted in predictions.items():
            rows += _summarise(
                [_fold_scores(predicted, Y[mask], themes)], support, themes,
                setting="leave-one-source-out", train=f"all but {name}", test=name,
                method=method,
                notes=_notes(support, themes, fallback if method == "model" else ()),
            )  # fmt: skip
    return rows


def learning_curve(
    estimator: ThemeClassifier,
    frame: pd.DataFrame,
    themes: list[str],
    scheme: ThemeScheme,
    *,
    folds: int,
    repeats: int,
    seed: int,
    fractions: Sequence[float] = LEARNING_FRACTIONS,
    n_jobs: int = 1,
) -> list[dict]:
    """Grouped folds with a growing share of each training part's documents."""
    for fraction in fractions:
        if not 0 < fraction <= 1:
            raise ValueError(f"learning-curve fractions must be in (0, 1], got {fraction!r}")
    Y = _indicators(frame["themes"], themes)
    groups = clause_groups(frame)
    splits = list(repeated_grouped_folds(Y, groups, folds, repeats, seed))
    rng = np.random.default_rng(seed)
    plan: list[tuple[float, np.ndarray, np.ndarray]] = []
    for train, test in splits:
        train_groups = np.unique(groups[train])
        order = rng.permutation(train_groups)  # nested samples: 25% is inside 50%
        for fraction in fractions:
            keep = set(order[: max(1, round(fraction * len(order)))].tolist())
            chosen = train[np.isin(groups[train], list(keep))]
            plan.append((fraction, chosen, test))
    jobs = [(frame.iloc[train], frame.iloc[test]) for _, train, test in plan]
    results = _run(estimator, jobs, themes, scheme, False, n_jobs)
    support = Y.sum(0)
    rows: list[dict] = []
    for fraction in fractions:
        scores = [
            _fold_scores(predictions["model"], Y[test], themes)
            for (f, _, test), (predictions, _) in zip(plan, results, strict=True)
            if f == fraction
        ]
        n_train = int(np.mean([len(t) for f, t, _ in plan if f == fraction]))
        rows += _summarise(
            scores, support, themes, setting="learning-curve",
            train=f"{round(fraction * 100)}% of training documents (~{n_train} clauses)",
            test=f"{folds}-fold x {repeats} by document", method="model", notes={},
        )  # fmt: skip
    return rows
