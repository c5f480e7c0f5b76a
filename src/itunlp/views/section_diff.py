"""The diff of two collections section by section: Final Acts against Final Acts.

When both versions are cut into sections (a draft and the adopted Final Acts, last
conference's resolutions and this one's), clauses are compared only within their
section: sections are paired by kind and number first (:func:`pair_sections`), then
the clauses of each pair are aligned as in a one-text diff
(:func:`itunlp.diffing.align_clauses`). A section found in one version only is *new*
or *gone*, all its clauses added or removed. The balance is then given per section:
what each resolution lost, gained or had reworded, and for which themes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from itunlp.views.sections import (
    SectionRun,
    clean,
    has_sections,
    pair_sections,
    section_runs,
    title_restarts,
)

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

Aligner = Callable[[Sequence[str], Sequence[str]], list[tuple[int | None, int | None, float]]]


def _sections_of(clauses: Sequence[Any]) -> list[str]:
    return [clean(getattr(c, "section", "")) for c in clauses]


def _runs(clauses: Sequence[Any], sections: list[str], text: str | None) -> list[SectionRun]:
    titles = [getattr(c, "section_title", "") for c in clauses]
    restarts = None
    if text is not None:
        starts = [int(getattr(c, "start", 0)) for c in clauses]
        ends = [int(getattr(c, "end", 0)) for c in clauses]
        restarts = title_restarts(text, starts, ends, sections)
    return section_runs(sections, titles, restarts)


def align_by_section(
    old_clauses: Sequence[Any],
    new_clauses: Sequence[Any],
    align: Aligner,
    texts: tuple[str, str] | None = None,
) -> tuple[list[tuple[int | None, int | None, float, str]], list[str]]:
    """Align two versions' clauses within paired sections.

    Parameters
    ----------
    old_clauses, new_clauses : sequence
        Clauses with ``text`` and (optionally) ``section`` and ``section_title``
        attributes, in reading order.
    align : callable
        Aligns two lists of clause texts (:func:`itunlp.diffing.align_clauses`).
    texts : (str, str), optional
        The two versions' texts, which the clause offsets index: they tell apart two
        sections of one name that follow each other (:func:`title_restarts`).

    Returns
    -------
    aligned : list of (old index, new index, similarity, section label)
        Indices into the whole versions. Without sections on both sides the whole
        texts are aligned at once and the label is the clause's own section.
    notes : list of str
        Remarks on the pairing (repeated section names).
    """
    old_sections, new_sections = _sections_of(old_clauses), _sections_of(new_clauses)
    if not (has_sections(old_sections) and has_sections(new_sections)):
        rows = align([c.text for c in old_clauses], [c.text for c in new_clauses])
        labelled = [
            (i, j, s, new_sections[j] if j is not None else old_sections[i])  # type: ignore[index]
            for i, j, s in rows
        ]
        return labelled, []
    old_text, new_text = texts if texts is not None else (None, None)
    old_runs = _runs(old_clauses, old_sections, old_text)
    new_runs = _runs(new_clauses, new_sections, new_text)
    pairs, notes = pair_sections(old_runs, new_runs)
    aligned: list[tuple[int | None, int | None, float, str]] = []
    for a, b in pairs:
        old_idx = old_runs[a].indices if a is not None else []
        new_idx = new_runs[b].indices if b is not None else []
        label = new_runs[b].label if b is not None else old_runs[a].label  # type: ignore[index]
        local = align([old_clauses[i].text for i in old_idx], [new_clauses[j].text for j in new_idx])
        for i, j, score in local:
            aligned.append(
                (
                    old_idx[i] if i is not None else None,
                    new_idx[j] if j is not None else None,
                    score,
                    label,
                )
            )
    return aligned, notes


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

    :func:`itunlp.diffing.theme_balance` within each section; only the themes a
    section's clauses carry on either side get a row.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``section``, ``theme``), columns
        :data:`itunlp.diffing.BALANCE_COLUMNS`.
    """
    from itunlp.diffing import BALANCE_COLUMNS, theme_balance

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
        renamed = row["old_section"] and row["new_section"] and row["old_section"] != row["new_section"]
        if renamed:
            line += f" (was {row['old_section']})"
        lines.append(line + (f" ({effects})" if effects else ""))
    return lines
