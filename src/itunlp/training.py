"""Train a model from labelled clauses: :func:`train`.

:func:`train` merges a user's labels with the shipped corpus
(:mod:`itunlp.labels.training_corpus`), validates them, fits the theme classifier
(and the segmenter's boundary decider when its trainer is available), measures
cross-validated scores for the model card with :func:`~itunlp.evaluation.cross_validation.evaluate`
and writes the model folder. ``evaluate``, ``load_training_corpus``, ``METHODS`` and
``RESULT_COLUMNS`` stay importable from here.
"""

from __future__ import annotations

import importlib.util
import time
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from itunlp._resources import data_dir
from itunlp.evaluation.cross_validation import (
    METHODS,
    RESULT_COLUMNS,
    _cross_validate,
    evaluate,
)
from itunlp.evaluation.grouped import grouped_cross_validate, leave_one_source_out
from itunlp.labels.corpus import (
    LabelError,
    files_sha256,
    frame_sha256,
    shipped_documents,
)
from itunlp.labels.training_corpus import (
    LabelSource,
    _read_corpus,
    _resolve_scheme,
    load_training_corpus,
)
from itunlp.pipeline import ThemeModel
from itunlp.themes.classifier import ThemeClassifier
from itunlp.themes.folds import clause_groups, grouped_folds, model_input
from itunlp.themes.scheme import ThemeScheme

__all__ = [
    "ADAPTATION_COLUMNS",
    "METHODS",
    "RESULT_COLUMNS",
    "USER_WEIGHTS",
    "adaptation_benchmark",
    "evaluate",
    "fit_adapted",
    "load_training_corpus",
    "metrics_summary",
    "train",
]

#: Candidate weights of a user's own labels over the shipped corpus (see :func:`fit_adapted`).
USER_WEIGHTS = (1.0, 2.0, 3.0)


# ---------------------------------------------------------------- adaptation
def _user_fit(
    estimator: ThemeClassifier, frame: pd.DataFrame, user: np.ndarray, weight: float
) -> ThemeClassifier:
    """Fit with the user's clauses weighted ``weight``; thresholds tuned mostly on them."""
    n_user, n_base = int(user.sum()), int((~user).sum())
    adapt = bool(n_user and n_base)
    sample_weight = np.where(user, float(weight), 1.0) if adapt and weight != 1 else None
    tune_weight = np.where(user, max(1.0, n_base / max(n_user, 1)), 1.0) if adapt else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return clone(estimator).fit(
            model_input(frame), list(frame["themes"]),
            sample_weight=sample_weight, tune_weight=tune_weight,
        )  # fmt: skip


def _micro_f1(classifier: ThemeClassifier, frame: pd.DataFrame) -> float:
    themes = list(classifier.classes_)
    truth = np.array([[t in row for t in themes] for row in frame["themes"]], dtype=bool)
    predicted = classifier.predict(model_input(frame)).astype(bool)
    tp = float((predicted & truth).sum())
    wrong = float((predicted ^ truth).sum())
    return 2 * tp / (2 * tp + wrong) if tp + wrong else 1.0


