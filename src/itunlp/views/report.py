"""Self-contained HTML reports: classified documents, and the diff of two versions.

An analyst opens the file in any browser, offline, or mails it on: everything it
needs (CSS, JavaScript, SVG charts) is inline, with no fonts, images or scripts
fetched from anywhere. All document text is escaped, so a clause reading
``<script>`` shows as text. Files are written atomically (a temporary file in the
same folder, then :func:`os.replace`), so a reader never sees half a report.

The page carries stable hooks for tests and for analysts' own scripts:

- every clause is ``<span class="clause">`` with ``data-themes`` (space-separated
  ids, so ``.clause[data-themes~="gender"]`` selects a theme), ``data-function``
  (its heading), ``data-kind`` (``preamble``, ``operative`` or ``prose``),
  ``data-scores`` and ``data-terms`` (JSON);
- theme filters are ``input[data-theme-filter="<id>"]``, function filters
  ``input[data-function-filter="<kind>"]``; clauses outside the focused themes get
  the class ``dimmed`` (or ``hidden`` with ``#hide-unmatched``), clauses of an
  unticked kind get ``hidden``.
"""

from __future__ import annotations

import difflib
import html
import json
import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from itunlp import __version__
from itunlp.views.plots import CHANGE_COLOURS, table_themes, theme_colour, theme_lists, theme_shares
from itunlp.views.summary import clause_role

KINDS = ("preamble", "operative", "prose")

_DOC_TITLE = re.compile(
    r"^\s*(?:draft\s+)?(?:revision\s+of\s+)?(?:resolution|decision|recommendation|opinion)\b",
    re.IGNORECASE,
)

_esc = html.escape


def function_kind(function: str) -> str:
    """Whether a clause's heading makes it ``preamble``, ``operative`` or ``prose``.

    The same words mean different things as a preamble (``considering``) and as an
    order (``resolves``); the report filters on this split. It is the split of
    :func:`itunlp.views.summary.clause_role`, so the report and ``--summary`` agree.

    Parameters
    ----------
    function : str
        The clause's ``function`` (its resolution heading, empty for prose).

    Returns
    -------
    str

    Examples
    --------
    >>> function_kind("considering"), function_kind("further resolves"), function_kind("")
    ('preamble', 'operative', 'prose')
    """
    return clause_role(function)


def document_texts(df: pd.DataFrame) -> dict[str, str]:
    """The texts a classify table's offsets point into, read again from its ``path`` column.

    The report shows each document as written, with its clauses highlighted in
    place; this finds those texts for tables made from files. Documents given as
    strings (no path), and files that can no longer be read, are left out: the
    report lists their clauses under their headings instead.

    Parameters
    ----------
    df : pandas.DataFrame
        A classify table with ``doc_id`` and ``path`` columns.

    Returns
    -------
    dict of str to str
        ``doc_id`` -> text, as :func:`itunlp.read_document` returns it.
    """
    from itunlp.documents import DocumentError, read_document

    texts: dict[str, str] = {}
    if not {"doc_id", "path"} <= set(df.columns):
        return texts
    pairs = df[["doc_id", "path"]].drop_duplicates("doc_id")
    for doc_id, path in zip(pairs["doc_id"], pairs["path"], strict=True):
        if not isinstance(path, str) or path in ("", "-") or not Path(path).is_file():
            continue
        try:
            texts[str(doc_id)] = read_document(path).text
        except (DocumentError, OSError, ImportError):
            continue
    return texts


def _theme_names(themes: Sequence[str]) -> dict[str, str]:
    try:
        from itunlp.themes.scheme import load_themes

        scheme = load_themes()
        names = {t.id: t.name for t in scheme.themes}
    except (FileNotFoundError, ValueError):
        names = {}
    return {t: names.get(t, t) for t in themes}


