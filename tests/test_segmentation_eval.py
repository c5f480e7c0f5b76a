"""Clause-level scoring: the matching rule of issue 3, the per-style table,
reading a labelled folder, and the ``evaluate-segmentation`` verb end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import itunlp.cli._segmentation  # noqa: F401  (registers the verb on the group)
from itunlp.cli._group import main
from itunlp.cli._segmentation import run_evaluate_segmentation
from itunlp.evaluation.segmentation import (
    COLUMNS,
    edges_match,
    evaluate_segmentation,
    match_spans,
    read_gold,
    score_spans,
)
from itunlp.segmentation.boundary_model import BoundaryModel

# ------------------------------------------------------------------- matching rule


@pytest.mark.parametrize(
    ("text", "a", "b", "same"),
    [
        ("the ITU", 0, 0, True),
        ("  the ITU", 0, 2, True),  # whitespace
        ('"the ITU', 0, 1, True),  # a quote
        ("a) that the", 0, 3, True),  # one marker
        ("(iv) the work", 0, 5, True),
        ("1. The budget", 0, 3, True),
        ("• Member States", 0, 2, True),
        ("act;  ", 3, 4, True),  # punctuation at an end
        ("a) b) that", 0, 6, False),  # two markers
        ("the ITU", 0, 4, False),  # a word
    ],
)
def test_edges_match(text: str, a: int, b: int, same: bool) -> None:
    assert edges_match(text, a, b) is same
    assert edges_match(text, b, a) is same


def test_each_gold_clause_matches_once() -> None:
    text = "It rained. It rained."
    gold = [(0, 10), (11, 21)]
    assert match_spans(text, [(0, 10), (0, 10)], gold) == 1
    assert match_spans(text, [(0, 10), (11, 21)], gold) == 2


def test_score_spans_handles_zero_counts() -> None:
    assert score_spans(0, 0, 0) == (0.0, 0.0, 0.0)
    assert score_spans(2, 4, 2) == (0.5, 1.0, pytest.approx(2 / 3))


# --------------------------------------------------------------------- the table

DOCS = {
    "res": "considering\na) that the Union acts;\nPP22/61(Add.3)-E\nb) that it reports.\n",
    "note": "The ITU met in Bucharest, and it agreed.\n\nA Title Line\n",
}
STYLES = {"res": "resolution", "note": "summary"}


def gold_records() -> pd.DataFrame:
    rows = []
    for doc_id, clause in [
        ("res", "that the Union acts;"),
        ("res", "that it reports."),
        ("note", "The ITU met in Bucharest,"),
        ("note", "and it agreed."),
    ]:
        start = DOCS[doc_id].index(clause)
        rows.append({"doc_id": doc_id, "start": start, "end": start + len(clause)})
    return pd.DataFrame(rows)


def test_table_has_overall_and_per_style_rows() -> None:
    table = evaluate_segmentation(gold_records(), DOCS, STYLES)
    assert list(table.columns) == COLUMNS
    assert table["style"].tolist() == ["overall", "resolution", "summary"]
    overall = table.iloc[0]
    assert (overall.support, overall.predicted, overall.matched) == (4, 4, 4)
    assert overall.f1 == 1.0


def test_false_positives_count_against_precision() -> None:
    def splitter(text: str) -> list[tuple[int, int]]:
        # Every line as a clause, as a naive splitter would cut: the header is a FP.
        spans, position = [], 0
        for line in text.splitlines(keepends=True):
            if line.strip():
                start = position + len(line) - len(line.lstrip())
                spans.append((start, position + len(line.rstrip())))
            position += len(line)
        return spans

    table = evaluate_segmentation(gold_records(), DOCS, STYLES, splitter=splitter)
    resolution = table.set_index("style").loc["resolution"]
    assert resolution.predicted == 4 and resolution.matched == 2
    assert resolution.precision == 0.5 and resolution.recall == 1.0


def test_boundary_model_is_used() -> None:
    never = BoundaryModel(intercept=-10.0)
    table = evaluate_segmentation(gold_records(), DOCS, STYLES, boundary_model=never)
    summary = table.set_index("style").loc["summary"]
    assert summary.matched == 0 and summary.predicted == 1


def test_rows_without_offsets_are_ignored() -> None:
    records = pd.concat([gold_records(), pd.DataFrame([{"doc_id": "res", "start": None}])])
    assert evaluate_segmentation(records, DOCS, STYLES).iloc[0].support == 4


def test_unknown_document_is_reported() -> None:
    records = pd.DataFrame([{"doc_id": "ghost", "start": 0, "end": 3}])
    with pytest.raises(
        ValueError, match=r"document\(s\) \['ghost'\] that are not in the documents"
    ):
        evaluate_segmentation(records, DOCS, STYLES)


def test_missing_columns_are_reported() -> None:
    with pytest.raises(ValueError, match=r"lack column\(s\) \['end'\]"):
        evaluate_segmentation(pd.DataFrame({"doc_id": [], "start": []}), DOCS, STYLES)


# ---------------------------------------------------------------- labelled folders


def write_folder(root: Path) -> Path:
    (root / "docs").mkdir(parents=True)
    lines = ["doc_id,path,style,description"]
    for doc_id, text in DOCS.items():
        (root / "docs" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        lines.append(f"{doc_id},docs/{doc_id}.txt,{STYLES[doc_id]},test")
    (root / "documents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (root / "clauses.jsonl").open("w", encoding="utf-8") as out:
        for row in gold_records().to_dict("records"):
            out.write(json.dumps(row) + "\n")
    return root


def test_read_gold(tmp_path) -> None:
    records, documents, styles = read_gold(write_folder(tmp_path / "dev"))
    assert len(records) == 4
    assert documents == DOCS and styles == STYLES


def test_read_gold_reports_missing_files(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=r"No documents\.csv in"):
        read_gold(tmp_path)
    folder = write_folder(tmp_path / "dev")
    (folder / "docs" / "res.txt").unlink()
    with pytest.raises(FileNotFoundError, match=r"lists 'docs/res\.txt' for 'res'"):
        read_gold(folder)


def test_worker_scores_the_rules_and_a_model_folder(tmp_path) -> None:
    folder = write_folder(tmp_path / "dev")
    assert run_evaluate_segmentation(folder).iloc[0].f1 == 1.0
    model_dir = tmp_path / "model" / "segmenter"
    model_dir.mkdir(parents=True)
    BoundaryModel(intercept=-10.0).save(model_dir)
    assert run_evaluate_segmentation(folder, tmp_path / "model").iloc[0].matched == 2


def test_cli_prints_the_table(tmp_path) -> None:
    folder = write_folder(tmp_path / "dev")
    result = CliRunner().invoke(main, ["evaluate-segmentation", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert "rules only" in result.output
    assert "overall" in result.output and "resolution" in result.output
    assert "1.000" in result.output


def test_cli_defaults_to_the_shipped_dev_set() -> None:
    result = CliRunner().invoke(main, ["evaluate-segmentation"])
    assert result.exit_code == 0, result.output
    assert "overall" in result.output


def test_cli_rejects_a_model_folder_without_boundary_model(tmp_path) -> None:
    folder = write_folder(tmp_path / "dev")
    result = CliRunner().invoke(
        main, ["evaluate-segmentation", "--data", str(folder), "--model", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "No boundary_model.json in" in result.output


def test_cli_reports_a_folder_without_gold(tmp_path) -> None:
    result = CliRunner().invoke(main, ["evaluate-segmentation", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "No documents.csv in" in result.output
