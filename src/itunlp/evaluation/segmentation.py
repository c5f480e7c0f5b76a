"""Clause-level scoring of the segmenter against gold clause offsets.

The matching rule is the one of issue 3, so that figures from different
splitters are comparable: a predicted clause matches a gold clause when its start
and its end each fall on the gold start and end, up to whitespace, punctuation,
quotes and one item marker (``a)``, ``(iv)``, ``1.``, ``•``) between them. Each
gold clause is matched at most once, and precision counts every predicted span,
so a page header returned as a clause is a false positive.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from itunlp.segmentation.boundary_model import BoundaryModel
from itunlp.segmentation.component import split_into_clauses
from itunlp.segmentation.edges import _MAX_EDGE_GAP, edges_match

__all__ = [
    "ATTRIBUTES",
    "edges_match",
    "evaluate_segmentation",
    "match_pairs",
    "match_spans",
    "read_gold",
    "score_spans",
]


#: Columns of the table returned by :func:`evaluate_segmentation` (before the accuracies).
COLUMNS = ["style", "documents", "support", "predicted", "matched", "precision", "recall", "f1"]

#: Clause attributes whose accuracy on matched clauses is scored when the gold has them;
#: each gives a column ``<name>_acc``.
ATTRIBUTES = ("function", "section", "part", "change")


def match_spans(
    text: str, predicted: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]
) -> int:
    """Count predicted spans that match a distinct gold span under the scoring rule.

    Parameters
    ----------
    text : str
        The document both span lists index.
    predicted, gold : sequence of (start, end)
        Character offsets.

    Returns
    -------
    int
        The number of one-to-one matches.
    """
    return len(match_pairs(text, predicted, gold))


def match_pairs(
    text: str, predicted: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The one-to-one matches as (index in ``predicted``, index in ``gold``) pairs.

    Same rule as :func:`match_spans`; the pairs let a caller compare what each
    matched clause says (its ``function``, ``section`` ...) with its gold clause.
    """
    order = sorted(range(len(gold)), key=lambda i: gold[i])
    gold_starts = [gold[i][0] for i in order]
    used = [False] * len(order)
    pairs: list[tuple[int, int]] = []
    for p_index, (p_start, p_end) in enumerate(predicted):
        lo = bisect.bisect_left(gold_starts, p_start - _MAX_EDGE_GAP)
        hi = bisect.bisect_right(gold_starts, p_start + _MAX_EDGE_GAP)
        for k in range(lo, hi):
            if used[k]:
                continue
            g_start, g_end = gold[order[k]]
            if edges_match(text, p_start, g_start) and edges_match(text, p_end, g_end):
                used[k] = True
                pairs.append((p_index, order[k]))
                break
    return pairs


