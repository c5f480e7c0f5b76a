"""Figures for notebooks: theme profiles, a documents x themes heatmap, a diff's balance.

Analysts would rather look than read tables. Each function returns a matplotlib
:class:`~matplotlib.figure.Figure` built without pyplot, so it works under any
backend (Agg included), never opens a window and leaves no global state behind; a
notebook shows the returned figure, a script saves it with ``fig.savefig(...)``.
matplotlib is an optional dependency (the ``plot`` extra) and is imported only when
a figure is drawn. The table helpers (:func:`table_themes`, :func:`theme_shares`)
need only pandas and are shared with the HTML report.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# One colour per theme, stable across the report and the figures. The first eight
# are the Okabe-Ito palette (distinguishable with the common colour-vision
# deficiencies); later themes cycle through a second, darker set.
THEME_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#CC79A7",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#8C6D1F",
    "#F0E442",
    "#6A3D9A",
    "#1B9E77",
    "#B15928",
    "#666666",
)
CHANGE_COLOURS = {"removed": "#C0392B", "added": "#1E8449", "changed": "#D68910", "kept": "#7F8C8D"}


def theme_colour(index: int) -> str:
    """The colour of the theme at ``index`` of a model's theme list."""
    return THEME_COLOURS[index % len(THEME_COLOURS)]


def _as_list(value: Any) -> list[str]:
    """Themes of one row, whether a list (DataFrame) or ``a;b`` / JSON (read from CSV)."""
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    if value is None or (isinstance(value, float) and value != value):
        return []
    if hasattr(value, "tolist"):  # numpy arrays from parquet
        return [str(v) for v in value.tolist()]
    text = str(value).strip()
    if text.startswith("["):
        return [str(v) for v in json.loads(text)]
    return [part.strip() for part in text.split(";") if part.strip()]


def theme_lists(df: pd.DataFrame) -> pd.Series:
    """The ``themes`` column as lists, however the table was stored."""
    if "themes" not in df.columns:
        raise ValueError(
            "expected the classify table (a 'themes' column per clause); got columns "
            f"{', '.join(map(str, df.columns))}. Make it with model.classify(...)"
        )
    return df["themes"].map(_as_list)


def table_themes(df: pd.DataFrame) -> list[str]:
    """The themes of a classify table, in the model's order.

    The ``score_<theme>`` columns carry the model's full theme list in order, so a
    theme no clause received still gets its row in a profile; without them, the
    themes found are ordered as in the shipped scheme.
    """
    scored = [c.removeprefix("score_") for c in df.columns if str(c).startswith("score_")]
    if scored:
        return scored
    found = {t for ts in theme_lists(df) for t in ts}
    try:
        from itunlp.themes.scheme import load_themes

        order = load_themes().ids
    except (FileNotFoundError, ValueError):
        order = []
    return [t for t in order if t in found] + sorted(found - set(order))


def theme_shares(df: pd.DataFrame, by: str | None = "doc_id") -> pd.DataFrame:
    """Share of clauses carrying each theme, per group (or for the whole table).

    Shares do not sum to one: a clause may carry several themes or none.

    Parameters
    ----------
    df : pandas.DataFrame
        A classify table (``model.classify(...)``).
    by : str or None
        Column to group by (``doc_id`` by default); ``None`` for one row, ``all``.

    Returns
    -------
    pandas.DataFrame
        Groups x themes, values in [0, 1], in first-seen group order; ``attrs["n"]``
        maps each group to its number of clauses.

    Raises
    ------
    ValueError
        When ``by`` is not a column of ``df``.

    Examples
    --------
    >>> table = pd.DataFrame({"doc_id": ["a", "a", "b"],
    ...                       "themes": [["gender"], [], ["gender", "connectivity"]]})
    >>> float(theme_shares(table).loc["a", "gender"])
    0.5
    """
    themes = table_themes(df)
    lists = theme_lists(df)
    if by is None:
        keys = pd.Series(["all"] * len(df), index=df.index)
    elif by not in df.columns:
        raise ValueError(f"cannot group by '{by}': not a column; columns are {list(df.columns)}")
    else:
        keys = df[by].astype(str)
    order = list(dict.fromkeys(keys))
    indicator = pd.DataFrame(
        [[theme in ts for theme in themes] for ts in lists], columns=themes, index=df.index
    )
    sizes = keys.value_counts()
    shares = indicator.groupby(keys, sort=False).mean().reindex(order).fillna(0.0)
    shares.index.name = by or "set"
    shares.attrs["n"] = {k: int(sizes.get(k, 0)) for k in order}
    return shares


def _matplotlib() -> Any:
    try:
        import matplotlib
        import matplotlib.ticker
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "itunlp's plots need matplotlib, which is not installed; install it with "
            "pip install 'itunlp[plot]'"
        ) from error
    return matplotlib, Figure


