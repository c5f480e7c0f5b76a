"""Theme predictions from a model folder's arrays, numpy only (no scikit-learn, no SciPy).

A fitted :class:`~itunlp.themes.classifier.ThemeClassifier` scores a clause with
one linear function of its features per theme, then calibrates (Platt) and
thresholds the score; themes with too few labels use the term prior.
:class:`FastThemePredictor` computes exactly that for a whole batch of clauses from
the feature blocks (:mod:`itunlp.themes.blocks`) and the saved weights, so that
loading a model and classifying never imports what training needs.
:func:`predictor_from_state` builds it from ``classifier.json`` and
``classifier.npz`` as they are (the model format did not change).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from itunlp.themes.blocks import ClauseBatch, FeatureBlock, FunctionBlock, TermsBlock
from itunlp.themes.context import CONTEXT_COLUMNS, ContextBlock
from itunlp.themes.matcher import TermMatcher
from itunlp.themes.text_features import TextBlock

__all__ = ["FastThemePredictor", "predictor_from_state"]


def _expit(x: np.ndarray) -> np.ndarray:
    # scipy.special.expit without SciPy: stable for large |x|.
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    exp = np.exp(x[~positive])
    out[~positive] = exp / (1.0 + exp)
    return out


class FastThemePredictor:
    """A fitted theme classifier's predictions from its arrays, numpy only.

    Parameters
    ----------
    blocks : list of FeatureBlock
        In column order; their ``n_features`` add up to ``coef.shape[1]``.
    coef : ndarray of shape (n_learned, n_features)
        Logistic weights (the NB scaling already folded in).
    intercept : ndarray of shape (n_learned,)
    calibration : ndarray of shape (n_learned, 2)
        Platt ``(a, b)``.
    classes : list of str
        Theme ids, the output columns.
    learned_themes : list of str
        Themes with a learned model, the rows of ``coef``.
    prior_themes : list of str
        Themes predicted by the term prior (too few labels, or the prior won).
    thresholds : ndarray of shape (n_classes,)
    terms : TermsBlock
        The block whose term hits the prior uses (one of ``blocks``).
    prior_hit, prior_miss : float
    scheme : ThemeScheme, optional
        The scheme the model was trained with, kept for the model's users.
    """

    def __init__(
        self,
        blocks: Sequence[FeatureBlock],
        coef: np.ndarray,
        intercept: np.ndarray,
        calibration: np.ndarray,
        classes: Sequence[str],
        learned_themes: Sequence[str],
        prior_themes: Sequence[str],
        thresholds: np.ndarray,
        terms: TermsBlock,
        prior_hit: float = 0.7,
        prior_miss: float = 0.02,
        scheme: Any = None,
    ) -> None:
        self.blocks = list(blocks)
        self.coef = np.ascontiguousarray(coef, dtype=np.float64)
        n_features = sum(b.n_features for b in self.blocks)
        if self.coef.shape != (len(learned_themes), n_features):
            raise ValueError(
                f"weights of shape {self.coef.shape} do not fit {len(learned_themes)} themes x "
                f"{n_features} features"
            )
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.calibration = np.asarray(calibration, dtype=np.float64).reshape(-1, 2)
        self.classes = list(classes)
        self.learned_themes = list(learned_themes)
        self.prior_themes = list(prior_themes)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        self.terms = terms
        self.prior_hit, self.prior_miss = prior_hit, prior_miss
        self.scheme = scheme
        self.offsets = np.cumsum([0] + [b.n_features for b in self.blocks])[:-1].tolist()
        self._block_coef = {
            b.name: np.ascontiguousarray(self.coef[:, o : o + b.n_features])
            for b, o in zip(self.blocks, self.offsets, strict=True)
        }
        self._learned_columns = [self.classes.index(t) for t in self.learned_themes]
        self._prior_columns = [self.classes.index(t) for t in self.prior_themes]

    def batch(
        self, texts: Sequence[str], functions: Sequence[str] | None = None, **context: Any
    ) -> ClauseBatch:
        texts = list(texts)
        heads = list(functions) if functions is not None else [""] * len(texts)
        return ClauseBatch(texts, heads, dict(context))

    def decision_function(self, batch: ClauseBatch) -> np.ndarray:
        """Logistic scores of the learned themes, shape ``(n_clauses, n_learned)``."""
        n, k = len(batch), len(self.learned_themes)
        scores = np.tile(self.intercept, (n, 1)) if n else np.zeros((0, k))
        if not k or not n:
            return scores
        for block, offset in zip(self.blocks, self.offsets, strict=True):
            weights = self._block_coef[block.name]
            if block is self.terms:
                scores += (self.terms.dense(batch) * self.terms.weight) @ weights.T
                continue
            if hasattr(block, "score"):  # a block that computes its own product
                scores += block.score(batch, weights)
                continue
            rows, cols, values = block(batch)
            scores += self._combine(rows, cols + offset, values, n)
        return scores

    def _combine(
        self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n: int
    ) -> np.ndarray:
        """The sparse product of one block's entries with the weights, ``(n, n_learned)``."""
        out = np.empty((n, len(self.learned_themes)))
        for k, weights in enumerate(self.coef):
            out[:, k] = np.bincount(rows, weights=values * weights[cols], minlength=n)
        return out

    def predict_proba(self, batch: ClauseBatch) -> np.ndarray:
        """Probabilities ``(n_clauses, n_classes)`` as ``ThemeClassifier.predict_proba``."""
        n = len(batch)
        out = np.empty((n, len(self.classes)))
        scores = self.decision_function(batch)
        for k, column in enumerate(self._learned_columns):
            a, b = self.calibration[k]
            out[:, column] = _expit(a * scores[:, k] + b)
        if self._prior_columns:
            hit = self.terms.dense(batch)[:, 0::3]
            for column in self._prior_columns:
                out[:, column] = np.where(hit[:, column] > 0, self.prior_hit, self.prior_miss)
        return out

    def predict(self, batch: ClauseBatch) -> np.ndarray:
        return (self.predict_proba(batch) >= self.thresholds).astype(int)

    def explain(
        self,
        text: str,
        function: str = "",
        top: int = 5,
        themes: Sequence[str] | None = None,
        context: dict[str, str] | None = None,
    ) -> dict[str, list[tuple[str, float]]]:
        """As :meth:`ThemeClassifier.explain`: the strongest contributions per theme.

        ``context`` gives the clause's ``prev_text``, ``next_text`` and
        ``section_title``; the context block's entries are named ``context: ...``.
        """
        given = {k: [str((context or {}).get(k) or "")] for k in CONTEXT_COLUMNS}
        batch = self.batch([text], [function], **given)
        if themes is None:
            row = self.predict(batch)[0]
            themes = [t for t, on in zip(self.classes, row, strict=True) if on]
        unknown = [t for t in themes if t not in self.classes]
        if unknown:
            raise ValueError(
                f"Unknown theme {unknown[0]!r}; valid themes: {', '.join(self.classes)}"
            )
        term_hits, _ = self.terms.matcher.hits(text)
        entries = []
        for block, offset in zip(self.blocks, self.offsets, strict=True):
            _, cols, values = block(batch)
            entries += [
                (block, int(c), offset + int(c), float(v))
                for c, v in zip(cols, values, strict=True)
            ]
        result: dict[str, list[tuple[str, float]]] = {}
        for theme in themes:
            if theme in self.prior_themes or theme not in self.learned_themes:
                found = term_hits.get(theme, [])
                result[theme] = [(f"term '{t}' (prior)", self.prior_hit) for t in found[:top]]
                continue
            coef = self.coef[self.learned_themes.index(theme)]
            parts: dict[str, float] = {}
            for block, col, column, value in entries:
                name = block.feature_name(col)
                if name.startswith("chars "):
                    name = "character n-grams (sum)"
                elif name.startswith(("terms of ", "term count of ")):
                    owner = name.rsplit(" ", 1)[1]
                    name = f"{name} ({', '.join(dict.fromkeys(term_hits.get(owner, [])))})"
                parts[name] = parts.get(name, 0.0) + value * float(coef[column])
            ranked = sorted(((n, v) for n, v in parts.items() if v > 0), key=lambda p: -p[1])
            result[theme] = [(n, round(v, 4)) for n, v in ranked[:top]]
        return result


