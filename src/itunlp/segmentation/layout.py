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

from itunlp.segmentation import rules
from itunlp.segmentation.furniture import furniture_lines
from itunlp.segmentation.headings import HeadingScheme, load_headings
from itunlp.segmentation.lines import (
    _ends_mid_phrase,
    _is_furniture,
    _item_marker_end,
    _label_rank,
    _lines,
    _section_match,
    _short_label,
    _strip_bounds,
    _title_like,
)
from itunlp.segmentation.lookahead import (
    COVER_SUMMARY,
    REASONS_START,
    _enacting_formula_end,
    _LineReader,
)
from itunlp.segmentation.paragraphs import (
    MARKDOWN_HEADING,
    SectionInfo,
    _Paragraph,
    _tidy_paragraphs,
)
from itunlp.segmentation.sections import CHANGE_MARKER, CHANGES, section_name

__all__ = ["LayoutState", "SectionInfo"]

#: The bare enacting formula of a Council decision: "The Council,".
SHORT_FORMULA = re.compile(r"The\s+(?:[A-Z][\w-]*\s+){0,5}(?:Council|Conference|Assembly)\s*,")


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
    started: bool = False  # a block before this one held text: no headline block now


#: What a layout event sets: the heading (function, part), the section, the change block.
_SETS_FUNCTION, _SETS_SECTION, _SETS_CHANGE = 1, 2, 4


