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

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from itunlp.views.diff_report import write_diff_report
from itunlp.views.page import _esc, _page, _write_atomic
from itunlp.views.plots import table_themes, theme_colour, theme_lists, theme_shares
from itunlp.views.report_widgets import KINDS, _filters, _heatmap, _profile_svg
from itunlp.views.summary import clause_role

__all__ = ["KINDS", "document_texts", "function_kind", "write_diff_report", "write_report"]


_DOC_TITLE = re.compile(
    r"^\s*(?:draft\s+)?(?:revision\s+of\s+)?(?:resolution|decision|recommendation|opinion)\b",
    re.IGNORECASE,
)



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
    return _write_atomic(path, _page(title, "".join(parts), "report.js"))


