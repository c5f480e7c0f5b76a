"""Plain-text files: encoding sniffing, decoding, and streaming a large file in blocks."""

from __future__ import annotations

import codecs
import itertools
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from itunlp.documents.document import (
    _BOMS,
    _CONTROL,
    _MAX_CONTROL_SHARE,
    _MIXED_ERRORS,
    _READ_BYTES,
    _SAMPLE_BYTES,
    DEFAULT_BLOCK_CHARS,
    DocumentError,
    _check_file,
    _normalise_newlines,
)

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


