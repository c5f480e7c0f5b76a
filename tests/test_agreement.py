"""Tests of itunlp.labels.agreement: kappa and F1 between two annotators, checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from itunlp.labels.agreement import agreement, normalise_text

TEXTS = [f"Clause number {word}." for word in ("one", "two", "three", "four", "five", "six")]
# gender:       A = 1 1 0 0 0 0   B = 1 0 0 0 0 1
# connectivity: A = 1 1 1 0 0 0   B = 1 1 1 0 0 0
A_THEMES = [["gender", "connectivity"], ["gender", "connectivity"], ["connectivity"], [], [], []]
B_THEMES = [["gender", "connectivity"], ["connectivity"], ["connectivity"], [], [], ["gender"]]


@pytest.fixture
def result() -> pd.DataFrame:
    a = pd.DataFrame({"text": TEXTS, "themes": A_THEMES})
    b = pd.DataFrame({"text": TEXTS, "themes": B_THEMES})
    return agreement(a, b).set_index("theme")


def test_kappa_matches_hand_computation(result: pd.DataFrame) -> None:
    # gender: observed 4/6, chance (1/3)(1/3) + (2/3)(2/3) = 5/9 -> (2/3 - 5/9)/(4/9) = 0.25
    assert result.loc["gender", "kappa"] == pytest.approx(0.25)
    assert result.loc["connectivity", "kappa"] == pytest.approx(1.0)


def test_f1_of_b_against_a_matches_hand_computation(result: pd.DataFrame) -> None:
    # gender: B marks clauses 1 and 6, A marks 1 and 2: tp 1, fp 1, fn 1
    assert result.loc["gender", "precision"] == pytest.approx(0.5)
    assert result.loc["gender", "recall"] == pytest.approx(0.5)
    assert result.loc["gender", "f1"] == pytest.approx(0.5)


def test_micro_pools_all_decisions(result: pd.DataFrame) -> None:
    # 12 decisions, 10 agree; 5 positives each: chance (5/12)^2 + (7/12)^2 = 74/144
    assert result.loc["micro", "kappa"] == pytest.approx((120 - 74) / (144 - 74))
    assert result.loc["micro", "f1"] == pytest.approx(0.8)  # tp 4, fp 1, fn 1


def test_macro_is_the_mean_over_themes(result: pd.DataFrame) -> None:
    assert result.loc["macro", "kappa"] == pytest.approx(0.625)
    assert result.loc["macro", "f1"] == pytest.approx(0.75)


def test_counts_matched_and_unmatched_clauses() -> None:
    a = pd.DataFrame({"text": [*TEXTS, "Only A has this."], "themes": [*A_THEMES, []]})
    b = pd.DataFrame({"text": TEXTS[:5], "themes": B_THEMES[:5]})
    row = agreement(a, b).set_index("theme").loc["micro"]
    assert (row["matched"], row["only_in_a"], row["only_in_b"]) == (5, 2, 0)


def test_matches_by_normalised_text_when_ids_are_missing() -> None:
    a = pd.DataFrame({"text": ["Resolves to continue;"], "themes": [["gender"]]})
    b = pd.DataFrame({"text": ["  resolves  to continue "], "themes": [["gender"]]})
    row = agreement(a, b).set_index("theme").loc["gender"]
    assert row["matched_by"] == "text"
    assert row["matched"] == 1


def test_matches_by_clause_id_when_both_have_ids() -> None:
    # B retyped the text; the shared clause_id still pairs the rows.
    a = pd.DataFrame({"clause_id": ["d-001"], "text": ["Original."], "themes": [["gender"]]})
    b = pd.DataFrame({"clause_id": ["d-001"], "text": ["Retyped."], "themes": "gender"})
    row = agreement(a, b).set_index("theme").loc["gender"]
    assert row["matched_by"] == "clause_id"
    assert row["f1"] == 1.0


def test_theme_neither_used_has_undefined_kappa() -> None:
    a = pd.DataFrame({"text": TEXTS[:2], "themes": [["gender"], []]})
    b = pd.DataFrame({"text": TEXTS[:2], "themes": [["gender"], []]})
    frame = agreement(a, b, themes=["gender", "cybersecurity"]).set_index("theme")
    assert math.isnan(frame.loc["cybersecurity", "kappa"])
    assert math.isnan(frame.loc["cybersecurity", "f1"])
    assert frame.loc["macro", "kappa"] == 1.0  # the undefined theme does not drag the mean


def test_nothing_matching_is_a_clear_error() -> None:
    a = pd.DataFrame({"text": ["First."], "themes": [[]]})
    b = pd.DataFrame({"text": ["Second."], "themes": [[]]})
    with pytest.raises(ValueError, match="No clause of A matches a clause of B"):
        agreement(a, b)


def test_missing_columns_are_a_clear_error() -> None:
    with pytest.raises(ValueError, match="lacks column"):
        agreement(pd.DataFrame({"text": ["x"]}), pd.DataFrame({"text": ["x"], "themes": [[]]}))


def test_normalise_text_ignores_case_punctuation_and_spacing() -> None:
    assert normalise_text("The ITU,  which\nlacks it.") == "the itu which lacks it"