# ------------------------------------------------------------------ model folders

# ThemeClassifier's defaults, for a saved state that lacks a parameter.
_DEFAULTS = {
    "word_ngram_range": (1, 2),
    "char_ngram_range": (2, 5),
    "char_weight": 2.0,
    "term_weight": 0.5,
    "function_weight": 0.5,
}


def predictor_from_state(
    state: dict[str, Any], arrays: dict[str, np.ndarray], scheme: Any
) -> FastThemePredictor:
    """Build the predictor from a model folder's ``classifier.json`` and ``.npz`` contents.

    Raises
    ------
    KeyError, TypeError, ValueError
        A state that does not fit (the caller turns these into ``ModelFileError``).
    """
    params = {**_DEFAULTS, **dict(state.get("params") or {})}
    vocabulary = state["vocabulary"]
    char_range = params.get("char_ngram_range")
    has_char = char_range is not None and vocabulary.get("char") is not None
    text = TextBlock(
        vocabulary["word"],
        arrays["word_idf"],
        tuple(params["word_ngram_range"]),
        vocabulary["char"] if has_char else None,
        arrays["char_idf"] if has_char else None,
        tuple(char_range) if has_char else None,
        float(params["char_weight"]),
    )
    if len(text.word_idf) != text.n_word or (has_char and len(text.char_idf) != text.n_char):
        raise ValueError("idf vectors do not match the vocabularies")
    function = FunctionBlock(vocabulary["function"], float(params["function_weight"]))
    terms = TermsBlock(TermMatcher(scheme), float(params["term_weight"]))
    prior = [*state["too_few_positives"], *state.get("prior_themes", [])]
    blocks: list[FeatureBlock] = [text, function, terms]
    if float(params.get("context_weight") or 0.0) > 0:
        blocks.append(ContextBlock(terms.matcher, float(params["context_weight"])))
    return FastThemePredictor(
        blocks,
        arrays["coef"],
        arrays["intercept"],
        np.asarray(state["calibration"], dtype=float).reshape(-1, 2),
        list(state["classes"]),
        list(state["learned_themes"]),
        prior,
        np.asarray(state["thresholds"], dtype=float),
        terms,
        scheme=scheme,
    )
