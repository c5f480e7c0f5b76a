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

import bisect
import codecs
import contextlib
import errno
import hashlib
import itertools
import logging
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = [
    "DEFAULT_BLOCK_CHARS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_UNZIPPED_BYTES",
    "FORMATS",
    "Document",
    "DocumentError",
    "MissingExtraError",
    "assign_doc_ids",
    "decode_text",
    "document_format",
    "iter_text_blocks",
    "read_document",
    "text_blocks",
]

#: Extension -> format name. Anything else is refused with the list of these.
FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}
TEXT_FORMATS = frozenset({"txt", "md"})

#: Files above this size are refused (text files are streamed instead): a conference
#: document is rarely above a few MB, so anything far larger is a mistake or an attack.
DEFAULT_MAX_BYTES = 100 * 1024**2
#: The most a .docx may inflate to, judged from its zip directory before reading.
DEFAULT_MAX_UNZIPPED_BYTES = 256 * 1024**2
#: Ratio above which a zip member is a bomb (XML compresses 10-50x; deflate tops out near 1030x).
_MAX_ZIP_RATIO = 500
_MAX_ZIP_MEMBERS = 10_000
#: Long texts reach the segmenter in blocks of about this many characters.
DEFAULT_BLOCK_CHARS = 500_000

_SAMPLE_BYTES = 1024**2
_READ_BYTES = 4 * 1024**2
# More than this share of C0 control characters (other than whitespace) means binary.
_MAX_CONTROL_SHARE = 0.02
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MIXED_ERRORS = "itunlp-cp1252-fallback"


class DocumentError(ValueError):
    """A document that cannot be read, with its path and the reason.

    Parameters
    ----------
    path : str or Path
        The file (or ``"-"`` for stdin) that failed.
    reason : str
        What is wrong and, where there is one, the fix.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class MissingExtraError(ImportError):
    """A reader's optional dependency is not installed; the message names the extra."""


@dataclass(frozen=True)
class Document:
    """The text of one document and where it came from.

    Parameters
    ----------
    doc_id : str
        Stable identifier: the file name without its extension (see
        :func:`assign_doc_ids` for how a batch tells equal names apart).
    path : str or None
        The path as given, ``"-"`` for stdin, ``None`` for text passed directly.
    text : str
        The document text. Line breaks are normalised to ``\\n`` (as Python's
        universal newlines do), a byte-order mark is removed; clause offsets
        index this string.
    page_starts : list of int
        Offset in ``text`` where each page starts, for paged formats (PDF);
        empty otherwise.
    format : str
        ``"txt"``, ``"md"``, ``"pdf"``, ``"docx"``, ``"html"`` or ``"text"`` for
        text passed directly.

    Examples
    --------
    >>> doc = Document("memo", None, "Page one.\\n\\nPage two.", [0, 11], "txt")
    >>> doc.page_of(12)
    2
    """

    doc_id: str
    path: str | None
    text: str
    page_starts: list[int] = field(default_factory=list)
    format: str = "txt"

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding character ``offset``, or ``None`` without pages."""
        if not self.page_starts:
            return None
        return max(bisect.bisect_right(self.page_starts, offset), 1)

    @classmethod
    def from_text(cls, text: str, doc_id: str | None = None) -> Document:
        """Wrap a string as a document; ``doc_id`` defaults to ``text-`` + a content hash.

        A content hash keeps the id stable when the same text is classified again
        in another order or another run.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        text = _normalise_newlines(text.removeprefix("\ufeff"))
        if doc_id is None:
            doc_id = "text-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        return cls(doc_id, None, text, [], "text")


# ---------------------------------------------------------------------- entry point


def document_format(path: str | os.PathLike[str]) -> str | None:
    """The format name for ``path``'s extension, or ``None`` when it is not supported."""
    return FORMATS.get(Path(path).suffix.lower())


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
        :func:`itunlp.batch.classify_documents` does: the file is decoded
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


