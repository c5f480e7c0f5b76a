"""Old import paths of the flat layout, kept working after the move into stages.

``import itunlp.classifier`` or ``from itunlp.corpus import read_labels`` resolve to
the module's new home (see ``docs/architecture.md``): a finder on ``sys.meta_path``
answers for the old names only and hands back the new module object itself, so
``itunlp.classifier is itunlp.themes.classifier``. Nothing is imported until an old
name is asked for.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

__all__ = ["OLD_MODULES"]

#: Old module path -> new module path.
OLD_MODULES: dict[str, str] = {
    "itunlp.active": "itunlp.labels.suggest",
    "itunlp.agreement": "itunlp.labels.agreement",
    "itunlp.batch": "itunlp.run.batch",
    "itunlp.boundary_model": "itunlp.segmentation.boundary_model",
    "itunlp.boundary_training": "itunlp.segmentation.boundary_training",
    "itunlp.classifier": "itunlp.themes.classifier",
    "itunlp.clause_engine": "itunlp.segmentation.engine",
    "itunlp.clause_rules": "itunlp.segmentation.rules",
    "itunlp.comparison": "itunlp.evaluation.comparison",
    "itunlp.corpus": "itunlp.labels.corpus",
    "itunlp.dask_engine": "itunlp.run.dask_engine",
    "itunlp.diffing": "itunlp.views.diffing",
    "itunlp.label_studio": "itunlp.labels.label_studio",
    "itunlp.outputs": "itunlp.run.outputs",
    "itunlp.plots": "itunlp.views.plots",
    "itunlp.progress": "itunlp.run.progress",
    "itunlp.report": "itunlp.views.report",
    "itunlp.segmentation_eval": "itunlp.evaluation.segmentation",
    "itunlp.segmenter": "itunlp.segmentation.component",
    "itunlp.summary": "itunlp.views.summary",
}


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self._real_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system stamped the alias spec on the shared module object;
        # give it back its own, so that it still knows its real name and file.
        module.__spec__ = self._real_spec


class _OldPathFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object = None, target: object = None):
        new = OLD_MODULES.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(new))


def install() -> None:
    if not any(isinstance(finder, _OldPathFinder) for finder in sys.meta_path):
        sys.meta_path.append(_OldPathFinder())
