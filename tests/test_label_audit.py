"""The label audit: near-duplicates, out-of-fold disagreements and the codebook's rule patterns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from itunlp.labels.audit import (
    AUDIT_COLUMNS,
    audit_labels,
    audit_summary,
    load_audit_rules,
)
from itunlp.labels.corpus import load_shipped_corpus
from itunlp.themes import ThemeScheme, load_themes
from itunlp.themes.classifier import ThemeClassifier


def _frame(rows: list[tuple[str, str, list[str]]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["clause_id", "text", "themes"])


def _rules(frame: pd.DataFrame) -> pd.DataFrame:
    return audit_labels(frame, kinds=["rule"])


# ------------------------------------------------------------------ rule patterns
@pytest.mark.parametrize(
    ("text", "themes", "rule"),
    [
        # 2.1.2: a clause that only cites a text is not institutional_process
        (
            "Resolution 130 (Rev. Dubai, 2018) of the Plenipotentiary Conference, on "
            "strengthening the role of ITU in building confidence and security;",
            ["cybersecurity", "institutional_process"],
            "citation-process",
        ),
        (
            "UNGA Resolution 71/199, on the right to privacy in the digital age;",
            ["human_rights", "institutional_process"],
            "citation-process",
        ),
        (
            "the outcomes of the World Summit on the Information Society;",
            ["internet_governance", "institutional_process"],
            "citation-process",
        ),
        # 2.1.1: reporting on the resolution is institutional_process alone
        (
            "to report to the Council on the implementation of this resolution;",
            ["gender", "institutional_process"],
            "reporting-topic",
        ),
        (
            "to submit a report to the next plenipotentiary conference on progress in "
            "bridging the digital divide;",
            ["connectivity"],
            "reporting-process",
        ),
        # 2.1.3: well-known resolution numbers imply their theme
        ("Discussion of Res. 139 was deferred.", ["institutional_process"], "res-connectivity"),
        (
            "Resolutions 101, 102 and 133 were kept.",
            ["institutional_process"],
            "res-internet-governance",
        ),
        # 2.1.7: keyword traps
        (
            "Administrations shall apply the Radio Regulations to every earth station.",
            ["telecom_regulation"],
            "trap-radio-regulations",
        ),
        (
            "The financial security of the pension fund is at risk.",
            ["cybersecurity"],
            "trap-security",
        ),
        ("The Chair opened the meeting at 9:30.", ["human_rights"], "trap-open-meeting"),
        (
            "I hope to connect with delegates from the Pacific.",
            ["connectivity"],
            "trap-connect-with",
        ),
    ],
)
def test_rule_pattern_flags_a_violation(text: str, themes: list[str], rule: str):
    findings = _rules(_frame([("c1", text, themes)]))
    hit = findings[findings["rule"] == rule]
    assert len(hit) == 1, findings[["rule", "finding"]].to_string()
    assert hit.iloc[0]["severity"] == "violation"
    assert hit.iloc[0]["clause_id"] == "c1"


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        # A citation that says something about the ITU's machinery keeps institutional_process.
        (
            "Resolution 102 was approved after the deletion of two paragraphs.",
            ["institutional_process", "internet_governance"],
        ),
        # A citation without institutional_process is as the codebook wants it.
        (
            "Resolution 70 (Rev. Bucharest, 2022), on mainstreaming a gender perspective;",
            ["gender"],
        ),
        (
            "to report to the Council on the implementation of this resolution;",
            ["institutional_process"],
        ),
        # A report on the resolution that names its own topic keeps it.
        (
            "to report each year to the Council on the implementation of this resolution and on "
            "the gender balance of ITU staff;",
            ["gender", "institutional_process"],
        ),
        # UNGA resolution 70/125 is not Resolution 70; 139 votes are not Resolution 139.
        ("UNGA resolution 70/125 on the overall review of WSIS;", ["internet_governance"]),
        ("She won 139 votes to her opponent's 25.", ["institutional_process"]),
        (
            "Council Resolution 1305 lists the Internet public policy issues.",
            ["internet_governance"],
        ),
        # The ITRs and the Radio Regulations named together are telecom regulation.
        (
            "These Regulations apply subject to the Radio Regulations.",
            ["space_spectrum", "telecom_regulation"],
        ),
        ("Ransomware threatens national security and critical networks.", ["cybersecurity"]),
    ],
)
def test_rule_pattern_spares_a_label_that_follows_the_codebook(text: str, themes: list[str]):
    findings = _rules(_frame([("c1", text, themes)]))
    assert findings[findings["severity"] == "violation"].empty, findings["finding"].tolist()


def test_beneficiary_and_stakeholder_patterns_are_soft_hints():
    frame = _frame(
        [
            (
                "b1",
                "to assist developing countries in setting up national CIRTs;",
                ["connectivity", "cybersecurity"],
            ),
            (
                "s1",
                "National cyber strategies benefit from cooperation with academia and industry.",
                ["cybersecurity", "stakeholder_participation"],
            ),
            # Participation in ITU work is what stakeholder_participation is about.
            (
                "s2",
                "Academia members may join the study groups at a reduced fee.",
                ["stakeholder_participation"],
            ),
        ]
    )
    findings = _rules(frame).set_index("clause_id")
    assert findings.loc["b1", "rule"] == "hint-beneficiaries"
    assert findings.loc["b1", "severity"] == "check"
    assert findings.loc["b1", "suggested_themes"] == "cybersecurity"
    assert findings.loc["s1", "rule"] == "hint-stakeholders"
    assert findings.loc["s1", "suggested_themes"] == "cybersecurity"
    assert "s2" not in findings.index


def test_suggested_themes_follow_the_rule():
    frame = _frame(
        [
            (
                "r1",
                "to report to the Council on the implementation of this resolution;",
                ["cybersecurity", "institutional_process"],
            ),
            ("n1", "Res. 130 was revised.", ["institutional_process"]),
        ]
    )
    findings = _rules(frame).set_index("clause_id")
    assert findings.loc["r1", "suggested_themes"] == "institutional_process"
    assert findings.loc["n1", "suggested_themes"] == "cybersecurity;institutional_process"


def test_themes_may_be_semicolon_strings_and_ids_may_be_missing():
    frame = pd.DataFrame(
        {
            "text": ["Resolution 206 (Dubai, 2018) on OTTs;"],
            "themes": ["telecom_regulation;institutional_process"],
        }
    )
    findings = audit_labels(frame, kinds=["rule"])
    assert findings["rule"].tolist() == ["citation-process"]
    assert findings.iloc[0]["row"] == 0
    assert findings.iloc[0]["clause_id"] == ""
    assert list(findings.columns) == AUDIT_COLUMNS


def test_user_rule_file_extends_the_checks(tmp_path: Path):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        """
[[rule]]
id = "ccTLD"
codebook = "local"
severity = "violation"
pattern = '''\\bccTLDs?\\b'''
lacks_theme = "internet_governance"
suggest_add = ["internet_governance"]
message = "country-code domains are Internet governance"
""",
        encoding="utf-8",
    )
    frame = _frame([("c1", "The ccTLD registry moved to a new operator.", [])])
    findings = audit_labels(frame, kinds=["rule"], rules=rules)
    assert findings["rule"].tolist() == ["ccTLD"]
    assert findings.iloc[0]["suggested_themes"] == "internet_governance"
    assert "(codebook local)" in findings.iloc[0]["finding"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[rule]]\nid = 'x'\nmessage = 'm'\npattern = '('\n", "not a valid regular expression"),
        ("[[rule]]\nid = 'x'\nmessage = 'm'\npattern = 'a'\ncolour = 'red'\n", "unknown key"),
        ("[[rule]]\nid = 'x'\npattern = 'a'\n", "'message' is required"),
        ("[[rule]]\nid = 'x'\nmessage = 'm'\npattern = 'a'\nseverity = 'bad'\n", "severity"),
        ("id = 'x'\n", "no [[rule]] blocks"),
        ("[[rule\n", "not a valid TOML"),
    ],
)
def test_bad_rule_file_is_named_with_the_problem(tmp_path: Path, content: str, message: str):
    rules = tmp_path / "bad.toml"
    rules.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml") as error:
        load_audit_rules(rules)
    assert message in str(error.value)


def test_rules_naming_themes_outside_the_scheme_are_skipped():
    data = load_themes().to_dict()
    data["themes"] = [t for t in data["themes"] if t["id"] != "institutional_process"]
    smaller = ThemeScheme.from_dict(data)
    frame = _frame([("c1", "Resolution 130 (Rev. Dubai, 2018), on security;", ["cybersecurity"])])
    assert audit_labels(frame, smaller, kinds=["rule"]).empty


def test_shipped_rules_load_and_check_codebook_rules():
    rules = load_audit_rules()
    assert {r.severity for r in rules} == {"violation", "check"}
    assert {"2.1.1", "2.1.2", "2.1.3", "2.1.5", "2.1.6", "2.1.7"} <= {r.codebook for r in rules}


def test_shipped_corpus_has_no_rule_pattern_violation():
    """The December 2026 relabelling left no clause breaking a checkable codebook rule."""
    corpus = load_shipped_corpus()
    findings = audit_labels(corpus, kinds=["rule"])
    violations = findings[findings["severity"] == "violation"]
    assert violations.empty, violations[["clause_id", "rule", "themes"]].to_string()


# -------------------------------------------------------------------- duplicates
def test_near_duplicates_with_different_labels_are_found():
    frame = _frame(
        [
            (
                "a",
                "Member States should refrain from shutting down the Internet.",
                ["human_rights"],
            ),
            (
                "b",
                "Member States should refrain from shutting down the Internet!",
                ["connectivity"],
            ),
            (
                "c",
                "The Council approved the budget for the next biennium.",
                ["institutional_process"],
            ),
        ]
    )
    findings = audit_labels(frame, kinds=["duplicate"])
    assert len(findings) == 1
    row = findings.iloc[0]
    assert (row["clause_id"], row["other_clause_id"]) == ("b", "a")
    assert row["score"] == 1.0
    assert row["suggested_themes"] == "human_rights"
    assert "near-duplicate" in row["finding"]


def test_near_duplicates_with_equal_labels_or_other_numbers_are_not_findings():
    frame = _frame(
        [
            (
                "a",
                "Resolution 139 (Rev. Bucharest, 2022) of the Plenipotentiary Conference;",
                ["connectivity"],
            ),
            (
                "b",
                "Resolution 206 (Rev. Bucharest, 2022) of the Plenipotentiary Conference;",
                ["telecom_regulation"],
            ),
            ("c", "The Council approved the budget.", ["institutional_process"]),
            ("d", "The Council approved the budget!", ["institutional_process"]),
        ]
    )
    assert audit_labels(frame, kinds=["duplicate"]).empty


def test_similarity_threshold_is_respected():
    frame = _frame(
        [
            ("a", "women engineers chair study groups in every sector", ["gender"]),
            (
                "b",
                "women engineers chair study groups in every region",
                ["gender", "stakeholder_participation"],
            ),
        ]
    )
    # 7 shared words of 9: Jaccard 0.78.
    assert audit_labels(frame, kinds=["duplicate"]).empty
    assert len(audit_labels(frame, kinds=["duplicate"], similarity=0.75)) == 1


# ------------------------------------------------------------------ out of fold
def _oof_corpus() -> pd.DataFrame:
    space = [
        "Satellite operators filed new orbital slots with the Radiocommunication Bureau.",
        "Spectrum in the C-band must be shared between satellites and mobile networks.",
        "The Radio Regulations Board examined interference to geostationary satellites.",
        "Large constellations of non-geostationary satellites crowd low Earth orbit.",
        "Frequency assignments are recorded in the Master International Frequency Register.",
        "Space debris threatens satellites in operation and future orbital use.",
        "WRC-23 identified new spectrum bands for IMT in several regions.",
        "Earth stations near borders need coordination of their frequencies.",
        "Radio astronomy bands need protection from satellite emissions.",
        "Administrations submitted satellite network filings before the deadline.",
        "The orbit and spectrum resources are finite and must be used efficiently.",
        "Harmful interference to satellite downlinks was reported by operators.",
    ]
    gender = [
        "Women remain under-represented among ICT engineers in every region.",
        "Girls in ICT Day encourages girls to choose technology careers.",
        "Gender mainstreaming must reach every Sector of the Union.",
        "Mentoring helps women engineers stay in the profession.",
        "More women should chair study groups and lead delegations.",
        "The gender gap in digital skills hurts women entrepreneurs.",
        "Female students need scholarships in telecommunication engineering.",
        "Gender-responsive language is used in all texts of the Union.",
        "Women hold few senior technical posts at telecom operators.",
        "Programmes for women and girls in ICT careers deserve funding.",
        "Gender balance in staff recruitment remains a goal of the Union.",
        "Sex-disaggregated data show how many women are engineers.",
    ]
    rows = [(f"s{i}", t, ["space_spectrum"]) for i, t in enumerate(space)]
    rows += [(f"g{i}", t, ["gender"]) for i, t in enumerate(gender)]
    # A spectrum clause labelled gender by mistake.
    rows.append(
        ("wrong", "Satellite filings and spectrum for geostationary orbit slots.", ["gender"])
    )
    return _frame(rows)


def test_out_of_fold_disagreement_is_found_and_ranked():
    frame = _oof_corpus()
    findings = audit_labels(frame, model=ThemeClassifier(cv=0), kinds=["out_of_fold"], folds=3)
    assert findings["clause_id"].tolist()[0] == "wrong"
    wrong = findings.iloc[0]
    assert wrong["suggested_themes"] == "space_spectrum"
    assert "missing space_spectrum" in wrong["finding"]
    assert "doubtful gender" in wrong["finding"]
    assert wrong["score"] > 0.85
    assert findings["score"].is_monotonic_decreasing
    assert (findings["kind"] == "out_of_fold").all()
    # Looser bars list more clauses, still ranked by confidence.
    looser = audit_labels(
        frame, model=ThemeClassifier(cv=0), kinds=["out_of_fold"], folds=3, high=0.55, low=0.45
    )
    assert len(looser) >= len(findings)
    assert looser["score"].is_monotonic_decreasing


# ------------------------------------------------------------------ the whole
def test_summary_counts_per_kind_and_rule():
    frame = _frame(
        [
            ("a", "Resolution 130 (Rev. Dubai, 2018);", ["cybersecurity", "institutional_process"]),
            ("b", "Resolution 130 (Rev. Dubai, 2018)!", ["cybersecurity"]),
        ]
    )
    findings = audit_labels(frame, kinds=["duplicate", "rule"])
    summary = audit_summary(findings)
    counts = {
        (k, r): n
        for k, r, n in zip(summary["kind"], summary["rule"], summary["findings"], strict=True)
    }
    assert counts == {("duplicate", ""): 1, ("rule", "citation-process"): 1}


def test_bad_arguments_say_what_is_valid():
    frame = _frame([("a", "text", [])])
    with pytest.raises(ValueError, match="valid: duplicate, out_of_fold, rule"):
        audit_labels(frame, kinds=["typo"])
    with pytest.raises(ValueError, match="needs 'text' and 'themes'"):
        audit_labels(pd.DataFrame({"text": ["x"]}), kinds=["rule"])
    with pytest.raises(TypeError, match="DataFrame"):
        audit_labels([("a", "b")], kinds=["rule"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="too few"):
        audit_labels(frame, kinds=["out_of_fold"])


def test_out_of_fold_keeps_each_document_in_one_fold():
    from itunlp.labels.audit import _grouped_splits, _prepared

    frame = _oof_corpus()
    frame["doc_id"] = ["doc-a"] * 6 + ["doc-b"] * 6 + [""] * (len(frame) - 12)
    frame["start"] = [0] * 12 + [None] * (len(frame) - 12)
    prepared = _prepared(frame)
    assert prepared["group"].iloc[0] == "doc:doc-a"
    assert prepared["group"].iloc[12] == "#12"
    Y = pd.get_dummies(prepared["themes"].str[0]).to_numpy().astype(int)
    for _, test in _grouped_splits(Y, prepared["group"], 3, 0):
        tested = set(prepared["group"].iloc[test])
        for document in ("doc:doc-a", "doc:doc-b"):
            rows = set(prepared.index[prepared["group"] == document])
            assert rows <= set(test) or not (rows & set(test)), document
        assert tested


def test_rule_patterns_skip_pdf_furniture_inside_a_clause_span():
    from itunlp.labels.audit_rules import _own_lines

    text = (
        "to submit an annual report on the work under-\ntaken,\n____________________\n"
        "1 Including the least developed countries.\n"
        "Final Acts PP-22                              211\n"
        "               Res. 102        212\n\n     and to publish it;"
    )
    words = " ".join(_own_lines(text))
    assert "Res. 102" not in words and "Including" not in words
    assert words.startswith("to submit an annual report") and words.endswith("to publish it;")


def test_reporting_interference_to_a_bureau_is_not_itu_reporting():
    from itunlp.labels.audit_rules import load_audit_rules

    rule = next(r for r in load_audit_rules() if r.id == "reporting-process")
    assert rule.fires("to report to the Council on the implementation of this resolution;", [])
    assert not rule.fires("to report harmful interference to the Bureau without delay;", [])
    assert not rule.fires("to report to the secretariat any attack on their accounts;", [])
