"""Per-document and per-section summaries: clauses per theme, shares, operative vs preamble.

A resolution is read in two parts: the preamble (``recalling``, ``considering``,
``noting`` ...) sets out the background, the operative part (``resolves``,
``instructs``, ``invites`` ...) is what the conference decided. Whether a theme
is *decided on* or only *mentioned* is the question analysts ask first, so every
theme count is split by the role of the clause: its ``part`` where the segmenter gives
one, else the role of its heading (its ``function``).

A file that holds many texts (Final Acts, a summary record, treaty articles) is
summarised per section too (``by="section"``): which of the PP-22 resolutions speak of
gender, and in their operative part or only in the preamble.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from itunlp.views.sections import SectionLabeller, clean

__all__ = [
    "ALL",
    "OPERATIVE_HEADINGS",
    "PREAMBLE_HEADINGS",
    "SECTION_SUMMARY_COLUMNS",
    "SUMMARY_COLUMNS",
    "SummaryAccumulator",
    "clause_role",
    "summarize",
]

#: The ``doc_id`` of the rows over all documents and the ``theme`` of a document's
#: total row.
ALL = "(all)"
SUMMARY_COLUMNS = ["doc_id", "theme", "clauses", "share", "operative", "preamble", "prose"]
#: The columns of ``summarize(table, by="section")``.
SECTION_SUMMARY_COLUMNS = [
    "doc_id", "section", "section_title", "theme", "clauses", "share",
    "operative", "preamble", "prose",
]  # fmt: skip
_PARTS = ("operative", "preamble")

#: First words of headings whose clauses are decisions (the operative part).
OPERATIVE_HEADINGS = (
    "resolves", "resolve", "decides", "decide", "instructs", "instruct", "invites",
    "invite", "requests", "request", "encourages", "encourage", "urges", "urge",
    "calls upon", "calls on", "call upon", "appeals", "recommends", "recommend",
    "endorses", "approves", "adopts", "authorizes", "authorises", "charges", "directs",
    "asks", "entrusts", "expresses", "commends", "accepts", "agrees", "declares",
)  # fmt: skip
#: First words of headings whose clauses give the background (the preamble).
PREAMBLE_HEADINGS = (
    "recalling", "considering", "recognizing", "recognising", "noting", "bearing in mind",
    "keeping in mind", "aware", "convinced", "emphasizing", "emphasising", "acknowledging",
    "having", "taking into account", "taking into consideration", "mindful", "concerned",
    "welcoming", "reaffirming", "affirming", "observing", "underlining", "highlighting",
    "stressing", "realizing", "realising", "believing", "conscious", "desiring", "seeking",
    "guided", "alarmed", "deploring", "appreciating", "committed", "determined",
    "referring", "in view of", "in the light of", "in light of", "pursuant to",
)  # fmt: skip
# Adverbs that may open a heading ("further resolves", "deeply concerned").
_LEADING_ADVERB = re.compile(r"^(?:(?:further|also|moreover|additionally|deeply|fully|"
                             r"strongly|in addition),?\s+)+")  # fmt: skip


def _first_words(headings: Sequence[str]) -> re.Pattern[str]:
    words = sorted(headings, key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(re.escape(w) for w in words) + r")\b")


_OPERATIVE = _first_words(OPERATIVE_HEADINGS)
_PREAMBLE = _first_words(PREAMBLE_HEADINGS)


def clause_role(function: object, part: object = "") -> str:
    """``"operative"``, ``"preamble"`` or ``"prose"`` for a clause's heading.

    The clause's ``part`` (``preamble``/``operative``, from a segmenter that knows
    the headings) wins when given; otherwise the heading decides. Prose is a clause
    with no heading, or one matching neither list.

    Examples
    --------
    >>> clause_role("instructs the secretary-general"), clause_role("recognizing further")
    ('operative', 'preamble')
    >>> clause_role("further resolves"), clause_role("")
    ('operative', 'prose')
    >>> clause_role("acknowledging with thanks", part="preamble")
    'preamble'
    """
    if isinstance(part, str) and part in _PARTS:
        return part
    if not isinstance(function, str) or not function.strip():
        return "prose"
    heading = _LEADING_ADVERB.sub("", " ".join(function.lower().split()))
    if _OPERATIVE.match(heading):
        return "operative"
    if _PREAMBLE.match(heading):
        return "preamble"
    return "prose"


def _theme_list(value: object) -> list[str]:
    """A clause's themes from a list, an array, or a CSV cell ``a;b``."""
    if isinstance(value, str):
        return [t for t in value.split(";") if t]
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [str(t) for t in value]  # type: ignore[attr-defined]


