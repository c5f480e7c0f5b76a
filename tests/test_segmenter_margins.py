"""Layout rules found on a third independent formats set (data/formats/final).

Each test uses a small text written for it (not taken from the data): margin
paragraph numbers before headings, wide provision-number columns, headings that
wrap after a linking word, footer and separator lines, numbered paragraphs after a
lettered sub-title, and connective splits that need a verb of their own.
"""

from __future__ import annotations

from itunlp.segmentation.headings import load_headings
from itunlp.segmenter import split_into_clauses


def rows(text: str, *fields: str) -> list[tuple]:
    """(text, field, ...) of each clause."""
    return [(c.text, *(getattr(c, f) for f in fields)) for c in split_into_clauses(text)]


def test_a_margin_paragraph_number_before_a_heading_line_keeps_the_heading() -> None:
    text = (
        "DECISION 12 (C30) – Venue of the next assembly\n"
        "The Council,\n"
        " 1   recalling\n"
        " 2   that two Member States offered to host the assembly;\n"
        " 3   decides\n"
        " 4   1  that the assembly shall meet in Lima;\n"
        " 5   2  to review the costs at its next session.\n"
    )
    assert rows(text, "function", "part") == [
        ("that two Member States offered to host the assembly;", "recalling", "preamble"),
        ("that the assembly shall meet in Lima;", "decides", "operative"),
        ("to review the costs at its next session.", "decides", "operative"),
    ]


def test_a_margin_number_may_stand_before_any_form_of_heading() -> None:
    scheme = load_headings()
    assert scheme.match("12   noting").function == "noting"
    assert scheme.match("7\tinstructs the Secretary-General").body == -1
    assert scheme.match("3\t**recognizing**").function == "recognizing"
    line = "9   resolves that the fee stays the same;"
    found = scheme.match(line)
    assert (found.function, line[found.body :]) == ("resolves", "that the fee stays the same;")
    assert scheme.match("12   noting the report") is None  # a preamble word never runs on here
    assert scheme.match("2024 noting") is None  # one space: no margin column


def test_a_margin_numbered_heading_that_runs_on_into_its_clause() -> None:
    text = (
        "DECISION 40 (C31) – Fees\n"
        "The Council,\n"
        " 6   decides that the fee shall stay at its present level;\n"
        " 7   requests the Secretary-General to report next year.\n"
    )
    assert rows(text, "function") == [
        ("that the fee shall stay at its present level;", "decides"),
        ("to report next year.", "requests the secretary-general"),
    ]


def test_a_wide_margin_column_before_a_provision_is_no_title_line() -> None:
    text = (
        "ARTICLE 9\n"
        "Secrecy of messages\n"
        "412              Members agree to protect the secrecy of\n"
        "                 messages sent over public networks.\n"
        "413              Each Member shall inform the others of its rules.\n"
    )
    got = rows(text, "section", "section_title")
    assert [r[0].split()[0] for r in got] == ["Members", "Each"]
    assert {r[2] for r in got} == {"Secrecy of messages"}


def test_a_heading_that_breaks_after_a_linking_word_wraps_onto_the_next_line() -> None:
    text = (
        "RESOLUTION 9 (REV. LIMA, 2030)\n"
        "Training of regulators\n"
        f"{'The Conference of the Union (Lima, 2030),'}\n"
        "instructs the Director of the Development Bureau, in\n"
        "consultation with the regional offices\n"
        "1 to run a yearly course for regulators;\n"
        "2 to publish its material online.\n"
    )
    function = (
        "instructs the director of the development bureau, in consultation with the "
        "regional offices"
    )
    assert [f for _, f in rows(text, "function")] == [function, function]


def test_a_footer_label_with_a_page_number_across_a_bar_is_furniture() -> None:
    text = (
        "The panel met twice and agreed on a work plan for the\n"
        "coming year.\n"
        "                         Annual Report  |  17\n"
        "\n"
        "It will report again in May.\n"
        "Page 18 | Annual Report\n"
        "Annual Report | Page 19 of 40\n"
    )
    assert [t for (t,) in rows(text)] == [
        "The panel met twice and agreed on a work plan for the\ncoming year.",
        "It will report again in May.",
    ]


