"""Cut ITU texts into clauses on the raw string: the pure-Python rule engine.

The work is done on the raw string in pure Python with the precompiled patterns
of :mod:`itunlp.segmentation.rules`, so that segmentation needs no tokenizer and runs
faster than tokenization itself. It has three passes:

1. *layout*: each line is classified (page furniture, resolution title,
   enacting formula, heading, list item, text) and consecutive text lines are
   grouped into paragraphs, each with the resolution heading it falls under;
2. *sentences*: full stops, ``?``/``!``, ellipses and inline list labels are
   judged against the abbreviation, number and quotation rules;
3. *clauses*: sentences are cut at ``;``; standalone colons and ``, and``-like
   connectives are candidates decided by :func:`itunlp.segmentation.boundary_model.rule_decision`
   or by a learned :class:`~itunlp.segmentation.boundary_model.BoundaryModel`.

Offsets always index the original text. This module never imports spaCy; the
spaCy component in :mod:`itunlp.segmentation.component` runs the same function on ``doc.text``
and maps the offsets to tokens (and re-exports this module's public names).
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from itunlp.segmentation import rules
from itunlp.segmentation.boundary_model import BoundaryModel, candidate_features, rule_decision
from itunlp.segmentation.layout import _layout, _lines, _Paragraph, _strip_bounds

__all__ = [
    "BoundaryCandidate",
    "Clause",
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
        ``"instructs the secretary-general"``), or ``""`` for prose.
    """

    start: int
    end: int
    text: str
    function: str = ""


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


# ------------------------------------------------------------------------- sentences


