"""Invariants of the segmenter on arbitrary text (hypothesis).

Whatever the input, clauses index the original text exactly, come in order,
never overlap and carry no surrounding whitespace; sentences are stripped pieces
of the text, in order.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itunlp.segmentation.boundary_model import BoundaryModel
from itunlp.segmentation.component import split_into_clauses, split_sentences

# Pieces that reach the rules often: stops, quotes, brackets, markers, headings,
# furniture, connectives, abbreviations, newlines, emoji.
PIECES = [
    ".",
    "..",
    "...",
    "…",
    ". . .",
    "?",
    "!",
    ";",
    ":",
    ",",
    ", and ",
    ", but ",
    " and, ",
    "(",
    ")",
    "[",
    "]",
    '"',
    "'",
    "“",
    "”",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    " ",
    "  ",
    "a)",
    "(iv)",
    "1.",
    "1",
    "2)",
    "•",
    "- ",
    "U.S.",
    "e.g.",
    "No.",
    "Res. 70",
    "Dr.",
    "3.5",
    "The",
    "we",
    "it",
    "considering\n",
    "resolves\n",
    "RESOLUTION 70 (REV. X, 2022)\n",
    "PP22/61(Add.3)-E\n",
    "- 4 -\n",
    "https://itu.int/x\n",
    "MOD USA/61A3/1\n",
    "The Plenipotentiary Conference (Bucharest, 2022),\n",
    "tele-\ncom",
    "🏫",
    "👩🏽‍💻",
    "é",
    "。",
    "؟",
    "\x00",
]

pieces = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet=string.ascii_letters, max_size=8)),
    max_size=40,
).map("".join)
any_text = st.one_of(st.text(max_size=300), pieces)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_clauses(text: str, model: BoundaryModel | None = None) -> None:
    previous_end = 0
    for clause in split_into_clauses(text, model):
        assert 0 <= clause.start < clause.end <= len(text)
        assert text[clause.start : clause.end] == clause.text
        assert clause.text == clause.text.strip()
        assert clause.start >= previous_end
        assert isinstance(clause.function, str)
        previous_end = clause.end


@SETTINGS
@given(any_text)
def test_clauses_index_the_text_in_order_without_overlap(text: str) -> None:
    check_clauses(text)


@SETTINGS
@given(pieces)
def test_invariants_hold_with_a_boundary_model(text: str) -> None:
    check_clauses(text, BoundaryModel({"conn=and": 2.0}, intercept=0.5))


@SETTINGS
@given(any_text)
def test_sentences_are_stripped_pieces_in_order(text: str) -> None:
    position = 0
    for sentence in split_sentences(text):
        assert sentence and sentence == sentence.strip()
        found = text.find(sentence, position)
        assert found >= 0
        position = found + len(sentence)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["", " ", "\n\n\t ", "\r\n" * 50, "\u2028 \u00a0"]))
def test_empty_and_whitespace_only_give_nothing(text: str) -> None:
    assert split_into_clauses(text) == []
    assert split_sentences(text) == []


@settings(max_examples=15, deadline=None)
@given(st.text(alphabet=string.ascii_lowercase + " ", min_size=1, max_size=50))
def test_text_without_punctuation_stays_whole_or_is_skipped(words: str) -> None:
    clauses = split_into_clauses(words)
    assert len(clauses) <= 1
    sentences = split_sentences(words)
    assert sentences == ([words.strip()] if words.strip() else [])


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["a", "word ", ". ", "x, and y ", "(", "U.S.", "🏫", "a: b "]))
def test_very_long_lines_are_handled(unit: str) -> None:
    check_clauses(unit * 20_000 + ".")


@settings(max_examples=20, deadline=None)
@given(st.text(alphabet=".?!…;:,\"'()[]•-", min_size=1, max_size=500))
def test_pathological_punctuation_runs(text: str) -> None:
    check_clauses(text)
    for sentence in split_sentences(text):
        assert sentence in text
