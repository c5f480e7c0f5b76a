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

import pandas as pd

from itunlp.segmentation.boundary_model import BoundaryModel
from itunlp.segmentation.component import split_into_clauses
from itunlp.segmentation.edges import _MAX_EDGE_GAP, edges_match

__all__ = ["edges_match", "evaluate_segmentation", "match_spans", "read_gold", "score_spans"]



#: Columns of the table returned by :func:`evaluate_segmentation`.
COLUMNS = ["style", "documents", "support", "predicted", "matched", "precision", "recall", "f1"]






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
    gold_sorted = sorted(gold)
    gold_starts = [g[0] for g in gold_sorted]
    used = [False] * len(gold_sorted)
    matched = 0
    for p_start, p_end in predicted:
        lo = bisect.bisect_left(gold_starts, p_start - _MAX_EDGE_GAP)
        hi = bisect.bisect_right(gold_starts, p_start + _MAX_EDGE_GAP)
        for i in range(lo, hi):
            if used[i]:
                continue
            g_start, g_end = gold_sorted[i]
            if edges_match(text, p_start, g_start) and edges_match(text, p_end, g_end):
                used[i] = True
                matched += 1
                break
    return matched


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
        record format); rows whose ``start`` is null are ignored.
    documents : mapping of str to str
        The text of each document, by ``doc_id``.
    styles : mapping of str to str
        The style of each document (``resolution``, ``commentary`` ...); a
        document without one is counted under ``"unknown"``.
    boundary_model : BoundaryModel, optional
        Passed to :func:`itunlp.segmentation.component.split_into_clauses`.
    splitter : callable, optional
        Any other splitter, text -> list of (start, end), to compare baselines
        under the same rule; overrides ``boundary_model``.

    Returns
    -------
    pandas.DataFrame
        One row for ``overall`` then one per style, with columns ``style``,
        ``documents``, ``support`` (gold clauses), ``predicted``, ``matched``,
        ``precision``, ``recall`` and ``f1``.

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
    gold_by_doc: dict[str, list[tuple[int, int]]] = {doc_id: [] for doc_id in documents}
    for doc_id, start, end in zip(gold["doc_id"], gold["start"], gold["end"], strict=True):
        gold_by_doc[doc_id].append((int(start), int(end)))

    if splitter is None:

        def splitter(text: str) -> list[tuple[int, int]]:
            return [(c.start, c.end) for c in split_into_clauses(text, boundary_model)]

    counts: dict[str, list[int]] = {}
    for doc_id, text in documents.items():
        predicted = list(splitter(text))
        row = [1, len(gold_by_doc[doc_id]), len(predicted), 0]
        row[3] = match_spans(text, predicted, gold_by_doc[doc_id])
        for key in ("overall", styles.get(doc_id, "unknown")):
            acc = counts.setdefault(key, [0, 0, 0, 0])
            for i, value in enumerate(row):
                acc[i] += value
    rows = []
    order = ["overall", *sorted(k for k in counts if k != "overall")]
    for key in order:
        if key not in counts:
            continue
        docs, support, predicted, matched = counts[key]
        p, r, f = score_spans(matched, predicted, support)
        rows.append([key, docs, support, predicted, matched, p, r, f])
    return pd.DataFrame(rows, columns=COLUMNS)


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
