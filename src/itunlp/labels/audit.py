"""Find labels that are likely inconsistent, in the shipped corpus or a user's own.

:func:`audit_labels` lists three kinds of findings, one row each:

``duplicate``
    Two clauses whose normalised words overlap almost entirely (Jaccard at least
    ``similarity``) but carry different themes. One of the two labels is wrong, or
    the difference needs a reason in ``note``.
``out_of_fold``
    A clause whose out-of-fold prediction (a :class:`~itunlp.themes.ThemeClassifier`
    fitted on the other folds; iteratively stratified folds as in ``itunlp evaluate``,
    grouped by document) disagrees with its label with high confidence: a theme it
    lacks scores above ``high``, or a theme it carries scores below ``low``. Ranked by
    confidence.
``rule``
    The codebook's checkable decision rules (docs/codebook.md, 2.1), kept as data in
    ``data/audit_rules.toml``: citations labelled ``institutional_process``, reporting
    clauses labelled with their resolution's topic, well-known resolution numbers
    without their theme, keyword traps (``severity == "violation"``), and soft hints
    for developing countries as beneficiaries and stakeholders outside ITU
    participation (``severity == "check"``).

Every finding says what is suspicious and proposes themes; the audit changes nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from itunlp.labels.agreement import _themes_of
from itunlp.labels.audit_rules import AuditRule, load_audit_rules
from itunlp.labels.suggest import NEAR_DUPLICATE_JACCARD, _jaccard, _tokens
from itunlp.themes import ThemeScheme, load_themes

__all__ = [
    "AUDIT_COLUMNS",
    "FINDING_KINDS",
    "AuditRule",
    "audit_labels",
    "audit_summary",
    "load_audit_rules",
]

#: The kinds of finding, in the order the audit reports them.
FINDING_KINDS = ("duplicate", "out_of_fold", "rule")

#: Columns of the findings table.
AUDIT_COLUMNS = [
    "kind",
    "severity",
    "rule",
    "clause_id",
    "row",
    "text",
    "themes",
    "finding",
    "suggested_themes",
    "score",
    "other_clause_id",
]

#: Rows of the clause-by-word matrix multiplied at a time in the duplicate search.
_BLOCK = 512

#: Probability above which a theme the clause lacks counts as a confident disagreement.
HIGH_CONFIDENCE = 0.85
#: Probability below which a theme the clause carries counts as a confident disagreement.
LOW_CONFIDENCE = 0.10


# -------------------------------------------------------------------- findings
def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in ("text", "themes") if c not in frame.columns]
    if missing:
        raise ValueError(
            f"frame lacks column(s) {', '.join(missing)}; it needs 'text' and 'themes' "
            "(and optionally 'clause_id' and 'function')"
        )
    out = pd.DataFrame(
        {
            "row": list(frame.index),
            "clause_id": (
                frame["clause_id"].fillna("").astype(str).tolist()
                if "clause_id" in frame.columns
                else [""] * len(frame)
            ),
            "text": frame["text"].fillna("").astype(str).tolist(),
            "function": (
                frame["function"].fillna("").astype(str).tolist()
                if "function" in frame.columns
                else [""] * len(frame)
            ),
            "themes": [sorted(set(_themes_of(v))) for v in frame["themes"]],
            "group": _groups(frame),
        }
    )
    return out


def _groups(frame: pd.DataFrame) -> list[str]:
    """A clause's fold group: its document when it has offsets into one, else itself.

    Clauses of one document share context and wording, so they go to the same fold;
    standalone clauses (no offsets) are each their own group.
    """
    if "doc_id" not in frame.columns:
        return [f"#{i}" for i in range(len(frame))]
    starts = frame["start"] if "start" in frame.columns else pd.Series([None] * len(frame))
    out = []
    for i, (doc, start) in enumerate(zip(frame["doc_id"], starts, strict=True)):
        in_document = isinstance(doc, str) and doc and not pd.isna(start)
        out.append(f"doc:{doc}" if in_document else f"#{i}")
    return out


def _grouped_splits(
    Y: np.ndarray, groups: Sequence[str], folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``folds`` (train, test) index pairs that keep each group in one fold.

    The groups are split as ``itunlp evaluate`` splits clauses (iteratively stratified
    k-fold over :func:`~itunlp.themes.classifier.stratifiable` indicators), on each
    group's themes (a theme counts once per group).
    """
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    from itunlp.themes.classifier import stratifiable

    names, inverse = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
    if len(names) < folds:
        raise ValueError(
            f"{len(names)} documents/standalone clauses are too few for {folds}-fold "
            "out-of-fold predictions; lower folds"
        )
    per_group = np.zeros((len(names), Y.shape[1]), dtype=int)
    np.maximum.at(per_group, inverse, Y)
    splitter = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = []
    for _, test_groups in splitter.split(np.zeros((len(names), 1)), stratifiable(per_group)):
        test = np.isin(inverse, test_groups)
        splits.append((np.flatnonzero(~test), np.flatnonzero(test)))
    return splits


