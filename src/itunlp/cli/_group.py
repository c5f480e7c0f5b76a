"""The ``itunlp`` click group; each verb lives in its own module of this package."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from itunlp import __version__

# Exit statuses the batch verbs promise: 0 all done, 1 some inputs failed, 2 usage error.
EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2

if TYPE_CHECKING:  # pragma: no cover
    from itunlp.pipeline import ThemeModel


class UsageProblem(click.ClickException):
    """A bad argument, label file or model folder: ``Error: ...`` and exit status 2."""

    exit_code = EXIT_USAGE


def load_model_option(model_dir: str | Path | None) -> ThemeModel:
    """The model a ``--model`` option names, or a usage error saying why it won't load.

    Every verb that takes ``--model`` loads through here, so a missing, tampered or
    mismatched model folder is reported the same way (exit 2) whichever verb met it.
    """
    from itunlp.pipeline import load

    try:
        return load(model_dir)
    except (FileNotFoundError, ValueError) as error:
        where = str(model_dir) if model_dir else "the shipped default model"
        raise UsageProblem(
            f"--model: cannot load {where}: {error}. Pass a folder written by "
            "`itunlp train`, or leave --model out for the shipped model."
        ) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="itunlp")
def main() -> None:
    """Cut ITU conference texts into clauses and tag each clause with policy themes.

    Start with `itunlp classify FILE -o clauses.csv` on the shipped default model.
    """