def _write_atomic(path: str | os.PathLike[str], content: str) -> Path:
    """Write ``content`` so that ``path`` is either the old file or the whole new one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the report from colleagues
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _explanation(value: Any) -> dict[str, list[tuple[str, float | None]]]:
    """An ``explanation`` cell as ``{theme: [(term, weight), ...]}``, however stored."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return {}
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    if not isinstance(value, Mapping):
        return {}
    result: dict[str, list[tuple[str, float | None]]] = {}
    for theme, terms in value.items():
        pairs: list[tuple[str, float | None]] = []
        for item in terms or []:
            if isinstance(item, list | tuple) and item:
                weight = item[1] if len(item) > 1 else None
                pairs.append((str(item[0]), None if weight is None else float(weight)))
            else:
                pairs.append((str(item), None))
        result[str(theme)] = pairs
    return result


class _Clauses:
    """The per-clause fields the page needs, computed once from the classify table."""

    def __init__(self, df: pd.DataFrame, themes: list[str]) -> None:
        self.themes = themes
        self.lists = theme_lists(df)
        self.has_explanation = "explanation" in df.columns
        self.scheme = None
        if not self.has_explanation:
            try:
                from itunlp.themes.scheme import load_themes

                self.scheme = load_themes()
            except (FileNotFoundError, ValueError):
                self.scheme = None

    def scores(self, row: Mapping[str, Any]) -> dict[str, float]:
        out = {}
        for theme in self.themes:
            value = row.get(f"score_{theme}")
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                out[theme] = round(float(value), 3)
        return out

    def terms(self, row: Mapping[str, Any], own: list[str]) -> tuple[dict, str]:
        if self.has_explanation:
            explained = _explanation(row.get("explanation"))
            return {t: [[term, w] for term, w in v] for t, v in explained.items()}, "model"
        if self.scheme is None:
            return {}, "none"
        # Without the model's explanation, the scheme's own terms found in the clause
        # are the next best answer to "why this theme".
        hits = self.scheme.term_hits(str(row.get("text", "")))
        return {t: [[term, None] for term in dict.fromkeys(hits[t])] for t in own if t in hits}, (
            "scheme"
        )


def _bands_style(own: list[str], colours: Mapping[str, str]) -> str:
    """Stacked coloured underlines, one 3px band per theme, repeated on every line."""
    if not own:
        return ""
    images = ",".join(f"linear-gradient({colours[t]},{colours[t]})" for t in own)
    sizes = ",".join("100% 3px" for _ in own)
    positions = ",".join(f"0 calc(100% - {3 * k}px)" for k in range(len(own)))
    return (
        f"background-image:{images};background-size:{sizes};"
        f"background-position:{positions};padding-bottom:{3 * len(own)}px"
    )


def _clause_html(
    row: Mapping[str, Any],
    own: list[str],
    anchor: str,
    clauses: _Clauses,
    colours: Mapping[str, str],
) -> str:
    function = str(row.get("function") or "")
    kind = function_kind(function)
    scores = clauses.scores(row)
    terms, source = clauses.terms(row, own)
    page = _page_of(row)
    tip = [f"{function or 'prose'} ({kind})" + (f", page {page}" if page is not None else "")]
    tip.append("themes: " + (", ".join(f"{t} {scores.get(t, 1):.2f}" for t in own) or "none"))
    for theme, found in terms.items():
        tip.append(f"{theme}: " + ", ".join(term for term, _ in found[:5]))
    attributes = {
        "class": "clause",
        "id": anchor,
        "tabindex": "0",
        "data-clause-id": str(row.get("clause_id", "") or ""),
        "data-themes": " ".join(own),
        "data-function": function,
        "data-kind": kind,
        "data-page": "" if page is None else str(page),
        "data-scores": json.dumps(scores, ensure_ascii=False),
        "data-terms": json.dumps(terms, ensure_ascii=False),
        "data-terms-source": source,
        "title": "\n".join(tip),
        "style": _bands_style(own, colours),
    }
    # data-* are always present (possibly empty) so selectors and scripts can rely on them.
    attrs = " ".join(
        f'{k}="{_esc(v, quote=True)}"' for k, v in attributes.items() if v or k != "style"
    )
    return f"<span {attrs}>{_esc(str(row.get('text', '')))}</span>"


