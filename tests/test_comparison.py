"""Tests of itunlp.evaluation.comparison: two models on the same labels or the same CV folds."""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from pathlib import Path

import pandas as pd
import pytest

import itunlp.evaluation.comparison as comparison
from itunlp.evaluation.comparison import compare_models, union_scheme
from itunlp.labels.corpus import LabelError, read_labels
from itunlp.pipeline import ThemeModel
from itunlp.themes import ThemeScheme, load_themes
from itunlp.themes.classifier import ThemeClassifier

GENDER = [
    "Women engineers should lead more study groups.",
    "Girls in ICT Day encourages girls to study engineering.",
    "Resolution 70 on gender mainstreaming was reaffirmed.",
    "The gender gap in ICT careers remains wide.",
    "Mentoring programmes support women in telecommunication careers.",
    "Gender equality was made part of the strategic plan.",
    "Female delegates chaired two of the committees.",
    "Network of Women delegates met before the plenary.",
]
SPACE = [
    "Satellite filings for geostationary orbit grew this year.",
    "Spectrum for mobile services was allocated at WRC-23.",
    "Space debris threatens low Earth orbit constellations.",
    "The Radio Regulations govern harmful interference.",
    "ITU-R studied frequency bands for satellite broadband.",
    "Orbital slots are a limited natural resource.",
    "Spectrum management needs national regulators.",
    "Non-geostationary satellite systems must coordinate frequencies.",
]
CONNECTIVITY = [
    "Broadband should reach rural schools.",
    "The digital divide keeps LDCs unconnected.",
    "Affordable Internet access is a development goal.",
    "Giga connects schools in developing countries.",
    "Infrastructure investment closes coverage gaps.",
    "Refugees need connectivity in camps.",
    "Last mile networks are costly in landlocked countries.",
    "Meaningful connectivity requires digital skills.",
]
# A theme with no term list: only labels can teach it, so it shows who was trained on what.
LOGISTICS = [
    "The meeting room changes to hall B after lunch.",
    "Coffee is served in the lobby before the meeting.",
    "The meeting bus leaves the hotel at eight.",
    "Lunch is served in hall C during the break.",
    "Badges are collected at the registration desk in the lobby.",
    "The evening reception is in hall A after the meeting.",
    "Shuttle buses run from the hotel to the hall every hour.",
    "Interpretation booths are at the back of hall B.",
]
NONE = [
    "The meeting will resume after lunch.",
    "Thank you, Chair.",
    "The text was distributed on Tuesday.",
    "Delegates were asked to be brief.",
]


def _frame(rows: list[tuple[str, list[str]]]) -> pd.DataFrame:
    return pd.DataFrame({"text": [t for t, _ in rows], "themes": [th for _, th in rows]})


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _extended() -> ThemeScheme:
    base = load_themes()
    extra = {"id": "meeting_logistics", "name": "Logistics", "description": "Rooms, meals."}
    return ThemeScheme.from_dict({"themes": [*base.to_dict()["themes"], extra]})


def _corpus(with_gender: bool = True) -> pd.DataFrame:
    rows = [(t, ["space_spectrum"]) for t in SPACE] + [(t, ["connectivity"]) for t in CONNECTIVITY]
    rows += [(t, []) for t in NONE]
    if with_gender:
        rows += [(t, ["gender"]) for t in GENDER]
    return read_labels(_frame(rows))


def _model(labels: pd.DataFrame, scheme: ThemeScheme | None = None, **meta: object) -> ThemeModel:
    classifier = ThemeClassifier(scheme=scheme, cv=2, min_positives=2, char_ngram_range=None)
    with warnings.catch_warnings():
        # Themes the tiny corpus does not cover warn that they fall back to term priors.
        warnings.simplefilter("ignore")
        classifier.fit(labels[["text", "function"]], labels["themes"].tolist())
    return ThemeModel(classifier, meta={"name": "test", **meta})


@pytest.fixture(scope="module")
def old_and_new() -> tuple[ThemeModel, ThemeModel]:
    return _model(_corpus(with_gender=False)), _model(_corpus(with_gender=True))


HELD_OUT = _frame(
    [
        ("Women should hold more leadership posts in ITU.", ["gender"]),
        ("Girls need role models in engineering.", ["gender"]),
        ("Satellite orbits must be shared fairly.", ["space_spectrum"]),
        ("Rural broadband remains unaffordable.", ["connectivity"]),
        ("The delegates thanked the Chair.", []),
    ]
)


