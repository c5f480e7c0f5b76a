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
from typing import Any

import numpy as np
import sklearn

import itunlp
from itunlp._staging import (
    META_FILE,
    _fsync_dir,
    _new_staging,
    _publish,
    _recover_interrupted_save,
    _remove_leftover_saves,
)
from itunlp.themes.classifier import ThemeClassifier
from itunlp.themes.scheme import ThemeScheme

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "LoadedModel",
    "ModelFileError",
    "ModelNotFoundError",
    "check_model_target",
    "load_model_folder",
    "save_model_folder",
]

FORMAT_NAME = "itunlp-model"
FORMAT_VERSION = 1
CLASSIFIER_JSON = "classifier.json"
CLASSIFIER_ARRAYS = "classifier.npz"
THEMES_FILE = "themes.json"
SEGMENTER_FILE = "segmenter/boundary_model.json"
REQUIRED_FILES = (CLASSIFIER_JSON, CLASSIFIER_ARRAYS, THEMES_FILE)
# Files a version-control checkout keeps in an empty folder; replacing them is fine.
_PLACEHOLDERS = frozenset({".gitkeep", ".keep", ".gitignore"})


class ModelNotFoundError(FileNotFoundError):
    """A model folder, or a file it needs, does not exist."""


class ModelFileError(ValueError):
    """A model file is corrupt, truncated, tampered with or of an unknown format."""


@dataclass
class LoadedModel:
    """What a model folder holds, before :mod:`itunlp.pipeline` joins it up."""

    classifier: ThemeClassifier
    meta: dict[str, Any]
    boundary_model: dict[str, Any] | None
    path: Path


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


def _json_ready(value: Any) -> Any:
    """Parameters and scores as plain JSON (tuples to lists, numpy to Python)."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


# ---------------------------------------------------------- classifier state
_TUPLE_PARAMS = ("word_ngram_range", "char_ngram_range")


def _classifier_state(classifier: ThemeClassifier) -> tuple[dict[str, Any], dict[str, Any]]:
    """The classifier's public fitted state as JSON and arrays."""
    params = classifier.get_params()
    params.pop("scheme")

    def vocabulary(vectorizer) -> list[str] | None:
        if vectorizer is None:
            return None
        terms = [""] * len(vectorizer.vocabulary_)
        for term, index in vectorizer.vocabulary_.items():
            terms[index] = term
        return terms

    state = {
        "format": FORMAT_NAME + "-classifier",
        "format_version": FORMAT_VERSION,
        "params": _json_ready(params),
        "classes": list(classifier.classes_),
        "learned_themes": list(classifier.learned_themes_),
        "too_few_positives": list(classifier.too_few_positives_),
        "prior_themes": list(classifier.prior_themes_),
        "thresholds": _json_ready(classifier.thresholds_),
        "calibration": _json_ready(classifier.calibration_),
        "n_positives": _json_ready(classifier.n_positives_),
        "cv_scores": _json_ready(classifier.cv_scores_),
        "vocabulary": {
            "word": vocabulary(classifier.word_vectorizer_),
            "char": vocabulary(classifier.char_vectorizer_),
            "function": vocabulary(classifier.function_vectorizer_),
        },
    }
    n_features = sum(
        len(v.vocabulary_)
        for v in (
            classifier.word_vectorizer_,
            classifier.char_vectorizer_,
            classifier.function_vectorizer_,
        )
        if v is not None
    ) + 3 * len(classifier.classes_)
    estimators = classifier.estimators_
    arrays = {
        "word_idf": classifier.word_vectorizer_.idf_,
        "coef": np.vstack([e.coef_ for e in estimators])
        if estimators
        else np.zeros((0, n_features)),
        "intercept": np.concatenate([e.intercept_ for e in estimators])
        if estimators
        else np.zeros(0),
    }
    if classifier.char_vectorizer_ is not None:
        arrays["char_idf"] = classifier.char_vectorizer_.idf_
    return state, arrays