def _classifier_of(model: Any) -> Any:
    """The ThemeClassifier inside ``model`` (a ThemeClassifier or a loaded ThemeModel)."""
    from itunlp.themes.classifier import ThemeClassifier

    classifier = getattr(model, "classifier", model)  # a ThemeModel holds its classifier
    if not isinstance(classifier, ThemeClassifier):
        raise TypeError(
            "model must be None, a ThemeClassifier or a model loaded with itunlp.load(); "
            f"got {type(model).__name__}"
        )
    return classifier


def _finding(
    kind: str,
    clause: pd.Series,
    finding: str,
    suggested: Sequence[str],
    *,
    severity: str = "check",
    rule: str = "",
    score: float = float("nan"),
    other: str = "",
) -> dict[str, Any]:
    return {
        "kind": kind,
        "severity": severity,
        "rule": rule,
        "clause_id": clause["clause_id"],
        "row": clause["row"],
        "text": clause["text"],
        "themes": ";".join(clause["themes"]),
        "finding": finding,
        "suggested_themes": ";".join(sorted(suggested)),
        "score": score,
        "other_clause_id": other,
    }


def _label_of(clause: pd.Series) -> str:
    return clause["clause_id"] or f"row {clause['row']}"


def rule_findings(
    frame: pd.DataFrame, rules: Sequence[AuditRule], scheme: ThemeScheme | None = None
) -> list[dict[str, Any]]:
    """Findings of the rule patterns; rules naming themes outside ``scheme`` are skipped."""
    prepared = _prepared(frame)
    known = set(scheme.ids) if scheme is not None else None
    usable = [r for r in rules if known is None or r.themes_used() <= known]
    out = []
    for _, clause in prepared.iterrows():
        for rule in usable:
            if rule.fires(clause["text"], clause["themes"]):
                where = f" (codebook {rule.codebook})" if rule.codebook else ""
                out.append(
                    _finding(
                        "rule",
                        clause,
                        f"{rule.message}{where}",
                        rule.suggest(clause["themes"]),
                        severity=rule.severity,
                        rule=rule.id,
                    )
                )
    return out


def _numbers(tokens: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in tokens if any(c.isdigit() for c in t))


def duplicate_findings(
    frame: pd.DataFrame, similarity: float = NEAR_DUPLICATE_JACCARD
) -> list[dict[str, Any]]:
    """Pairs of near-identical clauses (word Jaccard >= ``similarity``) with different themes.

    Words are compared after :func:`itunlp.labels.agreement.normalise_text`; two clauses that
    differ in a number ("Resolution 139" / "Resolution 206") are not duplicates. One
    finding per pair, on the later clause, naming the earlier one.
    """
    if not 0 < similarity <= 1:
        raise ValueError(f"similarity must be in (0, 1], got {similarity!r}")
    prepared = _prepared(frame)
    tokens = [_tokens(t) for t in prepared["text"]]
    out = []
    for i, j in _similar_pairs(tokens, similarity):
        score = _jaccard(tokens[i], tokens[j])
        a, b = prepared.iloc[i], prepared.iloc[j]
        if score < similarity or a["themes"] == b["themes"]:
            continue
        # "Resolution 139 (...)" and "Resolution 206 (...)" share every other word.
        if _numbers(tokens[i]) != _numbers(tokens[j]):
            continue
        functions = (
            f"; functions differ ('{a['function']}' / '{b['function']}')"
            if a["function"] != b["function"]
            else ""
        )
        out.append(
            _finding(
                "duplicate",
                b,
                f"near-duplicate (word overlap {score:.2f}) of {_label_of(a)}, labelled "
                f"[{', '.join(a['themes'])}]{functions}",
                a["themes"],
                score=round(float(score), 3),
                other=a["clause_id"],
            )
        )
    return out