def test_held_out_labels_score_both_models(old_and_new: tuple[ThemeModel, ThemeModel]) -> None:
    old, new = old_and_new
    per_theme, _ = compare_models(old, new, HELD_OUT)
    table = per_theme.set_index("theme")
    assert list(table.index[-2:]) == ["micro", "macro"]
    assert set(old.themes) <= set(table.index)
    assert table.loc["gender", "support"] == 2
    assert table.loc["gender", "f1_b"] >= table.loc["gender", "f1_a"]
    assert table.loc["gender", "f1_change"] == pytest.approx(
        table.loc["gender", "f1_b"] - table.loc["gender", "f1_a"]
    )
    assert "only 2 labelled clause(s)" in table.loc["gender", "note"]
    assert per_theme.attrs["evaluation"].startswith("given labels: 5 clauses")


def test_disagreements_list_only_clauses_tagged_differently(
    old_and_new: tuple[ThemeModel, ThemeModel],
) -> None:
    old, new = old_and_new
    _, disagreements = compare_models(old, new, HELD_OUT)
    predicted_a = old.predict(HELD_OUT["text"].tolist())
    predicted_b = new.predict(HELD_OUT["text"].tolist())
    pairs = zip(HELD_OUT["text"], predicted_a, predicted_b, strict=True)
    expected = [text for text, a, b in pairs if set(a) != set(b)]
    assert disagreements["text"].tolist() == expected
    for row in disagreements.itertuples():
        assert set(row.only_a) == set(row.themes_a) - set(row.themes_b)
        assert set(row.only_b) == set(row.themes_b) - set(row.themes_a)


def test_a_model_compared_with_itself_never_disagrees(
    old_and_new: tuple[ThemeModel, ThemeModel],
) -> None:
    old, _ = old_and_new
    per_theme, disagreements = compare_models(old, old, HELD_OUT)
    assert disagreements.empty
    assert (per_theme["f1_change"].fillna(0) == 0).all()


def test_a_theme_one_model_lacks_is_reported_not_dropped() -> None:
    extended = _extended()
    labels = read_labels(
        pd.concat([_corpus(), _frame([(t, ["meeting_logistics"]) for t in LOGISTICS])]),
        scheme=extended,
    )
    old = _model(_corpus())
    new = _model(labels, scheme=extended)
    lunch = ("Lunch is served in hall B after the meeting.", ["meeting_logistics"])
    held = pd.concat([HELD_OUT, _frame([lunch])])
    per_theme, _ = compare_models(old, new, held)
    row = per_theme.set_index("theme").loc["meeting_logistics"]
    assert "not a theme of model A" in row["note"]
    assert math.isnan(row["f1_a"]) and not math.isnan(row["f1_b"])


def test_same_folds_give_the_same_result(old_and_new: tuple[ThemeModel, ThemeModel]) -> None:
    old, new = old_and_new
    corpus = _corpus()
    first, changed = compare_models(old, new, folds=2, seed=1, corpus=corpus)
    again, _ = compare_models(old, new, folds=2, seed=1, corpus=corpus)
    pd.testing.assert_frame_equal(first, again)
    assert set(changed["fold"].dropna()) <= {1, 2}
    assert first["f1_change_sd"].notna().any()  # spread across the two folds
    assert first.attrs["evaluation"].startswith("2-fold cross-validation (seed 1) over 28 clauses")


def test_cv_trains_each_model_only_on_its_own_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both models know the logistics theme; only B's recorded training data labels it.
    extended = _extended()
    base = _corpus()
    monkeypatch.setattr(comparison, "load_shipped_corpus", lambda scheme=None: base)
    extra = tmp_path / "round1.jsonl"
    extra.write_text(
        "\n".join(json.dumps({"text": t, "themes": ["meeting_logistics"]}) for t in LOGISTICS)
        + "\n",
        encoding="utf-8",
    )
    old = _model(base, scheme=extended)
    new = _model(
        read_labels([extra], scheme=extended).pipe(lambda f: pd.concat([base, f])),
        scheme=extended,
        training_data={"files": {str(extra): _sha256(extra)}, "no_seed": False},
    )
    per_theme, _ = compare_models(old, new, folds=2, seed=0)
    assert "model A trained on 28 of them, model B on 36" in per_theme.attrs["evaluation"]
    table = per_theme.set_index("theme")
    assert table.loc["meeting_logistics", "support"] == len(LOGISTICS)
    assert table.loc["meeting_logistics", "f1_a"] == 0.0
    assert table.loc["meeting_logistics", "f1_b"] > 0.5


def test_too_few_folds_is_an_error(old_and_new: tuple[ThemeModel, ThemeModel]) -> None:
    old, new = old_and_new
    with pytest.raises(ValueError, match="folds must be at least 2"):
        compare_models(old, new, folds=1, corpus=_corpus())


