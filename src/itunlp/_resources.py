"""Where the shipped data and default model live.

A wheel carries them inside the package (``itunlp/_data``, ``itunlp/_default_model``,
mapped there by pyproject's force-include); an editable install or a source checkout
reads them from the repository's top-level ``data/`` and ``models/default``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]


def _packaged_or_repo(packaged: str, repo_relative: str) -> Path:
    candidate = Path(str(resources.files("itunlp") / packaged))
    if candidate.exists():
        return candidate
    return _REPO_ROOT / repo_relative


def data_dir() -> Path:
    """The folder holding ``themes.toml``, ``seed/``, ``supplement/`` and ``dev/``."""
    return _packaged_or_repo("_data", "data")


def default_model_dir() -> Path:
    """The folder of the shipped default model."""
    return _packaged_or_repo("_default_model", "models/default")
