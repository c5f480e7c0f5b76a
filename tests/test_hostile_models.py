"""Hostile model folders, and runs killed half-way.

A model folder comes from anywhere: a colleague's share, a download, an old
itunlp. Loading one must never run code from it (issue 4), so the payloads
here are live: each creates a marker file when unpickled or loaded the unsafe
way, and a control load in this file proves it does. Loading through itunlp
must give a clear error naming the file, and the marker must never appear.

Crashes: a save killed mid-way leaves the previous model loadable; a
``classify`` killed while writing leaves no partial output, and rerunning
completes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import itunlp
from itunlp.persistence import ModelFileError, ModelNotFoundError

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL semantics")

PROBE = ["Broadband must reach every rural school.", "CIRTs protect networks from attacks."]


class _Payload:
    """Unpickling this calls ``open(marker, "w")``: the file appears if code runs."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def _skops_payload(marker: Path) -> bytes:
    """A skops file whose loading calls ``builtins.open(marker, "w")``.

    skops refuses it by default; it runs when a loader trusts the types the file
    itself lists (``trusted=get_untrusted_types(...)``), the mistake issue 4 forbids.
    """
    sio = pytest.importorskip("skops.io", reason="skops (dev extra) crafts the payload")
    arguments = json.loads(
        zipfile.ZipFile(io.BytesIO(sio.dumps((str(marker), "w")))).read("schema.json")
    )
    schema = {
        "__class__": "open",
        "__module__": "builtins",
        "__loader__": "ConstructorFromReduceNode",
        "content": {k: v for k, v in arguments.items() if k not in ("protocol", "_skops_version")},
        "__id__": 1,
        "protocol": arguments["protocol"],
        "_skops_version": arguments["_skops_version"],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
    return buffer.getvalue()


def _npz_payload(marker: Path) -> bytes:
    """An .npz whose array is a pickled object: np.load(allow_pickle=True) runs it."""
    buffer = io.BytesIO()
    array = np.empty(1, dtype=object)
    array[0] = _Payload(marker)
    np.savez(buffer, coef=array)
    return buffer.getvalue()


def _joblib_payload(marker: Path, path: Path) -> None:
    import joblib

    joblib.dump(_Payload(marker), path)


# ------------------------------------------------------------ the payloads live


def test_payloads_are_live_when_loaded_the_unsafe_way(tmp_path: Path) -> None:
    """Control: each payload does create its marker when loaded without care."""
    import joblib

    sio = pytest.importorskip("skops.io", reason="skops (dev extra) crafts the payload")
    markers = [tmp_path / f"control-{i}" for i in range(4)]
    pickle.loads(pickle.dumps(_Payload(markers[0])))
    _joblib_payload(markers[1], tmp_path / "m.joblib")
    joblib.load(tmp_path / "m.joblib")
    data = _skops_payload(markers[2])
    sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    (tmp_path / "m.npz").write_bytes(_npz_payload(markers[3]))
    np.load(tmp_path / "m.npz", allow_pickle=True)["coef"]
    assert all(m.exists() for m in markers)


# ------------------------------------------------------------ hostile folders


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A fresh copy of the shipped default model, to tamper with."""
    target = tmp_path / "model"
    shutil.copytree(itunlp.load().path, target)
    return target


def _meta(folder: Path) -> dict:
    return json.loads((folder / "meta.json").read_text(encoding="utf-8"))


def _write_meta(folder: Path, meta: dict) -> None:
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def _rehash(folder: Path, name: str) -> None:
    """Record a tampered file's new SHA-256, as an attacker controlling the folder would."""
    meta = _meta(folder)
    meta["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    _write_meta(folder, meta)


def test_pickle_in_place_of_the_arrays_is_refused_without_running(
    model_dir: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    (model_dir / "classifier.npz").write_bytes(_npz_payload(marker))
    _rehash(model_dir, "classifier.npz")
    with pytest.raises(ModelFileError, match=r"classifier\.npz"):
        itunlp.load(model_dir)
    assert not marker.exists()


def test_raw_pickle_in_place_of_the_arrays_is_refused_without_running(
    model_dir: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    (model_dir / "classifier.npz").write_bytes(pickle.dumps(_Payload(marker)))
    _rehash(model_dir, "classifier.npz")
    with pytest.raises(ModelFileError, match=r"classifier\.npz"):
        itunlp.load(model_dir)
    assert not marker.exists()


def test_skops_payload_in_place_of_a_model_file_is_refused_without_running(
    model_dir: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    (model_dir / "classifier.npz").write_bytes(_skops_payload(marker))
    _rehash(model_dir, "classifier.npz")
    with pytest.raises(ModelFileError):
        itunlp.load(model_dir)
    assert not marker.exists()


def test_an_arrays_file_without_the_arrays_is_named_in_the_error(model_dir: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", "{}")
    (model_dir / "classifier.npz").write_bytes(buffer.getvalue())
    _rehash(model_dir, "classifier.npz")
    with pytest.raises(ModelFileError, match=r"classifier\.npz"):
        itunlp.load(model_dir)


@pytest.mark.parametrize("name", ["classifier.joblib", "classifier.skops", "model.pkl"])
def test_an_extra_payload_file_listed_in_meta_is_refused(
    model_dir: Path, tmp_path: Path, name: str
) -> None:
    marker = tmp_path / "marker"
    path = model_dir / name
    if name.endswith(".skops"):
        path.write_bytes(_skops_payload(marker))
    elif name.endswith(".joblib"):
        _joblib_payload(marker, path)
    else:
        path.write_bytes(pickle.dumps(_Payload(marker)))
    _rehash(model_dir, name)
    with pytest.raises(ModelFileError, match=re.escape(name)):
        itunlp.load(model_dir)
    assert not marker.exists()


def test_an_unlisted_payload_file_is_never_opened(model_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    _joblib_payload(marker, model_dir / "classifier.joblib")
    (model_dir / "model.pkl").write_bytes(pickle.dumps(_Payload(marker)))
    model = itunlp.load(model_dir)
    assert len(model.predict(PROBE)) == 2
    assert not marker.exists()


def test_a_folder_holding_only_a_pickled_model_is_not_found(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    folder = tmp_path / "legacy"
    folder.mkdir()
    _joblib_payload(marker, folder / "model.joblib")
    with pytest.raises(ModelNotFoundError, match=r"meta\.json"):
        itunlp.load(folder)
    assert not marker.exists()


@pytest.mark.parametrize(
    "name", ["classifier.npz", "classifier.json", "themes.json", "segmenter/boundary_model.json"]
)
def test_a_truncated_model_file_is_a_clear_error_naming_it(model_dir: Path, name: str) -> None:
    path = model_dir / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ModelFileError, match=re.escape(name.split("/")[-1])):
        itunlp.load(model_dir)


@pytest.mark.parametrize(
    "name", ["classifier.npz", "classifier.json", "themes.json", "segmenter/boundary_model.json"]
)
def test_a_truncated_file_with_a_matching_hash_is_still_a_clear_error(
    model_dir: Path, name: str
) -> None:
    path = model_dir / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    _rehash(model_dir, name)
    with pytest.raises(ModelFileError, match=re.escape(name.split("/")[-1])):
        itunlp.load(model_dir)


# ``null`` is left out: a boundary_model.json holding null is read as "rules only",
# as the spaCy component writes it (persistence accepts it on purpose).
@pytest.mark.parametrize("content", ["{}", "[]", "7", '{"format": "itunlp-classifier"}'])
@pytest.mark.parametrize("name", ["classifier.json", "segmenter/boundary_model.json"])
def test_valid_json_of_the_wrong_shape_is_a_clear_error(
    model_dir: Path, name: str, content: str
) -> None:
    (model_dir / name).write_text(content, encoding="utf-8")
    _rehash(model_dir, name)
    with pytest.raises(ModelFileError, match=re.escape(name.split("/")[-1])):
        itunlp.load(model_dir)


def test_a_truncated_meta_json_is_a_clear_error(model_dir: Path) -> None:
    meta = model_dir / "meta.json"
    meta.write_bytes(meta.read_bytes()[:100])
    with pytest.raises(ModelFileError, match=r"meta\.json"):
        itunlp.load(model_dir)


def test_a_theme_list_that_disagrees_with_the_classifier_raises(model_dir: Path) -> None:
    meta = _meta(model_dir)
    meta["themes"] = [*meta["themes"][:-1], "cyber"]
    _write_meta(model_dir, meta)
    with pytest.raises(ValueError, match=r"meta\.json.*themes"):
        itunlp.load(model_dir)


def test_a_model_from_a_newer_itunlp_warns_and_loads(model_dir: Path) -> None:
    meta = _meta(model_dir)
    meta["itunlp_version"] = "99.0.0"
    _write_meta(model_dir, meta)
    with pytest.warns(UserWarning, match=r"newer"):
        model = itunlp.load(model_dir)
    assert len(model.predict(PROBE)) == 2


def test_a_model_format_from_the_future_is_refused(model_dir: Path) -> None:
    meta = _meta(model_dir)
    meta["format_version"] = 99
    _write_meta(model_dir, meta)
    with pytest.raises(ModelFileError, match=r"meta\.json.*upgrade"):
        itunlp.load(model_dir)


@pytest.mark.parametrize("name", ["classifier.npz", "themes.json", "meta.json"])
def test_a_missing_file_is_model_not_found_naming_it(model_dir: Path, name: str) -> None:
    (model_dir / name).unlink()
    with pytest.raises(ModelNotFoundError, match=re.escape(name)):
        itunlp.load(model_dir)


def test_a_missing_folder_is_model_not_found(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="nope"):
        itunlp.load(tmp_path / "nope")
    assert issubclass(ModelNotFoundError, FileNotFoundError)


def test_the_cli_reports_a_tampered_model_without_a_traceback(
    model_dir: Path, tmp_path: Path
) -> None:
    path = model_dir / "classifier.npz"
    path.write_bytes(path.read_bytes()[:1000])
    doc = tmp_path / "doc.txt"
    doc.write_text("Broadband must reach every rural school.\n")
    result = subprocess.run(
        [sys.executable, "-m", "itunlp", "classify", str(doc), "--model", str(model_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert "classifier.npz" in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------------ killed half-way


def test_a_save_that_fails_midway_leaves_the_previous_model(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from itunlp import persistence

    before = itunlp.load(model_dir).predict_proba(PROBE)
    model = itunlp.load(model_dir)
    real = persistence._write_json

    def failing(path: Path, data: object) -> None:
        if path.name == "meta.json":  # the last file: everything else is written
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(persistence, "_write_json", failing)
    with pytest.raises(OSError, match="No space"):
        model.save(model_dir)
    monkeypatch.undo()
    after = itunlp.load(model_dir).predict_proba(PROBE)
    assert after.equals(before)
    assert [p.name for p in model_dir.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.slow
def test_a_save_killed_midway_leaves_a_loadable_model(model_dir: Path, tmp_path: Path) -> None:
    """SIGKILL a process while it saves over the model, several times; it always loads."""
    script = tmp_path / "save_forever.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import itunlp
            model = itunlp.load({str(model_dir)!r})
            while True:
                model.save({str(model_dir)!r})
            """
        )
    )
    before = itunlp.load(model_dir).predict_proba(PROBE)
    for attempt in range(4):
        child = subprocess.Popen([sys.executable, str(script)])
        deadline = time.monotonic() + 120
        # Kill once a save is visibly in progress: its staging folder exists.
        while not any(".saving-" in p.name for p in model_dir.parent.iterdir()):
            assert child.poll() is None, "the saving process died by itself"
            assert time.monotonic() < deadline, "no save started within 120 s"
            time.sleep(0.005)
        time.sleep(0.01 * attempt)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert itunlp.load(model_dir).predict_proba(PROBE).equals(before), attempt


@pytest.mark.slow
def test_a_save_killed_between_its_two_renames_leaves_a_loadable_model(
    model_dir: Path, tmp_path: Path
) -> None:
    """Deterministic version of the kill above, aimed at the one unsafe instant."""
    script = tmp_path / "die_between_renames.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, signal
            import itunlp
            from itunlp import persistence

            model = itunlp.load({str(model_dir)!r})
            real_replace = os.replace
            calls = []

            def replace(src, dst):
                calls.append((src, dst))
                if len(calls) == 2:  # target already moved aside; the new one not yet in
                    os.kill(os.getpid(), signal.SIGKILL)
                real_replace(src, dst)

            persistence.os.replace = replace
            model.save({str(model_dir)!r})
            """
        )
    )
    subprocess.run([sys.executable, str(script)], timeout=300, check=False)
    with pytest.warns(UserWarning, match="restored the previous model"):
        itunlp.load(model_dir)


def _big_corpus(folder: Path, size: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from corpus import write_corpus

    write_corpus(folder, size, seed=3)


@pytest.mark.slow
def test_a_classify_killed_while_writing_leaves_no_partial_output(tmp_path: Path) -> None:
    small, big = tmp_path / "small", tmp_path / "big"
    small.mkdir()
    (small / "doc.txt").write_text("Broadband must reach every rural school.\n")
    _big_corpus(big, 800_000)
    out = tmp_path / "out" / "clauses.csv"
    out.parent.mkdir()
    command = [sys.executable, "-m", "itunlp", "classify", "-q", "-o", str(out)]
    subprocess.run([*command, str(small)], check=True, timeout=300, capture_output=True)
    previous = out.read_bytes()

    child = subprocess.Popen([*command, str(big)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    # Kill once the run is writing: its temporary output has grown past 100 kB.
    while not any(
        p.name.endswith(".tmp") and p.stat().st_size > 100_000 for p in out.parent.iterdir()
    ):
        assert child.poll() is None, "the run ended before it was killed; use a bigger corpus"
        assert time.monotonic() < deadline, "no output written within 300 s"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert out.read_bytes() == previous, "a killed run must leave the previous output intact"

    subprocess.run([*command, str(big)], check=True, timeout=900, capture_output=True)
    assert out.read_bytes() != previous
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert len(rows) > 100 and all(len(r) == len(rows[0]) for r in rows)
    # The killed run's temporary file is swept by the next run into that folder.
    leftovers = [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == [], f"temporary files left after a completed rerun: {leftovers}"