def fit_adapted(
    estimator: ThemeClassifier,
    frame: pd.DataFrame,
    user: np.ndarray,
    weights: Sequence[float] = USER_WEIGHTS,
    folds: int = 3,
) -> tuple[ThemeClassifier, dict[str, Any]]:
    """Fit ``estimator`` so that a user's own labels count, and say how it chose.

    Without user clauses next to shipped ones this is a plain fit (thresholds
    tuned by grouped internal folds). With them, each candidate weight of the
    user's clauses is scored by grouped cross-validation on the user's documents
    (train on the shipped corpus plus the other user documents, predict the held
    out ones; mean micro-F1 over folds); the best weight (the smallest among
    ties) trains the final model. Its thresholds are tuned (grouped internal folds)
    with the user's clauses counting as much as the whole shipped corpus. With a single
    user document there is nothing to cross-validate: the middle candidate is used.

    Returns
    -------
    classifier : ThemeClassifier
    record : dict
        For ``meta.json``: user clauses and documents, the score of each weight,
        the chosen weight (empty without user clauses).
    """
    user = np.asarray(user, dtype=bool)
    if not user.any() or user.all():
        return _user_fit(estimator, frame, user, 1.0), {}
    user_frame = frame.loc[user].reset_index(drop=True)
    groups = clause_groups(user_frame)
    n_groups = len(set(groups))
    candidates = sorted({float(w) for w in weights}) or [1.0]
    record: dict[str, Any] = {
        "user_clauses": int(user.sum()),
        "user_documents": n_groups,
        "candidates": candidates,
    }
    if len(candidates) == 1 or n_groups < 2:
        chosen = candidates[len(candidates) // 2]
        record["how"] = "one candidate" if len(candidates) == 1 else "one user document: no CV"
    else:
        themes = list(estimator._check_params().ids)
        Y = np.array([[t in row for t in themes] for row in user_frame["themes"]], dtype=int)
        splits = grouped_folds(Y, groups, min(folds, n_groups), seed=0)
        base = frame.loc[~user]
        quick = clone(estimator).set_params(cv=min(3, estimator.cv) if estimator.cv >= 2 else 0)
        scores = {}
        for weight in candidates:
            per_fold = []
            for train, test in splits:
                fold_frame = pd.concat([base, user_frame.iloc[train]], ignore_index=True)
                fold_user = np.r_[np.zeros(len(base), bool), np.ones(len(train), bool)]
                model = _user_fit(quick, fold_frame, fold_user, weight)
                per_fold.append(_micro_f1(model, user_frame.iloc[test]))
            scores[weight] = round(float(np.mean(per_fold)), 4)
        best = max(scores.values())
        chosen = min(w for w, f in scores.items() if f >= best - 1e-9)
        record["how"] = f"grouped {len(splits)}-fold CV on the user's documents (micro-F1)"
        record["scores"] = {str(w): f for w, f in scores.items()}
    record["chosen_weight"] = chosen
    return _user_fit(estimator, frame, user, chosen), record


# -------------------------------------------------------------------- train
def metrics_summary(table: pd.DataFrame) -> dict[str, Any]:
    """The :func:`evaluate` table as nested JSON for ``meta.json``.

    Keys: ``"grouped_cv"`` (the headline: folds by document), ``"cv"`` (random
    folds over clauses) or ``"<train> -> <test>"`` (a source left out), then method,
    then theme (with ``micro``/``macro``), then precision/recall/f1/f1_std/support.
    """
    out: dict[str, Any] = {}
    names = {"cv": "cv", "grouped-cv": "grouped_cv"}
    for row in table.itertuples(index=False):
        key = names.get(row.setting) or f"{row.train} -> {row.test}"
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


def _fit_boundary(frame: pd.DataFrame, parts: np.ndarray | None = None) -> Any:
    """The segmenter's boundary decider from clauses with offsets, when its trainer exists.

    The ``documents`` and ``formats`` parts measure the segmenter; they do not fit it.
    """
    if importlib.util.find_spec("itunlp.segmentation.boundary_training") is None:
        return None
    from itunlp.segmentation.boundary_training import fit_boundary_model

    documents = shipped_documents()
    has_offsets = frame["start"].notna() & frame["doc_id"].isin(list(documents))
    if parts is not None:
        has_offsets &= ~np.isin(parts, ["documents", "formats"])
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
    user_weights: Sequence[float] = USER_WEIGHTS,
    exclude_sources: Sequence[str] = (),
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
        Extra :class:`~itunlp.themes.classifier.ThemeClassifier` parameters.
    description : str, default=""
        Free text for ``meta.json``.
    command : str, default=""
        The command line that built the model, recorded so it can be rebuilt.
    n_jobs : int, default=1
        Worker processes for the metrics' folds (-1: all cores); same results.
    user_weights : sequence of float, default=:data:`USER_WEIGHTS`
        With ``labels`` on top of the shipped corpus, the candidate weights of the
        user's clauses; the one that predicts the user's held-out documents best
        (grouped cross-validation on the user's documents) is used, and the
        thresholds are tuned with the user's clauses counting as much as the
        whole shipped corpus. ``(1.0,)`` trains them as plain extra labels. See
        :func:`fit_adapted`.
    exclude_sources : sequence of str, default=()
        Shipped sources to leave out (``dev``, ``documents:ngo``, ...): the
        adaptation benchmark's "model that never saw this source".

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
    corpus = _read_corpus(labels, no_seed, used_scheme, exclude_sources)
    frame = corpus.frame
    if len(frame) < 2:
        raise LabelError(f"Only {len(frame)} labelled clause(s); training needs at least 2")
    estimator = ThemeClassifier(
        scheme=used_scheme,
        cv=cv_folds,
        random_state=random_state,
        **(classifier_params or {}),
    )
    classifier, adaptation = fit_adapted(estimator, frame, corpus.user, user_weights)
    fit_seconds = time.perf_counter() - started
    boundary = _fit_boundary(frame, corpus.parts)
    boundary_seconds = time.perf_counter() - started - fit_seconds

    metric_block: dict[str, Any] = {}
    if metrics and cv_folds >= 2 and len(frame) >= 2 * cv_folds:
        themes = used_scheme.ids
        rows = []
        if len(set(clause_groups(frame))) >= cv_folds:
            rows += grouped_cross_validate(
                estimator, frame, themes, used_scheme,
                folds=cv_folds, repeats=metric_repeats, seed=random_state, baselines=True,
                n_jobs=n_jobs,
            )  # fmt: skip
        rows += _cross_validate(
            estimator, frame, themes, used_scheme,
            folds=cv_folds, repeats=metric_repeats, seed=random_state, baselines=True,
            n_jobs=n_jobs,
        )  # fmt: skip
        if cross_source:
            rows += leave_one_source_out(
                estimator, frame, corpus.sources, themes, used_scheme,
                baselines=True, n_jobs=n_jobs,
            )  # fmt: skip
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
            "clauses_per_writer": {
                str(s).split(":", 1)[1]: int((corpus.sources == s).sum())
                for s in np.unique(corpus.sources)
                if str(s).startswith("documents:")
            },
            "documents": len({g for g in clause_groups(frame) if not g.startswith("#")}),
            "excluded_sources": list(exclude_sources),
            "clauses_per_theme": counts,
            "labels_sha256": frame_sha256(frame),
        },
        "classifier_params": {k: v for k, v in estimator.get_params().items() if k != "scheme"},
        "cv_thresholds": classifier.cv_scores_,
        "user_adaptation": adaptation,
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


# ------------------------------------------------------- adaptation benchmark
#: Columns of :func:`adaptation_benchmark`'s table.
ADAPTATION_COLUMNS = [
    "source",
    "labelled_half",
    "documents_labelled",
    "documents_scored",
    "clauses_labelled",
    "clauses_scored",
    "f1_unchanged",
    "f1_plain",
    "f1_adapted",
    "gain_plain",
    "gain",
    "chosen_weight",
]


def _halves(frame: pd.DataFrame, seed: int) -> tuple[list[str], list[str]]:
    """A source's documents in two halves (seeded shuffle; the first gets the odd one)."""
    documents = sorted({g for g in clause_groups(frame) if not g.startswith("#")})
    order = [documents[i] for i in np.random.default_rng(seed).permutation(len(documents))]
    middle = (len(order) + 1) // 2
    return order[:middle], order[middle:]


def _adapt_source(
    source: str, part: pd.DataFrame, seed: int, swap: bool, options: dict[str, Any]
) -> list[dict[str, Any]]:
    """The benchmark's rows for one held-out source (one per labelled half)."""
    from itunlp.labels.corpus import RECORD_COLUMNS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        unchanged = train(exclude_sources=[source], metrics=False, **options).classifier
        first, second = _halves(part, seed)
        rows = []
        for name, labelled, scored in [("A", first, second), ("B", second, first)][: 1 + swap]:
            user = part.loc[part["doc_id"].isin(labelled), RECORD_COLUMNS]
            test = part.loc[part["doc_id"].isin(scored)]
            plain = train(user, exclude_sources=[source], metrics=False, user_weights=(1.0,),
                          **options)  # fmt: skip
            adapted = train(user, exclude_sources=[source], metrics=False, **options)
            f1 = [_micro_f1(m, test) for m in (unchanged, plain.classifier, adapted.classifier)]
            rows.append(
                {
                    "source": source,
                    "labelled_half": name,
                    "documents_labelled": len(labelled),
                    "documents_scored": len(scored),
                    "clauses_labelled": len(user),
                    "clauses_scored": len(test),
                    "f1_unchanged": f1[0],
                    "f1_plain": f1[1],
                    "f1_adapted": f1[2],
                    "gain_plain": f1[1] - f1[0],
                    "gain": f1[2] - f1[0],
                    "chosen_weight": adapted.meta["user_adaptation"].get("chosen_weight"),
                }
            )
    return rows


def adaptation_benchmark(
    sources: Sequence[str] | None = None,
    *,
    seed: int = 0,
    swap: bool = True,
    scheme: ThemeScheme | str | Path | None = None,
    cv_folds: int = 5,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Does retraining with a user's labels improve the rest of their documents?

    For each held-out source (by default every writer of ``data/documents`` and the
    dev set), its documents are cut in two halves. The model trained on the shipped
    corpus *without* that source (the unchanged model) scores half B; then half A's
    labels are given to :func:`train` as a user's labels (the path of ``itunlp
    train LABELS``), once as plain extra labels (``user_weights=(1.0,)``: weight 1,
    thresholds re-tuned on them) and once as ``train`` does by default (weight
    chosen by grouped CV on the user's documents), and each model scores half B.
    With ``swap`` the halves also change roles. Micro-F1 over the scored half's
    clauses.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ADAPTATION_COLUMNS`, one row per source and labelled half;
        ``attrs["mean_gain"]`` and ``attrs["mean_gain_plain"]`` average the gains
        over sources (each source's halves averaged first).
    """
    used_scheme = _resolve_scheme(scheme)
    corpus = _read_corpus(None, False, used_scheme)
    present = sorted({str(s) for s in corpus.sources})
    if sources is None:
        sources = [s for s in present if s.startswith("documents:")] + (
            ["dev"] if "dev" in present else []
        )
    unknown = [s for s in sources if s not in present]
    if unknown:
        raise ValueError(f"Unknown source {unknown[0]!r}; sources: {', '.join(present)}")
    options = {"scheme": used_scheme, "cv_folds": cv_folds, "random_state": seed}
    parts = {s: corpus.frame.loc[corpus.sources == s] for s in sources}
    for source, part in parts.items():
        if len(_halves(part, seed)[1]) < 1:
            raise ValueError(f"Source {source!r} has fewer than two documents to halve")
    if n_jobs == 1 or len(parts) < 2:
        results = [_adapt_source(s, p, seed, swap, options) for s, p in parts.items()]
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs)(
            delayed(_adapt_source)(s, p, seed, swap, options) for s, p in parts.items()
        )
    table = pd.DataFrame([row for rows in results for row in rows], columns=ADAPTATION_COLUMNS)
    per_source = table.groupby("source", sort=False)[["gain", "gain_plain"]].mean()
    table.attrs["mean_gain"] = float(per_source["gain"].mean()) if len(table) else float("nan")
    table.attrs["mean_gain_plain"] = (
        float(per_source["gain_plain"].mean()) if len(table) else float("nan")
    )
    table.attrs["gain_std"] = float(per_source["gain"].std(ddof=1)) if len(per_source) > 1 else 0.0
    return table
