"""Classifying fast (issue 13): batched tables, loading without scikit-learn, old models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import itunlp
from itunlp.persistence import ModelFileError, load_model_folder
from itunlp.run import worker
from itunlp.run.batch import classify_documents

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed" / "itu-pp22-dispatch.txt"


@pytest.fixture(scope="module")
def model():
    return itunlp.load()


def _documents() -> list[str]:
    texts = [p.read_text(encoding="utf-8-sig") for p in sorted((ROOT / "data").rglob("*.txt"))]
    return [t for t in texts if t.strip()][:40]


def test_batched_table_equals_the_table_document_by_document(model, monkeypatch):
    docs = _documents()
    batched = classify_documents(model, docs)
    monkeypatch.setattr(worker, "BATCH_CLAUSES", 1)  # one document per batch
    alone = classify_documents(model, docs)
    pd.testing.assert_frame_equal(batched, alone)
    # And the probabilities are those of the scikit-learn estimator on the same clauses,
    # read as the classifier reads them (clean_text: wraps joined, hyphenation undone).
    # With the context the batched path passes: each clause's neighbours in its own
    # document and its section title.
    clean, prev, following = [], [], []
    for doc in docs:
        own = [c.clean_text for c in model.segment(doc)]
        clean += own
        prev += ["", *own[:-1]] if own else []
        following += [*own[1:], ""] if own else []
    assert len(clean) == len(batched)
    expected = model.classifier.predict_proba(
        pd.DataFrame(
            {
                "text": clean,
                "function": batched["function"].tolist(),
                "prev_text": prev,
                "next_text": following,
                "section_title": batched["section_title"].tolist(),
            }
        )
    )
    scores = batched[[f"score_{t}" for t in model.themes]].to_numpy()
    np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-9)
    cutoffs = np.array([model.thresholds[t] for t in model.themes])
    hits = expected >= cutoffs
    assert batched["themes"].tolist() == [
        [t for t, on in zip(model.themes, row, strict=True) if on] for row in hits
    ]


def test_small_batches_give_the_same_table(model):
    docs = _documents()[:12]
    whole = classify_documents(model, docs)
    results = list(
        worker._run_tasks(
            worker._InProcessModel(model),
            iter(
                worker._Task(
                    i, True, f"d{i}", None, document=itunlp.documents.Document.from_text(d)
                )
                for i, d in enumerate(docs)
            ),
            False,
            10**9,
            10**6,
            batch_clauses=7,
        )
    )
    frames = [r.frame for r in results if r.frame is not None and len(r.frame)]
    table = pd.concat(frames, ignore_index=True)
    columns = [c for c in whole.columns if c not in ("doc_id", "path", "clause_id")]
    pd.testing.assert_frame_equal(table[columns], whole[columns])


def test_a_failing_document_fails_alone_in_its_batch(model, monkeypatch):
    docs = ["resolves\n\n1 to connect schools;", "BOOM to report to the Council.", "Women in ICT."]
    real = type(model).score_clauses

    def flaky(self, texts, functions):
        if any("BOOM" in t for t in texts):
            raise RuntimeError("bad clause")
        return real(self, texts, functions)

    monkeypatch.setattr(type(model), "score_clauses", flaky)
    table = classify_documents(model, docs, on_error="collect")
    assert len(table.attrs["failures"]) == 1
    assert "RuntimeError: bad clause" in table.attrs["failures"][0][1]
    assert set(table["text"]) == {"to connect schools;", "Women in ICT."}


def test_loading_and_classifying_import_no_scikit_learn_scipy_or_spacy(tmp_path):
    out = tmp_path / "out.csv"
    code = f"""
import sys
from itunlp.cli import main
try:
    main(["classify", {str(SEED)!r}, "-o", {str(out)!r}, "-q"], standalone_mode=False)
finally:
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "scipy", "spacy"))
    print("HEAVY", heavy)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout, done.stdout
    table = pd.read_csv(out)
    assert len(table) > 20 and "score_gender" in table.columns


def test_load_without_scikit_learn_then_restore_it_lazily(model):
    code = """
import sys, itunlp
m = itunlp.load()
m.predict(["Spectrum for satellites."])
assert not any(k.split(".")[0] in ("sklearn", "scipy") for k in sys.modules), "eager"
assert type(m.classifier).__name__ == "ThemeClassifier"
print("OK")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0 and "OK" in done.stdout, done.stderr


def test_the_fast_and_restored_paths_agree_on_the_default_model(model):
    clauses = pd.DataFrame(
        {
            "text": [
                "to connect schools in rural areas;",
                "The financial security of the Union",
                "Women engineers were elected to the Radio Regulations Board.",
                "",
            ],
            "function": ["resolves", "", "noting", "considering further"],
        }
    )
    fast = model.predict_proba(clauses)
    slow = model.classifier.predict_proba(clauses)
    np.testing.assert_allclose(fast.to_numpy(), slow, rtol=0, atol=1e-9)
    assert model.predict(clauses) == [
        [t for t, on in zip(model.themes, row, strict=True) if on]
        for row in model.classifier.predict(clauses)
    ]
    for text, function in zip(clauses["text"], clauses["function"], strict=True):
        assert model.explain(text, function) == model.classifier.explain(text, function)


def test_a_model_folder_with_bad_weights_names_the_problem(model, tmp_path):
    folder = model.save(tmp_path / "m")
    state = json.loads((folder / "classifier.json").read_text())
    state["vocabulary"]["word"] = state["vocabulary"]["word"][:-1]
    (folder / "classifier.json").write_text(json.dumps(state))
    meta = json.loads((folder / "meta.json").read_text())
    import hashlib

    meta["files"]["classifier.json"] = hashlib.sha256(
        (folder / "classifier.json").read_bytes()
    ).hexdigest()
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="classifier"):
        load_model_folder(folder)


def test_pickled_model_is_small_and_predicts_the_same(model):
    import pickle

    model.predict(["warm the caches with some words"])
    clone = pickle.loads(pickle.dumps(model))
    texts = ["Broadband for rural schools.", "Spectrum at WRC-23."]
    assert clone.predict(texts) == model.predict(texts)


def test_object_columns_keep_equal_length_lists_as_lists():
    values = worker._objects([["gender"], ["connectivity"]])
    assert values.shape == (2,) and values[0] == ["gender"] and values[1] == ["connectivity"]
    assert worker._objects([]).shape == (0,)
