"""``itunlp train`` and ``itunlp evaluate``: thin verbs over :mod:`itunlp.training`.

The verbs parse options and print; :func:`run_train`, :func:`run_evaluate` and
:func:`format_results` do the work and are what the tests call. Exit status 2 for
usage problems, including label files that do not validate (the message names the
file and row).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

from itunlp.cli import _options as options
from itunlp.cli._group import UsageProblem, load_model_option, main

__all__ = ["format_results", "format_training", "run_evaluate", "run_train"]

_TABLE_SUFFIXES = (".csv", ".tsv", ".json")


def _scheme(themes: Path | None) -> Any:
    if themes is None:
        return None
    from itunlp.themes.scheme import load_themes

    try:
        return load_themes(themes)
    except (FileNotFoundError, ValueError) as error:
        raise UsageProblem(f"--themes: {error}") from None


def run_train(
    labels: Sequence[Path],
    output: Path,
    *,
    no_seed: bool = False,
    themes: Path | None = None,
    name: str | None = None,
    cv_folds: int = 5,
    metrics: bool = True,
    metric_repeats: int = 1,
    command: str = "",
    n_jobs: int = 1,
) -> Any:
    """Train and write a model folder; the worker of ``itunlp train``.

    Returns
    -------
    ThemeModel

    Raises
    ------
    UsageProblem
        Bad labels, scheme or options (exit status 2).
    """
    from itunlp.labels.corpus import LabelError
    from itunlp.training import train

    if no_seed and not labels:
        raise UsageProblem("--no-seed needs label files: there is nothing else to train on")
    scheme = _scheme(themes)
    try:
        return train(
            list(labels) or None,
            no_seed=no_seed,
            scheme=scheme,
            name=name or output.name,
            output=output,
            cv_folds=cv_folds,
            metrics=metrics,
            metric_repeats=metric_repeats,
            command=command,
            n_jobs=n_jobs,
        )
    except LabelError as error:
        raise UsageProblem(f"invalid labels: {error}") from None
    except FileNotFoundError as error:
        raise UsageProblem(str(error)) from None
    except ValueError as error:
        raise UsageProblem(str(error)) from None


def format_training(model: Any) -> str:
    """What was trained: clauses per theme, thresholds, fallbacks, time, CV scores."""
    meta = model.meta
    data = meta.get("training_data", {})
    counts = data.get("clauses_per_theme", {})
    lines = [
        f"Model {meta.get('name')!r} written to {model.path}",
        f"  {data.get('n_clauses', '?')} labelled clauses "
        f"({', '.join(f'{k} {v}' for k, v in data.get('clauses_per_source', {}).items())}), "
        f"{data.get('n_without_theme', '?')} without a theme",
    ]
    frame = pd.DataFrame(
        {
            "theme": model.themes,
            "clauses": [counts.get(t, 0) for t in model.themes],
            "threshold": [round(model.thresholds[t], 3) for t in model.themes],
        }
    )
    metrics = meta.get("metrics", {})
    grouped = metrics.get("grouped_cv", {}).get("model", {})
    cv = metrics.get("cv", {}).get("model", {})
    if grouped:
        frame["f1_by_document"] = [grouped.get(t, {}).get("f1") for t in model.themes]
    if cv:
        frame["cv_f1"] = [cv.get(t, {}).get("f1") for t in model.themes]
    lines.append(_indent(frame.to_string(index=False)))
    prior = meta.get("too_few_positives", [])
    if prior:
        lines.append(f"  Too few labels to learn (term-list prior): {', '.join(prior)}")
    if grouped:
        lines.append(
            "  Cross-validated by document (new documents): "
            f"micro-F1 {grouped['micro']['f1']:.3f} +/- {grouped['micro']['f1_std']:.3f}, "
            f"macro-F1 {grouped['macro']['f1']:.3f} +/- {grouped['macro']['f1_std']:.3f}"
        )
    if cv:
        lines.append(
            f"  Cross-validated micro-F1 {cv['micro']['f1']:.3f}, macro-F1 {cv['macro']['f1']:.3f}"
            + (" (random folds over clauses)" if grouped else "")
        )
    adaptation = meta.get("user_adaptation") or {}
    if adaptation:
        lines.append(
            f"  Your labels: {adaptation.get('user_clauses')} clauses in "
            f"{adaptation.get('user_documents')} document(s), weight "
            f"{adaptation.get('chosen_weight')} ({adaptation.get('how')}"
            + (f": {adaptation['scores']}" if adaptation.get("scores") else "")
            + ")"
        )
    seconds = meta.get("training_seconds", {})
    lines.append(
        f"  Training time: classifier {seconds.get('classifier', 0):.1f} s, "
        f"total with metrics {seconds.get('total_with_metrics', 0):.1f} s"
    )
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def run_evaluate(
    labels: Sequence[Path],
    *,
    model_dir: Path | None = None,
    no_seed: bool = False,
    folds: int = 5,
    repeats: int = 2,
    cross_source: bool = True,
    baselines: bool = True,
    out: Path | None = None,
    n_jobs: int = 1,
    learning: bool = True,
    random_folds: bool = True,
) -> pd.DataFrame:
    """Cross-validate a model configuration; the worker of ``itunlp evaluate``.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`itunlp.training.evaluate`, also written to ``out``.

    Raises
    ------
    UsageProblem
        Bad labels, model folder, output file or options (exit status 2).
    """
    from itunlp.labels.corpus import LabelError
    from itunlp.training import evaluate

    if out is not None and out.suffix.lower() not in _TABLE_SUFFIXES:
        raise UsageProblem(
            f"-o {out}: unsupported table type '{out.suffix}'; use {', '.join(_TABLE_SUFFIXES)}"
        )
    if no_seed and not labels:
        raise UsageProblem("--no-seed needs label files: there is nothing else to evaluate on")
    model: Any = None
    if model_dir is not None:
        model = load_model_option(model_dir)
    try:
        table = evaluate(
            model,
            list(labels) or None,
            no_seed=no_seed,
            folds=folds,
            repeats=repeats,
            cross_source=cross_source,
            baselines=baselines,
            n_jobs=n_jobs,
            learning=learning,
            random_folds=random_folds,
        )
    except LabelError as error:
        raise UsageProblem(f"invalid labels: {error}") from None
    except (FileNotFoundError, ValueError) as error:
        raise UsageProblem(str(error)) from None
    if out is not None:
        suffix = out.suffix.lower()
        if suffix == ".json":
            table.to_json(out, orient="records", indent=1)
        else:
            table.to_csv(out, index=False, sep="\t" if suffix == ".tsv" else ",")
    return table


def _number(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{value:.3f}"


def _theme_block(group: pd.DataFrame) -> str:
    """Per theme: precision, recall, F1 +/- its fold spread, support, baselines, note."""
    model = group[group["method"] == "model"].set_index("theme")
    shown = pd.DataFrame(
        {
            "precision": model["precision"].map(_number),
            "recall": model["recall"].map(_number),
            "F1": model["f1"].map(_number),
            "+/-": model["f1_std"].map(_number) if model["n_folds"].max() > 1 else "",
            "support": model["support"],
        }
    )
    for method in group["method"].unique():
        if method == "model":
            continue
        other = group[group["method"] == method].set_index("theme")["f1"]
        shown[f"F1 {method}"] = other.reindex(shown.index).map(_number)
    shown["note"] = model["note"].fillna("")
    return shown.reset_index().to_string(index=False)


def _summary_block(table: pd.DataFrame, column: str, name: str) -> str:
    """One line per ``column`` value: the model's micro and macro F1 (+/- spread), baselines."""
    rows = []
    for value, group in table.groupby(column, sort=False):
        model = group[group["method"] == "model"].set_index("theme")
        row = {name: value}
        for average in ("micro", "macro"):
            row[f"{average} F1"] = _number(model.at[average, "f1"])
            if model["n_folds"].max() > 1:
                row[f"{average} +/-"] = _number(model.at[average, "f1_std"])
        if column == "test":  # positive labels in the held-out source (all themes)
            row["labels"] = int(model.at["micro", "support"])
        weakest = model.drop(index=["micro", "macro"])["f1"].dropna()
        if len(weakest):
            row["weakest theme"] = f"{weakest.idxmin()} {weakest.min():.3f}"
        for method in group["method"].unique():
            if method != "model":
                other = group[(group["method"] == method) & (group["theme"] == "micro")]
                row[f"micro {method}"] = _number(other["f1"].iloc[0])
        rows.append(row)
    return pd.DataFrame(rows).to_string(index=False)


