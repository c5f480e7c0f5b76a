"""Did retraining help? Two models scored on the same clauses, theme by theme.

After a labelling round the question is not "is the new model good" but "is it
better than the one we had, and where". :func:`compare_models` answers it on
equal terms, in one of two ways:

* **given labels** (``labels``): both models predict the same labelled
  clauses and each is scored against them. Fast, and the fairest test when
  neither model was trained on them (held-out labels); the result says how many
  of them each model saw in training, so a score on training labels is never
  mistaken for a held-out one.
* **the same cross-validation folds** (no ``labels``): the evaluation pool is the
  shipped corpus plus every label file either model was trained on (as recorded
  in its ``meta.json``). The pool is cut once into multilabel-stratified folds;
  for each fold, a fresh copy of each model's classifier (``sklearn.base.clone``:
  same configuration, no fitted state) is trained on the training part of the
  fold *restricted to that model's own training data*, and both predict the same
  test part. So the old model is measured as if it had never seen the new
  labels, the new one as if it had, on identical held-out clauses.

Either way the result also lists the clauses on which the two disagree.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from itunlp._resources import data_dir
from itunlp.labels.corpus import (
    SHIPPED_PARTS,
    LabelError,
    load_shipped_corpus,
    merge_labels,
    read_labels,
    shipped_label_files,
)
from itunlp.themes.folds import add_neighbours, model_input
from itunlp.themes.scheme import ThemeScheme

__all__ = ["COMPARISON_COLUMNS", "DISAGREEMENT_COLUMNS", "compare_models", "union_scheme"]

COMPARISON_COLUMNS = [
    "theme",
    "support",
    "precision_a",
    "recall_a",
    "f1_a",
    "precision_b",
    "recall_b",
    "f1_b",
    "f1_change",
    "f1_change_sd",
    "note",
]
DISAGREEMENT_COLUMNS = [
    "text",
    "function",
    "themes",
    "themes_a",
    "themes_b",
    "only_a",
    "only_b",
    "doc_id",
    "clause_id",
    "fold",
]
# Below this many labelled clauses a theme's F1 moves by a large step with each
# clause, so a change between models says little.
FEW_LABELS = 5


def union_scheme(*schemes: ThemeScheme) -> ThemeScheme:
    """The themes of several schemes, first occurrence wins, in order.

    Two models compared may have different schemes (the new one adds a theme);
    labels are read against the union so that neither model's themes are refused.
    """
    themes = []
    seen: set[str] = set()
    for scheme in schemes:
        for theme in scheme.themes:
            if theme.id not in seen:
                seen.add(theme.id)
                themes.append(theme)
    return ThemeScheme(themes=tuple(themes), source=" + ".join(s.source for s in schemes))


def _key(text: str, function: str) -> tuple[str, str]:
    # The same identity corpus.merge_labels uses: whitespace-folded text and heading.
    return (" ".join(text.split()), function)


def _training_files(model: Any) -> tuple[list[Path], bool]:
    """The user label files a model was trained on, and whether the shipped corpus was in.

    ``itunlp.training.train`` records ``training_data.files`` (path -> SHA-256,
    paths relative to the repository or the working folder) and
    ``training_data.no_seed`` in ``meta.json``.
    """
    meta = getattr(model, "meta", {}) or {}
    name = meta.get("name", "model")
    record = meta.get("training_data", {})
    if isinstance(record, dict):
        files_field: Any = record.get("files", {})
        used_seed = not bool(record.get("no_seed", meta.get("no_seed", False)))
    else:  # a plain list of paths
        files_field, used_seed = record, not bool(meta.get("no_seed", False))
    if isinstance(files_field, dict):
        entries = list(files_field.items())
    else:
        entries = [(entry, None) for entry in files_field or []]
    files: list[Path] = []
    shipped = {p.resolve() for p in shipped_label_files()}
    for entry, digest in entries:
        if isinstance(entry, dict):
            entry, digest = entry.get("path", entry.get("file")), entry.get("sha256")
        if not isinstance(entry, str) or _is_shipped(entry):
            continue
        found = next((c for c in (Path(entry), data_dir().parent / entry) if c.is_file()), None)
        if found is None:
            warnings.warn(
                f"{name}: training file {entry} recorded in meta.json is not found (from "
                f"{Path.cwd()}); comparing without its clauses. Run compare from the folder "
                "you trained in, or pass --labels",
                stacklevel=3,
            )
            continue
        if isinstance(digest, str) and len(digest) == 64 and digest != _sha256(found):
            warnings.warn(
                f"{name}: training file {found} changed since the model was trained; "
                "its current labels are used",
                stacklevel=3,
            )
        if found.resolve() not in shipped:
            files.append(found)
    return files, used_seed


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_shipped(name: str) -> bool:
    """Whether a meta.json training file is part of the shipped corpus (read separately)."""
    parts = Path(name).parts
    return any(p in ("_data", "data") for p in parts) and any(p in SHIPPED_PARTS for p in parts)


def _label_paths(labels: Any) -> list[Path]:
    if isinstance(labels, pd.DataFrame):
        return []
    return [Path(labels)] if isinstance(labels, str | Path) else [Path(p) for p in labels]


def _read(labels: Any, scheme: ThemeScheme) -> pd.DataFrame:
    """Labels validated against the union scheme, offsets checked against their documents."""
    from itunlp.labels.suggest import label_documents  # reads documents the rows point to

    paths = _label_paths(labels)
    documents = label_documents(paths) if paths else None
    return read_labels(labels, scheme=scheme, documents=documents)


def _recorded_digests(model: Any) -> set[str]:
    """SHA-256 of the user label files recorded in a model's meta.json."""
    record = (getattr(model, "meta", {}) or {}).get("training_data", {})
    files = record.get("files", {}) if isinstance(record, dict) else {}
    if not isinstance(files, dict):
        return set()
    return {str(d) for name, d in files.items() if not _is_shipped(str(name))}


