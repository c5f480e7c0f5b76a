"""``itunlp report`` and ``itunlp diff``: the files analysts open, not tables they read.

Both verbs are thin: ``report`` classifies with :mod:`itunlp.run.batch` (the same ingest,
errors and progress as ``itunlp classify``) and hands the table to
:func:`itunlp.views.report.write_report`; ``diff`` reads two files with
:func:`itunlp.documents.reading.read_document` and hands their texts to :func:`itunlp.diff`.
The workers :func:`run_report` and :func:`run_diff` are what tests call directly.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pandas as pd

from itunlp.cli import _options as options
from itunlp.cli._group import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    load_model_option,
    main,
)

if TYPE_CHECKING:  # pragma: no cover
    pass

_DIFF_FORMATS = (".html", ".htm", ".csv", ".jsonl", ".parquet")


@dataclass
class ReportRun:
    """What :func:`run_report` did: the file written, the table, and what failed."""

    path: Path
    table: pd.DataFrame
    failures: list[tuple[str, str]] = field(default_factory=list)


def run_report(
    paths: list[str],
    out: Path,
    *,
    model_dir: Path | None = None,
    recursive: bool = False,
    quiet: bool = False,
    title: str | None = None,
) -> ReportRun:
    """Classify ``paths`` and write the HTML report to ``out``; the worker behind the verb.

    Parameters
    ----------
    paths : list of str
        Files, folders or globs, as ``itunlp classify`` takes them.
    out : Path
        The ``.html`` file to write.
    model_dir : Path, optional
        A model folder; the shipped default when None.
    recursive : bool
        Descend into sub-folders of folder arguments.
    quiet : bool
        No progress bar (errors are still reported).
    title : str, optional
        The page title; names the inputs by default.

    Returns
    -------
    ReportRun
    """
    from itunlp.run.batch import classify_documents
    from itunlp.views.report import write_report

    model = load_model_option(model_dir)
    failures: list[tuple[str, str]] = []
    table = classify_documents(
        model,
        paths,
        explain=True,
        recursive=recursive,
        progress=False if quiet else None,
        on_error=lambda path, reason: failures.append((str(path), str(reason))),
    )
    title = title or "itunlp report: " + ", ".join(Path(p).name or p for p in paths[:3]) + (
        f" and {len(paths) - 3} more" if len(paths) > 3 else ""
    )
    written = write_report(table, out, title=title)  # re-reads the files to show them
    return ReportRun(written, table, failures)


def run_diff(
    old: Path, new: Path, *, out: Path | None = None, model_dir: Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Diff two files clause by clause and write the result; the worker behind the verb.

    Parameters
    ----------
    old, new : Path
        The two versions (any format :func:`itunlp.read_document` reads).
    out : Path, optional
        ``.html`` for the side-by-side view, ``.csv``/``.jsonl``/``.parquet`` for the
        table; nothing is written when None.
    model_dir : Path, optional
        A model folder; the shipped default when None.

    Returns
    -------
    tuple of pandas.DataFrame
        The diff table (:func:`itunlp.diff`) and its theme balance.
    """
    from itunlp.documents import read_document
    from itunlp.views.diffing import diff, theme_balance

    old_doc, new_doc = read_document(old), read_document(new)
    model = load_model_option(model_dir)
    table = diff(old_doc.text, new_doc.text, model, old_id=old_doc.doc_id, new_id=new_doc.doc_id)
    balance = theme_balance(table)
    if out is not None:
        if out.suffix.lower() in (".html", ".htm"):
            from itunlp.views.diff_report import write_diff_report

            write_diff_report(
                table,
                out,
                title=f"itunlp diff: {old.name} -> {new.name}",
                old_label=old.name,
                new_label=new.name,
            )
        else:
            from itunlp.run.outputs import write_table

            write_table(table, out)
    return table, balance


def _check_out(out: Path, allowed: tuple[str, ...], option: str = "-o/--output") -> None:
    if out.suffix.lower() not in allowed:
        raise click.UsageError(
            f"cannot write {str(out)!r}: {option} must end in {', '.join(allowed)}"
        )
    if not out.resolve().parent.is_dir():
        raise click.UsageError(f"cannot write {str(out)!r}: folder {out.parent} does not exist")


@main.command("report")
@click.argument("paths", nargs=-1, required=True)
@options.output("The .html file to write.", required=True)
@options.model(exists=True)
@options.recursive()
@options.quiet()
@click.option("--title", default=None, help="Page title (default: names the inputs).")
def report_command(
    paths: tuple[str, ...],
    out: Path,
    model_dir: Path | None,
    recursive: bool,
    quiet: bool,
    title: str | None,
) -> None:
    """Classify PATH... and write one self-contained HTML report.

    The report opens offline in any browser: each document's text with its clauses
    underlined in their themes' colours, filters by theme and by function
    (preamble, operative, prose), theme profiles and a documents x themes heatmap.
    Click a clause for its scores and the terms behind them.

    Exit status: 0 all documents read, 1 some could not be read (listed on stderr),
    2 usage error.
    """
    _check_out(out, (".html", ".htm"))
    run = run_report(
        list(paths), out, model_dir=model_dir, recursive=recursive, quiet=quiet, title=title
    )
    for path, reason in run.failures:
        click.echo(f"itunlp: skipped {path}: {reason}", err=True)
    if run.table.empty and run.failures:
        click.echo("itunlp: no document could be read; the report is empty", err=True)
    docs = run.table["doc_id"].nunique() if "doc_id" in run.table.columns else 0
    if not quiet:
        click.echo(f"Wrote {run.path} ({docs} documents, {len(run.table)} clauses)", err=True)
    sys.exit(EXIT_SOME_FAILED if run.failures else EXIT_OK)


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options.output("diff.html (side-by-side view) or diff.csv / .jsonl / .parquet (the table).")
@options.model(exists=True)
def diff_command(old: Path, new: Path, out: Path | None, model_dir: Path | None) -> None:
    """Compare two versions of a text (OLD, NEW) clause by clause, with their themes.

    Items are matched on their wording, so re-lettered and renumbered items of a
    resolution count as kept. Prints, per theme, the clauses removed, added and
    changed ("gender: 3 clauses removed, 0 added"); -o writes the whole table.

    Exit status: 0 done, 2 usage error (including a file that cannot be read).
    """
    from itunlp.documents import DocumentError
    from itunlp.views.diffing import describe_balance

    if out is not None:
        _check_out(out, _DIFF_FORMATS)
    try:
        table, balance = run_diff(old, new, out=out, model_dir=model_dir)
    except DocumentError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    counts = table["change"].value_counts()
    click.echo(
        f"{old.name} -> {new.name}: "
        + ", ".join(f"{int(counts.get(c, 0))} {c}" for c in ("removed", "added", "changed", "kept"))
        + " clauses"
    )
    lines = describe_balance(balance)
    for line in lines or ["no theme lost or gained a clause"]:
        click.echo(f"  {line}")
    if out is not None:
        click.echo(f"Wrote {out}", err=True)
