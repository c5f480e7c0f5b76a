"""Paragraphs of the layout pass, and the tidy pass over them.

:class:`_Paragraph` is a run of text lines that the clause engine segments as one
piece, with the heading, section and change it sits under. :func:`_tidy_paragraphs`
drops what is a title or a signature rather than a statement (a lone question
heading, a headline and standfirst, a signature initial), strips press-release
datelines and joins paragraphs that a page break cut in two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from itunlp.segmentation import rules

__all__ = ["SectionInfo"]

#: A press-release dateline before the first sentence; the clause starts after it:
#: "BUCHAREST, 14 October 2022 – The ITU Plenipotentiary Conference ended ...".
DATELINE = re.compile(
    r"[A-Z][A-Z .'-]{1,40}(?:,\s*[A-Z][a-z]+)?,\s*\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}\s*[–—-]+\s*"
    # "GENEVA (Wire Service) – The ...", "NEW YORK – Delegates ...": a place name in
    # capitals, an optional agency, a spaced dash, then a capitalised word; without a
    # date, only in the first paragraphs of a text (DATELINE_REACH).
    r"|(?P<bare>(?=[A-Z]{4}|[A-Z]{2,3}[ .'-][A-Z]{2})[A-Z]{2,}(?:[ .'-][A-Z]{2,}){0,3}"
    r"(?: \([^()\n]{1,40}\))? [–—] (?=[A-Z]))"
)

#: A markdown heading line (a title, never a clause): "## What is a WRC?".
MARKDOWN_HEADING = re.compile(r"#{1,6}[ \t]+\S")

#: A lone initial that signs a message after its closing line: "P.", "JM".
SIGNATURE_INITIAL = re.compile(r"[A-Z]{1,2}\.?")

#: Longest one-line question (characters) that may head a paragraph: "What is a WRC?".
MAX_QUESTION_HEADING = 100

#: A question that asks the reader for something, or goes on from the text before it,
#: is no heading: "Could you check the figures?", "And what about the budget?".
REQUEST = re.compile(
    r"\b(?:[Cc]an|[Cc]ould|[Ww]ould|[Ww]ill) you\b|\b[Pp]lease\b|\A(?:And|But|So|Or)\b"
)

#: A sentence end inside a paragraph (a stop, ? or ! before a space).
INNER_STOP = re.compile(r"[.!?][\"'”’)]*\s")

#: How far into a text (characters) a dateline without a date may stand.
DATELINE_REACH = 1000


@dataclass(frozen=True, slots=True)
class SectionInfo:
    """The section a paragraph sits in: its name and title (see CONVENTIONS.md)."""

    name: str = ""
    title: str = ""


_NO_SECTION = SectionInfo()


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
    joinable: bool = True  # False right after a heading, formula, section or marker


def _first_word(text: str, start: int, end: int) -> str:
    """The first word of a line (bounded), for the run-on item test."""
    stop = min(end, start + 12)
    i = start
    while i < stop and text[i].isalpha():
        i += 1
    return text[start:i] if i < end and text[i] == " " else ""


def _question_heading(text: str, para: _Paragraph, nxt: _Paragraph | None) -> bool:
    """A question alone on its line, then a blank line and a longer paragraph (or a
    list lead-in): the heading of an FAQ or explainer ("What is a WRC?")."""
    size = para.end - para.start
    return (
        not (para.is_item or para.function)
        and text[para.end - 1] == "?"
        and size <= MAX_QUESTION_HEADING
        and REQUEST.search(text[para.start : para.end]) is None
        and nxt is not None
        and nxt.after_gap
        and text.find("\n", para.start, para.end) < 0
        and (nxt.end - nxt.start >= 2 * size or text[nxt.end - 1] == ":")
        and text.count("\n", para.end, nxt.start) >= 2
    )


def _not_a_clause(text: str, para: _Paragraph, nxt: _Paragraph | None, index: int) -> bool:
    """Prose paragraphs that are titles, not statements, though they end in ``?`` or ``;``.

    - The first paragraph of a text, when none of its lines ends a sentence and no
      sentence ends inside it, is a headline and standfirst ("... clashes over
      Ukraine and AI; civil society welcomes ...").
    - A lone initial after a sign-off ("P.") is a signature.
    """
    if para.is_item or para.function:
        return False
    size = para.end - para.start
    if size <= 3 and SIGNATURE_INITIAL.fullmatch(text, para.start, para.end):
        return True
    if (
        MARKDOWN_HEADING.match(text, para.start, para.end)
        and "\n" not in text[para.start : para.end]
    ):
        return True  # "## What is a WRC?": a markdown heading is a title
    if index == 0 and para.section.name == "" and (nxt is None or not text[nxt.start].islower()):
        piece = text[para.start : para.end]
        lines = piece.split("\n")
        return (
            len(lines) <= 4
            and all(ln.rstrip()[-1:] not in rules.STATEMENT_END for ln in lines)
            and INNER_STOP.search(piece) is None
        )
    return False


def _tidy_paragraphs(
    text: str, paragraphs: list[_Paragraph], first_block: bool = True
) -> list[_Paragraph]:
    """Drop press-release datelines; join paragraphs that a page break cut in two.

    A paragraph with no final stop followed, after furniture or blank lines, by
    one that starts in lower case is one sentence broken by a page: the clause
    then spans the furniture, as its offsets into the original text must, and
    the furniture between is remembered so that the classifier does not read it.
    """
    out: list[_Paragraph] = []
    follows = [*paragraphs[1:], None]
    # Question headings come in series (an FAQ); one question alone before a paragraph
    # is as likely a question put to the reader ("Can you confirm by Friday?").
    questions = {
        i for i, para in enumerate(paragraphs) if _question_heading(text, para, follows[i])
    }
    if len(questions) < 2:
        questions = set()
    for index, para in enumerate(paragraphs):
        nxt = follows[index]
        if index in questions:
            continue
        if _not_a_clause(text, para, nxt, index if first_block else index + 1):
            continue
        if not para.is_item and text[para.start].isupper():
            dateline = DATELINE.match(text, para.start, min(para.end, para.start + 80))
            if dateline and (
                dateline.group("bare") is None or (para.start < DATELINE_REACH and len(out) < 4)
            ):
                para.start = dateline.end()
        if (
            out
            and para.after_gap
            and not para.is_item
            and text[para.start].islower()
            and text[out[-1].end - 1] not in rules.STATEMENT_END
            and para.joinable
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