def format_results(table: pd.DataFrame) -> str:
    """The :func:`itunlp.training.evaluate` table as readable blocks, headline first.

    ``grouped-cv`` and ``cv``: per theme, the model's precision, recall, F1 with its
    spread across folds and support, then the baselines' F1 on the same folds, then
    any note. ``leave-one-source-out``: one line per source; ``learning-curve``: one
    line per share of the training documents. Any other setting: per theme.
    """
    blocks = []
    for setting, rows in table.groupby("setting", sort=False):
        first = rows.iloc[0]
        folds = int(rows["n_folds"].max())
        if setting == "grouped-cv":
            blocks.append(
                f"HEADLINE: cross-validation by document, {first['test']}, {folds} folds "
                "(no clause of a test document in training; what to expect on new documents)\n"
                + _theme_block(rows)
            )
        elif setting == "cv":
            blocks.append(
                f"Cross-validation over randomly assigned clauses ({first['test']}, "
                f"{folds} folds; clauses of one document on both sides, so higher)\n"
                + _theme_block(rows)
            )
        elif setting == "leave-one-source-out":
            blocks.append(
                "Leave one source out (train on all other sources, test on this one)\n"
                + _summary_block(rows, "test", "source")
            )
        elif setting == "learning-curve":
            blocks.append(
                f"Learning curve ({first['test']}: share of each training part's documents)\n"
                + _summary_block(rows, "train", "training data")
            )
        else:
            for (train, test), group in rows.groupby(["train", "test"], sort=False):
                title = (
                    f"{setting}: train on {train}, test on {test}"
                    if setting != "held-out"
                    else f"Held-out labels: {test} scored by {train}"
                )
                blocks.append(title + "\n" + _theme_block(group))
    return "\n\n".join(blocks)