def _page_of(row: Mapping[str, Any]) -> int | None:
    """The clause's page (PDF inputs), or None."""
    page = row.get("page")
    if page is None or pd.isna(page):
        return None
    return int(page)


def _gap_html(gap: str, headings: set[str]) -> str:
    """Text between clauses: headings and titles shown as such, item markers dimmed."""
    parts = []
    for line in gap.splitlines(keepends=True):
        key = " ".join(line.strip().rstrip(":,;").lower().split())
        if key and key in headings:
            parts.append(f'<span class="heading">{_esc(line)}</span>')
        elif key and _DOC_TITLE.match(line):
            parts.append(f'<span class="doc-title">{_esc(line)}</span>')
        else:
            parts.append(f'<span class="gap">{_esc(line)}</span>')
    return "".join(parts)


def _offsets_fit(rows: list[dict], text: str) -> bool:
    previous_end = 0
    for row in rows:
        start, end = row.get("start"), row.get("end")
        if start is None or end is None or pd.isna(start) or pd.isna(end):
            return False
        start, end = int(start), int(end)
        if start < previous_end or text[start:end] != row.get("text"):
            return False
        previous_end = end
    return True


def _document_body(
    rows: list[dict],
    lists: list[list[str]],
    text: str | None,
    prefix: str,
    clauses: _Clauses,
    colours: Mapping[str, str],
) -> str:
    out = []
    if text is not None and _offsets_fit(rows, text):
        headings = {" ".join(str(r.get("function") or "").split()) for r in rows} - {""}
        position = 0
        page: int | None = None
        for n, (row, own) in enumerate(zip(rows, lists, strict=True), start=1):
            start, end = int(row["start"]), int(row["end"])
            out.append(_gap_html(text[position:start], headings))
            if _page_of(row) is not None and _page_of(row) != page:
                page = _page_of(row)
                out.append(f'<span class="page-mark">p. {page}</span>')
            out.append(_clause_html(row, own, f"{prefix}-c{n}", clauses, colours))
            position = end
        out.append(_gap_html(text[position:], headings))
        return f'<div class="doc-text inline">{"".join(out)}</div>'
    # No source text (or offsets that do not index it): clauses one per line, a
    # heading wherever the function or the page changes.
    function: str | None = None
    page = None
    for n, (row, own) in enumerate(zip(rows, lists, strict=True), start=1):
        if _page_of(row) is not None and _page_of(row) != page:
            page = _page_of(row)
            out.append(f'<div class="page-mark">page {page}</div>')
        this_function = str(row.get("function") or "")
        if this_function != function:
            function = this_function
            if function:
                out.append(f'<div class="heading">{_esc(function)}</div>')
        clause = _clause_html(row, own, f"{prefix}-c{n}", clauses, colours)
        out.append(f'<div class="item">{clause}</div>')
    return f'<div class="doc-text blocks">{"".join(out)}</div>'


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


