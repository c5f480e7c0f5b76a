"""Inter-annotator agreement: do two people label the same clauses the same way?

A team checks this before training on a new batch of labels. If two annotators
who follow the codebook disagree on a theme, a model cannot learn that theme
well from either of them, and the codebook entry needs sharpening first.

Per theme, :func:`agreement` gives Cohen's kappa (agreement corrected for the
agreement expected by chance, so a rare theme that both annotators leave out
everywhere does not look perfect) and the F1 of annotator B measured against
annotator A (the figure a model's F1 is compared with: issue 4 quotes 0.97
between two careful annotators).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

AGREEMENT_COLUMNS = [
    "theme",
    "kappa",
    "f1",
    "precision",
    "recall",
    "positives_a",
    "positives_b",
    "both_positive",
    "matched",
    "only_in_a",
    "only_in_b",
    "matched_by",
]
_NON_WORD = re.compile(r"[^\w]+")


def normalise_text(text: str) -> str:
    """Text folded for matching: case, punctuation and whitespace differences ignored.

    Two annotators who copied the same clause out of a PDF differ in exactly these
    ways, so matching on the raw string would miss real pairs.

    Examples
    --------
    >>> normalise_text("  Resolves, to  CONTINUE; ")
    'resolves to continue'
    """
    return " ".join(_NON_WORD.sub(" ", str(text).lower()).split())


def _themes_of(value: object) -> list[str]:
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]
    return []


def _has_ids(frame: pd.DataFrame) -> bool:
    if "clause_id" not in frame.columns or frame.empty:
        return False
    ids = frame["clause_id"].fillna("").astype(str).str.strip()
    return bool((ids != "").all())


def _keyed(frame: pd.DataFrame, by: str) -> dict[str, list[str]]:
    """Themes per match key; the first row wins for a repeated key."""
    keys = (
        frame["clause_id"].astype(str).str.strip()
        if by == "clause_id"
        else frame["text"].map(normalise_text)
    )
    keyed: dict[str, list[str]] = {}
    for key, themes in zip(keys, frame["themes"], strict=True):
        if key and key not in keyed:
            keyed[key] = _themes_of(themes)
    return keyed


def _check_frame(frame: pd.DataFrame, name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame of labels, got {type(frame).__name__}")
    missing = [c for c in ("text", "themes") if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} lacks column(s) {', '.join(missing)}; found "
            f"{', '.join(map(str, frame.columns))}. Read label files with itunlp.read_labels first"
        )


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    # Kappa is undefined (0/0) when both annotators give one constant answer; that
    # says "no evidence", not "perfect agreement", so it stays NaN.
    if len(np.unique(np.concatenate([a, b]))) < 2:
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(cohen_kappa_score(a, b))


def agreement(
    a_df: pd.DataFrame,
    b_df: pd.DataFrame,
    *,
    themes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per-theme Cohen's kappa and F1 between two annotators' labels of the same clauses.

    Clauses are matched by ``clause_id`` when every row of both frames has one
    (labels made from the same ``itunlp suggest`` file), otherwise by their
    normalised text (:func:`normalise_text`). Clauses that only one annotator
    labelled are counted, not scored.

    Parameters
    ----------
    a_df, b_df : pandas.DataFrame
        Labels with at least ``text`` and ``themes`` (a list, or ``a;b``), for
        example from :func:`itunlp.read_labels`. A is the reference: F1, precision
        and recall are those of B measured against A.
    themes : sequence of str, optional
        Themes to report, in order. Default: every theme either annotator used,
        sorted; pass the scheme's ids to also see themes neither used.

    Returns
    -------
    pandas.DataFrame
        One row per theme, then ``micro`` (all clause-theme decisions pooled) and
        ``macro`` (the mean over themes where kappa/F1 are defined), with columns
        :data:`AGREEMENT_COLUMNS`. ``kappa`` is NaN for a theme that neither
        annotator used on any matched clause (chance agreement is then total, so
        kappa is undefined); ``f1`` is NaN when neither used it either.

    Raises
    ------
    TypeError
        When an input is not a DataFrame.
    ValueError
        When a frame lacks ``text``/``themes``, or when no clause of A matches a
        clause of B.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"text": ["x one", "x two"], "themes": [["gender"], []]})
    >>> b = pd.DataFrame({"text": ["X one.", "x two"], "themes": [["gender"], []]})
    >>> agreement(a, b).set_index("theme").loc["gender", ["kappa", "f1"]].tolist()
    [1.0, 1.0]
    """
    _check_frame(a_df, "a_df")
    _check_frame(b_df, "b_df")
    by = "clause_id" if _has_ids(a_df) and _has_ids(b_df) else "text"
    labels_a, labels_b = _keyed(a_df, by), _keyed(b_df, by)
    shared = [key for key in labels_a if key in labels_b]
    if not shared:
        raise ValueError(
            f"No clause of A matches a clause of B (matched by {by}; A has {len(labels_a)} "
            f"clauses, B has {len(labels_b)}). Agreement needs both annotators to label the "
            "same clauses: give both the same suggest file, or keep the text unchanged"
        )
    if themes is None:
        used = {t for key in shared for t in (*labels_a[key], *labels_b[key])}
        themes = sorted(used)
    themes = list(themes)
    counts = {
        "matched": len(shared),
        "only_in_a": len(labels_a) - len(shared),
        "only_in_b": len(labels_b) - len(shared),
        "matched_by": by,
    }
    matrix_a = np.array([[t in labels_a[k] for t in themes] for k in shared], dtype=int)
    matrix_b = np.array([[t in labels_b[k] for t in themes] for k in shared], dtype=int)
    matrix_a = matrix_a.reshape(len(shared), len(themes))
    matrix_b = matrix_b.reshape(len(shared), len(themes))

    rows = []
    for index, theme in enumerate(themes):
        a, b = matrix_a[:, index], matrix_b[:, index]
        rows.append({"theme": theme, "kappa": _kappa(a, b), **_scores(a, b), **counts})
    flat_a, flat_b = matrix_a.ravel(), matrix_b.ravel()
    micro = {"theme": "micro", "kappa": _kappa(flat_a, flat_b), **_scores(flat_a, flat_b)}
    rows.append({**micro, **counts})
    per_theme = pd.DataFrame(rows[:-1], columns=AGREEMENT_COLUMNS)
    macro = {
        "theme": "macro",
        "kappa": per_theme["kappa"].mean(skipna=True) if len(per_theme) else math.nan,
        "f1": per_theme["f1"].mean(skipna=True) if len(per_theme) else math.nan,
        "precision": per_theme["precision"].mean(skipna=True) if len(per_theme) else math.nan,
        "recall": per_theme["recall"].mean(skipna=True) if len(per_theme) else math.nan,
        "positives_a": int(matrix_a.sum()),
        "positives_b": int(matrix_b.sum()),
        "both_positive": int((matrix_a & matrix_b).sum()),
        **counts,
    }
    rows.append(macro)
    frame = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    for column in ("kappa", "f1", "precision", "recall"):
        frame[column] = frame[column].astype(float)
    return frame


def _scores(a: np.ndarray, b: np.ndarray) -> dict[str, float | int]:
    """F1/precision/recall of B against A, NaN where neither marked anything."""
    positives_a, positives_b = int(a.sum()), int(b.sum())
    if positives_a == 0 and positives_b == 0:
        f1 = precision = recall = math.nan
    else:
        f1 = float(f1_score(a, b, zero_division=0.0))
        precision = float(precision_score(a, b, zero_division=0.0)) if positives_b else math.nan
        recall = float(recall_score(a, b, zero_division=0.0)) if positives_a else math.nan
    return {
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "positives_a": positives_a,
        "positives_b": positives_b,
        "both_positive": int((a & b).sum()),
    }
