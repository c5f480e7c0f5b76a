"""How ``itunlp classify`` scales: time and peak memory at 1x, 4x, 16x, and over cores.

Each run is the real command (``python -m itunlp classify FOLDER -o OUT.csv``) in
a fresh subprocess, so each peak memory figure belongs to that run alone:

* the main process's peak RSS comes from the kernel (``wait4``'s ``ru_maxrss``),
  exact however short the peak;
* the peak of the whole process tree (joblib or Dask workers included) is
  sampled with psutil every 20 ms.

Memory must stay flat as the corpus grows (the CLI streams: read, segment, tag
and write in chunks), so the script prints the 16x/1x ratio of peak RSS. The
speed-up of ``--jobs 2`` and of ``--engine dask`` on a local 2-worker cluster is
measured on the 16x corpus (>= 20 MB at the default size) against the mean of two
``--jobs 1`` runs, one before and one after them, so a change of load on a shared
machine cannot fake or hide a speed-up; each row also shows how many cores
other processes kept busy during the run (machine-wide busy CPU time minus the
run's own, over its wall time: 0.00 on an idle machine). Every process is
limited to one BLAS/OpenMP thread, so ``--jobs 1`` is one core.

Run ``python benchmarks/bench_scaling.py`` (1x = 1.5 MB, 16x = 24 MB) or
``--size-mb 0.02 --skip-dask`` for a smoke run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import CorpusGenerator  # a sibling script, not a package
from reporting import (
    fmt_ratio,
    header_lines,
    markdown_table,
    text_table,
    write_markdown_section,
)

PACKAGES = ("itunlp", "spacy", "scikit-learn", "joblib", "dask", "distributed", "psutil")
FACTORS = (1, 4, 16)
TARGET_MEMORY = 1.3
TARGET_JOBS = 1.6
SAMPLE_S = 0.02


@dataclass
class Run:
    """One ``itunlp classify`` run: its label, size, timing, memory and outcome."""

    label: str
    corpus_mb: float
    words: int
    wall_s: float
    cpu_s: float
    main_peak_mb: float
    tree_peak_mb: float
    exit_code: int
    others_cores: float

    @property
    def words_per_s(self) -> float:
        return self.words / self.wall_s if self.wall_s else float("nan")


def single_thread_env() -> dict[str, str]:
    """The environment for every run: one BLAS/OpenMP thread per process."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    return env


def build_corpora(root: Path, base_bytes: int, seed: int) -> dict[int, tuple[Path, int, int]]:
    """Folders at 1x, 4x and 16x, each a prefix of the next (hard links, not copies).

    Returns ``{factor: (folder, bytes, words)}``. One generator stream feeds all
    three, so the larger corpora contain the smaller ones plus new documents.
    """
    generator = CorpusGenerator(seed)
    largest = root / f"x{max(FACTORS)}"
    largest.mkdir(parents=True)
    written: list[tuple[Path, int, int]] = []
    total = 0
    for index, doc in enumerate(generator.documents(base_bytes * max(FACTORS))):
        path = largest / f"doc-{index:06d}.txt"
        path.write_text(doc, encoding="utf-8")
        size = path.stat().st_size
        total += size
        written.append((path, size, len(doc.split())))
    corpora = {max(FACTORS): (largest, total, sum(w for _, _, w in written))}
    for factor in FACTORS[:-1]:
        folder = root / f"x{factor}"
        folder.mkdir()
        size = words = 0
        for path, file_bytes, file_words in written:
            if size >= base_bytes * factor:
                break
            try:
                os.link(path, folder / path.name)
            except OSError:  # file systems without hard links
                shutil.copyfile(path, folder / path.name)
            size += file_bytes
            words += file_words
        corpora[factor] = (folder, size, words)
    return corpora


def _busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, all processes) so far."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _tree_rss(process: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    try:
        family = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in family:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue  # a worker that just exited
    return total


