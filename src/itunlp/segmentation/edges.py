"""When two offsets are the same clause edge: the matching rule of segmentation scores.

Shared by the scorer (:mod:`itunlp.evaluation.segmentation`) and the boundary
trainer (:mod:`.boundary_training`), which labels candidates with it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["edges_match"]


#: One list or resolution item marker, as a whole whitespace-separated token.
_ITEM_MARKER = re.compile(
    r"\(?(?:[a-zA-Z]|[ivxlcIVXLC]{1,6}|\d{1,3}(?:\.\d{1,3})*)[.)]{0,2}|[•⁃▪◦●‣∙·■□►▶➢✓*\-–—]"
)


#: Gold and predicted edges further apart than this cannot match (a marker and
#: some spaces are short); it bounds the search.
_MAX_EDGE_GAP = 64


def _is_filler(ch: str) -> bool:
    """Whitespace, punctuation or a quote: what may separate two matching edges."""
    return ch.isspace() or unicodedata.category(ch)[0] in "PS"


def edges_match(text: str, a: int, b: int) -> bool:
    """Whether two offsets of ``text`` are the same edge under the scoring rule.

    Parameters
    ----------
    text : str
        The document.
    a, b : int
        Two offsets (a clause start and a gold start, or two ends).

    Returns
    -------
    bool
        True when only whitespace, punctuation, quotes and at most one item
        marker lie between them.

    Examples
    --------
    >>> edges_match("a) that the ITU", 0, 3)
    True
    >>> edges_match("the ITU", 0, 4)
    False
    """
    lo, hi = (a, b) if a <= b else (b, a)
    if hi - lo > _MAX_EDGE_GAP:
        return False
    between = text[lo:hi]
    if all(_is_filler(ch) for ch in between):
        return True
    markers = 0
    for token in between.split():
        if all(_is_filler(ch) for ch in token):
            continue
        if _ITEM_MARKER.fullmatch(token.strip("\"'“”‘’")) and markers == 0:
            markers += 1
            continue
        return False
    # A marker at the very edge may touch the following word only via whitespace.
    return True
