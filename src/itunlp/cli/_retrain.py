"""The retraining loop's verbs: ``suggest``, ``compare`` and ``agreement``.

``itunlp train`` (in the classifier's verbs) closes the loop: it reads the files
``suggest`` writes once a person has edited them. Each verb here is a thin click
command over a ``run_*`` worker that the tests call directly.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from pathlib import Path

import click
import pandas as pd

from itunlp.cli import _options as options
from itunlp.cli._group import load_model_option, main
from itunlp.labels.corpus import LabelError

_FORMATS = ("csv", "label-studio")


def _number(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3f}"
    return str(value)


def format_scores(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    """A score table as fixed-width text: three decimals, blank where undefined."""
    shown = frame[list(columns)].copy()
    for column in columns:
        shown[column] = shown[column].map(_number)
    return shown.to_string(index=False)


def _already_labelled(exclude: Sequence[Path], scheme: object) -> list[str]:
    """Texts already labelled: the shipped corpus and any --exclude label files."""
    from itunlp.labels.corpus import load_shipped_corpus, read_labels

    texts: list[str] = []
    # Read with the shipped scheme: only the texts matter here, and a model's own scheme
    # may have retired a theme the shipped labels use.
    with contextlib.suppress(FileNotFoundError):
        texts += load_shipped_corpus()["text"].tolist()
    if exclude:
        try:
            texts += read_labels(list(exclude), scheme=scheme)["text"].tolist()
        except LabelError as error:
            raise click.ClickException(str(error)) from None
    return texts


def _report_failure(path: str, reason: str) -> None:
    # A bad file among many should not stop the round; say which and carry on.
    click.echo(f"skipped {path}: {reason}", err=True)


def run_suggest(
    paths: Sequence[str],
    n: int,
    out: Path,
    *,
    model_dir: Path | None = None,
    theme: str | None = None,
    fmt: str | None = None,
    recursive: bool = False,
    seed: int = 0,
    exclude: Sequence[Path] = (),
) -> tuple[pd.DataFrame, list[Path]]:
    """Classify the inputs, pick ``n`` clauses to label and write them; the worker of ``suggest``.

    Returns
    -------
    (pandas.DataFrame, list of Path)
        The suggestions and the files written.
    """
    from itunlp.labels.suggest import suggest, write_suggestions

    model = load_model_option(model_dir)
    texts = _already_labelled(exclude, model.scheme)
    try:
        frame = suggest(
            model,
            list(paths),
            n,
            theme=theme,
            seed=seed,
            exclude=texts,
            recursive=recursive,
            on_error=_report_failure,
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if frame.empty:
        raise click.ClickException(
            "No clause to suggest: the inputs hold no clause that is not already labelled"
        )
    themes = [model.scheme[t] for t in model.themes]
    written = write_suggestions(frame, out, fmt=fmt, themes=themes)
    return frame, written


@main.command("suggest")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-n",
    "n",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="How many clauses to suggest.",
)
@options.output(
    "File to write: .csv to edit in a spreadsheet, .json for Label Studio.", required=True
)
@options.model()
@click.option("--theme", help="Focus on one theme: clauses closest to its threshold.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    help="Output format (default: from the extension, .json -> label-studio).",
)
@options.recursive()
@click.option("--seed", type=int, default=0, show_default=True, help="Breaks ties reproducibly.")
@click.option(
    "--exclude",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Label file(s) from earlier rounds: their clauses are skipped. "
    "The shipped corpus is always skipped.",
)
def suggest_command(
    paths: tuple[str, ...],
    n: int,
    out: Path,
    model_dir: Path | None,
    theme: str | None,
    fmt: str | None,
    recursive: bool,
    seed: int,
    exclude: tuple[Path, ...],
) -> None:
    """Pick the N clauses of PATH... whose labels would help the model most.

    Clauses whose scores sit closest to a theme's threshold are picked, themes
    taking turns, near-duplicates dropped. Each row is pre-filled with the
    model's guess: fix the `themes` column (ids separated by `;`, empty for none),
    keep `text`, `start` and `end` as they are, then retrain with
    `itunlp train OUT -o models/NEW`.
    """
    frame, written = run_suggest(
        paths,
        n,
        out,
        model_dir=model_dir,
        theme=theme,
        fmt=fmt,
        recursive=recursive,
        seed=seed,
        exclude=exclude,
    )
    per_theme = frame["focus_theme"].value_counts().reindex(frame["focus_theme"].unique())
    click.echo(
        f"Wrote {len(frame)} clauses to label to {', '.join(map(str, written))} "
        f"({', '.join(f'{t}: {c}' for t, c in per_theme.items())})."
    )


def run_compare(
    model_a: Path,
    model_b: Path,
    *,
    labels: Sequence[Path] = (),
    out: Path | None = None,
    folds: int = 5,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare two model folders; the worker of ``compare``.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Per-theme scores and disagreements, as :func:`itunlp.evaluation.comparison.compare_models`.
    """
    from itunlp.evaluation.comparison import compare_models
    from itunlp.run.outputs import write_table

    first, second = load_model_option(model_a), load_model_option(model_b)
    try:
        # Paths, not a frame: compare checks their offsets and spots training files by hash.
        per_theme, disagreements = compare_models(
            first, second, list(labels) or None, folds=folds, seed=seed
        )
    except (LabelError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    if out is not None:
        write_table(per_theme, out)
        write_table(disagreements, _disagreements_path(out))
    return per_theme, disagreements


def _disagreements_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.disagreements{out.suffix}")


def run_adaptation(
    sources: Sequence[str] = (), *, seed: int = 0, swap: bool = True, n_jobs: int = 1
) -> pd.DataFrame:
    """The adaptation benchmark; the worker of ``compare --adaptation``.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`itunlp.training.adaptation_benchmark`.
    """
    from itunlp.training import adaptation_benchmark

    try:
        return adaptation_benchmark(list(sources) or None, seed=seed, swap=swap, n_jobs=n_jobs)
    except (LabelError, ValueError) as error:
        raise click.ClickException(str(error)) from None


def format_adaptation(table: pd.DataFrame) -> str:
    """The adaptation table (one line per source and labelled half) and its averages."""
    columns = [
        "source", "labelled_half", "clauses_labelled", "clauses_scored",
        "f1_unchanged", "f1_plain", "f1_adapted", "gain_plain", "gain", "chosen_weight",
    ]  # fmt: skip
    lines = [
        "Adaptation: each source held out; its documents in two halves. The model that never "
        "saw the source (unchanged) scores one half; then the other half's labels are added "
        "as a user's labels (itunlp train LABELS): plain (weight 1) and adapted (weight "
        "chosen by grouped CV on the user's documents). Micro-F1 on the scored half.",
        format_scores(table, columns),
        f"Mean gain over sources: adapted {table.attrs.get('mean_gain', math.nan):+.3f} "
        f"(spread across sources {table.attrs.get('gain_std', math.nan):.3f}), "
        f"plain {table.attrs.get('mean_gain_plain', math.nan):+.3f}",
    ]
    return "\n".join(lines)


@main.command("compare")
@click.argument("model_a", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.argument("model_b", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Held-out labelled clauses to score both models on "
    "(default: the same cross-validation folds).",
)
@options.output(
    "Write the per-theme table here (.csv/.jsonl) and the disagreements "
    "beside it as NAME.disagreements.csv."
)
@click.option(
    "--folds",
    type=click.IntRange(min=2),
    default=5,
    show_default=True,
    help="Cross-validation folds (without --labels).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the folds.")
@click.option(
    "--adaptation",
    is_flag=True,
    help="Also (or, without models, only) run the adaptation benchmark: does adding a "
    "user's labels from half of a source's documents improve the other half?",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="With --adaptation: the sources to hold out (default: each writer of "
    "data/documents and dev).",
)
@click.option(
    "--one-way", is_flag=True, help="With --adaptation: label one half only (half the time)."
)
@options.jobs("Worker processes for --adaptation (-1: all cores).", default=1)
def compare_command(
    model_a: Path | None,
    model_b: Path | None,
    labels: tuple[Path, ...],
    out: Path | None,
    folds: int,
    seed: int,
    adaptation: bool,
    sources: tuple[str, ...],
    one_way: bool,
    jobs: int,
) -> None:
    """Per-theme F1 of MODEL_A and MODEL_B on the same clauses, and where they disagree.

    With --labels both models predict those clauses; without, each model's
    configuration is retrained on the same folds of the shipped corpus plus the
    label files each was trained on (slower: two trainings per fold).

    With --adaptation, the adaptation benchmark: for each held-out source, does
    retraining with the labels of half its documents improve the other half?
    (MODEL_A and MODEL_B may then be left out.)
    """
    if model_a is None or model_b is None:
        if not adaptation or model_a is not None:
            raise click.UsageError("give MODEL_A and MODEL_B, or --adaptation alone")
        click.echo(format_adaptation(run_adaptation(sources, seed=seed, swap=not one_way,
                                                    n_jobs=jobs)))  # fmt: skip
        return
    per_theme, disagreements = run_compare(
        model_a, model_b, labels=labels, out=out, folds=folds, seed=seed
    )
    click.echo(f"A = {model_a}, B = {model_b}; {per_theme.attrs['evaluation']}")
    columns = ["theme", "support", "f1_a", "f1_b", "f1_change"]
    if per_theme["f1_change_sd"].notna().any():
        columns.append("f1_change_sd")
    click.echo(format_scores(per_theme, [*columns, "note"]))
    click.echo(
        f"{len(disagreements)} clause(s) tagged differently by A and B"
        + (f": {_disagreements_path(out)}" if out is not None else ".")
    )
    if adaptation:
        click.echo("")
        click.echo(format_adaptation(run_adaptation(sources, seed=seed, swap=not one_way,
                                                    n_jobs=jobs)))  # fmt: skip


def run_agreement(
    labels_a: Path,
    labels_b: Path,
    *,
    out: Path | None = None,
    themes_file: Path | None = None,
) -> pd.DataFrame:
    """Agreement between two annotators' label files; the worker of ``agreement``.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`itunlp.labels.agreement.agreement`.
    """
    from itunlp.labels.agreement import agreement
    from itunlp.labels.corpus import read_labels
    from itunlp.run.outputs import write_table
    from itunlp.themes.scheme import load_themes

    try:
        scheme = load_themes(themes_file)
        a = read_labels(labels_a, scheme=scheme)
        b = read_labels(labels_b, scheme=scheme)
        table = agreement(a, b, themes=scheme.ids)
    except (LabelError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    if out is not None:
        write_table(table, out)
    return table


@main.command("agreement")
@click.argument("labels_a", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("labels_b", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@options.output("Write the table here (.csv/.jsonl).")
@click.option(
    "--themes",
    "themes_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Theme scheme file (default: the shipped one).",
)
def agreement_command(
    labels_a: Path, labels_b: Path, out: Path | None, themes_file: Path | None
) -> None:
    """Per-theme Cohen's kappa and F1 between two annotators' labels of the same clauses.

    LABELS_A is the reference (F1 is B's against A). Clauses are matched by
    clause_id when both files have it, else by their text.
    """
    table = run_agreement(labels_a, labels_b, out=out, themes_file=themes_file)
    first = table.iloc[-1]
    click.echo(
        f"{first['matched']} clauses labelled by both (matched by {first['matched_by']}); "
        f"{first['only_in_a']} only in A, {first['only_in_b']} only in B"
    )
    click.echo(format_scores(table, ["theme", "kappa", "f1", "positives_a", "positives_b"]))
