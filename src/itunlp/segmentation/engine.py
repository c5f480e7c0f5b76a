"""Cut ITU texts into clauses on the raw string: the pure-Python rule engine.

The work is done on the raw string in pure Python with the precompiled patterns
of :mod:`itunlp.segmentation.rules`, so that segmentation needs no tokenizer and
runs faster than tokenization itself. It has three passes:

1. *layout* (:mod:`itunlp.segmentation.layout`): each line is classified (page
   furniture, section title, change marker, enacting formula, heading from
   ``data/headings.toml``, list item, text) and consecutive text lines are
   grouped into paragraphs, each with its heading (``function``, ``part``),
   section (``section``, ``section_title``) and tracked change (``change``);
2. *sentences* (:mod:`itunlp.segmentation.sentences`): full stops, ``?``/``!``,
   ellipses and inline list labels are judged against the abbreviation, number
   and quotation rules;
3. *clauses*: sentences are cut at ``;``; standalone colons and ``, and``-like
   connectives are candidates decided by
   :func:`itunlp.segmentation.boundary_model.rule_decision` or by a learned
   :class:`~itunlp.segmentation.boundary_model.BoundaryModel`.

Offsets always index the original text; :attr:`Clause.clean_text` is the same
clause with wraps joined and hyphenation undone, for the classifier. This module
never imports spaCy; the spaCy component in :mod:`itunlp.segmentation.component`
runs the same function on ``doc.text`` and maps the offsets to tokens (and
re-exports this module's public names).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from itunlp.segmentation import rules
from itunlp.segmentation.boundary_model import BoundaryModel, candidate_features, rule_decision
from itunlp.segmentation.furniture import clean_clause_text
from itunlp.segmentation.layout import (
    LayoutState,
    _layout,
    _Paragraph,
    _strip_bounds,
)
from itunlp.segmentation.sentences import (
    _check_text,
    _next_start,
    _sentence_cuts,
    _sheltered,
    _shelters,
    split_sentences,
)

__all__ = [
    "BoundaryCandidate",
    "Clause",
    "LayoutState",
    "clean_clause_text",
    "find_boundary_candidates",
    "split_into_clauses",
    "split_sentences",
]


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause: a span of the original text and the heading it falls under.

    Parameters
    ----------
    start, end : int
        Character offsets into the original text; ``text[start:end] == clause.text``.
    text : str
        The clause itself, without leading or trailing whitespace or item marker.
    function : str
        The resolution heading in lower case (``"considering"``,
        ``"instructs the secretary-general"``), or ``""`` for prose and for
        items whose heading was lost.
    part : str
        ``"preamble"`` or ``"operative"`` after a heading of that part
        (``data/headings.toml``), ``""`` otherwise.
    section : str
        The section of the file the clause sits in: ``"Resolution 70"``,
        ``"Decision 614"``, ``"Article 3"``, ``"Annex 1 to Resolution 70"``,
        ``"Resolution [EUR-1]"``; ``""`` outside any section.
    section_title : str
        The section's title line(s), joined with single spaces; ``""`` if none.
    change : str
        ``"added"``, ``"modified"`` or ``"suppressed"`` inside an ``ADD``, ``MOD``
        or ``SUP`` block of a tracked-change proposal, else ``""``.
    skips : tuple of (int, int)
        Page furniture inside the span (a clause broken by a page break), as
        document offsets; :attr:`clean_text` leaves it out.
    """

    start: int
    end: int
    text: str
    function: str = ""
    part: str = ""
    section: str = ""
    section_title: str = ""
    change: str = ""
    skips: tuple[tuple[int, int], ...] = ()

    @property
    def clean_text(self) -> str:
        """The clause as the classifier reads it: wraps joined, hyphenation undone.

        ``text`` stays the exact span of the document; this is the same words on
        one line, with ``strength-\\nening`` read as ``strengthening`` and any
        page furniture inside the span left out (see
        :func:`itunlp.segmentation.furniture.clean_clause_text`).
        """
        return clean_clause_text(self.text, self.skips, self.start)


@dataclass(frozen=True, slots=True)
class BoundaryCandidate:
    """A point where the rules cannot tell alone whether a clause ends.

    Parameters
    ----------
    position : int
        Offset where the next clause would start (the connective word, or the
        first character after a colon).
    kind : str
        The connective in lower case, or ``":"``.
    features : dict of str to float
        The cues of :func:`itunlp.segmentation.boundary_model.candidate_features`.
    rule_decision : bool
        What the hand-written fallback decides.
    """

    position: int
    kind: str
    features: dict[str, float]
    rule_decision: bool


# --------------------------------------------------------------------------- clauses


