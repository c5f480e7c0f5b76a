"""Model folders: save atomically, load without ever running code from the folder.

A model folder ``models/<name>/`` holds

* ``classifier.json`` - the classifier's parameters, thresholds, calibration and
  vocabularies (plain JSON);
* ``classifier.npz`` - its numeric arrays (idf vectors, logistic weights), read with
  ``allow_pickle=False``;
* ``themes.json`` - the theme scheme it was trained with;
* ``segmenter/boundary_model.json`` - the segmenter's learned boundary decider
  (``BoundaryModel.to_dict()``), absent when the segmenter's rules decide alone;
* ``meta.json`` - name, versions, themes and thresholds, training data and hashes,
  cross-validated metrics, and the SHA-256 of every other file.

Why not pickle, joblib or skops: a pickle runs code on load, and skops, though safe
with an allow-list, still stores scikit-learn's private attributes, which break
across scikit-learn releases. Only public fitted arrays are written here
(``vocabulary_``, ``idf_``, ``coef_``, ``intercept_``), so a model built with one
scikit-learn of the supported range loads with another, and nothing in the folder
can name a function to call.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import itunlp
from itunlp._staging import (
    META_FILE,
    _fsync_dir,
    _new_staging,
    _publish,
    _recover_interrupted_save,
    _remove_leftover_saves,
)
from itunlp.themes.inference import FastThemePredictor
from itunlp.themes.scheme import ThemeScheme
from itunlp.themes.state import (  # noqa: F401  (the codec lived here before issue 13)
    _CLASSIFIER_PARAMS,
    _TUPLE_PARAMS,
    CLASSIFIER_ARRAYS,
    CLASSIFIER_JSON,
    FORMAT_NAME,
    FORMAT_VERSION,
    ClassifierLoader,
    ModelFileError,
    _json_ready,
    predictor_for,
)
from itunlp.themes.state import check_state as _check_state
from itunlp.themes.state import classifier_state as _classifier_state

if TYPE_CHECKING:  # pragma: no cover
    from itunlp.themes.classifier import ThemeClassifier

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ClassifierLoader",
    "LoadedModel",
    "ModelFileError",
    "ModelNotFoundError",
    "check_model_target",
    "load_model_folder",
    "predictor_for",
    "save_model_folder",
]

THEMES_FILE = "themes.json"
SEGMENTER_FILE = "segmenter/boundary_model.json"
REQUIRED_FILES = (CLASSIFIER_JSON, CLASSIFIER_ARRAYS, THEMES_FILE)
# Files a version-control checkout keeps in an empty folder; replacing them is fine.
_PLACEHOLDERS = frozenset({".gitkeep", ".keep", ".gitignore"})


class ModelNotFoundError(FileNotFoundError):
    """A model folder, or a file it needs, does not exist."""


@dataclass
class LoadedModel:
    """What a model folder holds, before :mod:`itunlp.pipeline` joins it up.

    ``predictor`` predicts with numpy only; ``classifier`` restores the
    scikit-learn estimator on first access (it imports scikit-learn).
    """

    predictor: FastThemePredictor
    classifier_loader: ClassifierLoader
    meta: dict[str, Any]
    boundary_model: dict[str, Any] | None
    path: Path

    @property
    def classifier(self) -> ThemeClassifier:
        return self.classifier_loader()


# ---------------------------------------------------------------- helpers
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_bytes(path: Path, data: bytes) -> None:
    """Write and fsync, so that the later rename publishes complete files only."""
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False, sort_keys=False)
    _write_bytes(path, (text + "\n").encode("utf-8"))


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in str(version).split(".")[:2]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


# ------------------------------------------------------------- arrays, JSON
_REQUIRED_ARRAYS = ("word_idf", "coef", "intercept")


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    try:
        # allow_pickle=False: an object array (the only way an .npz can carry code) is
        # refused instead of unpickled.
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except Exception as error:  # zipfile, OSError, ValueError: all mean a bad file
        raise ModelFileError(
            f"{path}: cannot read the model's arrays ({type(error).__name__}: {error}); the file "
            "is corrupt, truncated or not an itunlp model file. Retrain or restore it"
        ) from None
    missing = [key for key in _REQUIRED_ARRAYS if not isinstance(arrays.get(key), np.ndarray)]
    if missing:
        raise ModelFileError(
            f"{path}: the model's arrays {missing} are missing; the file is not an itunlp "
            "model file. Retrain or restore it"
        )
    return arrays


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ModelNotFoundError(f"Model file missing: {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(
            f"{path}: not valid JSON ({error}); the file is corrupt or truncated. Retrain or "
            "restore the model"
        ) from None


# ------------------------------------------------------------------- save
def check_model_target(path: str | Path) -> Path:
    """The folder a model may be written to, checked before any slow training.

    A model replaces an existing model folder, an empty folder or one holding only
    placeholders such as ``.gitkeep``; anything else is refused so that ``-o .`` can
    never delete a user's files.

    Raises
    ------
    ValueError
        If ``path`` is a file, or a folder with other content and no ``meta.json``.
    """
    target = Path(path)
    _recover_interrupted_save(target)
    _remove_leftover_saves(target)
    if not target.exists():
        return target
    if not target.is_dir():
        raise ValueError(f"{target} is a file; a model is a folder, e.g. models/NAME")
    if (target / META_FILE).is_file():
        return target
    others = [p.name for p in target.iterdir() if p.name not in _PLACEHOLDERS]
    if others:
        raise ValueError(
            f"{target} exists and is not an itunlp model folder (no {META_FILE}; holds "
            f"{', '.join(sorted(others)[:3])}); choose a new folder, e.g. models/NAME"
        )
    return target


def save_model_folder(
    path: str | Path,
    classifier: ThemeClassifier,
    meta: dict[str, Any] | None = None,
    boundary_model: dict[str, Any] | None = None,
) -> Path:
    """Write a model folder atomically.

    Files go to a temporary folder beside the target, are fsynced, and the folder is
    renamed into place; an existing model is moved aside only after the new one is
    complete, so a crash mid-save leaves the previous model loadable.

    Parameters
    ----------
    path : str or Path
        The model folder, e.g. ``models/custom``.
    classifier : ThemeClassifier
        A fitted classifier.
    meta : dict, optional
        Training information to record (name, data, metrics ...); the versions,
        themes, thresholds and file hashes are filled in here.
    boundary_model : dict, optional
        The segmenter's ``BoundaryModel.to_dict()``, or None for the rule fallback.

    Returns
    -------
    Path
        The model folder.

    Raises
    ------
    ValueError
        If ``path`` exists and is not an itunlp model folder (never overwritten).
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(classifier)
    target = check_model_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _new_staging(target)
    try:
        state, arrays = _classifier_state(classifier)
        _write_json(staging / CLASSIFIER_JSON, state)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        _write_bytes(staging / CLASSIFIER_ARRAYS, buffer.getvalue())
        _write_json(staging / THEMES_FILE, classifier.scheme_.to_dict())
        written = list(REQUIRED_FILES)
        if boundary_model is not None:
            (staging / SEGMENTER_FILE).parent.mkdir()
            _write_json(staging / SEGMENTER_FILE, boundary_model)
            _fsync_dir((staging / SEGMENTER_FILE).parent)
            written.append(SEGMENTER_FILE)
        record = _build_meta(dict(meta or {}), classifier, staging, written)
        _write_json(staging / META_FILE, record)
        _fsync_dir(staging)
        _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _build_meta(
    meta: dict[str, Any], classifier: ThemeClassifier, staging: Path, written: list[str]
) -> dict:
    import sklearn

    try:
        import spacy

        spacy_version = spacy.__version__
    except ImportError:  # the classifier side works without spaCy
        spacy_version = None
    themes = list(classifier.classes_)
    record = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "name": meta.pop("name", "custom"),
        "version": meta.pop("version", itunlp.__version__),
        "description": meta.pop("description", ""),
        "itunlp_version": itunlp.__version__,
        "spacy_version": spacy_version,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "created": meta.pop("created", datetime.now(UTC).isoformat(timespec="seconds")),
        "themes": themes,
        "thresholds": {
            t: round(float(v), 4) for t, v in zip(themes, classifier.thresholds_, strict=True)
        },
        "too_few_positives": list(classifier.too_few_positives_),
        "prior_themes": list(classifier.prior_themes_),
        "clauses_per_theme": dict(classifier.n_positives_),
    }
    stamped = ("themes", "thresholds", "too_few_positives", "prior_themes", "format", "files")
    for key in (*stamped, "format_version"):
        meta.pop(key, None)
    record.update(_json_ready(meta))
    record["segmenter"] = {
        "boundary_model": SEGMENTER_FILE if SEGMENTER_FILE in written else None,
        "note": "the segmenter's rules decide every boundary"
        if SEGMENTER_FILE not in written
        else "rules plus the learned boundary decider for ambiguous points",
    }
    record["files"] = {name: _sha256(staging / name) for name in written}
    return record


