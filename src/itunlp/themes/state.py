"""A fitted theme classifier as plain JSON and arrays, and back (the model folder's codec).

:func:`classifier_state` writes only public fitted arrays (``vocabulary_``,
``idf_``, ``coef_``, ``intercept_``); :func:`check_state` validates a state read
back and builds the numpy predictor from it (no scikit-learn import);
:func:`restore_classifier` rebuilds the scikit-learn estimator, which
:class:`ClassifierLoader` does lazily. :mod:`itunlp.persistence` reads and writes
the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from itunlp.themes.inference import FastThemePredictor, predictor_from_state
from itunlp.themes.scheme import ThemeScheme

if TYPE_CHECKING:  # pragma: no cover
    from itunlp.themes.classifier import ThemeClassifier

__all__ = [
    "ClassifierLoader",
    "ModelFileError",
    "check_state",
    "classifier_state",
    "predictor_for",
    "restore_classifier",
]

FORMAT_NAME = "itunlp-model"
FORMAT_VERSION = 1
CLASSIFIER_JSON = "classifier.json"
CLASSIFIER_ARRAYS = "classifier.npz"


class ModelFileError(ValueError):
    """A model file is corrupt, truncated, tampered with or of an unknown format."""


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


_TUPLE_PARAMS = ("word_ngram_range", "char_ngram_range")


def _context_blocks(params: dict[str, Any]) -> int:
    """Features per theme of the context block (0 when the model has none)."""
    from itunlp.themes.context import CONTEXT_COLUMNS

    return len(CONTEXT_COLUMNS) if float(params.get("context_weight") or 0.0) > 0 else 0


def classifier_state(classifier: ThemeClassifier) -> tuple[dict[str, Any], dict[str, Any]]:
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
    ) + (3 + _context_blocks(params)) * len(classifier.classes_)
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


def _check_header(state: dict[str, Any], where: Path) -> None:
    """The classifier file's format name and version, or a ModelFileError naming it."""
    if state.get("format") != FORMAT_NAME + "-classifier":
        raise ModelFileError(f"{where / CLASSIFIER_JSON}: not an itunlp classifier file")
    if int(state.get("format_version", 0)) > FORMAT_VERSION:
        raise ModelFileError(
            f"{where / CLASSIFIER_JSON}: format version {state['format_version']} is newer "
            f"than this itunlp reads ({FORMAT_VERSION}); upgrade itunlp"
        )


def restore_classifier(
    state: dict[str, Any], arrays: dict[str, np.ndarray], scheme: ThemeScheme, where: Path
) -> ThemeClassifier:
    """Rebuild a fitted classifier from :func:`classifier_state` output, checking shapes."""
    try:
        _check_header(state, where)
        params = dict(state["params"])
        # Models saved before the context block had none.
        params.setdefault("context_weight", 0.0)
        for name in _TUPLE_PARAMS:
            if params.get(name) is not None:
                params[name] = tuple(params[name])
        from itunlp.themes.classifier import ThemeClassifier

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
            + (3 + _context_blocks(params)) * len(scheme.ids)
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


def check_state(
    state: dict[str, Any], arrays: dict[str, np.ndarray], scheme: ThemeScheme, where: Path
) -> FastThemePredictor:
    """Check a classifier state as :func:`_restore_classifier` does, and build its predictor.

    Numpy only: loading a model to predict never imports scikit-learn.
    """
    try:
        _check_header(state, where)
        params = state["params"]
        unknown = sorted(set(params) - _CLASSIFIER_PARAMS)
        if unknown:
            raise TypeError(f"unexpected classifier parameters {unknown}")
        vocabulary = state["vocabulary"]
        has_char = params.get("char_ngram_range") is not None
        sizes = [len(vocabulary["word"]), len(vocabulary["function"])]
        if has_char:
            sizes.append(len(vocabulary["char"]))
            if len(arrays["char_idf"]) != sizes[-1]:
                raise ValueError("char_idf does not match the character vocabulary")
        if len(arrays["word_idf"]) != sizes[0]:
            raise ValueError("word_idf does not match the word vocabulary")
        n_features = sum(sizes) + (3 + _context_blocks(params)) * len(scheme.ids)
        coef, intercept = arrays["coef"], arrays["intercept"]
        learned = list(state["learned_themes"])
        if coef.shape != (len(learned), n_features) or intercept.shape != (len(learned),):
            raise ModelFileError(
                f"{where / CLASSIFIER_ARRAYS}: weights of shape {coef.shape} do not fit "
                f"{len(learned)} themes x {n_features} features; the files do not belong together"
            )
        classes = list(state["classes"])
        thresholds = np.asarray(state["thresholds"], dtype=float)
        calibration = np.asarray(state["calibration"], dtype=float).reshape(-1, 2)
        _ = {str(k): int(v) for k, v in state["n_positives"].items()}  # numbers, or raise
        if len(thresholds) != len(classes) or len(calibration) != len(learned):
            raise ModelFileError(
                f"{where / CLASSIFIER_JSON}: thresholds or calibration do not match the themes"
            )
        return predictor_from_state(state, arrays, scheme)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ModelFileError(
            f"{where / CLASSIFIER_JSON}: malformed classifier state ({type(error).__name__}: "
            f"{error}); retrain the model"
        ) from None


#: ThemeClassifier's parameters (checked without importing it).
_CLASSIFIER_PARAMS = frozenset(
    """C word_ngram_range char_ngram_range char_weight term_weight function_weight
    description_weight min_positives cv class_weight nb_scale select_prior
    random_state context_weight""".split()
)


def predictor_for(classifier: ThemeClassifier) -> FastThemePredictor:
    """The numpy predictor of a fitted classifier (the same scores, from its state)."""
    state, arrays = classifier_state(classifier)
    return predictor_from_state(state, arrays, classifier.scheme_)


class ClassifierLoader:
    """Rebuilds the scikit-learn classifier of a loaded folder when someone asks for it.

    Predicting needs only the numpy predictor; the estimator (for ``save``,
    retraining, cross-validation) costs importing scikit-learn and SciPy, so it
    is restored from the folder's state on first use. Picklable, for workers.
    """

    def __init__(
        self, state: dict[str, Any], arrays: dict[str, np.ndarray], scheme: ThemeScheme, path: Path
    ) -> None:
        self.state, self.arrays, self.scheme, self.path = state, arrays, scheme, path

    def __call__(self) -> ThemeClassifier:
        return restore_classifier(self.state, self.arrays, self.scheme, self.path)
