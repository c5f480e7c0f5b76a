"""``itunlp audit``: the label audit from the command line, on label files the tests write."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from itunlp.cli import main

CITATION = "Resolution 130 (Rev. Dubai, 2018) of the Plenipotentiary Conference, on security;"
REPORT = "to report to the Council on the implementation of this resolution;"


def _write_labels(path: Path, rows: list[tuple[str, list[str]]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for number, (text, themes) in enumerate(rows, start=1):
            record = {"clause_id": f"mine-{number:03d}", "text": text, "themes": themes}
            handle.write(json.dumps(record) + "\n")
    return path


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_audit_writes_the_findings_and_exits_zero(tmp_path: Path):
    labels = _write_labels(
        tmp_path / "mine.jsonl",
        [
            (CITATION, ["cybersecurity", "institutional_process"]),
            (REPORT, ["gender", "institutional_process"]),
            ("Girls in ICT Day was celebrated in 40 countries.", ["gender"]),
            ("Girls in ICT Day was celebrated in 40 countries!", ["gender", "connectivity"]),
        ],
    )
    out = tmp_path / "findings.csv"
    result = _invoke("audit", str(labels), "--no-seed", "--no-model", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Audited 4 labelled clauses." in result.output
    assert "out_of_fold  skipped" in result.output
    assert "2 violations" in result.output
    assert "citation-process: 1 violation" in result.output
    assert "mine-001 [cybersecurity;institutional_process] -> [cybersecurity]" in result.output
    findings = pd.read_csv(out, keep_default_na=False)
    assert sorted(findings["kind"]) == ["duplicate", "rule", "rule"]
    by_rule = findings.set_index("rule")
    assert by_rule.loc["reporting-topic", "clause_id"] == "mine-002"
    assert by_rule.loc["reporting-topic", "suggested_themes"] == "institutional_process"
    duplicate = findings[findings["kind"] == "duplicate"].iloc[0]
    assert (duplicate["clause_id"], duplicate["other_clause_id"]) == ("mine-004", "mine-003")


def test_audit_of_the_shipped_corpus_finds_no_violation(tmp_path: Path):
    out = tmp_path / "findings.json"
    result = _invoke("audit", "--no-model", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output
    findings = json.loads(out.read_text(encoding="utf-8"))
    assert all(f["severity"] == "check" for f in findings)


def test_audit_with_out_of_fold_predictions_on_a_tiny_corpus(tmp_path: Path):
    space = [
        "Satellite operators filed new orbital slots with the Radiocommunication Bureau.",
        "Spectrum in the C-band must be shared between satellites and mobile networks.",
        "The Radio Regulations Board examined interference to geostationary satellites.",
        "Large constellations of non-geostationary satellites crowd low Earth orbit.",
        "Frequency assignments are recorded in the Master International Frequency Register.",
        "Space debris threatens satellites in operation and future orbital use.",
        "WRC-23 identified new spectrum bands for IMT in several regions.",
        "Earth stations near borders need coordination of their frequencies.",
    ]
    gender = [
        "Women remain under-represented among ICT engineers in every region.",
        "Girls in ICT Day encourages girls to choose technology careers.",
        "Gender mainstreaming must reach every Sector of the Union.",
        "Mentoring helps women engineers stay in the profession.",
        "More women should chair study groups and lead delegations.",
        "The gender gap in digital skills hurts women entrepreneurs.",
        "Female students need scholarships in telecommunication engineering.",
        "Gender-responsive language is used in all texts of the Union.",
    ]
    rows = [(t, ["space_spectrum"]) for t in space] + [(t, ["gender"]) for t in gender]
    rows.append(("Satellite filings and spectrum for geostationary orbit slots.", ["gender"]))
    labels = _write_labels(tmp_path / "tiny.jsonl", rows)
    out = tmp_path / "findings.tsv"
    result = _invoke("audit", str(labels), "--no-seed", "--folds", "3", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Most confident out-of-fold disagreements:" in result.output
    findings = pd.read_csv(out, sep="\t", keep_default_na=False)
    oof = findings[findings["kind"] == "out_of_fold"]
    assert oof.iloc[0]["clause_id"] == "mine-017"
    assert "space_spectrum" in oof.iloc[0]["suggested_themes"].split(";")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--no-seed"], "--no-seed needs label files"),
        (["-o", "findings.xlsx"], "unsupported table type"),
        (["--no-model", "--model", "somewhere"], "exclude each other"),
        (["missing.jsonl"], "missing.jsonl"),
    ],
)
def test_usage_problems_exit_two(tmp_path: Path, monkeypatch, args: list[str], message: str):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["audit", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_bad_rule_file_is_a_usage_problem(tmp_path: Path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[[rule]]\nid = 'x'\nmessage = 'm'\npattern = '('\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", "--no-model", "--rules", str(rules)])
    assert result.exit_code == 2
    assert "--rules" in result.output
    assert "not a valid regular expression" in result.output