def test_bad_labels_name_the_row(old_and_new: tuple[ThemeModel, ThemeModel]) -> None:
    old, new = old_and_new
    with pytest.raises(LabelError, match=r"row 1.*did you mean 'gender'"):
        compare_models(old, new, _frame([("Women lead.", ["gendre"])]))


def test_union_scheme_keeps_first_occurrence_order() -> None:
    base = load_themes()
    assert union_scheme(base, base).ids == base.ids


def test_missing_training_file_warns_and_is_left_out(
    monkeypatch: pytest.MonkeyPatch, old_and_new: tuple[ThemeModel, ThemeModel]
) -> None:
    old, new = old_and_new
    monkeypatch.setattr(comparison, "load_shipped_corpus", lambda scheme=None: _corpus())
    monkeypatch.setitem(new.meta, "training_data", {"files": {"gone/round9.csv": "0" * 64}})
    with pytest.warns(UserWarning, match=r"round9.csv recorded in meta.json is not found"):
        per_theme, _ = compare_models(old, new, folds=2)
    assert "model A trained on 28 of them, model B on 28" in per_theme.attrs["evaluation"]


def test_no_seed_model_is_refit_without_the_shipped_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old_and_new: tuple[ThemeModel, ThemeModel]
) -> None:
    old, new = old_and_new
    monkeypatch.setattr(comparison, "load_shipped_corpus", lambda scheme=None: _corpus(False))
    mine = tmp_path / "mine.jsonl"
    rows = [(t, "gender") for t in GENDER] + [(t, "space_spectrum") for t in SPACE]
    mine.write_text(
        "\n".join(json.dumps({"text": t, "themes": [theme]}) for t, theme in rows) + "\n",
        encoding="utf-8",
    )
    record = {"files": {str(mine): _sha256(mine)}, "no_seed": True}
    monkeypatch.setitem(new.meta, "training_data", record)
    per_theme, _ = compare_models(old, new, folds=2)
    assert "model A trained on 20 of them, model B on 16" in per_theme.attrs["evaluation"]


class _Fixed:
    """A model that returns fixed predictions: scores checkable by hand."""

    def __init__(self, predictions: list[list[str]]) -> None:
        self.predictions = predictions
        self.scheme = load_themes()
        self.themes = ["gender", "space_spectrum"]

    def predict(self, texts: list[str], functions: list[str] | None = None) -> list[list[str]]:
        return self.predictions[: len(texts)]


def test_scores_match_hand_computation() -> None:
    gold = _frame([("One.", ["gender"]), ("Two.", ["gender"]), ("Three.", []), ("Four.", [])])
    a = _Fixed([["gender"], [], ["space_spectrum"], []])
    b = _Fixed([["gender"], ["gender"], [], []])
    table = compare_models(a, b, gold)[0].set_index("theme")
    # A on gender: tp 1, fn 1 -> F1 2/3; on space: one false alarm -> F1 0.
    assert table.loc["gender", "f1_a"] == pytest.approx(2 / 3)
    assert table.loc["space_spectrum", "f1_a"] == 0.0
    assert math.isnan(table.loc["space_spectrum", "f1_b"])  # nothing labelled, nothing predicted
    assert table.loc["micro", "f1_a"] == pytest.approx(0.5)  # tp 1, fp 1, fn 1
    # Macro counts space (A raised a false alarm there); B made no mistake on it -> 1.
    assert table.loc["macro", "f1_a"] == pytest.approx(1 / 3)
    assert table.loc["macro", "f1_b"] == 1.0
    assert table.loc["micro", "f1_change"] == pytest.approx(0.5)
    assert table["f1_change_sd"].isna().all()  # no folds, no spread


def test_labels_a_model_was_trained_on_are_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old_and_new: tuple[ThemeModel, ThemeModel]
) -> None:
    old, new = old_and_new
    monkeypatch.setattr(comparison, "load_shipped_corpus", lambda scheme=None: _corpus(False))
    mine = tmp_path / "mine.jsonl"
    mine.write_text(
        "\n".join(json.dumps({"text": t, "themes": ["gender"]}) for t in GENDER) + "\n",
        encoding="utf-8",
    )
    monkeypatch.setitem(new.meta, "training_data", {"files": {str(mine): _sha256(mine)}})
    per_theme, _ = compare_models(old, new, mine)
    evaluation = per_theme.attrs["evaluation"]
    assert "model A was trained on 0 of them, model B was trained on 8 of them" in evaluation
    assert "not held-out scores" in evaluation
