"""Page furniture that no fixed pattern names, and the text the classifier sees.

PDF text repeats running headers and footers on every page ("PP-22 – Final
Acts", "Res. 70", "WTDC-22 – Final Report"), puts page numbers and footnotes at
the foot of each page, wraps lines and hyphenates words across them. The fixed
patterns of :mod:`itunlp.segmentation.rules` know the usual document numbers and page
numbers; :func:`furniture_lines` finds the rest from the layout of the file
itself: the lines next to a page break (a form feed or a page-number line) that
are short and carry no sentence, lines that recur on their own across the file,
and footnote blocks under a rule (``______``). Clause offsets always stay exact in
the raw text; :func:`clean_clause_text` gives the classifier each clause with the
line wraps joined, hyphenation across line breaks undone and any furniture a
page break left inside the span removed.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence

__all__ = ["HYPHENATED_PREFIXES", "clean_clause_text", "furniture_lines"]

#: A line of a rule that opens the footnotes at the foot of a PDF page: "________".
FOOTNOTE_RULE = re.compile(r"[_]{5,}|[-‐‑–—]{10,}|[─━]{5,}")

#: Longest line (characters) that may be a running header or footer.
MAX_HEADER_CHARS = 80

#: Longest footnote block (lines) under a rule; a longer run is text, not a footnote.
MAX_FOOTNOTE_LINES = 8

#: Word beginnings that keep their hyphen when a line break falls after it:
#: "Secretary-\nGeneral" keeps it because a capital follows; "gender-\nresponsive",
#: "low-\nincome", "non-\ngovernmental" keep it because these prefixes take one.
HYPHENATED_PREFIXES = frozenset(
    """
    self non cross well long short low high middle small medium large multi co ex
    gender age cost state world two three four five one full part first second third
    follow mid pre post inter anti sub e m semi ill decision policy rights user
    human time data science sector region country peer open closed up down
    """.split()
)

#: A hyphen that ends a line, with the line break and any spaces after it.
_LINE_END_HYPHEN = re.compile(r"([^\W\d_]{0,40})-[ \t]*\n[ \t]*(?=(\w))")

#: Any run of whitespace holding a line break, or a run of spaces/tabs.
_WRAP = re.compile(r"\s+")


def furniture_lines(
    text: str,
    lines: Sequence[tuple[int, int]],
    is_page_number: Callable[[str], bool],
    is_structure: Callable[[str], bool],
) -> set[int]:
    """Indices of lines that are page furniture found from the file's own layout.

    Parameters
    ----------
    text : str
        The document.
    lines : sequence of (start, end)
        Each line's stripped bounds (``start == end`` for a blank line).
    is_page_number : callable
        Whether a stripped line is a page number or a fixed furniture line.
    is_structure : callable
        Whether a stripped line is a heading, a section title or a change
        marker, which is never furniture.

    Returns
    -------
    set of int
        Line indices to drop: short lines standing alone next to a form feed or
        a page-number line, short lines that recur standing alone, and footnote
        blocks under a rule.
    """
    found: set[int] = set()
    n = len(lines)
    if n < 3:
        return found

    def short_label(i: int) -> bool:
        start, end = lines[i]
        if start == end or end - start > MAX_HEADER_CHARS:
            return False
        if text[end - 1] in ".;:,!?":
            return False
        line = text[start:end]
        return not is_structure(line)

    def alone(i: int) -> bool:
        """Blank or page edge on both sides: a one-line paragraph."""
        before = i == 0 or lines[i - 1][0] == lines[i - 1][1] or _page_break_before(text, lines, i)
        after = (
            i + 1 >= n
            or lines[i + 1][0] == lines[i + 1][1]
            or _page_break_before(text, lines, i + 1)
        )
        return before and after

    # 1. After a form feed: the first lines of the page, up to a blank line
    #    (one pass: each gap between two lines is searched once).
    if "\f" in text:
        pending = taking = False
        previous_end = 0
        for i, (s, e) in enumerate(lines):
            if text.find("\f", previous_end, max(s, previous_end)) >= 0:
                pending, taking = True, False
            previous_end = max(e, previous_end)
            if s == e:
                taking = False
                continue
            if pending:
                pending, taking = False, True
            if taking:
                if short_label(i):
                    found.add(i)
                else:
                    taking = False

    # 2. Next to a page-number line: a short label alone just before or after it,
    #    or sharing a two-line block with it.
    pages = [
        i for i, (s, e) in enumerate(lines) if s < e and e - s <= 16 and is_page_number(text[s:e])
    ]
    for p in pages:
        for step in (1, -1):
            j = p + step
            while 0 <= j < n and lines[j][0] == lines[j][1]:
                j += step
            # Alone ("56", blank, "Res. 70"), or paired with the page number in a
            # block of two lines ("- 56 -" over "PP-22 – Res. 70").
            if (
                0 <= j < n
                and short_label(j)
                and (alone(j) or (j == p + step and _small_block(lines, j)))
                and _header_like(text[lines[j][0] : lines[j][1]])
            ):
                found.add(j)

    # 3. Short labels that recur standing alone, page numbers aside ("PP-22 – Final
    #    Acts 56" and "... 57" are one header), and lines that recur three times or
    #    more anywhere, with the short lines of their small block ("WRC-23 – Final
    #    Acts" above "RES7-2").
    counts: Counter[str] = Counter()
    often: Counter[str] = Counter()
    paged: Counter[str] = Counter()
    for i, (s, e) in enumerate(lines):
        if s < e and e - s <= MAX_HEADER_CHARS:
            if alone(i):
                counts[_shape(text[s:e])] += 1
            if text[e - 1] not in ".;:,!?":
                often[text[s:e]] += 1
                if text[e - 1].isdigit() and _PAGE_COLUMN.search(text, max(s, e - 12), e):
                    paged[_shape(text[s:e])] += 1
    alone_repeated = {shape for shape, c in counts.items() if c >= 2}
    anywhere_repeated = {line for line, c in often.items() if c >= 3}
    # A line whose page number sits in a column after a wide gap ("Final Acts PP-22
    # <spaces> 211") and that recurs three times with other numbers is a running
    # header or footer wherever it stands, even glued to the text of the page.
    paged_repeated = {shape for shape, c in paged.items() if c >= 3}
    if alone_repeated or anywhere_repeated or paged_repeated:
        for i, (s, e) in enumerate(lines):
            if s == e or e - s > MAX_HEADER_CHARS:
                continue
            line = text[s:e]
            if paged_repeated and _shape(line) in paged_repeated:
                hit = _PAGE_COLUMN.search(line) is not None
            elif line in anywhere_repeated:
                hit = alone(i) or _small_block(lines, i) or _shape(line) in alone_repeated
            else:
                hit = _shape(line) in alone_repeated and alone(i)
            if hit and short_label(i):
                found.add(i)
                for j in (i - 1, i + 1):
                    if 0 <= j < n and _small_block(lines, j) and short_label(j):
                        found.add(j)

    # 4. Footnotes: a rule, then the lines up to a blank line or a page break.
    for i, (s, e) in enumerate(lines):
        if s < e and e - s <= 200 and FOOTNOTE_RULE.fullmatch(text, s, e):
            block = [i]
            j = i + 1
            while j < n and lines[j][0] != lines[j][1] and len(block) <= MAX_FOOTNOTE_LINES:
                if _page_break_before(text, lines, j):
                    break
                block.append(j)
                j += 1
            if len(block) <= MAX_FOOTNOTE_LINES:
                found.update(block)
    _unruled_footnotes(text, lines, is_page_number, found)
    return found


#: The start of a footnote line: its number, a space, a capital: "1 Including ...".
_FOOTNOTE_START = re.compile(r"([1-9]\d?|[¹²³⁴⁵⁶⁷⁸⁹])[ \t]+[A-Z\"“(]")


def _unruled_footnotes(
    text: str,
    lines: Sequence[tuple[int, int]],
    is_page_number: Callable[[str], bool],
    found: set[int],
) -> None:
    """Footnotes with no rule above them, added to ``found``.

    A line "1 Including the least developed countries ..." is a footnote when a word
    earlier in the text carries that number glued to it ("countries1") and the line,
    with the lines that wrap it, stands at the foot of a page: nothing but blank
    lines between it and a page number, a form feed, other furniture or the end.
    """
    n = len(lines)
    first_mark: dict[str, int] = {}  # where each number first stands glued to a word
    starts = [a for a, _ in lines]
    i = 0
    for number_at in _LINE_STARTS_NUMBER.finditer(text):
        pos = number_at.end() - 1
        c = bisect.bisect_right(starts, pos) - 1
        if c < i:
            continue
        i = c
        s, e = lines[i]
        if s == e or s != pos or i in found:
            continue
        m = _FOOTNOTE_START.match(text, s, e)
        if m is None:
            continue
        number = m.group(1)
        if number not in first_mark:
            hit = _glued_mark(number).search(text)
            first_mark[number] = hit.start() if hit else len(text)
        if first_mark[number] >= s:
            continue
        j = i
        while j < n and lines[j][0] != lines[j][1] and j - i < MAX_FOOTNOTE_LINES:
            if j > i and (j in found or _page_break_before(text, lines, j)):
                break
            if j > i and is_page_number(text[lines[j][0] : lines[j][1]]):
                break
            j += 1
        k = j
        while k < n and lines[k][0] == lines[k][1]:
            k += 1
        at_foot = (
            k >= n
            or k in found
            or _page_break_before(text, lines, k)
            or is_page_number(text[lines[k][0] : lines[k][1]])
        )
        if at_foot:
            found.update(range(i, j))
        i = max(j, i + 1)


#: A line that starts with a footnote number (after its indentation).
_LINE_STARTS_NUMBER = re.compile(r"^[ \t]*[1-9¹²³⁴⁵⁶⁷⁸⁹]", re.MULTILINE)


@functools.lru_cache(maxsize=128)
def _glued_mark(number: str) -> re.Pattern[str]:
    """A footnote mark ``number`` glued to the word it annotates: "countries1", "(see
    the annex)2"."""
    return re.compile(rf"(?:[a-z]{{2}}|[^\W_][)\]”’]){re.escape(number)}(?=[\s,;.:)])")