def _restore_classifier(
    state: dict[str, Any], arrays: dict[str, np.ndarray], scheme: ThemeScheme, where: Path
) -> ThemeClassifier:
    """Rebuild a fitted classifier from :func:`_classifier_state` output, checking shapes."""
    try:
        if state.get("format") != FORMAT_NAME + "-classifier":
            raise ModelFileError(f"{where / CLASSIFIER_JSON}: not an itunlp classifier file")
        if int(state.get("format_version", 0)) > FORMAT_VERSION:
            raise ModelFileError(
                f"{where / CLASSIFIER_JSON}: format version {state['format_version']} is newer "
                f"than this itunlp reads ({FORMAT_VERSION}); upgrade itunlp"
            )
        params = dict(state["params"])
        for name in _TUPLE_PARAMS:
            if params.get(name) is not None:
                params[name] = tuple(params[name])
        classifier = ThemeClassifier(scheme=scheme, **params)
        word, char, function = classifier._new_vectorizers()
        vocab = state["vocabulary"]
        for vectorizer, key in ((word, "word"), (char, "char"), (function, "function")):
            if vectorizer is None:
                continue
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(vocab[key])}
        word.idf_ = arrays["word_idf"]
        if char is not None:
            char.idf_ = arrays["char_idf"]
        classes = list(state["classes"])
        n_features = (
            len(word.vocabulary_)
            + (len(char.vocabulary_) if char is not None else 0)
            + len(function.vocabulary_)
            + 3 * len(scheme.ids)
        )
        coef, intercept = arrays["coef"], arrays["intercept"]
        learned = list(state["learned_themes"])
        if coef.shape != (len(learned), n_features) or intercept.shape != (len(learned),):
            raise ModelFileError(
                f"{where / CLASSIFIER_ARRAYS}: weights of shape {coef.shape} do not fit "
                f"{len(learned)} themes x {n_features} features; the files do not belong together"
            )
        estimators = []
        for k in range(len(learned)):
            estimator = classifier._new_logistic()
            estimator.coef_ = coef[k : k + 1].copy()
            estimator.intercept_ = intercept[k : k + 1].copy()
            estimator.classes_ = np.array([0, 1])
            estimator.n_features_in_ = n_features
            estimators.append(estimator)
        classifier.scheme_ = scheme
        classifier.classes_ = np.array(classes, dtype=object)
        classifier.learned_themes_ = learned
        classifier.too_few_positives_ = list(state["too_few_positives"])
        classifier.prior_themes_ = list(state.get("prior_themes", []))
        classifier.thresholds_ = np.asarray(state["thresholds"], dtype=float)
        classifier.calibration_ = np.asarray(state["calibration"], dtype=float).reshape(-1, 2)
        classifier.n_positives_ = {str(k): int(v) for k, v in state["n_positives"].items()}
        classifier.cv_scores_ = state.get("cv_scores", {})
        classifier.word_vectorizer_ = word
        classifier.char_vectorizer_ = char
        classifier.function_vectorizer_ = function
        classifier.estimators_ = estimators
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ModelFileError(
            f"{where / CLASSIFIER_JSON}: malformed classifier state ({type(error).__name__}: "
            f"{error}); retrain the model"
        ) from None
    if len(classifier.thresholds_) != len(classes) or len(classifier.calibration_) != len(learned):
        raise ModelFileError(
            f"{where / CLASSIFIER_JSON}: thresholds or calibration do not match the themes"
        )
    return classifier


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
    classifier = _restore_classifier(state, arrays, scheme, folder)
    boundary = _read_json(folder / SEGMENTER_FILE) if SEGMENTER_FILE in hashes else None
    if boundary is not None and not isinstance(boundary, dict):
        raise ModelFileError(f"{folder / SEGMENTER_FILE}: expected a JSON object")
    _check_themes(meta, classifier, meta_path)
    return LoadedModel(
        classifier=classifier,
        meta=meta,
        boundary_model=boundary,
        path=folder,
    )


def _check_themes(meta: dict, classifier: ThemeClassifier, meta_path: Path) -> None:
    classes = list(classifier.classes_)
    listed = meta.get("themes")
    if listed != classes:
        raise ValueError(
            f"{meta_path} lists themes {listed} but the classifier predicts {classes}; the "
            "model folder is inconsistent. Retrain it (itunlp train -o FOLDER)"
        )
    if list(classifier.scheme_.ids) != classes:
        raise ValueError(
            f"The scheme in {meta_path.parent / THEMES_FILE} has themes {classifier.scheme_.ids} "
            f"but the classifier predicts {classes}; retrain the model"
        )
    thresholds = meta.get("thresholds")
    if isinstance(thresholds, dict) and set(thresholds) != set(classes):
        raise ValueError(
            f"{meta_path}: thresholds are given for {sorted(thresholds)} but the classifier "
            f"predicts {classes}"
        )
