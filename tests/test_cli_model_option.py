"""Every verb that takes a model reports an unloadable one the same way: exit 2, named."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from itunlp.cli import main


@pytest.mark.parametrize(
    "verb",
    [
        ["classify", "{doc}", "--model", "{bad}"],
        ["report", "{doc}", "-o", "{tmp}/r.html", "--model", "{bad}"],
        ["diff", "{doc}", "{doc}", "--model", "{bad}"],
        ["suggest", "{doc}", "-n", "2", "-o", "{tmp}/s.csv", "--model", "{bad}"],
        ["evaluate", "--model", "{bad}"],
        ["compare", "{bad}", "{bad}"],
    ],
    ids=lambda words: words[0],
)
def test_unloadable_model_is_a_usage_error_naming_the_folder(tmp_path: Path, verb: list[str]):
    bad = tmp_path / "not-a-model"
    bad.mkdir()
    doc = tmp_path / "doc.txt"
    doc.write_text("The Council met. It adopted the budget.", encoding="utf-8")
    args = [w.format(doc=doc, bad=bad, tmp=tmp_path) for w in verb]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "not-a-model" in result.output
