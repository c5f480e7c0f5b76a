"""Tests of itunlp.labels.suggest: what suggest picks, and the spreadsheet-safe file it writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from itunlp.labels.corpus import LabelError, read_labels
from itunlp.labels.suggest import escape_cell, label_documents, suggest, write_suggestions
from itunlp.themes import load_themes


class FakeModel:
    """Scores from a lookup table, so each test sets exactly the uncertainty it needs."""

    themes = ["gender", "space_spectrum"]  # noqa: RUF012
    thresholds = {"gender": 0.4, "space_spectrum": 0.6}  # noqa: RUF012
    scheme = load_themes()

    def __init__(self, scores: dict[str, tuple[float, float]]) -> None:
        self.scores = scores

    def predict_proba(self, texts: list[str], functions: list[str] | None = None) -> pd.DataFrame:
        rows = [self.scores.get(text, (0.0, 0.0)) for text in texts]
        return pd.DataFrame(rows, columns=self.themes)


def _table(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"text": texts, "function": ""})


def test_picks_the_clause_closest_to_the_threshold() -> None:
    model = FakeModel(
        {
            "Women lead the sector.": (0.95, 0.0),
            "Girls learn coding in schools.": (0.42, 0.0),  # 0.02 from gender's 0.4
            "The plenary opened the session.": (0.05, 0.0),
        }
    )
    picked = suggest(model, _table(list(model.scores)), 1, theme="gender")
    assert picked["text"].tolist() == ["Girls learn coding in schools."]
    assert picked.loc[0, "focus_theme"] == "gender"
    assert picked.loc[0, "uncertainty"] == pytest.approx(1 - 0.02 / 0.6, abs=1e-4)


def test_themes_take_turns_so_a_rare_theme_gets_its_share() -> None:
    # Gender has the four most uncertain clauses overall; space still gets half the slots.
    model = FakeModel(
        {
            "Gender clause alpha.": (0.40, 0.0),
            "Gender clause beta two.": (0.41, 0.0),
            "Gender clause gamma three four.": (0.39, 0.0),
            "Gender clause delta five six seven.": (0.42, 0.0),
            "Orbit slots filed early.": (0.0, 0.45),
            "Spectrum for the radio service.": (0.0, 0.30),
        }
    )
    picked = suggest(model, _table(list(model.scores)), 4)
    assert picked["focus_theme"].tolist() == ["gender", "space_spectrum"] * 2
    assert set(picked["text"]) >= {"Orbit slots filed early.", "Spectrum for the radio service."}


def test_near_duplicates_are_dropped() -> None:
    base = "Member States shall promote gender equality in every ITU study group"
    model = FakeModel(
        {
            base + ".": (0.40, 0.0),
            base + " meeting.": (0.40, 0.0),  # Jaccard 11/12 with the first
            "  " + base.upper() + "!": (0.40, 0.0),  # identical once normalised
            "Women engineers need mentors.": (0.30, 0.0),
        }
    )
    picked = suggest(model, _table(list(model.scores)), 4, theme="gender")
    assert len(picked) == 2
    assert "Women engineers need mentors." in picked["text"].tolist()


def test_excluded_texts_are_not_suggested_again() -> None:
    model = FakeModel({"Already labelled.": (0.40, 0.0), "New one here.": (0.1, 0.0)})
    picked = suggest(model, _table(list(model.scores)), 2, exclude=["already  LABELLED"])
    assert picked["text"].tolist() == ["New one here."]


def test_suggestions_are_pre_filled_with_the_models_guess() -> None:
    model = FakeModel({"Both themes.": (0.5, 0.7), "Neither.": (0.1, 0.1)})
    picked = suggest(model, _table(list(model.scores)), 2).set_index("text")
    assert picked.loc["Both themes.", "themes"] == ["gender", "space_spectrum"]
    assert picked.loc["Both themes.", "suggested_themes"] == ["gender", "space_spectrum"]
    assert picked.loc["Neither.", "themes"] == []
    assert picked.loc["Both themes.", "score_space_spectrum"] == pytest.approx(0.7)


def test_same_seed_same_suggestions_on_ties() -> None:
    texts = [f"Tied clause number {word} here." for word in "abcdefgh"]
    model = FakeModel(dict.fromkeys(texts, (0.4, 0.6)))
    first = suggest(model, _table(texts), 3, seed=3)["text"].tolist()
    assert suggest(model, _table(texts), 3, seed=3)["text"].tolist() == first


def test_formula_start_is_trimmed_and_offsets_follow() -> None:
    document = "Intro. =cmd|' /C calc'!A0 and more. @@@"
    start = document.index("=")
    hostile = document[start : document.index(" and")]
    model = FakeModel({hostile: (0.4, 0.0), "@@@": (0.4, 0.0)})
    table = pd.DataFrame(
        {
            "text": [hostile, "@@@"],
            "start": [start, len(document) - 3],
            "end": [start + len(hostile), len(document)],
            "doc_id": "d",
        }
    )
    picked = suggest(model, table, 5)
    assert len(picked) == 1  # nothing but triggers: dropped
    row = picked.iloc[0]
    assert row["text"] == "cmd|' /C calc'!A0"
    assert document[row["start"] : row["end"]] == row["text"]


def test_texts_too_long_to_train_on_are_skipped() -> None:
    long_text = "spectrum " * 3000
    model = FakeModel({long_text: (0.4, 0.6), "Short clause.": (0.1, 0.1)})
    assert suggest(model, _table(list(model.scores)), 2)["text"].tolist() == ["Short clause."]


def test_unknown_focus_theme_suggests_a_close_id() -> None:
    with pytest.raises(ValueError, match=r"Unknown theme 'gendr'.*did you mean 'gender'"):
        suggest(FakeModel({}), _table(["x"]), 1, theme="gendr")


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_n_must_be_a_positive_whole_number(n: object) -> None:
    with pytest.raises(ValueError, match="n must be a whole number"):
        suggest(FakeModel({}), _table(["x"]), n)  # type: ignore[arg-type]


def test_escape_cell_is_reversible_by_dropping_one_apostrophe() -> None:
    for value in ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "'already", "plain", ""]:
        escaped = escape_cell(value)
        assert escaped[:1] not in ("=", "+", "-", "@", "\t", "\r")
        assert (escaped[1:] if escaped != value else escaped) == value


def _hostile_suggestions() -> tuple[pd.DataFrame, str]:
    document = '=HYPERLINK("http://x") spectrum clause. Normal gender clause.'
    spans = [(0, 39), (40, len(document))]
    texts = [document[s:e] for s, e in spans]
    model = FakeModel({texts[0]: (0.1, 0.6), texts[1]: (0.4, 0.1)})
    table = pd.DataFrame(
        {
            "text": texts,
            "doc_id": ["-doc", "-doc"],
            "path": ["@evil.txt", "@evil.txt"],
            "start": [s for s, _ in spans],
            "end": [e for _, e in spans],
            "function": ["", ""],
            "clause_id": ["=1+1", "-doc-002"],
        }
    )
    return suggest(model, table, 2), document


def test_csv_has_no_formula_cell(tmp_path: Path) -> None:
    frame, _ = _hostile_suggestions()
    out = tmp_path / "to_label.csv"
    write_suggestions(frame, out)
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][:3] == ["text", "themes", "suggested_themes"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert rows[1][rows[0].index("path")] == "'@evil.txt"


def test_csv_reads_back_with_text_matching_offsets(tmp_path: Path) -> None:
    frame, document = _hostile_suggestions()
    out = tmp_path / "to_label.csv"
    write_suggestions(frame, out)
    labels = read_labels(out)
    assert labels["text"].tolist() == frame["text"].tolist()
    for text, start, end in zip(labels["text"], labels["start"], labels["end"], strict=True):
        assert document[start:end] == text
    assert labels["themes"].tolist() == frame["themes"].tolist()


def test_write_is_atomic_and_replaces_the_old_file(tmp_path: Path) -> None:
    frame, _ = _hostile_suggestions()
    out = tmp_path / "to_label.csv"
    out.write_text("old", encoding="utf-8")
    write_suggestions(frame, out)
    assert out.read_text(encoding="utf-8").startswith("text,themes")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["to_label.csv"]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "to_label.csv"
    out.write_text("old", encoding="utf-8")
    bad = pd.DataFrame({"text": ["=unsafe"], "themes": [[]]})  # not passed through suggest
    with pytest.raises(ValueError, match="formula character"):
        write_suggestions(bad, out)
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["to_label.csv"]


def test_label_studio_format_writes_tasks_and_config(tmp_path: Path) -> None:
    frame, _ = _hostile_suggestions()
    written = write_suggestions(frame, tmp_path / "tasks.json")
    assert [p.name for p in written] == ["tasks.json", "tasks.label_config.xml"]
    tasks = json.loads(written[0].read_text(encoding="utf-8"))
    assert [t["data"]["text"] for t in tasks] == frame["text"].tolist()
    assert 'value="space_spectrum"' in written[1].read_text(encoding="utf-8")


def _suggest_file(tmp_path: Path, document: str) -> tuple[Path, pd.DataFrame]:
    doc = tmp_path / "memo.txt"
    doc.write_text(document, encoding="utf-8")
    sentences = [s + "." for s in document.rstrip(".").split(". ")]
    starts = [document.index(s) for s in sentences]
    table = pd.DataFrame(
        {
            "text": sentences,
            "doc_id": "memo",
            "path": str(doc),
            "start": starts,
            "end": [s + len(t) for s, t in zip(starts, sentences, strict=True)],
        }
    )
    model = FakeModel(dict.fromkeys(sentences, (0.4, 0.6)))
    out = tmp_path / "to_label.csv"
    write_suggestions(suggest(model, table, len(sentences)), out)
    return out, table


def test_label_documents_let_read_labels_catch_edited_text(tmp_path: Path) -> None:
    document = "Girls in ICT Day was marked. Satellite filings rose sharply."
    out, _ = _suggest_file(tmp_path, document)
    assert label_documents([out]) == {"memo": document}
    assert len(read_labels(out, documents=label_documents([out]))) == 2
    edited = out.read_text(encoding="utf-8").replace("Girls in ICT", "Boys in ICT")
    out.write_text(edited, encoding="utf-8")
    with pytest.raises(LabelError, match=r"row \d: offsets .* the text was edited"):
        read_labels(out, documents=label_documents([out]))


def test_label_documents_warn_about_a_missing_document(tmp_path: Path) -> None:
    out, _ = _suggest_file(tmp_path, "One clause here. Another clause there.")
    (tmp_path / "memo.txt").unlink()
    with pytest.warns(UserWarning, match="offsets of its clauses are not checked"):
        assert label_documents([out]) == {}


def test_multi_line_clause_survives_the_csv_round_trip(tmp_path: Path) -> None:
    # PDF text keeps hard line breaks inside a clause (data/CONVENTIONS.md).
    document = "The Union shall\npromote broadband. Next clause here."
    out, _ = _suggest_file(tmp_path, document)
    labels = read_labels(out)
    assert "The Union shall\npromote broadband." in labels["text"].tolist()
