"""The boundary decider: its POS-free cues, the rule fallback, the JSON model,
and fitting it from gold clause offsets."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from itunlp.segmentation.boundary_model import (
    FORMAT_NAME,
    FORMAT_VERSION,
    BoundaryModel,
    candidate_features,
    rule_decision,
)
from itunlp.segmentation.boundary_training import boundary_examples, fit_boundary_model
from itunlp.segmentation.component import split_into_clauses

# ------------------------------------------------------------------------ features


def test_features_name_the_connective_and_next_word() -> None:
    feats = candidate_features("The ITU met in Bucharest", "and", "we agreed on it.")
    assert feats["conn=and"] == 1.0
    assert feats["next=we"] == 1.0
    assert "next_pronoun" in feats


def test_subject_and_verb_after_connective() -> None:
    feats = candidate_features("The ITU works on development", "and", "the PP is its top body.")
    assert "right_subject_verb" in feats and "left_verb" in feats


def test_verb_right_after_connective_means_shared_subject() -> None:
    feats = candidate_features("A project was announced", "and", "is undertaken with UNHCR.")
    assert "right_starts_with_verb" in feats


def test_noun_after_determiner_is_not_a_verb() -> None:
    # "work" after "the" is a noun: no verb on the right side.
    feats = candidate_features("It met", "and", "the work of the Union.")
    assert "right_verb" not in feats


def test_relative_clause_verb_does_not_count() -> None:
    feats = candidate_features("Operators filed", "and", "the regulators who license them, will")
    assert "right_subject_verb" not in feats


def test_list_and_subordinator_cues() -> None:
    assert "list_like" in candidate_features("in technology, governance", "and", "rights.")
    assert "list_like" not in candidate_features("in Rev. Dubai, 2018", "and", "the SG agreed.")
    feats = candidate_features("They were contentious because", "while", "many states agreed.")
    assert "left_ends_subordinator" in feats


def test_colon_cues() -> None:
    assert "right_url" in candidate_features("The site is", ":", "https://itu.int now")
    assert "right_upper_start" in candidate_features("Note", ":", "The plan was adopted.")


# ---------------------------------------------------------------------- rule decision


@pytest.mark.parametrize(
    ("left", "conn", "right", "decision"),
    [
        ("Many states agreed to the text", "but", "some objected.", True),
        ("The ITU works on development", "and", "the PP is its highest body.", True),
        ("Some of you are disappointed", "and", "so am I.", True),
        ("The proposal was adopted", "and", "is now in force.", False),
        ("issues in technology, governance", "and", "human rights.", False),
        ("It was not only costly", "but", "also slow.", False),
        ("Members support connectivity", "while", "ensuring security.", False),
        ("Symbolism matters", "but", "it is not policy.", True),
        ("Policy", "but", "it is late.", False),
        ("Women remain scarce here", "and", "that has to change.", True),
        ("They argued that the text was long", "and", "that it should be cut.", False),
        ("The text was adopted", "and", "under the new rules it was published.", True),
        ("Two points stand out", ":", "the budget grew.", True),
        ("We leave with a mission", ":", "to connect everyone.", False),
        ("The site is", ":", "https://www.itu.int/pp22.", False),
    ],
)
def test_rule_decision(left: str, conn: str, right: str, decision: bool) -> None:
    assert rule_decision(candidate_features(left, conn, right)) is decision


# -------------------------------------------------------------------------- the model


def test_decide_uses_weights_and_threshold() -> None:
    model = BoundaryModel({"rule": 4.0}, intercept=-2.0)
    assert model.decide({"rule": 1.0})
    assert not model.decide({})
    assert model.probability({}) == pytest.approx(1 / (1 + 2.718281828**2), rel=1e-6)
    assert (
        BoundaryModel({"rule": 4.0}, intercept=-2.0, threshold=0.99).decide({"rule": 1.0}) is False
    )


def test_probability_is_stable_for_large_scores() -> None:
    assert BoundaryModel(intercept=-1000.0).probability({}) == 0.0
    assert BoundaryModel(intercept=1000.0).probability({}) == 1.0


def test_dict_round_trip_is_json() -> None:
    model = BoundaryModel({"b": -1.5, "a": 2.0}, intercept=0.25, threshold=0.6)
    data = json.loads(json.dumps(model.to_dict()))
    assert data["format"] == FORMAT_NAME and data["version"] == FORMAT_VERSION
    assert BoundaryModel.from_dict(data) == model


def test_save_and_load_round_trip(tmp_path) -> None:
    model = BoundaryModel({"rule": 2.0}, intercept=-1.0)
    written = model.save(tmp_path)
    assert written.name == "boundary_model.json"
    assert BoundaryModel.load(tmp_path) == model
    assert BoundaryModel.load(written) == model


def test_load_missing_file_raises(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="No boundary model at"):
        BoundaryModel.load(tmp_path / "nothing.json")


def test_load_invalid_json_raises(tmp_path) -> None:
    path = tmp_path / "boundary_model.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="is not valid JSON"):
        BoundaryModel.load(path)


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ([1, 2], TypeError, "must be a dict, got list"),
        ({"format": "other", "version": 1}, ValueError, "Not an itunlp boundary model"),
        ({"format": FORMAT_NAME, "version": 99}, ValueError, "version=99"),
        (
            {"format": FORMAT_NAME, "version": FORMAT_VERSION, "weights": {"a": "x"}},
            ValueError,
            "weight 'a' must be a number",
        ),
        (
            {"format": FORMAT_NAME, "version": FORMAT_VERSION, "weights": [1]},
            ValueError,
            "'weights' must be a dict",
        ),
    ],
)
def test_from_dict_rejects_bad_data(data: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        BoundaryModel.from_dict(data)  # type: ignore[arg-type]


# ------------------------------------------------------------------------- training

DOC = (
    "We met in the hall, and we agreed on the plan. The ITU covers technology, "
    "governance, and human rights. It rained all day, but we met anyway. The text "
    "was adopted, and is now in force. Paris, Rome, and Oslo took part."
)


def gold_for(text: str, clauses: list[str]) -> pd.DataFrame:
    """Gold records for ``clauses``, located in order in ``text``."""
    rows, position = [], 0
    for clause in clauses:
        start = text.index(clause, position)
        rows.append({"doc_id": "d", "start": start, "end": start + len(clause)})
        position = start + len(clause)
    return pd.DataFrame(rows)


GOLD = gold_for(
    DOC,
    [
        "We met in the hall,",
        "and we agreed on the plan.",
        "The ITU covers technology, governance, and human rights.",
        "It rained all day,",
        "but we met anyway.",
        "The text was adopted, and is now in force.",
        "Paris, Rome, and Oslo took part.",
    ],
)


def test_examples_label_candidates_from_gold_starts() -> None:
    features, labels = boundary_examples(GOLD, {"d": DOC})
    assert len(features) == len(labels) == 5
    assert labels == [1, 0, 1, 0, 0]


def test_examples_ignore_rows_without_offsets_or_document() -> None:
    extra = pd.DataFrame(
        [{"doc_id": "d", "start": None, "end": None}, {"doc_id": "x", "start": 0, "end": 3}]
    )
    _, labels = boundary_examples(pd.concat([GOLD, extra]), {"d": DOC})
    assert len(labels) == 5


def test_fit_reproduces_gold_on_its_training_text() -> None:
    model = fit_boundary_model(GOLD, {"d": DOC})
    assert isinstance(model, BoundaryModel)
    assert model.weights and all(isinstance(w, float) for w in model.weights.values())
    predicted = [(c.start, c.end) for c in split_into_clauses(DOC, model)]
    assert predicted == list(zip(GOLD["start"], GOLD["end"], strict=True))


def test_fitted_model_round_trips_through_json(tmp_path) -> None:
    model = fit_boundary_model(GOLD, {"d": DOC})
    assert BoundaryModel.load(model.save(tmp_path)) == model


def test_fit_needs_both_classes() -> None:
    only_boundaries = gold_for(
        "It rained all day, but we met.", ["It rained all day,", "but we met."]
    )
    with pytest.raises(ValueError, match="are boundaries; a boundary model needs both"):
        fit_boundary_model(only_boundaries, {"d": "It rained all day, but we met."})


def test_fit_needs_candidates() -> None:
    with pytest.raises(ValueError, match="No candidate boundaries found"):
        fit_boundary_model(gold_for("It rained.", ["It rained."]), {"d": "It rained."})


def test_fit_reports_missing_columns() -> None:
    with pytest.raises(ValueError, match=r"lack column\(s\) \['end', 'start'\]"):
        fit_boundary_model(pd.DataFrame({"doc_id": ["d"]}), {"d": DOC})
