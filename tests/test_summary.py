"""Summaries: clauses per theme, shares, and the operative/preamble/prose split."""

from __future__ import annotations

import pandas as pd
import pytest

from itunlp.views.summary import ALL, SUMMARY_COLUMNS, SummaryAccumulator, clause_role, summarize


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
