"""Per-document summaries of a clause table: clauses per theme, shares, operative vs preamble.

A resolution is read in two parts: the preamble (``recalling``, ``considering``,
``noting`` ...) sets out the background, the operative part (``resolves``,
``instructs``, ``invites`` ...) is what the conference decided. Whether a theme
is *decided on* or only *mentioned* is the question analysts ask first, so every
theme count is split by the role of the clause's heading (its ``function``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = [
    "ALL",
    "OPERATIVE_HEADINGS",
    "PREAMBLE_HEADINGS",
    "SUMMARY_COLUMNS",
    "SummaryAccumulator",
    "clause_role",
    "summarize",
]

#: The ``doc_id`` of the rows over all documents and the ``theme`` of a document's
#: total row.
ALL = "(all)"
SUMMARY_COLUMNS = ["doc_id", "theme", "clauses", "share", "operative", "preamble", "prose"]

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


def clause_role(function: object) -> str:
    """``"operative"``, ``"preamble"`` or ``"prose"`` for a clause's heading.

    Prose is a clause with no heading, or one matching neither list.

    Examples
    --------
    >>> clause_role("instructs the secretary-general"), clause_role("recognizing further")
    ('operative', 'preamble')
    >>> clause_role("further resolves"), clause_role("")
    ('operative', 'prose')
    """
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
    """

    _ROLES = ("operative", "preamble", "prose")

    def __init__(self, themes: Sequence[str] | None = None) -> None:
        self._declared: list[str] | None = list(themes) if themes is not None else None
        self._extra: set[str] = set()
        # doc_id -> theme (ALL for the total) -> role -> clause count
        self._counts: dict[str, dict[str, dict[str, int]]] = {}

    @property
    def themes(self) -> list[str]:
        """Themes in report order: declared (or from ``score_`` columns), then others sorted."""
        declared = self._declared or []
        return [*declared, *sorted(self._extra - set(declared))]

    def add(self, df: pd.DataFrame) -> None:
        """Count the clauses of one chunk of a clause table (needs ``doc_id``, ``function``)."""
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
        themes_column = df["themes"] if "themes" in df.columns else [None] * len(df)
        for doc_id, function, themes in zip(
            df["doc_id"], df["function"], themes_column, strict=True
        ):
            role = clause_role(function)
            per_doc = self._counts.setdefault(str(doc_id), {})
            for theme in [ALL, *_theme_list(themes)]:
                if theme != ALL:
                    self._extra.add(theme)
                per_theme = per_doc.setdefault(theme, dict.fromkeys(self._ROLES, 0))
                per_theme[role] += 1

    def result(self) -> pd.DataFrame:
        """The summary table: see :func:`summarize`."""
        order = [ALL, *self.themes]
        total: dict[str, dict[str, int]] = {}
        for per_doc in self._counts.values():
            for theme, roles in per_doc.items():
                into = total.setdefault(theme, dict.fromkeys(self._ROLES, 0))
                for role, count in roles.items():
                    into[role] += count
        rows = []
        for doc_id, per_doc in [*self._counts.items(), (ALL, total)]:
            n_doc = sum(per_doc.get(ALL, {}).values())
            for theme in order:
                roles = per_doc.get(theme, dict.fromkeys(self._ROLES, 0))
                n = sum(roles.values())
                share = n / n_doc if n_doc else 0.0
                rows.append((doc_id, theme, n, share, *(roles[r] for r in self._ROLES)))
        frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
        return frame.astype({c: "int64" for c in ("clauses", *self._ROLES)})


def summarize(df: pd.DataFrame, themes: Iterable[str] | None = None) -> pd.DataFrame:
    """Summarise a clause table per document and over all documents.

    Parameters
    ----------
    df : pandas.DataFrame
        A table from :func:`itunlp.run.batch.classify_documents` (or read back from
        its CSV, where ``themes`` is ``;``-joined). Needs ``doc_id`` and
        ``function``; without ``themes`` only the totals are given.
    themes : iterable of str, optional
        Theme ids in report order; defaults to the ``score_<theme>`` columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, theme, clauses, share, operative, preamble, prose``.
        For each document (in first-seen order) and then for ``doc_id ==
        "(all)"``: a row ``theme == "(all)"`` with the number of clauses and
        their split by role, then one row per theme: clauses tagged with it,
        their ``share`` of the document's clauses, and how many of them are
        operative, preamble or prose (see :func:`clause_role`).

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
    """
    accumulator = SummaryAccumulator(list(themes) if themes is not None else None)
    accumulator.add(df)
    return accumulator.result()
