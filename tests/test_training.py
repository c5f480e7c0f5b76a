"""train() and evaluate(): tiny corpora, folds without leakage, cross-source rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from itunlp.labels.corpus import LabelError
from itunlp.pipeline import ThemeModel, load
from itunlp.themes import load_themes
from itunlp.themes.classifier import ThemeClassifier
from itunlp.training import (
    RESULT_COLUMNS,
    evaluate,
    load_training_corpus,
    metrics_summary,
    train,
)

# Tiny corpora leave most themes without labels; that warning is tested in test_classifier.
pytestmark = pytest.mark.filterwarnings("ignore::itunlp.themes.classifier.FewLabelsWarning")

# Two authored "sources" in the codebook record format, three themes, a few none.
SOURCE_A = [
    ("Broadband must reach rural schools.", ["connectivity"]),
    ("The digital divide keeps widening in LDCs.", ["connectivity"]),
    ("Affordable Internet access for refugees.", ["connectivity"]),
    ("Fibre backbones reach landlocked countries.", ["connectivity"]),
    ("Women engineers lead the study group.", ["gender"]),
    ("Gender mainstreaming continues in every Sector.", ["gender"]),
    ("Girls in ICT day drew many students.", ["gender"]),
    ("The plenary elected the Secretary-General.", ["institutional_process"]),
    ("The Council approved the budget.", ["institutional_process"]),
    ("Member States reached consensus on the plan.", ["institutional_process"]),
    ("Lunch is served in the main hall.", []),
    ("Thank you, Chair.", []),
]
SOURCE_B = [
    ("Mobile coverage now reaches remote areas.", ["connectivity"]),
    ("ITU-D connects hospitals in small island states.", ["connectivity"]),
    ("Schools in the global South need connectivity.", ["connectivity"]),
    ("More women should hold leadership positions.", ["gender"]),
    ("Resolution 70 on gender equality was revised.", ["gender", "institutional_process"]),
    ("Mentoring keeps women in engineering careers.", ["gender"]),
    ("Delegates adopted the revised rules of procedure.", ["institutional_process"]),
    ("The conference suppressed two resolutions.", ["institutional_process"]),
    ("The committee meets again on Thursday.", ["institutional_process"]),
    ("We look forward to a fruitful discussion.", []),
]


def _frame() -> pd.DataFrame:
    rows = [{"text": t, "themes": th, "source": "A"} for t, th in SOURCE_A]
    rows += [{"text": t, "themes": th, "source": "B"} for t, th in SOURCE_B]
    return pd.DataFrame(rows)


@pytest.fixture
def label_file(tmp_path: Path) -> Path:
    path = tmp_path / "labels.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for record in _frame().to_dict("records"):
            handle.write(json.dumps(record) + "\n")
    return path


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return evaluate(None, _frame(), no_seed=True, folds=2, repeats=2, seed=0)


# -------------------------------------------------------------------- train
def test_train_on_a_tiny_corpus_returns_a_model(label_file: Path) -> None:
    model = train(label_file, no_seed=True, cv_folds=2, metrics=False)
    assert isinstance(model, ThemeModel)
    assert model.themes[0] == "connectivity"
    assert model.predict(["Broadband for rural schools."])[0] == ["connectivity"]
    assert "space_spectrum" in model.meta["training_data"]["clauses_per_theme"]


def test_train_writes_a_model_folder_with_its_card(label_file: Path, tmp_path: Path) -> None:
    model = train(label_file, no_seed=True, cv_folds=2, name="tiny", output=tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert meta["name"] == "tiny"
    data = meta["training_data"]
    assert data["n_clauses"] == len(SOURCE_A) + len(SOURCE_B)
    assert data["clauses_per_theme"]["connectivity"] == 7
    assert data["clauses_per_source"] == {"A": len(SOURCE_A), "B": len(SOURCE_B)}
    [(name, digest)] = data["files"].items()
    assert name.endswith("labels.jsonl") and len(digest) == 64
    assert meta["metrics"]["cv"]["model"]["micro"]["f1"] is not None
    assert "all but B -> B" in meta["metrics"] and "all but A -> A" in meta["metrics"]
    assert meta["metrics"]["grouped_cv"]["model"]["micro"]["f1"] is not None
    assert meta["training_seconds"]["classifier"] > 0
    assert meta["too_few_positives"] == [
        t for t in model.themes if t not in {"connectivity", "gender", "institutional_process"}
    ]
    assert load(tmp_path / "m").predict(["Girls in ICT."]) == model.predict(["Girls in ICT."])


def test_train_refuses_a_non_model_output_before_training(label_file: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not an itunlp model folder"):
        train(label_file, no_seed=True, output=tmp_path)


def test_train_reports_bad_labels_with_file_and_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('text,themes\n"Fine clause.",gender\n"Cyber clause.",cyber\n')
    with pytest.raises(LabelError, match=r"Unknown theme 'cyber' in .*bad\.csv row 2"):
        train(bad, no_seed=True, metrics=False)


def test_no_seed_without_labels_is_an_error() -> None:
    with pytest.raises(LabelError, match="No labelled clauses"):
        train(None, no_seed=True)


def test_cv_folds_of_one_is_refused(label_file: Path) -> None:
    with pytest.raises(ValueError, match="cv_folds must be 0 or >= 2"):
        train(label_file, no_seed=True, cv_folds=1)


def test_user_labels_are_merged_over_the_shipped_corpus() -> None:
    shipped = load_training_corpus()
    first = shipped.iloc[0]
    override = pd.DataFrame(
        {"text": [first["text"], "A brand-new clause on girls in ICT."],
         "function": [first["function"], ""],
         "themes": [["gender"], ["gender"]]}
    )  # fmt: skip
    merged = load_training_corpus(override)
    assert len(merged) == len(shipped) + 1
    row = merged[merged["text"] == first["text"]].iloc[0]
    assert row["themes"] == ["gender"] and row["part"] == "user"
    assert set(merged["part"]) >= {"seed", "user"}


# ----------------------------------------------------------------- evaluate
def test_evaluate_returns_per_theme_rows(table: pd.DataFrame) -> None:
    assert list(table.columns) == RESULT_COLUMNS
    cv = table[(table["setting"] == "cv") & (table["method"] == "model")]
    assert list(cv["theme"]) == [*load_themes().ids, "micro", "macro"]
    assert cv["n_folds"].unique().tolist() == [4]  # 2 folds x 2 repeats
    row = cv.set_index("theme").loc["connectivity"]
    assert row["support"] == 7 and 0 <= row["f1"] <= 1 and row["f1_std"] >= 0


def test_evaluate_scores_the_baselines_on_the_same_folds(table: pd.DataFrame) -> None:
    cv = table[table["setting"] == "cv"]
    assert set(cv["method"]) == {"model", "tfidf_lr@0.5", "keywords"}
    supports = cv.groupby("method")["support"].apply(list)
    assert supports["model"] == supports["keywords"] == supports["tfidf_lr@0.5"]


def test_evaluate_flags_themes_with_too_few_labels(table: pd.DataFrame) -> None:
    cv = table[(table["setting"] == "cv") & (table["method"] == "model")].set_index("theme")
    assert "too few labels (0 < 5)" in cv.loc["space_spectrum", "note"]
    assert cv.loc["connectivity", "note"] == ""


def test_evaluate_has_cross_source_rows_both_ways(table: pd.DataFrame) -> None:
    cross = table[(table["setting"] == "leave-one-source-out") & (table["method"] == "model")]
    assert {(a, b) for a, b in zip(cross["train"], cross["test"], strict=True)} == {
        ("all but A", "A"),
        ("all but B", "B"),
    }
    a_to_b = cross[(cross["test"] == "B")].set_index("theme")
    assert a_to_b.loc["connectivity", "support"] == 3  # positives in the test source B


def test_evaluate_without_cross_source_has_only_cv_rows() -> None:
    table = evaluate(
        None, _frame(), no_seed=True, folds=2, repeats=1, cross_source=False,
        grouped=False, learning=False,
    )  # fmt: skip
    assert set(table["setting"]) == {"cv"}


def test_evaluate_has_the_grouped_headline_first(table: pd.DataFrame) -> None:
    assert list(dict.fromkeys(table["setting"])) == [
        "grouped-cv", "leave-one-source-out", "learning-curve", "cv",
    ]  # fmt: skip


def test_folds_never_train_on_the_clauses_they_score(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each fold's model (and so its thresholds) sees only that fold's training clauses."""
    seen: list[tuple[str, set[str]]] = []
    fit, predict = ThemeClassifier.fit, ThemeClassifier.predict

    def spy_fit(self, X, y):
        seen.append(("fit", set(X["text"])))
        return fit(self, X, y)

    def spy_predict(self, X):
        seen.append(("predict", set(X["text"])))
        return predict(self, X)

    monkeypatch.setattr(ThemeClassifier, "fit", spy_fit)
    monkeypatch.setattr(ThemeClassifier, "predict", spy_predict)
    evaluate(
        None, _frame(), no_seed=True, folds=3, repeats=2, cross_source=False,
        grouped=False, learning=False,
    )  # fmt: skip
    assert [kind for kind, _ in seen] == ["fit", "predict"] * 6
    every = set(_frame()["text"])
    for repeat in range(2):
        tested: set[str] = set()
        for fold in range(3):
            trained, scored = seen[2 * (3 * repeat + fold)][1], seen[2 * (3 * repeat + fold) + 1][1]
            assert not trained & scored
            assert trained | scored == every
            tested |= scored
        assert tested == every  # each repeat tests every clause once


