"""Summaries: clauses per theme, shares, and the operative/preamble/prose split."""

from __future__ import annotations

import pandas as pd
import pytest

from itunlp.views.summary import (
    ALL,
    SECTION_SUMMARY_COLUMNS,
    SUMMARY_COLUMNS,
    SummaryAccumulator,
    clause_role,
    summarize,
)


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["r70", "r70", "r70", "r70", "memo"],
            "function": ["considering", "resolves", "instructs the secretary-general", "", ""],
            "themes": [["gender"], ["gender", "connectivity"], [], ["connectivity"], ["gender"]],
            "score_connectivity": [0.1, 0.9, 0.2, 0.8, 0.1],
            "score_gender": [0.9, 0.7, 0.1, 0.2, 0.6],
            "score_space_spectrum": [0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )


def row(result: pd.DataFrame, doc_id: str, theme: str) -> dict:
    return result[(result.doc_id == doc_id) & (result.theme == theme)].iloc[0].to_dict()


@pytest.mark.parametrize(
    ("function", "role"),
    [
        ("resolves", "operative"),
        ("further resolves", "operative"),
        ("decides", "operative"),
        ("instructs the director of the telecommunication development bureau", "operative"),
        ("invites member states", "operative"),
        ("requests the council", "operative"),
        ("encourages sector members", "operative"),
        ("urges administrations", "operative"),
        ("recalling", "preamble"),
        ("considering further", "preamble"),
        ("recognizing", "preamble"),
        ("noting with satisfaction", "preamble"),
        ("bearing in mind", "preamble"),
        ("aware", "preamble"),
        ("convinced", "preamble"),
        ("emphasizing", "preamble"),
        ("deeply concerned", "preamble"),
        ("having examined", "preamble"),
        ("", "prose"),
        ("annex", "prose"),
    ],
)
def test_clause_role_by_heading(function, role):
    assert clause_role(function) == role


def test_per_document_rows_count_share_and_split_by_role(table):
    result = summarize(table)
    assert list(result.columns) == SUMMARY_COLUMNS
    assert row(result, "r70", ALL) == {
        "doc_id": "r70", "theme": ALL, "clauses": 4, "share": 1.0,
        "operative": 2, "preamble": 1, "prose": 1,
    }  # fmt: skip
    gender = row(result, "r70", "gender")
    assert (gender["clauses"], gender["share"]) == (2, 0.5)
    assert (gender["operative"], gender["preamble"], gender["prose"]) == (1, 1, 0)
    assert row(result, "r70", "connectivity")["operative"] == 1


def test_all_documents_row_adds_up(table):
    result = summarize(table)
    assert row(result, ALL, ALL)["clauses"] == 5
    assert row(result, ALL, "gender")["clauses"] == 3
    assert row(result, ALL, "gender")["share"] == pytest.approx(0.6)


def test_every_model_theme_gets_a_row_even_without_clauses(table):
    result = summarize(table)
    assert row(result, "memo", "space_spectrum")["clauses"] == 0
    order = result[result.doc_id == "r70"].theme.tolist()
    assert order == [ALL, "connectivity", "gender", "space_spectrum"]


def test_documents_keep_first_seen_order_and_all_comes_last(table):
    assert summarize(table).doc_id.unique().tolist() == ["r70", "memo", ALL]


def test_chunks_add_up_to_the_whole(table):
    accumulator = SummaryAccumulator()
    for start in range(0, len(table), 2):
        accumulator.add(table.iloc[start : start + 2])
    pd.testing.assert_frame_equal(accumulator.result(), summarize(table))


def test_a_table_read_back_from_csv_with_joined_themes_works(table):
    from_csv = table.assign(themes=table.themes.map(";".join))
    pd.testing.assert_frame_equal(summarize(from_csv), summarize(table))