def _check_file(file: Path, max_bytes: int) -> str:
    """Refuse what is not a readable, non-empty file of a known format and size."""
    try:
        if file.is_symlink() and not file.exists():
            # os.stat follows the link and fails; say which kind of broken link it is.
            try:
                os.stat(file)
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise DocumentError(file, "symbolic link loop") from None
            raise DocumentError(file, "broken symbolic link (its target does not exist)")
        info = file.stat()
    except FileNotFoundError:
        raise DocumentError(file, "no such file or folder") from None
    except PermissionError:
        raise DocumentError(file, "permission denied") from None
    except OSError as error:
        raise DocumentError(file, f"cannot read: {error.strerror or error}") from None
    if file.is_dir():
        raise DocumentError(file, "is a folder; pass the files in it, or a folder to the batch API")
    fmt = document_format(file)
    if fmt is None:
        supported = ", ".join(sorted(FORMATS))
        kind = file.suffix or "(no extension)"
        raise DocumentError(file, f"unsupported file type {kind!r}; supported: {supported}")
    if info.st_size == 0:
        raise DocumentError(file, "empty file")
    if info.st_size > max_bytes:
        hint = (
            "; classify it with itunlp.batch (or the CLI), which streams large text files"
            if fmt in TEXT_FORMATS
            else "; raise max_bytes if the file is genuine"
        )
        raise DocumentError(
            file, f"file is {_mb(info.st_size)}, over the {_mb(max_bytes)} limit{hint}"
        )
    if not os.access(file, os.R_OK):
        raise DocumentError(file, "permission denied")
    return fmt


def _mb(size: int) -> str:
    return f"{size / 1024**2:.1f} MB"


# ------------------------------------------------------------------------ plain text


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejects as cp1252 (latin-1 where cp1252 has a hole)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_cp1252_char(byte) for byte in bad), error.end


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error(_MIXED_ERRORS, _cp1252_fallback)


@dataclass(frozen=True)
class _Encoding:
    name: str
    errors: str = "strict"