def test_evaluate_is_reproducible_with_the_same_seed(table: pd.DataFrame) -> None:
    again = evaluate(None, _frame(), no_seed=True, folds=2, repeats=2, seed=0)
    pd.testing.assert_frame_equal(again, table)


def test_evaluate_accepts_a_model_and_uses_its_configuration(label_file: Path) -> None:
    model = train(label_file, no_seed=True, cv_folds=2, metrics=False)
    table = evaluate(model, label_file, no_seed=True, folds=2, repeats=1, cross_source=False)
    assert (table["method"] == "model").any()


def test_folds_zero_scores_a_trained_model_on_held_out_labels(label_file: Path) -> None:
    model = train(label_file, no_seed=True, cv_folds=2, metrics=False)
    held_out = pd.DataFrame({"text": ["Broadband in rural areas."], "themes": [["connectivity"]]})
    table = evaluate(model, held_out, folds=0)
    assert set(table["setting"]) == {"held-out"}
    row = table.set_index("theme").loc["connectivity"]
    assert row["support"] == 1 and row["recall"] == 1.0


def test_folds_zero_needs_a_model_and_labels() -> None:
    with pytest.raises(ValueError, match="give both a model and labels"):
        evaluate(None, None, folds=0)


@pytest.mark.parametrize("folds", [1, -2])
def test_bad_fold_counts_are_refused(folds: int) -> None:
    with pytest.raises(ValueError, match="folds must be 0"):
        evaluate(None, _frame(), no_seed=True, folds=folds)


