"""The report's sections: a file of many texts shown resolution by resolution.

When a document's clauses carry a ``section`` (a Final Acts volume holding
Resolutions 70, 130 and 139; a summary record; treaty articles), the report groups
the document's text by section: each section gets a header with its kind and number,
its title, its clause count, preamble/operative split and tracked changes, and a small
theme profile, and the document gets a jump list of its sections. Documents without
sections are shown as before.

Hooks: each section is ``<section class="doc-section">`` with ``data-section`` (its
label, ``Decision 5 (2)`` for a second section of one name) and ``data-section-key``
(the folded name, the same for ``Resolution 70`` in every document, which the
section filter ``select#section-filter`` uses); its header is ``div.section-head``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from itunlp.views.page import _esc
from itunlp.views.report_widgets import _profile_svg
from itunlp.views.sections import (
    SectionRun,
    clean,
    has_sections,
    section_key,
    section_runs,
    title_restarts,
)

__all__ = ["CHANGE_KINDS", "clause_kind", "document_sections", "section_filter", "sectioned_body"]

#: The ``change`` values of tracked-change proposals, in badge order.
CHANGE_KINDS = ("added", "modified", "suppressed")
_PARTS = ("preamble", "operative")
_CHANGE_LINE = re.compile(r"^\s*\(?(?:MOD|ADD|SUP|NOC)\)?(?:\s|$)")


def clause_kind(row: Mapping[str, Any], function_kind: Callable[[str], str]) -> str:
    """``preamble``, ``operative`` or ``prose``: the clause's ``part``, else its heading's role."""
    part = clean(row.get("part"))
    if part in _PARTS:
        return part
    return function_kind(str(row.get("function") or ""))


def document_sections(
    rows: Sequence[Mapping[str, Any]], text: str | None = None
) -> list[SectionRun] | None:
    """The sections of one document's clauses, or None when it has none.

    With the document's ``text`` (which the offsets index), two sections of one
    name that follow each other are told apart by their title lines.
    """
    sections = [row.get("section") for row in rows]
    if not has_sections(sections):
        return None
    titles = [row.get("section_title") for row in rows]
    restarts = None
    if text is not None:
        starts, ends = [int(row["start"]) for row in rows], [int(row["end"]) for row in rows]
        restarts = title_restarts(text, starts, ends, sections, titles)
    return section_runs(sections, titles, restarts)


def _split_gap(gap: str, run: SectionRun) -> int:
    """Where in the text before a section's first clause the section begins.

    At its title line (``RESOLUTION 70 (REV. ...)``, with a change-marker line just
    before it); failing that, at the end of the line the previous clause ends on.
    """
    lines = gap.splitlines(keepends=True)
    words = run.name.split()
    pattern = None
    if len(words) >= 2:
        pattern = re.compile(
            r"\b" + re.escape(words[0]) + r"\s+" + re.escape(words[1]) + r"(?!\w)", re.I
        )
    offset, starts = 0, []
    for line in lines:
        starts.append(offset)
        offset += len(line)
    for k, line in enumerate(lines):
        if k == 0 and not gap.startswith("\n") and len(lines) > 1:
            continue  # the rest of the previous clause's line
        if pattern is not None and pattern.search(line):
            if k > 0 and _CHANGE_LINE.match(lines[k - 1]):
                k -= 1
            return starts[k]
    newline = gap.find("\n")
    return 0 if newline < 0 else newline + 1


def _header(
    run: SectionRun,
    anchor: str,
    rows: Sequence[Mapping[str, Any]],
    lists: Sequence[Sequence[str]],
    kinds: Sequence[str],
    themes: Sequence[str],
    names: Mapping[str, str],
    colours: Mapping[str, str],
) -> str:
    n = len(run.indices)
    counts = Counter(t for i in run.indices for t in lists[i])
    split = Counter(kinds[i] for i in run.indices)
    changes = Counter(clean(rows[i].get("change")) for i in run.indices)
    facts = [f"{n} clause{'s' if n != 1 else ''}"]
    facts += [f"{split[k]} {k}" for k in ("preamble", "operative", "prose") if split[k]]
    badges = "".join(
        f'<span class="change-badge {c}" data-change="{c}">{changes[c]} {c}</span>'
        for c in CHANGE_KINDS
        if changes[c]
    )
    present = [t for t in themes if counts[t]]
    profile = ""
    if present:
        present.sort(key=lambda t: -counts[t])
        name = run.name or "the text outside any section"
        profile = _profile_svg(
            {t: counts[t] / n for t in present},
            {t: counts[t] for t in present},
            names,
            colours,
            f"Share of clauses per theme in {name}",
        )
    title = f' <span class="section-title">{_esc(run.title)}</span>' if run.title else ""
    shown = run.label or "(outside any section)"
    return (
        f'<div class="section-head"><h3><span class="section-name">{_esc(shown)}</span>'
        f"{title}</h3>"
        f'<p class="meta">{_esc(", ".join(facts))} {badges}</p>'
        f'<div class="section-profile">{profile}</div></div>'
    )


def _jump_list(runs: Sequence[SectionRun], prefix: str) -> str:
    items = "".join(
        f'<li><a href="#{prefix}-s{k}">{_esc(run.label or "(outside any section)")}</a>'
        + (f" <small>{_esc(run.title)}</small>" if run.title else "")
        + f" <small>({len(run.indices)})</small></li>"
        for k, run in enumerate(runs, start=1)
    )
    return (
        f'<nav class="section-toc" aria-label="sections"><h3>{len(runs)} sections</h3>'
        f"<ol>{items}</ol></nav>"
    )


def sectioned_body(
    runs: Sequence[SectionRun],
    rows: Sequence[Mapping[str, Any]],
    lists: Sequence[Sequence[str]],
    kinds: Sequence[str],
    text: str | None,
    prefix: str,
    render: Callable[[int], str],
    gap: Callable[[str], str],
    themes: Sequence[str],
    names: Mapping[str, str],
    colours: Mapping[str, str],
) -> str:
    """One document's text (or clause list) grouped by section, with a jump list.

    Parameters
    ----------
    runs : sequence of SectionRun
        The document's sections (:func:`document_sections`).
    rows, lists, kinds : sequences
        The document's clause rows, theme lists and kinds, in reading order.
    text : str or None
        The document's text when offsets index it (clauses shown in place), else None
        (clauses listed under their headings).
    prefix : str
        The document's anchor; sections are ``<prefix>-s1``, ``<prefix>-s2``, ...
    render : callable
        Clause index -> the clause's HTML (a page mark before it when its page changes).
    gap : callable
        Text between clauses -> its HTML (headings and titles marked).
    themes, names, colours
        The report's themes, their names and colours.
    """
    out = [_jump_list(runs, prefix)]
    position = 0
    for k, run in enumerate(runs, start=1):
        anchor = f"{prefix}-s{k}"
        last = runs[k].indices[0] if k < len(runs) else None
        out.append(
            f'<section class="doc-section" id="{anchor}" data-section="{_esc(run.label)}" '
            f'data-section-key="{_esc(section_key(run.name))}">'
        )
        out.append(_header(run, anchor, rows, lists, kinds, themes, names, colours))
        if text is None:
            body, function = [], None
            for i in run.indices:
                this = str(rows[i].get("function") or "")
                if this != function:
                    function = this
                    if this:
                        body.append(f'<div class="heading">{_esc(this)}</div>')
                body.append(f'<div class="item">{render(i)}</div>')
            out.append(f'<div class="doc-text blocks">{"".join(body)}</div></section>')
            continue
        body = []
        for i in run.indices:
            start, end = int(rows[i]["start"]), int(rows[i]["end"])
            body.append(gap(text[position:start]))
            body.append(render(i))
            position = end
        if last is None:
            stop = len(text)
        else:
            following = text[position : int(rows[last]["start"])]
            stop = position + _split_gap(following, runs[k])
        body.append(gap(text[position:stop]))
        position = stop
        out.append(f'<div class="doc-text inline">{"".join(body)}</div></section>')
    return "".join(out)


def section_filter(frame_sections: Sequence[object]) -> str:
    """The filter bar's section chooser, or ``""`` when no clause has a section."""
    names: dict[str, str] = {}
    for value in frame_sections:
        name = clean(value)
        if name:
            names.setdefault(section_key(name), name)
    if not names:
        return ""
    options = "".join(
        f'<option value="{_esc(key)}">{_esc(name)}</option>' for key, name in names.items()
    )
    return (
        '<fieldset id="section-filters"><legend>Section</legend>'
        '<select id="section-filter" aria-label="show one section">'
        f'<option value="">all sections</option>{options}</select></fieldset>'
    )
