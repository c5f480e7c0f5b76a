"""Tests of itunlp.labels.label_studio: tasks out, a simulated export back in, read_labels."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from itunlp.labels.corpus import LabelError, read_labels
from itunlp.labels.label_studio import label_config, read_label_studio, to_label_studio
from itunlp.themes import load_themes

DOCUMENT = "Girls in ICT Day was marked. Satellite filings rose. The session closed."


def _suggestions() -> pd.DataFrame:
    sentences = ["Girls in ICT Day was marked.", "Satellite filings rose.", "The session closed."]
    spans = [(DOCUMENT.index(s), DOCUMENT.index(s) + len(s)) for s in sentences]
    return pd.DataFrame(
        {
            "text": [DOCUMENT[s:e] for s, e in spans],
            "themes": [["gender"], ["space_spectrum"], []],
            "suggested_themes": [["gender"], ["space_spectrum"], []],
            "score_gender": [0.55, 0.1, 0.2],
            "score_space_spectrum": [0.1, 0.48, 0.3],
            "doc_id": "doc",
            "path": "doc.txt",
            "start": pd.array([s for s, _ in spans], dtype="Int64"),
            "end": pd.array([e for _, e in spans], dtype="Int64"),
            "function": "",
            "clause_id": ["doc-001", "doc-002", "doc-003"],
        }
    )


def _annotate(task: dict, choices: list[str], *, when: str, cancelled: bool = False) -> dict:
    annotation = {
        "id": len(task.setdefault("annotations", [])) + 1,
        "was_cancelled": cancelled,
        "updated_at": when,
        "completed_by": 7,
        "result": [
            {
                "from_name": "themes",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": choices},
            }
        ],
    }
    task["annotations"].append(annotation)
    return task


def _write(tmp_path: Path, tasks: list[dict]) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def test_tasks_carry_text_offsets_and_predictions() -> None:
    task = to_label_studio(_suggestions())[1]
    assert task["data"] == {
        "text": "Satellite filings rose.",
        "doc_id": "doc",
        "clause_id": "doc-002",
        "start": 29,
        "end": 52,
        "function": "",
        "path": "doc.txt",
    }
    prediction = task["predictions"][0]
    assert prediction["result"][0]["value"] == {"choices": ["space_spectrum"]}
    assert prediction["score"] == pytest.approx(0.48)
    json.dumps(task)  # numpy/pandas scalars would fail here


def test_round_trip_through_a_simulated_export(tmp_path: Path) -> None:
    tasks = to_label_studio(_suggestions())
    _annotate(tasks[0], ["gender"], when="2024-05-01T10:00:00Z")
    # The annotator first agreed, then corrected: the later annotation counts.
    _annotate(tasks[1], ["space_spectrum"], when="2024-05-01T10:00:00Z")
    _annotate(tasks[1], ["space_spectrum", "institutional_process"], when="2024-05-02T09:00:00Z")
    _annotate(tasks[2], [], when="2024-05-01T10:00:00Z")
    frame = read_labels(_write(tmp_path, tasks), documents={"doc": DOCUMENT})
    assert frame["text"].tolist() == _suggestions()["text"].tolist()
    assert frame["themes"].tolist() == [
        ["gender"],
        ["space_spectrum", "institutional_process"],
        [],
    ]
    assert frame["start"].tolist() == [0, 29, 53]
    assert frame["clause_id"].tolist() == ["doc-001", "doc-002", "doc-003"]
    assert frame["annotator"].tolist() == ["7", "7", "7"]


def test_cancelled_annotations_are_skipped(tmp_path: Path) -> None:
    tasks = to_label_studio(_suggestions())
    _annotate(tasks[0], ["gender"], when="2024-05-01T10:00:00Z")
    _annotate(tasks[0], ["connectivity"], when="2024-05-03T10:00:00Z", cancelled=True)
    _annotate(tasks[1], ["connectivity"], when="2024-05-03T10:00:00Z", cancelled=True)
    rows = read_label_studio(_write(tmp_path, tasks))
    assert [(r["text"], r["themes"]) for r in rows] == [
        ("Girls in ICT Day was marked.", ["gender"])
    ]


def test_unannotated_tasks_are_not_labels(tmp_path: Path) -> None:
    path = _write(tmp_path, to_label_studio(_suggestions()))
    assert read_label_studio(path) == []
    with pytest.raises(LabelError, match="no labelled clauses"):
        read_labels(path)


def test_json_min_export_is_read(tmp_path: Path) -> None:
    tasks = [
        {"id": 4, "text": "Girls in ICT Day was marked.", "themes": "gender"},
        {"id": 5, "text": "Filings rose.", "themes": {"choices": ["space_spectrum", "gender"]}},
    ]
    rows = read_label_studio(_write(tmp_path, tasks))
    assert [r["themes"] for r in rows] == [["gender"], ["space_spectrum", "gender"]]
    assert rows[1]["_row"] == "task 2 (id 5)"


def test_unknown_theme_in_an_export_names_the_task_and_a_close_id(tmp_path: Path) -> None:
    tasks = to_label_studio(_suggestions())
    _annotate(tasks[2], ["gendr"], when="2024-05-01T10:00:00Z")
    message = r"Unknown theme 'gendr' in .*task 3.*did you mean 'gender'"
    with pytest.raises(LabelError, match=message):
        read_labels(_write(tmp_path, tasks))


def test_edited_offsets_are_caught_on_read(tmp_path: Path) -> None:
    tasks = to_label_studio(_suggestions())
    tasks[0]["data"]["text"] = "Boys in ICT Day was marked."
    _annotate(tasks[0], [], when="2024-05-01T10:00:00Z")
    with pytest.raises(LabelError, match=r"task 1.*the text was edited"):
        read_labels(_write(tmp_path, tasks), documents={"doc": DOCUMENT})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "not valid JSON"),
        ('"a string"', "expected a Label Studio export"),
        ("[3]", "task 1: expected a task object"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('[{"data": {"text": "ok"}}, {"data": {}}]', r"task 2: task has no data\.text"),
        (
            '[{"id": 9, "data": {"text": "x"}, "annotations": {}}]',
            r"task 1 \(id 9\).*must be a list",
        ),
        (
            '[{"data": {"text": "x"}, "annotations": [{"result": [{"type": "choices", '
            '"value": {"choices": "gender"}}]}]}]',
            "task 1: annotation result has no list of choices",
        ),
        ('[{"data": {"text": "x"}, "annotations": [{"result": 5}]}]', "'result' must be a list"),
    ],
)
def test_malformed_exports_name_the_task(tmp_path: Path, payload: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(payload, encoding="utf-8")
    with pytest.raises(LabelError, match=message):
        read_label_studio(path)


def test_other_controls_carry_no_themes(tmp_path: Path) -> None:
    tasks = [
        {
            "data": {"text": "Filings rose."},
            "annotations": [
                {
                    "result": [
                        {"from_name": "note", "type": "textarea", "value": {"text": ["hm"]}},
                        {
                            "from_name": "themes",
                            "type": "choices",
                            "value": {"choices": ["gender"]},
                        },
                    ]
                }
            ],
        }
    ]
    assert read_label_studio(_write(tmp_path, tasks))[0]["themes"] == ["gender"]


def test_label_config_is_xml_listing_every_theme() -> None:
    scheme = load_themes()
    root = ET.fromstring(label_config(scheme.themes))
    choices = root.find("Choices")
    assert choices is not None
    assert choices.get("name") == "themes" and choices.get("choice") == "multiple"
    assert [c.get("value") for c in choices.findall("Choice")] == [t.id for t in scheme.themes]


def test_label_config_escapes_descriptions() -> None:
    class Theme:
        id = "odd"
        description = 'Quotes " and <tags> & ampersands'

    root = ET.fromstring(label_config([Theme()]))
    assert root.find("Choices/Choice").get("hint") == Theme.description
