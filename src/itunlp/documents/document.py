"""What a read document is and what reading can raise.

:class:`Document`, :class:`DocumentError`, :class:`MissingExtraError`, the supported
formats and the size limits, shared by the plain-text and the PDF/DOCX/HTML readers.
"""

from __future__ import annotations

import bisect
import codecs
import errno
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

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



def _mb(size: int) -> str:
    return f"{size / 1024**2:.1f} MB"


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


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


def document_format(path: str | os.PathLike[str]) -> str | None:
    """The format name for ``path``'s extension, or ``None`` when it is not supported."""
    return FORMATS.get(Path(path).suffix.lower())