def run_classify(
    label: str, folder: Path, corpus_bytes: int, words: int, out_dir: Path, extra: Sequence[str]
) -> Run:
    """Run ``itunlp classify`` on ``folder`` in a fresh process; measure it."""
    out = out_dir / f"{label.replace(' ', '_').replace('-', '')}.csv"
    log = out_dir / f"{out.stem}.stderr"
    command = [sys.executable, "-m", "itunlp", "classify", str(folder), "-o", str(out), "-q"]
    busy_before = _busy_cpu_seconds()
    with log.open("wb") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(
            [*command, *extra], stdout=subprocess.DEVNULL, stderr=stderr, env=single_thread_env()
        )
        watched = psutil.Process(child.pid)
        tree_peak = 0
        while True:
            # wait4 (not Popen.wait) to get the child's own rusage: its exact peak RSS.
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            tree_peak = max(tree_peak, _tree_rss(watched))
            time.sleep(SAMPLE_S)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    main_peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    own_cpu = usage.ru_utime + usage.ru_stime  # the run and the workers it reaped
    others = max(_busy_cpu_seconds() - busy_before - own_cpu, 0.0) / wall
    if child.returncode != 0 or not out.is_file():
        tail = log.read_text(errors="replace")[-2000:]
        print(f"run {label!r} exited {child.returncode}:\n{tail}", file=sys.stderr)
    out.unlink(missing_ok=True)
    return Run(
        label,
        corpus_bytes / 1e6,
        words,
        wall,
        usage.ru_utime + usage.ru_stime,
        main_peak / 1e6,
        max(tree_peak, main_peak) / 1e6,
        child.returncode,
        others,
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size-mb", type=float, default=1.5, help="1x corpus size (default 1.5; 16x = 24 MB)"
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus generator seed")
    parser.add_argument("--skip-dask", action="store_true", help="no Dask engine run")
    parser.add_argument("--keep", type=Path, help="build the corpora here and keep them")
    parser.add_argument(
        "--markdown", type=Path, help="also write the table into this Markdown file"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    header = header_lines(PACKAGES)
    header.append(("load average before", " ".join(f"{x:.2f}" for x in os.getloadavg())))
    root = args.keep or Path(tempfile.mkdtemp(prefix="itunlp-scaling-"))
    try:
        corpora = build_corpora(root, int(args.size_mb * 1_000_000), args.seed)
        sizes = ", ".join(
            f"{f}x = {b / 1e6:.1f} MB / {len(list(p.iterdir())):,} files / {w:,} words"
            for f, (p, b, w) in sorted(corpora.items())
        )
        header.append(("corpora", f"{sizes} (generated from the project's texts)"))
        for label, value in header:
            print(f"{label}: {value}", flush=True)
        out_dir = root / "out"
        out_dir.mkdir(exist_ok=True)
        runs: list[Run] = []
        for factor in FACTORS:
            folder, size, words = corpora[factor]
            runs.append(run_classify(f"{factor}x --jobs 1", folder, size, words, out_dir, []))
            print(f"ran {runs[-1].label}: {runs[-1].wall_s:.1f} s", flush=True)
        big_folder, big_size, big_words = corpora[max(FACTORS)]
        big = f"{max(FACTORS)}x"
        parallel = [(f"{big} --jobs 2", ["--jobs", "2"])]
        if not args.skip_dask:
            parallel.append((f"{big} --engine dask (2 workers)", ["--engine", "dask", "-j", "2"]))
        # A second serial run after the parallel ones brackets them, so a change of
        # load on a shared machine during the parallel runs does not fake a speed-up.
        parallel.append((f"{big} --jobs 1 (again)", []))
        for label, extra in parallel:
            runs.append(run_classify(label, big_folder, big_size, big_words, out_dir, extra))
            print(f"ran {runs[-1].label}: {runs[-1].wall_s:.1f} s", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    one = runs[0]
    serial_runs = [runs[len(FACTORS) - 1], runs[-1]]
    serial_wall = sum(r.wall_s for r in serial_runs) / len(serial_runs)
    headers = [
        "run",
        "corpus MB",
        "wall s",
        "words/s",
        "CPU s",
        "peak RSS main MB",
        "peak RSS all MB",
        "RSS vs 1x",
        "speed-up",
        "others' CPU",
        "exit",
    ]
    rows = []
    for run in runs:
        speed_up = serial_wall / run.wall_s if run.label.startswith(big) and run.wall_s else None
        rows.append(
            [
                run.label,
                f"{run.corpus_mb:.1f}",
                f"{run.wall_s:.1f}",
                f"{run.words_per_s:,.0f}",
                f"{run.cpu_s:.1f}",
                f"{run.main_peak_mb:.0f}",
                f"{run.tree_peak_mb:.0f}",
                fmt_ratio(run.main_peak_mb / one.main_peak_mb),
                fmt_ratio(speed_up),
                f"{run.others_cores:.2f}",
                str(run.exit_code),
            ]
        )
    print("\nscaling of `itunlp classify` (fresh process per run):")
    print(text_table(headers, rows))

    memory_ratio = serial_runs[0].main_peak_mb / one.main_peak_mb
    lines = [
        f"memory 16x/1x (peak RSS, --jobs 1): {memory_ratio:.2f}x, target <= {TARGET_MEMORY}x: "
        f"{'MET' if memory_ratio <= TARGET_MEMORY else 'NOT MET'}"
    ]
    for run in runs[len(FACTORS) : -1]:
        gain = serial_wall / run.wall_s
        line = (
            f"speed-up {run.label.removeprefix(big + ' ')} vs --jobs 1 (mean of the runs "
            f"before and after) on {run.corpus_mb:.0f} MB: {gain:.2f}x"
        )
        if "--jobs 2" in run.label:  # issue 8 sets a target for --jobs only
            line += f", target >= {TARGET_JOBS}x: {'MET' if gain >= TARGET_JOBS else 'NOT MET'}"
        lines.append(line)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines.append(f"load average after: {load_after} on {os.cpu_count()} logical cores")
    failed = [run.label for run in runs if run.exit_code != 0]
    if failed:
        lines.append(f"FAILED runs: {', '.join(failed)}")
    for line in lines:
        print(line)

    if args.markdown:
        body = ["## Scaling (`bench_scaling.py`)", ""]
        body += [f"- {label}: {value}" for label, value in header]
        body += ["", markdown_table(headers, rows), ""]
        body += [f"- {line}" for line in lines]
        write_markdown_section(args.markdown, "bench_scaling", "\n".join(body))
        print(f"\nwrote {args.markdown}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
