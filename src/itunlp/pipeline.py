"""The model users load: the segmenter and the theme classifier, with DataFrames out.

This is the one module that joins the two halves: :mod:`itunlp.segmentation` (text
to clauses) and :mod:`itunlp.themes` (clause strings to themes). Predictions come
from the numpy predictor (:mod:`itunlp.themes.inference`), which gives the fitted
classifier's own scores; the scikit-learn estimator is restored from the model
folder only when something needs it (saving, retraining), and the segmenter runs
its rule engine directly, so loading a model and classifying imports neither
scikit-learn, SciPy nor spaCy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from itunlp._resources import default_model_dir
from itunlp.persistence import (
    SEGMENTER_FILE,
    ClassifierLoader,
    ModelFileError,
    ModelNotFoundError,
    load_model_folder,
    predictor_for,
    save_model_folder,
)
from itunlp.themes.inference import FastThemePredictor
from itunlp.themes.inputs import coerce_clauses
from itunlp.themes.scheme import ThemeScheme

if TYPE_CHECKING:  # pragma: no cover
    from itunlp.segmentation.boundary_model import BoundaryModel
    from itunlp.segmentation.engine import Clause, LayoutState
    from itunlp.themes.classifier import ThemeClassifier

__all__ = ["ThemeModel", "load"]


class ThemeModel:
    """A trained itunlp model: cut texts into clauses and tag each with themes.

    Usually obtained from :func:`itunlp.load` or :func:`itunlp.train`.

    Parameters
    ----------
    classifier : ThemeClassifier, optional
        A fitted theme classifier; predictions use its numpy twin (the same scores).
    meta : dict, optional
        The model card (``meta.json``): name, versions, training data, metrics.
    boundary_model : BoundaryModel, optional
        The segmenter's learned boundary decider; None uses the segmenter's rules.
    path : Path, optional
        The folder the model was loaded from.
    predictor : FastThemePredictor, optional
        The numpy predictor, when the model comes from a folder (then
        ``classifier_loader`` restores the estimator on first use of
        :attr:`classifier`).
    classifier_loader : callable, optional

    Examples
    --------
    >>> model = load()                                        # doctest: +SKIP
    >>> model.predict(["Women engineers were elected to the Board."])  # doctest: +SKIP
    [['gender', 'institutional_process']]
    """

    def __init__(
        self,
        classifier: ThemeClassifier | None = None,
        *,
        meta: dict[str, Any] | None = None,
        boundary_model: BoundaryModel | None = None,
        path: Path | None = None,
        predictor: FastThemePredictor | None = None,
        classifier_loader: ClassifierLoader | None = None,
    ) -> None:
        if classifier is None:
            if predictor is None or classifier_loader is None:
                raise TypeError(
                    "ThemeModel needs a fitted ThemeClassifier (or a predictor and a "
                    "classifier_loader, as itunlp.load() gives)"
                )
        else:
            from sklearn.utils.validation import check_is_fitted

            from itunlp.themes.classifier import ThemeClassifier

            if not isinstance(classifier, ThemeClassifier):
                raise TypeError(
                    f"classifier must be a fitted ThemeClassifier, got {type(classifier).__name__}"
                )
            check_is_fitted(classifier)
            if predictor is None:
                predictor = predictor_for(classifier)
        self._classifier = classifier
        self._classifier_loader = classifier_loader
        self.predictor = predictor
        self.meta = dict(meta or {})
        self.boundary_model = boundary_model
        self.path = path

    @property
    def classifier(self) -> ThemeClassifier:
        """The scikit-learn estimator (restored from the model folder on first use)."""
        if self._classifier is None:
            assert self._classifier_loader is not None
            self._classifier = self._classifier_loader()
        return self._classifier

    @classifier.setter
    def classifier(self, classifier: ThemeClassifier) -> None:
        self._classifier = classifier
        self.predictor = predictor_for(classifier)

    def __repr__(self) -> str:
        name = self.meta.get("name", "unnamed")
        return f"<ThemeModel {name!r}: {len(self.themes)} themes>"

    @property
    def themes(self) -> list[str]:
        """Theme ids, in the column order of :meth:`predict_proba`."""
        return [str(t) for t in self.predictor.classes]

    @property
    def scheme(self) -> ThemeScheme:
        """The theme scheme the model was trained with (names, descriptions, terms)."""
        if self.predictor.scheme is not None:
            return self.predictor.scheme
        return self.classifier.scheme_

    @property
    def thresholds(self) -> dict[str, float]:
        """The per-theme probability at or above which a theme is predicted."""
        return {t: float(v) for t, v in zip(self.themes, self.predictor.thresholds, strict=True)}

    def segment(self, text: str, state: LayoutState | None = None) -> list[Clause]:
        """Cut a text into clauses with this model's boundary settings.

        Parameters
        ----------
        text : str
        state : LayoutState, optional
            Carries the open section, heading and change block from one block of
            a long text to the next (see :func:`itunlp.segment`).

        Returns
        -------
        list of Clause
            With ``function``, ``part``, ``section``, ``section_title`` and
            ``change``; ``clause.clean_text`` is what the classifier should read.
        """
        from itunlp.segmentation.engine import split_into_clauses

        return split_into_clauses(text, boundary_model=self.boundary_model, state=state)

    def predict_proba(
        self, clause_texts: Sequence[str] | pd.DataFrame, functions: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Probability of each theme for already-cut clauses.

        Parameters
        ----------
        clause_texts : list of str or DataFrame
            Clauses (a DataFrame with ``text`` and optionally ``function``).
        functions : list of str, optional
            The resolution heading of each clause (``""`` for prose).

        Returns
        -------
        pandas.DataFrame
            One row per clause, one column per theme in :attr:`themes` order.
        """
        texts, heads = coerce_clauses(clause_texts, functions)
        probabilities = self.score_clauses(texts, heads, **_given_context(clause_texts))
        index = clause_texts.index if isinstance(clause_texts, pd.DataFrame) else None
        return pd.DataFrame(probabilities, columns=self.themes, index=index)

    def predict(
        self, clause_texts: Sequence[str] | pd.DataFrame, functions: Sequence[str] | None = None
    ) -> list[list[str]]:
        """The themes of each already-cut clause (possibly none).

        Parameters
        ----------
        clause_texts : list of str or DataFrame
        functions : list of str, optional

        Returns
        -------
        list of list of str
            Theme ids per clause, in :attr:`themes` order.
        """
        texts, heads = coerce_clauses(clause_texts, functions)
        scores = self.score_clauses(texts, heads, **_given_context(clause_texts))
        indicators = scores >= self.predictor.thresholds
        themes = np.array(self.themes, dtype=object)
        return [list(themes[row.astype(bool)]) for row in indicators]

    def explain(
        self, text: str, function: str = "", top: int = 5, context: dict[str, str] | None = None
    ) -> dict[str, list[tuple[str, float]]]:
        """The features that drove each predicted theme of one clause.

        Parameters
        ----------
        text : str
            One clause.
        function : str, default=""
            Its heading.
        top : int, default=5
            Entries per theme.
        context : dict, optional
            The clause's ``prev_text``, ``next_text`` and ``section_title``; their
            contributions are named ``context: ...``.

        Returns
        -------
        dict of str to list of (str, float)
            Per predicted theme, (feature, contribution in log-odds), largest first.
        """
        if not isinstance(text, str):
            raise TypeError(f"explain takes one clause text, got {type(text).__name__}")
        heads = coerce_clauses([text], [function])[1]
        return self.predictor.explain(text, function=heads[0], top=top, context=context)

    def score_clauses(
        self, texts: Sequence[str], functions: Sequence[str], **context: Sequence[str]
    ) -> np.ndarray:
        """Theme probabilities of already-cut, already-checked clauses, as an array.

        The fast path under :meth:`predict_proba` (no DataFrame): ``texts`` is a list
        of str, ``functions`` their headings in lower case with whitespace folded
        (as :func:`~itunlp.themes.inputs.coerce_clauses` gives them). ``context``
        may give ``prev_text``, ``next_text`` and ``section_title``, one per clause
        (clauses of a document in order; see :mod:`itunlp.themes.context`).
        Columns follow :attr:`themes`.
        """
        predictor = self.predictor
        return predictor.predict_proba(predictor.batch(texts, functions, **context))

    def save(self, path: str | Path) -> Path:
        """Write the model folder (atomically; see :func:`itunlp.persistence.save_model_folder`).

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        Path
        """
        boundary = self.boundary_model.to_dict() if self.boundary_model is not None else None
        return save_model_folder(path, self.classifier, self.meta, boundary)

    def classify(self, texts_or_paths: Any, **kwargs: Any) -> pd.DataFrame:
        """One row per clause of each text or file (:func:`itunlp.run.batch.classify_documents`)."""
        from itunlp.run.batch import classify_documents

        return classify_documents(self, texts_or_paths, **kwargs)


