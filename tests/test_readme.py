"""The README's promises: its Python examples run, and its main command does what it says."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def _marked_command(marker: str) -> str:
    for line in README.splitlines():
        if re.search(rf"#\s*{marker}", line):
            return line.split("#", 1)[0].strip()
    raise AssertionError(f"README has no command marked '# {marker}'")


def test_readme_has_the_three_fresh_machine_commands():
    assert _marked_command("install") == 'pip install -e ".[all]"'
    assert _marked_command("classify with the shipped model").startswith("itunlp classify ")
    assert _marked_command("run the tests") == 'pytest -m "not slow and not browser"'
    assert _marked_command("run the slow tests") == 'pytest -m "slow or browser"'


@pytest.mark.parametrize(
    "block", PYTHON_BLOCKS, ids=[f"block{i}" for i in range(len(PYTHON_BLOCKS))]
)
def test_readme_python_example_runs(block: str):
    result = subprocess.run(
        [sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_readme_main_command_writes_the_clause_table(tmp_path: Path):
    (tmp_path / "data").symlink_to(ROOT / "data")
    words = shlex.split(_marked_command("classify with the shipped model"))
    script = Path(sys.executable).with_name("itunlp")
    command = [str(script), *words[1:]] if script.exists() else [sys.executable, "-m", *words]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    output = tmp_path / words[words.index("-o") + 1]
    table = pd.read_csv(output)
    assert len(table) >= 60
    assert {"doc_id", "clause_id", "start", "end", "text", "themes"} <= set(table.columns)
    assert table["themes"].notna().sum() > len(table) / 2


def test_readme_model_figures_are_the_shipped_model_card():
    import json

    meta = json.loads((ROOT / "models" / "default" / "meta.json").read_text(encoding="utf-8"))
    grouped = meta["metrics"]["grouped_cv"]["model"]
    for theme in [*meta["themes"], "micro", "macro"]:
        name = f"**{theme}**" if theme in ("micro", "macro") else theme
        row = f"| {name} | {grouped[theme]['f1']:.3f} ± {grouped[theme]['f1_std']:.3f} |"
        assert row in README, (
            f"README's {theme} row is stale; regenerate it with scripts/model_card_table.py"
        )
