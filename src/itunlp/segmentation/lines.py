"""Line-level reading for the layout pass: bounds, furniture, section lines, item markers.

Each function looks at one stripped line (or the start of one) of the raw text;
:mod:`itunlp.segmentation.layout` decides from them what the line is in its
context. All patterns are linear in the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from itunlp.segmentation import rules
from itunlp.segmentation.headings import LEAD_BULLETS
from itunlp.segmentation.sections import SECTION_LINE

#: Web-page furniture alone on a line: breadcrumbs ("Home > Events > PP-22"),
#: "Print this page", "Share", "Download PDF", "Last updated: ...", "© ITU 2024".
WEB_FURNITURE = re.compile(
    r"(?:Home|HOME|You are here:?)\s*(?:[>›»/|]\s*[^>›»\n]{1,80}){1,8}"
    r"|[^\n>›»]{1,60}(?:\s[>›»]\s[^\n>›»]{1,60}){2,8}"
    r"|(?:Print(?: this page| version)?|Share(?: this(?: page| article)?)?"
    r"|Download(?: (?:PDF|as PDF|Word))?"
    r"|Email this page|Back to top|Top of page|©.*|Copyright\s.*"
    r"|(?:Last|Page last) (?:updated|modified|reviewed)(?: on)?:?\s.{0,40}"
    # cookie banners: "We use cookies to ...", "Accept all cookies", "Cookie settings"
    r"|(?:We|This (?:web)?site) uses? cookies\b.{0,200}|(?:Accept|Reject)(?: all)? cookies"
    r"|Cookie (?:settings|policy|preferences)|Manage cookies)"
)

#: Running headers that name the text in short, and page references of Final Acts,
#: alone on a line: "Res. 70", "RES. 130 (REV. BUCHAREST, 2022)", "Dec. 614",
#: "Rec. 12", "Art. 3", "RES7-2", "DEC614-3", and a proposal number on a line of its
#: own under its change marker ("ACP/64A1/1").
PAGE_REFERENCE = re.compile(
    r"(?:[A-Z]{2,4}/)?(?:Res|RES|Rec|REC|Dec|DEC|Art|ART)\.\s*\d{1,4}[A-Z]?"
    r"(?:\s*\([^()\n]{0,60}\))?"
    r"|(?:RES|REC|DEC|ART)\d{1,4}[A-Z]?-\d{1,3}"
    r"|[A-Z]{2,6}/\d{1,3}[A-Z]{0,3}\d{0,3}/\d{1,3}"  # a proposal number alone: ACP/64A1/1
)

#: A treaty provision number before its text: "5A.1", "6.2.1bis", "12bis", "3.1",
#: "6bis.1" (a provision of an inserted article).
PROVISION_MARKER = re.compile(
    r"\d{1,3}(?:[A-Z]|bis|ter|quater)?(?:\.\d{1,3})+(?:bis|ter|quater)?"
    r"(?=[ \t\u00a0]+\S)[ \t\u00a0]+"
    r"|\d{1,3}[A-Z]?(?:bis|ter|quater)(?=[ \t\u00a0]+\S)[ \t\u00a0]+"
)

#: A number in a margin column: digits (and a letter) then a tab or two spaces or more.
_MARGIN_NUMBER = re.compile(r"\d{1,4}[A-Z]?(?:\t|  )[ \t]*")

#: A number followed by a tab, which marks a numbered paragraph in any text: "1\tDraft".
_TABBED_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,3})*\.?\t[ \t]*(?=\S)")

#: A bold label before an item ("**AFR1:** Building ...", "**EUR-2.** ...", "**1.**",
#: "**(b)**"): a marker in web text, like "a)" in a list.
_BOLD_LABEL = re.compile(
    r"(\*\*|__)(?:[A-Z]{1,6}-?\d{1,3}[.:]|\d{1,2}(?:\.\d{1,2})*[.)]?|\(?[a-z]\))\1[ \t]+(?=\S)"
)

_SECTION_FIRST = frozenset("#*MADNSRrDdOoAaPpCc")


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each line's content without its line break.

    Every break ``str.splitlines`` knows counts ("\\r\\n", "\\r", form feeds
    between PDF pages, "\\u2028" ...), so old Mac files and PDF text lay out
    like any other.
    """
    pos = 0
    for m in rules.LINE_BREAK.finditer(text):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(text)


