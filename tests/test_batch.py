"""Batch classification: input order, identical results across engines, failures, streaming."""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from itunlp.documents import DocumentError, read_document
from itunlp.run.batch import (
    SEGMENT_COLUMNS,
    classify_documents,
    clause_columns,
    segment_documents,
    stream_clauses,
)
from itunlp.segmentation.component import split_into_clauses

RESOLUTION = """RESOLUTION 70 (REV. BUCHAREST, 2022)

Mainstreaming a gender perspective in ITU

The Plenipotentiary Conference of the International Telecommunication Union (Bucharest, 2022),

considering

a) that women and girls remain under-represented in engineering;
b) that broadband access in rural areas is still limited;

resolves

1 to connect schools and refugee settlements to the Internet;
2 to encourage women engineers to join study groups.
"""


class FakeModel:
    """The ThemeModel interface in a few lines: keyword scores, fixed thresholds.

    Unpickling appends a line to ``log`` (if set), so a test can count how many
    times workers loaded the model.
    """

    themes: ClassVar[list[str]] = ["gender", "connectivity"]
    thresholds: ClassVar[dict[str, float]] = {"gender": 0.5, "connectivity": 0.5}

    def __init__(self, log: str | None = None) -> None:
        self.log = log

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.log:
            with open(self.log, "a", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()}\n")

    def segment(self, text: str):
        return split_into_clauses(text)

    def predict_proba(self, texts, functions=None):
        return pd.DataFrame(
            {
                "gender": [0.9 if "women" in t.lower() else 0.1 for t in texts],
                "connectivity": [
                    0.8 if any(w in t.lower() for w in ("connect", "broadband")) else 0.2
                    for t in texts
                ],
            }
        )

    def explain(self, text: str, function: str = "", top: int = 5):
        return {"gender": [("women", 1.25)]} if "women" in text.lower() else {}