def _soft_candidates(
    text: str, start: int, end: int, shelters: list[tuple[int, int]]
) -> Iterator[tuple[int, str, int, int]]:
    """Yield (next_clause_start, kind, left_end, right_start) for colons and connectives."""
    starts = [a for a, _ in shelters]
    colon = text.find(":", start, end)
    if colon >= 0:
        for m in rules.STANDALONE_COLON.finditer(text, colon, end):
            if shelters and _sheltered(shelters, starts, m.start()):
                continue
            nxt = _next_start(text, m.end(), end)
            if nxt < end:
                yield nxt, ":", m.start(), m.end()
    comma = text.find(",", start, end)
    if comma < 0:
        return
    for m in rules.COMMA_CONNECTIVE.finditer(text, comma, end):
        if shelters and _sheltered(shelters, starts, m.start()):
            continue
        yield m.start("conn"), m.group("conn").lower(), m.start(), m.end()
    for m in rules.CONNECTIVE_BEFORE_PARENTHETICAL.finditer(text, start, end):
        if shelters and _sheltered(shelters, starts, m.start()):
            continue
        closing = text.find(",", m.end(), min(end, m.end() + rules.MAX_PARENTHETICAL))
        right_start = closing + 1 if closing >= 0 else m.end()
        yield m.start("conn"), m.group("conn").lower(), m.start(), right_start


def _segment_candidates(
    text: str, seg_start: int, seg_end: int, shelters: list[tuple[int, int]]
) -> Iterator[BoundaryCandidate]:
    """The soft candidates of one hard segment, with their features."""
    seen = -1
    found = sorted(_soft_candidates(text, seg_start, seg_end, shelters))
    for nxt, kind, left_end, right_start in found[: rules.MAX_CANDIDATES_PER_SEGMENT]:
        if nxt == seen:
            continue
        seen = nxt
        left = text[max(seg_start, left_end - rules.MAX_CANDIDATE_CONTEXT) : left_end]
        right = text[right_start : min(seg_end, right_start + rules.MAX_CANDIDATE_CONTEXT)]
        feats = candidate_features(left, kind, right)
        decision = rule_decision(feats)
        if decision:
            # The rules' verdict is a feature too: a model trained on a small corpus
            # then only has to learn where to overrule them.
            feats["rule"] = 1.0
        yield BoundaryCandidate(nxt, kind, feats, decision)


def _hard_cuts(text: str, start: int, end: int, shelters: list[tuple[int, int]]) -> list[int]:
    """Sentence starts and clause starts after semicolons, sorted and unique."""
    cuts = _sentence_cuts(text, start, end, shelters)
    semi = text.find(";", start, end)
    if semi >= 0:
        starts = [a for a, _ in shelters]
        for m in rules.SEMICOLON.finditer(text, semi, end):
            if shelters and _sheltered(shelters, starts, m.start()):
                continue
            nxt = _next_start(text, m.end(), end)
            if nxt < end:
                cuts.append(nxt)
    return sorted(set(cuts))


def _emit(text: str, start: int, end: int, para: _Paragraph, out: list[Clause]) -> None:
    """Append the stripped span as a clause when it holds a word."""
    start, end = _strip_bounds(text, start, end)
    if start >= end:
        return
    piece = text[start:end]
    if not any(ch.isalnum() for ch in piece):
        return
    skips: tuple[tuple[int, int], ...] = ()
    if para.skips:
        skips = tuple((a, b) for a, b in para.skips if start <= a and b <= end)
    section = para.section
    out.append(
        Clause(
            start,
            end,
            piece,
            para.function,
            para.part,
            section.name,
            section.title,
            para.change,
            skips,
        )
    )


def _segments(text: str, para: _Paragraph, shelters: list[tuple[int, int]]) -> list[int]:
    """Hard cut points of a paragraph, with its start and end as the outer bounds."""
    if para.whole:
        # A resolution item or treaty provision is exactly one clause, even when it
        # holds two sentences (codebook 2.1.10, CONVENTIONS.md).
        inner: list[int] = []
    else:
        inner = _hard_cuts(text, para.start, para.end, shelters)
    if para.skips:
        # A page break inside the clause: the footnote or running header between its
        # parts ends with a stop of its own, which is no sentence end of the clause.
        inner = [c for c in inner if not any(a < c <= b for a, b in para.skips)]
    return [para.start, *inner, para.end]


def _clause_segments(text: str, para: _Paragraph) -> tuple[list[tuple[int, int]], list[int]] | None:
    """Shelters and hard segment bounds of a paragraph, or None if it holds no clause.

    A paragraph that does not end as a statement is dropped whole when it is
    short (a title, even one with a question in it, a standfirst, a signature);
    in a long one, only the unterminated tail is dropped, so that prose whose
    final stop went missing keeps its sentences.
    """
    if (
        not (para.is_item or para.function)
        and para.end - para.start < 60
        and rules.COURTESY_PARAGRAPH.fullmatch(text, para.start, para.end)
    ):
        return None
    shelters = _shelters(text, para.start, para.end)
    bounds = _segments(text, para, shelters)
    if not (para.is_item or para.function) and not _ends_statement(text, para):
        if para.end - para.start <= rules.MAX_TITLE_CHARS and not _ended_line_before_tail(
            text, para, bounds
        ):
            return None
        bounds = bounds[:-1]
        if len(bounds) < 2:
            return None
    return shelters, bounds


