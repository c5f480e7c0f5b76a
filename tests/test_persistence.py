"""Model folders: round trip, tampering, malicious payloads, version checks, atomic save."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import time
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import itunlp
from itunlp import persistence
from itunlp.persistence import (
    ModelFileError,
    ModelNotFoundError,
    load_model_folder,
    save_model_folder,
)
from itunlp.pipeline import ThemeModel, load
from itunlp.segmentation.boundary_model import BoundaryModel
from itunlp.themes.classifier import FewLabelsWarning, ThemeClassifier

CLAUSES = [
    ("Broadband must reach rural schools.", ["connectivity"]),
    ("The digital divide keeps widening.", ["connectivity"]),
    ("Affordable access for refugees.", ["connectivity"]),
    ("Fibre backbones reach landlocked countries.", ["connectivity"]),
    ("Women engineers lead the study group.", ["gender"]),
    ("Gender mainstreaming continues.", ["gender"]),
    ("Girls in ICT day drew many students.", ["gender"]),
    ("More women in leadership positions.", ["gender"]),
    ("The plenary elected the Secretary-General.", ["institutional_process"]),
    ("The Council approved the budget.", ["institutional_process"]),
    ("Member States reached consensus.", ["institutional_process"]),
    ("Delegates adopted the revised resolution.", ["institutional_process"]),
    ("Lunch is served in the main hall.", []),
    ("Thank you, Chair.", []),
]
PROBES = [
    "Broadband for remote schools.",
    "The plenary elected a woman engineer.",
    "Satellite filings in the geostationary orbit.",
    "Nothing at all.",
]


@lru_cache(maxsize=1)
def _classifier() -> ThemeClassifier:
    """One small fitted classifier shared by the tests (saving never mutates it)."""
    frame = pd.DataFrame(
        {
            "text": [t for t, _ in CLAUSES],
            "function": ["resolves" if i % 3 == 0 else "" for i in range(len(CLAUSES))],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewLabelsWarning)
        return ThemeClassifier(cv=2).fit(frame, [labels for _, labels in CLAUSES])


@pytest.fixture(scope="module")
def model() -> ThemeModel:
    boundary = BoundaryModel({"right_subject_verb": 3.0}, intercept=-1.0)
    return ThemeModel(_classifier(), meta={"name": "tiny"}, boundary_model=boundary)


@pytest.fixture
def saved(tmp_path: Path, model: ThemeModel) -> Path:
    return model.save(tmp_path / "tiny")


def _rehash(folder: Path) -> None:
    """Update meta.json's hashes as an attacker who controls the whole folder would."""
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text())
    for name in meta["files"]:
        meta["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    meta_path.write_text(json.dumps(meta))


# --------------------------------------------------------------- round trip
def test_round_trip_gives_identical_predictions(saved: Path, model: ThemeModel) -> None:
    loaded = load(saved)
    pd.testing.assert_frame_equal(loaded.predict_proba(PROBES), model.predict_proba(PROBES))
    assert loaded.predict(PROBES) == model.predict(PROBES)
    assert loaded.thresholds == model.thresholds
    assert loaded.themes == model.themes


def test_round_trip_keeps_explanations_and_functions(saved: Path, model: ThemeModel) -> None:
    loaded = load(saved)
    functions = ["resolves", "", "considering", ""]
    pd.testing.assert_frame_equal(
        loaded.predict_proba(PROBES, functions), model.predict_proba(PROBES, functions)
    )
    assert loaded.explain(PROBES[0]) == model.explain(PROBES[0])


def test_round_trip_keeps_the_boundary_model_and_scheme(saved: Path, model: ThemeModel) -> None:
    loaded = load(saved)
    assert loaded.boundary_model == model.boundary_model
    assert loaded.scheme.ids == model.scheme.ids
    assert (saved / "segmenter" / "boundary_model.json").is_file()


def test_without_a_boundary_model_no_segmenter_file_is_written(tmp_path: Path) -> None:
    folder = ThemeModel(_classifier()).save(tmp_path / "rules")
    assert not (folder / "segmenter").exists()
    assert load(folder).boundary_model is None
    assert json.loads((folder / "meta.json").read_text())["segmenter"]["boundary_model"] is None


def test_meta_records_versions_themes_thresholds_and_hashes(saved: Path, model: ThemeModel) -> None:
    meta = json.loads((saved / "meta.json").read_text())
    assert meta["name"] == "tiny"
    assert meta["itunlp_version"] == itunlp.__version__
    assert meta["sklearn_version"] and meta["created"]
    assert meta["themes"] == model.themes
    assert meta["thresholds"] == {t: round(v, 4) for t, v in model.thresholds.items()}
    assert "space_spectrum" in meta["too_few_positives"]
    assert set(meta["files"]) == {
        "classifier.json",
        "classifier.npz",
        "themes.json",
        "segmenter/boundary_model.json",
    }


def test_no_pickle_is_used_in_the_model_folder(saved: Path) -> None:
    with np.load(saved / "classifier.npz", allow_pickle=False) as arrays:
        assert all(arrays[key].dtype != object for key in arrays.files)


def test_the_shipped_default_model_loads() -> None:
    if not (itunlp._resources.default_model_dir() / "meta.json").is_file():
        pytest.skip("the default model has not been built in this checkout")
    model = load()
    assert model.themes == itunlp.load_themes().ids
    assert len(model.predict(["Broadband for schools."])) == 1


# ------------------------------------------------------------ missing files
def test_missing_folder_is_model_not_found(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="No model folder at"):
        load(tmp_path / "nowhere")
    assert issubclass(ModelNotFoundError, FileNotFoundError)


def test_missing_file_is_model_not_found(saved: Path) -> None:
    (saved / "classifier.npz").unlink()
    with pytest.raises(ModelNotFoundError, match=r"Model file missing: .*classifier\.npz"):
        load(saved)


def test_missing_meta_is_model_not_found(saved: Path) -> None:
    (saved / "meta.json").unlink()
    with pytest.raises(ModelNotFoundError, match=r"meta\.json"):
        load(saved)


# ------------------------------------------------------- tampered/truncated
def test_tampered_file_is_named(saved: Path) -> None:
    state = json.loads((saved / "classifier.json").read_text())
    state["thresholds"][0] = 0.01
    (saved / "classifier.json").write_text(json.dumps(state))
    with pytest.raises(ModelFileError, match=r"classifier\.json: contents differ from the SHA-256"):
        load(saved)


def test_truncated_file_is_named(saved: Path) -> None:
    data = (saved / "classifier.npz").read_bytes()
    (saved / "classifier.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"classifier\.npz: contents differ"):
        load(saved)


def test_truncated_file_with_matching_hash_still_fails_cleanly(saved: Path) -> None:
    data = (saved / "classifier.npz").read_bytes()
    (saved / "classifier.npz").write_bytes(data[: len(data) // 2])
    _rehash(saved)
    with pytest.raises(ModelFileError, match=r"classifier\.npz: cannot read the model's arrays"):
        load(saved)


def test_truncated_meta_is_a_clear_error(saved: Path) -> None:
    text = (saved / "meta.json").read_text()
    (saved / "meta.json").write_text(text[: len(text) // 2])
    with pytest.raises(ModelFileError, match=r"meta\.json: not valid JSON"):
        load(saved)


def test_arrays_that_do_not_fit_the_vocabulary_are_refused(saved: Path) -> None:
    with np.load(saved / "classifier.npz", allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    arrays["coef"] = arrays["coef"][:, :-3]
    np.savez(saved / "classifier.npz", **arrays)
    _rehash(saved)
    with pytest.raises(ModelFileError, match="do not fit"):
        load(saved)


# ---------------------------------------------------------- malicious input
class _Payload:
    """Unpickling this runs a shell command that creates a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickled_object_array_in_npz_never_runs(saved: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with np.load(saved / "classifier.npz", allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    arrays["word_idf"] = np.array([_Payload(marker)], dtype=object)
    np.savez(saved / "classifier.npz", **arrays)  # object arrays are pickled inside
    _rehash(saved)
    with pytest.raises(ModelFileError, match=r"classifier\.npz"):
        load(saved)
    assert not marker.exists()


def test_a_raw_pickle_in_place_of_the_arrays_never_runs(saved: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (saved / "classifier.npz").write_bytes(pickle.dumps(_Payload(marker)))
    _rehash(saved)
    with pytest.raises(ModelFileError, match=r"classifier\.npz"):
        load(saved)
    assert not marker.exists()


def test_a_pickle_in_place_of_the_json_never_runs(saved: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (saved / "classifier.json").write_bytes(pickle.dumps(_Payload(marker)))
    _rehash(saved)
    with pytest.raises(ModelFileError, match=r"classifier\.json"):
        load(saved)
    assert not marker.exists()


def test_an_unknown_file_listed_in_meta_is_refused(saved: Path) -> None:
    (saved / "model.pkl").write_bytes(b"not loaded")
    meta = json.loads((saved / "meta.json").read_text())
    meta["files"]["model.pkl"] = "0" * 64
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="does not know"):
        load(saved)


# ---------------------------------------------------- themes and versions
def test_theme_list_in_meta_that_disagrees_is_a_value_error(saved: Path) -> None:
    meta = json.loads((saved / "meta.json").read_text())
    meta["themes"] = meta["themes"][:-1]
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"lists themes .* but the classifier predicts"):
        load(saved)


def test_model_from_a_newer_itunlp_warns_with_both_versions(saved: Path) -> None:
    meta = json.loads((saved / "meta.json").read_text())
    meta["itunlp_version"] = "99.1.0"
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.warns(
        UserWarning, match=rf"itunlp 99\.1\.0, newer than this itunlp {itunlp.__version__}"
    ):
        model = load(saved)
    assert model.themes


def test_model_from_an_older_patch_release_does_not_warn(saved: Path) -> None:
    meta = json.loads((saved / "meta.json").read_text())
    meta["itunlp_version"] = "0.0.1"
    (saved / "meta.json").write_text(json.dumps(meta))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(saved)


def test_a_newer_model_format_is_refused(saved: Path) -> None:
    meta = json.loads((saved / "meta.json").read_text())
    meta["format_version"] = 99
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="newer than this itunlp reads"):
        load(saved)


# -------------------------------------------------------------- atomic save
def test_crash_mid_save_leaves_the_previous_model_intact(
    saved: Path, model: ThemeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = load(saved).predict_proba(PROBES)
    write_bytes = persistence._write_bytes
    calls = {"n": 0}

    def crash_on_second_file(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full (simulated crash)")
        write_bytes(path, data)

    monkeypatch.setattr(persistence, "_write_bytes", crash_on_second_file)
    other = ThemeModel(_classifier(), meta={"name": "replacement"})
    with pytest.raises(OSError, match="simulated crash"):
        other.save(saved)
    monkeypatch.undo()
    after = load(saved)
    assert after.meta["name"] == "tiny"
    pd.testing.assert_frame_equal(after.predict_proba(PROBES), before)
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]  # no temp folder left


def test_crash_during_the_final_rename_restores_the_old_model(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replace = os.replace
    calls = {"n": 0}

    def fail_second_rename(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:  # old moved aside, new one fails to move in
            raise OSError("rename failed (simulated)")
        return replace(src, dst)

    monkeypatch.setattr(persistence.os, "replace", fail_second_rename)
    with pytest.raises(OSError, match="simulated"):
        ThemeModel(_classifier(), meta={"name": "replacement"}).save(saved)
    monkeypatch.undo()
    assert load(saved).meta["name"] == "tiny"


def test_saving_over_a_model_replaces_it(saved: Path) -> None:
    ThemeModel(_classifier(), meta={"name": "second"}).save(saved)
    assert load(saved).meta["name"] == "second"
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def test_a_folder_that_is_not_a_model_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("precious")
    with pytest.raises(ValueError, match="is not an itunlp model folder"):
        save_model_folder(tmp_path, _classifier())
    assert (tmp_path / "notes.txt").read_text() == "precious"


def test_a_placeholder_only_folder_may_become_a_model(tmp_path: Path) -> None:
    folder = tmp_path / "default"
    folder.mkdir()
    (folder / ".gitkeep").write_text("")
    save_model_folder(folder, _classifier())
    assert load_model_folder(folder).classifier.classes_.size == 9


def test_unfitted_classifier_cannot_be_saved(tmp_path: Path) -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        save_model_folder(tmp_path / "x", ThemeClassifier())


def test_saved_files_are_plain_json_and_npz(saved: Path) -> None:
    for name in ("meta.json", "classifier.json", "themes.json"):
        json.loads((saved / name).read_text())
    assert (saved / "classifier.npz").read_bytes()[:2] == b"PK"  # a zip of .npy arrays


def test_prior_themes_survive_the_round_trip(tmp_path: Path) -> None:
    classifier = _classifier()
    classifier_copy = ThemeModel(classifier).save(tmp_path / "p")
    state = json.loads((classifier_copy / "classifier.json").read_text())
    assert state["prior_themes"] == classifier.prior_themes_
    assert load(classifier_copy).classifier.prior_themes_ == classifier.prior_themes_


def test_saved_model_folder_is_readable_by_others(tmp_path):
    import stat

    from itunlp.pipeline import load

    load().save(tmp_path / "copy")
    mode = stat.S_IMODE((tmp_path / "copy").stat().st_mode)
    assert mode & 0o055 == 0o055  # group and others may list and enter it


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("how", ["save", "load"])
def test_leftovers_of_killed_saves_are_removed_on_the_next_save_or_load(
    saved: Path, model: ThemeModel, how: str
) -> None:
    from itunlp._staging import _host_tag

    parent, host = saved.parent, _host_tag()
    dead = parent / f".tiny.saving-{host}-{_dead_pid()}-abc123"
    old_style = parent / ".tiny.saving-xyz789"  # no owner in the name, untouched for two days
    running = parent / f".tiny.saving-{host}-{os.getppid()}-def456"  # its process is alive
    elsewhere = parent / ".tiny.saving-0123abcd-1-ghi789"  # another machine, recent
    other_model = parent / f".other.saving-{host}-{_dead_pid()}-jkl012"
    for folder in (dead, old_style, running, elsewhere, other_model):
        folder.mkdir()
        (folder / "classifier.json").write_text("{}")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old_style, (two_days_ago, two_days_ago))
    if how == "save":
        model.save(saved)
    else:
        itunlp.load(saved)
    left = sorted(p.name for p in parent.iterdir() if p.name.startswith("."))
    assert left == sorted([running.name, elsewhere.name, other_model.name])
