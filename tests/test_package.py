"""The installed package: imports cheaply, exposes its API, and the console script runs."""

import re
import subprocess
import sys
from pathlib import Path

import itunlp


def test_version_is_exposed():
    assert itunlp.__version__.count(".") == 2


def test_public_names_resolve_lazily():
    assert callable(itunlp.load_themes)
    assert "segment" in dir(itunlp)


def test_unknown_attribute_raises_attribute_error():
    try:
        itunlp.no_such_thing  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_itunlp_does_not_import_sklearn_or_pandas():
    code = "import sys, itunlp; print('sklearn' in sys.modules, 'pandas' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.split() == ["False", "False"]


VERBS = [
    "classify",
    "segment",
    "train",
    "evaluate",
    "evaluate-segmentation",
    "report",
    "diff",
    "suggest",
    "compare",
    "agreement",
    "audit",
]


def test_console_script_help_lists_the_verbs():
    script = Path(sys.executable).with_name("itunlp")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "itunlp"]
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, check=True)
    assert "Usage: itunlp" in result.stdout
    listed = re.findall(r"^  ([a-z-]+)\s", result.stdout.split("Commands:")[-1], re.MULTILINE)
    assert sorted(listed) == sorted(VERBS)