@pytest.fixture
def corpus(tmp_path: Path) -> list[Path]:
    """Twelve small resolutions in three encodings and two text formats."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    paths = []
    for i in range(12):
        text = RESOLUTION.replace("70", str(70 + i)) + f"\nThe conference noted item {i}.\n"
        path = folder / f"res{70 + i}.{'md' if i % 4 == 0 else 'txt'}"
        path.write_bytes(text.encode(["utf-8", "utf-16", "cp1252"][i % 3]))
        paths.append(path)
    return paths


# ----------------------------------------------------------------------- the table


def test_columns_are_in_the_documented_order(corpus):
    table = classify_documents(FakeModel(), corpus[:2], explain=True)
    assert list(table.columns) == [
        "doc_id", "path", "page", "clause_id", "start", "end", "text", "function",
        "themes", "score_gender", "score_connectivity", "explanation",
    ]  # fmt: skip
    assert list(segment_documents(corpus[:2]).columns) == SEGMENT_COLUMNS


def test_offsets_index_the_document_text_and_ids_count_from_001(corpus):
    table = classify_documents(FakeModel(), corpus[:3])
    for path, rows in table.groupby("path", sort=False):
        text = read_document(path).text
        assert all(text[s:e] == t for s, e, t in zip(rows.start, rows.end, rows.text, strict=True))
        doc_id = rows.doc_id.iloc[0]
        assert rows.clause_id.tolist() == [f"{doc_id}-{i:03d}" for i in range(1, len(rows) + 1)]


def test_themes_are_the_scores_at_or_above_each_threshold(corpus):
    table = classify_documents(FakeModel(), corpus[:1])
    women = table[table.text.str.contains("women")]
    assert all("gender" in themes for themes in women.themes)
    assert table.loc[table.score_gender < 0.5, "themes"].map(lambda t: "gender" not in t).all()


def test_input_order_is_kept_not_sorted(corpus):
    order = [corpus[5], corpus[0], corpus[9]]
    table = classify_documents(FakeModel(), order)
    assert table.doc_id.unique().tolist() == ["res75", "res70", "res79"]


def test_texts_paths_and_folders_mix_in_one_call(corpus, tmp_path):
    table = classify_documents(
        FakeModel(), ["Women engineers are few.", corpus[0].parent, Path(corpus[1])]
    )
    doc_ids = table.doc_id.unique().tolist()
    assert doc_ids[0].startswith("text-")
    assert doc_ids[1:13] == [f"res{70 + i}" for i in range(12)]  # folder, natural order
    assert doc_ids[13] == "res71#2"  # the same file again gets its own id


def test_a_string_ending_in_a_document_extension_is_a_missing_path_not_a_text(tmp_path):
    table = segment_documents([str(tmp_path / "typo.pdf")], on_error="collect")
    assert table.empty
    assert table.attrs["failures"] == [(str(tmp_path / "typo.pdf"), "no such file or folder")]


def test_glob_patterns_expand_in_sorted_order(corpus):
    pattern = str(corpus[0].parent / "res7*.md")
    table = segment_documents(pattern)
    assert table.doc_id.unique().tolist() == ["res70", "res74", "res78"]


def test_folders_need_recursive_for_subfolders(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text("The conference resolves.", encoding="utf-8")
    shallow = segment_documents(tmp_path / "a", on_error="collect")
    assert "recursive=True" in shallow.attrs["failures"][0][1]
    deep = segment_documents(tmp_path / "a", recursive=True)
    assert deep.doc_id.tolist() == ["deep"]


def test_pdf_clauses_carry_their_page(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in ("Women engineers were elected to the Board.", "Schools must be connected."):
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    pdf.output(str(tmp_path / "two.pdf"))
    table = classify_documents(FakeModel(), [tmp_path / "two.pdf"])
    assert table.page.tolist() == [1, 2]
    assert str(table.page.dtype) == "Int64"


def test_explanations_are_plain_lists(corpus):
    table = classify_documents(FakeModel(), corpus[:1], explain=True)
    women = table[table.text.str.contains("women")].explanation.iloc[0]
    assert women == {"gender": [["women", 1.25]]}


# ------------------------------------------------------------------------ failures


def test_failures_are_collected_and_the_rest_is_classified(corpus, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    inputs = [corpus[0], tmp_path / "empty.txt", tmp_path / "missing.docx", tmp_path / "broken.pdf"]
    with pytest.warns(UserWarning, match="3 document"):
        table = classify_documents(FakeModel(), [*inputs, corpus[1]])
    assert table.doc_id.unique().tolist() == ["res70", "res71"]
    reasons = dict(table.attrs["failures"])
    assert reasons[str(tmp_path / "empty.txt")] == "empty file"
    assert reasons[str(tmp_path / "missing.docx")] == "no such file or folder"
    assert reasons[str(tmp_path / "broken.pdf")].startswith("corrupt PDF")


def test_on_error_raise_and_callable(tmp_path, corpus):
    missing = tmp_path / "gone.txt"
    with pytest.raises(DocumentError, match="no such file"):
        classify_documents(FakeModel(), [missing], on_error="raise")
    seen = []
    classify_documents(FakeModel(), [missing, corpus[0]], on_error=lambda p, r: seen.append((p, r)))
    assert seen == [(str(missing), "no such file or folder")]


def test_a_model_that_fails_on_one_document_fails_only_that_document(corpus):
    class Picky(FakeModel):
        def segment(self, text):
            if "res73" in text or "RESOLUTION 73" in text:
                raise RuntimeError("cannot cope")
            return super().segment(text)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = classify_documents(Picky(), corpus[:5])
    assert "res73" not in set(table.doc_id)
    assert table.attrs["failures"] == [(str(corpus[3]), "RuntimeError: cannot cope")]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"engine": "spark"}, "engine must be one of local, dask"),
        ({"n_jobs": 0}, "n_jobs must be a non-zero int"),
        ({"chunk_size": 0}, "chunk_size must be a positive int"),
        ({"on_error": "ignore"}, "on_error must be one of warn, collect, raise"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(corpus, kwargs, error):
    with pytest.raises(ValueError, match=error):
        classify_documents(FakeModel(), corpus, **kwargs)


def test_a_non_model_is_a_type_error(corpus):
    with pytest.raises(TypeError, match="lacks themes, thresholds, segment, predict_proba"):
        classify_documents(object(), corpus)


# ----------------------------------------------------------------------- streaming


def test_stream_yields_bounded_chunks_that_add_up_to_the_whole(corpus):
    whole = classify_documents(FakeModel(), corpus)
    chunks = list(stream_clauses(FakeModel(), corpus, chunk_size=7))
    assert len(chunks) == math.ceil(len(whole) / 7)
    assert all(len(chunk) <= 7 for chunk in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_stream_of_a_generated_corpus_grows_chunks_not_chunk_size(tmp_path):
    """Four times the corpus gives four times the chunks, each no larger: memory is per chunk."""
    counts = {}
    for scale in (1, 4):
        folder = tmp_path / f"x{scale}"
        folder.mkdir()
        for i in range(10 * scale):
            (folder / f"doc{i}.txt").write_text(RESOLUTION * 3, encoding="utf-8")
        chunks = list(stream_clauses(None, folder, chunk_size=25))
        assert max(len(chunk) for chunk in chunks) == 25
        counts[scale] = len(chunks)
    assert counts[4] == pytest.approx(4 * counts[1], abs=1)


def test_a_large_text_file_is_streamed_in_blocks_with_whole_file_offsets(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(RESOLUTION * 400, encoding="utf-8")
    streamed = segment_documents(path, stream_bytes=10_000)
    text = path.read_text(encoding="utf-8")
    assert len(streamed) >= 400 * 4
    assert all(
        text[s:e] == t for s, e, t in zip(streamed.start, streamed.end, streamed.text, strict=True)
    )
    assert streamed.clause_id.is_unique
    assert streamed.clause_id.iloc[-1] == f"big-{len(streamed):03d}"
    assert streamed.start.is_monotonic_increasing
    in_parallel = segment_documents(path, stream_bytes=10_000, n_jobs=2)
    pd.testing.assert_frame_equal(in_parallel, streamed)  # blocks of one file, two workers


# ------------------------------------------------------------------ parallel engines


def test_two_processes_give_the_same_table_as_one(corpus, tmp_path):
    log = tmp_path / "loads.log"
    inputs = [corpus[3], "Women engineers and broadband.", *corpus[4:], *corpus[:3]]
    one = classify_documents(FakeModel(str(log)), inputs, explain=True)
    two = classify_documents(FakeModel(str(log)), inputs, explain=True, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
    # The model reached each worker process once, not once per document.
    assert 1 <= len(log.read_text().split()) <= 2


@pytest.mark.slow
def test_dask_engine_gives_the_same_table_and_loads_the_model_once_per_worker(corpus, tmp_path):
    distributed = pytest.importorskip("distributed")
    log = tmp_path / "loads.log"
    inputs = [*corpus, tmp_path / "missing.txt", "Connect schools, women engineers."]
    local = classify_documents(FakeModel(), inputs, on_error="collect")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        dask = classify_documents(
            FakeModel(str(log)), inputs, engine="dask", scheduler=cluster, on_error="collect"
        )
    pd.testing.assert_frame_equal(local, dask)
    assert dask.attrs["failures"] == local.attrs["failures"]
    assert 1 <= len(log.read_text().split()) <= 2  # one load per worker, 14 documents


def test_model_classify_runs_this_function_on_the_default_model(corpus):
    import itunlp

    model = itunlp.load()
    table = model.classify(corpus[:3], explain=True)
    pd.testing.assert_frame_equal(table, classify_documents(model, corpus[:3], explain=True))
    assert list(table.columns) == clause_columns(model.themes, explain=True)
    assert table.themes.map(len).sum() > 0


def test_clause_columns_match_the_model():
    assert clause_columns(["a"]) == [*SEGMENT_COLUMNS, "themes", "score_a"]
    assert clause_columns(None) == SEGMENT_COLUMNS
