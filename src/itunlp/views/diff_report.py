"""The diff of two versions of a text as a self-contained side-by-side HTML page.

:func:`write_diff_report` renders :func:`itunlp.diff`'s table: removed, added and
changed clauses coloured, reworded clauses with the words struck out and put in,
each side with its themes, the per-theme balance above. The page shell, stylesheet
and script come from ``templates/`` (:mod:`itunlp.views.page`).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from itunlp.views.page import _esc, _page, _write_atomic
from itunlp.views.plots import CHANGE_COLOURS, theme_colour

# ---------------------------------------------------------------- diff view


def _word_diff(old: str, new: str) -> tuple[str, str]:
    """Both texts escaped, with the words struck out (``<del>``) and put in (``<ins>``)."""
    a, b = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    old_out, new_out = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = _esc("".join(a[i1:i2])), _esc("".join(b[j1:j2]))
        if tag == "equal":
            old_out.append(left)
            new_out.append(right)
            continue
        if left:
            old_out.append(f"<del>{left}</del>")
        if right:
            new_out.append(f"<ins>{right}</ins>")
    return "".join(old_out), "".join(new_out)


def _ink(colour: str) -> str:
    """Black or white text, whichever reads on ``colour`` (a ``#rrggbb`` background)."""
    red, green, blue = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return "#111" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#fff"


def _chips(own: Sequence[str], other: Sequence[str], colours: Mapping[str, str], side: str) -> str:
    """Theme chips of one side; a theme the other side lacks is marked lost or gained."""
    chips = []
    for theme in own:
        colour = colours.get(theme, "#666666")
        if theme in other:
            kind, label, tip = "", theme, theme
        elif side == "old":
            kind, label, tip = " lost", theme, f"{theme}: lost in the new version"
        else:
            kind, label, tip = " gained", f"+{theme}", f"{theme}: gained in the new version"
        chips.append(
            f'<span class="chip{kind}" style="background:{colour};color:{_ink(colour)}" '
            f'title="{_esc(tip)}">{_esc(label)}</span>'
        )
    return "".join(chips)




def write_diff_report(
    diff_df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    title: str = "itunlp diff",
    old_label: str = "old",
    new_label: str = "new",
) -> Path:
    """Write a diff (:func:`itunlp.diff`) as a self-contained side-by-side HTML page.

    Removed, added and changed clauses are coloured, reworded clauses show the
    words struck out and put in, and each side carries its themes (a theme a
    rewording lost is struck through). Above the table, the per-theme balance.

    Parameters
    ----------
    diff_df : pandas.DataFrame
        The result of :func:`itunlp.diff`.
    path : str or path-like
        Where to write the ``.html`` file.
    title : str
        The page title.
    old_label, new_label : str
        Column captions, for example the two file names.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        When ``diff_df`` is not a diff table.
    """
    from itunlp.views.diffing import describe_balance, theme_balance

    balance = theme_balance(diff_df)
    themes = list(balance.index)
    colours = {t: theme_colour(k) for k, t in enumerate(themes)}
    counts = diff_df["change"].value_counts().to_dict()
    lines = describe_balance(balance) or ["no theme gained or lost a clause"]
    header = (
        f'<header class="top"><h1>{_esc(title)}</h1><p class="meta">{_esc(old_label)} '
        f"&#8594; {_esc(new_label)}: "
        + ", ".join(f"{counts.get(c, 0)} {c}" for c in ("removed", "added", "changed", "kept"))
        + "</p></header>"
    )
    filters = "".join(
        f'<label><input type="checkbox" data-change-filter="{c}" checked>'
        f' <span class="badge" style="color:{CHANGE_COLOURS[c]}">{c}</span> '
        f"<small>({counts.get(c, 0)})</small></label> "
        for c in ("removed", "added", "changed", "kept")
    )
    rows = []
    for record in diff_df.to_dict("records"):
        change = record["change"]
        old, new = str(record.get("old_text") or ""), str(record.get("new_text") or "")
        if change == "changed":
            old_html, new_html = _word_diff(old, new)
        else:
            old_html, new_html = _esc(old), _esc(new)
        old_themes, new_themes = list(record["old_themes"]), list(record["new_themes"])
        old_chips = _chips(old_themes, new_themes, colours, "old")
        new_chips = _chips(new_themes, old_themes, colours, "new")
        rows.append(
            f'<tr class="{change}" data-change="{change}" '
            f'data-old-themes="{_esc(" ".join(old_themes))}" '
            f'data-new-themes="{_esc(" ".join(new_themes))}">'
            f'<td><span class="badge" style="color:{CHANGE_COLOURS.get(change, "#333")}">'
            f"{change}</span><br><small>{_esc(str(record.get('function') or ''))}</small></td>"
            f'<td class="text old">{old_html}<br>{old_chips}</td>'
            f'<td class="text new">{new_html}<br>{new_chips}</td>'
            f"<td><small>{float(record.get('similarity') or 0):.2f}</small></td></tr>"
        )
    body = (
        header
        + '<nav id="filters">'
        + filters
        + "</nav><main>"
        + '<section id="balance"><h2>Theme balance</h2><ul>'
        + "".join(f"<li>{_esc(line)}</li>" for line in lines)
        + "</ul></section>"
        + '<table class="diff"><thead><tr><th>change</th>'
        f"<th>{_esc(old_label)}</th><th>{_esc(new_label)}</th><th>similarity</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></main>"
    )
    return _write_atomic(path, _page(title, body, "diff.js"))