_CSS = """
:root{--ink:#1b1f23;--muted:#6a737d;--line:#e1e4e8;--bg:#fff;--panel:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
 background:var(--bg);margin:0}
header.top{padding:16px 24px 4px}
h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.2em;margin:0}h3{font-size:1em;margin:12px 0 6px}
.meta,small{color:var(--muted)}
main{padding:0 24px 48px;max-width:1200px}
#filters{position:sticky;top:0;z-index:5;background:var(--panel);
 border-bottom:1px solid var(--line);
 padding:6px 24px;display:flex;flex-wrap:wrap;gap:4px 16px;align-items:flex-start}
#filters fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:2px 12px;
 align-items:center}
#filters legend{font-weight:600;font-size:.85em;padding:0;color:var(--muted)}
#filters label{white-space:nowrap;cursor:pointer;font-size:.9em}
#filter-status{margin:0;font-size:.85em;color:var(--muted);flex-basis:100%}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin:0 4px -1px 2px}
section.document,section#overview{scroll-margin-top:110px}
section.document{border-top:2px solid var(--line);margin-top:24px;padding-top:12px}
.doc-meta{display:flex;flex-wrap:wrap;gap:12px 32px;align-items:flex-start}
.doc-text{margin-top:12px;line-height:1.95}
.doc-text.inline{white-space:pre-wrap}
.doc-text .gap{color:var(--muted)}
.doc-text .heading{font-weight:600;font-style:italic;color:#24292e}
.doc-text div.heading{margin-top:10px;line-height:1.6}
.doc-text .doc-title{font-weight:700}
div.page-mark{color:var(--muted);font-size:.8em;border-top:1px dashed var(--line);margin-top:6px}
span.page-mark{color:var(--muted);font-size:.7em;border:1px solid var(--line);border-radius:3px;
 padding:0 3px;margin-right:4px;vertical-align:super}
.clause{background-repeat:no-repeat;-webkit-box-decoration-break:clone;box-decoration-break:clone;
 cursor:pointer;border-radius:2px;transition:opacity .15s}
.doc-text .item{line-height:1.9;margin:2px 0 2px 14px}
.clause:hover,.clause:focus{background-color:#fff5b1;outline:none}
.clause.selected{background-color:#fff5b1;outline:1px solid #d4a72c}
.clause.dimmed{opacity:.28}
.clause.hidden{display:none}
.clause.match{background-color:#fffbdd}
svg.profile text{font-size:12px;fill:var(--ink)}
svg.profile rect.track{fill:#eef1f4}
table.heatmap{border-collapse:collapse;font-size:.85em;margin:8px 0}
table.heatmap th,table.heatmap td{border:1px solid var(--line);padding:3px 6px;text-align:center}
table.heatmap th[scope=row]{text-align:left;font-weight:500}
table.heatmap thead th{cursor:pointer;max-width:110px;vertical-align:bottom}
table.heatmap th[scope=row]{white-space:nowrap}
#details{position:fixed;right:16px;bottom:16px;width:360px;max-height:60vh;overflow:auto;
 background:#fff;border:1px solid #d0d7de;border-radius:6px;box-shadow:0 8px 24px rgba(0,0,0,.15);
 padding:10px 14px;z-index:10;font-size:.9em}
#details[hidden]{display:none}
#details-close{float:right;border:0;background:none;font-size:1.2em;cursor:pointer}
#details table{border-collapse:collapse;width:100%}
#details td{padding:1px 4px}
#details .meter{height:8px;background:#eef1f4;border-radius:4px;min-width:80px}
#details .meter span{display:block;height:8px;border-radius:4px}
#details tr.on td:first-child{font-weight:600}
.toc li{margin:2px 0}
.diff{border-collapse:collapse;width:100%;font-size:.92em}
.diff td,.diff th{border-bottom:1px solid var(--line);padding:4px 8px;vertical-align:top;
 text-align:left}
.diff td.text{width:40%}
.diff tr.removed td.old{background:#fdecea}.diff tr.added td.new{background:#e9f7ef}
.diff tr.changed td.text{background:#fef5e7}
.diff tr.kept td.text{color:var(--muted)}
.diff tr.hidden{display:none}
.diff del{background:#f5b7b1;text-decoration:line-through}
.diff ins{background:#abebc6;text-decoration:none}
.chip{display:inline-block;border-radius:8px;padding:0 6px;margin:1px 2px;font-size:.8em}
.chip.lost{text-decoration:line-through;opacity:.7}
.chip.gained{outline:2px solid #1e8449;outline-offset:1px}
.badge{font-weight:600;font-size:.8em;text-transform:uppercase}
"""