def test_a_segment_table_without_themes_gives_totals_only():
    segments = pd.DataFrame({"doc_id": ["a", "a"], "function": ["noting", "decides"]})
    result = summarize(segments)
    assert result.theme.tolist() == [ALL, ALL]
    assert row(result, "a", ALL)["operative"] == 1


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"missing \['function'\]"):
        summarize(pd.DataFrame({"doc_id": ["a"]}))


def test_summarize_is_exported_at_the_top_level(table):
    import itunlp

    pd.testing.assert_frame_equal(itunlp.summarize(table), summarize(table))


# ---------------------------------------------------------------- sections (issue 11)


@pytest.fixture
def acts() -> pd.DataFrame:
    """A Final Acts file with two resolutions, a cover clause and a repeated decision."""
    return pd.DataFrame(
        {
            "doc_id": ["acts"] * 7 + ["memo"],
            "function": ["", "considering", "resolves", "resolves", "", "decides", "decides", ""],
            "section": [
                "",
                "Resolution 70",
                "Resolution 70",
                "Resolution 130",
                "Decision 5",
                "Decision 5",
                "Decision 5",
                "",
            ],
            "section_title": [
                "",
                "Gender",
                "Gender",
                "Cyber",
                "Draft budget",
                "Draft budget",
                "Budget",
                "",
            ],
            "part": ["", "preamble", "operative", "operative", "", "operative", "operative", ""],
            "change": [""] * 8,
            "themes": [[], ["gender"], ["gender"], ["cybersecurity"], [], [], ["gender"], []],
        }
    )


def srow(result: pd.DataFrame, doc_id: str, section: str, theme: str) -> dict:
    mask = (result.doc_id == doc_id) & (result.section == section) & (result.theme == theme)
    return result[mask].iloc[0].to_dict()


def test_by_section_gives_each_resolution_its_rows(acts):
    result = summarize(acts, by="section")
    assert list(result.columns) == SECTION_SUMMARY_COLUMNS
    sections = list(dict.fromkeys(result[result.doc_id == "acts"].section))
    assert sections == ["", "Resolution 70", "Resolution 130", "Decision 5", "Decision 5 (2)", ALL]
    gender = srow(result, "acts", "Resolution 70", "gender")
    assert (gender["clauses"], gender["share"], gender["operative"], gender["preamble"]) == (
        2,
        1.0,
        1,
        1,
    )
    assert srow(result, "acts", "Resolution 70", ALL)["section_title"] == "Gender"
    assert srow(result, "acts", "Decision 5 (2)", "gender")["clauses"] == 1
    assert srow(result, "acts", "Decision 5", ALL)["clauses"] == 2


def test_by_section_document_rows_are_the_per_document_summary(acts):
    by_section = summarize(acts, by="section")
    documents = by_section[by_section.section == ALL].drop(columns=["section", "section_title"])
    pd.testing.assert_frame_equal(documents.reset_index(drop=True), summarize(acts))


def test_part_decides_the_role_when_given():
    table = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a"],
            "function": ["acknowledging with thanks", "", "resolves"],
            "part": ["preamble", "", None],
            "themes": [[], [], []],
        }
    )
    assert row(summarize(table), "a", ALL) == {
        "doc_id": "a",
        "theme": ALL,
        "clauses": 3,
        "share": 1.0,
        "operative": 1,
        "preamble": 1,
        "prose": 1,
    }


def test_by_section_streams_in_chunks_and_reads_old_tables(acts):
    accumulator = SummaryAccumulator(by="section")
    for start in range(0, len(acts), 3):
        accumulator.add(acts.iloc[start : start + 3])
    pd.testing.assert_frame_equal(accumulator.result(), summarize(acts, by="section"))
    old = acts.drop(columns=["section", "section_title", "part", "change"])
    result = summarize(old, by="section")
    assert set(result.section) == {"", ALL}
    with pytest.raises(ValueError, match="by 'doc_id' or 'section'"):
        summarize(acts, by="resolution")