class SummaryAccumulator:
    """Build :func:`summarize`'s table chunk by chunk, in memory proportional to documents.

    Counts are additive, so a streamed run adds each chunk as it is written and
    asks for the result at the end, without keeping the clause table.

    Parameters
    ----------
    themes : sequence of str, optional
        Theme ids in report order; every theme gets a row even with no clause.
        Defaults to the ``score_<theme>`` columns of the first chunk, then any
        other theme met, sorted.
    by : {"doc_id", "section"}
        Rows per document (the default), or per section of each document too.
    """

    _ROLES = ("operative", "preamble", "prose")

    def __init__(self, themes: Sequence[str] | None = None, *, by: str = "doc_id") -> None:
        if by not in ("doc_id", "section"):
            raise ValueError(f"summarize by 'doc_id' or 'section', not {by!r}")
        self.by = by
        self._declared: list[str] | None = list(themes) if themes is not None else None
        self._extra: set[str] = set()
        # (doc_id, section label) -> theme (ALL for the total) -> role -> clause count;
        # the section label is ALL for the document's own rows.
        self._counts: dict[tuple[str, str], dict[str, dict[str, int]]] = {}
        self._titles: dict[tuple[str, str], str] = {}
        self._labeller = SectionLabeller()

    @property
    def themes(self) -> list[str]:
        """Themes in report order: declared (or from ``score_`` columns), then others sorted."""
        declared = self._declared or []
        return [*declared, *sorted(self._extra - set(declared))]

    def add(self, df: pd.DataFrame) -> None:
        """Count the clauses of one chunk of a clause table (needs ``doc_id``, ``function``).

        ``part``, ``section`` and ``section_title`` are used when present (missing
        reads as ``""``); chunks must come in table order for sections to be told apart.
        """
        missing = {"doc_id", "function"} - set(df.columns)
        if missing:
            raise ValueError(
                "summarize needs a clause table with doc_id and function columns; "
                f"missing {sorted(missing)}"
            )
        if self._declared is None:
            self._declared = [
                str(c).removeprefix("score_") for c in df.columns if str(c).startswith("score_")
            ]
        blank = [""] * len(df)

        def column(name: str) -> Iterable[object]:
            return df[name] if name in df.columns else (None for _ in blank)

        themes_column = df["themes"] if "themes" in df.columns else [None] * len(df)
        for doc_id, function, part, section, title, themes in zip(
            df["doc_id"], df["function"], column("part"), column("section"),
            column("section_title"), themes_column, strict=True,
        ):  # fmt: skip
            role = clause_role(function, part)
            keys = [(str(doc_id), ALL)]
            if self.by == "section":
                label = self._labeller.label(str(doc_id), section, title)
                keys.append((str(doc_id), label))
                if not self._titles.get(keys[-1]):
                    self._titles[keys[-1]] = clean(title)
            for key in keys:
                per_key = self._counts.setdefault(key, {})
                for theme in [ALL, *_theme_list(themes)]:
                    if theme != ALL:
                        self._extra.add(theme)
                    per_theme = per_key.setdefault(theme, dict.fromkeys(self._ROLES, 0))
                    per_theme[role] += 1

    def _rows(self, key: tuple[str, str], counts: dict[str, dict[str, int]]) -> list[tuple]:
        n_all = sum(counts.get(ALL, {}).values())
        rows = []
        for theme in [ALL, *self.themes]:
            roles = counts.get(theme, dict.fromkeys(self._ROLES, 0))
            n = sum(roles.values())
            share = n / n_all if n_all else 0.0
            head = (*key, self._titles.get(key, "")) if self.by == "section" else key[:1]
            rows.append((*head, theme, n, share, *(roles[r] for r in self._ROLES)))
        return rows

    def result(self) -> pd.DataFrame:
        """The summary table: see :func:`summarize`."""
        total: dict[str, dict[str, int]] = {}
        for (_, section), per_key in self._counts.items():
            if section != ALL:
                continue
            for theme, roles in per_key.items():
                into = total.setdefault(theme, dict.fromkeys(self._ROLES, 0))
                for role, count in roles.items():
                    into[role] += count
        sections: dict[str, list[tuple[str, str]]] = {}
        for key in self._counts:
            sections.setdefault(key[0], [])
            if key[1] != ALL:
                sections[key[0]].append(key)
        rows = []
        for doc, keys in sections.items():
            for key in keys:
                rows.extend(self._rows(key, self._counts[key]))
            rows.extend(self._rows((doc, ALL), self._counts[(doc, ALL)]))
        rows.extend(self._rows((ALL, ALL), total))
        columns = SECTION_SUMMARY_COLUMNS if self.by == "section" else SUMMARY_COLUMNS
        frame = pd.DataFrame(rows, columns=columns)
        return frame.astype({c: "int64" for c in ("clauses", *self._ROLES)})


