"""Explanations of the theme classifier: readable feature names and per-clause contributions.

A mixin of :class:`~itunlp.themes.classifier.ThemeClassifier`; the numpy predictor
(:meth:`itunlp.themes.inference.FastThemePredictor.explain`) gives the same entries.
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.utils.validation import check_is_fitted

from itunlp.themes.context import CONTEXT_COLUMNS, CONTEXT_FIELDS

__all__: list[str] = []

# Probability a term-list prior gives a theme that has too few labels to learn from:
# a clause naming one of its terms (not inside a trap) is likely about it.
PRIOR_HIT = 0.7


class _Explaining:
    """``feature_names`` and ``explain`` for a fitted ThemeClassifier."""

    # --------------------------------------------------------------- explain
    def feature_names(self) -> list[str]:
        """Readable names of every feature column, for explanations."""
        check_is_fitted(self)
        names = [f"word '{w}'" for w in self.word_vectorizer_.get_feature_names_out()]
        if self.char_vectorizer_ is not None:
            names += [f"chars '{c}'" for c in self.char_vectorizer_.get_feature_names_out()]
        names += [f"heading '{w}'" for w in self.function_vectorizer_.get_feature_names_out()]
        names += self._term_feature_names(self.scheme_)
        if self.context_weight > 0:
            themes = self.scheme_.ids
            names += [
                f"context: {CONTEXT_FIELDS[field]} terms of {theme}"
                for field in CONTEXT_COLUMNS
                for theme in themes
            ]
        return names

    def explain(
        self,
        text: str,
        function: str = "",
        top: int = 5,
        themes: Sequence[str] | None = None,
        context: dict[str, str] | None = None,
    ) -> dict[str, list[tuple[str, float]]]:
        """The features that pushed each theme's score up for one clause.

        Contributions are feature value times the theme's logistic weight (log-odds);
        character n-grams are summed into one entry, because single fragments read
        as noise. A term-prior theme lists the scheme terms found.

        Parameters
        ----------
        text : str
            One clause.
        function : str, default=""
            Its heading.
        top : int, default=5
            Entries per theme.
        themes : sequence of str, optional
            Themes to explain; the predicted ones when None.

        Returns
        -------
        dict of str to list of (str, float)
            Per theme, the strongest positive contributions, largest first.
        """
        check_is_fitted(self)
        if not isinstance(text, str):
            raise TypeError(f"explain takes one clause text, got {type(text).__name__}")
        given = {k: [str((context or {}).get(k) or "")] for k in CONTEXT_COLUMNS}
        _, terms, features = self._features([text], [function], given)
        if themes is None:
            row = (self._proba(terms, features) >= self.thresholds_)[0]
            themes = [t for t, on in zip(self.classes_, row, strict=True) if on]
        unknown = [t for t in themes if t not in self.classes_]
        if unknown:
            raise ValueError(
                f"Unknown theme {unknown[0]!r}; valid themes: {', '.join(self.classes_)}"
            )
        names = self.feature_names()
        n_word = len(self.word_vectorizer_.vocabulary_)
        n_char = len(self.char_vectorizer_.vocabulary_) if self.char_vectorizer_ else 0
        hits = self.scheme_.term_hits(text)
        x = features.tocoo()
        result: dict[str, list[tuple[str, float]]] = {}
        for theme in themes:
            if theme in self.too_few_positives_ or theme in self.prior_themes_:
                found = hits.get(theme, [])
                result[theme] = [(f"term '{t}' (prior)", PRIOR_HIT) for t in found[:top]]
                continue
            coef = self.estimators_[self.learned_themes_.index(theme)].coef_.ravel()
            parts: dict[str, float] = {}
            for col, value in zip(x.col, x.data, strict=True):
                contribution = float(value * coef[col])
                if n_word <= col < n_word + n_char:
                    name = "character n-grams (sum)"
                else:
                    name = names[col]
                    if name.startswith(("terms of ", "term count of ")):
                        owner = name.rsplit(" ", 1)[1]
                        name = f"{name} ({', '.join(dict.fromkeys(hits.get(owner, [])))})"
                parts[name] = parts.get(name, 0.0) + contribution
            ranked = sorted(((n, v) for n, v in parts.items() if v > 0), key=lambda p: -p[1])
            result[theme] = [(n, round(v, 4)) for n, v in ranked[:top]]
        return result
