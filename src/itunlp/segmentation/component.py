"""Cut ITU texts into clauses: the spaCy component and its factory.

The rule engine itself lives in :mod:`itunlp.segmentation.engine` (pure Python on the
raw string, no spaCy); this module wraps it as the ``itunlp_clause_segmenter``
pipeline component, which runs :func:`split_into_clauses` on ``doc.text`` and
maps the offsets to tokens. The engine's public names are re-exported here, so
``from itunlp.segmenter import split_into_clauses`` (the old path) keeps working.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, from_disk, to_disk

from itunlp.segmentation.boundary_model import MODEL_FILE_NAME, BoundaryModel
from itunlp.segmentation.engine import (
    BoundaryCandidate,
    Clause,
    find_boundary_candidates,
    split_into_clauses,
    split_sentences,
)

__all__ = [
    "BoundaryCandidate",
    "Clause",
    "ClauseSegmenter",
    "find_boundary_candidates",
    "make_clause_segmenter",
    "split_into_clauses",
    "split_sentences",
]


#: Settings file name inside the component's folder of a saved pipeline.
_CFG_FILE = "cfg.json"


class ClauseSegmenter:
    """spaCy component writing clauses into ``doc.spans[spans_key]``.

    Each span's label is the clause's resolution heading (or ``"clause"`` for
    prose), also kept in the ``Span._.itunlp_function`` extension; sentence
    starts are set so that every clause is one sentence (the furniture between
    clauses forms sentences of its own). Works on ``spacy.blank("en")`` and in
    any pipeline, since it needs nothing but ``doc.text``.

    Parameters
    ----------
    nlp : Language
        The pipeline (unused; kept for spaCy's factory protocol).
    name : str
        The component's name in the pipeline.
    boundary_model : BoundaryModel, optional
        The learned decider; None for the rules alone.
    spans_key : str
        The ``doc.spans`` key to write.
    """

    def __init__(
        self,
        nlp: Language | None,
        name: str = "itunlp_clause_segmenter",
        *,
        boundary_model: BoundaryModel | None = None,
        spans_key: str = "clauses",
    ) -> None:
        self.name = name
        self.boundary_model = boundary_model
        self.spans_key = spans_key
        if not Span.has_extension("itunlp_function"):
            Span.set_extension("itunlp_function", default="")

    def __call__(self, doc: Doc) -> Doc:
        """Segment ``doc.text`` and write clause spans and sentence starts."""
        spans: list[Span] = []
        last_token = 0
        for clause in split_into_clauses(doc.text, self.boundary_model):
            span = doc.char_span(clause.start, clause.end, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            if span.start < last_token:
                if span.end <= last_token:
                    continue
                span = doc[last_token : span.end]
            label = clause.function or "clause"
            span = Span(doc, span.start, span.end, label=label)
            span._.itunlp_function = clause.function
            spans.append(span)
            last_token = span.end
        doc.spans[self.spans_key] = spans
        self._set_sentences(doc, spans)
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Apply the component to a stream of docs."""
        for doc in stream:
            yield self(doc)

    @staticmethod
    def _set_sentences(doc: Doc, spans: list[Span]) -> None:
        """Make clause starts (and the starts of gaps between them) sentence starts.

        Written in one array call: setting ``token.is_sent_start`` token by token
        re-checks the whole doc each time, which is quadratic. A doc that a parser
        has already annotated keeps the parser's sentences (spaCy forbids both).
        """
        if len(doc) == 0 or doc.has_annotation("DEP"):
            return
        # spaCy's own encoding: 1 starts a sentence, -1 (as uint64) does not.
        flags = numpy.full(len(doc), -1, dtype="int64")
        flags[0] = 1
        for span in spans:
            flags[span.start] = 1
            if span.end < len(doc):
                flags[span.end] = 1
        doc.from_array([SENT_START], flags.astype("uint64"))

    def _settings(self) -> dict[str, Any]:
        return {"spans_key": self.spans_key}

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save settings and the boundary model (if any) as JSON in a folder."""
        path = ensure_path(path)

        def write_cfg(p: Path) -> None:
            p.write_text(json.dumps(self._settings(), indent=2), encoding="utf-8")

        def write_model(p: Path) -> None:
            data = self.boundary_model.to_dict() if self.boundary_model else None
            p.write_text(json.dumps(data, indent=2), encoding="utf-8")

        serializers = {_CFG_FILE: write_cfg, MODEL_FILE_NAME: write_model}
        to_disk(path, serializers, exclude)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ClauseSegmenter:
        """Load what :meth:`to_disk` wrote."""
        path = ensure_path(path)

        def read_cfg(p: Path) -> None:
            if p.exists():
                cfg = json.loads(p.read_text(encoding="utf-8"))
                self.spans_key = cfg.get("spans_key", self.spans_key)

        def read_model(p: Path) -> None:
            if p.exists():
                data = json.loads(p.read_text(encoding="utf-8"))
                self.boundary_model = None if data is None else BoundaryModel.from_dict(data)

        deserializers = {_CFG_FILE: read_cfg, MODEL_FILE_NAME: read_model}
        from_disk(path, deserializers, exclude)
        return self


@Language.factory(
    "itunlp_clause_segmenter",
    default_config={"boundary_model_path": None, "spans_key": "clauses"},
    assigns=["doc.spans", "token.is_sent_start"],
)
def make_clause_segmenter(
    nlp: Language,
    name: str,
    boundary_model_path: str | None,
    spans_key: str = "clauses",
) -> ClauseSegmenter:
    """Create the itunlp clause segmenter (``nlp.add_pipe("itunlp_clause_segmenter")``).

    Parameters
    ----------
    nlp : Language
        The pipeline.
    name : str
        The component's name.
    boundary_model_path : str or None
        A ``boundary_model.json`` (or a folder holding one) written by
        ``itunlp train``; None uses the rules alone. It is read when the pipe is
        created; a saved pipeline keeps the model in its component folder, so a
        pipeline is best saved from a pipe added without a path and given its
        model by ``component.boundary_model = BoundaryModel.load(path)``.
    spans_key : str
        The ``doc.spans`` key the clauses are written to.

    Returns
    -------
    ClauseSegmenter
        The component.

    Raises
    ------
    FileNotFoundError
        If ``boundary_model_path`` names no file.

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("itunlp_clause_segmenter")
    >>> doc = nlp("It rained all day, but we met.")
    >>> [s.text for s in doc.spans["clauses"]]
    ['It rained all day,', 'but we met.']
    """
    model = None
    if boundary_model_path:
        try:
            model = BoundaryModel.load(boundary_model_path)
        except FileNotFoundError as error:
            raise FileNotFoundError(
                f"{error} A saved pipeline keeps its boundary model in its own folder: "
                f"to load one whose config names a path that is gone, pass "
                f"config={{'components.{name}.boundary_model_path': None}} to spacy.load."
            ) from error
    return ClauseSegmenter(nlp, name, boundary_model=model, spans_key=spans_key)
