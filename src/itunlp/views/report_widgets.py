"""The report's charts and controls as HTML.

Theme profiles (SVG bars), the documents x themes heatmap, and the filter bar of
:func:`itunlp.views.report.write_report`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from itunlp.views.page import _esc

KINDS = ("preamble", "operative", "prose")


def _profile_svg(
    shares: Mapping[str, float],
    counts: Mapping[str, int],
    names: Mapping[str, str],
    colours: Mapping[str, str],
    caption: str,
) -> str:
    """A horizontal bar chart of clause shares per theme, as inline SVG."""
    # Label column wide enough for the longest theme name (about 7px a character at 12px).
    label_w = max(120, 7 * max((len(names[t]) for t in shares), default=0) + 10)
    bar_w, row_h, pad = 220, 20, 4
    width, height = label_w + bar_w + 90, row_h * len(shares) + 2 * pad
    rows = []
    for k, (theme, share) in enumerate(shares.items()):
        y = pad + k * row_h
        length = max(0.0, min(1.0, share)) * bar_w
        rows.append(
            f'<g class="bar" data-theme="{_esc(theme)}">'
            f"<title>{_esc(names[theme])}: {share:.0%} of clauses ({counts[theme]})</title>"
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_esc(names[theme])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}" '
            f'class="track"></rect>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row_h - 6}" '
            f'fill="{colours[theme]}"></rect>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}">{share:.0%} ({counts[theme]})</text>'
            "</g>"
        )
    return (
        f'<svg class="profile" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{_esc(caption)}</title>{"".join(rows)}</svg>'
    )


def _heatmap(
    shares: pd.DataFrame,
    anchors: Mapping[str, str],
    names: Mapping[str, str],
    colours: Mapping[str, str],
) -> str:
    head = "".join(
        f'<th scope="col" data-theme="{_esc(t)}" title="{_esc(names[t])}">'
        f'<span class="swatch" style="background:{colours[t]}"></span>'
        f"{_esc(t).replace('_', '_<wbr>')}</th>"
        for t in shares.columns
    )
    body = []
    for doc, row in shares.iterrows():
        cells = []
        for theme, share in row.items():
            ink = "#fff" if share > 0.55 else "#111"
            cells.append(
                f'<td data-doc="{_esc(str(doc))}" data-theme="{_esc(str(theme))}" '
                f'data-share="{share:.3f}" style="background:rgba(0,114,178,{share:.3f});'
                f'color:{ink}">{share:.0%}</td>'
            )
        body.append(
            f'<tr><th scope="row"><a href="#{anchors[str(doc)]}">{_esc(str(doc))}</a></th>'
            f"{''.join(cells)}</tr>"
        )
    return (
        '<table class="heatmap" id="heatmap"><thead><tr><th>document</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _filters(
    themes: list[str],
    names: Mapping[str, str],
    colours: Mapping[str, str],
    totals: Mapping[str, int],
    kinds: Mapping[str, int],
) -> str:
    boxes = "".join(
        f'<label class="theme-toggle" title="{_esc(names[t])}">'
        f'<input type="checkbox" id="filter-theme-{_esc(t)}" data-theme-filter="{_esc(t)}">'
        f'<span class="swatch" style="background:{colours[t]}"></span>{_esc(names[t])} '
        f"<small>({totals[t]})</small></label>"
        for t in themes
    )
    kind_boxes = "".join(
        f'<label><input type="checkbox" id="filter-function-{k}" data-function-filter="{k}" '
        f"checked> {k} <small>({kinds.get(k, 0)})</small></label>"
        for k in KINDS
    )
    return (
        '<nav id="filters" aria-label="filters">'
        '<fieldset id="theme-filters"><legend>Legend &amp; focus on themes</legend>'
        f"{boxes}</fieldset>"
        '<fieldset id="function-filters"><legend>Show clauses in</legend>'
        f'{kind_boxes}<label><input type="checkbox" id="hide-unmatched"> hide clauses '
        "outside the focused themes</label>"
        '<button type="button" id="clear-filters">clear filters</button></fieldset>'
        '<p id="filter-status" aria-live="polite"></p></nav>'
    )

