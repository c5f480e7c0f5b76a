"""The corpus a theme model learns from: the user's labels merged with the shipped ones.

:func:`load_training_corpus` reads label files (or a frame), adds the shipped seed
corpus unless told not to, validates the rows against the theme scheme and drops
clauses repeated across parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from itunlp.labels.corpus import (
    SHIPPED_PARTS,
    LabelError,
    merge_labels,
    read_labels,
    shipped_documents,
    shipped_label_files,
)
from itunlp.themes.folds import add_neighbours
from itunlp.themes.scheme import ThemeScheme, load_themes

__all__ = ["LabelSource", "load_training_corpus", "source_names"]

LabelSource = str | Path | pd.DataFrame | Iterable[str | Path] | None


# ------------------------------------------------------------------ corpus
@dataclass
class _Corpus:
    """Validated clauses with the source part of each, and the files they came from.

    ``sources`` refines ``parts``: a clause of ``data/documents`` is from
    ``documents:<writer>``. ``user`` marks the clauses that came from the user's
    labels (they override shipped ones).
    """

    frame: pd.DataFrame
    parts: np.ndarray
    files: list[Path]
    sources: np.ndarray | None = None
    user: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.sources is None:
            self.sources = source_names(self.frame, self.parts)
        if self.user is None:
            self.user = np.zeros(len(self.frame), dtype=bool)


def source_names(frame: pd.DataFrame, parts: np.ndarray) -> np.ndarray:
    """Each clause's source: its part, with ``data/documents`` split by writer."""
    writers = frame["writer"].tolist() if "writer" in frame else [""] * len(frame)
    return np.array(
        [
            f"{part}:{writer}" if part == "documents" and writer else str(part)
            for part, writer in zip(parts, writers, strict=True)
        ],
        dtype=object,
    )


def _key(text: str, function: str) -> tuple[str, str]:
    return " ".join(text.split()), function


def _resolve_scheme(scheme: ThemeScheme | str | Path | None) -> ThemeScheme:
    if scheme is None:
        return load_themes()
    if isinstance(scheme, ThemeScheme):
        return scheme
    if isinstance(scheme, str | Path):
        return load_themes(scheme)
    raise TypeError(f"scheme must be a ThemeScheme or a path, got {type(scheme).__name__}")


def _drop_repeats_across_parts(
    frame: pd.DataFrame,
    part: str,
    part_of: dict[tuple[str, str], str],
    labels_of: dict[tuple[str, str], list[str]],
) -> pd.DataFrame:
    """Record each clause's part; a clause already in an earlier part is dropped.

    One clause in two parts would sit in a training and a test fold at once; labelled
    differently, it is a contradiction that must be fixed in the data.
    """
    keep = []
    for text, function, themes in zip(
        frame["text"], frame["function"], frame["themes"], strict=True
    ):
        key = _key(text, function)
        if key in part_of:
            if labels_of.get(key) != sorted(themes):
                raise LabelError(
                    f"The clause {text[:60]!r} is labelled {sorted(themes)} in {part} but "
                    f"{labels_of.get(key)} in {part_of[key]}; keep one labelling"
                )
            keep.append(False)
            continue
        part_of[key] = part
        labels_of[key] = sorted(themes)
        keep.append(True)
    return frame.loc[keep].reset_index(drop=True)


def _read_corpus(
    labels: LabelSource,
    no_seed: bool,
    scheme: ThemeScheme,
    exclude_sources: Iterable[str] = (),
) -> _Corpus:
    """The shipped corpus (unless ``no_seed``) with ``labels`` merged over it.

    ``exclude_sources`` leaves shipped sources out (``dev``, ``documents:ngo``, ...),
    as the adaptation benchmark does for the source it holds out.
    """
    excluded = set(exclude_sources)
    documents = shipped_documents()
    frames: list[pd.DataFrame] = []
    part_of: dict[tuple[str, str], str] = {}
    labels_of: dict[tuple[str, str], list[str]] = {}
    files: list[Path] = []
    if not no_seed:
        for part in SHIPPED_PARTS:
            part_files = shipped_label_files([part])
            if not part_files:
                continue
            frame = read_labels(part_files, scheme=scheme, documents=documents)
            if excluded:
                named = source_names(frame, np.full(len(frame), part, dtype=object))
                frame = frame.loc[~np.isin(named, list(excluded))].reset_index(drop=True)
            frame = _drop_repeats_across_parts(frame, part, part_of, labels_of)
            frames.append(frame)
            files += part_files
    base = pd.concat(frames, ignore_index=True) if frames else None
    if labels is not None:
        if isinstance(labels, pd.DataFrame):
            user = read_labels(labels, scheme=scheme, documents=documents)
        else:
            paths = [labels] if isinstance(labels, str | Path) else list(labels)
            if not paths:
                raise LabelError("No label files given")
            # Rows from `itunlp suggest` point into the user's own documents: reading
            # those lets read_labels catch a clause whose text was edited.
            from itunlp.labels.suggest import label_documents

            user_documents = {**documents, **label_documents(paths)}
            user = read_labels(paths, scheme=scheme, documents=user_documents)
            files += [Path(p) for p in paths]
        # A user's clauses form their own source(s) for the cross-source scores: named by
        # their `source` field when they have one, else "user".
        part_of.update(
            {
                _key(t, f): (src or "user")
                for t, f, src in zip(user["text"], user["function"], user["source"], strict=True)
            }
        )
        base = user if base is None else merge_labels(base, user)
    if base is None:
        raise LabelError(
            "No labelled clauses: give label files, or drop --no-seed to use the shipped corpus"
        )
    base = add_neighbours(base.reset_index(drop=True))
    parts = np.array(
        [part_of[_key(t, f)] for t, f in zip(base["text"], base["function"], strict=True)]
    )
    user_keys = (
        set()
        if labels is None
        else {_key(t, f) for t, f in zip(user["text"], user["function"], strict=True)}
    )
    is_user = np.array(
        [_key(t, f) in user_keys for t, f in zip(base["text"], base["function"], strict=True)],
        dtype=bool,
    )
    return _Corpus(base, parts, files, user=is_user)


def load_training_corpus(
    labels: LabelSource = None,
    *,
    no_seed: bool = False,
    scheme: ThemeScheme | str | Path | None = None,
) -> pd.DataFrame:
    """The labelled clauses :func:`train` would use, with a ``part`` column.

    Parameters
    ----------
    labels : path, list of paths or DataFrame, optional
        Extra labels in the record format; they override shipped labels of the same
        clause.
    no_seed : bool, default=False
        Leave out the shipped corpus (seed, supplement, dev set).
    scheme : ThemeScheme or path, optional
        The theme scheme; the shipped one when None.

    Returns
    -------
    pandas.DataFrame
        Record columns plus ``part``: ``seed``, ``supplement`` or ``dev`` for shipped
        clauses; for the user's, their ``source`` field, or ``user`` when empty.

    Raises
    ------
    LabelError
        Invalid labels (the message names the file and row) or no labels at all.
    """
    corpus = _read_corpus(labels, no_seed, _resolve_scheme(scheme))
    return corpus.frame.assign(part=corpus.parts)
