"""The named boundary patterns: each matches its documented examples, rejects
look-alikes, and runs in linear time on adversarial input."""

from __future__ import annotations

import re
import time

import pytest

from itunlp.segmentation import rules as rules


@pytest.mark.parametrize(
    ("pattern", "matches", "rejects"),
    [
        (
            rules.RUNNING_HEADER,
            ["PP22/61(Add.3)-E", "C22/47-E", "Document 61-E", "Addendum 3 to Document 61-E"],
            ["PP-22 was held", "61", "Resolution 70"],
        ),
        (
            rules.PAGE_NUMBER,
            ["- 4 -", "– 12 –", "Page 3 of 9", "page 3", "3/9", "12"],
            ["4 delegations", "Page three"],
        ),
        (
            rules.URL_LINE,
            ["https://www.itu.int/pp22", "www.itu.int/en/council", "<https://example.org>"],
            ["see https://itu.int", "itu.int"],
        ),
        (
            rules.AMENDMENT_MARKER,
            ["MOD USA/61A3/1", "ADD IAP/61A3/2", "SUP", "MOD\tUSA/61A3/1"],
            ["MODERN times", "Add more"],
        ),
        (
            rules.DATE_LINE,
            ["12 August 2022", "August 2022", "Delivered on 5 October 2022"],
            ["In August 2022 the Council met."],
        ),
        (
            rules.FIXED_FURNITURE,
            ["Skip to Content", "Annex 1", "ANNEX", "Original: English", "Back to top"],
            ["Annexes were added to the text."],
        ),
        (
            rules.REASONS_LINE,
            ["Reasons:\tEditorial alignment.", "Reasons: To update."],
            ["The reasons: none."],
        ),
        (
            rules.RESOLUTION_TITLE,
            [
                "RESOLUTION 70 (REV. BUCHAREST, 2022)",
                "Resolution 130 (Rev. Dubai, 2018)",
                "DRAFT NEW RESOLUTION [USA-1]",
                "MOD RESOLUTION 102 (REV. DUBAI, 2018)",
            ],
            ["Resolution 70 was revised.", "The resolution"],
        ),
        (
            rules.COURTESY_PARAGRAPH,
            ["Thank you, Chair.", "Thank you.", "Thank you, Madam President."],
            ["Thank you for the excellent organization."],
        ),
    ],
)
def test_line_patterns_match_their_examples(
    pattern: re.Pattern[str], matches: list[str], rejects: list[str]
) -> None:
    for line in matches:
        assert pattern.fullmatch(line), line
    for line in rejects:
        assert not pattern.fullmatch(line), line


@pytest.mark.parametrize(
    "line",
    [
        "considering",
        "recognizing further,",
        "bearing in mind:",
        "further resolves",
        "noting with concern",
        "instructs the Secretary-General, in consultation with the Directors,",
        "invites Member States and Sector Members",
        "resolves to instruct the Director of the Telecommunication Development Bureau",
    ],
)
def test_heading_line_matches_headings(line: str) -> None:
    assert rules.HEADING_LINE.fullmatch(line)


@pytest.mark.parametrize(
    "line", ["noting that the share is low;", "the Council considered it.", "considering the"]
)
def test_heading_line_rejects_text(line: str) -> None:
    assert not rules.HEADING_LINE.fullmatch(line)


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("a) that the", "a)"),
        ("(iv) the work", "(iv)"),
        ("1 to continue", "1"),
        ("1. The budget", "1."),
        ("2) the plan", "2)"),
        ("1.1 the plan", "1.1"),
        ("• Member States", "•"),
        ("- connectivity", "-"),
        ("– the", "–"),
        ("a)\tthat", "a)"),
    ],
)
def test_line_item_marker(line: str, label: str) -> None:
    m = rules.LINE_ITEM_MARKER.match(line)
    assert m and m.group("label") == label


