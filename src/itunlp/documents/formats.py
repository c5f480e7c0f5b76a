"""Readers for PDF, DOCX and HTML files (each needs the ``ingest`` extra)."""

from __future__ import annotations

import contextlib
import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from itunlp.documents.document import (
    _MAX_ZIP_MEMBERS,
    _MAX_ZIP_RATIO,
    DocumentError,
    MissingExtraError,
    _mb,
    _normalise_newlines,
)
from itunlp.documents.text import _sniff_bom

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


