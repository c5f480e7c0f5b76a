"""``itunlp train`` and ``itunlp evaluate`` end to end through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from itunlp.cli import main
from itunlp.cli._train import UsageProblem, format_results, run_evaluate, run_train
from itunlp.pipeline import load

pytestmark = pytest.mark.filterwarnings("ignore::itunlp.themes.classifier.FewLabelsWarning")

ROWS = [
    ("Broadband must reach rural schools.", ["connectivity"], "A"),
    ("The digital divide keeps widening in LDCs.", ["connectivity"], "A"),
    ("Affordable Internet access for refugees.", ["connectivity"], "B"),
    ("Fibre backbones reach landlocked countries.", ["connectivity"], "B"),
    ("Mobile coverage now reaches remote areas.", ["connectivity"], "A"),
    ("Women engineers lead the study group.", ["gender"], "A"),
    ("Gender mainstreaming continues in every Sector.", ["gender"], "B"),
    ("Girls in ICT day drew many students.", ["gender"], "A"),
    ("More women should hold leadership positions.", ["gender"], "B"),
    ("The plenary elected the Secretary-General.", ["institutional_process"], "A"),
    ("The Council approved the budget.", ["institutional_process"], "B"),
    ("Member States reached consensus on the plan.", ["institutional_process"], "A"),
    ("Delegates adopted the revised rules of procedure.", ["institutional_process"], "B"),
    ("Lunch is served in the main hall.", [], "A"),
    ("Thank you, Chair.", [], "B"),
]


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_text(
        "".join(json.dumps({"text": t, "themes": th, "source": s}) + "\n" for t, th, s in ROWS),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def bad_labels(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text('text,themes\n"Fine clause.",gender\n"Cyber clause.",cyber\n')
    return path


# -------------------------------------------------------------------- train
def test_train_verb_writes_a_loadable_model(labels: Path, tmp_path: Path) -> None:
    out = tmp_path / "models" / "tiny"
    result = CliRunner().invoke(
        main, ["train", str(labels), "-o", str(out), "--no-seed", "--cv-folds", "2", "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    assert f"Model 'tiny' written to {out}" in result.output
    assert "Cross-validated micro-F1" in result.output
    assert "Too few labels to learn (term-list prior): space_spectrum" in result.output
    model = load(out)
    assert model.meta["name"] == "tiny"
    assert model.predict(["Broadband for schools."]) == [["connectivity"]]


def test_train_verb_takes_a_name_and_skips_metrics(labels: Path, tmp_path: Path) -> None:
    out = tmp_path / "m"
    result = CliRunner().invoke(
        main,
        ["train", str(labels), "-o", str(out), "--no-seed", "--name", "mine", "--no-metrics"],
    )
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())
    assert meta["name"] == "mine" and meta["metrics"] == {}
    assert meta["command"] == f"itunlp train {labels} -o {out} --no-seed --no-metrics --name mine"


def test_train_verb_with_a_custom_scheme(labels: Path, tmp_path: Path) -> None:
    scheme = Path(__file__).parents[1] / "data" / "themes.toml"
    result = CliRunner().invoke(
        main,
        ["train", str(labels), "-o", str(tmp_path / "m"), "--no-seed", "--no-metrics",
         "--themes", str(scheme)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_bad_label_file_exits_2_naming_file_and_row(bad_labels: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["train", str(bad_labels), "-o", str(tmp_path / "m"), "--no-seed"]
    )
    assert result.exit_code == 2
    assert "invalid labels" in result.output
    assert "bad.csv row 2" in result.output and "Unknown theme 'cyber'" in result.output
    assert not (tmp_path / "m").exists()


def test_missing_label_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["train", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "m"), "--no-seed"]
    )
    assert result.exit_code == 2
    assert "Label file not found" in result.output


def test_train_without_output_is_a_usage_error(labels: Path) -> None:
    result = CliRunner().invoke(main, ["train", str(labels)])
    assert result.exit_code == 2
    assert "Missing option '-o'" in result.output


def test_no_seed_without_labels_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["train", "-o", str(tmp_path / "m"), "--no-seed"])
    assert result.exit_code == 2
    assert "--no-seed needs label files" in result.output


def test_cv_folds_of_one_exits_2(labels: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["train", str(labels), "-o", str(tmp_path / "m"), "--no-seed", "--cv-folds", "1"]
    )
    assert result.exit_code == 2
    assert "--cv-folds must be 0 or at least 2" in result.output


def test_output_folder_that_is_not_a_model_exits_2(labels: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep")
    result = CliRunner().invoke(main, ["train", str(labels), "-o", str(tmp_path), "--no-seed"])
    assert result.exit_code == 2
    assert "not an itunlp model folder" in result.output
    assert (tmp_path / "notes.txt").read_text() == "keep"


def test_run_train_raises_usage_problem_for_bad_labels(bad_labels: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match=r"bad\.csv row 2"):
        run_train([bad_labels], tmp_path / "m", no_seed=True)


# ----------------------------------------------------------------- evaluate
def test_evaluate_verb_prints_tables_and_writes_csv(labels: Path, tmp_path: Path) -> None:
    out = tmp_path / "metrics.csv"
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(labels),
            "--no-seed",
            "--folds",
            "2",
            "--repeats",
            "1",
            "-o",
            str(out),
            "-j",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "HEADLINE: cross-validation by document, 2-fold x 1 by document" in result.output
    assert "Leave one source out" in result.output and "Learning curve" in result.output
    assert "Cross-validation over randomly assigned clauses (2-fold x 1" in result.output
    assert "F1 keywords" in result.output and "F1 tfidf_lr@0.5" in result.output
    assert "too few labels" in result.output
    table = pd.read_csv(out)
    assert {"setting", "theme", "precision", "recall", "f1", "f1_std", "support"} <= set(
        table.columns
    )


def test_evaluate_verb_without_cross_source(labels: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["evaluate", str(labels), "--no-seed", "--folds", "2", "--repeats", "1",
         "--no-cross-source", "--no-baselines", "-j", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "cross-source" not in result.output and "Leave one source out" not in result.output
    assert "F1 keywords" not in result.output


def test_evaluate_verb_with_a_model_folder(labels: Path, tmp_path: Path) -> None:
    run_train([labels], tmp_path / "m", no_seed=True, metrics=False)
    table = run_evaluate(
        [labels], model_dir=tmp_path / "m", no_seed=True, folds=2, repeats=1, cross_source=False
    )
    assert (table["method"] == "model").any()


def test_evaluate_verb_with_a_missing_model_exits_2(labels: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["evaluate", str(labels), "--no-seed", "--model", str(tmp_path / "none")]
    )
    assert result.exit_code == 2
    assert "--model: cannot load" in result.output and "No model folder" in result.output


def test_evaluate_verb_with_bad_labels_exits_2(bad_labels: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", str(bad_labels), "--no-seed"])
    assert result.exit_code == 2
    assert "bad.csv row 2" in result.output


def test_evaluate_verb_rejects_an_unknown_table_type(labels: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["evaluate", str(labels), "--no-seed", "-o", str(tmp_path / "m.xlsx")]
    )
    assert result.exit_code == 2
    assert "unsupported table type '.xlsx'" in result.output


def test_evaluate_verb_rejects_one_fold(labels: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", str(labels), "--no-seed", "--folds", "1"])
    assert result.exit_code == 2


def test_format_results_shows_one_block_per_setting(labels: Path) -> None:
    table = run_evaluate([labels], no_seed=True, folds=2, repeats=1)
    text = format_results(table)
    # One block per setting: per theme for the folds, one line per source or share.
    assert text.count("\n\n") == table["setting"].nunique() - 1
    assert "micro" in text and "macro" in text


def test_help_lists_both_verbs() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "train" in result.output and "evaluate" in result.output


def test_jobs_do_not_change_the_scores(labels: Path) -> None:
    one = run_evaluate([labels], no_seed=True, folds=2, repeats=1, n_jobs=1)
    two = run_evaluate([labels], no_seed=True, folds=2, repeats=1, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)


def test_zero_jobs_is_a_usage_error(labels: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", str(labels), "--no-seed", "-j", "0"])
    assert result.exit_code == 2
    assert "worker processes" in result.output