_JS = """
"use strict";
(function () {
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  var clauses = all(".clause");
  var themeBoxes = all("input[data-theme-filter]");
  var kindBoxes = all("input[data-function-filter]");
  var hide = document.getElementById("hide-unmatched");
  var status = document.getElementById("filter-status");
  function ticked(boxes, attribute) {
    return boxes.filter(function (b) { return b.checked; })
      .map(function (b) { return b.getAttribute(attribute); });
  }
  function apply() {
    var themes = ticked(themeBoxes, "data-theme-filter");
    var kinds = ticked(kindBoxes, "data-function-filter");
    var shown = 0;
    clauses.forEach(function (c) {
      var own = (c.getAttribute("data-themes") || "").split(" ").filter(Boolean);
      var kindOk = kinds.indexOf(c.getAttribute("data-kind")) >= 0;
      var themeOk = themes.length === 0 ||
        own.some(function (t) { return themes.indexOf(t) >= 0; });
      c.classList.toggle("hidden", !kindOk || (hide.checked && !themeOk));
      c.classList.toggle("dimmed", kindOk && !themeOk && !hide.checked);
      c.classList.toggle("match", themes.length > 0 && kindOk && themeOk);
      if (kindOk && themeOk) { shown += 1; }
    });
    document.body.setAttribute("data-focus", themes.join(" "));
    status.textContent = shown + " of " + clauses.length + " clauses shown" +
      (themes.length ? " (themes: " + themes.join(", ") + ")" : "") +
      (kinds.length < kindBoxes.length ? " (only " + kinds.join(", ") + ")" : "");
  }
  themeBoxes.concat(kindBoxes, [hide]).forEach(function (b) {
    b.addEventListener("change", apply);
  });
  document.getElementById("clear-filters").addEventListener("click", function () {
    themeBoxes.forEach(function (b) { b.checked = false; });
    kindBoxes.forEach(function (b) { b.checked = true; });
    hide.checked = false;
    apply();
  });
  function themeBox(theme) {
    return document.querySelector('input[data-theme-filter="' + theme + '"]');
  }
  all("#heatmap thead th[data-theme]").forEach(function (th) {
    th.addEventListener("click", function () {
      var box = themeBox(th.getAttribute("data-theme"));
      if (box) { box.checked = !box.checked; apply(); }
    });
  });
  var panel = document.getElementById("details");
  var body = document.getElementById("details-body");
  var heading = document.getElementById("details-title");
  function add(parent, tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (cls) { node.className = cls; }
    parent.appendChild(node);
    return node;
  }
  function show(c) {
    clauses.forEach(function (o) { o.classList.remove("selected"); });
    c.classList.add("selected");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var own = (c.getAttribute("data-themes") || "").split(" ").filter(Boolean);
    heading.textContent = c.getAttribute("data-clause-id") || "clause";
    add(body, "p", "function: " + (c.getAttribute("data-function") || "(prose)") +
      " \\u2014 " + c.getAttribute("data-kind") +
      (c.getAttribute("data-page") ? ", page " + c.getAttribute("data-page") : ""));
    add(body, "p", "themes: " + (own.length ? own.join(", ") : "none"));
    var scores = JSON.parse(c.getAttribute("data-scores") || "{}");
    var names = Object.keys(scores).sort(function (a, b) { return scores[b] - scores[a]; });
    if (names.length) {
      add(body, "h3", "scores");
      var table = add(body, "table");
      names.forEach(function (t) {
        var tr = add(table, "tr", undefined, own.indexOf(t) >= 0 ? "on" : "");
        add(tr, "td", t);
        var meter = add(add(tr, "td"), "div", undefined, "meter");
        var fill = add(meter, "span");
        fill.style.width = Math.round(100 * scores[t]) + "%";
        var box = themeBox(t);
        var swatch = box ? box.parentNode.querySelector(".swatch") : null;
        fill.style.background = swatch ? swatch.style.background : "#888";
        add(tr, "td", scores[t].toFixed(2));
      });
    }
    var terms = JSON.parse(c.getAttribute("data-terms") || "{}");
    var source = c.getAttribute("data-terms-source");
    var keys = Object.keys(terms);
    if (keys.length) {
      add(body, "h3", source === "model" ? "terms that drove it"
                                         : "theme terms found in the clause");
      var list = add(body, "ul");
      keys.forEach(function (t) {
        add(list, "li", t + ": " + terms[t].map(function (p) {
          var bare = p[1] === null || p[1] === undefined;
          return bare ? p[0] : p[0] + " (" + Number(p[1]).toFixed(2) + ")";
        }).join(", "));
      });
    }
    panel.hidden = false;
  }
  clauses.forEach(function (c) {
    c.addEventListener("click", function () { show(c); });
    c.addEventListener("keydown", function (e) { if (e.key === "Enter") { show(c); } });
  });
  document.getElementById("details-close").addEventListener("click", function () {
    panel.hidden = true;
    clauses.forEach(function (o) { o.classList.remove("selected"); });
  });
  apply();
})();
"""


