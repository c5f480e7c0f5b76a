"""The theme classifier: a scikit-learn multi-label estimator over clause strings.

Labelled ITU clauses are few and uneven (the seed has two clauses on spectrum), so
the estimator learns from three sources at once:

* the labelled clauses, through word and character TF-IDF n-grams;
* the theme scheme's term lists, as per-theme term-hit and trap-hit features, so a
  theme word counts even when the labels never showed it, and a trap ("financial
  security") is visible to the learned weights, which can overrule the term;
* the theme descriptions, added as extra, down-weighted positive training texts.

The clause's ``function`` (its resolution heading, e.g. ``considering`` or
``instructs the director of bdt``) is a feature too: the same words mean something
else as a preamble and as an operative order.

One logistic regression per theme (class weights balanced) gives a score. Its
features are first scaled by how unevenly they occur in the theme's clauses and the
others (naive Bayes log-count ratios, as in NBSVM), so the regularisation spends
less of its budget on words that say nothing about the theme; the scaling is folded
back into the weights, so prediction costs nothing more. A Platt
scaling fitted on out-of-fold scores turns it into a probability; a per-theme
threshold, chosen on the same out-of-fold probabilities inside :meth:`fit`, turns
that into a yes/no. Themes with fewer than ``min_positives`` labelled clauses are
not learned: they fall back to a term-list prior and are listed in
``too_few_positives_``.

This module never imports spaCy: clause strings in, theme indicators out.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import MultiOutputClassifier
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from itunlp.themes.context import (
    context_columns,
    context_matrix,
)
from itunlp.themes.context import weights_array as _weights
from itunlp.themes.explain import PRIOR_HIT, _Explaining
from itunlp.themes.features import (
    _best_threshold,
    _coerce_y,
    _function_documents,
    _nb_scale,
    _platt,
    _prf,
    _scores,
    _term_row,
    _Vectorizers,
    coerce_clauses,
    function_kind,
    scheme_hits,
    stratifiable,
)
from itunlp.themes.folds import clause_groups, grouped_folds
from itunlp.themes.scheme import ThemeScheme, load_themes

__all__ = [
    "FewLabelsWarning",
    "ThemeClassifier",
    "coerce_clauses",
    "function_kind",
    "scheme_hits",
    "stratifiable",
]

# Probability a term-list prior gives a theme that has too few labels to learn from:
# a clause naming one of its terms (not inside a trap) is likely about it.
PRIOR_MISS = 0.02
_FALLBACK_THRESHOLD = 0.5


class FewLabelsWarning(UserWarning):
    """Some themes had too few labelled clauses to learn; they use the term prior."""


class ThemeClassifier(_Explaining, MultiOutputMixin, ClassifierMixin, BaseEstimator):
    """Tag ITU clauses with every policy theme they are about (multi-label).

    Parameters
    ----------
    scheme : ThemeScheme, optional
        Themes, term lists, traps and descriptions; the shipped scheme when None.
    C : float, default=64.0
        Inverse regularisation of each theme's logistic regression. The defaults
        of ``C`` and the block weights were chosen by 5-fold cross-validation on the
        shipped corpus (and supplement -> dev), never on the seed's cross-source score.
    word_ngram_range : tuple of int, default=(1, 2)
        Word n-grams of the text features.
    char_ngram_range : tuple of int or None, default=(2, 5)
        Character n-grams within word boundaries (catch "cyber-", "satellite");
        None switches them off.
    char_weight : float, default=2.0
        Scale of the character block relative to the word block.
    term_weight : float, default=0.5
        Scale of the term-hit and trap-hit features from the scheme.
    function_weight : float, default=0.5
        Scale of the heading features (the heading's words and its kind).
    description_weight : float, default=0.5
        Sample weight of each theme description used as an extra positive text;
        0 leaves descriptions out.
    min_positives : int, default=3
        Themes with fewer labelled clauses are not learned but use a term-list prior
        and are reported in ``too_few_positives_``.
    cv : int, default=5
        Folds of the internal cross-validation that calibrates scores and picks
        per-theme thresholds on out-of-fold predictions; below 2 switches it off
        (raw probabilities, threshold 0.5).
    class_weight : "balanced" or None, default="balanced"
        Passed to each logistic regression: rare themes are not swamped.
    nb_scale : bool, default=True
        Before each theme's logistic regression, scale every feature by
        ``|log(p / q)| + 0.1``, where ``p`` and ``q`` are the feature's smoothed
        (add-one) document frequencies among the theme's clauses and among the
        others, each normalised to sum to one (NBSVM, Wang & Manning 2012). The
        scale is folded into ``coef_``, so prediction needs no extra step and a
        saved model stores nothing more. Affects training only.
    context_weight : float, default=0.5
        Scale of the context block (:mod:`itunlp.themes.context`): the scheme's term
        hits in the previous and next clause of the same document and in the
        section title, read from the ``prev_text``, ``next_text`` and
        ``section_title`` columns of a DataFrame ``X``; 0 switches it off. A clause
        without context gets no context features.
    select_prior : bool, default=True
        Per learned theme, compare the model's out-of-fold F1 with the term-list
        prior's F1 on the same training clauses and keep the better; themes that keep
        the prior are listed in ``prior_themes_``. Matters for small corpora.
    random_state : int, default=0
        Seeds the fold shuffle and the solver, so two fits give the same model.

    Attributes
    ----------
    classes_ : ndarray of str
        Theme ids, the columns of :meth:`predict` and :meth:`predict_proba`.
    scheme_ : ThemeScheme
        The scheme used in fit.
    thresholds_ : ndarray of float
        Per-theme decision thresholds on the probabilities.
    too_few_positives_ : list of str
        Themes with fewer than ``min_positives`` labelled clauses (term prior).
    learned_themes_ : list of str
        Themes with a learned model, in the order of ``estimators_``.
    prior_themes_ : list of str
        Learned themes whose term prior beat the model out of fold (see
        ``select_prior``); they predict with the prior.
    estimators_ : list of LogisticRegression
        One per learned theme.
    calibration_ : ndarray of shape (n_learned, 2)
        Platt scaling ``(a, b)``: probability = expit(a * score + b).
    n_positives_ : dict of str to int
        Labelled clauses per theme in the training data.
    cv_scores_ : dict
        Out-of-fold precision/recall/F1 per learned theme from the internal CV.

    Examples
    --------
    >>> clf = ThemeClassifier(cv=2, min_positives=2)
    >>> texts = ["Broadband for rural schools.", "Connect the unconnected.",
    ...          "Satellite orbits need filings.", "Spectrum at WRC-23."]
    >>> clf = clf.fit(texts, [["connectivity"], ["connectivity"],
    ...                       ["space_spectrum"], ["space_spectrum"]])
    >>> clf.predict_proba(["Fibre backbone in LDCs."]).shape
    (1, 9)
    """

    def __init__(
        self,
        *,
        scheme: ThemeScheme | None = None,
        C: float = 64.0,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] | None = (2, 5),
        char_weight: float = 2.0,
        term_weight: float = 0.5,
        function_weight: float = 0.5,
        description_weight: float = 0.5,
        min_positives: int = 3,
        cv: int = 5,
        class_weight: str | None = "balanced",
        nb_scale: bool = True,
        context_weight: float = 0.5,
        select_prior: bool = True,
        random_state: int = 0,
    ) -> None:
        self.scheme = scheme
        self.C = C
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.char_weight = char_weight
        self.term_weight = term_weight
        self.function_weight = function_weight
        self.description_weight = description_weight
        self.min_positives = min_positives
        self.cv = cv
        self.class_weight = class_weight
        self.nb_scale = nb_scale
        self.context_weight = context_weight
        self.select_prior = select_prior
        self.random_state = random_state

    # ------------------------------------------------------------------ tags
    def __sklearn_tags__(self):  # sklearn >= 1.6
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # sklearn < 1.6
        return {"X_types": ["string"], "multilabel": True, "multioutput": True}

    # ------------------------------------------------------------ validation
    def _check_params(self) -> ThemeScheme:
        scheme = self.scheme if self.scheme is not None else load_themes()
        if not isinstance(scheme, ThemeScheme):
            raise TypeError(f"scheme must be a ThemeScheme or None, got {type(scheme).__name__}")
        if not scheme.ids:
            raise ValueError(f"The theme scheme {scheme.source} has no active themes")
        for name in (
            "C", "char_weight", "term_weight", "function_weight", "description_weight",
            "context_weight",
        ):  # fmt: skip
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0 or (name == "C" and value == 0):
                raise ValueError(f"{name} must be a number >= 0 (C > 0), got {value!r}")
        for name in ("min_positives", "cv"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        if self.class_weight not in ("balanced", None):
            raise ValueError(f"class_weight must be 'balanced' or None, got {self.class_weight!r}")
        if not isinstance(self.nb_scale, bool | np.bool_):
            raise ValueError(f"nb_scale must be True or False, got {self.nb_scale!r}")
        return scheme

    _coerce_y = staticmethod(_coerce_y)

    # -------------------------------------------------------------- features
    def _new_vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer | None, CountVectorizer]:
        """Unfitted vectorizers for words, characters and headings."""
        word = TfidfVectorizer(
            ngram_range=tuple(self.word_ngram_range),
            sublinear_tf=True,
            lowercase=True,
            token_pattern=r"(?u)\b[\w][\w-]*\b",
            dtype=np.float64,
        )
        char = None
        if self.char_ngram_range is not None:
            char = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self.char_ngram_range),
                sublinear_tf=True,
                lowercase=True,
                min_df=2,
                dtype=np.float64,
            )
        # Heading words plus a kind token such as "__operative__", unit-normalised later;
        # no idf, so that a rare heading is not blown up.
        function = CountVectorizer(binary=True, token_pattern=r"(?u)\b\w+\b", dtype=np.float64)
        return word, char, function

    _function_documents = staticmethod(_function_documents)

    def _term_block(self, scheme: ThemeScheme, texts: Sequence[str]) -> sp.csr_matrix:
        """Per theme: any term hit not explained by a trap, log1p of the count, any trap."""
        return sp.csr_matrix(
            np.array([_term_row(scheme, text) for text in texts]).reshape(
                len(texts), 3 * len(scheme.ids)
            )
        )

    def _term_feature_names(self, scheme: ThemeScheme) -> list[str]:
        names = []
        for theme in scheme.ids:
            names += [f"terms of {theme}", f"term count of {theme}", f"trap of {theme}"]
        return names

    def _transform(
        self,
        vectorizers: _Vectorizers,
        texts: Sequence[str],
        functions: Sequence[str],
        terms: sp.csr_matrix,
        context: dict[str, Sequence[str]] | None = None,
    ) -> sp.csr_matrix:
        blocks = [vectorizers.word.transform(texts)]
        if vectorizers.char is not None:
            blocks.append(vectorizers.char.transform(texts) * self.char_weight)
        blocks.append(
            normalize(vectorizers.function.transform(self._function_documents(functions)))
            * self.function_weight
        )
        blocks.append(terms * self.term_weight)
        if self.context_weight > 0:
            scheme = self.scheme_ if hasattr(self, "scheme_") else self._check_params()
            context = context or context_columns(None, len(texts))
            dense = context_matrix(lambda t: _term_row(scheme, t), context, len(scheme.ids))
            blocks.append(sp.csr_matrix(dense * self.context_weight))
        return sp.hstack(blocks, format="csr")

    def _fit_vectorizers(self, texts: list[str], functions: list[str]) -> _Vectorizers:
        word, char, function = self._new_vectorizers()
        word.fit(texts)
        if char is not None:
            char.fit(texts)
        function.fit(self._function_documents(functions))
        return _Vectorizers(word, char, function)

    def _fit_logistic(
        self, features: sp.csr_matrix, Y: np.ndarray, weights: np.ndarray
    ) -> list[LogisticRegression]:
        if not Y.shape[1]:
            return []
        if not self.nb_scale:
            multi = MultiOutputClassifier(self._new_logistic())
            return list(multi.fit(features, Y, sample_weight=weights).estimators_)
        present = (features > 0).astype(np.float64).tocsr()
        estimators = []
        for k in range(Y.shape[1]):
            scale = _nb_scale(present, Y[:, k], weights)
            estimator = self._new_logistic().fit(
                features @ sp.diags(scale), Y[:, k], sample_weight=weights
            )
            # w . (scale * x) == (w * scale) . x: the saved weights need no scale.
            estimator.coef_ = estimator.coef_ * scale
            estimators.append(estimator)
        return estimators

    def _new_logistic(self) -> LogisticRegression:
        """One theme's unfitted logistic regression (also used to restore saved weights)."""
        return LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            # The dual solver: far more features than clauses, so it converges fastest.
            solver="liblinear",
            dual=True,
            random_state=self.random_state,
            # 1e-3 instead of 1e-4: the same thresholds on the shipped corpus, 1.5x faster.
            tol=1e-3,
            max_iter=1000,
        )

    _scores = staticmethod(_scores)

    # ------------------------------------------------------------------- fit
    def fit(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        groups: Any = None,
        tune_weight: Any = None,
    ) -> ThemeClassifier:
        """Learn theme models, calibrations and thresholds from labelled clauses.

        Parameters
        ----------
        X : list of str or DataFrame
            Clause texts (a DataFrame may add ``function`` and the context columns
            ``prev_text``, ``next_text``, ``section_title``; with ``doc_id`` and
            ``start`` its clauses are grouped by document, see ``groups``).
        y : list of list of str, or indicator array of shape (n_clauses, n_themes)
            Themes of each clause (empty for none); matrix columns in scheme order.
        sample_weight : array of shape (n_clauses,), optional
            Weight of each clause in the logistic regressions (a user's own labels
            count more than the shipped corpus when a model adapts to them).
        groups : array of shape (n_clauses,), optional
            The document of each clause: the internal folds that calibrate and pick
            thresholds keep a document's clauses on one side, so the thresholds are
            those that serve unseen documents. Default: from ``X``'s ``doc_id`` and
            ``start`` (:func:`~itunlp.themes.folds.clause_groups`), else ungrouped.
        tune_weight : array of shape (n_clauses,), optional
            Weight of each clause in the F1 that picks the thresholds.

        Returns
        -------
        self : ThemeClassifier

        Raises
        ------
        TypeError, ValueError
            Bad inputs, unknown themes, mismatched lengths, invalid parameters.

        Warns
        -----
        FewLabelsWarning
            When some themes fall back to the term prior.
        """
        scheme = self._check_params()
        texts, functions = coerce_clauses(X)
        if not texts:
            raise ValueError("Cannot fit on zero clauses; give at least one labelled clause")
        themes = scheme.ids
        Y = self._coerce_y(y, themes, len(texts))
        own_weights = _weights(sample_weight, len(texts), "sample_weight")
        tuning = None if tune_weight is None else _weights(tune_weight, len(texts), "tune_weight")
        if groups is None and isinstance(X, pd.DataFrame) and "doc_id" in X and "start" in X:
            groups = clause_groups(X)
        context = context_columns(X, len(texts))
        counts = Y.sum(axis=0)
        learned = [j for j, c in enumerate(counts) if c >= max(self.min_positives, 1)]
        self.scheme_ = scheme
        self.classes_ = np.array(themes, dtype=object)
        self.n_positives_ = {t: int(c) for t, c in zip(themes, counts, strict=True)}
        self.learned_themes_ = [themes[j] for j in learned]
        self.too_few_positives_ = [t for j, t in enumerate(themes) if j not in learned]
        if self.too_few_positives_:
            warnings.warn(
                "Too few labelled clauses to learn "
                + ", ".join(f"{t} ({self.n_positives_[t]})" for t in self.too_few_positives_)
                + f" (need {self.min_positives}); they use the term-list prior instead",
                FewLabelsWarning,
                stacklevel=2,
            )

        # Descriptions join every fit (final and CV folds) as extra positive texts; they
        # are scheme knowledge, not labels, so they never leak a held-out clause.
        descriptions = [f"{scheme[t].name}. {scheme[t].description}" for t in themes]
        use_descriptions = self.description_weight > 0 and bool(learned)
        extra_texts = descriptions if use_descriptions else []
        extra_Y = np.eye(len(themes), dtype=int)[:, learned] if use_descriptions else None
        # The feature space is fitted once on all training texts: it is unsupervised, and
        # the internal folds below only tune thresholds on this same training data, so
        # no held-out label can reach it. Only the logistic models are refitted per fold.
        all_texts = texts + extra_texts
        all_functions = functions + [""] * len(extra_texts)
        vectorizers = self._fit_vectorizers(all_texts, all_functions)
        terms = self._term_block(scheme, all_texts)
        all_context = {k: v + [""] * len(extra_texts) for k, v in context.items()}
        self.scheme_ = scheme
        features = self._transform(vectorizers, all_texts, all_functions, terms, all_context)
        own, extra = features[: len(texts)], features[len(texts) :]
        Yl = Y[:, learned]

        def fit_on(index: np.ndarray) -> list[LogisticRegression]:
            fold_Y = Yl[index] if extra_Y is None else np.vstack([Yl[index], extra_Y])
            weights = np.concatenate(
                [own_weights[index], np.full(len(extra_texts), float(self.description_weight))]
            )
            return self._fit_logistic(sp.vstack([own[index], extra], format="csr"), fold_Y, weights)

        n_learned = len(learned)
        self.calibration_ = np.tile([1.0, 0.0], (n_learned, 1))
        thresholds = np.full(len(themes), _FALLBACK_THRESHOLD)
        self.cv_scores_: dict[str, dict[str, float]] = {}
        self.prior_themes_: list[str] = []
        n_splits = min(self.cv, len(texts))
        if n_learned and n_splits >= 2:
            oof = np.zeros((len(texts), n_learned))
            for train, test in self._internal_folds(Yl, groups, n_splits):
                oof[test] = self._scores(fit_on(train), own[test])
            term_hit = terms[: len(texts), 0::3].toarray() > 0
            for k, j in enumerate(learned):
                a, b = _platt(oof[:, k], Yl[:, k])
                self.calibration_[k] = (a, b)
                probabilities = expit(a * oof[:, k] + b)
                weighted = () if tuning is None else (tuning,)
                thresholds[j], scores = _best_threshold(probabilities, Yl[:, k], *weighted)
                prior = _prf(term_hit[:, j], Yl[:, k])
                scores["prior_f1"] = prior["f1"]
                # With few labels the learned model can do worse than the term list out
                # of fold (it overfits); the scheme's knowledge then serves the theme.
                if self.select_prior and prior["f1"] > scores["f1"]:
                    self.prior_themes_.append(themes[j])
                    thresholds[j] = _FALLBACK_THRESHOLD
                self.cv_scores_[themes[j]] = scores
        self.thresholds_ = thresholds
        self.word_vectorizer_ = vectorizers.word
        self.char_vectorizer_ = vectorizers.char
        self.function_vectorizer_ = vectorizers.function
        self.estimators_ = fit_on(np.arange(len(texts)))
        return self

    def _internal_folds(
        self, Yl: np.ndarray, groups: Any, n_splits: int
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The internal CV's folds: by document when ``groups`` has enough of them."""
        if groups is not None and len(set(groups)) >= n_splits:
            return grouped_folds(Yl, list(groups), n_splits, self.random_state)
        splitter = MultilabelStratifiedKFold(
            n_splits=n_splits, shuffle=True, random_state=self.random_state
        )
        return list(splitter.split(np.zeros((len(Yl), 1)), stratifiable(Yl)))

    # --------------------------------------------------------------- predict
    def _vectorizers(self) -> _Vectorizers:
        return _Vectorizers(self.word_vectorizer_, self.char_vectorizer_, self.function_vectorizer_)

    def _features(
        self,
        X: Any,
        functions: Sequence[str] | None = None,
        context: dict[str, Sequence[str]] | None = None,
    ):
        texts, heads = coerce_clauses(X, functions)
        terms = self._term_block(self.scheme_, texts)
        context = context or context_columns(X, len(texts))
        return texts, terms, self._transform(self._vectorizers(), texts, heads, terms, context)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each theme for each clause.

        Parameters
        ----------
        X : list of str or DataFrame
            Clause texts (a DataFrame may add a ``function`` column).

        Returns
        -------
        ndarray of shape (n_clauses, n_themes)
            Columns follow ``classes_``. Learned themes give Platt-calibrated
            probabilities; prior themes give ``PRIOR_HIT`` on a term hit, else
            ``PRIOR_MISS``.
        """
        check_is_fitted(self)
        _, terms, features = self._features(X)
        return self._proba(terms, features)

    def _proba(self, terms: sp.csr_matrix, features: sp.csr_matrix) -> np.ndarray:
        themes = list(self.classes_)
        out = np.empty((features.shape[0], len(themes)))
        scores = self._scores(self.estimators_, features)
        for k, theme in enumerate(self.learned_themes_):
            a, b = self.calibration_[k]
            out[:, themes.index(theme)] = expit(a * scores[:, k] + b)
        hit_columns = terms[:, 0::3].toarray()
        for theme in [*self.too_few_positives_, *self.prior_themes_]:
            j = themes.index(theme)
            out[:, j] = np.where(hit_columns[:, j] > 0, PRIOR_HIT, PRIOR_MISS)
        return out

    def predict(self, X: Any) -> np.ndarray:
        """Binary theme indicators per clause, using the tuned per-theme thresholds.

        Parameters
        ----------
        X : list of str or DataFrame

        Returns
        -------
        ndarray of shape (n_clauses, n_themes) of int
            1 where a clause is about the theme; a row may be all zeros.
        """
        check_is_fitted(self)
        return (self.predict_proba(X) >= self.thresholds_).astype(int)
