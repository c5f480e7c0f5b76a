"""``itunlp classify`` and ``itunlp segment``: a folder of documents in, a clause table out.

Both verbs are thin over :func:`run_batch`, which tests call directly: it reads,
segments, classifies and writes chunk by chunk (:func:`itunlp.run.batch.stream_clauses`),
so a corpus of any size runs in flat memory. Documents that fail are reported on
stderr with path and reason, listed in ``OUT.errors.csv`` and skipped. Exit status:
0 all documents done, 1 some failed, 2 usage error (bad option, unknown output
extension, model folder missing), checked before any document is read.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import click

from itunlp.cli import _options as options
from itunlp.cli._group import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    UsageProblem,
    load_model_option,
    main,
)

__all__ = ["BatchRun", "run_batch"]


@dataclass
class BatchRun:
    """What :func:`run_batch` did."""

    status: int
    clauses: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    out: Path | None = None
    errors: Path | None = None
    summary: Path | None = None


class _Usage(Exception):
    """A problem with the command line itself (exit status 2)."""


def _check_output(path: Path, what: str) -> None:
    from itunlp.run.outputs import OutputFormatError, check_output

    try:
        check_output(path)
    except (OutputFormatError, ImportError, FileNotFoundError) as error:
        raise _Usage(f"{what}: {error}") from None


@contextlib.contextmanager
def _exit_on_sigterm() -> Any:
    """Turn SIGTERM into SystemExit, so that a killed run discards its temporary output."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _load_model(model_dir: Path | None) -> Any:
    if model_dir is not None and not model_dir.is_dir():
        raise _Usage(f"--model: no model folder at {model_dir}")
    try:
        return load_model_option(model_dir)
    except UsageProblem as problem:
        raise _Usage(problem.message) from None


def _inputs(paths: tuple[str, ...] | list[str], stdin: Any) -> list[Any]:
    """Command-line arguments are always paths (never texts); ``-`` is stdin."""
    from itunlp.documents import Document, DocumentError, decode_text

    inputs: list[Any] = []
    for arg in paths:
        if arg != "-":
            inputs.append(Path(arg))
            continue
        data = stdin.read()
        try:
            inputs.append(Document("stdin", "-", decode_text(data, "-"), [], "txt"))
        except DocumentError as error:
            # Passed on as a path that cannot be read, so it is reported like any other.
            inputs.append(_StdinFailure(error.reason))
    return inputs


@dataclass(frozen=True)
class _StdinFailure:
    reason: str