def _sniff_bom(head: bytes) -> str | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def _sniff_utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text without a BOM: mostly-ASCII text has NUL in every other byte."""
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0 : 2 * half : 2].count(0), sample[1 : 2 * half : 2].count(0)
    if odd > 0.3 * half and even < 0.02 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.02 * half:
        return "utf-16-be"
    return None


def _legacy_encoding(sample: bytes) -> _Encoding | None:
    """The most plausible decoding of bytes that are not (all) valid UTF-8.

    Competing: UTF-8 reading each invalid byte as cp1252 (a file pasted together
    from a UTF-8 and a Windows source, or plain cp1252 text: both come out
    right), the legacy code pages of the six ITU languages, and
    charset-normalizer's guess. Each decoding is scored by how much of it reads
    as words of a single script (see :func:`_plausibility`), because on short
    texts statistical guesses confuse, say, cp1252 French with cp1250 or cp1256.
    """
    from charset_normalizer import from_bytes

    probe = sample[: _SAMPLE_BYTES // 16]
    best = from_bytes(probe).best()
    candidates = [_Encoding("utf-8", _MIXED_ERRORS)]
    candidates += [_Encoding(name, "replace") for name in _LEGACY_CANDIDATES]
    if best is not None and not best.encoding.startswith(("utf_16", "utf_32")):
        candidates.append(_Encoding(best.encoding, "replace"))
    scored = []
    for rank, encoding in enumerate(dict.fromkeys(candidates)):
        try:
            text = probe.decode(encoding.name, "strict" if rank else encoding.errors)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((_plausibility(text), -rank, encoding))
    return max(scored, key=lambda item: item[:2])[2] if scored else None


_LEGACY_CANDIDATES = ("cp1252", "cp1251", "cp1256", "gb18030", "big5", "cp1250", "shift_jis")
_WORD = re.compile(r"[^\W\d_]+")


def _script(char: str, cache: dict[str, str] = {}) -> str:  # noqa: B006 - a deliberate memo
    if char not in cache:
        cache[char] = unicodedata.name(char, "?").split(" ")[0]
    return cache[char]


def _plausibility(text: str) -> int:
    """Letters in words of one script, minus letters in words that mix scripts.

    A Latin word made mostly of accented letters (``Ðåçîëþöèÿ``: Russian read as
    cp1252) and a word with a capital after a small letter (``ЗбгдЩжС``: Arabic
    read as cp1251) count as mixed too.
    """
    score = 0
    for word in _WORD.findall(text):
        scripts = {_script(char) for char in word}
        odd = (
            len(scripts) > 1
            or (scripts == {"LATIN"} and 2 * sum(ord(c) > 127 for c in word) > len(word))
            or any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))
        )
        score += -len(word) if odd else len(word)
    return score


def _choose_encoding(sample: bytes, *, has_nul: bool, valid_utf8: bool) -> _Encoding | None:
    """The encoding to decode with, or ``None`` for binary data."""
    bom = _sniff_bom(sample)
    if bom:
        return _Encoding(bom)
    if has_nul:
        utf16 = _sniff_utf16_without_bom(sample)
        return _Encoding(utf16, "replace") if utf16 else None
    if valid_utf8:
        return _Encoding("utf-8")
    return _legacy_encoding(sample)


def _looks_binary(text: str) -> bool:
    sample = text[:_SAMPLE_BYTES]
    return bool(sample) and len(_CONTROL.findall(sample)) > _MAX_CONTROL_SHARE * len(sample)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def decode_text(data: bytes, path: str | os.PathLike[str] = "-") -> str:
    """Decode the bytes of a text document, detecting the encoding.

    Parameters
    ----------
    data : bytes
        The whole file.
    path : str or os.PathLike
        Only for the error message.

    Returns
    -------
    str
        The text with a BOM removed and line breaks normalised to ``\\n``.

    Raises
    ------
    DocumentError
        Empty input, NUL bytes (outside UTF-16/32), or bytes that decode to
        mostly control characters: a binary file, not text.

    Examples
    --------
    >>> decode_text("café".encode("cp1252"))
    'café'
    >>> decode_text(codecs.BOM_UTF8 + "a\\r\\nb".encode())
    'a\\nb'
    """
    if not data:
        raise DocumentError(path, "empty file")
    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    encoding = _choose_encoding(
        data[:_SAMPLE_BYTES] if valid else data,
        has_nul=b"\x00" in data,
        valid_utf8=valid,
    )
    if encoding is None:
        raise DocumentError(path, "binary file (NUL bytes or no text encoding fits); not text")
    try:
        text = data.decode(encoding.name, encoding.errors)
    except (UnicodeDecodeError, LookupError) as error:
        raise DocumentError(path, f"cannot decode as {encoding.name}: {error}") from None
    if _looks_binary(text):
        raise DocumentError(path, "binary file (mostly control characters); not text")
    return _normalise_newlines(text.removeprefix("\ufeff"))


def _scan_text_file(handle: IO[bytes], path: Path) -> tuple[_Encoding, bytes]:
    """One pass over a large file: NUL bytes, UTF-8 validity, and a sample to sniff."""
    sample = handle.read(_SAMPLE_BYTES)
    if not sample:
        raise DocumentError(path, "empty file")
    bom = _sniff_bom(sample)
    if bom:
        return _Encoding(bom, "replace"), sample
    has_nul = False
    checker = codecs.getincrementaldecoder("utf-8")()
    valid = True
    chunk = sample
    while chunk:
        has_nul = has_nul or b"\x00" in chunk
        if valid:
            try:
                checker.decode(chunk)
            except UnicodeDecodeError:
                valid = False
        chunk = handle.read(_READ_BYTES)
    if valid:
        try:
            checker.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False  # the file ends inside a UTF-8 sequence
    encoding = _choose_encoding(sample, has_nul=has_nul, valid_utf8=valid)
    if encoding is None or (has_nul and not encoding.name.startswith("utf-16")):
        raise DocumentError(path, "binary file (NUL bytes or no text encoding fits); not text")
    return encoding, sample


def iter_text_blocks(
    path: str | os.PathLike[str], *, block_chars: int = DEFAULT_BLOCK_CHARS
) -> Iterator[tuple[int, str]]:
    """Stream a text file of any size as ``(offset, block)`` pairs.

    The file is read twice, 4 MiB at a time: once to detect the encoding and
    reject binary content (so a NUL byte at the end is found before any clause
    of the file is produced), then to decode it incrementally. Decoded text is
    cut into blocks of at most ``block_chars`` characters at the last blank line
    (else the last line break, else the last space) before the limit; ``offset``
    is where the block starts in the whole decoded text, so clause offsets stay
    document offsets. Memory is bounded by a few blocks, whatever the file size.

    The price: a resolution heading is not carried across a block boundary, so
    on a file larger than one block a clause right after a boundary may lose its
    ``function``.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.txt`` or ``.md`` file.
    block_chars : int
        Upper bound on a block's length.

    Yields
    ------
    tuple of (int, str)

    Raises
    ------
    DocumentError
        As :func:`read_document` for text files (missing, empty, binary).
    """
    file = Path(path)
    _check_file(file, max_bytes=2**63)
    with open(file, "rb") as handle:
        encoding, sample = _scan_text_file(handle, file)
        if _looks_binary(sample.decode(encoding.name, "replace")):
            raise DocumentError(file, "binary file (mostly control characters); not text")
        handle.seek(0)
        # Never fail half-way through a stream: the scan has vouched for the encoding.
        errors = "replace" if encoding.errors == "strict" else encoding.errors
        decoder = codecs.getincrementaldecoder(encoding.name)(errors)
        yield from _blocks_from_chunks(_decoded_chunks(handle, decoder), block_chars)


def _decoded_chunks(handle: IO[bytes], decoder: codecs.IncrementalDecoder) -> Iterator[str]:
    """Decoded, newline-normalised text; a trailing ``\\r`` waits for a possible ``\\n``."""
    pending = ""
    first = True
    while True:
        data = handle.read(_READ_BYTES)
        text = pending + decoder.decode(data, final=not data)
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        pending = ""
        if data and text.endswith("\r"):
            text, pending = text[:-1], "\r"
        if text:
            yield _normalise_newlines(text)
        if not data:
            return


def _cut_point(text: str, limit: int) -> int:
    """Where to end a block of at most ``limit`` characters: a paragraph, line or word end."""
    for separator in ("\n\n", "\n", " "):
        cut = text.rfind(separator, limit // 2, limit)
        if cut != -1:
            return cut + len(separator)
    return limit


def _blocks_from_chunks(chunks: Iterable[str], block_chars: int) -> Iterator[tuple[int, str]]:
    buffer, offset = "", 0
    for chunk in chunks:
        buffer += chunk
        while len(buffer) > block_chars:
            cut = _cut_point(buffer, block_chars)
            yield offset, buffer[:cut]
            offset += cut
            buffer = buffer[cut:]
    if buffer:
        yield offset, buffer


def text_blocks(text: str, block_chars: int = DEFAULT_BLOCK_CHARS) -> list[tuple[int, str]]:
    """Cut a long text into ``(offset, block)`` pairs as :func:`iter_text_blocks` does.

    Texts up to ``block_chars`` come back whole, so ordinary documents are
    segmented in one piece.

    Examples
    --------
    >>> text_blocks("one.\\n\\ntwo.", block_chars=8)
    [(0, 'one.\\n\\n'), (6, 'two.')]
    """
    return list(_blocks_from_chunks([text], block_chars))


# ------------------------------------------------------------------------------- PDF


def _require(module: str, fmt: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise MissingExtraError(
            f"reading {fmt} files needs the 'ingest' extra: pip install 'itunlp[ingest]' "
            f"(module {module!r} is missing)"
        ) from None


@contextlib.contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Silence a library's warnings on damaged files: our own error says it better."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_pdf(file: Path) -> tuple[str, list[int]]:
    _require("pypdf", "PDF")
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    with _quiet_logger("pypdf"):
        try:
            reader = PdfReader(file)
            if reader.is_encrypted:
                # Many PDFs are encrypted only to restrict printing, with an empty
                # user password: those open fine and are read.
                try:
                    opened = reader.decrypt("")
                except DependencyError as error:
                    raise DocumentError(
                        file, f"encrypted PDF needing a cryptography library: {error}"
                    ) from None
                if not opened:
                    raise DocumentError(
                        file, "encrypted PDF (password protected); save an unprotected copy"
                    )
            texts = []
            for page in reader.pages:
                try:
                    texts.append(page.extract_text() or "")
                except Exception:  # one damaged page does not lose the rest
                    texts.append("")
        except DocumentError:
            raise
        except Exception as error:
            raise DocumentError(file, f"corrupt PDF ({type(error).__name__}: {error})") from None
    if not any(t.strip() for t in texts):
        raise DocumentError(
            file,
            "PDF has no text layer (scanned images?); run OCR first, e.g. ocrmypdf in.pdf out.pdf",
        )
    page_starts, parts, offset = [], [], 0
    for text in texts:
        text = _normalise_newlines(text).strip("\n")
        page_starts.append(offset)
        parts.append(text)
        offset += len(text) + 2
    return "\n\n".join(parts), page_starts


# ------------------------------------------------------------------------------ DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _check_zip(file: Path, max_unzipped_bytes: int) -> None:
    """Refuse a zip bomb from its directory, before a byte is inflated.

    Python's zipfile stops inflating a member at its declared size (and then
    fails the CRC check), so the declared sizes bound what reading can cost.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise DocumentError(
            file, f"corrupt DOCX: not a valid zip archive ({error}); an old .doc file?"
        ) from None
    if len(members) > _MAX_ZIP_MEMBERS:
        raise DocumentError(file, f"zip bomb suspected: {len(members)} members in the archive")
    total = sum(member.file_size for member in members)
    if total > max_unzipped_bytes:
        raise DocumentError(
            file,
            f"zip bomb suspected: declares {_mb(total)} uncompressed, over the "
            f"{_mb(max_unzipped_bytes)} limit",
        )
    for member in members:
        if member.file_size > 1024**2 and member.file_size > _MAX_ZIP_RATIO * max(
            member.compress_size, 1
        ):
            raise DocumentError(
                file,
                f"zip bomb suspected: {member.filename} inflates "
                f"{member.file_size // max(member.compress_size, 1)}x",
            )
    if "word/document.xml" not in {member.filename for member in members}:
        raise DocumentError(file, "corrupt DOCX: no word/document.xml in the archive")
    _check_inflated_sizes(file, members, max_unzipped_bytes)


