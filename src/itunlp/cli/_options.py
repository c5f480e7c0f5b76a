"""The options several verbs share, each defined once.

Every verb takes its ``-o/--output``, ``--model``, ``-q/--quiet``, ``-r/--recursive``
and ``-j/--jobs`` from here, so their flags, types and wording stay the same across
verbs; a verb passes only what is its own (the help text of its output, whether it
is required, a default).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

__all__ = ["jobs", "model", "output", "quiet", "recursive"]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

MODEL_HELP = "Model folder (default: the shipped model)."


def output(
    help: str, *, required: bool = False, folder: bool = False, dest: str | None = "out"
) -> Decorator:
    """``-o/--output``: the file (or, with ``folder``, the folder) a verb writes."""
    kind = {"file_okay": False} if folder else {"dir_okay": False}
    names = ["-o", "--output", *([dest] if dest else [])]
    path = click.Path(path_type=Path, **kind)
    return click.option(*names, type=path, required=required, help=help)


def model(help: str = MODEL_HELP, *, exists: bool = False, folder: bool = True) -> Decorator:
    """``--model``: a model folder written by ``itunlp train``; default the shipped one."""
    kind: dict[str, Any] = {"exists": True} if exists else {}
    if folder:
        kind["file_okay"] = False
    return click.option("--model", "model_dir", type=click.Path(path_type=Path, **kind), help=help)


def quiet() -> Decorator:
    """``-q/--quiet``: no progress bar."""
    return click.option(
        "-q", "--quiet", is_flag=True, help="No progress bar (errors are still shown)."
    )


def recursive() -> Decorator:
    """``-r/--recursive``: look into subfolders of folder arguments."""
    return click.option(
        "-r", "--recursive", is_flag=True, help="Look into subfolders of folder arguments."
    )


def jobs(help: str, *, default: int, **kwargs: Any) -> Decorator:
    """``-j/--jobs``: worker processes (-1: all cores)."""
    return click.option("-j", "--jobs", default=default, show_default=True, help=help, **kwargs)
