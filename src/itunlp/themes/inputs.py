"""Clause inputs as the theme models take them: texts, headings and the heading's kind.

Import-light (pandas, no scikit-learn): both the estimator
(:mod:`itunlp.themes.classifier`) and the numpy predictor
(:mod:`itunlp.themes.inference`) read their inputs through these functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["coerce_clauses", "function_kind"]

# First words of ITU resolution headings. A preamble states context ("considering
# that ..."), an operative heading orders action ("instructs the Director ..."):
# the same clause text means something different under each.
_PREAMBLE_WORDS = frozenset(
    """recalling considering recognizing recognising noting bearing having emphasizing
    emphasising aware convinced mindful acknowledging taking observing concerned welcoming
    reaffirming affirming stressing underlining highlighting expressing alarmed deeply
    appreciating realizing realising guided referring""".split()
)
_OPERATIVE_WORDS = frozenset(
    """resolves resolve decides decide instructs instruct invites invite encourages encourage
    requests request calls urges urge asks appeals charges directs endorses approves adopts
    recommends recommend accepts agrees declares""".split()
)
_HEADING_PREFIXES = frozenset({"further", "also", "and", "firmly", "strongly", "moreover"})


def function_kind(function: str) -> str:
    """Classify a resolution heading as ``preamble``, ``operative``, ``other`` or ``none``.

    Parameters
    ----------
    function : str
        The clause's heading in lower case, or ``""`` for prose.

    Returns
    -------
    str

    Examples
    --------
    >>> function_kind("recognizing further"), function_kind("further resolves")
    ('preamble', 'operative')
    >>> function_kind("")
    'none'
    """
    words = function.lower().split()
    if not words:
        return "none"
    while len(words) > 1 and words[0] in _HEADING_PREFIXES:
        words = words[1:]
    if words[0] in _PREAMBLE_WORDS:
        return "preamble"
    if words[0] in _OPERATIVE_WORDS:
        return "operative"
    return "other"


def coerce_clauses(X: Any, functions: Sequence[str] | None = None) -> tuple[list[str], list[str]]:
    """Clause texts and their headings from the inputs the estimator accepts.

    Parameters
    ----------
    X : list of str, pandas.Series, numpy array of str, or DataFrame
        Clause texts; a DataFrame needs a ``text`` column and may have ``function``.
    functions : sequence of str, optional
        Headings, one per clause, when ``X`` is not a DataFrame.

    Returns
    -------
    texts, functions : list of str, list of str

    Raises
    ------
    TypeError
        A single string (wrap it in a list) or a non-text clause.
    ValueError
        A DataFrame without ``text`` or functions of the wrong length.

    Examples
    --------
    >>> coerce_clauses(["Spectrum is scarce."], ["considering"])
    (['Spectrum is scarce.'], ['considering'])
    """
    if isinstance(X, str | bytes):
        raise TypeError("Expected a list of clause texts, got a single string; wrap it: [text]")
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise ValueError(
                "A DataFrame of clauses needs a 'text' column; found "
                + ", ".join(map(str, X.columns))
            )
        texts = X["text"].tolist()
        if functions is None and "function" in X.columns:
            functions = X["function"].tolist()
    else:
        try:
            texts = list(X)
        except TypeError:
            raise TypeError(
                f"Expected a list of clause texts or a DataFrame, got {type(X).__name__}"
            ) from None
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"Clause {index} is {type(text).__name__} {text!r}, expected str; "
                "pass clause texts (use '' for a blank clause)"
            )
    if functions is None:
        heads = [""] * len(texts)
    else:
        if isinstance(functions, str):
            raise TypeError("functions must be a list of headings, one per clause, not a string")
        heads = [
            "" if f is None or (isinstance(f, float) and math.isnan(f)) else str(f)
            for f in functions
        ]
        if len(heads) != len(texts):
            raise ValueError(f"Got {len(texts)} clauses but {len(heads)} functions")
    return texts, [" ".join(h.lower().split()) for h in heads]