def _predict(model: Any, frame: pd.DataFrame) -> list[list[str]]:
    return [list(p) for p in model.predict(frame["text"].tolist(), frame["function"].tolist())]


def _indicators(label_lists: Sequence[Sequence[str]], themes: Sequence[str]) -> np.ndarray:
    matrix = np.zeros((len(label_lists), len(themes)), dtype=int)
    position = {t: j for j, t in enumerate(themes)}
    for i, labels in enumerate(label_lists):
        for label in labels:
            if label in position:
                matrix[i, position[label]] = 1
    return matrix


def _prf(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = int((gold & pred).sum())
    fp = int(((1 - gold) & pred).sum())
    fn = int((gold & (1 - pred)).sum())
    precision = tp / (tp + fp) if tp + fp else (math.nan if not fn else 0.0)
    recall = tp / (tp + fn) if tp + fn else math.nan
    if tp + fp + fn == 0:
        return math.nan, math.nan, math.nan
    f1 = 2 * tp / (2 * tp + fp + fn)
    return precision, recall, f1


def _mean(values: Sequence[float]) -> float:
    """Mean of the defined values; NaN when none is defined."""
    defined = [v for v in values if not math.isnan(v)]
    return float(np.mean(defined)) if defined else math.nan


def _score_table(
    gold: list[list[str]],
    pred_a: list[list[str]],
    pred_b: list[list[str]],
    themes_a: Sequence[str],
    themes_b: Sequence[str],
    themes: Sequence[str],
) -> pd.DataFrame:
    y = _indicators(gold, themes)
    ya = _indicators(pred_a, themes)
    yb = _indicators(pred_b, themes)
    rows = []
    for j, theme in enumerate(themes):
        support = int(y[:, j].sum())
        row: dict[str, Any] = {"theme": theme, "support": support}
        notes = []
        for side, known, pred in (("a", themes_a, ya), ("b", themes_b, yb)):
            if theme in known:
                p, r, f = _prf(y[:, j], pred[:, j])
            else:
                p = r = f = math.nan
                notes.append(f"not a theme of model {side.upper()}")
            row.update({f"precision_{side}": p, f"recall_{side}": r, f"f1_{side}": f})
        if support < FEW_LABELS:
            notes.append(
                "no labelled clause"
                if not support
                else f"only {support} labelled clause(s): F1 unreliable"
            )
        row["f1_change"] = row["f1_b"] - row["f1_a"]
        row["note"] = "; ".join(notes)
        rows.append(row)
    shared = [j for j, t in enumerate(themes) if t in themes_a and t in themes_b]
    for name in ("micro", "macro"):
        row = {"theme": name, "support": int(y[:, shared].sum()) if shared else 0}
        for side, pred in (("a", ya), ("b", yb)):
            if not shared:
                p = r = f = math.nan
            elif name == "micro":
                p, r, f = _prf(y[:, shared].ravel(), pred[:, shared].ravel())
            else:
                # Over themes labelled or predicted by either model, so a false alarm on
                # an unlabelled theme counts; a model with nothing to get wrong on such a
                # theme scores 1 there (scikit-learn's zero_division=1 convention).
                active = [j for j in shared if y[:, j].any() or ya[:, j].any() or yb[:, j].any()]
                triples = [_prf(y[:, j], pred[:, j]) for j in active]
                p, r, f = (
                    _mean([1.0 if math.isnan(t[k]) else t[k] for t in triples]) for k in range(3)
                )
            row.update({f"precision_{side}": p, f"recall_{side}": r, f"f1_{side}": f})
        row["f1_change"] = row["f1_b"] - row["f1_a"]
        row["note"] = ""  # what micro and macro average over is in the docstring and docs
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    frame["f1_change_sd"] = math.nan
    for column in COMPARISON_COLUMNS[2:10]:
        frame[column] = frame[column].astype(float)
    return frame


def _add_fold_spread(
    per_theme: pd.DataFrame,
    gold: list[list[str]],
    pred_a: list[list[str]],
    pred_b: list[list[str]],
    fold_of: Sequence[int | None],
    themes_a: Sequence[str],
    themes_b: Sequence[str],
    themes: Sequence[str],
) -> None:
    """The standard deviation of the F1 change across folds, and a note where it dwarfs it.

    A handful of new labels among a thousand moves F1 by less than the noise of
    re-tuning thresholds on each fold; this column keeps that from being read as
    an improvement (or a loss).
    """
    changes = []
    for fold in sorted({f for f in fold_of if f is not None}):
        rows = [i for i, f in enumerate(fold_of) if f == fold]
        table = _score_table(
            [gold[i] for i in rows],
            [pred_a[i] for i in rows],
            [pred_b[i] for i in rows],
            themes_a,
            themes_b,
            themes,
        )
        changes.append(table["f1_change"].to_numpy(dtype=float))
    if len(changes) < 2:
        return
    stacked = np.vstack(changes)
    spread = []
    for column in stacked.T:
        defined = column[~np.isnan(column)]
        spread.append(float(np.std(defined, ddof=1)) if len(defined) >= 2 else math.nan)
    per_theme["f1_change_sd"] = spread
    small = per_theme["f1_change"].abs() < per_theme["f1_change_sd"]
    for index in per_theme.index[small.fillna(False)]:
        note = per_theme.at[index, "note"]
        extra = "change within the fold-to-fold spread"
        per_theme.at[index, "note"] = f"{note}; {extra}" if note else extra


def _disagreements(
    frame: pd.DataFrame,
    pred_a: list[list[str]],
    pred_b: list[list[str]],
    folds: Sequence[int | None],
) -> pd.DataFrame:
    rows = []
    for index, (a, b) in enumerate(zip(pred_a, pred_b, strict=True)):
        if set(a) == set(b):
            continue
        source = frame.iloc[index]
        rows.append(
            {
                "text": source["text"],
                "function": source["function"],
                "themes": list(source["themes"]),
                "themes_a": a,
                "themes_b": b,
                "only_a": [t for t in a if t not in b],
                "only_b": [t for t in b if t not in a],
                "doc_id": source.get("doc_id", ""),
                "clause_id": source.get("clause_id", ""),
                "fold": folds[index],
            }
        )
    out = pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
    out["fold"] = out["fold"].astype("Int64")
    return out


def _pool(model_a: Any, model_b: Any, scheme: ThemeScheme, corpus: Any) -> pd.DataFrame:
    """The evaluation pool with, per clause, whether each model was trained on it."""
    if corpus is not None:
        pool = _read(corpus, scheme)
        pool = pool.assign(_in_a=True, _in_b=True)
        return pool.reset_index(drop=True)
    files_a, seed_a = _training_files(model_a)
    files_b, seed_b = _training_files(model_b)
    pool = load_shipped_corpus(scheme=scheme)
    shipped_keys = {_key(t, f) for t, f in zip(pool["text"], pool["function"], strict=True)}
    keys_a = set(shipped_keys) if seed_a else set()
    keys_b = set(shipped_keys) if seed_b else set()
    for files, keys in ((files_a, keys_a), (files_b, keys_b)):
        if files:
            extra = read_labels(files, scheme=scheme)
            keys.update(_key(t, f) for t, f in zip(extra["text"], extra["function"], strict=True))
            pool = merge_labels(pool, extra)
    pool = add_neighbours(pool.reset_index(drop=True))
    keys = [_key(t, f) for t, f in zip(pool["text"], pool["function"], strict=True)]
    return pool.assign(_in_a=[k in keys_a for k in keys], _in_b=[k in keys_b for k in keys])


def _trained_keys(model: Any, scheme: ThemeScheme) -> set[tuple[str, str]]:
    """The clauses a model was trained on, as far as its meta.json lets us know."""
    files, used_seed = _training_files(model)
    keys: set[tuple[str, str]] = set()
    frames = [load_shipped_corpus(scheme=scheme)] if used_seed else []
    if files:
        frames.append(read_labels(files, scheme=scheme))
    for frame in frames:
        keys.update(_key(t, f) for t, f in zip(frame["text"], frame["function"], strict=True))
    return keys


def _overlap_note(
    frame: pd.DataFrame, paths: list[Path], model_a: Any, model_b: Any, scheme: ThemeScheme
) -> str:
    """Say how many of the given labels each model was trained on: held out or not."""
    labels = [_key(t, f) for t, f in zip(frame["text"], frame["function"], strict=True)]
    parts = []
    for side, model in (("A", model_a), ("B", model_b)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a missing file is matched by its hash below
                seen = _trained_keys(model, scheme)
        except (LabelError, FileNotFoundError):
            return ""  # unknown training data: nothing honest to add
        # meta.json may record a file by name only; the same bytes are the same labels.
        recorded = _recorded_digests(model)
        matched = [p for p in paths if _sha256(p) in recorded]
        if matched:
            known = read_labels(matched, scheme=scheme)
            seen = seen | {
                _key(t, f) for t, f in zip(known["text"], known["function"], strict=True)
            }
        parts.append(f"model {side} was trained on {sum(k in seen for k in labels)} of them")
    note = " (" + ", ".join(parts) + ")"
    if any(not p.endswith(" 0 of them") for p in parts):
        note += "; scores on clauses a model was trained on are not held-out scores"
    return note


def _fit_copy(model: Any, train: pd.DataFrame) -> Any:
    """An unfitted copy of the model's classifier trained on ``train`` (its themes only)."""
    estimator = clone(model.classifier)
    known = set(model.themes)
    targets = [[t for t in themes if t in known] for themes in train["themes"]]
    with warnings.catch_warnings():
        # Few-label warnings repeat once per fold; the comparison's note column says it once.
        warnings.simplefilter("ignore")
        return estimator.fit(model_input(train), targets)


def _predict_with(estimator: Any, frame: pd.DataFrame) -> list[list[str]]:
    indicators = estimator.predict(model_input(frame))
    classes = np.asarray(estimator.classes_, dtype=object)
    return [list(classes[row.astype(bool)]) for row in np.asarray(indicators)]


def _cross_validate(
    model_a: Any, model_b: Any, pool: pd.DataFrame, themes: Sequence[str], folds: int, seed: int
) -> tuple[list[list[str]], list[list[str]], list[int | None]]:
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    if folds < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    if len(pool) < folds:
        raise ValueError(f"Cannot cut {len(pool)} labelled clauses into {folds} folds")
    y = _indicators(pool["themes"].tolist(), themes)
    if y.shape[1] < 2:
        y = np.column_stack([y, 1 - y]) if y.shape[1] else np.zeros((len(pool), 2), dtype=int)
        # iterstrat refuses a one-column target; the complement column changes nothing.
    splitter = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    pred_a: list[list[str]] = [[] for _ in range(len(pool))]
    pred_b: list[list[str]] = [[] for _ in range(len(pool))]
    fold_of: list[int | None] = [None] * len(pool)
    for number, (train_index, test_index) in enumerate(splitter.split(np.zeros(len(pool)), y), 1):
        train, test = pool.iloc[train_index], pool.iloc[test_index]
        for model, column, out in ((model_a, "_in_a", pred_a), (model_b, "_in_b", pred_b)):
            own = train.loc[train[column]]
            if own.empty:
                raise ValueError(
                    f"Fold {number} leaves model {column[-1].upper()} no training clauses; "
                    "use fewer folds or pass held-out labels"
                )
            predictions = _predict_with(_fit_copy(model, own), test)
            for position, index in enumerate(test_index):
                out[index] = predictions[position]
        for index in test_index:
            fold_of[index] = number
    return pred_a, pred_b, fold_of


def compare_models(
    model_a: Any,
    model_b: Any,
    labels: str | Path | pd.DataFrame | Iterable[str | Path] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    corpus: str | Path | pd.DataFrame | Iterable[str | Path] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-theme F1 of two models on the same clauses, and where they disagree.

    Parameters
    ----------
    model_a, model_b : ThemeModel
        Usually the old and the new model (A is the baseline: ``f1_change`` is
        B minus A).
    labels : path(s) or DataFrame, optional
        Held-out labelled clauses: both models predict them and are scored on
        them. Without labels, both are cross-validated on the same folds (see the
        module docstring).
    folds : int, default=5
        Folds of the cross-validation (ignored with ``labels``).
    seed : int, default=0
        Seeds the fold assignment.
    corpus : path(s) or DataFrame, optional
        Cross-validate on these labelled clauses instead of the shipped corpus
        plus the models' training files; both models then train on the same
        training part of each fold.

    Returns
    -------
    per_theme : pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS`: one row per theme of either model,
        (``f1_change_sd``, in cross-validation only, is the standard deviation
        of the change across folds: a change smaller than it is noise),
        then ``micro`` (all clause-theme decisions pooled) and ``macro`` (the
        mean over themes labelled or predicted on these clauses), both over the
        themes both models have. ``note``
        flags a theme a model lacks and a theme with fewer than ``FEW_LABELS``
        labelled clauses. ``per_theme.attrs["evaluation"]`` says how it was
        measured.
    disagreements : pandas.DataFrame
        Columns :data:`DISAGREEMENT_COLUMNS`: every clause the two models tag
        differently, with the labelled ``themes``; in cross-validation the
        predictions are those of the fold copies (``fold``), so they match the
        scores.

    Raises
    ------
    LabelError
        When the labels do not validate (message names file and row).
    ValueError
        When ``folds`` < 2 or the pool is too small for the folds.

    Examples
    --------
    >>> import itunlp
    >>> per_theme, changed = compare_models(itunlp.load("models/old"),
    ...                                     itunlp.load("models/new"),
    ...                                     "heldout.csv")  # doctest: +SKIP
    >>> per_theme.set_index("theme").loc["micro", ["f1_a", "f1_b"]]  # doctest: +SKIP
    """
    scheme = union_scheme(model_a.scheme, model_b.scheme)
    themes_a, themes_b = list(model_a.themes), list(model_b.themes)
    themes = [t for t in scheme.ids if t in themes_a or t in themes_b]
    if labels is not None:
        frame = _read(labels, scheme).reset_index(drop=True)
        if frame.empty:
            raise LabelError("No labelled clauses to compare the models on")
        pred_a, pred_b = _predict(model_a, frame), _predict(model_b, frame)
        fold_of: list[int | None] = [None] * len(frame)
        evaluation = f"given labels: {len(frame)} clauses" + _overlap_note(
            frame, _label_paths(labels), model_a, model_b, scheme
        )
    else:
        frame = _pool(model_a, model_b, scheme, corpus)
        pred_a, pred_b, fold_of = _cross_validate(model_a, model_b, frame, themes, folds, seed)
        evaluation = (
            f"{folds}-fold cross-validation (seed {seed}) over {len(frame)} clauses; "
            f"model A trained on {int(frame['_in_a'].sum())} of them, "
            f"model B on {int(frame['_in_b'].sum())}"
        )
    gold = [list(t) for t in frame["themes"]]
    per_theme = _score_table(gold, pred_a, pred_b, themes_a, themes_b, themes)
    if labels is None:
        _add_fold_spread(per_theme, gold, pred_a, pred_b, fold_of, themes_a, themes_b, themes)
    per_theme.attrs["evaluation"] = evaluation
    disagreements = _disagreements(frame, pred_a, pred_b, fold_of)
    disagreements.attrs["evaluation"] = evaluation
    return per_theme, disagreements
