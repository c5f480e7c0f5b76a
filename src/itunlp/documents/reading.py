"""Read conference documents (.txt, .md, .pdf, .docx, .html) into text with provenance.

Every reader returns a :class:`Document`: the text the segmenter will cut, where
it came from, and for paged formats the offset where each page starts, so that a
clause can be traced back to its page. A file that cannot be read raises
:class:`DocumentError` naming the path and the reason; nothing is guessed silently.

Plain text is read with the standard library and ``charset-normalizer``. PDF, Word
and HTML need the ``ingest`` extra (``pip install 'itunlp[ingest]'``); without it
those formats raise :class:`MissingExtraError`, an :class:`ImportError`.

Hostile files are bounded before they are parsed: files over ``max_bytes`` are
refused (text files are streamed instead, see :func:`iter_text_blocks`), a Word
file's zip directory is checked for its uncompressed size before any part is
inflated, and NUL bytes mark a file as binary.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from itunlp.documents.document import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_UNZIPPED_BYTES,
    TEXT_FORMATS,
    Document,
    _check_file,
)
from itunlp.documents.formats import _read_docx, _read_html, _read_pdf
from itunlp.documents.text import decode_text

__all__ = ["assign_doc_ids", "read_document"]
# ---------------------------------------------------------------------- entry point




def read_document(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES,
) -> Document:
    """Read one file into a :class:`Document`.

    The format follows the extension: ``.txt``/``.text``/``.md``/``.markdown``
    (encoding detected: UTF-8 with or without BOM, UTF-16/32 with BOM, UTF-16
    without BOM, legacy code pages such as cp1252 through ``charset-normalizer``,
    and UTF-8 mixed with stray cp1252 bytes, which are decoded byte by byte as
    cp1252), ``.pdf`` (the text layer, one page after another, pages separated by
    a blank line, running headers and page numbers left for the segmenter to
    skip), ``.docx`` (body paragraphs and table cells in order, list numbering
    rendered as text, e.g. ``a)`` or ``1.``), ``.html``/``.htm`` (the ``<main>``
    or single ``<article>`` element if there is one, else the body, without
    navigation, header, footer, aside, script and style).

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    max_bytes : int, default 100 MiB
        Files larger than this are refused. Text files of any size can still be
        processed by streaming them with :func:`iter_text_blocks`, which is what
        :func:`itunlp.run.batch.classify_documents` does: the file is decoded
        incrementally and handed to the segmenter in paragraph-aligned blocks of
        about :data:`DEFAULT_BLOCK_CHARS` characters, so memory stays bounded.
    max_unzipped_bytes : int, default 256 MiB
        Largest total uncompressed size a ``.docx`` may declare in its zip
        directory; checked before anything is inflated (zip bombs).

    Returns
    -------
    Document
        ``doc_id`` is the file name without its extension.

    Raises
    ------
    DocumentError
        For a missing path, a folder, an unsupported extension, an empty or
        oversized file, a binary or undecodable file, a corrupt, encrypted or
        image-only PDF, a corrupt Word file or a zip bomb. The message names the
        path and the reason.
    MissingExtraError
        Reading PDF, Word or HTML without the ``ingest`` extra installed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "res70.txt").write_text("resolves\\n\\n1 to act;\\n", encoding="utf-8")
    >>> doc = read_document(folder / "res70.txt")
    >>> doc.doc_id, doc.format, doc.text.splitlines()[0]
    ('res70', 'txt', 'resolves')
    """
    file = Path(path)
    fmt = _check_file(file, max_bytes)
    if fmt in TEXT_FORMATS:
        text = decode_text(file.read_bytes(), file)
        return Document(file.stem, str(path), text, [], fmt)
    if fmt == "pdf":
        text, page_starts = _read_pdf(file)
        return Document(file.stem, str(path), text, page_starts, fmt)
    if fmt == "docx":
        return Document(file.stem, str(path), _read_docx(file, max_unzipped_bytes), [], fmt)
    return Document(file.stem, str(path), _read_html(file), [], fmt)



# --------------------------------------------------------------------------- doc ids


def assign_doc_ids(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Stable, distinct ``doc_id`` values for the files of one run.

    The rule: a document's id is its file name without the extension
    (``docs/PP22-res70.pdf`` -> ``PP22-res70``). When two different files of one
    run share that name, each gets the fewest parent folders that tell them
    apart, joined with ``/`` (``2018/report`` and ``2022/report``); files that
    differ only by extension keep it (``report.pdf``, ``report.docx``); the same
    file given twice gets ``#2``, ``#3``... The id depends only on the paths, so
    rerunning on the same inputs gives the same ids.

    Parameters
    ----------
    paths : iterable of str or os.PathLike

    Returns
    -------
    list of str
        One id per path, in order.

    Examples
    --------
    >>> assign_doc_ids(["a/2018/report.pdf", "a/2022/report.pdf", "a/memo.txt"])
    ['2018/report', '2022/report', 'memo']
    """
    items = [Path(os.path.abspath(p)) for p in paths]
    by_stem: dict[str, list[Path]] = {}
    for item in items:
        by_stem.setdefault(item.stem, []).append(item)
    names: dict[Path, str] = {}
    for stem, group in by_stem.items():
        distinct = list(dict.fromkeys(group))
        if len(distinct) == 1:
            names[distinct[0]] = stem
            continue
        names.update(_disambiguate(distinct))
    seen: dict[str, int] = {}
    ids = []
    for item in items:
        base = names[item]
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return ids


def _disambiguate(group: list[Path]) -> dict[Path, str]:
    depth = max(len(p.parts) for p in group)
    for use_name in (False, True):
        for k in range(0, depth):
            keys = {
                p: "/".join([*p.parts[-1 - k : -1], p.name if use_name else p.stem]) for p in group
            }
            if len(set(keys.values())) == len(group):
                return keys
    return {p: str(p) for p in group}