def _given_context(clauses: Any) -> dict[str, list[str]]:
    """The context columns of a DataFrame of clauses (none for a plain list)."""
    from itunlp.themes.context import CONTEXT_COLUMNS, context_columns

    if not isinstance(clauses, pd.DataFrame):
        return {}
    present = [c for c in CONTEXT_COLUMNS if c in clauses.columns]
    return {k: v for k, v in context_columns(clauses, len(clauses)).items() if k in present}


def load(path: str | Path | None = None) -> ThemeModel:
    """Load a model folder safely (no code from the folder runs).

    Parameters
    ----------
    path : str or Path, optional
        A folder written by :meth:`ThemeModel.save` or ``itunlp train``; the shipped
        default model when None.

    Returns
    -------
    ThemeModel

    Raises
    ------
    ModelNotFoundError
        No model at ``path`` (a ``FileNotFoundError``).
    itunlp.persistence.ModelFileError
        A corrupt, truncated or tampered model file.
    ValueError
        Themes in ``meta.json`` that disagree with the classifier.

    Examples
    --------
    >>> model = load()
    >>> model.themes[:2]
    ['connectivity', 'space_spectrum']
    """
    folder = Path(path) if path is not None else default_model_dir()
    if path is None and not folder.is_dir():
        raise ModelNotFoundError(
            f"The shipped default model is missing at {folder}; reinstall itunlp or build it "
            "with `itunlp train -o models/default --name default`"
        )
    loaded = load_model_folder(folder)
    boundary = None
    if loaded.boundary_model is not None:
        from itunlp.segmentation.boundary_model import BoundaryModel

        try:
            boundary = BoundaryModel.from_dict(loaded.boundary_model)
        except (TypeError, ValueError) as error:
            raise ModelFileError(f"{folder / SEGMENTER_FILE}: {error}") from None
    return ThemeModel(
        meta=loaded.meta,
        boundary_model=boundary,
        path=folder,
        predictor=loaded.predictor,
        classifier_loader=loaded.classifier_loader,
    )
