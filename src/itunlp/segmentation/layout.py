"""The layout pass of the clause engine (:mod:`itunlp.segmentation.engine`).

Lines, page furniture, headings, titles and list items, grouped into paragraphs,
each with the resolution heading it falls under.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from itunlp.segmentation import rules

# ----------------------------------------------------------------------------- layout


@dataclass(slots=True)
class _Paragraph:
    """A run of text lines that is segmented as one piece."""

    start: int
    end: int
    function: str
    is_item: bool
    after_gap: bool  # blank or furniture lines before it: a page break may be bridged


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


def _is_furniture(line: str) -> bool:
    """Whether a stripped line is page furniture (header, page number, URL, marker)."""
    if len(line) > rules.MAX_STRUCTURE_LINE:
        return False
    return any(p.fullmatch(line) for p in rules.FURNITURE_LINE_PATTERNS)


def _heading_function(line: str) -> str | None:
    """The normalised heading if a stripped line is a resolution heading, else None."""
    if len(line) > rules.MAX_STRUCTURE_LINE or line[-1] in ".;!?":
        return None
    if not rules.HEADING_LINE.fullmatch(line):
        return None
    words = line.split()
    if len(words) > rules.MAX_HEADING_WORDS:
        return None
    # Headings are printed in lower case; a capitalised first word is only taken
    # when the line is a bare heading word ("Considering"), not a sentence start.
    if line[0].isupper() and len(words) > 3:
        return None
    return " ".join(words).rstrip(",:").strip().lower()


def _item_marker_end(
    text: str, start: int, end: int, at_unit_start: bool, in_resolution: bool
) -> int:
    """Offset after an item marker and its spaces at ``start``, or ``start`` if none."""
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


def _title_like(text: str, start: int, end: int) -> bool:
    """A short line of capitalised words without final punctuation: a section title."""
    if end - start > 90 or text[end - 1] in rules.STATEMENT_END + ",":
        return False
    words = text[start:end].split()
    if not words or len(words) > 10:
        return False
    caps = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return caps * 2 >= len(words) + 1


def _layout(text: str) -> list[_Paragraph]:
    """Group the lines of ``text`` into paragraphs, dropping furniture and headings."""
    paragraphs: list[_Paragraph] = []
    function = ""
    in_resolution = False
    in_subject = False  # after a title, before the formula or first heading
    current: _Paragraph | None = None
    prev_end_char = ""  # last character of the previous content line ("" at a break)
    prev_title_like = False
    last_text_char = ""  # last character of the last text line, across blank lines
    gap = True

    def close() -> None:
        nonlocal current
        if current is not None:
            paragraphs.append(current)
            current = None

    lines = [_strip_bounds(text, a, b) for a, b in _lines(text)]
    skip_until = -1
    for index, (start, end) in enumerate(lines):
        if index <= skip_until:
            continue
        if start == end:
            close()
            gap = True
            prev_end_char = ""
            continue
        line = text[start:end] if end - start <= rules.MAX_STRUCTURE_LINE else ""
        if line and _is_furniture(line):
            close()
            gap = True
            prev_end_char = ""
            if line[:5].lower() in ("annex", "appen", "attac"):
                function, in_resolution = "", False
            continue
        last = text[end - 1]
        if line and rules.RESOLUTION_TITLE.fullmatch(line) and line[-1] not in ".;":
            close()
            function, in_resolution, in_subject, gap = "", True, True, True
            prev_end_char = ""
            continue
        at_unit_start = prev_end_char == "" or prev_end_char in rules.STATEMENT_END + ","
        if (
            line
            and at_unit_start
            and (in_subject or not paragraphs or in_resolution)
            and rules.ENACTING_FORMULA_START.match(line)
        ):
            formula_end = _enacting_formula_end(text, lines, index)
            if formula_end >= 0:
                close()
                in_subject, in_resolution, gap = False, True, True
                prev_end_char = ""
                skip_until = formula_end
                continue
        # After a line ending in "," a heading is only taken inside a resolution
        # (after its formula or an item); in prose it is a wrapped sentence.
        heading = (
            _heading_function(line)
            if line and at_unit_start and (prev_end_char != "," or in_resolution)
            else None
        )
        if heading is not None:
            close()
            function, in_resolution, in_subject, gap = heading, True, False, True
            prev_end_char = ":"
            last_text_char = ""
            continue
        if in_subject and last not in rules.STATEMENT_END:
            prev_end_char = ""
            continue
        in_subject = False
        body = _item_marker_end(text, start, end, at_unit_start or prev_title_like, in_resolution)
        if (
            body == start
            and function
            and gap
            and last_text_char == "."
            and (text[start].isupper() or text[start] in rules.OPENERS)
        ):
            # Resolution items end in ";" or ","; only the last one ends in ".". An
            # unmarked capitalised paragraph after it and a blank line is prose
            # after the resolution.
            function, in_resolution = "", False
            close()
        if body != start:
            close()
            current = _Paragraph(body, end, function, True, gap)
        elif current is not None and not (
            prev_title_like and text[start].isupper() and not current.is_item
        ):
            current.end = end
        else:
            close()
            current = _Paragraph(start, end, function, False, gap)
        gap = False
        prev_end_char = last_text_char = last
        prev_title_like = _title_like(text, start, end)
    close()
    return _tidy_paragraphs(text, paragraphs)


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
    then spans the furniture, as its offsets into the original text must.
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
        ):
            out[-1].end = para.end
            continue
        out.append(para)
    return out