def _check_inflated_sizes(
    file: Path, members: list[zipfile.ZipInfo], max_unzipped_bytes: int
) -> None:
    """Inflate each member in small chunks and stop at the first byte over its declared size.

    An archive can declare small sizes and still inflate to gigabytes: python-docx
    reads whole members, so the declared sizes are checked against the real stream
    first, with memory bounded by the chunk size.
    """
    inflated = 0
    try:
        with zipfile.ZipFile(file) as archive:
            for member in members:
                with archive.open(member) as stream:
                    size = 0
                    while chunk := stream.read(1 << 16):
                        size += len(chunk)
                        inflated += len(chunk)
                        if size > member.file_size or inflated > max_unzipped_bytes:
                            raise DocumentError(
                                file,
                                f"zip bomb suspected: {member.filename} inflates past the "
                                f"{_mb(member.file_size)} it declares",
                            )
    except DocumentError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise DocumentError(file, f"corrupt DOCX: {error}") from None


def _read_docx(file: Path, max_unzipped_bytes: int) -> str:
    _require("docx", "Word (.docx)")
    import docx

    _check_zip(file, max_unzipped_bytes)
    try:
        document = docx.Document(str(file))
        numbering = _Numbering(document)
        paragraphs = [text for text in _docx_paragraphs(document, numbering) if text.strip()]
    except DocumentError:
        raise
    except Exception as error:
        raise DocumentError(file, f"corrupt DOCX ({type(error).__name__}: {error})") from None
    if not paragraphs:
        raise DocumentError(file, "DOCX has no text")
    return _normalise_newlines("\n\n".join(paragraphs))


