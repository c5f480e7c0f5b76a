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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from itunlp._resources import data_dir
from itunlp.evaluation.cross_validation import (
    METHODS,
    RESULT_COLUMNS,
    _cross_source,
    _cross_validate,
    evaluate,
)
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
from itunlp.themes.scheme import ThemeScheme

__all__ = [
    "METHODS",
    "RESULT_COLUMNS",
    "evaluate",
    "load_training_corpus",
    "metrics_summary",
    "train",
]

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
    if importlib.util.find_spec("itunlp.segmentation.boundary_training") is None:
        return None
    from itunlp.segmentation.boundary_training import fit_boundary_model

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
        Extra :class:`~itunlp.themes.classifier.ThemeClassifier` parameters.
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
