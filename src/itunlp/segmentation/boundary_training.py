"""Fit the clause-boundary decider from gold clause offsets.

Each candidate point that the segmenter's rules find in a labelled document
(a comma before a connective, a standalone colon) becomes one training example:
positive when a gold clause starts there, negative otherwise. A scikit-learn
``LogisticRegression`` over :func:`itunlp.segmentation.boundary_model.candidate_features`
(plus the rules' own verdict as a feature, so that the model learns where to
overrule them) is fitted and exported as plain weights in a
:class:`~itunlp.segmentation.boundary_model.BoundaryModel`, which the segmenter scores without
scikit-learn. This module is the only place of the segmenter side that imports
scikit-learn.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping

import pandas as pd
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from itunlp.segmentation.boundary_model import BoundaryModel
from itunlp.segmentation.component import find_boundary_candidates
from itunlp.segmentation.edges import edges_match

__all__ = ["boundary_examples", "fit_boundary_model"]

#: Gold starts further than this from a candidate cannot match it (see the scoring rule).
_MAX_GAP = 64


def boundary_examples(
    records: pd.DataFrame, documents: Mapping[str, str]
) -> tuple[list[dict[str, float]], list[int]]:
    """Build (features, label) pairs from gold clause offsets.

    Parameters
    ----------
    records : pandas.DataFrame
        Gold clauses with ``doc_id``, ``start`` and ``end``; rows with a null
        ``start`` (clauses without a document) and rows whose document is not
        in ``documents`` are ignored.
    documents : mapping of str to str
        Document texts by ``doc_id``.

    Returns
    -------
    tuple of (list of dict, list of int)
        One feature dict and one 0/1 label per candidate point.

    Raises
    ------
    ValueError
        If ``records`` lacks the ``doc_id``, ``start`` or ``end`` column.
    """
    missing = {"doc_id", "start", "end"} - set(records.columns)
    if missing:
        raise ValueError(
            f"Gold records lack column(s) {sorted(missing)}; expected the codebook "
            "record format with doc_id, start and end."
        )
    located = records.dropna(subset=["start"])
    starts_by_doc: dict[str, list[int]] = {}
    for doc_id, start in zip(located["doc_id"], located["start"], strict=True):
        if doc_id in documents:
            starts_by_doc.setdefault(doc_id, []).append(int(start))
    features: list[dict[str, float]] = []
    labels: list[int] = []
    for doc_id, starts in starts_by_doc.items():
        text = documents[doc_id]
        starts.sort()
        for cand in find_boundary_candidates(text):
            lo = bisect.bisect_left(starts, cand.position - _MAX_GAP)
            hi = bisect.bisect_right(starts, cand.position + _MAX_GAP)
            positive = any(edges_match(text, cand.position, g) for g in starts[lo:hi])
            features.append(dict(cand.features))
            labels.append(int(positive))
    return features, labels


def fit_boundary_model(
    records: pd.DataFrame,
    documents: Mapping[str, str],
    *,
    C: float = 1.0,
    threshold: float = 0.5,
) -> BoundaryModel:
    """Fit the boundary decider from gold clause offsets.

    Called by ``itunlp train``; the result is saved in the model folder with
    ``json.dumps(model.to_dict())`` and loaded by the segmenter component.

    Parameters
    ----------
    records : pandas.DataFrame
        Gold clauses in the codebook record format (at least ``doc_id``,
        ``start``, ``end``), e.g. the seed corpus and the development set.
    documents : mapping of str to str
        The text of each document the records point into, by ``doc_id``.
    C : float, default 1.0
        Inverse L2 regularisation strength of the logistic regression; small
        corpora need it to keep the model close to the rules' verdict.
    threshold : float, default 0.5
        Probability at or above which the fitted model cuts.

    Returns
    -------
    BoundaryModel
        Plain weights, one per feature name, with the intercept and threshold.

    Raises
    ------
    ValueError
        If the records hold no candidate points, or only boundaries or only
        non-boundaries, so that there is nothing to learn; the rules alone
        (``boundary_model=None``) are then the right choice.

    Examples
    --------
    >>> import pandas as pd
    >>> text = "We met, and we agreed. Paris, Rome, and Oslo took part. It rained, but we left."
    >>> gold = pd.DataFrame({"doc_id": ["d"] * 5, "start": [0, 8, 23, 56, 68],
    ...                      "end": [7, 22, 55, 67, 80]})
    >>> model = fit_boundary_model(gold, {"d": text})
    >>> sorted(model.to_dict())
    ['format', 'intercept', 'threshold', 'version', 'weights']
    """
    features, labels = boundary_examples(records, documents)
    if not features:
        raise ValueError(
            "No candidate boundaries found in the labelled documents: the records need "
            "doc_id/start/end offsets into the given documents. Use the rules alone "
            "(boundary_model=None) or add documents with gold clause offsets."
        )
    if len(set(labels)) < 2:
        kind = "boundaries" if labels[0] else "non-boundaries"
        raise ValueError(
            f"All {len(labels)} candidate points in the labelled documents are {kind}; "
            "a boundary model needs both. Use the rules alone (boundary_model=None) "
            "or label more documents."
        )
    vectorizer = DictVectorizer(sparse=True)
    X = vectorizer.fit_transform(features)
    classifier = LogisticRegression(C=C, max_iter=1000)
    classifier.fit(X, labels)
    weights = {
        name: float(weight)
        for name, weight in zip(
            vectorizer.get_feature_names_out(), classifier.coef_[0], strict=True
        )
        if weight != 0.0
    }
    return BoundaryModel(
        weights=weights, intercept=float(classifier.intercept_[0]), threshold=threshold
    )