def _figure_and_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    _, Figure = _matplotlib()
    if ax is not None:
        return ax.figure, ax
    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def plot_themes(df: pd.DataFrame, *, by: str | None = "doc_id", ax: Axes | None = None) -> Figure:
    """Theme profile: the share of clauses carrying each theme, one bar per group.

    Parameters
    ----------
    df : pandas.DataFrame
        A classify table (``model.classify(...)``).
    by : str or None
        Column whose values are compared (``doc_id`` by default); ``None`` for one
        profile of the whole table.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        When matplotlib is missing (``pip install 'itunlp[plot]'``).

    Examples
    --------
    >>> fig = plot_themes(model.classify(paths))  # doctest: +SKIP
    >>> fig.savefig("profiles.png")  # doctest: +SKIP
    """
    shares = theme_shares(df, by=by)
    themes = list(shares.columns)
    groups = list(shares.index)
    height = max(3.0, min(10.0, 0.16 * len(themes) * max(1, len(groups)) + 1.2))
    figure, axes = _figure_and_axes(ax, (9.0, height))
    matplotlib, _ = _matplotlib()
    cmap = matplotlib.colormaps["tab10"]
    bar = 0.8 / max(1, len(groups))
    positions = range(len(themes))
    for g, group in enumerate(groups):
        colour = theme_colour(0) if len(groups) == 1 else cmap(g % 10)
        axes.barh(
            [p + g * bar - 0.4 + bar / 2 for p in positions],
            shares.loc[group].to_numpy(),
            height=bar,
            label=f"{group} (n={shares.attrs['n'][group]})",
            color=colour,
        )
    axes.set_yticks(list(positions), themes)
    axes.invert_yaxis()
    axes.set_xlim(0, max(0.05, float(shares.to_numpy().max()) * 1.1) if len(shares) else 1)
    axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set_xlabel("share of clauses")
    axes.set_title("Theme profile" + (f" by {by}" if by else ""))
    if len(groups) > 1:
        # Outside the axes: inside, it would hide the bars of the last themes.
        axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure


def plot_heatmap(df: pd.DataFrame, *, by: str = "doc_id", ax: Axes | None = None) -> Figure:
    """Documents x themes heatmap of clause shares, each cell labelled with its share.

    Parameters
    ----------
    df : pandas.DataFrame
        A classify table.
    by : str
        Column whose values form the rows (``doc_id`` by default).
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        When matplotlib is missing (``pip install 'itunlp[plot]'``).
    """
    shares = theme_shares(df, by=by)
    rows, cols = shares.shape
    figure, axes = _figure_and_axes(ax, (1.0 + 0.8 * max(cols, 1), 1.5 + 0.45 * max(rows, 1)))
    image = axes.imshow(shares.to_numpy(), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(cols), list(shares.columns), rotation=40, ha="right")
    axes.set_yticks(range(rows), [str(i) for i in shares.index])
    for r in range(rows):
        for c in range(cols):
            value = float(shares.iat[r, c])
            axes.text(
                c,
                r,
                f"{value:.0%}",
                ha="center",
                va="center",
                fontsize="small",
                color="white" if value > 0.55 else "black",
            )
    figure.colorbar(image, ax=axes, label="share of clauses", shrink=0.8)
    axes.set_title("Themes by document")
    return figure


def plot_diff(diff_df: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Theme balance of a diff: clauses removed (left) and added (right) per theme.

    Changed clauses are written beside each bar, with how many lost or gained the
    theme in the rewording, so "gender: 2 removed, 0 added, lost in 1 rewording"
    reads at a glance.

    Parameters
    ----------
    diff_df : pandas.DataFrame
        The result of :func:`itunlp.diff`.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; a new figure otherwise.
    title : str, optional
        Figure title; "Theme balance: old -> new" by default.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        When matplotlib is missing (``pip install 'itunlp[plot]'``).
    """
    from itunlp.views.diffing import theme_balance

    balance = theme_balance(diff_df)
    # Themes neither version has would only add empty rows.
    balance = balance[balance[["removed", "added", "changed", "kept"]].sum(axis=1) > 0]
    themes = list(balance.index)
    figure, axes = _figure_and_axes(ax, (8.0, max(2.5, 0.45 * len(themes) + 1.2)))
    positions = list(range(len(themes)))
    removed = balance["removed"].to_numpy() if themes else []
    added = balance["added"].to_numpy() if themes else []
    axes.barh(positions, [-v for v in removed], color=CHANGE_COLOURS["removed"], label="removed")
    axes.barh(positions, added, color=CHANGE_COLOURS["added"], label="added")
    reach = max([1, *removed, *added])
    for p, theme in enumerate(themes):
        row = balance.loc[theme]
        notes = []
        if row["changed"]:
            notes.append(f"{row['changed']} changed")
        if row["lost_in_change"]:
            notes.append(f"lost in {row['lost_in_change']}")
        if row["gained_in_change"]:
            notes.append(f"gained in {row['gained_in_change']}")
        if notes:
            axes.text(
                reach * 1.05,
                p,
                ", ".join(notes),
                va="center",
                fontsize="small",
                color=CHANGE_COLOURS["changed"],
            )
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_yticks(positions, themes)
    axes.invert_yaxis()
    axes.set_xlim(-reach * 1.1, reach * 2.2)
    axes.xaxis.set_major_formatter(
        _matplotlib()[0].ticker.FuncFormatter(lambda value, _: f"{abs(value):g}")
    )
    axes.set_xlabel("clauses removed  |  clauses added")
    axes.set_title(title or "Theme balance: old -> new")
    axes.legend(fontsize="small", loc="lower right")
    return figure
