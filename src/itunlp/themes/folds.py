"""Folds that keep a document's clauses together, and a clause's place in its document.

Clauses of one document share words, names and topic: a model that trained on some
of them scores the others too well. Every cross-validation that tells a user what to
expect on *new* documents therefore cuts by document. :func:`clause_groups` names the
group of each clause (its document; a clause without a document is a group of its
own) and :func:`grouped_folds` cuts the groups into folds that are balanced in
size and in every theme (a greedy, iterative-stratification-like assignment: the
largest documents first, each to the fold that most lacks its themes).

:func:`add_neighbours` gives each clause the text of the clause before and after
it in the same document, the context that :mod:`itunlp.themes.classifier` reads.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "CONTEXT_COLUMNS",
    "MODEL_COLUMNS",
    "add_neighbours",
    "clause_groups",
    "grouped_folds",
    "model_input",
    "repeated_grouped_folds",
]

#: The document context a clause may carry besides its text and heading
#: (the same as :data:`itunlp.themes.context.CONTEXT_COLUMNS`).
CONTEXT_COLUMNS = ("prev_text", "next_text", "section_title")


def _blank(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def clause_groups(frame: pd.DataFrame) -> np.ndarray:
    """The document group of each clause: its ``doc_id`` when it sits in a document.

    A clause sits in a document when it has a ``doc_id`` and offsets (``start``);
    one without offsets (a standalone clause, such as the supplement's) is a group
    of its own, named ``"#<row>"``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Labelled clauses with ``doc_id`` and ``start`` columns (either may be absent).

    Returns
    -------
    ndarray of str

    Examples
    --------
    >>> frame = pd.DataFrame({"doc_id": ["a", "a", "s"], "start": [0, 9, None]})
    >>> clause_groups(frame).tolist()
    ['a', 'a', '#2']
    """
    n = len(frame)
    doc_ids = frame["doc_id"].tolist() if "doc_id" in frame else [""] * n
    starts = frame["start"].tolist() if "start" in frame else [None] * n
    return np.array(
        [
            f"#{i}" if _blank(doc) or _blank(start) else str(doc)
            for i, (doc, start) in enumerate(zip(doc_ids, starts, strict=True))
        ],
        dtype=object,
    )


def grouped_folds(
    Y: np.ndarray, groups: Sequence[str], n_splits: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs with every group on one side, stratified by theme.

    Groups are placed largest first (sizes jittered by the seed, so repeats differ),
    each into the fold that holds the smallest share of the group's themes and
    clauses so far. Standalone clauses (groups of one) come last and even out the
    folds.

    Parameters
    ----------
    Y : ndarray of shape (n_clauses, n_themes)
        Theme indicators.
    groups : sequence of str
        The group of each clause (:func:`clause_groups`).
    n_splits : int
        Folds; at most the number of groups.
    seed : int, default=0

    Returns
    -------
    list of (ndarray, ndarray)

    Raises
    ------
    ValueError
        Fewer groups than folds.

    Examples
    --------
    >>> Y = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])
    >>> folds = grouped_folds(Y, ["a", "a", "b", "c"], 2)
    >>> sorted(len(test) for _, test in folds), any({0, 1} - set(t) == {1} for _, t in folds)
    ([1, 3], False)
    """
    Y = np.asarray(Y, dtype=float).reshape(len(groups), -1)
    names, inverse = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    if n_splits < 2:
        raise ValueError(f"n_splits must be at least 2, got {n_splits}")
    if len(names) < n_splits:
        raise ValueError(
            f"{len(names)} document(s) are too few for {n_splits} grouped folds; "
            "label more documents or use fewer folds"
        )
    counts = np.zeros((len(names), Y.shape[1] + 1))
    np.add.at(counts, inverse, np.column_stack([Y, np.ones(len(Y))]))
    rng = np.random.default_rng(seed)
    jittered = counts[:, -1] * rng.uniform(0.6, 1.4, len(names))
    order = np.lexsort((rng.random(len(names)), -jittered))
    target = np.maximum(counts.sum(0) / n_splits, 1e-9)
    filled = np.zeros((n_splits, counts.shape[1]))
    fold_of = np.empty(len(names), dtype=int)
    for g in order:
        present = counts[g] > 0
        share = (filled[:, present] / target[present] * counts[g, present]).sum(1)
        best = np.flatnonzero(share <= share.min() + 1e-12)
        fold = int(rng.choice(best))
        fold_of[g] = fold
        filled[fold] += counts[g]
    per_clause = fold_of[inverse]
    return [
        (np.flatnonzero(per_clause != k), np.flatnonzero(per_clause == k)) for k in range(n_splits)
    ]


def repeated_grouped_folds(
    Y: np.ndarray, groups: Sequence[str], n_splits: int, repeats: int, seed: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """:func:`grouped_folds` ``repeats`` times with seeds ``seed``, ``seed + 1``, ..."""
    for repeat in range(repeats):
        yield from grouped_folds(Y, groups, n_splits, seed + repeat)


def add_neighbours(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``prev_text``, ``next_text`` and ``section_title`` filled in.

    Neighbours are the clauses before and after in the same document (same
    ``doc_id``, ordered by ``start``); a clause without offsets has none. Existing
    non-empty values are kept (a caller that knows the context better wins).

    Examples
    --------
    >>> frame = pd.DataFrame({"doc_id": ["d", "d"], "start": [5, 0], "text": ["B", "A"]})
    >>> add_neighbours(frame)[["text", "prev_text", "next_text"]].values.tolist()
    [['B', 'A', ''], ['A', '', 'B']]
    """
    out = frame.copy()
    n = len(out)
    prev, following = [""] * n, [""] * n
    groups = clause_groups(out)
    starts = out["start"].tolist() if "start" in out else [None] * n
    by_group: dict[str, list[int]] = {}
    for row, group in enumerate(groups):
        if not group.startswith("#"):
            by_group.setdefault(group, []).append(row)
    texts = out["text"].tolist()
    for rows in by_group.values():
        rows.sort(key=lambda r: float(starts[r]))
        for a, b in itertools.pairwise(rows):
            following[a], prev[b] = texts[b], texts[a]
    for column, values in (("prev_text", prev), ("next_text", following)):
        if column in out:
            given = ["" if _blank(v) else str(v) for v in out[column]]
            out[column] = [g or v for g, v in zip(given, values, strict=True)]
        else:
            out[column] = values
    if "section_title" in out:
        out["section_title"] = ["" if _blank(v) else str(v) for v in out["section_title"]]
    else:
        out["section_title"] = [""] * n
    return out


#: What the theme model reads of a labelled clause: text, heading, document and context.
MODEL_COLUMNS = ("text", "function", "doc_id", "start", *CONTEXT_COLUMNS)


def model_input(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``frame`` the theme model reads (:data:`MODEL_COLUMNS`), reindexed."""
    return frame[[c for c in MODEL_COLUMNS if c in frame.columns]].reset_index(drop=True)