def _similar_pairs(tokens: Sequence[frozenset[str]], similarity: float) -> list[tuple[int, int]]:
    """Index pairs (i < j) whose word sets reach ``similarity`` Jaccard.

    Word overlaps come from a sparse clause-by-word product, a block of rows at a time,
    so memory stays bounded on large label sets.
    """
    import scipy.sparse as sp

    vocabulary: dict[str, int] = {}
    rows, columns = [], []
    for i, words in enumerate(tokens):
        for word in words:
            rows.append(i)
            columns.append(vocabulary.setdefault(word, len(vocabulary)))
    n = len(tokens)
    X = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(n, len(vocabulary))
    )
    sizes = np.array([len(words) for words in tokens], dtype=np.float32)
    pairs = []
    for start in range(0, n, _BLOCK):
        shared = (X[start : start + _BLOCK] @ X.T).toarray()
        union = sizes[start : start + _BLOCK, None] + sizes[None, :] - shared
        jaccard = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
        for row, i in zip(*np.nonzero(jaccard >= similarity - 1e-6), strict=True):
            j = start + int(row)
            if int(i) < j:
                pairs.append((int(i), j))
    return sorted(pairs, key=lambda pair: (pair[1], pair[0]))


def out_of_fold_probabilities(
    frame: pd.DataFrame,
    scheme: ThemeScheme,
    model: Any = None,
    *,
    folds: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """Each clause's theme probabilities from a classifier that did not see it.

    The classifier configuration (``model``: a ThemeClassifier, a model loaded with
    :func:`itunlp.load`, or None for the default) is refitted on the other folds of one
    ``folds``-fold split grouped by document (clauses with offsets into one document
    stay together), stratified as ``itunlp evaluate`` stratifies.
    """
    from sklearn.base import clone

    from itunlp.themes.classifier import FewLabelsWarning, ThemeClassifier

    prepared = _prepared(frame)
    if folds < 2:
        raise ValueError(f"folds must be >= 2, got {folds!r}")
    if len(prepared) < 2 * folds:
        raise ValueError(
            f"{len(prepared)} clauses are too few for {folds}-fold out-of-fold predictions"
        )
    base = ThemeClassifier() if model is None else _classifier_of(model)
    estimator = clone(base).set_params(scheme=scheme)
    themes = scheme.ids
    Y = np.array([[int(t in given) for t in themes] for given in prepared["themes"]], dtype=int)
    probabilities = np.zeros((len(prepared), len(themes)))
    for train_index, test_index in _grouped_splits(Y, prepared["group"], folds, seed):
        train = prepared.iloc[train_index]
        with warnings.catch_warnings():
            # Once per fold on a small corpus; the audit is about labels, not the model.
            warnings.simplefilter("ignore", FewLabelsWarning)
            fitted = clone(estimator).fit(
                train[["text", "function"]].reset_index(drop=True), list(train["themes"])
            )
        test = prepared.iloc[test_index][["text", "function"]].reset_index(drop=True)
        columns = [list(fitted.classes_).index(t) for t in themes]
        probabilities[test_index] = fitted.predict_proba(test)[:, columns]
    return probabilities


def out_of_fold_findings(
    frame: pd.DataFrame,
    scheme: ThemeScheme,
    model: Any = None,
    *,
    folds: int = 5,
    seed: int = 0,
    high: float = HIGH_CONFIDENCE,
    low: float = LOW_CONFIDENCE,
) -> list[dict[str, Any]]:
    """Clauses whose out-of-fold probabilities contradict their label, most confident first."""
    if not 0 <= low < high <= 1:
        raise ValueError(f"need 0 <= low < high <= 1, got low={low!r}, high={high!r}")
    prepared = _prepared(frame)
    probabilities = out_of_fold_probabilities(frame, scheme, model, folds=folds, seed=seed)
    themes = scheme.ids
    out = []
    for i, clause in prepared.reset_index(drop=True).iterrows():
        given = set(clause["themes"])
        missing = [
            (t, p)
            for t, p in zip(themes, probabilities[i], strict=True)
            if t not in given and p > high
        ]
        doubtful = [
            (t, p) for t, p in zip(themes, probabilities[i], strict=True) if t in given and p < low
        ]
        if not missing and not doubtful:
            continue
        parts = [f"missing {t} (p={p:.2f})" for t, p in missing]
        parts += [f"doubtful {t} (p={p:.2f})" for t, p in doubtful]
        confidence = max([p for _, p in missing] + [1 - p for _, p in doubtful])
        suggested = (given | {t for t, _ in missing}) - {t for t, _ in doubtful}
        out.append(
            _finding(
                "out_of_fold",
                clause,
                "out-of-fold prediction disagrees: " + ", ".join(parts),
                sorted(suggested),
                score=round(float(confidence), 3),
            )
        )
    out.sort(key=lambda row: -row["score"])
    return out


def audit_labels(
    frame: pd.DataFrame,
    scheme: ThemeScheme | str | Path | None = None,
    model: Any = None,
    *,
    kinds: Iterable[str] = FINDING_KINDS,
    rules: Sequence[AuditRule] | str | Path | None = None,
    similarity: float = NEAR_DUPLICATE_JACCARD,
    folds: int = 5,
    high: float = HIGH_CONFIDENCE,
    low: float = LOW_CONFIDENCE,
    seed: int = 0,
) -> pd.DataFrame:
    """List labels that are likely inconsistent.

    Parameters
    ----------
    frame : pandas.DataFrame
        Labelled clauses: ``text`` and ``themes`` (lists, or ``a;b`` strings), and
        optionally ``clause_id``, ``function``, ``doc_id`` and ``start`` (e.g. from
        :func:`itunlp.labels.corpus.read_labels` or
        :func:`itunlp.labels.training_corpus.load_training_corpus`).
    scheme : ThemeScheme or path, optional
        The theme scheme; the model's own, else the shipped one, when None.
    model : ThemeClassifier, a model from :func:`itunlp.load`, or None
        The classifier configuration refitted for the out-of-fold findings; the
        default classifier when None.
    kinds : iterable of str, default all
        Which findings to compute: any of ``duplicate``, ``out_of_fold``, ``rule``.
        ``out_of_fold`` fits ``folds`` classifiers and is the slow one.
    rules : list of AuditRule or path, optional
        Rule patterns; the shipped ``data/audit_rules.toml`` when None.
    similarity : float, default 0.8
        Word Jaccard at or above which two clauses count as near-duplicates.
    folds : int, default 5
        Folds of the out-of-fold predictions.
    high, low : float, default 0.85 and 0.10
        A missing theme scoring above ``high``, or a given theme below ``low``, is a
        confident disagreement.
    seed : int, default 0
        Seeds the fold assignment.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AUDIT_COLUMNS`, one row per finding: ``kind``; ``severity``
        (``violation`` for a broken rule pattern, else ``check``); ``rule`` (the rule
        id); the clause's ``clause_id``, ``row`` (its index in ``frame``), ``text`` and
        ``themes``; ``finding`` (what is suspicious); ``suggested_themes``; ``score``
        (overlap or confidence); ``other_clause_id`` (a duplicate's twin). Out-of-fold
        findings are ranked by confidence.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "clause_id": ["a", "b"],
    ...     "text": ["Resolution 130 (Rev. Dubai, 2018), on building confidence and security.",
    ...              "The meeting ended at 18:05."],
    ...     "themes": [["cybersecurity", "institutional_process"], []]})
    >>> audit_labels(frame, kinds=["rule"])["rule"].tolist()
    ['citation-process']
    """
    wanted = list(kinds)
    unknown = [k for k in wanted if k not in FINDING_KINDS]
    if unknown:
        raise ValueError(
            f"Unknown finding kind(s) {', '.join(unknown)}; valid: {', '.join(FINDING_KINDS)}"
        )
    if scheme is None:
        fitted = getattr(_classifier_of(model), "scheme_", None) if model is not None else None
        used_scheme = fitted or load_themes()
    elif isinstance(scheme, ThemeScheme):
        used_scheme = scheme
    else:
        used_scheme = load_themes(scheme)
    if rules is None or isinstance(rules, str | Path):
        rule_list = load_audit_rules(rules)
    else:
        rule_list = list(rules)
    rows: list[dict[str, Any]] = []
    if "duplicate" in wanted:
        rows += duplicate_findings(frame, similarity)
    if "out_of_fold" in wanted:
        rows += out_of_fold_findings(
            frame, used_scheme, model, folds=folds, seed=seed, high=high, low=low
        )
    if "rule" in wanted:
        rows += rule_findings(frame, rule_list, used_scheme)
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def audit_summary(findings: pd.DataFrame) -> pd.DataFrame:
    """Counts of findings per kind and severity (rule findings also per rule)."""
    if findings.empty:
        return pd.DataFrame(columns=["kind", "severity", "rule", "findings"])
    keyed = findings.assign(rule=findings["rule"].where(findings["kind"] == "rule", ""))
    return (
        keyed.groupby(["kind", "severity", "rule"], sort=False)
        .size()
        .rename("findings")
        .reset_index()
    )