def _strip_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink (start, end) past surrounding whitespace and byte-order marks."""
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == "\ufeff"):
        end -= 1
    return start, end


#: Every whole-line furniture pattern in one alternation: one regex call per line.
_ANY_FURNITURE = re.compile(
    "|".join(
        f"(?:{p.pattern})" for p in (*rules.FURNITURE_LINE_PATTERNS, WEB_FURNITURE, PAGE_REFERENCE)
    )
)


def _is_furniture(line: str) -> bool:
    """Whether a stripped line is page furniture (header, page number, URL, web chrome)."""
    if len(line) > rules.MAX_STRUCTURE_LINE:
        return False
    return _ANY_FURNITURE.fullmatch(line) is not None


def _section_match(line: str) -> re.Match[str] | None:
    """The :data:`SECTION_LINE` match of a stripped line, cheaply pre-checked.

    A title on the same line ("ARTICLE 1 – Purpose", "Article 3: Scope") is only
    taken with an upper-case kind or an article/annex: "Resolution 70: revised,
    but not expanded" is a commentary's heading, not a section.
    """
    if line[:1].isdigit():
        # "12   DECISION 9 (C25) – Venue": a running paragraph number in the margin
        # before a section line in capitals.
        margin = _MARGIN_NUMBER.match(line)
        m = _section_match(line[margin.end() :]) if margin is not None else None
        return m if m is not None and m.group("kind").isupper() else None
    if not line or line[0] not in _SECTION_FIRST or len(line) > 200:
        return None
    m = SECTION_LINE.fullmatch(line)
    if m is not None and m.group("title"):
        kind = m.group("kind")
        if not kind.isupper() and kind.lower() not in ("article", "annex", "appendix"):
            # "Resolution 70 (Rev. Bucharest, 2022) – Mainstreaming ...": with its
            # revision tag and a dash before a capitalised title, a web page's title line.
            head = line[: m.start("title")].rstrip()
            if not (
                head.endswith(("–", "—", " -")) and ")" in head and m.group("title")[0].isupper()
            ):
                return None
    return m


def _item_marker_end(
    text: str, start: int, end: int, at_unit_start: bool, in_resolution: bool
) -> int:
    """Offset after an item marker and its spaces at ``start``, or ``start`` if none.

    A bullet may be followed by a second marker ("◦ (a) Resolution 101",
    "▪ 1 to continue"); both are skipped. In a section, treaty provision
    numbers ("5A.1", "6.2.1bis") are markers too.
    """
    pos = _one_marker_end(text, start, end, at_unit_start, in_resolution)
    if pos != start and text[start] in LEAD_BULLETS + rules.BULLETS:
        pos = _one_marker_end(text, pos, end, True, in_resolution)
    elif pos == start and at_unit_start and text[start].isdigit():
        m = _MARGIN_NUMBER.match(text, start, min(end, start + 40))
        if m is not None and m.end() < end:
            # "181  1  Administrations ...", "181  Administrations ...": a provision
            # number in the margin (three digits and more: no list label is that long);
            # alone, only in a section (a table row may start "2024   Budget").
            second = _MARGIN_NUMBER.match(text, m.end(), min(end, m.end() + 40))
            if second is not None and second.end() < end and text[second.end()].isalpha():
                pos = second.end()
            elif in_resolution and text[m.end()].isalpha():
                pos = m.end()
    elif pos != start and _MARGIN_NUMBER.fullmatch(text, start, pos):
        # "78  1  (1)  Member States ...", "5   1  that ...": a number in the margin,
        # then a paragraph number set off by a wide gap, then maybe "(1)".
        for _ in range(2):
            nxt = _one_marker_end(text, pos, end, True, True)
            if nxt == pos or not (text[pos] == "(" or _MARGIN_NUMBER.fullmatch(text, pos, nxt)):
                break
            pos = nxt
    return pos


def _one_marker_end(
    text: str, start: int, end: int, at_unit_start: bool, in_resolution: bool
) -> int:
    if at_unit_start and text[start].isdigit():
        m = PROVISION_MARKER.match(text, start, min(end, start + 24))
        if m is not None and (
            in_resolution or "\t" in m.group() or _capital_after(text, m.end(), end)
        ):
            return m.end()
    if text[start].isdigit():
        # "1.\tTwenty years ...": a tab after a number never comes from a line wrap,
        # so it marks a paragraph even after a line with no final stop (a sub-title).
        m = _TABBED_NUMBER.match(text, start, min(end, start + 12))
        if m is not None:
            return m.end()
    if at_unit_start and text[start] in "*_":
        m = _BOLD_LABEL.match(text, start, min(end, start + 24))
        if m is not None:
            return m.end()
    m = rules.LINE_ITEM_MARKER.match(text, start, min(end, start + 24))
    if m is None:
        return start
    label = m.group("label")
    # Bullets and "- " start items on any line (hyphenation never leaves "- " at a
    # line start); numbers, letters and long dashes only where a unit may start.
    if not at_unit_start and label[0] not in rules.BULLETS and label != "-":
        return start
    # A bare number ("1 to continue") marks items only in resolutions; elsewhere
    # a line such as "12 August 2022" or "5 delegations ..." starts with a number.
    if not in_resolution and rules.BARE_NUMBER_MARKER.fullmatch(label) and label[-1] != ")":
        return start
    if label[0] == "*" and end - start < 3:
        return start
    return m.end()


def _capital_after(text: str, pos: int, end: int) -> bool:
    return pos < end and text[pos].isupper()


#: Words a title never ends on: a line that ends on one breaks off mid-phrase
#: ("a) Resolution 1 of the Conference on" + a page break + "the budget;").
_PHRASE_LINKS = rules.PREPOSITIONS | frozenset("the a an and or to its their our".split())


def _ends_mid_phrase(text: str, start: int, end: int) -> bool:
    """Whether the line ``text[start:end]`` ends on a preposition, article or conjunction."""
    words = text[start:end].rsplit(None, 1)
    return bool(words) and words[-1] in _PHRASE_LINKS


def _title_like(text: str, start: int, end: int) -> bool:
    """A short line of capitalised words without final punctuation: a section title."""
    if end - start > 90 or text[end - 1] in rules.STATEMENT_END + ",":
        return False
    if _ends_mid_phrase(text, start, end):
        return False
    words = text[start:end].split()
    if not words or len(words) > 10:
        return False
    caps = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return caps * 2 >= len(words) + 1


def _short_label(text: str, start: int, end: int) -> bool:
    """A label of one to three words without final punctuation: "Action required"."""
    if (
        end - start > 40
        or text[end - 1] in rules.STATEMENT_END + ",-–"
        or not text[start].isupper()
    ):
        return False
    return len(text[start:end].split()) <= 3


_ROMAN = {"i": 1, "v": 5, "x": 10}


def _label_rank(marker: str, letter_rank: int) -> tuple[str | None, int]:
    """(style, 0-based rank) of an item marker: ``a)`` -> ("letter", 0), ``2`` -> ("number", 1).

    A lone ``i``/``v``/``x`` is a letter only right after ``h``/``u``/``w``.
    """
    core = marker.strip().strip("•◦▪‣●■►▶➢–—-* \t").strip("().").lower()
    if core.isdigit():
        return "number", int(core) - 1
    if len(core) == 1 and core.isalpha() and core.isascii():
        rank = ord(core) - ord("a")
        if core in _ROMAN and letter_rank != rank - 1:
            return "roman", _ROMAN[core] - 1
        return "letter", rank
    if core and all(ch in _ROMAN for ch in core) and len(core) <= 6:
        total = 0
        for a, b in zip(core, core[1:] + " ", strict=True):
            value = _ROMAN[a]
            total += -value if b in _ROMAN and _ROMAN[b] > value else value
        return "roman", total - 1
    return None, 0
