"""Every ``function`` the segmenter gives on the shipped texts is a heading (issue 11).

``function`` comes only from heading lines: a sentence fragment such as
``resolves that the union ...`` or ``instructs the secretary-general "to ...`` must
never appear. The held-out half of ``data/formats`` is not read here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from itunlp.segmentation.headings import load_headings
from itunlp.segmenter import split_into_clauses

DATA = Path(__file__).resolve().parents[1] / "data"
FOLDERS = ["dev/docs", "formats/rules/docs", "examples", "seed", "documents/docs"]
FILES = sorted(p for folder in FOLDERS for p in (DATA / folder).glob("*.txt"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_predicted_function_is_a_heading(path: Path) -> None:
    scheme = load_headings()
    for clause in split_into_clauses(path.read_text(encoding="utf-8-sig")):
        if clause.function:
            found = scheme.match(clause.function)
            assert found is not None and found.body < 0, clause.function
            assert found.function == clause.function
            assert clause.part == found.part
