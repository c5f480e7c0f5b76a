"""Look-ahead over the lines of a text, for the layout pass.

:class:`_LineReader` answers the layout pass's questions about the lines around
the one it is reading: is this line a heading, a section title or a change
marker (never furniture)? which is the next line with content? does an item, an
enacting formula or a title follow? Every look-ahead is bounded to a few lines,
so that the pass stays linear in the text.
"""

from __future__ import annotations

import re
from typing import Any

from itunlp.segmentation import rules
from itunlp.segmentation.headings import HeadingScheme
from itunlp.segmentation.lines import _is_furniture, _item_marker_end, _section_match
from itunlp.segmentation.paragraphs import _first_word
from itunlp.segmentation.sections import CHANGE_MARKER

#: Longest section title (lines) after a section line.
MAX_TITLE_LINES = 4

#: Words that link the two lines of a wrapped heading: one ends or starts the break.
_WRAP_LINKS = frozenset(("and", "of", "in", "the", "for", "with", "by", "on", "from"))

#: A "Reasons:" line that closes a proposal's change block.
REASONS_START = re.compile(r"Reasons?\s*:")

#: A cover-page summary of a structured document ("Summary: The Americas propose
#: ...", "Abstract: ..."): cover metadata when a section title follows it.
COVER_SUMMARY = re.compile(r"(?:Summary|Abstract|Executive summary)\s*:[ \t]*\S")


class _LineReader:
    """The lines of a text and bounded look-ahead over them."""

    text: str
    lines: list[tuple[int, int]]
    scheme: HeadingScheme
    state: Any

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
        # A heading that broke off inside a phrase ("..., in close" + "collaboration with
        # ...", "... in cooperation with" + "the regional offices") may wrap onto a full
        # line; otherwise only a short line continues it.
        broken = "," in function or function.rsplit(None, 1)[-1] in _WRAP_LINKS
        if s == e or e - s > (90 if broken else 60) or j + 1 >= len(self.lines):
            return index
        line = self.text[s:e]
        if any(ch in line for ch in '.;!?"“”'):
            return index
        first = line.split()[0].lower()
        if first in self.scheme.clause_starts or self.scheme.match(line) is not None:
            return index
        if _item_marker_end(self.text, s, e, True, True) != s or _section_match(line) is not None:
            return index
        # The wrapped part starts a name or a linking word, or the heading broke off.
        if not (line[0].isupper() or first in _WRAP_LINKS or broken):
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

    def items_follow(self, index: int) -> bool:
        """Whether the next line (after at most one blank line, as in web pastes) starts an
        item or a clause ("to ...", "that ...")."""
        j = index + 1
        if j < len(self.lines) and self.lines[j][0] == self.lines[j][1]:
            j += 1
        if j >= len(self.lines) or self.lines[j][0] == self.lines[j][1]:
            return False
        s, e = self.lines[j]
        first = self.text[s:e].split()[0]
        return self.starts_item(j) or first in self.scheme.clause_starts

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

    def section_follows(self, index: int) -> bool:
        """A section title line anywhere after ``index``: ``index`` is on a cover page."""
        for s, e in self.lines[index + 1 :]:
            if (
                s < e
                and e - s <= rules.MAX_STRUCTURE_LINE
                and _section_match(self.text[s:e]) is not None
            ):
                return True
        return False

    def unmarked_item(self, item_start: int, start: int, end: int, prev_end: str) -> bool:
        """Whether the line ``text[start:end]`` opens a new item whose marker the PDF
        extractor lost, after the item at ``item_start`` ended with ``prev_end``.

        "...;" then "to ..." / "that ...": a new item, not a wrapped line. So is an
        item addressed to someone ("Member States to take part ...") under a lost
        ``invites``, after ";" or after a "," that is the item's only comma (no
        inserted phrase such as "to invite, as appropriate," is still open).
        """
        text, scheme = self.text, self.scheme
        if prev_end == ";" and _first_word(text, start, end) in scheme.clause_starts:
            return True
        if prev_end == "," and text.count(",", item_start, start) != 1:
            return False
        return prev_end in ";," and scheme.addressed_item(text, start, end)

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
            if not (line.startswith("(") and line.endswith(")")):
                # "(REV. BUCHAREST, 2022)" or "(adopted at the 2nd plenary meeting)"
                # on a line of its own belongs to the section line, not the title.
                parts.append(line.strip("#*_ \t"))
            last = j
            j += 1
        return " ".join(" ".join(parts).split()), last

    # ------------------------------------------------------------------- the pass


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
