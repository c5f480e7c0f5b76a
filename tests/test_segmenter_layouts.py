"""Real conference layouts (issue 11): sections, headings as data, tracked changes,
PDF furniture and wraps, web pastes, lost headings, treaty provisions.

One test per rule, each on a small text written for it; the development set
``data/formats/rules`` measures them together.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itunlp.segmentation.furniture import clean_clause_text
from itunlp.segmentation.headings import HeadingSchemeError, load_headings
from itunlp.segmenter import Clause, LayoutState, split_into_clauses

FORMULA = (
    "The Plenipotentiary Conference of the International Telecommunication Union (Bucharest, 2022),"
)


def rows(text: str, *fields: str) -> list[tuple]:
    """(text, field, ...) of each clause."""
    return [(c.text, *(getattr(c, f) for f in fields)) for c in split_into_clauses(text)]


# ------------------------------------------------------------------- headings as data


def test_shipped_headings_know_both_parts() -> None:
    scheme = load_headings()
    assert scheme.part_of("recalling") == "preamble"
    assert scheme.part_of("considering further") == "preamble"
    assert scheme.part_of("resolves to instruct the director of the bdt") == "operative"
    assert "bearing in mind" in scheme.words


def test_a_user_extends_the_headings_without_code(tmp_path: Path) -> None:
    data = load_headings().to_dict()
    data["part"][0]["words"].append("deploring")
    import tomllib  # noqa: F401  (the file is TOML; written by hand below)

    lines = [
        "variants = " + repr(data["variants"]).replace("'", '"'),
        "addressee_starts = " + repr(data["addressee_starts"]).replace("'", '"'),
        "clause_starts = " + repr(data["clause_starts"]).replace("'", '"'),
    ]
    for block in data["part"]:
        lines += [
            "[[part]]",
            f'name = "{block["name"]}"',
            f"addressee = {str(block['addressee']).lower()}",
            "words = " + repr(block["words"]).replace("'", '"'),
        ]
    path = tmp_path / "headings.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    scheme = load_headings(path)
    assert scheme.match("deploring") is not None
    assert load_headings().match("deploring") is None


def test_a_bad_headings_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "headings.toml"
    path.write_text("version = 1\n", encoding="utf-8")
    with pytest.raises(HeadingSchemeError, match=r"\[\[part\]\]"):
        load_headings(path)
    with pytest.raises(HeadingSchemeError, match="No headings file"):
        load_headings(tmp_path / "missing.toml")


def test_heading_function_and_part_come_from_the_heading_line() -> None:
    text = (
        f"{FORMULA}\nconsidering further\na) that the gap persists;\n"
        "invites Member States and Sector Members\n1 to act;\n"
    )
    assert rows(text, "function", "part") == [
        ("that the gap persists;", "considering further", "preamble"),
        ("to act;", "invites member states and sector members", "operative"),
    ]


def test_a_line_that_continues_a_sentence_is_never_a_heading() -> None:
    text = (
        f"{FORMULA}\nrecalling\na) Resolution 175, in which the conference decided to act and in\n"
        'which it\ninstructs the Secretary-General "to coordinate the work of the\n'
        'three Sectors";\nb) the Convention;\n'
    )
    got = rows(text, "function")
    assert [f for _, f in got] == ["recalling", "recalling"]
    assert got[0][0].endswith('Sectors";')


def test_a_heading_word_inside_an_open_quotation_is_not_a_heading() -> None:
    text = (
        f'{FORMULA}\nrecalling\na) the text that reads "the Union;\n'
        'resolves to act";\nb) the rest;\n'
    )
    assert [f for _, f in rows(text, "function")] == ["recalling", "recalling"]


def test_wrapped_lines_beginning_with_heading_words_after_a_line_ending_mid_sentence() -> None:
    text = (
        f"{FORMULA}\na) the report, which found that regulators were too often\n"
        "considering the needs of users only after launch;\n"
        "b) that the way in which a regulator\nresolves complaints matters;\n"
    )
    assert [(f, p) for _, f, p in rows(text, "function", "part")] == [("", ""), ("", "")]


@pytest.mark.parametrize(
    ("line", "function", "clause"),
    [
        ("noting a) the report of the Bureau;", "noting", "the report of the Bureau;"),
        ("resolves that the Union shall act;", "resolves", "that the Union shall act;"),
        ("decides to convene a forum.", "decides", "to convene a forum."),
        (
            "instructs the Secretary-General to report to the Council;",
            "instructs the secretary-general",
            "to report to the Council;",
        ),
        ("• **resolves** that the Union shall act;", "resolves", "that the Union shall act;"),
        ("*encourages* academia to contribute.", "encourages", "academia to contribute."),
    ],
)
def test_a_heading_on_the_same_line_as_its_first_clause(
    line: str, function: str, clause: str
) -> None:
    assert rows(f"{FORMULA}\n{line}\n", "function") == [(clause, function)]


def test_lost_headings_give_one_clause_per_item_and_no_function() -> None:
    text = (
        "RESOLUTION 58 (REV. KIGALI, 2022)\nAccessibility\n"
        "The World Telecommunication Development Conference (Kigali, 2022),\n"
        "a) Resolution 175, on accessibility, and its annex;\n"
        "b) that many users lack devices: the cost is high;\n"
        "recognizing\na) that standards exist;\n"
    )
    assert rows(text, "function", "part") == [
        ("Resolution 175, on accessibility, and its annex;", "", ""),
        ("that many users lack devices: the cost is high;", "", ""),
        ("that standards exist;", "recognizing", "preamble"),
    ]


# ------------------------------------------------------------------------ web pastes


def test_web_bullets_markdown_and_markers_are_not_clauses() -> None:
    text = (
        "Home > About ITU > Resolutions\nPrint this page\nShare\n\n"
        "# Resolution 64 (Rev. New Delhi, 2024)\n\n## IP address allocation\n\n"
        "The World Telecommunication Standardization Assembly (New Delhi, 2024),\n\n"
        "• *recalling*\n    ◦ (a) Resolution 101 of the Plenipotentiary Conference;\n\n"
        "• *considering*\n\ta. that the pool is exhausted;\n\n"
        "• **resolves to instruct the Director of the Telecommunication Standardization Bureau**\n"
        "    ▪ 1 to continue the training programme;\n\n"
        "Last updated: 12 November 2024\n© ITU All Rights Reserved\n"
    )
    assert rows(text, "function", "section", "section_title") == [
        (
            "Resolution 101 of the Plenipotentiary Conference;",
            "recalling",
            "Resolution 64",
            "IP address allocation",
        ),
        ("that the pool is exhausted;", "considering", "Resolution 64", "IP address allocation"),
        (
            "to continue the training programme;",
            "resolves to instruct the director of the telecommunication standardization bureau",
            "Resolution 64",
            "IP address allocation",
        ),
    ]


# -------------------------------------------------------------------------- sections


@pytest.mark.parametrize(
    ("title", "section"),
    [
        ("RESOLUTION 70 (REV. BUCHAREST, 2022)", "Resolution 70"),
        ("DECISION 614 (C23)", "Decision 614"),
        ("RECOMMENDATION 12 (WTDC-22)", "Recommendation 12"),
        ("OPINION 2 (WTPF-21)", "Opinion 2"),
        ("ARTICLE 3", "Article 3"),
        ("Article 5A", "Article 5A"),
        ("ANNEX 2", "Annex 2"),
        ("ANNEX 1 TO RESOLUTION 70 (REV. BUCHAREST, 2022)", "Annex 1 to Resolution 70"),
        ("DRAFT NEW RESOLUTION [EUR-1] (BUCHAREST, 2022)", "Resolution [EUR-1]"),
        ("RESOLUTION 70 (REV. DUBAI, 2018BUCHAREST, 2022)", "Resolution 70"),
        ("MOD RESOLUTION 102 (REV. DUBAI, 2018)", "Resolution 102"),
    ],
)
def test_each_section_kind(title: str, section: str) -> None:
    text = f"{title}\nThe subject of the text\n{FORMULA}\nresolves\n1 to act;\n"
    assert rows(text, "section", "section_title") == [
        ("to act;", section, "The subject of the text")
    ]


def test_a_file_of_several_resolutions_gives_each_clause_its_section() -> None:
    text = (
        "PP-22 – Final Acts\n\nRESOLUTION 70 (REV. BUCHAREST, 2022)\nMainstreaming a gender\n"
        f"perspective in ITU\n{FORMULA}\nrecalling\na) the first text;\n\n"
        "RESOLUTION 139 (REV. BUCHAREST, 2022)\nBridging the digital divide\n"
        f"{FORMULA}\nresolves\n1 to continue;\n"
    )
    assert rows(text, "function", "section", "section_title") == [
        (
            "the first text;",
            "recalling",
            "Resolution 70",
            "Mainstreaming a gender perspective in ITU",
        ),
        ("to continue;", "resolves", "Resolution 139", "Bridging the digital divide"),
    ]


def test_treaty_provisions_are_one_clause_each_and_sub_titles_are_not_clauses() -> None:
    text = (
        "ARTICLE 6\nCharging and accounting\n6.1\tCharges\n"
        "6.1.1\tTerms may be set by agreement, and they shall be published.\n"
        "6.2.1bis\tMember States shall avoid double taxation:\n\ta)\tof services;\n\n"
        "ARTICLE 5A\nSecurity\n5A.1\tMember States shall cooperate.\n"
    )
    assert rows(text, "section", "section_title", "function") == [
        (
            "Terms may be set by agreement, and they shall be published.",
            "Article 6",
            "Charging and accounting",
            "",
        ),
        ("Member States shall avoid double taxation:", "Article 6", "Charging and accounting", ""),
        ("of services;", "Article 6", "Charging and accounting", ""),
        ("Member States shall cooperate.", "Article 5A", "Security", ""),
    ]


def test_a_running_header_naming_the_current_section_does_not_reset_it() -> None:
    text = (
        f"RESOLUTION 58 (REV. KIGALI, 2022)\nAccessibility\n{FORMULA}\nrecognizing\n"
        "a) that standards exist;\n\nPage 2\n\nResolution 58\n\nb) that costs fall;\n"
    )
    assert rows(text, "function", "section") == [
        ("that standards exist;", "recognizing", "Resolution 58"),
        ("that costs fall;", "recognizing", "Resolution 58"),
    ]


# ------------------------------------------------------------------- tracked changes


PROPOSAL = (
    "Introduction\nThe proposal updates the text.\n\n"
    "MOD\tEUR/44A7/1\nRESOLUTION 130 (REV. DUBAI, 2018BUCHAREST, 2022)\n"
    "Security in the use of ICTs\n"
    "The Plenipotentiary Conference of the International Telecommunication Union "
    "(Dubai, 2018Bucharest, 2022),\n"
    "recalling\na)\tthe first text;\nSUP\nb)\tthe second text;\nc)\tthe third text;\n"
    "ADD\nd)\tthe fourth text;\n"
    "Reasons:\tUpdate.\n\n"
    "ADD\tEUR/44A7/2\nDRAFT NEW RESOLUTION [EUR-1] (BUCHAREST, 2022)\nCyber capacity\n"
    f"{FORMULA}\nresolves\n1\tto train;\nReasons:\tA new text.\n\n"
    "SUP\tEUR/44A7/3\nRESOLUTION 181 (GUADALAJARA, 2010)\nDefinitions\n"
    "The Plenipotentiary Conference of the International Telecommunication Union "
    "(Guadalajara, 2010),\n"
    "resolves\n1\tto keep definitions;\nReasons:\tMaintained elsewhere.\n\n"
    "NOC\tEUR/44A7/4\nRESOLUTION 174 (REV. BUSAN, 2014)\nIllicit use\nReasons:\tNo change.\n"
)


def test_change_blocks_and_markers_are_not_clauses() -> None:
    assert rows(PROPOSAL, "section", "change") == [
        ("The proposal updates the text.", "", ""),
        ("the first text;", "Resolution 130", "modified"),
        ("the second text;", "Resolution 130", "suppressed"),
        ("the third text;", "Resolution 130", "modified"),
        ("the fourth text;", "Resolution 130", "added"),
        ("to train;", "Resolution [EUR-1]", "added"),
        ("to keep definitions;", "Resolution 181", "suppressed"),
    ]


def test_an_add_inside_a_mod_block_marks_only_the_next_item() -> None:
    text = (
        "MOD\tUSA/61A3/1\nRESOLUTION 102 (REV. DUBAI, 2018)\nInternet\n"
        f"{FORMULA}\nresolves\n1\tto act;\nADD\n2\tto add;\n3\tto go on;\n"
    )
    assert [c for _, c in rows(text, "change")] == ["modified", "added", "modified"]


def test_reason_text_wrapping_over_lines_is_not_a_clause() -> None:
    text = (
        f"ADD\tX/1/1\nRESOLUTION 1\nA title\n{FORMULA}\nresolves\n1\tto act;\n"
        "Reasons:\tThe new text reflects the debate in the regional\npreparatory meetings.\n"
    )
    assert rows(text) == [("to act;",)]


# ---------------------------------------------------------------------- PDF text


def test_repeated_running_headers_without_a_fixed_pattern_are_furniture() -> None:
    text = (
        "\fAcme Conference Digest\n\nRESOLUTION 9 (REV. X, 2022)\nA title\n"
        f"{FORMULA}\nrecalling\na) the first text that runs\n\n12\n\n"
        "\fAcme Conference Digest\n\non to a second page;\n"
        "b) the second text;\n\n13\n\n\fRes. 9\n\nc) the third text;\n"
    )
    got = rows(text, "function")
    assert [t for t, _ in got] == [
        "the first text that runs\n\n12\n\n\fAcme Conference Digest\n\non to a second page;",
        "the second text;",
        "the third text;",
    ]
    assert split_into_clauses(text)[0].clean_text == "the first text that runs on to a second page;"


def test_a_header_block_recurring_on_each_page_is_furniture() -> None:
    page = "WRC-23 – Final Acts\nRES7-{}\n\n"
    text = (
        "RESOLUTION 7 (REV.WRC-23)\nSpectrum\n"
        "The World Radiocommunication Conference (Dubai, 2023),\nresolves\n"
        f"1 to help;\n\n{page.format(2)}2 to report;\n\n"
        f"{page.format(3)}3 to go on.\n\n{page.format(4)}"
    )
    assert rows(text) == [("to help;",), ("to report;",), ("to go on.",)]


def test_footnotes_under_a_rule_are_not_clauses() -> None:
    text = (
        f"{FORMULA}\nrecognizing\na) the work of the Bureaux1;\n"
        "____________________\n1 See also Resolution 55 on gender-inclusive language in\n"
        "ITU texts.\n\n57\n"
    )
    assert rows(text) == [("the work of the Bureaux1;",)]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("the strength-\nening of networks", "the strengthening of networks"),
        ("the Secretary-\nGeneral shall", "the Secretary-General shall"),
        ("low-\nincome countries", "low-income countries"),
        ("ITU-\nT study groups", "ITU-T study groups"),
        ("a wrapped\nline  with\ttabs", "a wrapped line with tabs"),
        ("tele-\r\ncommunication", "telecommunication"),
        ("no wrap at all", "no wrap at all"),
    ],
)
def test_the_classifier_reads_wraps_joined_and_hyphenation_undone(raw: str, clean: str) -> None:
    assert clean_clause_text(raw) == clean


def test_clean_text_leaves_the_exact_span_alone() -> None:
    text = f"{FORMULA}\nresolves\n1 to continue the strength-\nening of ITU;\n"
    (clause,) = split_into_clauses(text)
    assert (
        text[clause.start : clause.end] == clause.text == "to continue the strength-\nening of ITU;"
    )
    assert clause.clean_text == "to continue the strengthening of ITU;"


# ----------------------------------------------------------------- streamed blocks


def test_state_carries_section_heading_and_change_across_blocks() -> None:
    first = f"MOD\tX/1/1\nRESOLUTION 5 (REV. X, 2022)\nA title\n{FORMULA}\nresolves\n1 to act;\n"
    second = "2 to go on;\n"
    state = LayoutState()
    split_into_clauses(first, state=state)
    (clause,) = split_into_clauses(second, state=state)
    assert (clause.function, clause.part, clause.section, clause.section_title, clause.change) == (
        "resolves",
        "operative",
        "Resolution 5",
        "A title",
        "modified",
    )


# ------------------------------------------------------------------------ bad input


def _timed(text: str, budget: float = 10.0) -> list[Clause]:
    started = time.perf_counter()
    clauses = split_into_clauses(text)
    assert time.perf_counter() - started < budget, "segmenting took too long: not linear"
    return clauses


def test_a_file_of_ten_thousand_sections() -> None:
    text = "".join(
        f"RESOLUTION {i} (REV. X, 2022)\nTitle {i}\n{FORMULA}\nresolves\n1 to act;\n\n"
        for i in range(10_000)
    )
    clauses = _timed(text)
    assert len(clauses) == 10_000
    assert clauses[-1].section == "Resolution 9999"


def test_a_file_that_is_only_headings_gives_no_clause() -> None:
    assert (
        _timed("recalling\nconsidering\nresolves\ninstructs the Secretary-General\n" * 2000) == []
    )


def test_a_heading_with_no_items_and_a_section_title_at_the_very_end() -> None:
    text = f"RESOLUTION 1\nA title\n{FORMULA}\nrecalling\nresolves\n1 to act.\n\nDECISION 630"
    assert rows(text, "function", "section") == [("to act.", "resolves", "Resolution 1")]
    assert _timed("DECISION 630") == []


def test_two_sections_with_the_same_number_stay_two_sections() -> None:
    block = "DECISION 5{}\nBudget\nThe Council,\ndecides\n1 to approve {}.\n\n"
    text = (
        "1.5\tThe draft read as follows:\n\n"
        + block.format("", "the draft")
        + ("1.6\tThe draft was approved. It reads:\n\n" + block.format(" (C24)", "the budget"))
    )
    assert rows(text, "function", "section") == [
        ("The draft read as follows:", "", ""),
        ("to approve the draft.", "decides", "Decision 5"),
        ("The draft was approved.", "", "Decision 5"),
        ("It reads:", "", "Decision 5"),
        ("to approve the budget.", "decides", "Decision 5"),
    ]


# ------------------------------------------------------------------------ properties

_PIECES = [
    "RESOLUTION 70 (REV. X, 2022)",
    "ARTICLE 3",
    "ANNEX 1 TO RESOLUTION 7",
    "MOD\tEUR/1/1",
    "ADD",
    "SUP",
    "NOC",
    "Reasons:\t",
    "recalling",
    "resolves",
    "• *noting*",
    "**resolves** that ",
    "instructs the Secretary-General",
    FORMULA,
    "The Council,",
    "a) ",
    "1 ",
    "3.1\t",
    "\f",
    "\n",
    "\n\n",
    "____________",
    "- 4 -",
    "Home > A > B",
    '"',
    ";",
    ".",
    "the Union acts",
    "strength-\n",
]
_layout_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), max_size=60).map(
    "".join
)
_CHANGES = {"", "added", "modified", "suppressed"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_layout_text)
def test_offsets_sections_and_changes_are_consistent_on_any_layout(text: str) -> None:
    clauses = split_into_clauses(text)
    previous_end = 0
    for clause in clauses:
        assert text[clause.start : clause.end] == clause.text
        assert clause.start >= previous_end
        previous_end = clause.end
        assert clause.change in _CHANGES
        assert clause.part in {"", "preamble", "operative"}
        assert (clause.part == "") == (clause.function == "")
        assert clause.section or not clause.section_title
        assert "\n" not in clause.clean_text
    # Carrying the state over a cut gives the same sections as one pass.
    cut = len(text) // 2
    while 0 < cut < len(text) and text[cut - 1] != "\n":
        cut += 1
    if 0 < cut < len(text):
        state = LayoutState()
        head = split_into_clauses(text[:cut], state=state)
        tail = split_into_clauses(text[cut:], state=state)
        assert all(c.change in _CHANGES for c in head + tail)


def test_the_spacy_component_exposes_the_clause_columns_on_spans() -> None:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("itunlp_clause_segmenter")
    doc = nlp(PROPOSAL)
    spans = list(doc.spans["clauses"])
    assert [s._.itunlp_change for s in spans] == [c for _, c in rows(PROPOSAL, "change")]
    second = spans[1]
    assert (second._.itunlp_function, second._.itunlp_part, second._.itunlp_section) == (
        "recalling",
        "preamble",
        "Resolution 130",
    )
    assert second._.itunlp_section_title == "Security in the use of ICTs"


# ------------------------------------------------------------------ the clause table


def _final_acts(n: int) -> str:
    return "".join(
        f"PP-22 – Final Acts\n\nRESOLUTION {70 + i} (REV. BUCHAREST, 2022)\nSubject {i}\n"
        f"{FORMULA}\nrecalling\na) the text number {i};\nresolves\n1 to act on {i};\n\n"
        for i in range(n)
    )


def test_itunlp_segment_writes_the_new_columns_for_a_multi_resolution_file(
    tmp_path: Path,
) -> None:
    import pandas as pd
    from click.testing import CliRunner

    import itunlp.cli  # noqa: F401  (registers the verbs)
    from itunlp.cli._group import main

    source = tmp_path / "final-acts.txt"
    source.write_text(_PROPOSAL_AND_ACTS, encoding="utf-8")
    out = tmp_path / "clauses.csv"
    result = CliRunner().invoke(main, ["segment", str(source), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns[7:12]) == ["function", "section", "section_title", "part", "change"]
    assert set(table["section"]) == {"Resolution 130", "Resolution 70", "Resolution 71"}
    rows_130 = table[table["section"] == "Resolution 130"]
    assert set(rows_130["change"]) == {"modified"}
    assert set(table.loc[table["section"] == "Resolution 71", "section_title"]) == {"Subject 1"}
    assert set(table["part"]) == {"preamble", "operative"}


_PROPOSAL_AND_ACTS = (
    "MOD\tEUR/1/1\nRESOLUTION 130 (REV. DUBAI, 2018BUCHAREST, 2022)\nSecurity\n"
    f"{FORMULA}\nresolves\n1 to act;\nReasons:\tUpdate.\n\n" + _final_acts(2)
)


def test_a_streamed_file_carries_its_context_across_blocks(tmp_path: Path) -> None:
    from itunlp.run.batch import segment_documents, stream_clauses

    source = tmp_path / "big.txt"
    items = "".join(f"{i} to act on item number {i} of the long list;\n" for i in range(1, 80))
    text = (
        f"MOD\tEUR/1/1\nRESOLUTION 130 (REV. DUBAI, 2018)\nSecurity\n{FORMULA}\nresolves\n{items}"
        f"Reasons:\tUpdate.\n\n{_final_acts(20)}"
    )
    source.write_text(text, encoding="utf-8")
    whole = segment_documents([source])
    streamed = pd_concat(
        stream_clauses(None, [source], stream_bytes=100, block_chars=700, progress=False)
    )
    assert len(streamed) == len(whole) == 79 + 40
    assert set(whole.loc[:78, "change"]) == {"modified"}
    for column in ("function", "section", "section_title", "part", "change"):
        assert streamed[column].tolist() == whole[column].tolist(), column


def pd_concat(chunks):
    import pandas as pd

    return pd.concat(list(chunks), ignore_index=True)
