"""Train a model from labelled clauses and measure it honestly.

:func:`train` merges a user's labels with the shipped corpus, validates them, fits
the theme classifier (and the segmenter's boundary decider when its trainer is
available), measures cross-validated scores for the model card and writes the
model folder.

:func:`evaluate` is the measurement: repeated multilabel-stratified k-fold
cross-validation (iterative stratification, so rare themes land in every fold),
with each fold's thresholds tuned inside the training part only; per theme
precision, recall and F1 with their spread across folds; micro and macro averages;
the same folds for two plain baselines (TF-IDF + one-vs-rest logistic regression
at 0.5, and the scheme's term lists as keyword rules); and a cross-source block
(train on one source, test on another) that shows the generalisation gap the
in-corpus folds hide.
"""

from __future__ import annotations

import importlib.util
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
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

from itunlp._resources import data_dir
from itunlp.classifier import FewLabelsWarning, ThemeClassifier, scheme_hits, stratifiable
from itunlp.corpus import (
    SHIPPED_PARTS,
    LabelError,
    files_sha256,
    frame_sha256,
    merge_labels,
    read_labels,
    shipped_documents,
    shipped_label_files,
)
from itunlp.pipeline import ThemeModel
from itunlp.themes import ThemeScheme, load_themes

__all__ = [
    "METHODS",
    "RESULT_COLUMNS",
    "evaluate",
    "load_training_corpus",
    "metrics_summary",
    "train",
]

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

LabelSource = str | Path | pd.DataFrame | Iterable[str | Path] | None


# ------------------------------------------------------------------ corpus
@dataclass
class _Corpus:
    """Validated clauses with the source part of each, and the files they came from."""

    frame: pd.DataFrame
    parts: np.ndarray
    files: list[Path]


def _key(text: str, function: str) -> tuple[str, str]:
    return " ".join(text.split()), function


def _resolve_scheme(scheme: ThemeScheme | str | Path | None) -> ThemeScheme:
    if scheme is None:
        return load_themes()
    if isinstance(scheme, ThemeScheme):
        return scheme
    if isinstance(scheme, str | Path):
        return load_themes(scheme)
    raise TypeError(f"scheme must be a ThemeScheme or a path, got {type(scheme).__name__}")


def _drop_repeats_across_parts(
    frame: pd.DataFrame,
    part: str,
    part_of: dict[tuple[str, str], str],
    labels_of: dict[tuple[str, str], list[str]],
) -> pd.DataFrame:
    """Record each clause's part; a clause already in an earlier part is dropped.

    One clause in two parts would sit in a training and a test fold at once; labelled
    differently, it is a contradiction that must be fixed in the data.
    """
    keep = []
    for text, function, themes in zip(
        frame["text"], frame["function"], frame["themes"], strict=True
    ):
        key = _key(text, function)
        if key in part_of:
            if labels_of.get(key) != sorted(themes):
                raise LabelError(
                    f"The clause {text[:60]!r} is labelled {sorted(themes)} in {part} but "
                    f"{labels_of.get(key)} in {part_of[key]}; keep one labelling"
                )
            keep.append(False)
            continue
        part_of[key] = part
        labels_of[key] = sorted(themes)
        keep.append(True)
    return frame.loc[keep].reset_index(drop=True)


def _read_corpus(labels: LabelSource, no_seed: bool, scheme: ThemeScheme) -> _Corpus:
    """The shipped corpus (unless ``no_seed``) with ``labels`` merged over it."""
    documents = shipped_documents()
    frames: list[pd.DataFrame] = []
    part_of: dict[tuple[str, str], str] = {}
    labels_of: dict[tuple[str, str], list[str]] = {}
    files: list[Path] = []
    if not no_seed:
        for part in SHIPPED_PARTS:
            part_files = shipped_label_files([part])
            if not part_files:
                continue
            frame = read_labels(part_files, scheme=scheme, documents=documents)
            frame = _drop_repeats_across_parts(frame, part, part_of, labels_of)
            frames.append(frame)
            files += part_files
    base = pd.concat(frames, ignore_index=True) if frames else None
    if labels is not None:
        if isinstance(labels, pd.DataFrame):
            user = read_labels(labels, scheme=scheme, documents=documents)
        else:
            paths = [labels] if isinstance(labels, str | Path) else list(labels)
            if not paths:
                raise LabelError("No label files given")
            # Rows from `itunlp suggest` point into the user's own documents: reading
            # those lets read_labels catch a clause whose text was edited.
            from itunlp.active import label_documents

            user_documents = {**documents, **label_documents(paths)}
            user = read_labels(paths, scheme=scheme, documents=user_documents)
            files += [Path(p) for p in paths]
        # A user's clauses form their own source(s) for the cross-source scores: named by
        # their `source` field when they have one, else "user".
        part_of.update(
            {
                _key(t, f): (src or "user")
                for t, f, src in zip(user["text"], user["function"], user["source"], strict=True)
            }
        )
        base = user if base is None else merge_labels(base, user)
    if base is None:
        raise LabelError(
            "No labelled clauses: give label files, or drop --no-seed to use the shipped corpus"
        )
    base = base.reset_index(drop=True)
    parts = np.array(
        [part_of[_key(t, f)] for t, f in zip(base["text"], base["function"], strict=True)]
    )
    return _Corpus(base, parts, files)


