"""``itunlp evaluate-segmentation``: clause-level scores of the segmenter on gold data."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from itunlp.cli import _options as options
from itunlp.cli._group import main
from itunlp.segmentation.boundary_model import MODEL_FILE_NAME as BOUNDARY_MODEL_FILE
from itunlp.segmentation.boundary_model import BoundaryModel


def _find_boundary_model(model_dir: Path) -> Path:
    """The boundary model JSON of a model folder, wherever training put it."""
    for candidate in (
        model_dir / BOUNDARY_MODEL_FILE,
        *sorted(model_dir.glob(f"*/{BOUNDARY_MODEL_FILE}")),
    ):
        if candidate.is_file():
            return candidate
    raise click.UsageError(
        f"No {BOUNDARY_MODEL_FILE} in {str(model_dir)!r} or its sub-folders; pass a model "
        "folder written by `itunlp train`, or leave out --model to score the rules alone."
    )


def run_evaluate_segmentation(data_dir: Path, model_dir: Path | None = None) -> pd.DataFrame:
    """Score the segmenter on a labelled folder; the worker behind the verb.

    Parameters
    ----------
    data_dir : Path
        A folder laid out like ``data/dev`` (``documents.csv``, ``docs/``,
        ``clauses.jsonl``).
    model_dir : Path, optional
        A model folder holding ``boundary_model.json``; None scores the rules alone.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`itunlp.evaluation.segmentation.evaluate_segmentation`.
    """
    from itunlp.evaluation.segmentation import evaluate_segmentation, read_gold

    records, documents, styles = read_gold(data_dir)
    model = BoundaryModel.load(_find_boundary_model(model_dir)) if model_dir else None
    return evaluate_segmentation(records, documents, styles, boundary_model=model)


def format_table(table: pd.DataFrame) -> str:
    """The score table as fixed-width text, scores with three decimals."""
    shown = table.copy()
    for column in ("precision", "recall", "f1"):
        shown[column] = shown[column].map(lambda v: f"{v:.3f}")
    return shown.to_string(index=False)


@main.command("evaluate-segmentation")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Labelled folder like data/dev (documents.csv, docs/, clauses.jsonl). "
    "Default: the shipped development set.",
)
@options.model(
    "Model folder with a trained boundary_model.json; default: the rules alone.", exists=True
)
def evaluate_segmentation_command(data_dir: Path | None, model_dir: Path | None) -> None:
    """Print clause precision/recall/F1 of the segmenter, overall and per style.

    A predicted clause counts when its start and end fall on a gold clause's,
    up to whitespace, punctuation, quotes and one item marker.
    """
    if data_dir is None:
        from itunlp._resources import data_dir as shipped_data_dir

        data_dir = shipped_data_dir() / "dev"
    try:
        table = run_evaluate_segmentation(data_dir, model_dir)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    source = "rules + boundary model" if model_dir else "rules only"
    click.echo(f"Clause segmentation on {data_dir} ({source}):")
    click.echo(format_table(table))
