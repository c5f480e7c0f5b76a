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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from itunlp.views.diffing import BALANCE_COLUMNS, PAIRING_THRESHOLD, diff, theme_balance
from itunlp.views.sections import align_by_section, clean, has_sections

__all__ = [
    "SECTION_BALANCE_COLUMNS",
    "align_by_section",
    "describe_sections",
    "diff_collections",
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


@dataclass
class _Placed:
    """A clause of one file placed in the joined text of its collection."""

    start: int
    end: int
    text: str
    function: str
    section: str
    section_title: str
    clause_id: str


class _Collection:
    """The files of one version as one text, cut file by file, sections kept apart."""

    def __init__(self, texts: Mapping[str, str], cut: Any) -> None:
        self.text, self.clauses, offset = "", [], 0
        parts = []
        for doc_id, text in texts.items():
            for n, clause in enumerate(cut(text), start=1):
                # A file without sections is a section of its own, named by the file.
                section = clean(getattr(clause, "section", "")) or str(doc_id)
                self.clauses.append(
                    _Placed(
                        offset + clause.start, offset + clause.end, clause.text,
                        getattr(clause, "function", "") or "", section,
                        clean(getattr(clause, "section_title", "")), f"{doc_id}-{n:03d}",
                    )
                )  # fmt: skip
            parts.append(text)
            offset += len(text) + 2
        self.text = "\n\n".join(parts)


class _Replay:
    """A model whose ``segment`` gives back a collection's clauses; tags as the model does."""

    def __init__(self, model: Any, collections: dict[str, _Collection]) -> None:
        self.model, self.collections = model, collections
        self.themes = list(getattr(model, "themes", []))

    def segment(self, text: str) -> list[_Placed]:
        return self.collections[text].clauses

    def predict(self, texts: list[str], functions: list[str] | None = None) -> list[list[str]]:
        return self.model.predict(texts, functions=functions)


def diff_collections(
    old: Mapping[str, str],
    new: Mapping[str, str],
    model: Any = None,
    *,
    threshold: float = PAIRING_THRESHOLD,
) -> pd.DataFrame:
    """The diff of two collections of files, section by section.

    Two folders of texts (last conference's resolutions and this one's, a folder of
    regional proposals and the adopted Final Acts) are compared as two versions of one
    collection: every file is cut on its own, a clause's section is its own
    (``Resolution 70``) or, in a file without sections, the file's ``doc_id``, and
    sections are paired and aligned as in :func:`itunlp.diff`.

    Parameters
    ----------
    old, new : mapping of doc_id to str
        The texts of each collection, in reading order.
    model : ThemeModel, optional
        Cuts and tags the clauses; the shipped default when omitted.
    threshold : float
        As in :func:`itunlp.diff`.

    Returns
    -------
    pandas.DataFrame
        :func:`itunlp.diff`'s table; clause ids are ``<doc_id>-NNN`` within each file.
    """
    if model is None:
        from itunlp.pipeline import load

        model = load()
    cut = model.segment if hasattr(model, "segment") else None
    if cut is None:
        from itunlp.segmentation.component import split_into_clauses as cut
    sides = {"old": _Collection(old, cut), "new": _Collection(new, cut)}
    # The two joined texts are the keys the replaying model answers to.
    if sides["old"].text == sides["new"].text:
        sides["new"].text += "\n"
    replay = _Replay(model, {c.text: c for c in sides.values()})
    table = diff(sides["old"].text, sides["new"].text, replay, threshold=threshold)
    for side in ("old", "new"):
        ids = {f"{side}-{k:03d}": c.clause_id for k, c in enumerate(sides[side].clauses, 1)}
        column = f"{side}_clause_id"
        table[column] = [ids.get(v) if isinstance(v, str) else None for v in table[column]]
    return table
