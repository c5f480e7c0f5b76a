"""The benchmark scripts run, at a tiny size, and print every figure they promise.

Speed itself is never asserted here (a shared CI machine says nothing about
itunlp's speed); the full-size figures come from running the scripts by hand,
as ``benchmarks/README.md`` says. These tests prove the scripts still work as
the modules they measure change.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(script: str, *args: str, timeout: float = 600) -> str:
    """Run a benchmark script; fail with its output when it exits non-zero."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,  # a hang guard for the whole script, not a speed check
        env=env,
    )
    assert result.returncode == 0, (
        f"{script} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def _assert_header(output: str) -> None:
    for label in ("machine", "versions", "date"):
        assert re.search(rf"^{label}: \S", output, re.M), f"no '{label}:' line in\n{output}"


def test_corpus_generator_writes_varied_documents(tmp_path: Path) -> None:
    output = _run("corpus.py", "--size-mb", "0.05", "-o", str(tmp_path / "c"))
    files = sorted((tmp_path / "c").glob("*.txt"))
    assert files and f"wrote {len(files)} files" in output
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert sum(len(t.encode("utf-8")) for t in texts) >= 50_000
    assert len(set(texts)) == len(texts), "generated documents must not repeat"


@pytest.mark.slow
def test_throughput_benchmark_prints_every_figure(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    output = _run(
        "bench_throughput.py",
        "--size-mb", "0.03",
        "--budget-s", "5",
        "--folds", "2",
        "--textcat-epochs", "1",
        "--train-sample", "150",
        "--long-docs", "2",
        "--markdown", str(results),
    )  # fmt: skip
    _assert_header(output)
    assert re.search(r"^corpus: [\d.]+ MB, \d+ documents, [\d,]+ words", output, re.M)
    for method in (
        "spaCy tokenizer (baseline)",
        "spaCy sentencizer",
        "pySBD",
        "itunlp.segment",
        "itunlp model.classify",
        "spaCy textcat_multilabel",
    ):
        assert re.search(rf"^{re.escape(method)}\s+[\d,]+\s+[\d.]+x", output, re.M), method
    verdict = r"(MET|NOT MET)$"
    for target in (
        r"classify >= 100,000 words/s \(issue 13\): [\d,]+ ",
        r"classify >= 0.5x tokenizer \(issue 13\): [\d.]+x ",
        r"classify >= 0.25x tokenizer \(issue 8\): [\d.]+x ",
        r"classify >= 10x pySBD \(issue 8\): [\d.]+x ",
        r"classify >= 0.5x tokenizer on long documents \(issue 13\): [\d.]+x ",
        r"`itunlp classify itu-pp22-dispatch.txt` <= 2 s wall .*: [\d.]+ s ",
    ):
        assert re.search(rf"^target {target}{verdict}", output, re.M), target
    assert re.search(r"^long whole documents: 2 variants", output, re.M)
    for tagger in ("itunlp ThemeClassifier", "spaCy textcat_multilabel", "TF-IDF \\+ LR"):
        assert re.search(rf"^{tagger}.*\s0\.\d{{3}}\s+0\.\d{{3}}", output, re.M), tagger
    markdown = results.read_text(encoding="utf-8")
    assert "<!-- begin bench_throughput -->" in markdown
    assert "| itunlp model.classify |" in markdown


@pytest.mark.slow
def test_throughput_profile_prints_the_stages(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    output = _run(
        "bench_throughput.py", "--profile", "--size-mb", "0.03", "--profile-label", "now",
        "--markdown", str(results),
    )  # fmt: skip
    for stage in (
        "segmentation",
        "terms and traps",
        "n-gram features",
        "prediction",
        "table building and the rest",
        "total model.classify",
    ):
        assert re.search(rf"^{stage}\s+[\d.]+\s+\d+%", output, re.M), stage
    assert "<!-- begin bench_throughput_profile_now -->" in results.read_text(encoding="utf-8")


@pytest.mark.slow
def test_scaling_benchmark_prints_every_figure(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    results.write_text(
        "# kept\n\n<!-- begin bench_throughput -->\nold\n<!-- end bench_throughput -->\n"
    )
    output = _run("bench_scaling.py", "--size-mb", "0.01", "--markdown", str(results))
    _assert_header(output)
    runs = ("1x --jobs 1", "4x --jobs 1", "16x --jobs 1", "16x --jobs 2", "16x --engine dask")
    for run in (*runs, "16x --jobs 1 (again)"):
        assert re.search(rf"^{re.escape(run)}.*\s0$", output, re.M), f"{run} row with exit 0"
    assert re.search(r"^memory 16x/1x \(peak RSS, --jobs 1\): [\d.]+x", output, re.M)
    assert re.search(r"^speed-up --jobs 2 vs --jobs 1 .*: [\d.]+x", output, re.M)
    assert re.search(r"^speed-up --engine dask \(2 workers\) vs --jobs 1", output, re.M)
    markdown = results.read_text(encoding="utf-8")
    assert "<!-- begin bench_scaling -->" in markdown
    assert "old" in markdown, "the other script's section must be left alone"