class _Layout(_LineReader):
    """One pass over the lines of a text; see :func:`_layout`."""

    def __init__(self, text: str, state: LayoutState, scheme: HeadingScheme) -> None:
        self.text = text
        self.state = state
        self.scheme = scheme
        self.paragraphs: list[_Paragraph] = []
        self.current: _Paragraph | None = None
        self.lines = [_strip_bounds(text, a, b) for a, b in _lines(text)]
        self.block_change = state.change
        self.fresh = False  # a heading, formula, section or marker since the last paragraph
        self.ranks: dict[str, int] = {}  # last item label rank per style, under this heading
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

    def mark(self, bits: int) -> None:
        """A layout event set the context ``bits``: what follows starts afresh."""
        self.fresh = True
        if bits & _SETS_FUNCTION:
            self.ranks.clear()

    def lettering_restarts(self, marker: str) -> bool:
        """Whether an item marker starts its list again under the same heading.

        The last rank of each label style (number, letter, roman) is kept; an item
        of one style forgets the others (a nested list restarts under each item).
        """
        style, rank = _label_rank(marker, self.ranks.get("letter", -1))
        if style is None:
            return False
        restarted = rank == 0 and self.ranks.get(style, -1) >= 1
        self.ranks.clear()
        self.ranks[style] = rank
        return restarted

    def run(self) -> list[_Paragraph]:
        text, lines, st = self.text, self.lines, self.state
        furniture = furniture_lines(text, lines, _is_furniture, self.is_structure)
        in_subject = False
        prev_end_char = ""  # last character of the previous content line ("" at a break)
        prev_title_like = False
        last_text_char = ""  # last character of the last text line, across blank lines
        gap = True
        in_reasons = False
        blank_seen = furniture_seen = False  # since the last text line
        skip_until = -1
        for index, (start, end) in enumerate(lines):
            if index <= skip_until:
                continue
            if start == end:
                self.close()
                gap = True
                prev_end_char = ""
                in_reasons = False
                blank_seen = True
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
                self.mark(_SETS_CHANGE)
                # The reason text may wrap onto the next lines, until its full stop.
                gap, prev_end_char = True, ""
                in_reasons = text[end - 1] not in ".!?"
                continue
            open_now = st.open_sentence and (furniture_seen or not blank_seen)
            if line and (not open_now or line[0] == "#" or line.isupper()):
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
                        self.mark(_SETS_CHANGE)
                        self.pending_change = None
                    if m.group("title"):
                        title = " ".join(m.group("title").split())
                    else:
                        title, skip_until = self.title_lines(index, furniture)
                    st.section = SectionInfo(name, title)
                    st.function, st.part = "", ""
                    self.mark(_SETS_FUNCTION | _SETS_SECTION)
                    st.in_resolution = True
                    st.open_sentence = False
                    st.provisions = m.group("kind").lower() in ("article", "annex", "appendix")
                    in_subject = not st.provisions
                    gap, prev_end_char, last_text_char = True, "", ""
                    continue
            if in_reasons:
                in_reasons = text[end - 1] not in ".!?"
                continue
            if (
                not st.section.name
                and not st.in_resolution
                and COVER_SUMMARY.match(text, start, end)
                and self.section_follows(index)
            ):
                # A cover-page summary: metadata, like a "Reasons:" text, to its full stop.
                self.close()
                gap, prev_end_char = True, ""
                in_reasons = text[end - 1] not in ".!?"
                continue
            if index in furniture or (line and _is_furniture(line)):
                self.close()
                gap = True
                prev_end_char = ""
                furniture_seen = True
                continue
            last = text[end - 1]
            if line and rules.RESOLUTION_TITLE.fullmatch(line) and line[-1] not in ".;":
                self.close()
                st.function, st.part, st.in_resolution, in_subject, gap = "", "", True, True, True
                self.mark(_SETS_FUNCTION)
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
                    self.mark(_SETS_FUNCTION)
                    prev_end_char = ""
                    skip_until = formula_end
                    continue
            heading = None
            heading_from = start
            if line and in_subject and (formula := SHORT_FORMULA.match(line)) is not None:
                # "The Council, having regard to ...,": the formula and the first heading
                # share a line; the heading is read after the formula.
                heading_from = start + formula.end()
            if (
                line
                and at_unit_start
                and not open_now
                and not self.quote_open
                and (prev_end_char != "," or st.in_resolution)
            ):
                heading = self.scheme.match(
                    text,
                    heading_from,
                    end,
                    loose=st.in_resolution and prev_end_char in ("", ";", "."),
                )
                if (
                    heading is not None
                    and heading.body >= 0
                    and (not st.in_resolution or prev_end_char == ":")
                ):
                    # A heading runs on into text only inside a resolution, and never
                    # right after a lead-in ("... which reads:" + "instructs ... to").
                    heading = None
                if heading is not None and heading.capitalised and not self.items_follow(index):
                    heading = None  # "Urges Member States and industry": a title, not a heading
                if (
                    heading is not None
                    and prev_end_char == ","
                    and (
                        heading.body >= 0
                        or (
                            self.current is not None
                            and not (self.current.is_item or self.current.function)
                        )
                    )
                ):
                    # After a comma only a bare heading line closing an item or a clause
                    # under a heading ("b) ...," then "noting") is one; "...,\nrecalling
                    # that ..." is a wrapped line, and so is a heading word after prose.
                    heading = None
            if heading is not None:
                self.close()
                st.function, st.part = heading.function, heading.part
                self.mark(_SETS_FUNCTION)
                st.in_resolution, in_subject, gap = True, False, True
                st.open_sentence = False
                last_text_char = ""
                if heading.body < 0:
                    prev_end_char = ""
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
                blank_seen = furniture_seen = False
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
                and body == start
                and text[start].isupper()
                and _title_like(text, start, end)
                and self.ends_block(index)
                and not self.starts_item(self.next_content(index, furniture))
            ):
                # A sub-title between blank lines ("Other matters") ends the heading's
                # block when no item follows it: what comes next is prose.
                st.function, st.part, st.in_resolution = "", "", False
                self.mark(_SETS_FUNCTION)
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
                self.mark(_SETS_FUNCTION)
                self.close()
            if body != start:
                if (
                    end - body <= rules.MAX_SUBTITLE_CHARS
                    and (
                        last not in rules.STATEMENT_END + ","
                        # "3. Capacity building: who benefits?" over a paragraph
                        or (
                            last == "?"
                            and gap
                            and self.no_sibling_item(
                                start, body, self.next_content(index, furniture)
                            )
                        )
                    )
                    and text[body].isupper()
                    and not _ends_mid_phrase(text, body, end)
                    and (
                        self.ends_block(index)
                        # "1. Background" over "The Council meets ...": a numbered label
                        or (
                            not st.function
                            and gap
                            and _short_label(text, body, end)
                            and index + 1 < len(lines)
                            and _capital_line(text, lines[index + 1])
                            and not self.starts_item(index + 1)
                        )
                    )
                    and (not st.function or (gap and len(text[body:end].split()) <= 10))
                ):
                    if st.function and not self.starts_item(self.next_content(index, furniture)):
                        # "6  Other matters" between blank lines under a heading: the
                        # heading's block is over; prose or a new heading follows.
                        st.function, st.part, st.in_resolution = "", "", False
                        self.mark(_SETS_FUNCTION)
                    # "6.1  Charges": a numbered sub-title inside an article, not a clause.
                    self.close()
                    gap, prev_end_char = True, ""
                    continue
                if self.lettering_restarts(text[start:body]) and st.function:
                    # "a)" again after "c)" with no heading between: the extractor lost
                    # the heading, so these items have none (CONVENTIONS.md).
                    st.function, st.part = "", ""
                    self.mark(_SETS_FUNCTION)
                self.close()
                self.current = self.new_paragraph(body, end, True, gap)
            elif (
                self.current is not None
                and not (prev_title_like and text[start].isupper() and not self.current.is_item)
                and not (
                    self.current.is_item
                    and st.in_resolution
                    and self.unmarked_item(self.current.start, start, end, prev_end_char)
                )
            ):
                self.current.end = end
            else:
                self.close()
                self.current = self.new_paragraph(start, end, False, gap)
            if line:
                self.track_quotes(line)
            paragraph_start = gap and body == start
            gap = False
            prev_end_char = last_text_char = last
            st.open_sentence = last not in rules.STATEMENT_END + ","
            blank_seen = furniture_seen = False
            prev_title_like = (
                _title_like(text, start, end)
                or (
                    # "Action required" over "The Council is invited ...": a short label
                    # opening a paragraph, not the first wrapped line of a sentence.
                    paragraph_start and not open_now and _short_label(text, start, end)
                )
                or MARKDOWN_HEADING.match(text, start, end) is not None
            )
        self.close()
        st.change = self.block_change
        return self.paragraphs

    def no_sibling_item(self, start: int, body: int, j: int) -> bool:
        """No list item follows line ``j``'s numbered title, or only its own sub-title
        ("4. What changed?" over "4.1 The scope")."""
        if not self.starts_item(j):
            return True
        number = self.text[start:body].strip().rstrip(".)")
        return bool(number) and self.text.startswith(number + ".", self.lines[j][0])

    def new_paragraph(self, start: int, end: int, is_item: bool, gap: bool) -> _Paragraph:
        st = self.state
        change = self.block_change
        if is_item and self.pending_change is not None:
            change, self.pending_change = self.pending_change, None
        whole = is_item and (bool(st.function) or st.in_resolution or st.provisions)
        joinable, self.fresh = not self.fresh, False
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
            joinable,
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
        self.mark(_SETS_CHANGE)
        self.pending_change = None


def _capital_line(text: str, bounds: tuple[int, int]) -> bool:
    """Whether a line holds text that starts with a capital."""
    return bounds[0] < bounds[1] and text[bounds[0]].isupper()


def _layout(
    text: str, state: LayoutState | None = None, scheme: HeadingScheme | None = None
) -> list[_Paragraph]:
    """Group the lines of ``text`` into paragraphs, dropping furniture and headings.

    ``state`` (updated in place) carries the open section, heading and change
    block in from a previous block of the same file and out to the next.
    """
    st = state if state is not None else LayoutState()
    first_block = not st.started
    layout = _Layout(text, st, scheme or load_headings())
    paragraphs = layout.run()
    st.started = st.started or bool(paragraphs)
    return _tidy_paragraphs(text, paragraphs, first_block)
