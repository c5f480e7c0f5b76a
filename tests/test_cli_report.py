"""``itunlp report`` and ``itunlp diff`` end to end, on files the tests write."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from itunlp._resources import data_dir, default_model_dir
from itunlp.cli import main

EXAMPLES = data_dir() / "examples"

# End to end on the shipped model; only a checkout still waiting for it skips.
pytestmark = pytest.mark.skipif(
    not (default_model_dir() / "meta.json").is_file(),
    reason=f"the shipped default model is not built yet ({default_model_dir()})",
)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(path: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.elements


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("res-901-draft", "commentary-gender-outcomes"):
        shutil.copy(EXAMPLES / f"{name}.txt", folder / f"{name}.txt")
    (folder / "notes.md").write_text(
        "Delegates asked for open meetings and access to documents for civil society.\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "draft.txt", tmp_path / "final.txt"
    shutil.copy(EXAMPLES / "res-901-draft.txt", old)
    shutil.copy(EXAMPLES / "res-901-final.txt", new)
    return old, new


def run(*args: str) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# ------------------------------------------------------------------------ report


def test_report_writes_one_self_contained_page(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    result = run("report", corpus, "-o", out, "--quiet")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and "url(" not in text
    found = elements(out)
    docs = [a["data-doc-id"] for t, a in found if t == "section" and a.get("data-doc-id")]
    assert docs == ["commentary-gender-outcomes", "notes", "res-901-draft"]
    clauses = [a for t, a in found if t == "span" and a.get("data-kind")]
    assert len(clauses) > 25
    assert any(c["data-terms-source"] == "model" and c["data-terms"] != "{}" for c in clauses)
    assert 'class="doc-text inline"' in text  # texts re-read: clauses shown in place


def test_report_on_files_and_a_glob(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run("report", corpus / "notes.md", str(corpus / "res-*.txt"), "-o", out, "-q")
    assert result.exit_code == 0, result.output
    docs = [a["data-doc-id"] for t, a in elements(out) if a.get("data-doc-id")]
    assert docs == ["notes", "res-901-draft"]


def test_report_skips_bad_files_and_exits_1(corpus: Path, tmp_path: Path) -> None:
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(corpus), "-o", str(out), "-q"])
    assert result.exit_code == 1
    assert "empty.txt" in result.output
    docs = [a["data-doc-id"] for t, a in elements(out) if a.get("data-doc-id")]
    assert "res-901-draft" in docs and "empty" not in docs


def test_report_recursive(corpus: Path, tmp_path: Path) -> None:
    nested = corpus / "sub"
    nested.mkdir()
    (nested / "deep.txt").write_text("Women engineers were elected to the Board.\n", "utf-8")
    flat, deep = tmp_path / "flat.html", tmp_path / "deep.html"
    assert run("report", corpus, "-o", flat, "-q").exit_code == 0
    assert run("report", corpus, "-o", deep, "-q", "--recursive").exit_code == 0
    assert 'data-doc-id="deep"' not in flat.read_text("utf-8")
    assert 'data-doc-id="deep"' in deep.read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "x.txt"], "Missing option '-o'"),
        (["report", "-o", "r.html"], "Missing argument"),
        (["report", "x.txt", "-o", "r.csv"], "must end in .html"),
        (["report", "x.txt", "-o", "nowhere/r.html"], "does not exist"),
        (["report", "x.txt", "-o", "r.html", "--model", "no-such-model"], "does not exist"),
        (["diff", "no-such-old.txt", "new.txt"], "does not exist"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.txt").write_text("The plenary met.\n", encoding="utf-8")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_folder_that_is_no_model_exits_2(versions: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = versions
    not_a_model = tmp_path / "empty-model"
    not_a_model.mkdir()
    for args in (["diff", old, new], ["report", old, "-o", tmp_path / "r.html"]):
        result = CliRunner().invoke(main, [*map(str, args), "--model", str(not_a_model)])
        assert result.exit_code == 2, result.output
        assert "cannot load" in result.output and "empty-model" in result.output
    assert not (tmp_path / "r.html").exists()


# -------------------------------------------------------------------------- diff


def test_diff_prints_the_theme_balance(versions: tuple[Path, Path]) -> None:
    old, new = versions
    result = run("diff", old, new)
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("draft.txt -> final.txt:")
    assert "removed" in first and "kept" in first
    assert "  gender: " in result.output


def test_diff_writes_csv(versions: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = versions
    out = tmp_path / "diff.csv"
    result = run("diff", old, new, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns[:3]) == ["change", "old_clause_id", "new_clause_id"]
    removed = table[table["change"] == "removed"]
    assert removed["old_text"].str.contains("careers in cybersecurity").any()
    assert removed["old_text"].str.contains("civil society").any()
    kept = table[table["new_text"].str.contains("threats cross borders")]
    assert list(kept["change"]) == ["kept"]
    assert list(kept["old_clause_id"]) == ["draft-007"]
    assert list(kept["new_clause_id"]) == ["final-006"]


def test_diff_writes_html(versions: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = versions
    out = tmp_path / "diff.html"
    result = run("diff", old, new, "-o", out)
    assert result.exit_code == 0, result.output
    found = elements(out)
    rows = [a for t, a in found if t == "tr" and a.get("data-change")]
    assert {r["data-change"] for r in rows} == {"removed", "added", "changed", "kept"}
    text = out.read_text(encoding="utf-8")
    assert "http://" not in text and "url(" not in text


def test_diff_rejects_an_unknown_output_format(versions: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = versions
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(tmp_path / "d.xlsx")])
    assert result.exit_code == 2
    assert "must end in .html" in result.output


def test_diff_of_an_unreadable_file_exits_2(versions: tuple[Path, Path], tmp_path: Path) -> None:
    old, _ = versions
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["diff", str(old), str(empty)])
    assert result.exit_code == 2
    assert "empty.txt" in result.output


# ------------------------------------------------------------- diff of two collections


@pytest.fixture
def acts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Draft and final Final Acts; clauses get their sections as the segmenter gives them."""
    import itunlp.cli._report as verbs
    from test_section_diff import SectionModel

    monkeypatch.setattr(verbs, "load_model_option", lambda model_dir: SectionModel())
    old, new = tmp_path / "acts-draft.txt", tmp_path / "acts-final.txt"
    shutil.copy(EXAMPLES / "acts-draft.txt", old)
    shutil.copy(EXAMPLES / "acts-final.txt", new)
    return old, new