def _shelters(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Intervals inside matched parentheses, where no boundary may fall."""
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    pos = text.find("(", start, end)
    close_pos = text.find(")", start, end)
    if pos < 0 or close_pos < 0:
        return pairs
    for i in range(min(pos, close_pos), end):
        ch = text[i]
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            open_at = stack.pop()
            if i - open_at <= rules.MAX_PAREN_SPAN:
                pairs.append((open_at + 1, i))
    if not pairs:
        return pairs
    pairs.sort()
    merged = [pairs[0]]
    for a, b in pairs[1:]:
        if a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _sheltered(shelters: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    """Whether ``pos`` lies strictly inside one of the sheltered intervals."""
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and shelters[i][0] < pos < shelters[i][1]


def _next_start(text: str, pos: int, end: int) -> int:
    """First non-space offset at or after ``pos`` (``end`` if none)."""
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def _word_before(text: str, pos: int, floor: int) -> str:
    """The whitespace-delimited word ending at ``pos`` (bounded look-back)."""
    lo = max(floor, pos - rules.MAX_WORD_LOOKBACK)
    i = pos
    while i > lo and not text[i - 1].isspace():
        i -= 1
    return text[i:pos].lstrip(rules.OPENERS + rules.BULLETS)


def _word_after(text: str, pos: int, end: int) -> str:
    """The word starting at ``pos``, after any opening quotes or brackets."""
    while pos < end and text[pos] in rules.OPENERS:
        pos += 1
    m = rules.WORD.match(text, pos, min(end, pos + 48))
    return m.group() if m else ""


def _starts_sentence(text: str, pos: int, end: int) -> bool:
    """Whether the text at ``pos`` can begin a sentence (upper case, maybe quoted)."""
    i = pos
    while i < end and i < pos + 3 and text[i] in "\"'“‘«":
        i += 1
    if i >= end:
        return False
    ch = text[i]
    # Scripts without case (Arabic, Hebrew, CJK) start sentences with any letter.
    return ch.isupper() or (ch.isalpha() and not ch.islower())


def _full_stop_ends_sentence(word: str, next_word: str) -> bool:
    """Decide a single full stop after ``word`` that is followed by a capital."""
    if not word:
        return True
    low = word.lower()
    if (
        low in rules.PREPOSITIVE_ABBREVIATIONS
        or low in rules.REFERENCE_ABBREVIATIONS
        or low in rules.INNER_ABBREVIATIONS
    ):
        return False
    if low in rules.SENTENCE_FINAL_ABBREVIATIONS:
        return True
    if (
        low in rules.MONTH_ABBREVIATIONS
        or rules.SINGLE_INITIAL.fullmatch(word)
        or rules.INITIALISM.fullmatch(word + ".")
    ):
        return next_word in rules.SENTENCE_STARTERS
    return not rules.SINGLE_LOWER.fullmatch(word)


def _sentence_cuts(text: str, start: int, end: int, shelters: list[tuple[int, int]]) -> list[int]:
    """Offsets in (start, end) where a new sentence starts."""
    labels = _inline_list_cuts(text, start, end)
    cuts: list[int] = list(labels)
    label_set = set(labels)
    starts = [a for a, _ in shelters]
    for m in rules.TERMINATOR_RUN.finditer(text, start, end):
        s, e = m.span()
        if e >= end or not text[e].isspace():
            continue
        nxt = _next_start(text, e, end)
        if nxt >= end or not _starts_sentence(text, nxt, end):
            continue
        if shelters and _sheltered(shelters, starts, s):
            continue
        run = m.group()
        prev = text[s - 1] if s > start else " "
        if prev in "[(":
            continue
        marks = sum(1 for ch in run if ch in ".?!؟") + 3 * run.count("…")
        if "?" in run or "!" in run or "؟" in run:
            cuts.append(nxt)
        elif " " in run.rstrip(rules.CLOSERS):
            if not prev.isspace():
                # "compounds. . . . The": the stop ends the sentence, the ellipsis
                # opens the next one.
                cuts.append(_next_start(text, s + 1, end))
            elif marks >= 4:
                cuts.append(nxt)
        elif marks >= 2:
            if not prev.isspace():
                cuts.append(nxt)
        else:
            word = _word_before(text, s, start)
            at = s - len(word)
            if at in label_set or (
                _is_label(word) and (at == start or text[at - 1] in rules.BULLETS)
            ):
                continue  # "1. The first item", "⁃9. The": the stop belongs to a label
            if _full_stop_ends_sentence(word, _word_after(text, nxt, end)):
                cuts.append(nxt)
    if _has_cjk_stop(text, start, end):
        for m in rules.CJK_TERMINATOR.finditer(text, start, end):
            nxt = _next_start(text, m.end(), end)
            if nxt < end and not (shelters and _sheltered(shelters, starts, m.start())):
                cuts.append(nxt)
    return cuts


def _has_cjk_stop(text: str, start: int, end: int) -> bool:
    """Cheap pre-check so that Latin text never runs the CJK pattern."""
    return any(text.find(mark, start, end) >= 0 for mark in "。！？")


def _is_label(word: str) -> bool:
    """A one- or two-digit number or a single letter: a list label before a stop."""
    return (len(word) <= 2 and word.isdigit()) or (len(word) == 1 and word.isalpha())


def _inline_list_cuts(text: str, start: int, end: int) -> list[int]:
    """Offsets of inline bullets and of numbered/lettered labels that form a sequence."""
    cuts = [m.start() for m in rules.INLINE_BULLET.finditer(text, start, end) if m.start() > start]
    labels: dict[str, list[tuple[int, int]]] = {}
    for m in rules.INLINE_LIST_LABEL.finditer(text, start, end):
        value, style = m.group(1), m.group(2)
        if value.isdigit():
            key, rank = "n" + style, int(value)
        else:
            key, rank = "a" + style, ord(value) - ord("a")
        labels.setdefault(key, []).append((rank, m.start()))
    for found in labels.values():
        if len(found) < 2:
            continue
        for (r1, p1), (r2, p2) in itertools.pairwise(found):
            if r2 == r1 + 1:
                if p1 > start:
                    cuts.append(p1)
                cuts.append(p2)
    return cuts


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


def _emit(text: str, start: int, end: int, function: str, out: list[Clause]) -> None:
    """Append the stripped span as a clause when it holds a word."""
    start, end = _strip_bounds(text, start, end)
    if start >= end:
        return
    piece = text[start:end]
    if not any(ch.isalnum() for ch in piece):
        return
    out.append(Clause(start, end, piece, function))


def _segments(text: str, para: _Paragraph, shelters: list[tuple[int, int]]) -> list[int]:
    """Hard cut points of a paragraph, with its start and end as the outer bounds."""
    if para.is_item and para.function:
        # A resolution item is one clause (CONVENTIONS.md); only full sentences split it.
        inner = _sentence_cuts(text, para.start, para.end, shelters)
        inner = sorted(set(inner))
    else:
        inner = _hard_cuts(text, para.start, para.end, shelters)
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
        if para.end - para.start <= rules.MAX_TITLE_CHARS:
            return None
        bounds = bounds[:-1]
        if len(bounds) < 2:
            return None
    return shelters, bounds


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


def _check_text(text: object) -> str:
    """Reject non-string input with an actionable message."""
    if not isinstance(text, str):
        raise TypeError(
            f"Expected the text to segment as a str, got {type(text).__name__}; "
            "decode bytes first (e.g. data.decode('utf-8'))."
        )
    return text


def split_into_clauses(text: str, boundary_model: BoundaryModel | None = None) -> list[Clause]:
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
    for para in _layout(text):
        kept = _clause_segments(text, para)
        if kept is None:
            continue
        shelters, bounds = kept
        resolution_item = para.is_item and bool(para.function)
        for seg_start, seg_end in itertools.pairwise(bounds):
            if resolution_item:
                _emit(text, seg_start, seg_end, para.function, out)
                continue
            piece_start = seg_start
            for cand in _segment_candidates(text, seg_start, seg_end, shelters):
                if cand.position <= piece_start:
                    continue
                decision = cand.rule_decision if boundary_model is None else decide(cand.features)
                if decision:
                    _emit(text, piece_start, cand.position, para.function, out)
                    piece_start = cand.position
            _emit(text, piece_start, seg_end, para.function, out)
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
        kept = None if para.is_item and para.function else _clause_segments(text, para)
        if kept is None:
            continue
        shelters, bounds = kept
        for seg_start, seg_end in itertools.pairwise(bounds):
            found.extend(_segment_candidates(text, seg_start, seg_end, shelters))
    return found


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences (the sentence level of the segmenter).

    Blank lines end sentences; inside a paragraph the abbreviation, number,
    ellipsis, quotation and list rules decide. List markers stay in the text,
    as in the English "Golden Rules".

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of str
        The sentences, stripped, in order.

    Raises
    ------
    TypeError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> split_sentences("I live in the U.S. How about you? Res. 70 passed.")
    ['I live in the U.S.', 'How about you?', 'Res. 70 passed.']
    """
    _check_text(text)
    sentences: list[str] = []
    for para_start, para_end in _blank_line_paragraphs(text):
        shelters = _shelters(text, para_start, para_end)
        cuts = sorted(set(_sentence_cuts(text, para_start, para_end, shelters)))
        pieces: list[list[int]] = []
        piece_start = para_start
        for a, b in itertools.pairwise([para_start, *cuts, para_end]):
            # A piece without a word (a lone bullet or stop) goes with the sentence
            # it introduces; only the new stretch needs checking, the carry has none.
            if any(ch.isalnum() for ch in text[a:b]):
                pieces.append([piece_start, b])
                piece_start = b
        if pieces and piece_start < para_end:
            pieces[-1][1] = para_end
        for a, b in pieces:
            a, b = _strip_bounds(text, a, b)
            sentences.append(text[a:b])
    return sentences


def _blank_line_paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of the non-blank stretches separated by blank lines."""
    para_start: int | None = None
    para_end = 0
    for start, end in _lines(text):
        s, e = _strip_bounds(text, start, end)
        if s == e:
            if para_start is not None:
                yield para_start, para_end
                para_start = None
            continue
        if para_start is None:
            para_start = s
        para_end = e
    if para_start is not None:
        yield para_start, para_end
