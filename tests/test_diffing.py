"""The clause diff: alignment across renumbering, change kinds, the per-theme balance."""

from __future__ import annotations

import re
from typing import ClassVar

import pandas as pd
import pytest

from itunlp._resources import data_dir
from itunlp.segmentation.component import split_into_clauses
from itunlp.views.diffing import (
    DIFF_COLUMNS,
    align_clauses,
    clause_similarity,
    describe_balance,
    diff,
    normalise_clause,
    theme_balance,
)

EXAMPLES = data_dir() / "examples"


class KeywordModel:
    """Real segmenter, keyword themes: the diff's logic tested apart from model quality."""

    themes: ClassVar[list[str]] = ["gender", "stakeholder_participation", "cybersecurity"]
    _words: ClassVar[dict[str, re.Pattern[str]]] = {
        "gender": re.compile(r"\b(women|girls|gender)\b", re.I),
        "stakeholder_participation": re.compile(r"\b(civil society|observers|academia)\b", re.I),
        "cybersecurity": re.compile(r"\b(cyber\w*|security|CIRTs?)\b", re.I),
    }

    def segment(self, text: str) -> list:
        return split_into_clauses(text)

    def predict(self, texts: list[str], functions: list[str] | None = None) -> list[list[str]]:
        return [[t for t in self.themes if self._words[t].search(x)] for x in texts]


@pytest.fixture(scope="module")
def resolution_diff() -> pd.DataFrame:
    draft = (EXAMPLES / "res-901-draft.txt").read_text(encoding="utf-8")
    final = (EXAMPLES / "res-901-final.txt").read_text(encoding="utf-8")
    return diff(draft, final, KeywordModel(), old_id="draft", new_id="final")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("c) That threats cross borders;", "that threats cross borders"),
        ("(iv) to act,", "to act"),
        ("12 to report to the Council.", "to report to the council"),
        ("2.3 to report", "to report"),
        ("• Women  and girls —", "women and girls"),
        ("plain prose, no marker.", "plain prose no marker"),
    ],
)
def test_normalise_clause_drops_markers_case_and_punctuation(raw: str, expected: str) -> None:
    assert normalise_clause(raw) == expected


def test_similarity_is_one_for_equal_and_low_for_unrelated() -> None:
    assert clause_similarity("to act now", "to act now") == 1.0
    assert clause_similarity("to support training of staff", "the orbit is crowded") < 0.5
    assert clause_similarity("", "anything") == 0.0


def test_align_pairs_a_moved_item() -> None:
    old = ["to do the first thing;", "to do the second thing;", "to publish the index;"]
    new = ["to publish the index;", "to do the first thing;", "to do the second thing;"]
    aligned = align_clauses(old, new)
    assert sorted((i, j) for i, j, _ in aligned) == [(0, 1), (1, 2), (2, 0)]


def test_diff_has_the_promised_columns(resolution_diff: pd.DataFrame) -> None:
    assert list(resolution_diff.columns) == DIFF_COLUMNS
    assert set(resolution_diff["change"]) <= {"removed", "added", "changed", "kept"}


def test_every_clause_of_either_version_appears_once(resolution_diff: pd.DataFrame) -> None:
    old_ids = resolution_diff["old_clause_id"].dropna()
    new_ids = resolution_diff["new_clause_id"].dropna()
    assert old_ids.is_unique and new_ids.is_unique
    draft = (EXAMPLES / "res-901-draft.txt").read_text(encoding="utf-8")
    final = (EXAMPLES / "res-901-final.txt").read_text(encoding="utf-8")
    assert len(old_ids) == len(split_into_clauses(draft)) == 23
    assert len(new_ids) == len(split_into_clauses(final)) == 21


def test_finds_the_removed_gender_clauses(resolution_diff: pd.DataFrame) -> None:
    removed = resolution_diff[resolution_diff["change"] == "removed"]
    gender = removed[removed["old_themes"].map(lambda ts: "gender" in ts)]
    assert len(gender) == 2
    assert any("careers in cybersecurity" in t for t in gender["old_text"])
    assert all(t == "" for t in gender["new_text"])
    assert gender["new_clause_id"].isna().all()


def test_finds_the_removed_stakeholder_clause(resolution_diff: pd.DataFrame) -> None:
    removed = resolution_diff[resolution_diff["change"] == "removed"]
    stake = removed[removed["old_themes"].map(lambda ts: "stakeholder_participation" in ts)]
    assert len(stake) == 1
    assert "civil society" in stake["old_text"].iloc[0]
    assert stake["function"].iloc[0].startswith("instructs the director")