# ------------------------------------------------------------------- load
def load_model_folder(path: str | Path) -> LoadedModel:
    """Read a model folder, verifying every file before trusting it.

    Parameters
    ----------
    path : str or Path
        A folder written by :func:`save_model_folder`.

    Returns
    -------
    LoadedModel

    Raises
    ------
    ModelNotFoundError
        The folder or one of its files does not exist.
    ModelFileError
        A file is corrupt, truncated, modified since saving (SHA-256 mismatch) or of
        a newer format.
    ValueError
        The themes in ``meta.json`` disagree with the classifier's.

    Warns
    -----
    UserWarning
        The model was written by a newer itunlp (major.minor) than this one.
    """
    folder = Path(path)
    _recover_interrupted_save(folder)
    _remove_leftover_saves(folder)
    if not folder.is_dir():
        raise ModelNotFoundError(
            f"No model folder at {folder}; train one with `itunlp train -o {folder}` or "
            "use itunlp.load() for the shipped default"
        )
    meta_path = folder / META_FILE
    meta = _read_json(meta_path)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{meta_path}: not an itunlp model meta.json (format is missing)")
    if int(meta.get("format_version", 0)) > FORMAT_VERSION:
        raise ModelFileError(
            f"{meta_path}: model format {meta['format_version']} is newer than this itunlp "
            f"reads ({FORMAT_VERSION}); upgrade itunlp"
        )
    written_by = str(meta.get("itunlp_version", "0"))
    if _version_tuple(written_by) > _version_tuple(itunlp.__version__):
        warnings.warn(
            f"Model {folder} was written by itunlp {written_by}, newer than this itunlp "
            f"{itunlp.__version__}; it may not load or predict as intended. Upgrade itunlp.",
            UserWarning,
            stacklevel=2,
        )
    hashes = meta.get("files")
    if not isinstance(hashes, dict) or not set(REQUIRED_FILES) <= set(hashes):
        raise ModelFileError(f"{meta_path}: the file hashes ('files') are missing or incomplete")
    unknown = sorted(set(hashes) - {*REQUIRED_FILES, SEGMENTER_FILE})
    if unknown:
        raise ModelFileError(f"{meta_path}: lists files this itunlp does not know: {unknown}")
    for name in hashes:
        file = folder / name
        if not file.is_file():
            raise ModelNotFoundError(f"Model file missing: {file}")
        if _sha256(file) != hashes[name]:
            raise ModelFileError(
                f"{file}: contents differ from the SHA-256 recorded in {META_FILE}; the file was "
                "modified or truncated after saving. Retrain or restore the model"
            )
    scheme_data = _read_json(folder / THEMES_FILE)
    try:
        scheme = ThemeScheme.from_dict(scheme_data, source=str(folder / THEMES_FILE))
    except (ValueError, AttributeError) as error:
        raise ModelFileError(f"{folder / THEMES_FILE}: invalid theme scheme ({error})") from None
    state = _read_json(folder / CLASSIFIER_JSON)
    if not isinstance(state, dict):
        raise ModelFileError(f"{folder / CLASSIFIER_JSON}: expected a JSON object")
    arrays = _load_arrays(folder / CLASSIFIER_ARRAYS)
    predictor = _check_state(state, arrays, scheme, folder)
    boundary = _read_json(folder / SEGMENTER_FILE) if SEGMENTER_FILE in hashes else None
    if boundary is not None and not isinstance(boundary, dict):
        raise ModelFileError(f"{folder / SEGMENTER_FILE}: expected a JSON object")
    _check_themes(meta, predictor.classes, scheme, meta_path)
    return LoadedModel(
        predictor=predictor,
        classifier_loader=ClassifierLoader(state, arrays, scheme, folder),
        meta=meta,
        boundary_model=boundary,
        path=folder,
    )


def _check_themes(meta: dict, classes: list[str], scheme: ThemeScheme, meta_path: Path) -> None:
    classes = list(classes)
    listed = meta.get("themes")
    if listed != classes:
        raise ValueError(
            f"{meta_path} lists themes {listed} but the classifier predicts {classes}; the "
            "model folder is inconsistent. Retrain it (itunlp train -o FOLDER)"
        )
    if list(scheme.ids) != classes:
        raise ValueError(
            f"The scheme in {meta_path.parent / THEMES_FILE} has themes {scheme.ids} "
            f"but the classifier predicts {classes}; retrain the model"
        )
    thresholds = meta.get("thresholds")
    if isinstance(thresholds, dict) and set(thresholds) != set(classes):
        raise ValueError(
            f"{meta_path}: thresholds are given for {sorted(thresholds)} but the classifier "
            f"predicts {classes}"
        )
