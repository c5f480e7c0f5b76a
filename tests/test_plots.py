"""Figures for notebooks: returned, drawn headless (Agg), from the classify and diff tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from itunlp.views.plots import plot_diff, plot_heatmap, plot_themes, table_themes, theme_shares  # noqa: E402


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["draft", "draft", "draft", "final", "final"],
            "text": ["a", "b", "c", "d", "e"],
            "themes": [["gender"], ["gender", "cybersecurity"], [], ["cybersecurity"], []],
            "score_gender": [0.9, 0.8, 0.1, 0.2, 0.1],
            "score_cybersecurity": [0.1, 0.7, 0.2, 0.9, 0.1],
            "score_connectivity": [0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )


@pytest.fixture
def diff_table() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "change": ["removed", "removed", "changed", "kept", "added"],
            "old_themes": [["gender"], ["stakeholder_participation"], ["gender"], [], []],
            "new_themes": [[], [], [], [], ["cybersecurity"]],
        }
    )
    frame.attrs["themes"] = ["gender", "stakeholder_participation", "cybersecurity"]
    return frame


def test_table_themes_follow_the_score_columns(table: pd.DataFrame) -> None:
    assert table_themes(table) == ["gender", "cybersecurity", "connectivity"]
    assert table_themes(table.drop(columns=[c for c in table if c.startswith("score_")])) == [
        "gender",
        "cybersecurity",
    ]  # the shipped scheme's order


def test_theme_shares_per_document_and_overall(table: pd.DataFrame) -> None:
    shares = theme_shares(table)
    assert list(shares.index) == ["draft", "final"]
    assert shares.loc["draft", "gender"] == pytest.approx(2 / 3)
    assert shares.loc["final", "connectivity"] == 0.0
    assert shares.attrs["n"] == {"draft": 3, "final": 2}
    overall = theme_shares(table, by=None)
    assert overall.loc["all", "cybersecurity"] == pytest.approx(2 / 5)


def test_theme_shares_reads_semicolon_themes_from_csv(table: pd.DataFrame) -> None:
    as_csv = table.assign(themes=table["themes"].map(";".join))
    pd.testing.assert_frame_equal(theme_shares(as_csv), theme_shares(table))


def test_theme_shares_rejects_an_unknown_column(table: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="cannot group by 'year'"):
        theme_shares(table, by="year")


def test_plot_themes_returns_a_figure(table: pd.DataFrame, tmp_path: Path) -> None:
    figure = plot_themes(table)
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == table_themes(table)
    assert len(axes.patches) == 2 * 3  # two documents x three themes
    figure.savefig(tmp_path / "themes.png")
    assert (tmp_path / "themes.png").stat().st_size > 0


def test_plot_themes_draws_into_given_axes(table: pd.DataFrame) -> None:
    figure = Figure()
    axes = figure.add_subplot()
    assert plot_themes(table, by=None, ax=axes) is figure
    assert len(axes.patches) == 3


def test_plot_heatmap_returns_a_figure(table: pd.DataFrame) -> None:
    figure = plot_heatmap(table)
    assert isinstance(figure, Figure)
    labels = [t.get_text() for t in figure.axes[0].texts]
    assert "67%" in labels  # draft x gender


def test_plot_diff_shows_removed_left_and_added_right(diff_table: pd.DataFrame) -> None:
    figure = plot_diff(diff_table)
    assert isinstance(figure, Figure)
    widths = [p.get_width() for p in figure.axes[0].patches]
    # removed to the left (gender, stakeholder), added to the right (cybersecurity)
    assert sorted(w for w in widths if w) == [-1, -1, 1]
    notes = [t.get_text() for t in figure.axes[0].texts]
    assert "1 changed, lost in 1" in notes