def test_too_few_clauses_for_the_folds_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="too few for 20-fold"):
        evaluate(None, _frame(), no_seed=True, folds=20)


def test_metrics_summary_nests_setting_method_theme(table: pd.DataFrame) -> None:
    summary = metrics_summary(table)
    assert {"grouped_cv", "cv", "all but A -> A", "all but B -> B"} <= set(summary)
    micro = summary["cv"]["model"]["micro"]
    assert set(micro) >= {"precision", "recall", "f1", "f1_std", "support"}
    assert np.isfinite(micro["f1"])
    json.dumps(summary)  # JSON-ready


def _fake_shipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, parts: dict) -> None:
    files = {}
    for part, rows in parts.items():
        path = tmp_path / f"{part}.jsonl"
        path.write_text("".join(json.dumps({"text": t, "themes": th}) + "\n" for t, th in rows))
        files[part] = [path]
    monkeypatch.setattr(
        "itunlp.labels.training_corpus.shipped_label_files", lambda wanted: files.get(wanted[0], [])
    )
    monkeypatch.setattr("itunlp.labels.training_corpus.shipped_documents", dict)
    monkeypatch.setattr("itunlp.training.shipped_documents", dict)


def test_a_clause_in_two_shipped_parts_is_kept_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fake_shipped(
        monkeypatch,
        tmp_path,
        {"seed": SOURCE_A[:3], "dev": [SOURCE_A[0], *SOURCE_B[:2]]},
    )
    corpus = load_training_corpus()
    assert len(corpus) == 5
    assert corpus.set_index("text").loc[SOURCE_A[0][0], "part"] == "seed"


def test_a_clause_labelled_differently_in_two_parts_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = SOURCE_A[0][0]
    _fake_shipped(monkeypatch, tmp_path, {"seed": [(text, ["connectivity"])], "dev": [(text, [])]})
    with pytest.raises(LabelError, match=r"labelled \[\] in dev but \['connectivity'\] in seed"):
        load_training_corpus()