def run_batch(
    paths: tuple[str, ...] | list[str],
    *,
    out: Path | None = None,
    segment_only: bool = False,
    model_dir: Path | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    recursive: bool = False,
    explain: bool = False,
    summary_out: Path | None = None,
    quiet: bool = False,
    stdin: Any = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> BatchRun:
    """Classify (or only segment) ``paths`` and write the clause table; the verbs' worker.

    Parameters
    ----------
    paths : sequence of str
        Files, folders, glob patterns, or ``-`` for text on stdin.
    out : Path, optional
        ``.csv``, ``.jsonl`` or ``.parquet``; without it a readable table goes to
        ``stdout``. Failures go to ``OUT.errors.csv`` (written even when empty).
    segment_only : bool
        ``itunlp segment``: clauses without themes; no model is loaded.
    model_dir : Path, optional
        A model folder; the shipped default when None.
    jobs, engine, scheduler, recursive, explain
        As :func:`itunlp.run.batch.classify_documents` (``jobs`` is ``n_jobs``).
    summary_out : Path, optional
        Also write :func:`itunlp.summarize`'s table there.
    quiet : bool
        No progress bar and no closing note; errors are still reported.
    stdin, stdout, stderr : streams, optional
        Default to the process's (stdin binary).

    Returns
    -------
    BatchRun
        ``status`` is the exit status: 0, 1 (some documents failed) or 2 (usage).
    """
    from itunlp.run.batch import clause_columns, stream_clauses
    from itunlp.run.outputs import TablePrinter, TableWriter, errors_path, write_errors, write_table
    from itunlp.run.progress import Progress
    from itunlp.views.summary import SummaryAccumulator

    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    stdin = stdin if stdin is not None else getattr(sys.stdin, "buffer", sys.stdin)
    try:
        if jobs == 0:
            raise _Usage("--jobs must be a positive number of processes, or -1 for all cores")
        if scheduler is not None and engine != "dask":
            raise _Usage("--scheduler needs --engine dask")
        if engine == "dask":
            try:
                import distributed  # noqa: F401
            except ImportError:
                raise _Usage(
                    "--engine dask needs the 'dask' extra: pip install 'itunlp[dask]'"
                ) from None
        if out is not None:
            _check_output(out, "-o")
        if summary_out is not None:
            _check_output(summary_out, "--summary")
        model = None if segment_only else _load_model(model_dir)
    except _Usage as problem:
        print(f"itunlp: error: {problem}", file=stderr)
        return BatchRun(EXIT_USAGE)

    themes = None if model is None else list(model.themes)
    columns = clause_columns(themes, explain)
    failures: list[tuple[str, str]] = []
    bar = Progress(0, enabled=False if quiet else None, stream=stderr)

    def report(path: str, reason: str) -> None:
        failures.append((str(path), str(reason)))
        bar.message(f"itunlp: skipped {path}: {reason}")

    inputs = []
    for item in _inputs(paths, stdin):
        if isinstance(item, _StdinFailure):
            report("-", item.reason)
        else:
            inputs.append(item)
    summary = SummaryAccumulator(themes) if summary_out is not None else None
    sink: Any = TableWriter(out, columns) if out is not None else None
    printer = TablePrinter(stdout, columns) if out is None else None
    clauses = 0
    try:
        with bar, sink if sink is not None else contextlib.nullcontext():
            for chunk in stream_clauses(
                model,
                inputs,
                n_jobs=jobs,
                engine=engine,
                scheduler=scheduler,
                recursive=recursive,
                explain=explain,
                progress=bar,
                on_error=report,
            ):
                if sink is not None:
                    sink.write(chunk)
                else:
                    printer.write(chunk)  # type: ignore[union-attr]
                if summary is not None:
                    summary.add(chunk)
                clauses += len(chunk)
    except OSError as error:  # e.g. a Dask scheduler that cannot be reached
        print(f"itunlp: error: {error}", file=stderr)
        return BatchRun(EXIT_USAGE, clauses, failures)
    run = BatchRun(EXIT_SOME_FAILED if failures else EXIT_OK, clauses, failures, out)
    if out is not None:
        run.errors = write_errors(failures, errors_path(out))
    if summary is not None and summary_out is not None:
        run.summary = write_table(summary.result(), summary_out)
    if not quiet:
        where = f" to {out}" if out is not None else ""
        note = f"itunlp: {clauses} clauses{where}"
        if failures:
            note += f"; {len(failures)} document(s) skipped"
            note += f" (listed in {run.errors})" if run.errors else ""
        print(note, file=stderr)
    return run


_OUT_HELP = "Write the clause table here (.csv, .jsonl or .parquet); default: a table on stdout."


@main.command("classify")
@click.argument("paths", nargs=-1, required=True)
@options.output(_OUT_HELP)
@options.model(folder=False)
@options.jobs("Processes (-1: all cores).", default=1)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Run here or on a Dask cluster.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster for the run).",
)
@options.recursive()
@click.option("--explain", is_flag=True, help="Add the top terms behind each predicted theme.")
@click.option(
    "--summary",
    "summary_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write clauses per theme and operative/preamble counts per document.",
)
@options.quiet()
def classify_command(
    paths: tuple[str, ...],
    out: Path | None,
    model_dir: Path | None,
    jobs: int,
    engine: str,
    scheduler: str | None,
    recursive: bool,
    explain: bool,
    summary_out: Path | None,
    quiet: bool,
) -> None:
    """Cut documents into clauses and tag each clause with themes.

    PATHS are files (.txt .md .pdf .docx .html), folders, glob patterns, or -
    for text on stdin. Documents that cannot be read are reported, listed in
    OUT.errors.csv and skipped. Exit status: 0 all done, 1 some documents
    failed, 2 usage error.
    """
    with _exit_on_sigterm():
        run = run_batch(
            paths,
            out=out,
            model_dir=model_dir,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            recursive=recursive,
            explain=explain,
            summary_out=summary_out,
            quiet=quiet,
        )
    sys.exit(run.status)


@main.command("segment")
@click.argument("paths", nargs=-1, required=True)
@options.output(_OUT_HELP)
@options.recursive()
@options.quiet()
def segment_command(paths: tuple[str, ...], out: Path | None, recursive: bool, quiet: bool) -> None:
    """Cut documents into clauses (the classify table without themes).

    PATHS and exit status as for `itunlp classify`.
    """
    with _exit_on_sigterm():
        run = run_batch(paths, out=out, segment_only=True, recursive=recursive, quiet=quiet)
    sys.exit(run.status)
