"""All themes' terms and traps in one pass over a batch of clauses.

:class:`~itunlp.themes.scheme.ThemeScheme` writes each theme's terms as one regular
expression (and its traps as another) and scans a clause with each, about 17 scans
per clause. :class:`TermMatcher` gives exactly the same hits in one pass: a trie
of every stem finds where some term can start, and only there do the few themes
with a term beginning with the same letters try their pattern (restricted to those
terms, in the original order).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from itunlp.themes.scheme import terms_pattern

__all__ = ["TermMatcher"]


def _stem_key(term: str) -> str | None:
    """Up to three leading letters of a term, lower case; None when not plain ASCII."""
    stem = term.rstrip("*")
    cut = len(stem)
    for index, char in enumerate(stem):
        if char.isspace():
            cut = index
            break
    key = stem[: min(3, cut)]
    if not key or not key.isascii():
        return None
    return key.lower()


# Characters outside ASCII that re.IGNORECASE matches with an ASCII letter and that
# str.lower() leaves alone (found by trying every code point): the long s and the
# dotless i. (The Kelvin sign lower-cases to "k"; the dotted capital I changes the
# text's length when lower-cased, which sends the scan down the case-folding path.)
_FOLDS_TO_ASCII = {"s": "[s\u017f]", "i": "[i\u0131]"}


def _trie_regex(stems: Sequence[str], lowered: bool = False) -> str:
    """A regex matching where any stem starts (a stem's whitespace as ``\\s+``).

    With ``lowered``, the stems are lower-case ASCII and the regex is for lower-cased
    text: case-sensitive, which the regex engine runs about twice as fast.
    """
    root: dict[str, dict] = {}
    for stem in stems:
        node = root
        for char in stem:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        if "" in node:
            return ""  # a stem ends here: enough for a candidate
        parts = [
            (
                r"\s+"
                if char == " "
                else _FOLDS_TO_ASCII.get(char, re.escape(char))
                if lowered
                else re.escape(char)
            )
            + emit(child)
            for char, child in sorted(node.items())
        ]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return emit(root)


class TermMatcher:
    """All themes' term and trap hits in one pass (same hits as :class:`ThemeScheme`).

    Each theme's terms form one regular expression in :mod:`itunlp.themes`,
    scanned left to right without overlaps. Here one trie regex over every stem
    finds the positions where any term can begin; at each, only the themes with
    a term starting with the same (up to three, case-folded) letters try their
    pattern restricted to those terms, in the original order, and a theme skips
    positions inside its previous hit. That reproduces each theme's own scan
    exactly. Text whose first letters at a candidate are not ASCII is checked
    with the themes' complete patterns.

    Parameters
    ----------
    scheme : ThemeScheme

    Examples
    --------
    >>> from itunlp.themes.scheme import load_themes
    >>> matcher = TermMatcher(load_themes())
    >>> counts = matcher.counts(["The financial security of the Union"])
    >>> j = matcher.themes.index("cybersecurity")
    >>> counts[0, j].tolist()  # (term hits, trap hits)
    [1, 1]
    """

    def __init__(self, scheme: Any) -> None:
        self.themes = list(scheme.ids)
        # One slot per theme and kind (0 terms, 1 traps) that has a pattern.
        self.slots: list[tuple[int, int]] = []
        full: list[tuple[int, re.Pattern[str]]] = []
        by_key: dict[str | None, list[tuple[int, str]]] = {}
        stems: set[str] = set()
        slot_terms: list[list[str]] = []
        for j, theme_id in enumerate(self.themes):
            theme = scheme[theme_id]
            for kind, terms in ((0, theme.terms), (1, theme.traps)):
                pattern = terms_pattern(terms)
                if pattern is None:
                    continue
                slot = len(self.slots)
                self.slots.append((j, kind))
                full.append((slot, re.compile(pattern)))
                slot_terms.append(list(terms))
                for term in terms:
                    stems.add(term.rstrip("*"))
                    by_key.setdefault(_stem_key(term), []).append((slot, term))
        self._full = tuple(full)
        self._candidates = re.compile(r"(?<![\w-])(?=(?i:" + _trie_regex(sorted(stems)) + "))")
        # The same candidates, found faster in lower-cased text when every stem is ASCII.
        ascii_stems = all(stem.isascii() for stem in stems)
        self._lower_candidates = (
            re.compile(
                r"(?<![\w-])(?=" + _trie_regex(sorted({s.lower() for s in stems}), True) + ")"
            )
            if ascii_stems and stems
            else None
        )
        wild = set(by_key.get(None, []))

        def entries(keys: set[str]) -> tuple[tuple[int, re.Pattern[str]], ...]:
            # Per slot, the terms whose key is one of ``keys`` (or not ASCII), in the
            # slot's own order, as one pattern: the same first match as the full one.
            out = []
            for slot, terms in enumerate(slot_terms):
                chosen = [t for t in terms if _stem_key(t) in keys or (slot, t) in wild]
                pattern = terms_pattern(chosen)
                if pattern is not None:
                    out.append((slot, re.compile(pattern)))
            return tuple(out)

        keys = [k for k in by_key if k is not None]
        self._by3 = {k: entries({k, k[:2], k[:1]}) for k in keys if len(k) == 3}
        self._by2 = {k: entries({k, k[:1]}) for k in keys if len(k) == 2}
        self._by1 = {k: entries({k}) for k in keys if len(k) == 1}
        self._wild = entries(set())
        self.n_slots = len(self.slots)

    def _scan(
        self, texts: Sequence[str], record: Callable[[int, int, re.Match[str]], None]
    ) -> None:
        """Call ``record(clause, slot, match)`` for every hit, in text order per slot."""
        # "\0" is neither a word character, a hyphen nor whitespace: no pattern can
        # match across it, and a clause start looks like a string start to every
        # lookbehind. Offsets map hits back to clauses.
        joined = "\0".join(texts)
        starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]]) if texts else np.zeros(0)
        last_end = [0] * self.n_slots
        by3, by2, by1, wild, full = self._by3, self._by2, self._by1, self._wild, self._full
        positions = []
        found = []
        candidates = None
        if self._lower_candidates is not None:
            lowered = joined.lower()
            if len(lowered) == len(joined):  # same offsets (no dotted capital I)
                candidates = self._lower_candidates.finditer(lowered)
        if candidates is None:
            candidates = self._candidates.finditer(joined)
        for candidate in candidates:
            pos = candidate.start()
            head = joined[pos : pos + 3]
            if head.isascii():
                key = head.lower()
                tries = by3.get(key) or by2.get(key[:2]) or by1.get(key[:1]) or wild
            else:
                tries = full
            for slot, pattern in tries:
                if pos < last_end[slot]:
                    continue
                match = pattern.match(joined, pos)
                if match is not None:
                    last_end[slot] = match.end()
                    positions.append(pos)
                    found.append((slot, match))
        if not found:
            return
        rows = np.searchsorted(starts, np.asarray(positions), side="right") - 1
        for row, (slot, match) in zip(rows.tolist(), found, strict=True):
            record(row, slot, match)

    def counts(self, texts: Sequence[str]) -> np.ndarray:
        """Hit counts of shape ``(n_texts, n_themes, 2)``: terms, then traps."""
        out = np.zeros((len(texts), len(self.themes), 2), dtype=np.int64)
        if not texts:
            return out
        hits: list[tuple[int, int]] = []
        self._scan(texts, lambda row, slot, match: hits.append((row, slot)))
        if hits:
            rows, slots = np.asarray(hits).T
            slot_theme = np.array([j for j, _ in self.slots])
            slot_kind = np.array([k for _, k in self.slots])
            np.add.at(out, (rows, slot_theme[slots], slot_kind[slots]), 1)
        return out

    def hits(self, text: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """``(term_hits, trap_hits)`` of one text, as the scheme's methods give them."""
        found: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})

        def record(row: int, slot: int, match: re.Match[str]) -> None:
            j, kind = self.slots[slot]
            found[kind].setdefault(self.themes[j], []).append(match.group(0))

        self._scan([text], record)
        order = {t: i for i, t in enumerate(self.themes)}
        return tuple(dict(sorted(d.items(), key=lambda kv: order[kv[0]])) for d in found)  # type: ignore[return-value]
