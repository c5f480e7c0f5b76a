"""Sections in views: labels for repeated names, pairing, and the section-by-section diff."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd
import pytest

from itunlp._resources import data_dir
from itunlp.segmentation.component import split_into_clauses
from itunlp.views.diffing import DIFF_COLUMNS, diff, theme_balance
from itunlp.views.section_diff import (
    SECTION_BALANCE_COLUMNS,
    describe_sections,
    section_balance,
    section_theme_balance,
)
from itunlp.views.sections import (
    pair_sections,
    section_labels,
    section_runs,
    title_restarts,
)

EXAMPLES = data_dir() / "examples"

# A title line of a section, and the subject line after it (as in the example files).
_TITLE = re.compile(r"^(?:DRAFT )?(RESOLUTION|DECISION|ARTICLE) (\S+)[^\n]*\n\n?([^\n]*)", re.M)


@dataclass
class _Clause:
    start: int
    end: int
    text: str
    function: str = ""
    section: str = ""
    section_title: str = ""


class SectionModel:
    """Real clause cutting with sections, keyword themes: the diff's logic apart from the model.

    Sections come from the segmenter when it gives them; otherwise from the title
    lines (``RESOLUTION 70 ...`` and the subject line after it), as the clause
    table's ``section`` and ``section_title`` are defined.
    """

    themes: ClassVar[list[str]] = ["gender", "stakeholder_participation", "space_spectrum"]
    _words: ClassVar[dict[str, re.Pattern[str]]] = {
        "gender": re.compile(r"\b(women|girls|gender|sex)\b", re.I),
        "stakeholder_participation": re.compile(r"\b(civil society|observers|academia)\b", re.I),
        "space_spectrum": re.compile(r"\b(satellite|orbits?|frequenc\w*)\b", re.I),
    }

    def segment(self, text: str) -> list[_Clause]:
        heads = [
            (m.start(), f"{m.group(1).title()} {m.group(2)}", m.group(3).strip())
            for m in _TITLE.finditer(text)
        ]
        out = []
        for clause in split_into_clauses(text):
            before = [h for h in heads if h[0] < clause.start]
            section, title = (before[-1][1], before[-1][2]) if before else ("", "")
            out.append(
                _Clause(clause.start, clause.end, clause.text, clause.function, section, title)
            )
        return out

    def predict(self, texts: list[str], functions: list[str] | None = None) -> list[list[str]]:
        return [[t for t in self.themes if self._words[t].search(x)] for x in texts]


def _read(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def acts() -> pd.DataFrame:
    return diff(
        _read("acts-draft.txt"),
        _read("acts-final.txt"),
        SectionModel(),
        old_id="draft",
        new_id="final",
    )


# ---------------------------------------------------------------- labels and pairing


def test_a_name_met_again_after_another_section_is_a_second_section() -> None:
    sections = ["", "Decision 5", "Decision 5", "Resolution 1305", "DECISION 5", None]
    assert section_labels(sections) == [
        "",
        "Decision 5",
        "Decision 5",
        "Resolution 1305",
        "DECISION 5 (2)",
        "(no section) (2)",
    ]


def test_runs_keep_their_title_and_clauses() -> None:
    runs = section_runs(
        ["Resolution 70", "Resolution 70", "Resolution 130"], ["", "Gender", "Cyber"]
    )
    assert [(r.label, r.title, r.indices) for r in runs] == [
        ("Resolution 70", "Gender", [0, 1]),
        ("Resolution 130", "Cyber", [2]),
    ]


def test_sections_pair_by_kind_and_number_and_repeated_names_in_order() -> None:
    old = section_runs(["Decision 5", "Decision 5", "Decision 6", "Decision 5", "Decision 7"])
    new = section_runs(["DECISION 5", "Decision 8", "Decision 5", "Decision 6"])
    pairs, notes = pair_sections(old, new)
    # 1st Decision 5s, then the new Decision 8, 2nd Decision 5s, Decision 6 (moved), and
    # Decision 7, gone, where it stood in the old version
    assert pairs == [(0, 0), (None, 1), (2, 2), (1, 3), (3, None)]
    assert any("Decision 5 occurs 2 times in the old version" in n for n in notes)


# ---------------------------------------------------------------- the diff by section


def test_rows_carry_their_sections(acts: pd.DataFrame) -> None:
    assert list(acts.columns) == DIFF_COLUMNS
    assert {"section", "old_section", "new_section"} <= set(acts.columns)
    gone = acts[acts["section"] == "Resolution 912"]
    assert set(gone["change"]) == {"removed"} and set(gone["new_section"]) == {""}
    new = acts[acts["section"] == "Resolution 913"]
    assert set(new["change"]) == {"added"} and set(new["old_section"]) == {""}


def test_section_balance_says_what_each_resolution_lost(acts: pd.DataFrame) -> None:
    balance = section_balance(acts)
    assert list(balance.columns) == SECTION_BALANCE_COLUMNS
    assert list(balance.index) == [
        "Resolution 910",
        "Resolution 911",
        "Resolution 912",
        "Resolution 913",
    ]
    assert balance.loc[
        "Resolution 910", ["status", "removed", "added", "changed", "kept"]
    ].tolist() == [
        "changed",
        2,
        0,
        1,
        4,
    ]
    assert balance["status"].to_dict() == {
        "Resolution 910": "changed",
        "Resolution 911": "same",
        "Resolution 912": "gone",
        "Resolution 913": "new",
    }


def test_section_theme_balance_and_the_printed_lines(acts: pd.DataFrame) -> None:
    per_theme = section_theme_balance(acts)
    gender = per_theme.loc[("Resolution 910", "gender")]
    assert (gender["removed"], gender["lost_in_change"]) == (2, 1)
    assert describe_sections(acts) == [
        "Resolution 910: 2 removed, 1 changed, 4 kept (gender 2 removed, lost in 1)",
        "Resolution 912: gone, 2 clauses (stakeholder_participation 1)",
        "Resolution 913: new, 2 clauses (space_spectrum 2)",
    ]


def test_clauses_are_only_matched_within_their_section() -> None:
    old = "RESOLUTION 1 (X)\n\nOne\n\nresolves\n\n1 to publish the annual report on time;\n\n"
    old += "RESOLUTION 2 (X)\n\nTwo\n\nresolves\n\n1 to hold a workshop each year.\n"
    new = "RESOLUTION 1 (X)\n\nOne\n\nresolves\n\n1 to hold a workshop each year;\n\n"
    new += "RESOLUTION 2 (X)\n\nTwo\n\nresolves\n\n1 to publish the annual report on time.\n"
    table = diff(old, new, SectionModel())
    assert sorted(table["change"]) == ["added", "added", "removed", "removed"]
    # without sections the same items would be kept, moved
    bare = diff(
        old.replace("RESOLUTION", "Part"), new.replace("RESOLUTION", "Part"), SectionModel()
    )
    assert set(bare["change"]) == {"kept"}
    assert set(bare["section"]) == {""}
    assert describe_sections(bare) == []


@pytest.mark.parametrize("titles", [("Draft budget", "Budget"), ("Budget", "Budget")])
def test_two_sections_with_one_number_are_paired_in_order(titles: tuple[str, str]) -> None:
    def record(draft_item: str, final_item: str) -> str:
        return (
            f"SUMMARY RECORD\n\nDRAFT DECISION 5 (C24)\n\n{titles[0]}\n\nThe Council,\n\n"
            f"decides\n\n1 {draft_item}\n\nDECISION 5 (C24)\n\n{titles[1]}\n\n"
            f"The Council,\n\ndecides\n\n1 {final_item}\n"
        )

    old = record("to approve the budget for 2026;", "to approve the budget for 2026 as amended;")
    new = record("to approve the budget for 2026;", "to approve the budget for 2026 as amended;")
    table = diff(old, new, SectionModel())
    assert set(table["change"]) == {"kept"}
    assert list(dict.fromkeys(table["section"])) == ["Decision 5", "Decision 5 (2)"]
    assert any("paired in order" in note for note in table.attrs["section_notes"])
    changed = diff(old, new.replace("as amended;", "as amended by the Council;"), SectionModel())
    assert changed.loc[changed["change"] == "changed", "section"].tolist() == ["Decision 5 (2)"]


def test_the_two_decision_5_of_the_summary_record_are_two_sections() -> None:
    """The formats set's summary record: a draft and an adopted Decision 5, one title."""
    runs = _gold_runs("council-c24-summary")
    assert [r.label for r in runs] == ["", "Decision 5", "Decision 5 (2)", "Resolution 1305"]
    draft, adopted = runs[1], runs[2]
    assert draft.indices[-1] + 1 == adopted.indices[0] == 18  # after "The adopted text reads:"


