"""The notebooks are kept runnable by nbmake (``pytest --nbmake notebooks``, in CI).

These cheap checks keep them reviewable: stored without outputs, valid nbformat, and
finding their data through the package rather than through paths of one machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs the notebooks extra")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_three_walkthroughs_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01-quickstart.ipynb",
        "02-retraining.ipynb",
        "03-analysis.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_valid_and_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code, "a walkthrough runs code"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, (
            f"{path.name}: clear outputs before committing (jupyter nbconvert --clear-output)"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_no_machine_paths_or_network(path: Path) -> None:
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    for needle in ("/work/", "/home/", "C:\\", "http://", "https://", "pip install"):
        assert needle not in source, f"{path.name} mentions {needle!r}"
