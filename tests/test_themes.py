"""The theme scheme is data: read, validated, and matched against text."""

from pathlib import Path

import pytest

from itunlp.themes import ThemeScheme, load_themes

CODEBOOK_THEMES = [
    "connectivity",
    "space_spectrum",
    "gender",
    "stakeholder_participation",
    "cybersecurity",
    "internet_governance",
    "human_rights",
    "telecom_regulation",
    "institutional_process",
]


def test_shipped_scheme_has_the_nine_codebook_themes_in_order():
    assert load_themes().ids == CODEBOOK_THEMES


def test_every_shipped_theme_has_description_and_terms():
    for theme in load_themes().themes:
        assert theme.description and theme.terms, theme.id


@pytest.mark.parametrize(
    ("text", "theme", "term"),
    [
        ("Women engineers met in Geneva.", "gender", "Women engineers"),
        ("A national CIRT was set up.", "cybersecurity", "CIRT"),
        ("Filings for geostationary satellites rose.", "space_spectrum", "geostationary"),
        ("Satellites were discussed.", "space_spectrum", "Satellites"),
        ("The ITRs were last revised in 2012.", "telecom_regulation", "ITRs"),
    ],
)
def test_term_hits_find_implied_terms_and_word_endings(text, theme, term):
    assert term in load_themes().term_hits(text)[theme]


def test_acronym_terms_are_case_sensitive():
    hits = load_themes().term_hits("Now we said it.")
    assert "gender" not in hits  # 'NoW' (Network of Women) must not match 'Now'


def test_trap_hits_flag_misleading_phrases():
    assert load_themes().trap_hits("the financial security of the Union") == {
        "cybersecurity": ["financial security"]
    }


def test_unknown_theme_message_suggests_and_lists_valid_ids():
    message = load_themes().unknown_theme_message("cyber", "labels.csv row 14")
    assert "Unknown theme 'cyber' in labels.csv row 14" in message
    assert "did you mean 'cybersecurity'" in message
    assert "connectivity" in message


def test_user_adds_a_theme_by_editing_the_file(tmp_path: Path):
    shipped = (Path(load_themes().source)).read_text(encoding="utf-8")
    extra = '\n[[theme]]\nid = "ai_ethics"\nname = "AI ethics"\nterms = ["algorithmic bias"]\n'
    path = tmp_path / "themes.toml"
    path.write_text(shipped + extra, encoding="utf-8")
    scheme = load_themes(path)
    assert scheme.ids[-1] == "ai_ethics"
    assert scheme.term_hits("Algorithmic bias in hiring")["ai_ethics"] == ["Algorithmic bias"]


def test_retired_theme_is_not_active(tmp_path: Path):
    path = tmp_path / "themes.toml"
    path.write_text(
        '[[theme]]\nid = "a"\nname = "A"\n[[theme]]\nid = "b"\nretired = true\n', encoding="utf-8"
    )
    scheme = load_themes(path)
    assert scheme.ids == ["a"]
    assert "retired" in scheme.unknown_theme_message("b")


def test_round_trip_through_dict():
    scheme = load_themes()
    again = ThemeScheme.from_dict(scheme.to_dict())
    assert again.ids == scheme.ids
    assert again["gender"].terms == scheme["gender"].terms


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("version = 1\n", "expected a list of \\[\\[theme\\]\\] blocks"),
        ('[[theme]]\nid = "Bad Id"\n', "must be lower_snake_case"),
        ('[[theme]]\nid = "a"\n[[theme]]\nid = "a"\n', "duplicate theme id 'a'"),
        ('[[theme]]\nid = "a"\nterms = "x"\n', "'terms' must be a list of strings"),
        ("[[theme]\n", "not a valid TOML theme scheme"),
    ],
)
def test_malformed_scheme_is_rejected_with_the_reason(tmp_path: Path, content, message):
    path = tmp_path / "themes.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_themes(path)


def test_missing_scheme_file_raises_file_not_found(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="Theme scheme not found"):
        load_themes(tmp_path / "nope.toml")