def test_a_label_framed_by_rule_characters_is_furniture() -> None:
    text = (
        "Please find the notes below.\n===== forwarded notes =====\n"
        "The group met on Monday.\n*** end of notes ***\n"
    )
    assert [t for (t,) in rows(text)] == [
        "Please find the notes below.",
        "The group met on Monday.",
    ]


def test_a_tabbed_number_after_a_lettered_sub_title_marks_a_paragraph() -> None:
    text = (
        "PANEL REVIEW – SUMMARY (EXTRACT)\n"
        "\n"
        "A. What has changed\n"
        "1.\tTen years on, most schools are online, while rural clinics still wait.\n"
        "2.\tPrices fell; coverage did not.\n"
    )
    assert [t for (t,) in rows(text)] == [
        "Ten years on, most schools are online,",
        "while rural clinics still wait.",
        "Prices fell;",
        "coverage did not.",
    ]


def test_an_object_relative_clause_is_no_statement_after_a_connective() -> None:
    text = "The annex lists every change and, in short, the wording which the group preferred.\n"
    assert len(rows(text)) == 1
    # A subject and a verb of its own still split.
    text = "The annex lists every change and, in short, the group preferred the first wording.\n"
    assert len(rows(text)) == 2


def test_an_imperative_after_so_is_not_a_clause_of_its_own() -> None:
    text = "The call starts at noon, so please join a few minutes early.\n"
    assert len(rows(text)) == 1


def test_a_heading_broken_inside_a_phrase_may_wrap_onto_a_full_line() -> None:
    text = (
        "RESOLUTION 9 (REV. LIMA, 2030)\n"
        "Training of regulators\n"
        "The Conference of the Union (Lima, 2030),\n"
        "requests the Director of the Standardization Bureau, in close\n"
        "cooperation with the chairmen of the study groups and their vice-chairmen\n"
        "1 to draw up a plan;\n"
        "2 to report on it.\n"
    )
    function = (
        "requests the director of the standardization bureau, in close cooperation with "
        "the chairmen of the study groups and their vice-chairmen"
    )
    assert [f for _, f in rows(text, "function")] == [function, function]


def test_an_item_cut_by_a_page_break_after_a_linking_word_is_no_sub_title() -> None:
    text = (
        "RESOLUTION 4 (REV. LIMA, 2030)\n"
        "Spectrum for schools\n"
        "The Conference of the Union (Lima, 2030),\n"
        "recalling\n"
        "a) Decision 12 of the Council on\n"
        "\n"
        "Final Acts  |  Page 31\n"
        "\n"
        "the use of spectrum in schools;\n"
        "b) Resolution 3,\n"
        "resolves\n"
        "1 to act.\n"
    )
    got = split_into_clauses(text)
    assert [(c.function, c.text[:12]) for c in got] == [
        ("recalling", "Decision 12 "),
        ("recalling", "Resolution 3"),
        ("resolves", "to act."),
    ]
    assert got[0].clean_text == "Decision 12 of the Council on the use of spectrum in schools;"


def test_a_margin_number_before_a_section_line_in_capitals() -> None:
    text = (
        " 30   DECISION 41 (C31) – Use of languages\n"
        "      The Council,\n"
        " 31   decides\n"
        " 32   to keep the six languages.\n"
        " 33   Decision 41 applies from May.\n"
    )
    got = split_into_clauses(text)
    assert (got[0].text, got[0].function, got[0].section) == (
        "to keep the six languages.",
        "decides",
        "Decision 41",
    )
    assert got[0].section_title == "Use of languages"


def test_roman_numerals_with_a_full_stop_mark_items() -> None:
    text = (
        "RESOLUTION 4 (REV. LIMA, 2030)\n"
        "Spectrum for schools\n"
        "The Conference of the Union (Lima, 2030),\n"
        "noting\n"
        "i. the survey of the Bureau;\n"
        "ii. the plans of the regions;\n"
        "iii. the views of industry,\n"
        "resolves\n"
        "1 to act.\n"
    )
    assert [t for t, _ in rows(text, "function")] == [
        "the survey of the Bureau;",
        "the plans of the regions;",
        "the views of industry,",
        "to act.",
    ]
