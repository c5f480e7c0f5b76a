"""Malformed label files against ``read_labels`` and ``itunlp train``.

Label files come back from spreadsheets and annotation tools edited by people:
broken JSON, numbers where text belongs, themes nobody defined, offsets that no
longer fit, the same clause labelled twice two ways, a whole document pasted in
one cell, and cells crafted to run as spreadsheet formulas. Each must be
refused with a :class:`LabelError` that names the file and the row (never a
traceback from deep inside a parser), and ``itunlp train`` must refuse it before
writing any model folder.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from itunlp.labels.corpus import LabelError, read_labels

GOOD = {"text": "Broadband must reach every rural school.", "themes": ["connectivity"]}
FORMULA = "=cmd|' /C calc'!A0"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _jsonl(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def _row(**fields: object) -> str:
    return json.dumps({**GOOD, **fields})


# kind -> (file name, file content, regex the message must match). The row's
# location is part of every pattern: a person must be able to find the row.
MALFORMED: dict[str, tuple[str, str, str]] = {
    "bad JSON": (
        "l.jsonl",
        _jsonl(_row(), '{"text": "x", "themes": [}'),
        r"line 2.*not valid JSON",
    ),
    "truncated JSON line": ("l.jsonl", _jsonl(_row(), '{"text": "A clause'), r"line 2.*JSON"),
    "array instead of object": ("l.jsonl", _jsonl('["text", "themes"]'), r"line 1.*JSON object"),
    "missing themes field": ("l.jsonl", _jsonl('{"text": "A clause."}'), r"line 1.*missing"),
    "missing text field": ("l.jsonl", _jsonl('{"themes": []}'), r"line 1.*missing"),
    "null text": ("l.jsonl", _jsonl(_row(text=None)), r"line 1.*text"),
    "blank text": ("l.jsonl", _jsonl(_row(text=" \t\n")), r"line 1.*empty text"),
    "number text": ("l.jsonl", _jsonl(_row(text=42)), r"line 1.*text"),
    "list text": ("l.jsonl", _jsonl(_row(text=["a", "b"])), r"line 1.*text"),
    "number themes": ("l.jsonl", _jsonl(_row(themes=7)), r"line 1.*themes must be"),
    "object themes": ("l.jsonl", _jsonl(_row(themes={"a": 1})), r"line 1.*themes must be"),
    "non-text theme": ("l.jsonl", _jsonl(_row(themes=[1])), r"line 1.*theme 1 is not text"),
    "broken JSON-list themes": (
        "l.jsonl",
        _jsonl(_row(themes='["connectivity"')),
        r"line 1.*do not parse",
    ),
    "unknown theme": (
        "l.jsonl",
        _jsonl(_row(), _row(text="Another clause.", themes=["cyber"])),
        r"cyber.*line 2|line 2.*cyber",
    ),
    "negative offset": ("l.jsonl", _jsonl(_row(start=-1, end=5)), r"line 1.*start -1"),
    "fractional offset": ("l.jsonl", _jsonl(_row(start=1.5, end=5)), r"line 1.*start 1.5"),
    "text offset": ("l.jsonl", _jsonl(_row(start="abc", end=5)), r"line 1.*start 'abc'"),
    "infinite offset": ("l.jsonl", _jsonl(_row(start=0, end=1e400)), r"line 1.*end"),
    "start without end": ("l.jsonl", _jsonl(_row(start=0)), r"line 1.*both start and end"),
    "end before start": ("l.jsonl", _jsonl(_row(start=9, end=3)), r"line 1.*greater than start"),
    "conflicting duplicates": (
        "l.jsonl",
        _jsonl(_row(), _row(themes=["gender"])),
        r"line 2.*labelled.*line 1",
    ),
    "conflicting duplicates across whitespace": (
        "l.jsonl",
        _jsonl(_row(), _row(text=GOOD["text"].replace(" ", "  \n"), themes=[])),
        r"line 2.*labelled",
    ),
    "100k-char text": ("l.jsonl", _jsonl(_row(text="word " * 20_000)), r"line 1.*100,000"),
    "deeply nested JSON": (
        "l.jsonl",
        _jsonl('{"text": "A clause.", "themes": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        r"line 1",
    ),
    "CSV missing themes column": ("l.csv", "text\nA clause.\n", r"missing column.*themes"),
    "CSV header only": ("l.csv", "text,themes\n", r"no labelled clauses"),
    "CSV unknown theme": ("l.csv", "text,themes\nA clause.,connectivity;cyber\n", r"row 1.*cyber"),
    "CSV formula in themes": ("l.csv", f'text,themes\nA clause.,"{FORMULA}"\n', r"row 1.*theme"),
    "CSV ragged row": ("l.csv", "text,themes,start,end\nA clause.,,3\n", r"row 1.*start and end"),
    "empty JSONL": ("l.jsonl", "", r"no labelled clauses"),
    "whitespace JSONL": ("l.jsonl", "\n \n\t\n", r"no labelled clauses"),
    "unsupported extension": ("l.xlsx", "PK\x03\x04", r"unsupported label file type"),
    "Label Studio truncated": ("l.json", '[{"data": ', r"not valid JSON"),
    "Label Studio wrong shape": ("l.json", '{"a": 1}', r"task"),
}


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_read_labels_refuses_malformed_rows_naming_file_and_row(tmp_path: Path, kind: str) -> None:
    name, content, pattern = MALFORMED[kind]
    path = _write(tmp_path, name, content)
    with pytest.raises(LabelError, match=pattern) as caught:
        read_labels(path)
    assert path.name in str(caught.value)


def test_wrong_type_text_message_says_what_it_got(tmp_path: Path) -> None:
    """STYLE: a message says what it got; a number is not an "empty text"."""
    path = _write(tmp_path, "l.jsonl", _jsonl(_row(text=42)))
    with pytest.raises(LabelError, match=r"42|int") as caught:
        read_labels(path)
    assert "empty" not in str(caught.value)


def test_offsets_out_of_the_documents_range_are_refused(tmp_path: Path) -> None:
    document = "Broadband must reach every rural school."
    path = _write(
        tmp_path, "l.jsonl", _jsonl(_row(doc_id="d", start=500, end=540), _row(text="x."))
    )
    with pytest.raises(LabelError, match=r"line 1.*offsets 500-540"):
        read_labels(path, documents={"d": document})


def test_offsets_that_no_longer_hold_the_text_are_refused(tmp_path: Path) -> None:
    document = "Intro. Broadband must reach every rural school."
    path = _write(tmp_path, "l.jsonl", _jsonl(_row(doc_id="d", start=0, end=6)))
    with pytest.raises(LabelError, match=r"line 1.*edited"):
        read_labels(path, documents={"d": document})


def test_non_utf8_label_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "l.csv", "text,themes\nCaf\xe9 connectivity.,connectivity\n".encode("cp1252")
    )
    with pytest.raises(LabelError, match=r"not UTF-8.*save the file as UTF-8"):
        read_labels(path)


def test_missing_label_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not found"):
        read_labels(tmp_path / "nope.jsonl")


def test_exact_duplicates_are_kept_once(tmp_path: Path) -> None:
    path = _write(tmp_path, "l.jsonl", _jsonl(_row(), _row(), _row(themes="connectivity")))
    assert len(read_labels(path)) == 1


@pytest.mark.parametrize(
    "text",
    [
        FORMULA,
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\tTab-led clause.",
        "A clause with \x00 a NUL byte.",
        "قرر المؤتمر تعزيز الأمن السيبراني.",
        "全权代表大会决定加强网络安全。",
        "Women in ICT 👩🏽‍💻 lead.",
    ],
    ids=["formula", "plus", "minus", "at", "tab", "nul", "arabic", "chinese", "emoji"],
)
def test_odd_but_valid_texts_are_read_verbatim_from_csv_and_jsonl(
    tmp_path: Path, text: str
) -> None:
    jsonl = _write(tmp_path, "l.jsonl", _jsonl(_row(text=text)))
    assert read_labels(jsonl).loc[0, "text"] == text
    buffer = tmp_path / "l.csv"
    with buffer.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["text", "themes"], [text, "connectivity"]])
    assert read_labels(buffer).loc[0, "text"] == text


@pytest.mark.parametrize(
    "text",
    ["Line one\nline two.", "A\u2028B.", "A\x0cB.", "A\x85B."],
    ids=["LF", "LINE SEPARATOR", "form feed", "NEL"],
)
def test_csv_cells_keep_their_line_breaks(tmp_path: Path, text: str) -> None:
    """A clause wrapped over lines (PDF text) must come back from CSV exactly.

    ``itunlp suggest`` writes such clauses with their offsets; if the reader loses
    the newline, ``itunlp train`` sees edited text and refuses the file.
    """
    path = tmp_path / "l.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["text", "themes"], [text, "connectivity"]])
    assert read_labels(path).loc[0, "text"] == text


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"], ids=["LS", "PS", "NEL"])
def test_jsonl_strings_may_hold_unicode_line_separators(tmp_path: Path, separator: str) -> None:
    """JSON Lines ends records at ``\\n`` only; other Unicode breaks are string content."""
    text = f"Clause one{separator}continued."
    record = json.dumps({**GOOD, "text": text}, ensure_ascii=False)
    path = _write(tmp_path, "l.jsonl", record + "\n")
    assert read_labels(path).loc[0, "text"] == text


def test_a_lone_surrogate_escape_is_a_label_error_naming_the_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "l.jsonl", '{"text": "Broadband \\ud800 for schools.", "themes": []}\n')
    with pytest.raises(
        LabelError, match=r"l\.jsonl line 1: text holds a lone surrogate \(\\ud800\)"
    ):
        read_labels(path)


def test_a_lone_surrogate_in_any_field_or_theme_is_named(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "l.jsonl",
        '{"text": "Fine.", "themes": []}\n{"text": "Fine too.", "themes": ["gender\\udc00"]}\n',
    )
    with pytest.raises(LabelError, match=r"line 2: themes holds a lone surrogate \(\\udc00\)"):
        read_labels(path)
    # Arrow strings refuse the surrogate; object columns (pandas' own choice on some
    # versions) pass it on to read_labels.
    frame = pd.DataFrame({"text": ["Fine."], "themes": [[]], "note": ["half \udfff"]}, dtype=object)
    with pytest.raises(LabelError, match="row 1: note holds a lone surrogate"):
        read_labels(frame)


def test_dataframe_with_wrong_types_is_refused_naming_the_row() -> None:
    frame = pd.DataFrame({"text": ["Fine clause.", 3.5], "themes": [["connectivity"], []]})
    with pytest.raises(LabelError, match="row 2"):
        read_labels(frame)


# --------------------------------------------------------------- itunlp train


def _cli() -> Callable:
    """The click group, skipping while a verb has not landed yet."""
    from itunlp.cli import main

    return main


def _require_verb(verb: str) -> None:
    if verb not in _cli().commands:
        pytest.skip(f"`itunlp {verb}` is not available yet")


TRAIN_KINDS = [
    "bad JSON",
    "number text",
    "unknown theme",
    "end before start",
    "conflicting duplicates",
    "100k-char text",
    "deeply nested JSON",
    "CSV missing themes column",
    "CSV formula in themes",
]


@pytest.mark.parametrize("kind", TRAIN_KINDS)
def test_train_refuses_malformed_labels_before_writing_a_model(tmp_path: Path, kind: str) -> None:
    _require_verb("train")
    name, content, _ = MALFORMED[kind]
    labels = _write(tmp_path, name, content)
    out = tmp_path / "models" / "new"
    result = CliRunner().invoke(_cli(), ["train", str(labels), "-o", str(out)])
    assert result.exit_code not in (0, None), result.output
    assert not isinstance(result.exception, RecursionError | KeyError | AttributeError), (
        f"crash instead of a clear error: {result.exception!r}"
    )
    assert labels.name in result.output and "Traceback" not in result.output, result.output
    assert not out.exists(), "a refused training run must not leave a model folder"


# ------------------------------------------------------- formula injection loop


@pytest.fixture
def formula_corpus(tmp_path: Path) -> Path:
    """Documents whose clauses start with spreadsheet formula triggers."""
    folder = tmp_path / "docs"
    folder.mkdir()
    lines = [
        f"{FORMULA} was found in a submission about cybersecurity incidents.",
        '=HYPERLINK("http://evil.example","click") appeared in the broadband annex.',
        "+SUM(1,2) is how the spectrum fees were computed.",
        "@SUM(A1) was pasted into the gender action plan.",
        "-1+1 was the vote count on the Internet governance resolution.",
        "The Conference resolved to connect every school by 2030.",
    ]
    (folder / "formulas.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _raw_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as stream:
        return [cell for row in csv.reader(stream) for cell in row]


def test_suggest_never_writes_a_formula_cell_and_train_reads_it_back(
    tmp_path: Path, formula_corpus: Path
) -> None:
    _require_verb("suggest")
    out = tmp_path / "to_label.csv"
    result = CliRunner().invoke(_cli(), ["suggest", str(formula_corpus), "-n", "6", "-o", str(out)])
    assert result.exit_code == 0, result.output
    unsafe = [c for c in _raw_cells(out) if c.startswith(FORMULA_TRIGGERS)]
    assert not unsafe, f"cells a spreadsheet would execute: {unsafe}"
    labels = read_labels(out)
    assert len(labels) >= 1
    assert not any(str(t).startswith(FORMULA_TRIGGERS) for t in labels["text"])
    if "train" in _cli().commands:
        model_dir = tmp_path / "retrained"
        # Without CV metrics the fit takes seconds; reading the file back is the point.
        trained = CliRunner().invoke(
            _cli(),
            ["train", str(out), "--no-metrics", "--cv-folds", "0", "-o", str(model_dir)],
        )
        assert trained.exit_code == 0, trained.output
        assert (model_dir / "meta.json").is_file()


def test_classify_output_csv_escapes_formula_cells(tmp_path: Path, formula_corpus: Path) -> None:
    _require_verb("classify")
    out = tmp_path / "clauses.csv"
    result = CliRunner().invoke(_cli(), ["classify", str(formula_corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    cells = _raw_cells(out)
    assert any(FORMULA in c for c in cells), "the formula clause itself must be kept"
    unsafe = [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    assert not unsafe, f"cells a spreadsheet would execute: {unsafe}"


# ------------------------------------------------------------- fuzzed files

_LABEL_PIECES = [
    '{"text": ', '"A clause."', ', "themes": ', '["connectivity"]', '"gender;cyber"', "}",
    '{"text": "x", "themes": []}', "[", "]", "{", '"', ",", ":", "\n", "\r\n", "\u2028",
    "null", "true", "1e400", "-1", "NaN", '"start": 3, "end": 1', "text,themes", "\x00",
    FORMULA, "\ufeff", "\\", '"\\ud800"', "connectivity;", "=1+1",
]  # fmt: skip
label_files = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(_LABEL_PIECES), max_size=50).map("".join),
    st.lists(st.one_of(st.sampled_from(_LABEL_PIECES), st.text(max_size=6)), max_size=40).map(
        "".join
    ),
)


@settings(max_examples=300, deadline=None)
@given(content=label_files, suffix=st.sampled_from([".jsonl", ".csv", ".tsv", ".json"]))
def test_any_label_file_gives_labels_or_a_label_error(content: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"labels{suffix}"
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
        try:
            frame = read_labels(path)
        except LabelError as error:
            assert path.name in str(error)
        else:
            assert list(frame.columns[:2]) == ["doc_id", "clause_id"]
            assert all(isinstance(t, str) and t.strip() for t in frame["text"])