def _check_jobs(ctx: click.Context, param: click.Parameter, value: int) -> int:
    if value == 0:
        raise click.BadParameter("use 1 or more worker processes, or -1 for all cores")
    return value


_JOBS = options.jobs(
    "Worker processes for the cross-validation folds (-1: all cores; same results).",
    default=2,
    type=click.IntRange(min=-1),
    callback=_check_jobs,
)


@main.command("train")
@click.argument("labels", nargs=-1, type=click.Path(path_type=Path))
@options.output(
    "Model folder to write, e.g. models/NAME (replaced atomically).",
    required=True,
    folder=True,
    dest=None,
)
@click.option("--no-seed", is_flag=True, help="Train on LABELS only, not the shipped corpus.")
@click.option(
    "--themes",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Theme scheme (themes.toml); default: the shipped one.",
)
@click.option("--name", default=None, help="Model name for meta.json; default: the folder name.")
@click.option(
    "--cv-folds",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Folds for threshold tuning and the recorded metrics (0: none, threshold 0.5).",
)
@click.option("--no-metrics", is_flag=True, help="Skip the cross-validated metrics (faster).")
@_JOBS
def train_command(
    labels: tuple[Path, ...],
    output: Path,
    no_seed: bool,
    themes: Path | None,
    name: str | None,
    cv_folds: int,
    no_metrics: bool,
    jobs: int,
) -> None:
    """Train a model from LABELS (.jsonl, .csv, Label Studio .json) plus the shipped corpus.

    LABELS override shipped labels of the same clause. The folder gets the classifier,
    the segmenter settings, the theme scheme and meta.json with cross-validated scores.
    The shipped default is built with: itunlp train -o models/default --name default
    """
    if cv_folds == 1:
        raise UsageProblem("--cv-folds must be 0 or at least 2")
    command = ["itunlp", "train", *map(str, labels), "-o", str(output)]
    command += ["--no-seed"] * no_seed + ["--no-metrics"] * no_metrics
    command += ["--themes", str(themes)] if themes else []
    command += ["--name", name] if name else []
    command += ["--cv-folds", str(cv_folds)] if cv_folds != 5 else []
    model = run_train(
        labels,
        output,
        no_seed=no_seed,
        themes=themes,
        name=name,
        cv_folds=cv_folds,
        metrics=not no_metrics,
        command=shlex.join(command),
        n_jobs=jobs,
    )
    click.echo(format_training(model))


@main.command("evaluate")
@click.argument("labels", nargs=-1, type=click.Path(path_type=Path))
@options.model("Evaluate this model folder's configuration; default: the default settings.")
@click.option("--no-seed", is_flag=True, help="Evaluate on LABELS only, not the shipped corpus.")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True)
@click.option("--repeats", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--no-cross-source", is_flag=True, help="Skip leaving each source out in turn.")
@click.option("--no-learning-curve", is_flag=True, help="Skip the 25/50/75/100% learning curve.")
@click.option(
    "--no-random-folds", is_flag=True, help="Skip the older folds over randomly assigned clauses."
)
@click.option("--no-baselines", is_flag=True, help="Skip the TF-IDF and keyword baselines.")
@options.output("Also write the full table (.csv, .tsv or .json).")
@_JOBS
def evaluate_command(
    labels: tuple[Path, ...],
    model_dir: Path | None,
    no_seed: bool,
    folds: int,
    repeats: int,
    no_cross_source: bool,
    no_learning_curve: bool,
    no_random_folds: bool,
    no_baselines: bool,
    out: Path | None,
    jobs: int,
) -> None:
    """Cross-validated precision/recall/F1 per theme, what to expect on new documents.

    The headline is repeated cross-validation by document on the shipped corpus plus
    LABELS: a document's clauses are all in one fold (a clause without a document is
    its own group), and each fold's thresholds are tuned by grouped folds inside its
    training part. Then each source left out in turn (seed, supplement, dev, each
    writer of data/documents, formats, your labels), a learning curve (25/50/75/100%
    of the training documents), and folds over randomly assigned clauses. F1 is
    the mean over folds, +/- its standard deviation.
    """
    table = run_evaluate(
        labels,
        model_dir=model_dir,
        no_seed=no_seed,
        folds=folds,
        repeats=repeats,
        cross_source=not no_cross_source,
        baselines=not no_baselines,
        out=out,
        n_jobs=jobs,
        learning=not no_learning_curve,
        random_folds=not no_random_folds,
    )
    click.echo(format_results(table))
    if out is not None:
        click.echo(f"\nFull table written to {out}")