def _header_like(line: str) -> bool:
    """Mostly capitalised words or codes, as running heads are ("PP-22 – Final Acts",
    "Res. 70"); not a wrapped line of text ("1 to continue to support the ...")."""
    words = line.split()
    caps = sum(1 for w in words if not w[0].islower())
    return caps * 2 >= len(words)


_DIGITS = re.compile(r"\d+")

#: A page number in a column at the end of a line, after a tab or three spaces:
#: "Final Acts PP-22            211", "Res. 102\t212".
_PAGE_COLUMN = re.compile(r"(?:\t|   )[ \t]*\d{1,4}\Z")


def _shape(line: str) -> str:
    """A line with its numbers blanked: running headers differ only by page number."""
    return _DIGITS.sub("#", line) if _DIGITS.search(line) else line


def _small_block(lines: Sequence[tuple[int, int]], i: int) -> bool:
    """Whether line ``i`` sits in a run of at most two non-blank lines."""
    n = len(lines)
    if lines[i][0] == lines[i][1]:
        return False
    lo = i
    while lo > 0 and lines[lo - 1][0] != lines[lo - 1][1]:
        lo -= 1
        if i - lo > 2:
            return False
    hi = i
    while hi + 1 < n and lines[hi + 1][0] != lines[hi + 1][1]:
        hi += 1
        if hi - lo > 1:
            return False
    return hi - lo <= 1


