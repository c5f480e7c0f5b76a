"""The diff of two collections section by section: Final Acts against Final Acts.

When both versions are cut into sections (a draft and the adopted Final Acts, last
conference's resolutions and this one's), clauses are compared only within their
section: sections are paired by kind and number first
(:func:`itunlp.views.sections.pair_sections`), then the clauses of each pair are
aligned as in a one-text diff (:func:`itunlp.views.diffing.align_clauses`; the
pairing and alignment are :func:`itunlp.views.sections.align_by_section`). A section
found in one version only is *new* or *gone*, all its clauses added or removed. The
balance is then given per section: what each resolution lost, gained or had
reworded, and for which themes.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from itunlp.views.diffing import BALANCE_COLUMNS, theme_balance
from itunlp.views.sections import align_by_section, has_sections

__all__ = [
    "SECTION_BALANCE_COLUMNS",
    "align_by_section",
    "describe_sections",
    "section_balance",
    "section_theme_balance",
]

SECTION_BALANCE_COLUMNS = [
    "status",
    "old_section",
    "new_section",
    "removed",
    "added",
    "changed",
    "kept",
]


def _need(diff_df: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in diff_df.columns]
    if missing:
        raise ValueError(
            f"needs the table itunlp.diff returns; missing column(s) {', '.join(missing)}"
        )


def _first(values: pd.Series) -> str:
    return next((str(v) for v in values if isinstance(v, str) and v), "")


def section_balance(diff_df: pd.DataFrame) -> pd.DataFrame:
    """Per section: new, gone or changed, and how many clauses were removed, added, changed.

    Parameters
    ----------
    diff_df : pandas.DataFrame
        The result of :func:`itunlp.diff`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``section`` (the section's label, in the order of the diff), columns
        :data:`SECTION_BALANCE_COLUMNS`: ``status`` (``new`` when the section is only
        in the new version, ``gone`` when only in the old one, ``changed`` when any
        clause was removed, added or reworded, else ``same``), ``old_section`` and
        ``new_section`` (the names on each side, ``""`` when missing), and the clause
        counts per change.

    Examples
    --------
    >>> table = itunlp.diff(draft_acts, final_acts)  # doctest: +SKIP
    >>> section_balance(table).query("status != 'same'")  # doctest: +SKIP
    """
    _need(diff_df, ("change", "section", "old_section", "new_section", "old_clause_id"))
    rows = []
    for label, group in diff_df.groupby("section", sort=False):
        counts = group["change"].value_counts()
        if group["old_clause_id"].isna().all():
            status = "new"
        elif group["new_clause_id"].isna().all():
            status = "gone"
        elif any(counts.get(c, 0) for c in ("removed", "added", "changed")):
            status = "changed"
        else:
            status = "same"
        rows.append(
            {
                "section": label,
                "status": status,
                "old_section": _first(group["old_section"]),
                "new_section": _first(group["new_section"]),
                **{c: int(counts.get(c, 0)) for c in ("removed", "added", "changed", "kept")},
            }
        )
    frame = pd.DataFrame(rows, columns=["section", *SECTION_BALANCE_COLUMNS])
    return frame.set_index("section")


def section_theme_balance(diff_df: pd.DataFrame) -> pd.DataFrame:
    """Per section and theme, the clauses removed, added, changed and kept.

    :func:`itunlp.views.diffing.theme_balance` within each section; only the themes a
    section's clauses carry on either side get a row.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``section``, ``theme``), columns
        :data:`itunlp.views.diffing.BALANCE_COLUMNS`.
    """
    _need(diff_df, ("section", "change", "old_themes", "new_themes"))
    parts = []
    for label, group in diff_df.groupby("section", sort=False):
        balance = theme_balance(group)
        present = balance[balance[["removed", "added", "changed", "kept"]].sum(axis=1) > 0]
        parts.append(present.assign(section=label).reset_index())
    if not parts:
        empty = pd.DataFrame(columns=["section", "theme", *BALANCE_COLUMNS])
        return empty.set_index(["section", "theme"])
    return pd.concat(parts, ignore_index=True).set_index(["section", "theme"])[BALANCE_COLUMNS]


def _theme_effects(per_theme: pd.DataFrame, status: str) -> str:
    effects = []
    for theme, row in per_theme.iterrows():
        if status in ("new", "gone"):
            n = row["added"] if status == "new" else row["removed"]
            if n:
                effects.append(f"{theme} {n}")
            continue
        bits = []
        if row["removed"]:
            bits.append(f"{row['removed']} removed")
        if row["added"]:
            bits.append(f"{row['added']} added")
        if row["lost_in_change"]:
            bits.append(f"lost in {row['lost_in_change']}")
        if row["gained_in_change"]:
            bits.append(f"gained in {row['gained_in_change']}")
        if bits:
            effects.append(f"{theme} {', '.join(bits)}")
    return "; ".join(effects)


def describe_sections(diff_df: pd.DataFrame, *, only_changes: bool = True) -> list[str]:
    """One readable line per section of a diff.

    ``Resolution 70: 2 removed, 1 changed, 9 kept (gender 2 removed, lost in 1)``,
    ``Resolution 219: new, 4 clauses (gender 2)``, ``Resolution 64: gone, 3 clauses``.

    Parameters
    ----------
    diff_df : pandas.DataFrame
        The result of :func:`itunlp.diff`.
    only_changes : bool
        Leave out sections where every clause was kept.

    Returns
    -------
    list of str
        Empty when neither version has sections.
    """
    _need(diff_df, ("section",))
    if not has_sections(diff_df["section"]):
        return []
    balance = section_balance(diff_df)
    per_theme = section_theme_balance(diff_df)
    lines = []
    for label, row in balance.iterrows():
        status = row["status"]
        if only_changes and status == "same":
            continue
        themes = per_theme.loc[label] if label in per_theme.index.get_level_values(0) else None
        effects = _theme_effects(themes, status) if themes is not None else ""
        name = label or "(no section)"
        if status in ("new", "gone"):
            n = row["added"] if status == "new" else row["removed"]
            line = f"{name}: {status}, {n} clause{'s' if n != 1 else ''}"
        else:
            counts = [f"{row[c]} {c}" for c in ("removed", "added", "changed") if row[c]]
            line = f"{name}: {', '.join(counts or ['no change'])}, {row['kept']} kept"
        renamed = (
            row["old_section"] and row["new_section"] and row["old_section"] != row["new_section"]
        )
        if renamed:
            line += f" (was {row['old_section']})"
        lines.append(line + (f" ({effects})" if effects else ""))
    return lines