def load_training_corpus(
    labels: LabelSource = None,
    *,
    no_seed: bool = False,
    scheme: ThemeScheme | str | Path | None = None,
) -> pd.DataFrame:
    """The labelled clauses :func:`train` would use, with a ``part`` column.

    Parameters
    ----------
    labels : path, list of paths or DataFrame, optional
        Extra labels in the record format; they override shipped labels of the same
        clause.
    no_seed : bool, default=False
        Leave out the shipped corpus (seed, supplement, dev set).
    scheme : ThemeScheme or path, optional
        The theme scheme; the shipped one when None.

    Returns
    -------
    pandas.DataFrame
        Record columns plus ``part``: ``seed``, ``supplement`` or ``dev`` for shipped
        clauses; for the user's, their ``source`` field, or ``user`` when empty.

    Raises
    ------
    LabelError
        Invalid labels (the message names the file and row) or no labels at all.
    """
    corpus = _read_corpus(labels, no_seed, _resolve_scheme(scheme))
    return corpus.frame.assign(part=corpus.parts)


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


# -------------------------------------------------------------------- train
def metrics_summary(table: pd.DataFrame) -> dict[str, Any]:
    """The :func:`evaluate` table as nested JSON for ``meta.json``.

    Keys: ``"cv"`` or ``"<train> -> <test>"``, then method, then theme (with
    ``micro``/``macro``), then precision/recall/f1/f1_std/support.
    """
    out: dict[str, Any] = {}
    for row in table.itertuples(index=False):
        key = "cv" if row.setting == "cv" else f"{row.train} -> {row.test}"
        block = out.setdefault(key, {"setting": row.setting, "train": row.train,
                                     "test": row.test, "n_folds": row.n_folds})  # fmt: skip
        scores = {
            name: (None if pd.isna(getattr(row, name)) else round(float(getattr(row, name)), 4))
            for name in ("precision", "recall", "f1", "f1_std")
        }
        scores["support"] = int(row.support)
        if row.note:
            scores["note"] = row.note
        block.setdefault(row.method, {})[row.theme] = scores
    return out


def _fit_boundary(frame: pd.DataFrame) -> Any:
    """The segmenter's boundary decider from clauses with offsets, when its trainer exists."""
    if importlib.util.find_spec("itunlp.boundary_training") is None:
        return None
    from itunlp.boundary_training import fit_boundary_model

    documents = shipped_documents()
    has_offsets = frame["start"].notna() & frame["doc_id"].isin(list(documents))
    records = frame.loc[has_offsets]
    if records.empty:
        return None
    try:
        return fit_boundary_model(records.reset_index(drop=True), documents)
    except ValueError as error:  # nothing to learn: the rules decide alone
        warnings.warn(f"Segmenter boundary model not trained: {error}", UserWarning, stacklevel=3)
        return None


def _relative(path: Path) -> str:
    """A path for the model card: relative to the data folder's parent or the cwd."""
    resolved = path.resolve()
    for root in (data_dir().resolve().parent, Path.cwd().resolve()):
        try:
            return resolved.relative_to(root).as_posix()
        except ValueError:
            continue
    return path.name


