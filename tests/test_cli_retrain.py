"""The retraining loop end to end through the CLI: suggest, edit, train, compare, agree.

The loop runs on a tiny corpus the tests write: two documents, a handful of
clauses. The "old" model is the shipped default when it exists (what users
start from), else a small model trained here on the seed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from itunlp._resources import default_model_dir
from itunlp.cli import main
from itunlp.labels.corpus import read_labels

RESOLUTION = """RESOLUTION 70 (REV. BUCHAREST, 2022)
Mainstreaming a gender perspective in ITU

The Plenipotentiary Conference of the International Telecommunication Union (Bucharest, 2022),

considering
a) that women remain under-represented in technical careers;
b) that mentoring networks help female engineers stay in the profession;

resolves
1 to promote the participation of girls in engineering studies;
2 to allocate spectrum for satellite services in remote regions;
3 to report on the number of women serving as chairs of study groups;
"""
STATEMENT = """The delegation thanked the host country for its hospitality.

Orbital slots and frequency coordination for satellite constellations remain contested.

=cmd|' /C calc'!A0 The secretariat will circulate the summary record.
"""


def _run(*args: str) -> Result:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few-label warnings of tiny models
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def old_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if (default_model_dir() / "meta.json").is_file():
        return default_model_dir()
    # Before the default is built: the same recipe on the shipped corpus, without metrics.
    from itunlp.training import train

    folder = tmp_path_factory.mktemp("models") / "old"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train(name="old", output=folder, cv_folds=3, metrics=False)
    return folder


@pytest.fixture
def documents(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "res70.txt", tmp_path / "statement.txt"]
    for path, text in zip(paths, [RESOLUTION, STATEMENT], strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _suggest(tmp_path: Path, documents: list[Path], model: Path, *extra: str) -> Path:
    out = tmp_path / "to_label.csv"
    result = _run("suggest", *documents, "-n", "20", "-o", out, "--model", model, *extra)
    assert result.exit_code == 0, result.output
    return out


# ------------------------------------------------------------------------- suggest


def test_suggest_writes_an_editable_csv_with_offsets(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    out = _suggest(tmp_path, documents, old_model)
    header, rows = _read_csv(out)
    assert header[:3] == ["text", "themes", "suggested_themes"]
    assert [c for c in header if c.startswith("score_")]
    assert {"doc_id", "path", "start", "end", "function", "clause_id"} <= set(header)
    texts = {d.stem: d.read_text(encoding="utf-8") for d in documents}
    for row in rows:
        assert texts[row["doc_id"]][int(row["start"]) : int(row["end"])] == row["text"]
        assert row["themes"] == row["suggested_themes"]
    assert "that women remain under-represented in technical careers;" in {r["text"] for r in rows}


def test_suggest_formula_injection_is_not_written_back(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    out = _suggest(tmp_path, documents, old_model)  # -n 20: every clause is picked
    _, rows = _read_csv(out)
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    [hostile] = [r for r in rows if "calc'!A0" in r["text"]]
    assert hostile["text"].startswith("cmd|")  # trimmed, and the offsets moved with it
    assert STATEMENT[int(hostile["start"]) : int(hostile["end"])] == hostile["text"]
    labels = read_labels(out)  # reads back unchanged: nothing to un-escape in text
    assert hostile["text"] in labels["text"].tolist()


def test_suggest_focus_theme_and_unknown_theme(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    out = _suggest(tmp_path, documents, old_model, "--theme", "gender")
    _, rows = _read_csv(out)
    assert {r["focus_theme"] for r in rows} == {"gender"}
    result = _run(
        "suggest", *documents, "-o", tmp_path / "x.csv", "--model", old_model, "--theme", "gendr"
    )
    assert result.exit_code != 0
    assert "did you mean 'gender'" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_suggest_label_studio_format(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    out = tmp_path / "tasks.json"
    result = _run("suggest", *documents, "-n", "3", "-o", out, "--model", old_model)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tasks.label_config.xml").is_file()
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert len(tasks) == 3 and all("start" in t["data"] for t in tasks)


def test_suggest_skips_labels_of_earlier_rounds(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    first = _suggest(tmp_path, documents, old_model)
    _, rows = _read_csv(first)
    second = tmp_path / "round2.csv"
    result = _run(
        "suggest", *documents, "-n", "20", "-o", second, "--model", old_model, "--exclude", first
    )
    if result.exit_code == 0:
        _, again = _read_csv(second)
        assert not {r["text"] for r in rows} & {r["text"] for r in again}
    else:
        assert "No clause to suggest" in result.output


# ----------------------------------------------------------------------- agreement


def test_agreement_verb_prints_and_writes_kappa(tmp_path: Path) -> None:
    a, b = tmp_path / "anna.csv", tmp_path / "ben.csv"
    texts = ["Women lead.", "Girls code.", "Orbits fill.", "Lunch at noon."]
    pd.DataFrame({"text": texts, "themes": ["gender", "gender", "space_spectrum", ""]}).to_csv(
        a, index=False
    )
    pd.DataFrame({"text": texts, "themes": ["gender", "", "space_spectrum", ""]}).to_csv(
        b, index=False
    )
    out = tmp_path / "agreement.csv"
    result = _run("agreement", a, b, "-o", out)
    assert result.exit_code == 0, result.output
    assert "4 clauses labelled by both" in result.output
    table = pd.read_csv(out).set_index("theme")
    assert table.loc["space_spectrum", "kappa"] == 1.0
    assert table.loc["gender", "kappa"] == pytest.approx(0.5)  # po 3/4, pe 1/2
    assert set(load_scheme_ids()) <= set(table.index)


def load_scheme_ids() -> list[str]:
    from itunlp.themes import load_themes

    return load_themes().ids


def test_agreement_verb_with_nothing_in_common_fails_clearly(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    pd.DataFrame({"text": ["One."], "themes": [""]}).to_csv(a, index=False)
    pd.DataFrame({"text": ["Two."], "themes": [""]}).to_csv(b, index=False)
    result = _run("agreement", a, b)
    assert result.exit_code == 1
    assert "No clause of A matches a clause of B" in result.output


# ------------------------------------------------------------------- the full loop

# What an annotator decides for each suggested clause (by the codebook). Two of these
# correct the model: girls' participation in studies and women chairs are gender (and
# ITU process), not stakeholder participation, which is about who takes part in ITU work.
ANNOTATION = {
    "to allocate spectrum": "space_spectrum;connectivity",
    "The delegation thanked": "",
    "to report on the number of women": "gender;institutional_process",
    "to promote the participation of girls": "gender",
    "that women remain": "gender",
    "cmd|": "institutional_process",
    "that mentoring networks": "gender",
    "Orbital slots": "space_spectrum",
}


def _annotate(to_label: Path, edited: Path) -> list[dict[str, str]]:
    header, rows = _read_csv(to_label)
    for row in rows:
        row["themes"] = next(v for k, v in ANNOTATION.items() if row["text"].startswith(k))
    _write_csv(edited, header, rows)
    return rows


def _train(labels: Path, out: Path) -> Result:
    return _run("train", labels, "-o", out, "--cv-folds", "3", "--no-metrics")


def test_full_loop_suggest_edit_train_compare(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    before = _tree_digest(old_model)
    rows = _annotate(_suggest(tmp_path, documents, old_model), tmp_path / "edited.csv")
    assert len(rows) == len(ANNOTATION)

    new_model = tmp_path / "new"
    result = _train(tmp_path / "edited.csv", new_model)
    assert result.exit_code == 0, result.output
    assert (new_model / "meta.json").is_file()

    from itunlp.pipeline import load

    labels = read_labels(tmp_path / "edited.csv")
    # The retrained model follows the user's labels on their own clauses far better than
    # the old one. Since user labels are weighted by cross-validation over the user's
    # documents (issue 12) rather than memorised, one clause of eight may still differ.
    wanted = [sorted(t) for t in labels["themes"]]
    texts, functions = labels["text"].tolist(), labels["function"].tolist()
    new_agree = sum(
        sorted(p) == w
        for p, w in zip(load(new_model).predict(texts, functions), wanted, strict=True)
    )
    old_agree = sum(
        sorted(p) == w
        for p, w in zip(load(old_model).predict(texts, functions), wanted, strict=True)
    )
    assert new_agree >= len(wanted) - 1
    assert new_agree > old_agree

    out = tmp_path / "compare.csv"
    result = _run("compare", old_model, new_model, "--labels", tmp_path / "edited.csv", "-o", out)
    assert result.exit_code == 0, result.output
    # The loop scores on the labels B just learned: compare says so, honestly.
    assert f"model B was trained on {len(rows)} of them" in result.output
    table = pd.read_csv(out).set_index("theme")
    assert table.loc["micro", "f1_b"] >= 0.9
    assert table.loc["micro", "f1_b"] > table.loc["micro", "f1_a"]
    assert (tmp_path / "compare.disagreements.csv").is_file()

    assert _tree_digest(old_model) == before  # the old model folder, byte for byte


def _edited_rows(tmp_path: Path, documents: list[Path], old_model: Path) -> tuple[list, list]:
    header, _ = _read_csv(_suggest(tmp_path, documents, old_model))
    rows = _annotate(tmp_path / "to_label.csv", tmp_path / "edited.csv")
    return header, rows


def test_train_rejects_an_unknown_theme_with_a_suggestion(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    header, rows = _edited_rows(tmp_path, documents, old_model)
    rows[2]["themes"] = "gendr"
    _write_csv(tmp_path / "bad.csv", header, rows)
    result = _train(tmp_path / "bad.csv", tmp_path / "new")
    assert result.exit_code != 0
    assert "Unknown theme 'gendr'" in result.output
    assert "row 3" in result.output and "did you mean 'gender'" in result.output
    assert not (tmp_path / "new").exists()


def test_train_rejects_conflicting_duplicates(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    header, rows = _edited_rows(tmp_path, documents, old_model)
    twin = dict(rows[0], themes="human_rights")
    _write_csv(tmp_path / "bad.csv", header, [*rows, twin])
    result = _train(tmp_path / "bad.csv", tmp_path / "new")
    assert result.exit_code != 0
    assert "the same clause is labelled" in result.output
    assert f"row {len(rows) + 1}" in result.output and "row 1" in result.output


def test_train_rejects_edited_text_that_no_longer_matches_its_offsets(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    header, rows = _edited_rows(tmp_path, documents, old_model)
    rows[1]["text"] = rows[1]["text"].replace("the", "a", 1)
    _write_csv(tmp_path / "bad.csv", header, rows)
    result = _train(tmp_path / "bad.csv", tmp_path / "new")
    assert result.exit_code != 0
    assert "row 2" in result.output and "the text was edited" in result.output


def test_loop_through_label_studio(tmp_path: Path, documents: list[Path], old_model: Path) -> None:
    tasks_file = tmp_path / "tasks.json"
    result = _run(
        "suggest",
        *documents,
        "-n",
        "20",
        "-o",
        tasks_file,
        "--model",
        old_model,
        "--format",
        "label-studio",
    )
    assert result.exit_code == 0, result.output
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    for task in tasks:  # what Label Studio's JSON export adds once a person has labelled
        themes = next(v for k, v in ANNOTATION.items() if task["data"]["text"].startswith(k))
        choices = [t for t in themes.split(";") if t]
        task["annotations"] = [
            {
                "id": 1,
                "was_cancelled": False,
                "updated_at": "2024-06-01T12:00:00Z",
                "result": [
                    {
                        "from_name": "themes",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": choices},
                    }
                ],
            }
        ]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks), encoding="utf-8")
    result = _train(export, tmp_path / "new")
    assert result.exit_code == 0, result.output
    from itunlp.pipeline import load

    labels = read_labels(export)
    predicted = load(tmp_path / "new").predict(labels["text"].tolist(), labels["function"].tolist())
    assert [sorted(p) for p in predicted] == [sorted(t) for t in labels["themes"]]


def test_suggest_reads_folders_recursively(
    tmp_path: Path, documents: list[Path], old_model: Path
) -> None:
    nested = tmp_path / "conference" / "day2"
    nested.mkdir(parents=True)
    for document in documents:
        document.rename(nested / document.name)
    out = tmp_path / "to_label.csv"
    result = _run(
        "suggest",
        tmp_path / "conference",
        "--recursive",
        "-n",
        "3",
        "-o",
        out,
        "--model",
        old_model,
    )
    assert result.exit_code == 0, result.output
    _, rows = _read_csv(out)
    assert len(rows) == 3
    assert {Path(r["path"]).parent for r in rows} == {nested}
