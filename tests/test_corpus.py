"""Label files: read from JSONL/CSV/DataFrames, every validation error named by file and row."""

import json
from pathlib import Path

import pandas as pd
import pytest

from itunlp._resources import data_dir
from itunlp.labels.corpus import (
    RECORD_COLUMNS,
    LabelError,
    files_sha256,
    frame_sha256,
    load_shipped_corpus,
    merge_labels,
    read_labels,
    shipped_documents,
)
from itunlp.themes import load_themes


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_smallest_csv_has_text_and_themes(tmp_path: Path):
    path = tmp_path / "labels.csv"
    path.write_text(
        'text,themes\n"Girls in ICT Day was marked.",gender\n'
        '"Spectrum for IMT was identified.","space_spectrum; connectivity"\n'
        '"Thank you, Chair.",\n',
        encoding="utf-8",
    )
    frame = read_labels(path)
    assert list(frame.columns) == RECORD_COLUMNS
    assert frame["themes"].tolist() == [["gender"], ["space_spectrum", "connectivity"], []]
    assert frame["start"].isna().all()


def test_csv_themes_may_be_a_json_list(tmp_path: Path):
    path = tmp_path / "labels.csv"
    path.write_text('text,themes\nA CIRT was set up.,"[""cybersecurity""]"\n', encoding="utf-8")
    assert read_labels(path).loc[0, "themes"] == ["cybersecurity"]


def test_jsonl_round_trip_keeps_every_field(tmp_path: Path):
    row = {
        "doc_id": "d",
        "clause_id": "d-001",
        "start": 0,
        "end": 12,
        "text": "Hello world.",
        "function": "Considering",
        "themes": [],
        "source": "test",
        "annotator": "me",
        "note": "n",
    }
    frame = read_labels(
        write_jsonl(tmp_path / "a.jsonl", [row]), documents={"d": "Hello world. More."}
    )
    again_path = tmp_path / "b.jsonl"
    frame.to_json(again_path, orient="records", lines=True, force_ascii=False)
    again = read_labels(again_path)
    assert again.loc[0, "function"] == "considering"
    assert again.iloc[0].drop("themes").to_dict() == frame.iloc[0].drop("themes").to_dict()


def test_dataframe_input_is_validated_like_a_file():
    with pytest.raises(LabelError, match="DataFrame row 2: empty text"):
        read_labels(pd.DataFrame({"text": ["ok", " "], "themes": [[], []]}))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text\nHello\n", r"labels\.csv: missing column\(s\) themes"),
        ("text,themes\n,gender\n", r"labels\.csv row 1: empty text"),
        ("text,themes\nok,cyber\n", r"Unknown theme 'cyber' in .*labels\.csv row 1 \(did you mean"),
        ('text,themes\nok,"[""a"\n', r"row 1: themes .* do not parse"),
        ("text,themes,start,end\nok,,3,\n", "give both start and end, or neither"),
        ("text,themes,start,end\nok,,5,2\n", "end 2 must be greater than start 5"),
        ("text,themes,start,end\nok,,x,2\n", "start 'x' is not a whole number"),
        (
            "text,themes\nA CIRT.,cybersecurity\nA  CIRT.,gender\n",
            r"row 2: the same clause is labelled \['gender'\] here and \['cybersecurity'\] at",
        ),
    ],
)
def test_bad_csv_rows_name_file_row_and_problem(tmp_path: Path, content, message):
    path = tmp_path / "labels.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelError, match=message):
        read_labels(path)


def test_offsets_that_do_not_hold_the_text_are_rejected(tmp_path: Path):
    path = write_jsonl(
        tmp_path / "l.jsonl",
        [{"doc_id": "d", "start": 0, "end": 5, "text": "Hullo", "themes": []}],
    )
    with pytest.raises(
        LabelError, match=r"l\.jsonl line 1: offsets 0-5 of document 'd' hold 'Hello'"
    ):
        read_labels(path, documents={"d": "Hello world"})


def test_offsets_are_not_checked_without_the_document(tmp_path: Path):
    path = write_jsonl(
        tmp_path / "l.jsonl", [{"doc_id": "d", "start": 0, "end": 5, "text": "Hullo", "themes": []}]
    )
    assert read_labels(path).loc[0, "end"] == 5


def test_invalid_json_line_is_named(tmp_path: Path):
    path = tmp_path / "l.jsonl"
    path.write_text('{"text": "a", "themes": []}\n{oops\n', encoding="utf-8")
    with pytest.raises(LabelError, match=r"l\.jsonl line 2: not valid JSON"):
        read_labels(path)


