"""The HTML report: well-formed, self-contained, escaped, complete."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from itunlp._resources import data_dir
from itunlp.segmentation.component import split_into_clauses
from itunlp.views.diffing import diff
from itunlp.views.report import function_kind, write_diff_report, write_report

EXAMPLES = data_dir() / "examples"
THEMES = ["gender", "stakeholder_participation", "cybersecurity"]
_WORDS = {
    "gender": re.compile(r"\b(women|girls|gender)\b", re.I),
    "stakeholder_participation": re.compile(r"\b(civil society|observers|academia)\b", re.I),
    "cybersecurity": re.compile(r"\b(cyber\w*|security|CIRTs?)\b", re.I),
}
VOID = {"meta", "br", "input", "hr", "img", "link", "wbr", "col", "source"}
SVG_LEAVES = {"rect", "path", "line", "circle"}


class KeywordModel:
    themes = THEMES

    def segment(self, text: str) -> list:
        return split_into_clauses(text)

    def predict(self, texts: list[str], functions: list[str] | None = None) -> list[list[str]]:
        return [[t for t in THEMES if _WORDS[t].search(x)] for x in texts]


def classify_table(names: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """A classify table in the batch's column order, themes from keywords."""
    rows, texts = [], {}
    for name in names:
        text = (EXAMPLES / f"{name}.txt").read_text(encoding="utf-8")
        texts[name] = text
        for n, clause in enumerate(split_into_clauses(text), start=1):
            own = [t for t in THEMES if _WORDS[t].search(clause.text)]
            row = {
                "doc_id": name,
                "path": str(EXAMPLES / f"{name}.txt"),
                "page": None,
                "clause_id": f"{name}-{n:03d}",
                "start": clause.start,
                "end": clause.end,
                "text": clause.text,
                "function": clause.function,
                "themes": own,
            }
            row.update({f"score_{t}": 0.9 if t in own else 0.1 for t in THEMES})
            row["explanation"] = {t: [(_WORDS[t].search(clause.text)[0], 1.5)] for t in own}
            rows.append(row)
    return pd.DataFrame(rows), texts