def test_diff_of_two_final_acts_reports_each_section(acts: tuple[Path, Path]) -> None:
    result = run("diff", *acts)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:6] == [
        "acts-draft.txt -> acts-final.txt: 4 removed, 2 added, 1 changed, 8 kept clauses",
        "sections: 4 (1 changed, 1 new, 1 gone, 1 same)",
        "  Resolution 910: 2 removed, 1 changed, 4 kept (gender 2 removed, lost in 1)",
        "  Resolution 912: gone, 2 clauses (stakeholder_participation 1)",
        "  Resolution 913: new, 2 clauses (space_spectrum 2)",
        "themes:",
    ]
    assert "  gender: 2 clauses removed, 0 added, 1 changed (lost in 1)" in result.output


def test_diff_of_two_final_acts_as_html_and_csv(acts: tuple[Path, Path], tmp_path: Path) -> None:
    page, table = tmp_path / "acts.html", tmp_path / "acts.csv"
    assert run("diff", *acts, "-o", page).exit_code == 0
    assert run("diff", *acts, "-o", table).exit_code == 0
    found = elements(page)
    heads = [a for t, a in found if t == "tr" and a.get("data-section")]
    assert [(a["data-section"], a["data-status"]) for a in heads] == [
        ("Resolution 910", "changed"),
        ("Resolution 911", "same"),
        ("Resolution 912", "gone"),
        ("Resolution 913", "new"),
    ]
    assert 'id="section-balance"' in page.read_text(encoding="utf-8")
    rows = pd.read_csv(table, keep_default_na=False)
    assert list(rows.columns[-3:]) == ["section", "old_section", "new_section"]
    assert set(rows.loc[rows["section"] == "Resolution 912", "change"]) == {"removed"}


def test_diff_of_two_final_acts_with_the_shipped_segmenter(tmp_path: Path) -> None:
    old, new = tmp_path / "acts-draft.txt", tmp_path / "acts-final.txt"
    shutil.copy(EXAMPLES / "acts-draft.txt", old)
    shutil.copy(EXAMPLES / "acts-final.txt", new)
    result = run("diff", old, new)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == "sections: 4 (1 changed, 1 new, 1 gone, 1 same)"
    assert lines[2].startswith("  Resolution 910: 2 removed, 1 changed, 4 kept (")
    assert "gender 2 removed, lost in 1" in lines[2]
    assert lines[3].startswith("  Resolution 912: gone, 2 clauses")
    assert lines[4].startswith("  Resolution 913: new, 2 clauses")


def test_diff_of_two_folders(acts: tuple[Path, Path], tmp_path: Path) -> None:
    old_dir, new_dir = tmp_path / "2024", tmp_path / "2026"
    old_dir.mkdir()
    new_dir.mkdir()
    shutil.copy(acts[0], old_dir / "acts.txt")
    shutil.copy(acts[1], new_dir / "acts.txt")
    (old_dir / "notes.md").write_text("The plenary met twice.\n", encoding="utf-8")
    result = run("diff", old_dir, new_dir, "-o", tmp_path / "d.csv")
    assert result.exit_code == 0, result.output
    assert "  Resolution 913: new, 2 clauses" in result.output
    assert "  notes: gone, 1 clause" in result.output
    rows = pd.read_csv(tmp_path / "d.csv", keep_default_na=False)
    assert rows["old_clause_id"].iloc[0] == "acts-001"
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = CliRunner().invoke(main, ["diff", str(empty), str(new_dir)])
    assert refused.exit_code == 2 and "no document" in refused.output
