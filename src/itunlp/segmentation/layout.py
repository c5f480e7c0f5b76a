"""The layout pass of the clause engine: lines grouped into paragraphs.

Each line is classified (page furniture, section title, change marker, enacting
formula, heading, list item, text) and consecutive text lines are grouped into
paragraphs, each carrying what the clause table says about where it sits: the
heading it falls under (``function``, ``part``), the section of the file
(``section``, ``section_title``) and the tracked change (``change``).

Headings come only from lines that :class:`itunlp.segmentation.headings.HeadingScheme`
recognises, and only where a heading can stand: never on a line that continues
a sentence (the line before ends mid-sentence, or a quotation is open). Sections
and change markers follow :mod:`itunlp.segmentation.sections`; furniture that no fixed
pattern names is found by :func:`itunlp.segmentation.furniture.furniture_lines`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from itunlp.segmentation import rules
from itunlp.segmentation.furniture import furniture_lines
from itunlp.segmentation.headings import HeadingScheme, load_headings
from itunlp.segmentation.lines import (
    _is_furniture,
    _item_marker_end,
    _lines,
    _section_match,
    _strip_bounds,
    _title_like,
)
from itunlp.segmentation.sections import CHANGE_MARKER, CHANGES, section_name

__all__ = ["LayoutState", "SectionInfo"]

#: The bare enacting formula of a Council decision: "The Council,".
SHORT_FORMULA = re.compile(r"The\s+(?:[A-Z][\w-]*\s+){0,5}(?:Council|Conference|Assembly)\s*,")

#: A "Reasons:" line that closes a proposal's change block.
REASONS_START = re.compile(r"Reasons?\s*:")

#: Longest section title (lines) after a section line.
MAX_TITLE_LINES = 4


@dataclass(frozen=True, slots=True)
class SectionInfo:
    """The section a paragraph sits in: its name and title (see CONVENTIONS.md)."""

    name: str = ""
    title: str = ""


_NO_SECTION = SectionInfo()


@dataclass(slots=True)
class LayoutState:
    """What the layout pass carries from one block of a huge file to the next.

    Pass the same object to consecutive calls of
    :func:`itunlp.segmentation.engine.split_into_clauses` on consecutive blocks; the
    open section, heading and change block then run on across block edges.
    """

    function: str = ""
    part: str = ""
    section: SectionInfo = field(default_factory=SectionInfo)
    change: str = ""
    in_resolution: bool = False
    open_sentence: bool = False
    provisions: bool = False  # in an article or annex: numbered items are one clause each
    #: After a call: how many leading clauses took their function/part, section and
    #: change from the incoming state (keys "function", "section", "change"), and
    #: which of them the block set itself (key "own", the same names).
    head: dict[str, Any] = field(default_factory=dict)

    def carried(self) -> dict[str, Any]:
        """The context this state hands to the next block, as plain data."""
        return {
            "function": self.function,
            "part": self.part,
            "section": self.section.name,
            "section_title": self.section.title,
            "change": self.change,
            "in_resolution": self.in_resolution,
            "provisions": self.provisions,
        }


#: Bits of the context a block sets itself (else it inherits it from the state).
_OWN_FUNCTION, _OWN_SECTION, _OWN_CHANGE = 1, 2, 4
_OWN_ALL = _OWN_FUNCTION | _OWN_SECTION | _OWN_CHANGE
_OWN_NAMES = {"function": _OWN_FUNCTION, "section": _OWN_SECTION, "change": _OWN_CHANGE}


@dataclass(slots=True)
class _Paragraph:
    """A run of text lines that is segmented as one piece."""

    start: int
    end: int
    function: str
    is_item: bool
    after_gap: bool  # blank or furniture lines before it: a page break may be bridged
    part: str = ""
    whole: bool = False  # an item that is one clause (only full sentences split it)
    section: SectionInfo = _NO_SECTION
    change: str = ""
    skips: list[tuple[int, int]] | None = None  # furniture inside a bridged span
    inherits: int = 0  # _OWN_* bits of the context taken from the incoming state


class _Layout:
    """One pass over the lines of a text; see :func:`_layout`."""

    def __init__(self, text: str, state: LayoutState, scheme: HeadingScheme) -> None:
        self.text = text
        self.state = state
        self.scheme = scheme
        self.paragraphs: list[_Paragraph] = []
        self.current: _Paragraph | None = None
        self.lines = [_strip_bounds(text, a, b) for a, b in _lines(text)]
        self.block_change = state.change
        self.own = 0  # which context this block has set itself (_OWN_* bits)
        self.pending_change: str | None = None
        self.quote_open = False
        self.straight_open = False
        self.curly_depth = 0

    # ------------------------------------------------------------------ helpers

    def close(self) -> None:
        if self.current is not None:
            self.paragraphs.append(self.current)
            self.current = None
        self.quote_open = False
        self.straight_open = False
        self.curly_depth = 0

    def track_quotes(self, line: str) -> None:
        """Whether a quotation is open after this line of the current paragraph."""
        if '"' in line and line.count('"') % 2:
            self.straight_open = not self.straight_open
        if "“" in line or "”" in line:
            self.curly_depth = max(0, self.curly_depth + line.count("“") - line.count("”"))
        self.quote_open = self.straight_open or self.curly_depth > 0

    def is_structure(self, line: str) -> bool:
        """Headings, section titles and change markers are never furniture."""
        if _section_match(line) is not None or CHANGE_MARKER.fullmatch(line):
            return True
        return self.scheme.match(line) is not None

    def next_content(self, index: int, furniture: set[int]) -> int:
        """Index of the next non-blank, non-furniture line after ``index`` (or -1)."""
        for j in range(index + 1, min(len(self.lines), index + 12)):
            s, e = self.lines[j]
            if s == e or j in furniture:
                continue
            line = self.text[s:e] if e - s <= rules.MAX_STRUCTURE_LINE else ""
            if line and _is_furniture(line) and not CHANGE_MARKER.fullmatch(line):
                continue
            return j
        return -1

    def heading_wrap(self, index: int, function: str) -> int:
        """Index of the last line of a heading wrapped over two lines (else ``index``).

        "instructs the Director of the Telecommunication Development" + "Bureau":
        only an operative heading that names its addressee (or ends with a comma)
        wraps, and only onto a short line that is no clause, item or heading.
        """
        if " " not in function or self.state.part != "operative":
            return index
        j = index + 1
        if j >= len(self.lines):
            return index
        s, e = self.lines[j]
        if s == e or e - s > 60 or j + 1 >= len(self.lines):
            return index
        line = self.text[s:e]
        if any(ch in line for ch in '.;!?"“”'):
            return index
        first = line.split()[0].lower()
        if first in self.scheme.clause_starts or self.scheme.match(line) is not None:
            return index
        if _item_marker_end(self.text, s, e, True, True) != s or _section_match(line) is not None:
            return index
        if not (line[0].isupper() or first in ("and", "of", "in", "the", "for", "with")):
            return index
        # The line after must start the items (a marker, or "to"/"that").
        ns, ne = self.lines[j + 1]
        if ns == ne:
            return index
        after = self.text[ns:ne].split()[0].lower()
        if (
            after in self.scheme.clause_starts
            or _item_marker_end(self.text, ns, ne, True, True) != ns
        ):
            return j
        return index

    def ends_block(self, index: int) -> bool:
        """Whether line ``index`` is followed by a blank line, the end or a new item."""
        j = index + 1
        if j >= len(self.lines) or self.lines[j][0] == self.lines[j][1]:
            return True
        return self.starts_item(j)

    def starts_item(self, j: int) -> bool:
        if j < 0:
            return False
        s, e = self.lines[j]
        return _item_marker_end(self.text, s, e, True, True) != s

    def formula_follows(self, index: int) -> bool:
        """An enacting formula within the next few lines: a real section start."""
        for j in range(index + 1, min(len(self.lines), index + 8)):
            s, e = self.lines[j]
            if s < e and rules.ENACTING_FORMULA_START.match(self.text, s, e):
                return True
        return False

    def title_lines(self, index: int, furniture: set[int]) -> tuple[str, int]:
        """The section title after a section line, and the index of its last line."""
        text, lines = self.text, self.lines
        parts: list[str] = []
        last = index
        j = index + 1
        while j < len(lines) and lines[j][0] == lines[j][1] and j - index <= 2:
            j += 1
        while j < len(lines) and len(parts) < MAX_TITLE_LINES:
            s, e = lines[j]
            if s == e or j in furniture or e - s > 200:
                break
            line = text[s:e]
            if (
                text[e - 1] in ".;:!?"
                or _is_furniture(line)
                or CHANGE_MARKER.fullmatch(line)
                or REASONS_START.match(line)
                or _section_match(line) is not None
                or rules.ENACTING_FORMULA_START.match(line)
                or self.scheme.match(line) is not None
                or _item_marker_end(text, s, e, True, True) != s
            ):
                break
            parts.append(line.strip("#*_ \t"))
            last = j
            j += 1
        return " ".join(" ".join(parts).split()), last

    # ------------------------------------------------------------------- the pass

    def run(self) -> list[_Paragraph]:
        text, lines, st = self.text, self.lines, self.state
        furniture = furniture_lines(text, lines, _is_furniture, self.is_structure)
        in_subject = False
        prev_end_char = ""  # last character of the previous content line ("" at a break)
        prev_title_like = False
        last_text_char = ""  # last character of the last text line, across blank lines
        gap = True
        in_reasons = False
        skip_until = -1
        for index, (start, end) in enumerate(lines):
            if index <= skip_until:
                continue
            if start == end:
                self.close()
                gap = True
                prev_end_char = ""
                in_reasons = False
                if not (st.in_resolution or st.section.name):
                    st.open_sentence = False
                continue
            line = text[start:end] if end - start <= rules.MAX_STRUCTURE_LINE else ""
            if (
                line
                and (marker := CHANGE_MARKER.fullmatch(line)) is not None
                and _section_match(line) is None
            ):
                self.close()
                self.change_marker(marker.group("chg"), line, index, furniture)
                gap, prev_end_char, in_reasons = True, "", False
                continue
            if REASONS_START.match(text, start, end):
                self.close()
                self.block_change, self.pending_change = "", None
                self.own |= _OWN_CHANGE
                # The reason text may wrap onto the next lines, until its full stop.
                gap, prev_end_char = True, ""
                in_reasons = text[end - 1] not in ".!?"
                continue
            if line and (not st.open_sentence or line[0] == "#" or line.isupper()):
                m = _section_match(line)
                if m is not None:
                    name = section_name(m)
                    if name == st.section.name and not self.formula_follows(index):
                        self.close()
                        gap, prev_end_char = True, ""
                        continue  # a running header naming the current section
                    self.close()
                    if m.group("chg"):
                        self.block_change = CHANGES[m.group("chg")]
                        self.own |= _OWN_CHANGE
                        self.pending_change = None
                    if m.group("title"):
                        title = " ".join(m.group("title").split())
                    else:
                        title, skip_until = self.title_lines(index, furniture)
                    st.section = SectionInfo(name, title)
                    st.function, st.part = "", ""
                    self.own |= _OWN_FUNCTION | _OWN_SECTION
                    st.in_resolution = True
                    st.open_sentence = False
                    st.provisions = m.group("kind").lower() in ("article", "annex", "appendix")
                    in_subject = not st.provisions
                    gap, prev_end_char, last_text_char = True, "", ""
                    continue
            if in_reasons:
                in_reasons = text[end - 1] not in ".!?"
                continue
            if index in furniture or (line and _is_furniture(line)):
                self.close()
                gap = True
                prev_end_char = ""
                continue
            last = text[end - 1]
            if line and rules.RESOLUTION_TITLE.fullmatch(line) and line[-1] not in ".;":
                self.close()
                st.function, st.part, st.in_resolution, in_subject, gap = "", "", True, True, True
                self.own |= _OWN_FUNCTION
                prev_end_char = ""
                continue
            at_unit_start = prev_end_char == "" or prev_end_char in rules.STATEMENT_END + ","
            if (
                line
                and at_unit_start
                and (in_subject or not self.paragraphs or st.in_resolution)
                and rules.ENACTING_FORMULA_START.match(line)
            ):
                formula_end = _enacting_formula_end(text, lines, index)
                if formula_end < 0 and in_subject and SHORT_FORMULA.fullmatch(line):
                    formula_end = index
                if formula_end >= 0:
                    self.close()
                    in_subject, st.in_resolution, gap = False, True, True
                    st.function, st.part, st.open_sentence = "", "", False
                    self.own |= _OWN_FUNCTION
                    prev_end_char = ""
                    skip_until = formula_end
                    continue
            heading = None
            if (
                line
                and at_unit_start
                and not st.open_sentence
                and not self.quote_open
                and (prev_end_char != "," or st.in_resolution)
            ):
                heading = self.scheme.match(text, start, end)
                if heading is not None and heading.body >= 0 and not st.in_resolution:
                    heading = None  # a heading running on into text only inside a resolution
            if heading is not None:
                self.close()
                st.function, st.part = heading.function, heading.part
                self.own |= _OWN_FUNCTION
                st.in_resolution, in_subject, gap = True, False, True
                st.open_sentence = False
                last_text_char = ""
                if heading.body < 0:
                    prev_end_char = ":"
                    wrapped = self.heading_wrap(index, heading.function)
                    if wrapped > index:
                        extra = " ".join(text[s:e] for s, e in lines[index + 1 : wrapped + 1])
                        st.function = (
                            " ".join(f"{st.function} {extra}".split()).rstrip(",:").lower()
                        )
                        skip_until = wrapped
                    continue
                body = _item_marker_end(text, heading.body, end, True, True)
                self.current = self.new_paragraph(body, end, True, gap)
                gap = False
                prev_end_char = last_text_char = last
                st.open_sentence = last not in rules.STATEMENT_END + ","
                prev_title_like = False
                continue
            if (
                in_subject
                and last not in rules.STATEMENT_END
                and _item_marker_end(text, start, end, True, True) == start
            ):
                prev_end_char = ""
                continue
            in_subject = False
            body = _item_marker_end(
                text, start, end, at_unit_start or prev_title_like, st.in_resolution
            )
            if (
                st.function
                and gap
                and last_text_char == "."
                and (text[body].isupper() or text[body] in rules.OPENERS)
            ):
                # Resolution items end in ";" or ","; only the last one ends in ".". An
                # unmarked capitalised paragraph after it and a blank line is prose
                # after the resolution.
                st.function, st.part, st.in_resolution = "", "", False
                self.own |= _OWN_FUNCTION
                self.close()
            if body != start:
                if (
                    not st.function
                    and end - body <= 80
                    and last not in rules.STATEMENT_END + ","
                    and text[body].isupper()
                    and self.ends_block(index)
                ):
                    # "6.1  Charges": a numbered sub-title inside an article, not a clause.
                    self.close()
                    gap, prev_end_char = True, ""
                    continue
                self.close()
                self.current = self.new_paragraph(body, end, True, gap)
            elif self.current is not None and not (
                prev_title_like and text[start].isupper() and not self.current.is_item
            ):
                self.current.end = end
            else:
                self.close()
                self.current = self.new_paragraph(start, end, False, gap)
            if line:
                self.track_quotes(line)
            gap = False
            prev_end_char = last_text_char = last
            st.open_sentence = last not in rules.STATEMENT_END + ","
            prev_title_like = _title_like(text, start, end)
        self.close()
        st.change = self.block_change
        st.head = {"own": [name for name, bit in _OWN_NAMES.items() if self.own & bit]}
        return self.paragraphs

    def new_paragraph(self, start: int, end: int, is_item: bool, gap: bool) -> _Paragraph:
        st = self.state
        change = self.block_change
        if is_item and self.pending_change is not None:
            change, self.pending_change = self.pending_change, None
        whole = is_item and (bool(st.function) or st.in_resolution or st.provisions)
        return _Paragraph(
            start,
            end,
            st.function,
            is_item,
            gap,
            st.part,
            whole,
            st.section,
            change,
            None,
            _OWN_ALL & ~self.own,
        )

    def change_marker(self, kind: str, line: str, index: int, furniture: set[int]) -> None:
        """Open a change block, or mark the next item only (ADD/SUP inside a MOD block)."""
        change = CHANGES[kind]
        if (
            self.block_change == "modified"
            and kind in ("ADD", "SUP")
            and self.starts_item(self.next_content(index, furniture))
        ):
            self.pending_change = change
            return
        self.block_change = change
        self.own |= _OWN_CHANGE
        self.pending_change = None


def _enacting_formula_end(text: str, lines: list[tuple[int, int]], index: int) -> int:
    """Index of the last line of an enacting formula starting at ``index``, or -1.

    The formula may wrap over a few lines; it is only taken as one when it ends
    with its "(Place, year)," so that prose such as "The Council met; ..." stays text.
    """
    for j in range(index, min(len(lines), index + rules.MAX_FORMULA_LINES)):
        start, end = lines[j]
        if start == end:
            return -1
        if text[end - 1] == ",":
            first = lines[index][0]
            tail_from = max(first, end - 80)
            return j if rules.ENACTING_FORMULA_END.search(text, tail_from, end) else -1
    return -1


def _tidy_paragraphs(text: str, paragraphs: list[_Paragraph]) -> list[_Paragraph]:
    """Drop press-release datelines; join paragraphs that a page break cut in two.

    A paragraph with no final stop followed, after furniture or blank lines, by
    one that starts in lower case is one sentence broken by a page: the clause
    then spans the furniture, as its offsets into the original text must, and
    the furniture between is remembered so that the classifier does not read it.
    """
    out: list[_Paragraph] = []
    for para in paragraphs:
        if not para.is_item and text[para.start].isupper():
            dateline = rules.DATELINE.match(text, para.start, min(para.end, para.start + 80))
            if dateline:
                para.start = dateline.end()
        if (
            out
            and para.after_gap
            and not para.is_item
            and text[para.start].islower()
            and text[out[-1].end - 1] not in rules.STATEMENT_END
            and out[-1].function == para.function
            and out[-1].section is para.section
        ):
            prev = out[-1]
            if prev.skips is None:
                prev.skips = []
            prev.skips.append((prev.end, para.start))
            prev.end = para.end
            continue
        out.append(para)
    return out


def _layout(
    text: str, state: LayoutState | None = None, scheme: HeadingScheme | None = None
) -> list[_Paragraph]:
    """Group the lines of ``text`` into paragraphs, dropping furniture and headings.

    ``state`` (updated in place) carries the open section, heading and change
    block in from a previous block of the same file and out to the next.
    """
    layout = _Layout(text, state if state is not None else LayoutState(), scheme or load_headings())
    return _tidy_paragraphs(text, layout.run())