def _docx_paragraphs(document: Any, numbering: _Numbering) -> Iterator[str]:
    """Body paragraphs in reading order, including those in tables and content controls."""
    from docx.text.paragraph import Paragraph

    stack = [iter(document.element.body.iterchildren())]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        tag = element.tag
        if tag == f"{_W}p":
            paragraph = Paragraph(element, document)
            text = paragraph.text.strip()
            label = numbering.label(paragraph) if text else ""
            yield f"{label} {text}" if label else text
        elif tag in (f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}sdt", f"{_W}sdtContent"):
            stack.append(iter(element.iterchildren()))


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip


def _roman(number: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def _letters(number: int) -> str:
    # Word repeats the letter past z: a..z, aa..zz, aaa...
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def _format_number(number: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(number)
    if fmt == "upperLetter":
        return _letters(number).upper()
    if fmt == "lowerRoman":
        return _roman(number)
    if fmt == "upperRoman":
        return _roman(number).upper()
    if fmt == "decimalZero":
        return f"{number:02d}"
    if fmt == "none":
        return ""
    return str(number)


class _Numbering:
    """Render Word list numbers (``1.``, ``a)``, ``(iv)``, ``•``) as python-docx does not."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[tuple[str, int], tuple[int, str, str]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for node in root.iterchildren(f"{_W}abstractNum"):
            levels = {}
            for lvl in node.iterchildren(f"{_W}lvl"):
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                    int(_val(lvl, "start") or 1),
                    _val(lvl, "numFmt") or "decimal",
                    _val(lvl, "lvlText") or "",
                )
            abstract[node.get(f"{_W}abstractNumId", "")] = levels
        for num in root.iterchildren(f"{_W}num"):
            num_id = num.get(f"{_W}numId", "")
            levels = dict(abstract.get(_val(num, "abstractNumId") or "", {}))
            for override in num.iterchildren(f"{_W}lvlOverride"):
                level = int(override.get(f"{_W}ilvl", "0"))
                start = _val(override, "startOverride")
                if start and level in levels:
                    levels[level] = (int(start), *levels[level][1:])
            for level, spec in levels.items():
                self._levels[(num_id, level)] = spec

    def label(self, paragraph: Any) -> str:
        num_id, level = _num_pr(paragraph)
        if num_id is None or (num_id, level) not in self._levels:
            return ""
        counters = self._counters.setdefault(num_id, {})
        start = self._levels[(num_id, level)][0]
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [key for key in counters if key > level]:
            del counters[deeper]
        _, fmt, template = self._levels[(num_id, level)]
        if fmt == "bullet":
            return "•"

        def substitute(match: re.Match[str]) -> str:
            ref = int(match.group(1)) - 1
            ref_start, ref_fmt, _ = self._levels.get((num_id, ref), (1, "decimal", ""))
            return _format_number(counters.get(ref, ref_start), ref_fmt)

        return re.sub(r"%(\d)", substitute, template).strip()


def _val(node: Any, child: str) -> str | None:
    found = node.find(f"{_W}{child}")
    return None if found is None else found.get(f"{_W}val")


def _num_pr(paragraph: Any) -> tuple[str | None, int]:
    """The list a paragraph belongs to: its own numPr, else its style chain's."""
    p_pr = paragraph._p.pPr
    num_pr = None if p_pr is None else p_pr.find(f"{_W}numPr")
    style = paragraph.style
    seen = 0
    while num_pr is None and style is not None and seen < 20:
        style_ppr = style.element.pPr
        num_pr = None if style_ppr is None else style_ppr.find(f"{_W}numPr")
        style, seen = style.base_style, seen + 1
    if num_pr is None:
        return None, 0
    num_id = _val(num_pr, "numId")
    level = int(_val(num_pr, "ilvl") or 0)
    return (None if num_id in (None, "0") else num_id), level


# ------------------------------------------------------------------------------ HTML

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
    "form", "svg", "iframe", "button", "select", "head",
)  # fmt: skip
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_BLOCK_TAGS = (
    "address", "article", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "main", "ol", "p", "pre", "section", "summary", "table", "tr", "ul",
)  # fmt: skip
# Private-use sentinels mark breaks while whitespace from the source is collapsed.
_PARA, _LINE = "\ue000", "\ue001"


def _read_html(file: Path) -> str:
    _require("bs4", "HTML")
    _require("lxml", "HTML")
    from bs4 import BeautifulSoup, Comment

    data = file.read_bytes()
    if b"\x00" in data and not _sniff_bom(data):
        raise DocumentError(file, "binary file (NUL bytes); not HTML")
    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as error:
        raise DocumentError(file, f"cannot parse HTML ({type(error).__name__}: {error})") from None
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": True}):
        if not tag.decomposed and str(tag.get("role", "")).lower() in _DROP_ROLES:
            tag.decompose()
    for tag in soup.find_all(attrs={"hidden": True}):
        if not tag.decomposed:
            tag.decompose()
    root = soup.find("main") or soup.find(attrs={"role": "main"})
    if root is None:
        articles = soup.find_all("article")
        root = articles[0] if len(articles) == 1 else (soup.body or soup)
    for item_list in root.find_all("ol"):
        number = _ol_start(item_list)
        for item in item_list.find_all("li", recursive=False):
            item.insert(0, f"{_format_number(number, _ol_format(item_list))}. ")
            number += 1
    for tag in root.find_all("br"):
        tag.replace_with(_LINE)
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before(_PARA)
        tag.insert_after(_PARA)
    if root.name in _BLOCK_TAGS:
        root.insert(0, _PARA)
    text = re.sub(r"\s+", " ", "".join(root.strings))
    text = text.replace(_LINE, "\n")
    text = re.sub(rf" *{_PARA}[ {_PARA}]*", "\n\n", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        raise DocumentError(file, "HTML has no text outside navigation, header and footer")
    return text


def _ol_start(tag: Any) -> int:
    try:
        return int(tag.get("start", 1))
    except (TypeError, ValueError):
        return 1


def _ol_format(tag: Any) -> str:
    return {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}.get(
        str(tag.get("type", "1")), "decimal"
    )


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
