"""The package's shape (issue 14): stages as subpackages, imports one way, no cycle.

The import graph is read from the source with :mod:`ast` (every ``import`` at any
depth, so a lazy import inside a function counts; imports under ``if
TYPE_CHECKING:`` do not run and do not count). See ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import itunlp
from itunlp._compat import OLD_MODULES

PACKAGE = Path(itunlp.__file__).parent
MAX_LINES = 600

#: Stage of each top-level name -> its layer. A module may import its own stage and
#: lower layers only. ``documents``, ``segmentation`` and ``themes`` are the bottom.
LAYERS: dict[str, int] = {
    "__init__": 0,
    "_compat": 0,
    "_resources": 0,
    "_staging": 0,
    "documents": 1,
    "segmentation": 1,
    "themes": 1,
    "labels": 2,
    "persistence": 2,
    "run": 3,
    "pipeline": 4,
    "evaluation": 5,
    "training": 6,
    "views": 7,
    "cli": 8,
    "__main__": 9,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str) -> set[str]:
    """The package's modules that module ``name`` imports (the most specific match)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" for alias in node.names] + [module]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
                if isinstance(node, ast.ImportFrom):
                    break  # a submodule named in the import is the edge, not its package
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


GRAPH: dict[str, set[str]] = {name: _imports(name) for name in MODULES}


def _stage(name: str) -> str:
    parts = name.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def test_the_graph_sees_the_known_edges() -> None:
    assert "itunlp.run.worker" in GRAPH["itunlp.run.dask_engine"]
    assert "itunlp.run.dask_engine" in GRAPH["itunlp.run.batch"]  # a lazy import counts
    assert "itunlp.segmentation.rules" in GRAPH["itunlp.segmentation.engine"]
    assert "itunlp" in GRAPH["itunlp.persistence"]


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            walk(node)


def test_no_module_is_over_600_lines() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long


def test_stages_are_subpackages_and_few_plain_modules_are_left_at_the_top() -> None:
    stages = [p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()]
    plain = [p.name for p in PACKAGE.glob("*.py")]
    assert len(set(stages) - {"cli"}) >= 4
    assert len(plain) <= 8, plain
    assert set(LAYERS) >= {_stage(name) for name in MODULES}


def test_imports_point_one_way() -> None:
    wrong = [
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if _stage(target) != _stage(name) and LAYERS[_stage(target)] > LAYERS[_stage(name)]
    ]
    assert not wrong


def test_views_and_cli_are_imported_by_nothing_below_them() -> None:
    for name, targets in GRAPH.items():
        if _stage(name) in {"views", "cli", "__main__"}:
            continue
        assert not {t for t in targets if _stage(t) in {"views", "cli"}}, name


def test_the_spacy_side_and_the_scikit_learn_side_meet_only_in_the_pipeline() -> None:
    for name, targets in GRAPH.items():
        stages = {_stage(t) for t in targets}
        if _stage(name) == "segmentation":
            assert "themes" not in stages, name
        if _stage(name) == "themes":
            assert "segmentation" not in stages, name


@pytest.mark.parametrize("old", sorted(OLD_MODULES))
def test_every_old_module_path_still_imports(old: str) -> None:
    module = importlib.import_module(old)
    assert module is importlib.import_module(OLD_MODULES[old])
    assert module.__name__ == OLD_MODULES[old]
    assert sys.modules[old] is module


def test_old_from_imports_of_public_names_work() -> None:
    from itunlp.batch import classify_documents
    from itunlp.classifier import FewLabelsWarning, ThemeClassifier, function_kind, scheme_hits
    from itunlp.clause_engine import split_into_clauses
    from itunlp.clause_rules import MAX_STRUCTURE_LINE
    from itunlp.corpus import LabelError, read_labels
    from itunlp.diffing import theme_balance
    from itunlp.documents import Document, DocumentError, read_document
    from itunlp.segmenter import make_clause_segmenter
    from itunlp.themes import ThemeScheme, load_themes
    from itunlp.training import evaluate, load_training_corpus, train

    assert train is itunlp.train and evaluate is itunlp.evaluate
    assert read_labels is itunlp.read_labels and LabelError is itunlp.LabelError
    assert ThemeClassifier is itunlp.ThemeClassifier and read_document is itunlp.read_document
    assert split_into_clauses is itunlp.segment
    assert load_themes is itunlp.load_themes and ThemeScheme is itunlp.ThemeScheme
    assert all(
        callable(f)
        for f in (classify_documents, function_kind, scheme_hits, theme_balance,
                  make_clause_segmenter, load_training_corpus)
    )  # fmt: skip
    assert issubclass(FewLabelsWarning, UserWarning) and issubclass(DocumentError, ValueError)
    assert Document is not None and MAX_STRUCTURE_LINE > 0


def test_an_old_module_path_works_in_a_fresh_interpreter() -> None:
    code = (
        "import sys\n"
        "from itunlp.corpus import read_labels\n"
        "import itunlp.segmenter as s, itunlp.segmentation.component as c\n"
        "assert s is c and callable(read_labels)\n"
        "from itunlp.batch import _ModelPluginClass\n"  # named by pickles of older versions
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