def test_renumbered_and_relettered_items_are_kept(resolution_diff: pd.DataFrame) -> None:
    def row_for(text: str) -> pd.Series:
        match = resolution_diff[resolution_diff["new_text"].str.contains(text, regex=False)]
        assert len(match) == 1, text
        return match.iloc[0]

    relettered = row_for("threats cross borders")  # considering d) -> c)
    renumbered = row_for("Global Cybersecurity Index every two years")  # resolves 6 -> 5
    final_punct = row_for("national development plans")  # "." became ";"
    for row in (relettered, renumbered, final_punct):
        assert row["change"] == "kept"
        assert row["similarity"] == 1.0
    assert relettered["old_clause_id"] == "draft-007"
    assert relettered["new_clause_id"] == "final-006"


def test_reworded_items_are_changed_and_an_item_is_added(resolution_diff: pd.DataFrame) -> None:
    changed = resolution_diff[resolution_diff["change"] == "changed"]
    assert any(
        "operators" in t and "regulators" in o
        for o, t in zip(changed["old_text"], changed["new_text"], strict=True)
    )
    reworded = changed[changed["new_text"].str.contains("designed for all groups")].iloc[0]
    assert reworded["old_themes"] == ["gender"] and reworded["new_themes"] == []
    assert 0.6 <= reworded["similarity"] < 1.0
    added = resolution_diff[resolution_diff["change"] == "added"]
    assert list(added["new_text"]) == [
        "to protect the integrity of the networks that carry emergency calls."
    ]


def test_rows_follow_the_new_version_with_removals_in_place(
    resolution_diff: pd.DataFrame,
) -> None:
    positions = [int(i.split("-")[1]) for i in resolution_diff["new_clause_id"].dropna()]
    assert positions == sorted(positions)
    changes = list(resolution_diff["change"])
    # considering c) (removed, gender) stands between considering b) and d) -> c).
    at = changes.index("removed")
    assert resolution_diff["old_clause_id"].iloc[at] == "draft-006"


def test_theme_balance_counts(resolution_diff: pd.DataFrame) -> None:
    balance = theme_balance(resolution_diff)
    assert list(balance.index) == KeywordModel.themes
    gender = balance.loc["gender"]
    assert (gender["removed"], gender["added"], gender["changed"]) == (2, 0, 1)
    assert gender["lost_in_change"] == 1 and gender["net"] == -3
    stake = balance.loc["stakeholder_participation"]
    assert (stake["removed"], stake["added"], stake["kept"]) == (1, 0, 0)
    assert balance.loc["cybersecurity", "kept"] > 5


def test_describe_balance_reads_like_the_dispatch(resolution_diff: pd.DataFrame) -> None:
    lines = describe_balance(theme_balance(resolution_diff))
    assert lines[0].startswith("gender: 2 clauses removed, 0 added")
    assert any(line.startswith("stakeholder_participation: 1 clause removed") for line in lines)


def test_prose_versions_align_sentence_by_sentence() -> None:
    old = (
        "The conference opened on Monday. Women delegates met every morning to share notes. "
        "The budget was adopted by consensus."
    )
    new = (
        "The conference opened on Monday. The budget was adopted by consensus after a long "
        "night. Observers from civil society were admitted to the plenary."
    )
    table = diff(old, new, KeywordModel())
    kinds = dict(
        zip(
            table["old_text"].where(table["old_text"] != "", table["new_text"]),
            table["change"],
            strict=True,
        )
    )
    assert kinds["The conference opened on Monday."] == "kept"
    assert kinds["Women delegates met every morning to share notes."] == "removed"
    assert kinds["The budget was adopted by consensus."] == "changed"
    assert kinds["Observers from civil society were admitted to the plenary."] == "added"
    balance = theme_balance(table)
    assert balance.loc["gender", "removed"] == 1
    assert balance.loc["stakeholder_participation", "added"] == 1


def test_identical_versions_are_all_kept() -> None:
    text = (EXAMPLES / "res-901-final.txt").read_text(encoding="utf-8")
    table = diff(text, text, KeywordModel())
    assert set(table["change"]) == {"kept"}
    assert (theme_balance(table)[["removed", "added", "changed"]] == 0).all().all()


def test_empty_old_version_makes_everything_added() -> None:
    table = diff("", "The plenary met. Women were elected.", KeywordModel())
    assert list(table["change"]) == ["added", "added"]


def test_non_text_input_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="old_text must be the text of a version"):
        diff(EXAMPLES / "res-901-draft.txt", "text", KeywordModel())  # type: ignore[arg-type]


def test_theme_balance_rejects_other_tables() -> None:
    with pytest.raises(ValueError, match="missing column"):
        theme_balance(pd.DataFrame({"text": ["a"]}))
