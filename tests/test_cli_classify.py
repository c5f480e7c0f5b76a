"""``itunlp classify`` and ``itunlp segment`` end to end on files the tests create."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from itunlp.cli import main
from itunlp.cli._classify import run_batch

RESOLUTION = """RESOLUTION 70 (REV. BUCHAREST, 2022)

Mainstreaming a gender perspective in ITU

considering

a) that women and girls remain under-represented among engineers;
b) that broadband access in rural areas and schools is still limited;

resolves

1 to connect schools and refugee settlements to the Internet;
2 to encourage women engineers to take part in study groups.
"""


@pytest.fixture(scope="module")
def default_model():
    """The shipped default model: the end-to-end tests run on what users get."""
    import itunlp

    return itunlp.load()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A conference folder: text in three encodings, PDF, Word and a web page."""
    from fpdf import FPDF

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "res70.txt").write_text(RESOLUTION, encoding="utf-8")
    (docs / "res71-cp1252.txt").write_bytes(
        RESOLUTION.replace("70", "71").replace("women", "women (filles, café)").encode("cp1252")
    )
    (docs / "res72-utf16.txt").write_bytes(RESOLUTION.replace("70", "72").encode("utf-16"))
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in (
        "The conference resolves to connect schools in rural areas.",
        "Member States are invited to support women engineers.",
    ):
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    pdf.output(str(docs / "minutes.pdf"))
    import docx

    word = docx.Document()
    word.add_paragraph("resolves")
    word.add_paragraph("to promote cybersecurity capacity building;", style="List Number")
    word.add_paragraph("to protect human rights online.", style="List Number")
    word.save(str(docs / "draft.docx"))
    (docs / "dispatch.html").write_text(
        "<html><body><nav>Home | News</nav><main><p>Satellite spectrum was allocated at "
        "the conference.</p></main><footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    return docs


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        frame = pd.read_csv(path, keep_default_na=False)
        frame["themes"] = frame["themes"].map(lambda cell: cell.split(";") if cell else [])
        return frame
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True)
    frame = pd.read_parquet(path)
    frame["themes"] = frame["themes"].map(list)
    return frame


# --------------------------------------------------------------------------- outputs


def test_classify_writes_every_format_with_the_same_rows(default_model, folder, tmp_path):
    tables = {}
    for extension in (".csv", ".jsonl", ".parquet"):
        out = tmp_path / f"clauses{extension}"
        result = invoke("classify", str(folder), "-o", str(out), "--quiet")
        assert result.exit_code == 0, result.stderr
        tables[extension] = read(out)
        errors = pd.read_csv(tmp_path / f"clauses{extension}.errors.csv")
        assert errors.empty and list(errors.columns) == ["path", "reason"]
    _, jsonl, parquet = tables.values()
    expected = [
        "doc_id", "path", "page", "clause_id", "start", "end", "text", "function",
        "section", "section_title", "part", "change",
    ]  # fmt: skip
    expected += ["themes", *(f"score_{t}" for t in default_model.themes)]
    for table in tables.values():
        assert list(table.columns) == expected
        assert table.clause_id.tolist() == parquet.clause_id.tolist()
        assert table.themes.tolist() == parquet.themes.tolist()
    assert parquet.doc_id.unique().tolist() == [
        "dispatch", "draft", "minutes", "res70", "res71-cp1252", "res72-utf16",
    ]  # fmt: skip
    assert set(parquet.loc[parquet.doc_id == "minutes", "page"]) == {1, 2}
    assert "to promote cybersecurity capacity building;" in set(parquet.text)
    assert any("café" in text for text in jsonl.text)