def score_spans(matched: int, predicted: int, support: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    precision = matched / predicted if predicted else 0.0
    recall = matched / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


Splitter = Callable[[str], Sequence[tuple[int, int]]]


def evaluate_segmentation(
    records: pd.DataFrame,
    documents: Mapping[str, str],
    styles: Mapping[str, str],
    boundary_model: BoundaryModel | None = None,
    splitter: Splitter | None = None,
) -> pd.DataFrame:
    """Score clause segmentation overall and per document style.

    Parameters
    ----------
    records : pandas.DataFrame
        Gold clauses with at least ``doc_id``, ``start`` and ``end`` (the codebook
        record format); rows whose ``start`` is null are ignored. When they also
        have ``function``, ``section``, ``part`` or ``change``, the share of
        matched clauses whose predicted value equals the gold one is scored too.
    documents : mapping of str to str
        The text of each document, by ``doc_id``.
    styles : mapping of str to str
        The style of each document (``resolution``, ``commentary`` ...); a
        document without one is counted under ``"unknown"``.
    boundary_model : BoundaryModel, optional
        Passed to :func:`itunlp.segmentation.component.split_into_clauses`.
    splitter : callable, optional
        Any other splitter, text -> list of (start, end), to compare baselines
        under the same rule; overrides ``boundary_model``. Its spans carry no
        attributes, so only the span scores are given for it.

    Returns
    -------
    pandas.DataFrame
        One row for ``overall`` then one per style, with columns ``style``,
        ``documents``, ``support`` (gold clauses), ``predicted``, ``matched``,
        ``precision``, ``recall`` and ``f1``, then ``function_acc``,
        ``section_acc``, ``part_acc``, ``change_acc`` for the attributes the gold
        has (accuracy on matched clauses; NaN where no matched clause has one).

    Raises
    ------
    ValueError
        If ``records`` lacks a needed column or names a document that
        ``documents`` does not have.

    Examples
    --------
    >>> recs = pd.DataFrame({"doc_id": ["d"], "start": [0], "end": [9]})
    >>> table = evaluate_segmentation(recs, {"d": "It rains."}, {"d": "note"})
    >>> table.loc[0, "style"], float(table.loc[0, "f1"])
    ('overall', 1.0)
    """
    missing = {"doc_id", "start", "end"} - set(records.columns)
    if missing:
        raise ValueError(
            f"Gold records lack column(s) {sorted(missing)}; expected the codebook "
            "record format with doc_id, start and end."
        )
    gold = records.dropna(subset=["start", "end"])
    unknown = sorted(set(gold["doc_id"]) - set(documents))
    if unknown:
        raise ValueError(
            f"Gold records name document(s) {unknown[:5]} that are not in the documents "
            f"given; known: {sorted(documents)[:10]}."
        )
    attributes = [a for a in ATTRIBUTES if a in gold.columns] if splitter is None else []
    gold_by_doc: dict[str, list[tuple[int, int]]] = {doc_id: [] for doc_id in documents}
    values_by_doc: dict[str, list[dict[str, Any]]] = {doc_id: [] for doc_id in documents}
    for row in gold.to_dict("records"):
        gold_by_doc[row["doc_id"]].append((int(row["start"]), int(row["end"])))
        values_by_doc[row["doc_id"]].append({a: row.get(a) for a in attributes})

    counts: dict[str, list[int]] = {}
    right: dict[str, dict[str, list[int]]] = {}
    for doc_id, text in documents.items():
        if splitter is None:
            clauses = split_into_clauses(text, boundary_model)
            predicted = [(c.start, c.end) for c in clauses]
        else:
            clauses = []
            predicted = list(splitter(text))
        pairs = match_pairs(text, predicted, gold_by_doc[doc_id])
        row = [1, len(gold_by_doc[doc_id]), len(predicted), len(pairs)]
        scored = {a: [0, 0] for a in attributes}
        for p_index, g_index in pairs:
            wanted = values_by_doc[doc_id][g_index]
            for a in attributes:
                value = wanted[a]
                if isinstance(value, str):
                    scored[a][1] += 1
                    scored[a][0] += getattr(clauses[p_index], a) == value
        for key in ("overall", styles.get(doc_id, "unknown")):
            acc = counts.setdefault(key, [0, 0, 0, 0])
            for i, value in enumerate(row):
                acc[i] += value
            hits = right.setdefault(key, {a: [0, 0] for a in attributes})
            for a in attributes:
                hits[a][0] += scored[a][0]
                hits[a][1] += scored[a][1]
    shown = [a for a in attributes if right.get("overall", {}).get(a, [0, 0])[1]]
    rows = []
    order = ["overall", *sorted(k for k in counts if k != "overall")]
    for key in order:
        if key not in counts:
            continue
        docs, support, predicted_n, matched = counts[key]
        p, r, f = score_spans(matched, predicted_n, support)
        accuracies = [
            right[key][a][0] / right[key][a][1] if right[key][a][1] else float("nan") for a in shown
        ]
        rows.append([key, docs, support, predicted_n, matched, p, r, f, *accuracies])
    return pd.DataFrame(rows, columns=[*COLUMNS, *(f"{a}_acc" for a in shown)])


def read_gold(data_dir: str | Path) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """Read a labelled folder (``clauses.jsonl``, ``documents.csv``, ``docs/``).

    Parameters
    ----------
    data_dir : path
        A folder laid out as ``data/dev``: ``documents.csv`` with ``doc_id``,
        ``path`` and ``style`` columns, the documents it names, and the gold
        clauses in ``clauses.jsonl``.

    Returns
    -------
    tuple
        ``(records, documents, styles)`` ready for :func:`evaluate_segmentation`.

    Raises
    ------
    FileNotFoundError
        If ``documents.csv``, ``clauses.jsonl`` or a listed document is missing.
    """
    root = Path(data_dir)
    index = root / "documents.csv"
    gold = root / "clauses.jsonl"
    for needed in (index, gold):
        if not needed.is_file():
            raise FileNotFoundError(
                f"No {needed.name} in {str(root)!r}; expected a folder like data/dev with "
                "documents.csv, clauses.jsonl and docs/."
            )
    table = pd.read_csv(index, dtype=str).fillna("")
    documents: dict[str, str] = {}
    styles: dict[str, str] = {}
    for doc_id, rel, style in zip(table["doc_id"], table["path"], table["style"], strict=True):
        path = root / rel
        if not path.is_file():
            raise FileNotFoundError(
                f"documents.csv in {str(root)!r} lists {rel!r} for {doc_id!r}, "
                "which does not exist."
            )
        documents[doc_id] = path.read_text(encoding="utf-8-sig")
        styles[doc_id] = style or "unknown"
    rows = [
        json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    records = pd.DataFrame(rows, columns=None if rows else ["doc_id", "start", "end"])
    return records, documents, styles
