"""The ``itunlp`` click group; each verb lives in its own module of this package."""

from __future__ import annotations

import click

from itunlp import __version__

# Exit statuses the batch verbs promise: 0 all done, 1 some inputs failed, 2 usage error.
EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="itunlp")
def main() -> None:
    """Cut ITU conference texts into clauses and tag each clause with policy themes.

    Start with `itunlp classify FILE -o clauses.csv` on the shipped default model.
    """