@pytest.mark.parametrize("line", ["tele-\ncom", "-4 -", "a)b", "Annex", "2022 was"])
def test_line_item_marker_rejects(line: str) -> None:
    assert rules.LINE_ITEM_MARKER.match(line) is None


@pytest.mark.parametrize(
    ("text", "run"),
    [
        ("end. Next", "."),
        ("Hello!? Is", "!?"),
        ("that.... She", "...."),
        ("period . . . . Next", ". . . ."),
        ("great.' she", ".'"),
        ("engineer.) at", ".)"),
    ],
)
def test_terminator_run(text: str, run: str) -> None:
    assert rules.TERMINATOR_RUN.search(text).group() == run


@pytest.mark.parametrize(
    ("text", "conn"),
    [(", and the", "and"), (", but some", "but"), (",\nwhile many", "while"), (", yet it", "yet")],
)
def test_comma_connective(text: str, conn: str) -> None:
    assert rules.COMMA_CONNECTIVE.search(text).group("conn") == conn


@pytest.mark.parametrize("text", [", andrew", ", sober", " and the", ",and"])
def test_comma_connective_rejects(text: str) -> None:
    assert rules.COMMA_CONNECTIVE.search(text) is None


def test_standalone_colon_skips_times_and_urls() -> None:
    assert rules.STANDALONE_COLON.search("at 10:30 via https://x") is None
    assert rules.STANDALONE_COLON.search("goals: connectivity").start() == 5


def test_enacting_formula_end() -> None:
    assert rules.ENACTING_FORMULA_END.search("Union (Bucharest, 2022),")
    assert not rules.ENACTING_FORMULA_END.search("Union (ITU),")


@pytest.mark.parametrize(
    ("text", "found"),
    [("1.) The first item 2.) The", ["1", "2"]), ("a. The first b. The", ["a", "b"])],
)
def test_inline_list_label(text: str, found: list[str]) -> None:
    assert [m.group(1) for m in rules.INLINE_LIST_LABEL.finditer(text)] == found


def test_abbreviation_lists_are_lower_case_and_disjoint() -> None:
    groups = [
        rules.PREPOSITIVE_ABBREVIATIONS,
        rules.REFERENCE_ABBREVIATIONS,
        rules.INNER_ABBREVIATIONS,
        rules.SENTENCE_FINAL_ABBREVIATIONS,
    ]
    for group in groups:
        assert all(a == a.lower() for a in group)
    for i, a in enumerate(groups):
        for b in groups[i + 1 :]:
            assert not a & b


def test_brief_abbreviations_are_covered() -> None:
    known = (
        rules.PREPOSITIVE_ABBREVIATIONS
        | rules.REFERENCE_ABBREVIATIONS
        | rules.INNER_ABBREVIATIONS
        | rules.SENTENCE_FINAL_ABBREVIATIONS
        | rules.MONTH_ABBREVIATIONS
    )
    for abbreviation in ["e.g", "i.e", "no", "dr", "mr", "res", "rev", "oct", "art", "para", "vol"]:
        assert abbreviation in known
    assert rules.INITIALISM.fullmatch("U.S.")


ADVERSARIAL = [
    "a" * 200_000,
    "." * 100_000,
    ". " * 100_000,
    "(" * 50_000 + ")" * 50_000,
    ", and" * 40_000,
    "a) " * 50_000,
    "PP22/" * 40_000,
    "- " * 100_000,
    "considering " * 20_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:8]))
def test_patterns_run_in_linear_time(text: str) -> None:
    patterns = [value for value in vars(rules).values() if isinstance(value, re.Pattern)]
    started = time.perf_counter()
    for pattern in patterns:
        for _ in pattern.finditer(text):
            pass
        pattern.match(text)
        pattern.fullmatch(text[: rules.MAX_STRUCTURE_LINE])
    # Generous: a backtracking blow-up would take minutes, linear scans take milliseconds.
    assert time.perf_counter() - started < 5.0
