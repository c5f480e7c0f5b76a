"""What a run reads: paths, folders (optionally recursive), glob patterns, texts and stdin.

:func:`_resolve` turns the caller's items into sources in a stable, natural order and
records a :class:`Failure` for each item that cannot be read; :func:`_tasks` cuts the
sources into units of work (large text files in blocks).
"""

from __future__ import annotations

import glob
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, NamedTuple

from itunlp.documents import (
    FORMATS,
    Document,
    DocumentError,
    assign_doc_ids,
    decode_text,
    document_format,
    iter_text_blocks,
)
from itunlp.documents.document import TEXT_FORMATS
from itunlp.run.worker import _Task

_MAX_PATH_CHARS = 4096
_GLOB_MAGIC = frozenset("*?[")
_DIGITS = re.compile(r"(\d+)")


class Failure(NamedTuple):
    """A document that was skipped, and why."""

    path: str
    reason: str


# ---------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Source:
    """One input document: a file to read or an in-memory document."""

    doc_id: str
    path: str | None
    file: str | None = None  # absolute, so that workers elsewhere can open it
    document: Document | None = None
    stream: bool = False


def _is_path_like_string(item: str) -> bool:
    """The rule that tells a path from a text, for ``str`` inputs (see classify_documents)."""
    if "\n" in item or "\r" in item or len(item) > _MAX_PATH_CHARS or not item.strip():
        return False
    if os.path.lexists(item):
        return True
    if _GLOB_MAGIC & set(item) and glob.glob(item, recursive=True):
        return True
    return document_format(item) is not None


def _natural(name: str) -> list[Any]:
    """Sort key putting ``doc2`` before ``doc10``, as a file browser does."""
    return [
        (0, int(part), part) if part.isdigit() else (1, 0, part.lower())
        for part in _DIGITS.split(name)
    ]


def _hidden(name: str) -> bool:
    # Dot files and Word's "~$name.docx" lock files are never documents.
    return name.startswith((".", "~$"))


def _folder_files(folder: Path, recursive: bool) -> tuple[list[Path], list[Failure], bool]:
    """Supported files under ``folder``, sorted; symlinked folders followed once (no loops)."""
    files: list[Path] = []
    failures: list[Failure] = []
    has_subfolders = False
    seen: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            info = current.stat()
        except OSError as error:
            failures.append(Failure(str(current), f"cannot open folder: {error.strerror}"))
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue  # a symlink back into a folder already walked: a loop
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError as error:
            failures.append(Failure(str(current), f"cannot list folder: {error.strerror}"))
            continue
        for entry in entries:
            if _hidden(entry.name):
                continue
            path = Path(entry.path)
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                has_subfolders = True
                if recursive:
                    stack.append(path)
            elif document_format(path) is None:
                continue
            elif is_file:
                files.append(path)
            else:
                # A symlink that leads nowhere: report it, a document may be missing.
                files.append(path)
    files.sort(key=lambda p: [_natural(part) for part in p.relative_to(folder).parts])
    return files, failures, has_subfolders


def _expand(item: Path, recursive: bool) -> tuple[list[Path], list[Failure]]:
    """A path argument as the files it stands for."""
    if item.is_dir():
        files, failures, has_subfolders = _folder_files(item, recursive)
        if not files and not failures:
            hint = (
                "; pass recursive=True (--recursive) to look in subfolders"
                if (has_subfolders and not recursive)
                else ""
            )
            kinds = ", ".join(sorted(FORMATS))
            failures.append(Failure(str(item), f"no supported documents ({kinds}) in folder{hint}"))
        return files, failures
    if not os.path.lexists(item) and _GLOB_MAGIC & set(str(item)):
        matches = [Path(m) for m in sorted(glob.glob(str(item), recursive=True))]
        files: list[Path] = []
        failures: list[Failure] = []
        for match in matches:
            if _hidden(match.name):
                continue
            if match.is_dir():
                more, problems = _expand(match, recursive)
                files += more
                failures += problems
            elif document_format(match) is not None:
                files.append(match)
        if not files and not failures:
            failures.append(Failure(str(item), "no supported documents match this pattern"))
        return files, failures
    return [item], []


def _read_stdin() -> Document:
    data = sys.stdin.buffer.read()
    if not data:
        raise DocumentError("-", "nothing on stdin")
    return Document("stdin", "-", decode_text(data, "-"), [], "txt")


def _resolve(items: Any, recursive: bool, stream_bytes: int) -> tuple[list[_Source], list[Failure]]:
    """Turn the user's inputs into sources, in order, and the inputs that failed outright."""
    if isinstance(items, str | PurePath | Document | os.PathLike):
        items = [items]
    elif not isinstance(items, Iterable):
        raise TypeError(
            f"texts_or_paths must be a text, a path, or a list of them, got {type(items).__name__}"
        )
    entries: list[tuple[str, Any]] = []  # ("file", Path) | ("doc", Document)
    failures: list[Failure] = []
    for item in items:
        if isinstance(item, Document):
            entries.append(("doc", item))
        elif isinstance(item, str) and item == "-":
            try:
                entries.append(("doc", _read_stdin()))
            except DocumentError as error:
                failures.append(Failure(error.path, error.reason))
        elif isinstance(item, PurePath | os.PathLike) or (
            isinstance(item, str) and _is_path_like_string(item)
        ):
            files, problems = _expand(Path(os.fspath(item)), recursive)
            entries += [("file", file) for file in files]
            failures += problems
        elif isinstance(item, str):
            entries.append(("doc", Document.from_text(item)))
        else:
            raise TypeError(
                "each input must be a str (text or path), a pathlib.Path or an "
                f"itunlp Document, got {type(item).__name__}: {item!r:.60}"
            )
    file_ids = iter(assign_doc_ids([value for kind, value in entries if kind == "file"]))
    sources: list[_Source] = []
    taken: dict[str, int] = {}
    for kind, value in entries:
        if kind == "file":
            doc_id = next(file_ids)
            stream = False
            if document_format(value) in TEXT_FORMATS:
                try:
                    stream = value.stat().st_size > stream_bytes
                except OSError:
                    stream = False  # read_document will say what is wrong
            source = _Source(doc_id, str(value), os.path.abspath(value), None, stream)
        else:
            source = _Source(value.doc_id, value.path, None, value, False)
        # Ids must be unique over the whole run, texts and files together.
        taken[source.doc_id] = taken.get(source.doc_id, 0) + 1
        if taken[source.doc_id] > 1:
            source = _Source(
                f"{source.doc_id}#{taken[source.doc_id]}",
                source.path,
                source.file,
                source.document,
                source.stream,
            )
        sources.append(source)
    return sources, failures


def _tasks(sources: Sequence[_Source], block_chars: int) -> Iterator[_Task]:
    """Work items in input order; streamed files are read here, block by block, lazily."""
    for index, source in enumerate(sources):
        if not source.stream:
            yield _Task(index, True, source.doc_id, source.path, source.file, source.document)
            continue
        try:
            blocks = iter_text_blocks(source.file or "", block_chars=block_chars)
            pending = next(blocks, None)
            if pending is None:
                yield _Task(index, True, source.doc_id, source.path, reason="empty file")
                continue
            for following in blocks:
                offset, block = pending
                yield _Task(index, False, source.doc_id, source.path, offset=offset, block=block)
                pending = following
            offset, block = pending
            yield _Task(index, True, source.doc_id, source.path, offset=offset, block=block)
        except DocumentError as error:
            yield _Task(index, True, source.doc_id, source.path, reason=error.reason)
        except OSError as error:
            yield _Task(index, True, source.doc_id, source.path, reason=f"cannot read: {error}")