def _page(title: str, body: str, script: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="generator" content="itunlp {__version__}">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}"
        f'<footer class="meta" style="padding:0 24px 24px">Made by itunlp {__version__} on '
        f"{stamp}. Themes are a model's suggestions: read the text.</footer>"
        f"<script>{script}</script></body></html>\n"
    )


def write_report(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    texts: Mapping[str, str] | None = None,
    title: str = "itunlp report",
) -> Path:
    """Write the classify table as one self-contained, interactive HTML page.

    Analysts read documents, not tables: the page shows each document's text with
    every clause underlined in the colours of its themes (several at once), a
    legend that doubles as a theme filter, a filter by function (preamble,
    operative, prose), theme profiles per document and for the whole set, and a
    documents x themes heatmap. Hovering a clause shows its function, scores and
    the terms behind its themes; clicking it opens them in a side panel.

    Parameters
    ----------
    df : pandas.DataFrame
        The classify table (``model.classify(...)``): ``text`` and ``themes`` are
        required; ``doc_id``, ``path``, ``page``, ``clause_id``, ``start``, ``end``,
        ``function``, ``score_<theme>`` and ``explanation`` are used when present.
    path : str or path-like
        Where to write the ``.html`` file (folders are created).
    texts : mapping of doc_id to str, optional
        The documents' full texts. With them, each document is shown as written
        (headings, item markers and all) with its clauses highlighted in place;
        without them, or where offsets do not index the text, clauses are listed
        under their headings. By default the files named in the ``path`` column
        are read again (:func:`document_texts`); pass ``{}`` not to.
    title : str
        The page title.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        When ``df`` is not a DataFrame.
    ValueError
        When ``df`` lacks the ``text`` or ``themes`` column.

    Examples
    --------
    >>> model = itunlp.load()  # doctest: +SKIP
    >>> itunlp.write_report(model.classify(["report.txt"], explain=True),
    ...                     "report.html")  # doctest: +SKIP
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"write_report needs the classify table (a DataFrame), got {type(df).__name__}"
        )
    missing = [c for c in ("text", "themes") if c not in df.columns]
    if missing:
        raise ValueError(
            f"write_report needs the classify table; missing column(s) {', '.join(missing)} "
            f"(got {', '.join(map(str, df.columns))}). Make it with model.classify(...)"
        )
    frame = df.reset_index(drop=True)
    if "doc_id" not in frame.columns:
        frame = frame.assign(doc_id="document")
    frame = frame.assign(doc_id=frame["doc_id"].astype(str))
    themes = table_themes(frame)
    names = _theme_names(themes)
    colours = {t: theme_colour(k) for k, t in enumerate(themes)}
    clauses = _Clauses(frame, themes)
    lists = list(clauses.lists)
    texts = document_texts(frame) if texts is None else dict(texts)

    doc_ids = list(dict.fromkeys(frame["doc_id"]))
    anchors = {doc: f"doc-{k}" for k, doc in enumerate(doc_ids, start=1)}
    totals = {t: sum(t in own for own in lists) for t in themes}
    kinds = pd.Series(
        [function_kind(str(f or "")) for f in frame.get("function", [""] * len(frame))]
    )
    kind_counts = kinds.value_counts().to_dict()

    parts = [
        '<header class="top">',
        f"<h1>{_esc(title)}</h1>",
        f'<p class="meta">{len(doc_ids)} document(s), {len(frame)} clause(s), '
        f"{len(themes)} theme(s). Click a clause for its scores and terms; tick themes "
        "in the legend to focus on them.</p></header>",
        _filters(themes, names, colours, totals, kind_counts),
        "<main>",
    ]
    if frame.empty or not themes:
        parts.append("<p>No clauses to show.</p>" if frame.empty else "")
    if not frame.empty:
        overall = theme_shares(frame, by=None).iloc[0] if themes else pd.Series(dtype=float)
        parts.append('<section id="overview"><h2>The whole set</h2><div class="doc-meta">')
        if themes:
            parts.append(
                _profile_svg(
                    overall.to_dict(),
                    totals,
                    names,
                    colours,
                    "Share of clauses per theme, all documents",
                )
            )
        parts.append(
            '<ol class="toc">'
            + "".join(
                f'<li><a href="#{anchors[d]}">{_esc(d)}</a> <small>'
                f"({int((frame['doc_id'] == d).sum())} clauses)</small></li>"
                for d in doc_ids
            )
            + "</ol></div>"
        )
        if themes:
            shares = theme_shares(frame, by="doc_id")
            parts.append("<h3>Documents x themes (share of clauses)</h3>")
            parts.append(_heatmap(shares, anchors, names, colours))
        parts.append("</section>")
    for doc in doc_ids:
        mask = (frame["doc_id"] == doc).to_numpy()
        rows = frame.loc[mask].to_dict("records")
        own_lists = [own for own, keep in zip(lists, mask, strict=True) if keep]
        counts = {t: sum(t in own for own in own_lists) for t in themes}
        share = {t: counts[t] / len(rows) for t in themes}
        where = rows[0].get("path") if rows else None
        anchor = anchors[doc]
        parts.append(f'<section class="document" id="{anchor}" data-doc-id="{_esc(doc)}">')
        parts.append(f"<h2>{_esc(doc)}</h2>")
        if where is not None and not pd.isna(where) and str(where) not in ("", doc):
            parts.append(f'<p class="meta">{_esc(str(where))}</p>')
        parts.append('<div class="doc-meta">')
        if themes:
            parts.append(
                _profile_svg(share, counts, names, colours, f"Share of clauses per theme in {doc}")
            )
        doc_kinds = pd.Series([function_kind(str(r.get("function") or "")) for r in rows])
        split = ", ".join(f"{n} {k}" for k, n in doc_kinds.value_counts().items())
        parts.append(f'<p class="meta">{len(rows)} clauses: {_esc(split)}</p></div>')
        parts.append(_document_body(rows, own_lists, texts.get(doc), anchor, clauses, colours))
        parts.append("</section>")
    parts.append("</main>")
    parts.append(
        '<aside id="details" hidden><button type="button" id="details-close" '
        'aria-label="close">&#215;</button><h3 id="details-title"></h3>'
        '<div id="details-body"></div></aside>'
    )
    return _write_atomic(path, _page(title, "".join(parts), _JS))


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


_DIFF_JS = """
"use strict";
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-change]"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-change-filter]"));
  function apply() {
    var on = boxes.filter(function (b) { return b.checked; })
      .map(function (b) { return b.getAttribute("data-change-filter"); });
    rows.forEach(function (r) {
      r.classList.toggle("hidden", on.indexOf(r.getAttribute("data-change")) < 0);
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  apply();
})();
"""


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
    return _write_atomic(path, _page(title, body, _DIFF_JS))
