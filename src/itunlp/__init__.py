"""itunlp: cut ITU conference texts into clauses and tag them with policy themes.

The package namespace re-exports the public API lazily, so that importing a
submodule (for example the spaCy factory entry point) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, tuple[str, str]] = {
    "Clause": ("itunlp.segmenter", "Clause"),
    "segment": ("itunlp.segmenter", "split_into_clauses"),
    "split_sentences": ("itunlp.segmenter", "split_sentences"),
    "ThemeScheme": ("itunlp.themes", "ThemeScheme"),
    "load_themes": ("itunlp.themes", "load_themes"),
    "read_labels": ("itunlp.corpus", "read_labels"),
    "LabelError": ("itunlp.corpus", "LabelError"),
    "ThemeClassifier": ("itunlp.classifier", "ThemeClassifier"),
    "ThemeModel": ("itunlp.pipeline", "ThemeModel"),
    "load": ("itunlp.pipeline", "load"),
    "train": ("itunlp.training", "train"),
    "evaluate": ("itunlp.training", "evaluate"),
    "read_document": ("itunlp.documents", "read_document"),
    "summarize": ("itunlp.summary", "summarize"),
    "diff": ("itunlp.diffing", "diff"),
    "plot_themes": ("itunlp.plots", "plot_themes"),
    "write_report": ("itunlp.report", "write_report"),
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    from itunlp.classifier import ThemeClassifier
    from itunlp.corpus import LabelError, read_labels
    from itunlp.documents import read_document
    from itunlp.pipeline import ThemeModel, load
    from itunlp.segmenter import Clause
    from itunlp.themes import ThemeScheme, load_themes
    from itunlp.training import evaluate, train


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'itunlp' has no attribute {name!r}") from None
    value = getattr(import_module(module_name), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
