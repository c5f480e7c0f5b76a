"""Writers: each format read back, chunked equals whole, atomic replacement, CSV injection."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from itunlp.run.outputs import (
    OutputFormatError,
    TablePrinter,
    TableWriter,
    check_output,
    errors_path,
    escape_formula,
    write_errors,
    write_table,
)


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["res70", "res70", "memo"],
            "path": ["docs/res70.pdf", "docs/res70.pdf", None],
            "page": pd.array([1, 2, None], dtype="Int64"),
            "clause_id": ["res70-001", "res70-002", "memo-001"],
            "start": [0, 40, 0],
            "end": [38, 80, 12],
            "text": ["to connect schools, café;", '=HYPERLINK("http://x")', "-4 dB at @edge"],
            "function": ["resolves", "", ""],
            "themes": [["connectivity", "gender"], [], ["space_spectrum"]],
            "score_connectivity": [0.91, 0.05, 0.1],
            "score_gender": [0.6, 0.01, 0.0],
            "explanation": [{"gender": [["women", 1.5]]}, {}, {}],
        }
    )


def read_back(path) -> pd.DataFrame:
    if path.suffix == ".csv":
        frame = pd.read_csv(path, keep_default_na=False, dtype={"page": "Int64"})
        frame["themes"] = frame["themes"].map(lambda cell: cell.split(";") if cell else [])
        return frame
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype={"page": "Int64"})
    frame = pd.read_parquet(path)
    frame["themes"] = frame["themes"].map(list)
    return frame


@pytest.mark.parametrize("extension", [".csv", ".jsonl", ".parquet"])
def test_each_format_reads_back_the_same_table(tmp_path, table, extension):
    path = write_table(table, tmp_path / f"clauses{extension}")
    back = read_back(path)
    assert list(back.columns) == list(table.columns)
    assert back["clause_id"].tolist() == table["clause_id"].tolist()
    assert back["themes"].tolist() == table["themes"].tolist()
    assert back["page"].tolist()[:2] == [1, 2] and pd.isna(back["page"].iloc[2])
    assert back["score_connectivity"].tolist() == table["score_connectivity"].tolist()
    explanation = back["explanation"].iloc[0]
    assert (json.loads(explanation) if isinstance(explanation, str) else explanation) == {
        "gender": [["women", 1.5]]
    }
    if extension != ".csv":  # CSV escapes formulas; the others keep text exactly
        assert back["text"].tolist() == table["text"].tolist()


@pytest.mark.parametrize("extension", [".csv", ".jsonl", ".parquet"])
def test_writing_in_chunks_equals_writing_whole(tmp_path, table, extension):
    whole = write_table(table, tmp_path / f"whole{extension}")
    with TableWriter(tmp_path / f"chunks{extension}", table.columns) as writer:
        for start in range(len(table)):
            writer.write(table.iloc[start : start + 1])
    assert writer.rows == 3
    pd.testing.assert_frame_equal(read_back(whole), read_back(writer.path))


@pytest.mark.parametrize("extension", [".csv", ".jsonl", ".parquet"])
def test_a_run_with_no_rows_still_writes_the_columns(tmp_path, table, extension):
    with TableWriter(tmp_path / f"empty{extension}", table.columns) as writer:
        pass
    if extension == ".jsonl":
        assert writer.path.read_text() == ""
    else:
        assert list(read_back(writer.path).columns) == list(table.columns)


@pytest.mark.parametrize("extension", [".csv", ".jsonl", ".parquet"])
def test_a_crash_mid_write_leaves_the_old_file_intact(tmp_path, table, extension):
    path = write_table(table.iloc[:1], tmp_path / f"out{extension}")
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="killed"), TableWriter(path, table.columns) as writer:
        writer.write(table)
        raise RuntimeError("killed half-way")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary left


@pytest.mark.skipif(os.name != "posix", reason="process liveness probe is POSIX-only")
def test_leftovers_of_killed_runs_are_removed_and_live_runs_kept(tmp_path, table):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmp_path / f".out.csv.{finished.stdout.strip()}.abc123.tmp"
    alive = tmp_path / f".out.csv.{os.getppid()}.def456.tmp"
    dead.write_text("half a file")
    alive.write_text("another run, still writing")
    write_table(table, tmp_path / "out.csv")
    assert not dead.exists()
    assert alive.exists()


def test_a_failed_replace_leaves_the_old_file_intact(tmp_path, table, monkeypatch):
    path = write_table(table.iloc[:1], tmp_path / "out.csv")
    before = path.read_bytes()

    def crash(*args):
        raise OSError("disk vanished")

    monkeypatch.setattr("itunlp.run.outputs.os.replace", crash)
    with pytest.raises(OSError, match="disk vanished"):
        write_table(table, path)
    assert path.read_bytes() == before


def test_csv_escapes_formula_cells_and_nothing_else(tmp_path, table):
    path = write_table(table, tmp_path / "out.csv")
    back = pd.read_csv(path, keep_default_na=False)
    assert back["text"].tolist() == [
        "to connect schools, café;",
        '\'=HYPERLINK("http://x")',
        "'-4 dB at @edge",
    ]
    assert back["start"].tolist() == [0, 40, 0]  # numbers are not cells to escape


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (-2, -2),
    ],
)
def test_escape_formula(value, expected):
    assert escape_formula(value) == expected


def test_unknown_extension_lists_the_valid_ones(tmp_path):
    with pytest.raises(OutputFormatError, match=r"'\.xlsx'; use one of \.csv, \.jsonl, \.parquet"):
        check_output(tmp_path / "out.xlsx")


def test_missing_output_folder_is_found_before_any_work(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        check_output(tmp_path / "no" / "out.csv")


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"pip install 'itunlp\[parquet\]'"):
        check_output(tmp_path / "out.parquet")


def test_errors_file_sits_next_to_the_output_and_is_written_even_when_empty(tmp_path):
    assert errors_path(tmp_path / "clauses.csv") == tmp_path / "clauses.csv.errors.csv"
    path = write_errors([], errors_path(tmp_path / "clauses.csv"))
    assert path.read_text(encoding="utf-8").strip() == "path,reason"
    write_errors([("=evil.pdf", "corrupt PDF")], path)
    assert pd.read_csv(path).values.tolist() == [["'=evil.pdf", "corrupt PDF"]]


def test_the_stdout_table_is_readable_and_fits_the_width(table):
    stream = io.StringIO()
    printer = TablePrinter(stream, table.columns, width=80)
    printer.write(table.iloc[:2])
    printer.write(table.iloc[2:])
    lines = stream.getvalue().splitlines()
    assert lines[0].split() == ["clause_id", "page", "function", "themes", "text"]
    assert len(lines) == 4
    assert all(len(line) <= 80 for line in lines)
    assert "connectivity;gender" in lines[1]
