"""The sentence level of the clause engine: stops, abbreviations, inline lists.

Full stops, ``?``/``!``, ellipses and inline list labels are judged against the
abbreviation, number and quotation rules of :mod:`itunlp.segmentation.rules`;
matched parentheses shelter what is inside them. :mod:`itunlp.segmentation.engine`
cuts clauses on these sentence starts; :func:`split_sentences` is the sentence
splitter on its own.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator

from itunlp.segmentation import rules
from itunlp.segmentation.lines import _lines, _strip_bounds

__all__ = ["split_sentences"]


def _check_text(text: object) -> str:
    """Reject non-string input with an actionable message."""
    if not isinstance(text, str):
        raise TypeError(
            f"Expected the text to segment as a str, got {type(text).__name__}; "
            "decode bytes first (e.g. data.decode('utf-8'))."
        )
    return text


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


def _token_after(text: str, pos: int, end: int) -> str:
    """The whitespace-delimited token at ``pos`` (bounded), without a trailing ``,;:``."""
    stop = min(end, pos + 48)
    i = pos
    while i < stop and not text[i].isspace():
        i += 1
    return text[pos:i].rstrip(",;:")


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


def _full_stop_ends_sentence(word: str, next_word: str, next_token: str = "") -> bool:
    """Decide a single full stop after ``word`` that is followed by a capital.

    ``next_token`` is the whitespace-delimited token after the stop (its trailing
    comma or colon dropped): a reference or month abbreviation announces a number
    or a code ("No. 5", "Doc. PP22/61", "Res. COM5/1"), so before a plain
    capitalised word ("No. Some", "in Feb. Sarah") it ends the sentence.
    """
    if not word:
        return True
    low = word.lower()
    if low in rules.REFERENCE_ABBREVIATIONS or low in rules.MONTH_ABBREVIATIONS:
        return bool(rules.PLAIN_WORD.fullmatch(next_token)) or (
            word.islower() and next_token == "I"
        )
    if low in rules.PREPOSITIVE_ABBREVIATIONS or low in rules.INNER_ABBREVIATIONS:
        return False
    if low in rules.SENTENCE_FINAL_ABBREVIATIONS:
        return True
    if rules.SINGLE_INITIAL.fullmatch(word) or rules.INITIALISM.fullmatch(word + "."):
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
            low = word.lower()
            token = (
                _token_after(text, nxt, end)
                if low in rules.REFERENCE_ABBREVIATIONS or low in rules.MONTH_ABBREVIATIONS
                else ""
            )
            if _full_stop_ends_sentence(word, _word_after(text, nxt, end), token):
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