def test_without_output_a_readable_table_goes_to_stdout(default_model, folder):
    result = invoke("classify", str(folder / "res70.txt"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["clause_id", "page", "function", "themes", "text"]
    assert lines[1].startswith("res70-001")


def test_stdin_dash_is_read_as_a_document(default_model, tmp_path):
    out = tmp_path / "stdin.jsonl"
    result = invoke("classify", "-", "-o", str(out), input=RESOLUTION)
    assert result.exit_code == 0, result.stderr
    table = read(out)
    assert set(table.doc_id) == {"stdin"} and set(table.path) == {"-"}
    assert len(table) >= 4


def test_explain_and_summary(default_model, folder, tmp_path):
    out, summary = tmp_path / "c.parquet", tmp_path / "s.csv"
    result = invoke(
        "classify",
        str(folder / "res70.txt"),
        "-o",
        str(out),
        "--explain",
        "--summary",
        str(summary),
    )
    assert result.exit_code == 0, result.stderr
    table = read(out)
    assert table.columns[-1] == "explanation"
    tagged = table[table.themes.map(len) > 0]
    assert set(json.loads(tagged.explanation.iloc[0])) == set(tagged.themes.iloc[0])
    report = pd.read_csv(summary)
    assert list(report.columns) == [
        "doc_id", "theme", "clauses", "share", "operative", "preamble", "prose",
    ]  # fmt: skip
    total = report[(report.doc_id == "res70") & (report.theme == "(all)")].iloc[0]
    assert total.clauses == len(table)
    assert (total.operative, total.preamble) == (2, 2)


def test_summary_by_section(default_model, tmp_path):
    from itunlp._resources import data_dir

    summary = tmp_path / "s.csv"
    acts = data_dir() / "examples" / "acts-final.txt"
    result = invoke("classify", str(acts), "-o", str(tmp_path / "c.csv"), "--summary",
                    str(summary), "--summary-by", "section", "-q")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = pd.read_csv(summary, keep_default_na=False)
    assert list(report.columns[:4]) == ["doc_id", "section", "section_title", "theme"]
    totals = report[(report.doc_id == "acts-final") & (report.theme == "(all)")]
    assert totals.section.tolist() == [
        "Resolution 910", "Resolution 911", "Resolution 913", "(all)",
    ]  # fmt: skip
    assert totals.clauses.tolist() == [5, 4, 2, 11]


def test_jobs_and_dask_engine_write_the_same_table(default_model, folder, tmp_path):
    distributed = pytest.importorskip("distributed")
    one, two, dask = (tmp_path / f"{name}.parquet" for name in ("one", "two", "dask"))
    assert invoke("classify", str(folder), "-o", str(one), "-q").exit_code == 0
    assert invoke("classify", str(folder), "-o", str(two), "-q", "--jobs", "2").exit_code == 0
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        result = invoke(
            "classify", str(folder), "-o", str(dask), "-q",
            "--engine", "dask", "--scheduler", cluster.scheduler_address,
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(one), pd.read_parquet(two))
    pd.testing.assert_frame_equal(pd.read_parquet(one), pd.read_parquet(dask))


@pytest.mark.slow
def test_dask_engine_without_a_scheduler_starts_a_local_cluster(default_model, folder, tmp_path):
    pytest.importorskip("distributed")
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    assert invoke("classify", str(folder / "res70.txt"), "-o", str(local), "-q").exit_code == 0
    result = invoke(
        "classify", str(folder / "res70.txt"), "-o", str(dask), "-q", "--engine", "dask"
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert dask.read_text(encoding="utf-8") == local.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- errors


def test_bad_documents_are_reported_listed_and_skipped_with_exit_1(default_model, folder, tmp_path):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    out = tmp_path / "clauses.csv"
    result = invoke("classify", str(folder), str(tmp_path / "absent.docx"), "-o", str(out))
    assert result.exit_code == 1
    errors = pd.read_csv(tmp_path / "clauses.csv.errors.csv")
    reasons = dict(zip(errors.path, errors.reason, strict=True))
    assert reasons[str(folder / "empty.txt")] == "empty file"
    assert reasons[str(folder / "binary.txt")].startswith("binary file")
    assert reasons[str(folder / "broken.pdf")].startswith("corrupt PDF")
    assert reasons[str(tmp_path / "absent.docx")] == "no such file or folder"
    for path in reasons:
        assert f"skipped {path}: " in result.stderr
    assert "res70" in set(read(out).doc_id)  # the good documents were still written


def test_a_rerun_without_failures_empties_the_errors_file(default_model, folder, tmp_path):
    out = tmp_path / "clauses.csv"
    assert invoke("classify", str(folder), "nope.txt", "-o", str(out), "-q").exit_code == 1
    assert invoke("classify", str(folder), "-o", str(out), "-q").exit_code == 0
    assert pd.read_csv(tmp_path / "clauses.csv.errors.csv").empty


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "out.xlsx"], "unknown output extension '.xlsx'"),
        (["--summary", "s.txt"], "--summary: cannot write"),
        (["--model", "no-such-model"], "--model: no model folder at no-such-model"),
        (["--jobs", "0"], "--jobs must be a positive number"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
    ],
)
def test_usage_errors_exit_2_before_any_work(folder, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = invoke("classify", str(folder), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not list(tmp_path.glob("out*"))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_a_run_killed_mid_way_leaves_the_old_output_and_a_rerun_completes(tmp_path, how):
    big = tmp_path / "big.txt"
    big.write_text(RESOLUTION * 6000, encoding="utf-8")  # takes seconds to segment
    out = tmp_path / "out.csv"
    out.write_text("old output\n", encoding="utf-8")
    command = [sys.executable, "-m", "itunlp", "segment", str(big), "-o", str(out), "-q"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while not list(tmp_path.glob(".out.csv.*.tmp")) and process.poll() is None:
        time.sleep(0.05)  # wait until it is writing; not a timing assertion
    process.send_signal(getattr(signal, how))
    process.wait()
    assert out.read_text(encoding="utf-8") == "old output\n"
    leftovers = list(tmp_path.glob(".out.csv.*.tmp"))
    assert leftovers == [] if how == "SIGTERM" else len(leftovers) == 1
    small = tmp_path / "small.txt"
    small.write_text(RESOLUTION, encoding="utf-8")
    rerun = invoke("segment", str(small), "-o", str(out), "-q")
    assert rerun.exit_code == 0
    assert list(tmp_path.glob(".out.csv.*.tmp")) == []
    assert out.read_text(encoding="utf-8").startswith("doc_id,path,page,clause_id")


def test_an_unknown_option_is_a_usage_error():
    assert invoke("classify", "x.txt", "--no-such-option").exit_code == 2


# -------------------------------------------------------------------- progress, segment


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_and_quiet_silences_only_progress(default_model, folder):
    inputs = [str(folder / "res70.txt"), str(folder / "missing.txt")]
    loud, quiet = Terminal(), Terminal()
    run_batch(inputs, stdout=io.StringIO(), stderr=loud)
    run = run_batch(inputs, stdout=io.StringIO(), stderr=quiet, quiet=True)
    assert "clauses/s" in loud.getvalue() and "file" in loud.getvalue()
    assert "clauses/s" not in quiet.getvalue()
    assert "skipped" in quiet.getvalue() and "missing.txt" in quiet.getvalue()
    assert run.status == 1


def test_no_progress_bar_when_stderr_is_not_a_terminal(default_model, folder):
    stderr = io.StringIO()
    run_batch([str(folder / "res70.txt")], stdout=io.StringIO(), stderr=stderr)
    assert "clauses/s" not in stderr.getvalue()


def test_segment_verb_writes_clauses_without_themes(folder, tmp_path):
    out = tmp_path / "segments.csv"
    result = invoke(
        "segment", str(folder / "res70.txt"), str(folder / "draft.docx"), "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == [
        "doc_id", "path", "page", "clause_id", "start", "end", "text", "function",
        "section", "section_title", "part", "change",
    ]  # fmt: skip
    assert table.function.tolist()[-2:] == ["resolves", "resolves"]
    stdout = invoke("segment", str(folder / "res70.txt")).stdout
    assert stdout.splitlines()[0].split() == ["clause_id", "page", "function", "text"]


def test_verbs_are_listed_in_help():
    help_text = invoke("--help").stdout
    assert "classify" in help_text and "segment" in help_text