class Checker(HTMLParser):
    """Collects elements and fails on unbalanced or misnested tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.script_text: list[str] = []
        self.clause_text: list[str] = []
        self._in_clause = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "span" and "clause" in (attributes.get("class") or "").split():
            self._in_clause = len(self.stack)
            self.clause_text.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")
            return
        if self._in_clause == len(self.stack):
            self._in_clause = 0
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script":
            self.script_text.append(data)
        if self._in_clause:
            self.clause_text[-1] += data


def parse(path: Path) -> Checker:
    checker = Checker()
    checker.feed(path.read_text(encoding="utf-8"))
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert checker.stack == [], checker.stack
    return checker


@pytest.fixture(scope="module")
def table() -> tuple[pd.DataFrame, dict[str, str]]:
    return classify_table(
        ["res-901-draft", "commentary-gender-outcomes", "commentary-openness-and-rights"]
    )


@pytest.fixture
def report(tmp_path: Path, table: tuple[pd.DataFrame, dict[str, str]]) -> Path:
    df, texts = table
    return write_report(df, tmp_path / "out" / "report.html", texts=texts, title="Test report")


def test_report_is_well_formed_html(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    checker = parse(report)
    tags = [tag for tag, _ in checker.elements]
    assert tags.count("html") == tags.count("body") == tags.count("head") == 1
    ids = [a["id"] for _, a in checker.elements if a.get("id")]
    assert len(ids) == len(set(ids)), "element ids must be unique"


def test_report_is_self_contained(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert "url(" not in text
    assert "@import" not in text
    for tag, attrs in parse(report).elements:
        for name in ("src", "href", "xlink:href", "action", "data", "poster"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
        assert tag not in {"link", "img", "iframe", "object", "embed"}, tag
        if tag == "script":
            assert "src" not in attrs
    assert "http://" not in text and "https://" not in text


def test_every_document_and_theme_is_present(report: Path, table) -> None:
    df, _ = table
    elements = parse(report).elements
    doc_ids = [a.get("data-doc-id") for t, a in elements if t == "section" and a.get("data-doc-id")]
    assert doc_ids == list(dict.fromkeys(df["doc_id"]))
    filters = [a.get("data-theme-filter") for t, a in elements if a.get("data-theme-filter")]
    assert filters == THEMES
    kinds = [a.get("data-function-filter") for t, a in elements if a.get("data-function-filter")]
    assert kinds == ["preamble", "operative", "prose"]
    heat = {(a["data-doc"], a["data-theme"]) for t, a in elements if t == "td" and "data-doc" in a}
    assert heat == {(d, t) for d in df["doc_id"].unique() for t in THEMES}


def test_every_clause_is_a_span_with_its_themes(report: Path, table) -> None:
    df, _ = table
    checker = parse(report)
    spans = [a for t, a in checker.elements if t == "span" and "clause" in (a.get("class") or "")]
    assert len(spans) == len(df)
    assert [s["data-clause-id"] for s in spans] == list(df["clause_id"])
    assert [s["data-themes"].split() for s in spans] == [list(t) for t in df["themes"]]
    assert checker.clause_text == list(df["text"])
    first_gender = next(s for s in spans if "gender" in s["data-themes"].split())
    assert json.loads(first_gender["data-scores"])["gender"] == 0.9
    assert "gender" in json.loads(first_gender["data-terms"])
    assert first_gender["data-terms-source"] == "model"
    assert "background-image" in first_gender["style"]


def test_clauses_carry_their_function_kind(report: Path) -> None:
    spans = [a for t, a in parse(report).elements if t == "span" and a.get("data-kind")]
    by_function = {s["data-function"]: s["data-kind"] for s in spans}
    assert by_function["considering"] == "preamble"
    assert by_function["resolves"] == "operative"
    assert by_function["invites member states"] == "operative"
    assert by_function[""] == "prose"


def test_resolution_headings_are_shown_in_place(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert '<span class="heading">considering\n</span>' in text
    assert '<span class="doc-title">DRAFT REVISION OF RESOLUTION 901' in text


def test_profiles_are_inline_svg(report: Path) -> None:
    elements = parse(report).elements
    svgs = [a for t, a in elements if t == "svg"]
    assert len(svgs) == 1 + 3  # the whole set, then one per document
    assert all("profile" in a["class"] for a in svgs)


def test_script_in_a_clause_is_escaped(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    df = pd.DataFrame(
        {
            "doc_id": ['doc "one" <b>'],
            "clause_id": ["d-001"],
            "text": [hostile],
            "function": ["</span><script>"],
            "themes": [["gender"]],
            "score_gender": [0.8],
            "explanation": [{"gender": [("<script>", 1.0)]}],
        }
    )
    path = write_report(df, tmp_path / "r.html", texts={'doc "one" <b>': "unrelated"})
    checker = parse(path)
    scripts = [t for t, _ in checker.elements if t == "script"]
    assert scripts == ["script"]  # only the report's own
    assert not [t for t, _ in checker.elements if t == "img"]
    assert checker.clause_text == [hostile]
    assert "&lt;script&gt;alert" in path.read_text(encoding="utf-8")


def test_by_default_texts_are_read_again_from_their_paths(tmp_path: Path, table) -> None:
    df, _ = table
    text = write_report(df, tmp_path / "r.html").read_text(encoding="utf-8")
    assert text.count('class="doc-text inline"') == 3


def test_without_texts_clauses_are_listed_under_their_headings(tmp_path: Path, table) -> None:
    df, _ = table
    path = write_report(df, tmp_path / "r.html", texts={})
    text = path.read_text(encoding="utf-8")
    assert '<div class="heading">considering</div>' in text
    assert text.count('class="item"') == len(df)


def test_offsets_that_do_not_fit_fall_back_to_the_list(tmp_path: Path, table) -> None:
    df, texts = table
    shifted = {k: "x" + v for k, v in texts.items()}
    text = write_report(df, tmp_path / "r.html", texts=shifted).read_text(encoding="utf-8")
    assert 'class="doc-text blocks"' in text and 'class="doc-text inline"' not in text


def test_minimal_table_and_csv_style_themes(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {"text": ["Women were elected.", "The orbit is full."], "themes": ["gender", ""]}
    )
    checker = parse(write_report(df, tmp_path / "r.html"))
    filters = [a["data-theme-filter"] for _, a in checker.elements if a.get("data-theme-filter")]
    assert filters == ["gender"]
    spans = [a for t, a in checker.elements if a.get("data-terms-source")]
    assert spans[0]["data-terms-source"] == "scheme"  # no explanation: scheme terms found
    assert "women" in spans[0]["data-terms"].lower()


def test_empty_table_still_writes_a_page(tmp_path: Path) -> None:
    df = pd.DataFrame({"doc_id": [], "text": [], "themes": []})
    checker = parse(write_report(df, tmp_path / "r.html"))
    assert ("main", {}) in checker.elements


def test_write_is_atomic_and_replaces(tmp_path: Path, table) -> None:
    df, texts = table
    target = tmp_path / "r.html"
    target.write_text("old", encoding="utf-8")
    write_report(df.head(3), target, texts=texts)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_bad_input_is_reported(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="classify table"):
        write_report([{"text": "x"}], tmp_path / "r.html")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="missing column"):
        write_report(pd.DataFrame({"text": ["x"]}), tmp_path / "r.html")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("function", "kind"),
    [
        ("", "prose"),
        ("recalling", "preamble"),
        ("recognizing further", "preamble"),
        ("bearing in mind", "preamble"),
        ("resolves", "operative"),
        ("further resolves", "operative"),
        ("instructs the secretary-general", "operative"),
        ("invites member states", "operative"),
        ("decides", "operative"),
    ],
)
def test_function_kind(function: str, kind: str) -> None:
    assert function_kind(function) == kind


def test_diff_report_is_self_contained_and_coloured(tmp_path: Path) -> None:
    draft = (EXAMPLES / "res-901-draft.txt").read_text(encoding="utf-8")
    final = (EXAMPLES / "res-901-final.txt").read_text(encoding="utf-8")
    table = diff(draft, final, KeywordModel())
    path = write_diff_report(table, tmp_path / "d.html", old_label="draft", new_label="final")
    checker = parse(path)
    text = path.read_text(encoding="utf-8")
    assert "url(" not in text and "http://" not in text and "https://" not in text
    rows = [a for t, a in checker.elements if t == "tr" and a.get("data-change")]
    assert len(rows) == len(table)
    removed = [r for r in rows if r["data-change"] == "removed"]
    assert sum("gender" in r["data-old-themes"].split() for r in removed) == 2
    assert "<del>" in text and "<ins>" in text  # reworded clauses show their edits
    assert "gender: 2 clauses removed, 0 added" in text


def test_pages_of_paged_documents_are_marked(tmp_path: Path) -> None:
    text = "The plenary met.\n\nWomen were elected.\n\nThe orbit is full."
    starts = [0, 18, 39]
    texts = [text[s:].split("\n")[0] for s in starts]
    df = pd.DataFrame(
        {
            "doc_id": ["paper"] * 3,
            "page": pd.array([1, 1, 2], dtype="Int64"),
            "start": starts,
            "end": [s + len(t) for s, t in zip(starts, texts, strict=True)],
            "text": texts,
            "themes": [[], ["gender"], []],
        }
    )
    page = write_report(df, tmp_path / "r.html", texts={"paper": text}).read_text("utf-8")
    assert page.count('<span class="page-mark">') == 2 and "p. 2</span>" in page
    spans = [a for t, a in parse(tmp_path / "r.html").elements if a.get("data-page")]
    assert [s["data-page"] for s in spans] == ["1", "1", "2"]
    listed = write_report(df, tmp_path / "l.html", texts={}).read_text("utf-8")
    assert '<div class="page-mark">page 2</div>' in listed