def test_non_utf8_file_is_named(tmp_path: Path):
    path = tmp_path / "l.csv"
    path.write_bytes(b"text,themes\ncaf\xe9,\n")
    with pytest.raises(LabelError, match=r"l\.csv: not UTF-8 text"):
        read_labels(path)


def test_unsupported_extension_and_missing_file(tmp_path: Path):
    path = tmp_path / "l.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(LabelError, match=r"unsupported label file type '\.xlsx'"):
        read_labels(path)
    with pytest.raises(FileNotFoundError, match="Label file not found"):
        read_labels(tmp_path / "none.csv")


def test_very_long_text_is_rejected_with_advice(tmp_path: Path):
    with pytest.raises(LabelError, match="split it first"):
        read_labels(pd.DataFrame({"text": ["word " * 10_000], "themes": [[]]}))


def test_exact_repeats_are_dropped_not_rejected():
    frame = read_labels(
        pd.DataFrame({"text": ["A CIRT.", "A CIRT."], "themes": ["cybersecurity"] * 2})
    )
    assert len(frame) == 1


def test_merge_labels_lets_the_update_win():
    base = read_labels(pd.DataFrame({"text": ["A", "B"], "themes": [["gender"], []]}))
    update = read_labels(pd.DataFrame({"text": ["A", "C"], "themes": [["connectivity"], []]}))
    merged = merge_labels(base, update)
    assert sorted(map(tuple, merged["themes"])) == [(), (), ("connectivity",)]


def test_seed_corpus_offsets_are_exact_and_clauses_do_not_overlap():
    document = (data_dir() / "seed" / "itu-pp22-dispatch.txt").read_text(encoding="utf-8")
    frame = load_shipped_corpus(parts=["seed"])
    assert 60 <= len(frame) <= 90
    previous_end = 0
    for start, end, text in zip(frame["start"], frame["end"], frame["text"], strict=True):
        assert document[start:end] == text
        assert text == text.strip()
        assert start >= previous_end
        previous_end = end


def test_seed_text_is_the_shared_dispatch_unchanged():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seed" / "itu-pp22-dispatch.txt"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert (data_dir() / "seed" / "itu-pp22-dispatch.txt").read_bytes() == shared.read_bytes()


def test_every_theme_the_dispatch_touches_is_labelled_in_the_seed():
    labelled = {t for themes in load_shipped_corpus(parts=["seed"])["themes"] for t in themes}
    assert labelled == set(load_themes().ids)


def test_whole_shipped_corpus_validates():
    frame = load_shipped_corpus()
    assert set(frame["doc_id"]) >= {"itu-pp22-dispatch"}
    assert "itu-pp22-dispatch" in shipped_documents()


def test_hashes_are_stable_and_order_independent(tmp_path: Path):
    frame = read_labels(pd.DataFrame({"text": ["A", "B"], "themes": [["gender"], []]}))
    assert frame_sha256(frame) == frame_sha256(frame.iloc[::-1])
    path = tmp_path / "x.txt"
    path.write_text("x", encoding="utf-8")
    assert files_sha256([path])[str(path)].startswith("2d711642")


def test_csv_cells_keep_their_line_breaks(tmp_path: Path):
    path = tmp_path / "labels.csv"
    path.write_text('text,themes\n"The Union shall\npromote broadband.",connectivity\n', "utf-8")
    assert read_labels(path).loc[0, "text"] == "The Union shall\npromote broadband."


def test_non_string_text_says_what_it_got():
    with pytest.raises(LabelError, match="text must be a string, got int 42"):
        read_labels(pd.DataFrame({"text": [42], "themes": [[]]}))


def test_retired_theme_is_dropped_from_shipped_labels_but_rejected_in_user_labels(tmp_path: Path):
    shipped = Path(load_themes().source).read_text(encoding="utf-8")
    path = tmp_path / "themes.toml"
    path.write_text(
        shipped.replace('id = "human_rights"\n', 'id = "human_rights"\nretired = true\n'), "utf-8"
    )
    scheme = load_themes(path)
    frame = load_shipped_corpus(parts=["seed"], scheme=scheme)
    assert not any("human_rights" in themes for themes in frame["themes"])
    with pytest.raises(LabelError, match="Theme 'human_rights' in DataFrame row 1 is retired"):
        read_labels(pd.DataFrame({"text": ["x"], "themes": [["human_rights"]]}), scheme=scheme)