def train(
    labels: LabelSource = None,
    *,
    no_seed: bool = False,
    scheme: ThemeScheme | str | Path | None = None,
    name: str = "custom",
    output: str | Path | None = None,
    cv_folds: int = 5,
    metric_repeats: int = 1,
    cross_source: bool = True,
    metrics: bool = True,
    random_state: int = 0,
    classifier_params: dict[str, Any] | None = None,
    description: str = "",
    command: str = "",
    n_jobs: int = 1,
) -> ThemeModel:
    """Train a theme model (and the segmenter's boundary decider) from labelled clauses.

    Parameters
    ----------
    labels : path, list of paths or DataFrame, optional
        Label files (``.jsonl``, ``.csv``, Label Studio ``.json``) or a DataFrame in
        the record format, merged over the shipped corpus; a clause labelled in both
        takes the new labels.
    no_seed : bool, default=False
        Train on ``labels`` alone.
    scheme : ThemeScheme or path, optional
        The theme scheme (``themes.toml``); the shipped one when None.
    name : str, default="custom"
        The model's name in ``meta.json``.
    output : str or Path, optional
        Write the model folder there (atomically).
    cv_folds : int, default=5
        Folds of the classifier's internal threshold tuning and of the
        cross-validated metrics recorded in ``meta.json``.
    metric_repeats : int, default=1
        Repeats of the recorded cross-validation.
    cross_source : bool, default=True
        Record cross-source scores too.
    metrics : bool, default=True
        Compute the cross-validated metrics (most of the training time).
    random_state : int, default=0
        Seeds folds and solvers: the same inputs give the same model.
    classifier_params : dict, optional
        Extra :class:`~itunlp.classifier.ThemeClassifier` parameters.
    description : str, default=""
        Free text for ``meta.json``.
    command : str, default=""
        The command line that built the model, recorded so it can be rebuilt.
    n_jobs : int, default=1
        Worker processes for the metrics' folds (-1: all cores); same results.

    Returns
    -------
    ThemeModel

    Raises
    ------
    LabelError
        Invalid labels; the message names the file and row.
    ValueError, TypeError
        Bad parameters.

    Examples
    --------
    >>> import pandas as pd
    >>> labels = pd.DataFrame({"text": ["Girls in ICT Day was marked.",
    ...                                 "Women engineers led the panel.",
    ...                                 "Gender mainstreaming is ongoing.",
    ...                                 "The plenary adjourned."],
    ...                        "themes": [["gender"], ["gender"], ["gender"], []]})
    >>> model = train(labels, no_seed=True, cv_folds=2, metrics=False)  # doctest: +SKIP
    """
    if not isinstance(cv_folds, int) or cv_folds < 0 or cv_folds == 1:
        raise ValueError(f"cv_folds must be 0 or >= 2, got {cv_folds!r}")
    if output is not None:
        from itunlp.persistence import check_model_target

        check_model_target(output)  # fail before minutes of training, not after
    started = time.perf_counter()
    used_scheme = _resolve_scheme(scheme)
    corpus = _read_corpus(labels, no_seed, used_scheme)
    frame = corpus.frame
    if len(frame) < 2:
        raise LabelError(f"Only {len(frame)} labelled clause(s); training needs at least 2")
    estimator = ThemeClassifier(
        scheme=used_scheme,
        cv=cv_folds,
        random_state=random_state,
        **(classifier_params or {}),
    )
    classifier = estimator.fit(frame[["text", "function"]], list(frame["themes"]))
    fit_seconds = time.perf_counter() - started
    boundary = _fit_boundary(frame)
    boundary_seconds = time.perf_counter() - started - fit_seconds

    metric_block: dict[str, Any] = {}
    if metrics and cv_folds >= 2 and len(frame) >= 2 * cv_folds:
        themes = used_scheme.ids
        rows = _cross_validate(
            estimator, frame, themes, used_scheme,
            folds=cv_folds, repeats=metric_repeats, seed=random_state, baselines=True,
            n_jobs=n_jobs,
        )  # fmt: skip
        if cross_source:
            rows += _cross_source(estimator, frame, corpus.parts, themes, used_scheme, True, n_jobs)
        metric_block = metrics_summary(pd.DataFrame(rows, columns=RESULT_COLUMNS))
    total_seconds = time.perf_counter() - started

    counts = {t: int(sum(t in themes for themes in frame["themes"])) for t in used_scheme.ids}
    meta = {
        "name": name,
        "description": description,
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_data": {
            "files": {_relative(Path(p)): h for p, h in files_sha256(corpus.files).items()},
            "dataframe_labels": isinstance(labels, pd.DataFrame),
            "no_seed": no_seed,
            "n_clauses": len(frame),
            "n_without_theme": int(sum(not themes for themes in frame["themes"])),
            "clauses_per_source": {
                str(part): int((corpus.parts == part).sum()) for part in np.unique(corpus.parts)
            },
            "clauses_per_theme": counts,
            "labels_sha256": frame_sha256(frame),
        },
        "classifier_params": {k: v for k, v in estimator.get_params().items() if k != "scheme"},
        "cv_thresholds": classifier.cv_scores_,
        "metrics": metric_block,
        "training_seconds": {
            "classifier": round(fit_seconds, 2),
            "segmenter": round(boundary_seconds, 2),
            "total_with_metrics": round(total_seconds, 2),
        },
    }
    model = ThemeModel(classifier, meta=meta, boundary_model=boundary)
    if output is not None:
        model.path = model.save(output)
        from itunlp.persistence import load_model_folder

        model.meta = load_model_folder(model.path).meta
    return model