def test_a_running_page_header_naming_the_section_starts_no_new_one() -> None:
    """The lost-headings PDF repeats "Resolution 58" as the header of its even pages."""
    assert [r.label for r in _gold_runs("wtdc-res58-lostheads")] == ["Resolution 58"]


def _gold_runs(doc_id: str) -> list:
    import json

    folder = data_dir() / "formats" / "rules"
    text = (folder / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")
    gold = [
        json.loads(line)
        for line in (folder / "clauses.jsonl").read_text(encoding="utf-8").splitlines()
        if f'"{doc_id}"' in line
    ]
    sections, titles = [r["section"] for r in gold], [r["section_title"] for r in gold]
    starts, ends = [r["start"] for r in gold], [r["end"] for r in gold]
    return section_runs(sections, titles, title_restarts(text, starts, ends, sections, titles))


class _NoSections(SectionModel):
    def segment(self, text: str) -> list[_Clause]:
        return [_Clause(c.start, c.end, c.text, c.function) for c in split_into_clauses(text)]


def test_without_sections_the_diff_is_as_before() -> None:
    draft, final = _read("res-901-draft.txt"), _read("res-901-final.txt")
    table = diff(draft, final, _NoSections(), old_id="draft", new_id="final")
    assert theme_balance(table).loc["gender", "removed"] == 2
    assert table.attrs["section_notes"] == []
    assert set(table["section"]) == set(table["old_section"]) == {""}
    assert describe_sections(table) == []


def test_sections_on_one_side_only_compare_whole_texts() -> None:
    draft = re.sub(r"(?m)^RESOLUTION ", "Text ", _read("acts-draft.txt"))
    table = diff(draft, _read("acts-final.txt"), SectionModel())
    assert table.attrs["section_notes"] == [
        "only the new version has sections (Resolution 910, Resolution 911, Resolution 913): "
        "compared as whole texts"
    ]
    assert set(table["section"]) == {""} and describe_sections(table) == []
    assert "Resolution 913" in set(table["new_section"])


class _Segmenter(SectionModel):
    """The shipped segmenter's own sections."""

    def segment(self, text: str) -> list:
        return split_into_clauses(text)


def test_a_draft_new_resolution_finds_its_adopted_number_by_title() -> None:
    body = (
        "{title}\n\nCyber capacity building for national incident response teams\n\n"
        "The Plenipotentiary Conference of the International Telecommunication Union "
        "(Bucharest, 2022),\n\nresolves\n\n1 to help Member States set up national CIRTs;\n"
        "2 to hold regional cyberdrills each year{end}\n"
    )
    old = body.format(title="DRAFT NEW RESOLUTION [EUR-1] (BUCHAREST, 2022)", end=".")
    new = body.format(title="RESOLUTION 219 (BUCHAREST, 2022)", end=" with women experts.")
    table = diff(old, new, _Segmenter())
    assert set(table["old_section"]) == {"Resolution [EUR-1]"}
    assert set(table["section"]) == {"Resolution 219"}
    assert table.attrs["section_notes"] == [
        "Resolution [EUR-1] (old) and Resolution 219 (new) are paired by their title"
    ]
    assert describe_sections(table) == [
        "Resolution 219: 1 changed, 1 kept (was Resolution [EUR-1]) (gender gained in 1)"
    ]


def test_two_collections_of_files_are_compared_section_by_section() -> None:
    from itunlp.views.section_diff import diff_collections

    memo = "Delegates asked for open meetings for civil society.\nThe chair agreed.\n"
    old = {"acts": _read("acts-draft.txt"), "memo": memo}
    new = {"acts": _read("acts-final.txt"), "memo": memo.replace("agreed", "disagreed")}
    table = diff_collections(old, new, SectionModel())
    assert describe_sections(table) == [
        "Resolution 910: 2 removed, 1 changed, 4 kept (gender 2 removed, lost in 1)",
        "Resolution 912: gone, 2 clauses (stakeholder_participation 1)",
        "Resolution 913: new, 2 clauses (space_spectrum 2)",
        "memo: 1 changed, 1 kept",  # a file without sections is a section of its own
    ]
    ids = table["new_clause_id"].dropna()
    assert ids.iloc[0] == "acts-001" and ids.iloc[-1] == "memo-002"
    same = diff_collections(old, old, SectionModel())
    assert set(same["change"]) == {"kept"}
