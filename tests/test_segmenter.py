"""The clause segmenter: golden tables per rule, resolution layout, PDF furniture,
and the spaCy component (blank pipeline, shared pipeline, serialisation)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from itunlp.segmentation.boundary_model import BoundaryModel
from itunlp.segmentation.component import (
    Clause,
    ClauseSegmenter,
    find_boundary_candidates,
    split_into_clauses,
    split_sentences,
)


def texts(text: str) -> list[str]:
    """The clause texts of ``text``, for compact golden tables."""
    return [c.text for c in split_into_clauses(text)]


# ------------------------------------------------------------------ sentence rules

SENTENCE_CASES = [
    # plain sentences, question and exclamation marks
    (
        "The ITU met in Bucharest. It elected a new Secretary-General.",
        ["The ITU met in Bucharest.", "It elected a new Secretary-General."],
    ),
    (
        "Is the ITU ready? Some delegates doubt it! Others agree.",
        ["Is the ITU ready?", "Some delegates doubt it!", "Others agree."],
    ),
    (
        "She works at Yahoo! in the accounting department.",
        ["She works at Yahoo! in the accounting department."],
    ),
    # initialisms: end only before a sentence starter
    (
        "The U.S. delegation spoke first. It supported the text.",
        ["The U.S. delegation spoke first.", "It supported the text."],
    ),
    (
        "The text came from the U.S. The Council noted it.",
        ["The text came from the U.S.", "The Council noted it."],
    ),
    ("The U.S. Government in Washington agreed.", ["The U.S. Government in Washington agreed."]),
    # inner abbreviations
    (
        "The proposal, e.g. on OTTs, was dropped. The text, i.e. Res. 206, stayed.",
        ["The proposal, e.g. on OTTs, was dropped.", "The text, i.e. Res. 206, stayed."],
    ),
    ("Some fora, e.g. The IGF, are open.", ["Some fora, e.g. The IGF, are open."]),
    # reference abbreviations before numbers and names
    (
        "See No. 5 of the Annex. Dr. Bogdan-Martin spoke.",
        ["See No. 5 of the Annex.", "Dr. Bogdan-Martin spoke."],
    ),
    (
        "Art. 5 and para. 3 of vol. 2 apply. They are old.",
        ["Art. 5 and para. 3 of vol. 2 apply.", "They are old."],
    ),
    (
        "It amends Res. 70 (Rev. Dubai, 2018) in full.",
        ["It amends Res. 70 (Rev. Dubai, 2018) in full."],
    ),
    ("It amends Res. 70. The vote was close.", ["It amends Res. 70.", "The vote was close."]),
    # prepositive titles
    ("Mr. Smith and Dr. Jones met Mrs. Lee.", ["Mr. Smith and Dr. Jones met Mrs. Lee."]),
    # months
    (
        "The session closed on Oct. 14 in Bucharest.",
        ["The session closed on Oct. 14 in Bucharest."],
    ),
    # sentence-final abbreviations
    ("They hired Pitt & Co. It closed the deal.", ["They hired Pitt & Co.", "It closed the deal."]),
    (
        "Radio, TV, satellites etc. The list is long.",
        ["Radio, TV, satellites etc.", "The list is long."],
    ),
    # decimals and numbers
    (
        "The fee rose to 3.5 percent in 2022. Spectrum at 3.5 GHz is scarce.",
        ["The fee rose to 3.5 percent in 2022.", "Spectrum at 3.5 GHz is scarce."],
    ),
    ("It costs $100.00. That is a lot.", ["It costs $100.00.", "That is a lot."]),
    # ellipses
    ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
    ("The results were mixed . . . but clear.", ["The results were mixed . . . but clear."]),
    ("I meant that.... She left.", ["I meant that....", "She left."]),
    # quotations
    (
        'She said, "The Union must act." The room agreed.',
        ['She said, "The Union must act."', "The room agreed."],
    ),
    ("'This is great.' she said.", ["'This is great.' she said."]),
    # parentheses shelter their full stops
    (
        "The ITU (it met in Bucharest. It was long.) adopted texts.",
        ["The ITU (it met in Bucharest. It was long.) adopted texts."],
    ),
    # emails and URLs
    (
        "Write to jane.doe@itu.int. She will answer.",
        ["Write to jane.doe@itu.int.", "She will answer."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCE_CASES)
def test_sentence_rules(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. The first item 2. The second item", ["1. The first item", "2. The second item"]),
        ("a. The first item b. The second item", ["a. The first item", "b. The second item"]),
        (
            "• 9. The first item • 10. The second item",
            ["• 9. The first item", "• 10. The second item"],
        ),
        ("First paragraph.\n\nSecond paragraph.", ["First paragraph.", "Second paragraph."]),
        ("", []),
    ],
)
def test_split_sentences_keeps_markers(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


# ------------------------------------------------------------------- clause rules

CLAUSE_CASES = [
    # semicolons and standalone colons
    ("The Council met; it approved the budget.", ["The Council met;", "it approved the budget."]),
    (
        "The plan was adopted; however, funding is scarce.",
        ["The plan was adopted;", "however, funding is scarce."],
    ),
    (
        "Two points stand out: the budget grew and the plan was adopted.",
        ["Two points stand out:", "the budget grew and the plan was adopted."],
    ),
    (
        "The site is: https://www.itu.int/pp22. Check it.",
        ["The site is: https://www.itu.int/pp22.", "Check it."],
    ),
    (
        "We leave with a mission: to connect everyone.",
        ["We leave with a mission: to connect everyone."],
    ),
    ("The meeting starts at 10:30 in Geneva.", ["The meeting starts at 10:30 in Geneva."]),
    # each connective, split when both sides are statements
    (
        "The ITU works on development, and the Conference is its highest body.",
        ["The ITU works on development,", "and the Conference is its highest body."],
    ),
    (
        "Many states agreed to it, but some objected to the text.",
        ["Many states agreed to it,", "but some objected to the text."],
    ),
    (
        "The text was adopted, while many delegations abstained.",
        ["The text was adopted,", "while many delegations abstained."],
    ),
    (
        "The ITU drafts treaties, whereas the IETF writes standards.",
        ["The ITU drafts treaties,", "whereas the IETF writes standards."],
    ),
    (
        "The vote passed easily, although several states objected.",
        ["The vote passed easily,", "although several states objected."],
    ),
    (
        "The vote passed easily, though the U.S. made no mention of it.",
        ["The vote passed easily,", "though the U.S. made no mention of it."],
    ),
    (
        "The report was late, yet the Council accepted it.",
        ["The report was late,", "yet the Council accepted it."],
    ),
    (
        "The budget was cut, so we must set priorities.",
        ["The budget was cut,", "so we must set priorities."],
    ),
    (
        "The resolution was adopted, and under the new rules it was published.",
        ["The resolution was adopted,", "and under the new rules it was published."],
    ),
    (
        "Gender was in many drafts and, other than Res. 70, every mention was removed.",
        ["Gender was in many drafts", "and, other than Res. 70, every mention was removed."],
    ),
    # ... and kept whole when they are not
    (
        "The ITU covers technology, governance, and human rights.",
        ["The ITU covers technology, governance, and human rights."],
    ),
    (
        "The proposal was adopted, and is now in force.",
        ["The proposal was adopted, and is now in force."],
    ),
    (
        "Member States support connectivity, while ensuring security.",
        ["Member States support connectivity, while ensuring security."],
    ),
    ("It was not only costly, but also slow.", ["It was not only costly, but also slow."]),
    (
        "The states met in Bucharest, Romania, and Geneva.",
        ["The states met in Bucharest, Romania, and Geneva."],
    ),
    (
        "The plan was redrafted, so that all Sectors could use it.",
        ["The plan was redrafted, so that all Sectors could use it."],
    ),
    (
        "The talks were hard because, while many states agreed, some did not.",
        ["The talks were hard because, while many states agreed, some did not."],
    ),
    # Both sides have their own subject and verb, however short (codebook section 1).
    ("Symbolism matters, but it is not policy.", ["Symbolism matters,", "but it is not policy."]),
    (
        "Women remain scarce in this room, and that has to change.",
        ["Women remain scarce in this room,", "and that has to change."],
    ),
    (
        "They argued that the text was long, and that it should be cut.",
        ["They argued that the text was long, and that it should be cut."],
    ),
    (
        "Operators filing for constellations, and the regulators who license them, will follow.",
        ["Operators filing for constellations, and the regulators who license them, will follow."],
    ),
    (
        "The text was adopted by consensus, whereas appropriate.",
        ["The text was adopted by consensus, whereas appropriate."],
    ),
    (
        "The budget grew this year, although only slightly.",
        ["The budget grew this year, although only slightly."],
    ),
    ("The debate was heated, though brief.", ["The debate was heated, though brief."]),
    (
        "The text was short, yet comprehensive.",
        ["The text was short, yet comprehensive."],
    ),
    # relative and subordinate clauses stay whole
    (
        "The ITU, which lacks the specialty, is not the right forum.",
        ["The ITU, which lacks the specialty, is not the right forum."],
    ),
    (
        "Delegates who attended the session voted for the text.",
        ["Delegates who attended the session voted for the text."],
    ),
    (
        "If the Council agrees, the plan will start in 2024.",
        ["If the Council agrees, the plan will start in 2024."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CLAUSE_CASES)
def test_clause_rules(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


# ----------------------------------------------------------------- resolution layout

RESOLUTION = """RESOLUTION 70 (REV. BUCHAREST, 2022)
Mainstreaming a gender perspective in ITU
The Plenipotentiary Conference of the International Telecommunication Union (Bucharest, 2022),
considering
a) that ICTs open new routes for women;
b) that women remain underrepresented,
recognizing further
(i) the work of the ITU Network of Women;
(ii) the role of EQUALS,
resolves
1 to continue mainstreaming gender;
2 to report each year.
instructs the Secretary-General
to ensure gender balance in staff.
invites Member States
• to share good practices;
- to include more women in delegations.
"""


def test_resolution_title_formula_and_headings_are_not_clauses() -> None:
    found = texts(RESOLUTION)
    assert not any(
        "RESOLUTION" in t or "Plenipotentiary" in t or "Mainstreaming" in t for t in found
    )
    assert "considering" not in found and "resolves" not in found


def test_resolution_items_lose_marker_and_keep_function() -> None:
    assert [(c.text, c.function) for c in split_into_clauses(RESOLUTION)] == [
        ("that ICTs open new routes for women;", "considering"),
        ("that women remain underrepresented,", "considering"),
        ("the work of the ITU Network of Women;", "recognizing further"),
        ("the role of EQUALS,", "recognizing further"),
        ("to continue mainstreaming gender;", "resolves"),
        ("to report each year.", "resolves"),
        ("to ensure gender balance in staff.", "instructs the secretary-general"),
        ("to share good practices;", "invites member states"),
        ("to include more women in delegations.", "invites member states"),
    ]


@pytest.mark.parametrize(
    ("heading", "function"),
    [
        ("considering", "considering"),
        ("recognizing further,", "recognizing further"),
        ("bearing in mind:", "bearing in mind"),
        ("further resolves", "further resolves"),
        ("noting with concern", "noting with concern"),
        (
            "instructs the Director of the Telecommunication Development Bureau",
            "instructs the director of the telecommunication development bureau",
        ),
        ("invites  Member   States,", "invites member states"),
        ("decides", "decides"),
    ],
)
def test_heading_becomes_function(heading: str, function: str) -> None:
    clauses = split_into_clauses(f"{heading}\na) that the Union acts;\n")
    assert [(c.text, c.function) for c in clauses] == [("that the Union acts;", function)]


def test_wrapped_enacting_formula_is_skipped() -> None:
    text = (
        "The Plenipotentiary Conference of the International Telecommunication\n"
        "Union (Bucharest, 2022),\nnoting\nthat the share of women is low,\n"
    )
    assert [(c.text, c.function) for c in split_into_clauses(text)] == [
        ("that the share of women is low,", "noting")
    ]


def test_prose_starting_like_a_formula_is_kept() -> None:
    assert texts("The Council met; it approved the budget.") == [
        "The Council met;",
        "it approved the budget.",
    ]


def test_prose_after_the_last_resolution_item_has_no_function() -> None:
    text = "resolves\n1 to act;\n2 to report.\n\nThe press office said it was a good day.\n"
    assert [c.function for c in split_into_clauses(text)] == ["resolves", "resolves", ""]


def test_unmarked_sentences_under_a_heading_keep_it() -> None:
    text = "resolves\nto continue the work.\nThe Council shall report on it.\n"
    assert [(c.text, c.function) for c in split_into_clauses(text)] == [
        ("to continue the work.", "resolves"),
        ("The Council shall report on it.", "resolves"),
    ]


def test_numbered_list_after_a_title_line() -> None:
    assert texts("Decisions\n1. The Council approved the plan.\n2. It closed.") == [
        "The Council approved the plan.",
        "It closed.",
    ]


def test_references_that_look_like_labels_do_not_split() -> None:
    text = "considering\na) the outcomes, in particular §§ 27 c) and 50 d) of the Agenda;\n"
    assert texts(text) == ["the outcomes, in particular §§ 27 c) and 50 d) of the Agenda;"]


def test_clauses_before_first_heading_have_empty_function() -> None:
    clauses = split_into_clauses("The text was adopted.\n\nresolves\n1 to act.\n")
    assert [c.function for c in clauses] == ["", "resolves"]


# -------------------------------------------------------------------- list items


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Outcomes:\n\na) the budget was approved;\nb) the plan was adopted.",
            ["Outcomes:", "the budget was approved;", "the plan was adopted."],
        ),
        (
            "Outcomes:\n1. The budget was approved.\n2. The plan was adopted.",
            ["Outcomes:", "The budget was approved.", "The plan was adopted."],
        ),
        (
            "Outcomes:\ni) the budget was approved;\nii) the plan was adopted.",
            ["Outcomes:", "the budget was approved;", "the plan was adopted."],
        ),
        (
            "Outcomes:\n• The budget was approved.\n• The plan was adopted.",
            ["Outcomes:", "The budget was approved.", "The plan was adopted."],
        ),
        (
            "Outcomes:\n- The budget was approved; it grew.\n- The plan was adopted.",
            ["Outcomes:", "The budget was approved;", "it grew.", "The plan was adopted."],
        ),
    ],
)
def test_items_are_cut_without_marker(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_dash_bullets_after_a_title_line() -> None:
    assert texts("Key facts\n- 4 delegations objected.\n- The rest agreed.") == [
        "4 delegations objected.",
        "The rest agreed.",
    ]


def test_wrapped_prose_line_that_looks_like_a_heading_is_text() -> None:
    text = "In its final decision on the matter, the Council,\nurges Member States to act."
    assert [(c.text, c.function) for c in split_into_clauses(text)] == [(text, "")]


def test_bare_numbers_outside_resolutions_are_text() -> None:
    assert texts("In short:\n12 delegations signed the text.") == [
        "In short:",
        "12 delegations signed the text.",
    ]


# ------------------------------------------------------------------ PDF furniture


@pytest.mark.parametrize(
    "furniture",
    [
        "PP22/61(Add.3)-E",
        "- 4 -",
        "Page 3 of 9",
        "https://www.itu.int/md/S22-PP-C-0061/en",
        "MOD USA/61A3/1",
        "ADD IAP/61A3/2",
        "SUP",
        "Document 61-E",
        "12 August 2022",
        "Reasons:\tEditorial alignment with the Connect 2030 Agenda.",
        "Skip to Content",
    ],
)
def test_furniture_lines_are_skipped(furniture: str) -> None:
    text = f"considering\na) that the Union acts;\n{furniture}\nb) that it reports.\n"
    assert texts(text) == ["that the Union acts;", "that it reports."]


def test_item_continues_across_a_page_break() -> None:
    text = (
        "resolves\n1\tto report on the gap during the last study\n\n"
        "https://www.itu.int/md/S22-PP-C-0061/en\n- 3 -\nPP22/61(Add.3)-E\n\nperiod;\n"
        "2\tto act.\n"
    )
    clauses = split_into_clauses(text)
    assert clauses[0].text.startswith("to report") and clauses[0].text.endswith("period;")
    assert [c.text for c in clauses[1:]] == ["to act."]


def test_titles_standfirsts_and_courtesy_lines_are_not_clauses() -> None:
    text = (
        "Dispatch: Internet Governance at the ITU\n\n"
        "CDT attended the meeting of the UN agency (ITU)\n\n"
        "Thank you, Chair.\n\nThe ITU is an agency.\n\nCivil Society\n\nIt opened up.\n\n"
        "Best,\nSam\n"
    )
    assert texts(text) == ["The ITU is an agency.", "It opened up."]


def test_long_paragraph_without_final_stop_keeps_its_sentences() -> None:
    sentence = "The ITU met in Bucharest in the autumn of 2022 for three weeks of talks."
    text = f"{sentence} {sentence} {sentence} Then a last sentence lost its stop"
    assert texts(text) == [sentence] * 3


def test_short_title_with_a_question_is_not_a_clause() -> None:
    text = "Mandate creep or tidy-up? Reading the outcomes\n\nThe ITU met."
    assert texts(text) == ["The ITU met."]


def test_dateline_is_not_part_of_the_first_clause() -> None:
    text = "BUCHAREST, 14 October 2022 – The conference ended today."
    assert texts(text) == ["The conference ended today."]


# --------------------------------------------------------- hard wraps, hyphenation


def test_hard_wraps_do_not_split() -> None:
    text = "The Council adopted the plan of the\nInternational Telecommunication Union today."
    assert texts(text) == [text]


def test_hyphenation_across_line_break_does_not_split() -> None:
    text = "resolves\n1\tto strengthen the statis-\ntical offices;\n"
    assert texts(text) == ["to strengthen the statis-\ntical offices;"]


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028", "\x0c"])
def test_any_line_break_lays_out_lines(newline: str) -> None:
    text = newline.join(["considering", "a) that it acts;", "b) that it reports.", ""])
    assert texts(text) == ["that it acts;", "that it reports."]


def test_leading_byte_order_mark_is_not_in_a_clause() -> None:
    text = "\ufeffRESOLUTION 70 (REV. BUCHAREST, 2022)\nconsidering\na) that it acts;\n"
    clauses = split_into_clauses(text)
    assert [c.text for c in clauses] == ["that it acts;"]
    assert text[clauses[0].start : clauses[0].end] == "that it acts;"


# --------------------------------------------------------------- contract details


def test_offsets_index_the_original_text() -> None:
    text = "  PP22/61(Add.3)-E\n\nThe ITU met,  and it\nagreed.   Then it left.  "
    for clause in split_into_clauses(text):
        assert text[clause.start : clause.end] == clause.text


def test_clause_is_frozen() -> None:
    clause = Clause(0, 2, "ab")
    with pytest.raises(AttributeError):
        clause.start = 1  # type: ignore[misc]


def test_non_string_input_raises_type_error() -> None:
    with pytest.raises(TypeError, match="Expected the text to segment as a str, got bytes"):
        split_into_clauses(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got int"):
        split_sentences(3)  # type: ignore[arg-type]


def test_boundary_model_overrides_rules() -> None:
    text = "The ITU covers technology, governance, and human rights."
    always = BoundaryModel(intercept=5.0)
    assert texts(text) == [text]
    assert [c.text for c in split_into_clauses(text, always)] == [
        "The ITU covers technology, governance,",
        "and human rights.",
    ]
    never = BoundaryModel(intercept=-5.0)
    split_text = "Many states agreed to it, but some objected."
    assert [c.text for c in split_into_clauses(split_text, never)] == [split_text]


def test_candidates_carry_features_and_rule_decision() -> None:
    candidates = find_boundary_candidates("Many states agreed to it, but some objected.")
    assert [(c.kind, c.rule_decision) for c in candidates] == [("but", True)]
    assert candidates[0].features["conn=but"] == 1.0


# ----------------------------------------------------------------- spaCy component

TEXT = "It rained all day, but we met.\nPP22/61(Add.3)-E\n\nconsidering\na) that the Union acts;\n"


def test_component_on_blank_pipeline() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("itunlp_clause_segmenter")
    doc = nlp(TEXT)
    spans = doc.spans["clauses"]
    assert [s.text for s in spans] == ["It rained all day,", "but we met.", "that the Union acts;"]
    assert [s.label_ for s in spans] == ["clause", "clause", "considering"]
    assert [s._.itunlp_function for s in spans] == ["", "", "considering"]


def test_component_sets_sentence_starts_at_clause_starts() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("itunlp_clause_segmenter")
    doc = nlp("It rained all day, but we met. Then we left.\nPP22/61(Add.3)-E")
    assert [s.text for s in doc.sents] == [
        "It rained all day,",
        "but we met.",
        "Then we left.",
        "\nPP22/61(Add.3)-E",
    ]
    assert doc.has_annotation("SENT_START")


def test_component_on_empty_doc() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("itunlp_clause_segmenter")
    assert list(nlp("").spans["clauses"]) == []


def test_component_in_pipeline_with_other_components() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("itunlp_clause_segmenter", config={"spans_key": "itu"})
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "ITU"}])
    docs = list(nlp.pipe(["The ITU met; it agreed.", "Nothing here."]))
    assert [s.text for s in docs[0].spans["itu"]] == ["The ITU met;", "it agreed."]
    assert [e.text for e in docs[0].ents] == ["ITU"]
    assert [s.text for s in docs[1].spans["itu"]] == ["Nothing here."]


def test_component_keeps_a_parsers_sentences() -> None:
    nlp = spacy.blank("en")
    words = ["It", "rained", "all", "day", ",", "but", "we", "met", "."]
    spaces = [True, True, True, False, True, True, True, False, False]
    heads = [1, 1, 3, 1, 1, 7, 7, 1, 1]
    deps = ["nsubj", "ROOT", "det", "npadvmod", "punct", "cc", "nsubj", "conj", "punct"]
    doc = Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps)
    ClauseSegmenter(nlp)(doc)
    assert [s.text for s in doc.spans["clauses"]] == ["It rained all day,", "but we met."]
    assert len(list(doc.sents)) == 1


def test_component_loads_boundary_model_from_config(tmp_path) -> None:
    path = BoundaryModel(intercept=5.0).save(tmp_path)
    nlp = spacy.blank("en")
    nlp.add_pipe("itunlp_clause_segmenter", config={"boundary_model_path": str(path)})
    doc = nlp("We saw technology, governance, and human rights.")
    assert [s.text for s in doc.spans["clauses"]] == [
        "We saw technology, governance,",
        "and human rights.",
    ]


def test_component_reports_missing_boundary_model(tmp_path) -> None:
    nlp = spacy.blank("en")
    with pytest.raises(FileNotFoundError, match="No boundary model at"):
        nlp.add_pipe(
            "itunlp_clause_segmenter", config={"boundary_model_path": str(tmp_path / "x.json")}
        )


def test_component_to_disk_from_disk_round_trip(tmp_path) -> None:
    model = BoundaryModel({"rule": 3.0, "list_like": -1.0}, intercept=-1.0)
    component = ClauseSegmenter(None, boundary_model=model, spans_key="parts")
    component.to_disk(tmp_path / "seg")
    loaded = ClauseSegmenter(None).from_disk(tmp_path / "seg")
    assert loaded.spans_key == "parts"
    assert loaded.boundary_model == model


def test_component_without_model_round_trips_as_rules_only(tmp_path) -> None:
    ClauseSegmenter(None).to_disk(tmp_path / "seg")
    loaded = ClauseSegmenter(None, boundary_model=BoundaryModel()).from_disk(tmp_path / "seg")
    assert loaded.boundary_model is None


def test_saved_pipeline_reloads_with_spacy_load(tmp_path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("itunlp_clause_segmenter", config={"spans_key": "parts"})
    nlp.get_pipe("itunlp_clause_segmenter").boundary_model = BoundaryModel(intercept=5.0)
    nlp.to_disk(tmp_path / "pipeline")
    reloaded = spacy.load(tmp_path / "pipeline")
    doc = reloaded("We saw technology, governance, and human rights.")
    assert [s.text for s in doc.spans["parts"]] == [
        "We saw technology, governance,",
        "and human rights.",
    ]


def test_benchmark_runs_on_a_tiny_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_segmenter.py"
    main = runpy.run_path(str(script))["main"]
    assert main(["--size", "0.01", "--budget-s", "1"]) == 0
    out = capsys.readouterr().out
    assert "spaCy tokenizer (baseline)" in out and "itunlp rules only" in out
    assert "vs tokenizer" in out and "F1 resolutions" in out