def summarize(
    df: pd.DataFrame, themes: Iterable[str] | None = None, *, by: str = "doc_id"
) -> pd.DataFrame:
    """Summarise a clause table per document (or per section) and over all documents.

    Parameters
    ----------
    df : pandas.DataFrame
        A table from :func:`itunlp.run.batch.classify_documents` (or read back from
        its CSV, where ``themes`` is ``;``-joined). Needs ``doc_id`` and
        ``function``; without ``themes`` only the totals are given. ``part``,
        ``section`` and ``section_title`` are used when present.
    themes : iterable of str, optional
        Theme ids in report order; defaults to the ``score_<theme>`` columns.
    by : {"doc_id", "section"}
        ``"section"`` adds rows for every section of every document (a
        resolution of a Final Acts volume, an article of a treaty) before the
        document's own rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, theme, clauses, share, operative, preamble, prose``.
        For each document (in first-seen order) and then for ``doc_id ==
        "(all)"``: a row ``theme == "(all)"`` with the number of clauses and
        their split by role, then one row per theme: clauses tagged with it,
        their ``share`` of the document's clauses, and how many of them are
        operative, preamble or prose (see :func:`clause_role`).

        With ``by="section"`` the columns are :data:`SECTION_SUMMARY_COLUMNS`
        (``section`` and ``section_title`` after ``doc_id``): first the rows of each
        section of a document, in reading order (``share`` is of the section's
        clauses; a section name met twice in one file is ``Decision 5 (2)`` the
        second time; ``""`` holds the clauses outside any section), then the
        document's rows with ``section == "(all)"``, which are the rows of
        ``by="doc_id"``.

    Examples
    --------
    >>> table = pd.DataFrame({
    ...     "doc_id": ["r70", "r70", "r70"],
    ...     "function": ["considering", "resolves", ""],
    ...     "themes": [["gender"], ["gender", "connectivity"], []],
    ... })
    >>> result = summarize(table, themes=["gender", "connectivity"])
    >>> result[result.theme == "gender"].iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'doc_id': 'r70', 'theme': 'gender', 'clauses': 2, 'share': 0.6666666666666666,
     'operative': 1, 'preamble': 1, 'prose': 0}
    >>> acts = pd.DataFrame({
    ...     "doc_id": ["acts"] * 3,
    ...     "function": ["considering", "resolves", "resolves"],
    ...     "section": ["Resolution 70", "Resolution 70", "Resolution 130"],
    ...     "themes": [["gender"], ["gender"], ["cybersecurity"]],
    ... })
    >>> per_section = summarize(acts, by="section")
    >>> gender = per_section[per_section.theme == "gender"]
    >>> print(gender[["doc_id", "section", "clauses", "operative"]].to_string(index=False))
    doc_id        section  clauses  operative
      acts  Resolution 70        2          1
      acts Resolution 130        0          0
      acts          (all)        2          1
     (all)          (all)        2          1
    """
    accumulator = SummaryAccumulator(list(themes) if themes is not None else None, by=by)
    accumulator.add(df)
    return accumulator.result()
