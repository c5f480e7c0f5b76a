"""itunlp: cut ITU conference texts into clauses and tag them with policy themes.

The package namespace re-exports the public API lazily, so that importing a
submodule (for example the spaCy factory entry point) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from itunlp import _compat

__version__ = "0.1.0"

_compat.install()  # old flat module paths (itunlp.classifier, ...) keep working

_EXPORTS: dict[str, tuple[str, str]] = {
    "Clause": ("itunlp.segmentation.component", "Clause"),
    "segment": ("itunlp.segmentation.component", "split_into_clauses"),
    "split_sentences": ("itunlp.segmentation.component", "split_sentences"),
    "ThemeScheme": ("itunlp.themes.scheme", "ThemeScheme"),
    "load_themes": ("itunlp.themes.scheme", "load_themes"),
    "read_labels": ("itunlp.labels.corpus", "read_labels"),
    "LabelError": ("itunlp.labels.corpus", "LabelError"),
    "ThemeClassifier": ("itunlp.themes.classifier", "ThemeClassifier"),
    "ThemeModel": ("itunlp.pipeline", "ThemeModel"),
    "load": ("itunlp.pipeline", "load"),
    "train": ("itunlp.training", "train"),
    "evaluate": ("itunlp.evaluation.cross_validation", "evaluate"),
    "read_document": ("itunlp.documents", "read_document"),
    "summarize": ("itunlp.views.summary", "summarize"),
    "diff": ("itunlp.views.diffing", "diff"),
    "plot_themes": ("itunlp.views.plots", "plot_themes"),
    "write_report": ("itunlp.views.report", "write_report"),
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    from itunlp.documents import read_document
    from itunlp.evaluation.cross_validation import evaluate
    from itunlp.labels.corpus import LabelError, read_labels
    from itunlp.pipeline import ThemeModel, load
    from itunlp.segmentation.component import Clause
    from itunlp.themes.classifier import ThemeClassifier
    from itunlp.themes.scheme import ThemeScheme, load_themes
    from itunlp.training import train


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