def _ended_line_before_tail(text: str, para: _Paragraph, bounds: list[int]) -> bool:
    """A sentence that ends a line, then an unterminated last line ("... budget." over
    "Updated 3 April"): the sentence is kept, only the tail is dropped."""
    if len(bounds) < 3:
        return False
    tail = bounds[-2]
    before = text[para.start : tail].rstrip()
    return "\n" in text[len(before) + para.start : tail] and before[-1:] in ".!?" + rules.CLOSERS


def _ends_statement(text: str, para: _Paragraph) -> bool:
    """Whether a paragraph ends with a stop, question/exclamation mark, ; or :."""
    last = para.end - 1
    # Closing quotes, emoji and other symbols may follow the final stop.
    while last > para.start and (text[last] in rules.CLOSERS or _is_trailing_symbol(text[last])):
        last -= 1
    return text[last] in rules.STATEMENT_END


def _is_trailing_symbol(ch: str) -> bool:
    """Symbols, marks and format characters (emoji and their joiners) or spaces."""
    return ch.isspace() or unicodedata.category(ch)[0] in "SMC"


def split_into_clauses(
    text: str, boundary_model: BoundaryModel | None = None, state: LayoutState | None = None
) -> list[Clause]:
    """Cut a text into clauses with exact offsets and resolution headings.

    Runs on the raw string (no tokenizer), so it is cheap enough for whole corpora;
    page furniture, resolution titles, enacting formulas and headings are skipped,
    and list items lose their marker, following ``data/CONVENTIONS.md``.

    Parameters
    ----------
    text : str
        Any text: a resolution from a PDF or a web page, commentary, an email.
    boundary_model : BoundaryModel, optional
        Decides the ambiguous points (``, and`` between statements or between
        nouns, standalone ``:``). Without it, the hand-written rules decide.
    state : LayoutState, optional
        For a huge file cut into blocks: the same object passed with each
        consecutive block carries the open section, heading and change block
        across the block edges (it is updated in place).

    Returns
    -------
    list of Clause
        In text order, never overlapping; ``text[c.start:c.end] == c.text``.

    Raises
    ------
    TypeError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> [c.text for c in split_into_clauses("The ITU met in Bucharest; it elected a woman.")]
    ['The ITU met in Bucharest;', 'it elected a woman.']
    >>> doc = "resolves\\n\\n1 to continue the work;\\n2 to report."
    >>> [(c.text, c.function) for c in split_into_clauses(doc)]
    [('to continue the work;', 'resolves'), ('to report.', 'resolves')]
    """
    _check_text(text)
    decide: Callable[[dict[str, float]], bool] = (
        boundary_model.decide if boundary_model is not None else rule_decision
    )
    out: list[Clause] = []
    for para in _layout(text, state):
        kept = _clause_segments(text, para)
        if kept is None:
            continue
        shelters, bounds = kept
        for seg_start, seg_end in itertools.pairwise(bounds):
            if para.whole:
                _emit(text, seg_start, seg_end, para, out)
                continue
            piece_start = seg_start
            for cand in _segment_candidates(text, seg_start, seg_end, shelters):
                if cand.position <= piece_start:
                    continue
                decision = cand.rule_decision if boundary_model is None else decide(cand.features)
                if (
                    decision
                    and para.is_item
                    and piece_start == para.start
                    and "left_label" in cand.features
                ):
                    # "- SG: our candidate elected ...": a short verbless label at the
                    # start of a bulleted note names the item's topic (codebook 1).
                    decision = False
                if decision:
                    _emit(text, piece_start, cand.position, para, out)
                    piece_start = cand.position
            _emit(text, piece_start, seg_end, para, out)
    return out


def find_boundary_candidates(text: str) -> list[BoundaryCandidate]:
    """All ambiguous candidate points of a text, for training the boundary model.

    Parameters
    ----------
    text : str
        A document.

    Returns
    -------
    list of BoundaryCandidate
        The colon and connective candidates the segmenter would ask a
        :class:`BoundaryModel` about, in text order.
    """
    _check_text(text)
    found: list[BoundaryCandidate] = []
    for para in _layout(text):
        kept = None if para.whole else _clause_segments(text, para)
        if kept is None:
            continue
        shelters, bounds = kept
        for seg_start, seg_end in itertools.pairwise(bounds):
            found.extend(_segment_candidates(text, seg_start, seg_end, shelters))
    return found
