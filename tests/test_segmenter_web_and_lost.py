"""Rules generalised from the fourth formats set (``data/formats/check``): markdown
list bullets before emphasised headings, bold code labels, cover-page summaries,
one clause per numbered provision, a heading on the formula's line, and items
addressed to someone under a lost heading.

One test per rule, each on a small text written for it.
"""

from __future__ import annotations

from itunlp.segmenter import split_into_clauses

FORMULA = "The Regional Assembly of Example Telecommunication (Lima, 2030),"


def rows(text: str, *fields: str) -> list[tuple]:
    """(text, field, ...) of each clause."""
    return [(c.text, *(getattr(c, f) for f in fields)) for c in split_into_clauses(text)]


def test_a_markdown_star_bullet_before_an_emphasised_heading_is_a_bullet() -> None:
    text = (
        f"{FORMULA}\n\n* **bearing in mind** the plan adopted last year;\n"
        "* the review held in March;\n* *noting with concern*\n"
        "    - a) that budgets fell;\n+ _decides_ that the office shall stay open;\n"
    )
    assert rows(text, "function") == [
        ("the plan adopted last year;", "bearing in mind"),
        ("the review held in March;", "bearing in mind"),
        ("that budgets fell;", "noting with concern"),
        ("that the office shall stay open;", "decides"),
    ]


def test_a_bold_code_label_marks_an_item() -> None:
    text = (
        "## Annex 2 to Resolution 9\n\n**ASP1:** Training engineers for small islands.\n"
        "**ASP2:** Sharing spectrum data across borders.\n"
    )
    assert [c.text for c in split_into_clauses(text)] == [
        "Training engineers for small islands.",
        "Sharing spectrum data across borders.",
    ]


def test_bold_numbers_and_letters_mark_items_too() -> None:
    text = f"{FORMULA}\n\n**decides**\n\n**1.** that the office stays;\n**(b)** that it reports.\n"
    assert rows(text, "function") == [
        ("that the office stays;", "decides"),
        ("that it reports.", "decides"),
    ]


def test_a_cover_page_summary_before_the_first_section_is_not_a_clause() -> None:
    text = (
        "Document 12-E\n\nAbstract: The region proposes to revise Resolution 9 and\n"
        "to keep Resolution 4 as it stands.\n\nRESOLUTION 9 (REV. LIMA, 2030)\n\n"
        f"Rural access\n\n{FORMULA}\n\nresolves\n1 to act;\n"
    )
    assert rows(text, "function") == [("to act;", "resolves")]


def test_a_summary_line_in_prose_without_sections_stays_a_clause() -> None:
    text = "Summary: The committee met twice and agreed the plan.\n"
    assert [c.text for c in split_into_clauses(text)] != []


def test_a_numbered_provision_with_two_sentences_is_one_clause() -> None:
    text = (
        "ARTICLE 4\n\nMeetings\n\n1.  The board shall meet once a year at the\n"
        "    seat of the body. The chair shall convene\n    it for this purpose.\n"
    )
    assert [c.clean_text for c in split_into_clauses(text)] == [
        "The board shall meet once a year at the seat of the body. "
        "The chair shall convene it for this purpose."
    ]


def test_a_heading_on_the_line_of_a_bare_formula_is_read_after_it() -> None:
    text = (
        "Decision 7 (C30) - Review of the office\n\nThe Council, bearing in mind the audit "
        "of the office held in 2029,\n\ndecides that the office shall report each year;\n"
    )
    assert rows(text, "function", "part") == [
        ("the audit of the office held in 2029,", "bearing in mind", "preamble"),
        ("that the office shall report each year;", "decides", "operative"),
    ]


def test_an_item_addressed_to_someone_under_a_lost_heading_is_a_new_item() -> None:
    text = (
        f"RESOLUTION 3 (LIMA, 2030)\n\nSmall islands\n\n{FORMULA}\n"
        "1 to publish the study to the members\nand to the public,\n"
        "regional regulators to share their data\nwith the office;\n"
        "small island States to join the pilot projects;\n"
    )
    assert [c.clean_text for c in split_into_clauses(text)] == [
        "to publish the study to the members and to the public,",
        "regional regulators to share their data with the office;",
        "small island States to join the pilot projects;",
    ]


def test_a_comma_that_closes_an_inserted_phrase_keeps_the_wrap() -> None:
    text = (
        f"RESOLUTION 3 (LIMA, 2030)\n\nSmall islands\n\n{FORMULA}\n"
        "1 to invite, where it helps,\nregional regulators to share their data;\n"
    )
    assert [c.clean_text for c in split_into_clauses(text)] == [
        "to invite, where it helps, regional regulators to share their data;"
    ]