def _page_break_before(text: str, lines: Sequence[tuple[int, int]], i: int) -> bool:
    """Whether a form feed lies between line ``i - 1`` and line ``i``."""
    if i <= 0:
        return False
    return text.find("\f", lines[i - 1][1], lines[i][0] + 1) >= 0


def clean_clause_text(text: str, skip: Sequence[tuple[int, int]] = (), offset: int = 0) -> str:
    """A clause as the classifier should read it: one line, words whole.

    Line wraps become single spaces and a word hyphenated across a line break is
    joined (``strength-\\nening`` -> ``strengthening``), except where the hyphen
    belongs to the word: before a capital or a digit (``Secretary-\\nGeneral``,
    ``ITU-\\nT``) and after a prefix that takes one (``low-\\nincome``, see
    :data:`HYPHENATED_PREFIXES`). Page furniture that a page break left inside
    the clause is removed first.

    Parameters
    ----------
    text : str
        The clause's exact span.
    skip : sequence of (start, end)
        Furniture ranges inside the span, as offsets of the document.
    offset : int
        The document offset of ``text[0]`` (the clause's ``start``).

    Returns
    -------
    str

    Examples
    --------
    >>> clean_clause_text("the strength-\\nening of the Secretary-\\nGeneral's role")
    "the strengthening of the Secretary-General's role"
    >>> clean_clause_text("low-\\nincome and tele-\\ncommunication")
    'low-income and telecommunication'
    """
    if skip:
        pieces = []
        pos = 0
        for a, b in sorted(skip):
            a, b = a - offset, b - offset
            if a < pos or b > len(text):
                continue
            pieces.append(text[pos:a])
            pos = b
        pieces.append(text[pos:])
        text = "\n".join(pieces)
    if "\n" not in text and "\r" not in text and "\f" not in text:
        return text if "  " not in text and "\t" not in text else _WRAP.sub(" ", text)
    if "-" in text:
        text = _LINE_END_HYPHEN.sub(_join_hyphen, text.replace("\r\n", "\n").replace("\r", "\n"))
    return _WRAP.sub(" ", text).strip()


def _join_hyphen(m: re.Match[str]) -> str:
    left, nxt = m.group(1), m.group(2)
    if not left or nxt.isupper() or nxt.isdigit() or left.lower() in HYPHENATED_PREFIXES:
        return f"{left}-"
    return left
