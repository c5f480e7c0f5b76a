"""Reading documents: every format and encoding, page provenance, and every bad file kind."""

from __future__ import annotations

import codecs
import os
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itunlp.documents import (
    Document,
    DocumentError,
    MissingExtraError,
    assign_doc_ids,
    decode_text,
    iter_text_blocks,
    read_document,
    text_blocks,
)

TEXT = "Résolution 70 — “gender” mainstreaming: naïve façade, señal.\nSecond line."


# ----------------------------------------------------------------------------- makers


def make_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    pdf.output(str(path))
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("RESOLUTION 70")
    document.add_paragraph("considering")
    for item in ("that women are under-represented;", "that girls need skills;", "that a."):
        document.add_paragraph(item, style="List Number")
    document.add_paragraph("a bullet point", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "cell one"
    table.cell(0, 1).text = "cell two"
    document.add_paragraph("After the table.")
    document.save(str(path))
    return path


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


# ------------------------------------------------------------------------------ text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_text_files_in_common_encodings_read_the_same(tmp_path, encoding):
    path = tmp_path / f"res-{encoding}.txt"
    path.write_bytes(TEXT.encode(encoding))
    document = read_document(path)
    assert document.text == TEXT
    assert document.format == "txt"
    assert document.page_starts == []
    assert document.page_of(5) is None


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Резолюция 70 — учитывая, что Государства-Члены должны обеспечить", "cp1251"),
        ("قرار 70 تعميم مراعاة المنظور الجنساني في الاتحاد", "cp1256"),
        ("国际电信联盟全权代表大会决议", "gb18030"),
        ("café", "cp1252"),
    ],
)
def test_legacy_code_pages_of_itu_languages_are_detected(text, encoding):
    assert decode_text(text.encode(encoding)) == text


def test_utf8_mixed_with_stray_cp1252_bytes_keeps_both(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Café “UTF-8” part; ".encode() + "naïve — cp1252 part".encode("cp1252"))
    assert read_document(path).text == "Café “UTF-8” part; naïve — cp1252 part"


def test_line_breaks_are_normalised_and_bom_removed(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes(codecs.BOM_UTF8 + b"# Title\r\n\r\nText.\rMore.")
    document = read_document(path)
    assert document.text == "# Title\n\nText.\nMore."
    assert document.format == "md"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_decoding_any_bytes_gives_text_or_a_document_error(data):
    try:
        text = decode_text(data)
    except DocumentError as error:
        assert error.reason
    else:
        assert isinstance(text, str)
        assert "\r" not in text


def test_a_large_text_file_streams_in_blocks_with_document_offsets(tmp_path):
    paragraph = "The conference resolves to connect schools; it notes progress.\r\n\r\n"
    path = tmp_path / "big.txt"
    path.write_text(paragraph * 5000, encoding="utf-8", newline="")
    blocks = list(iter_text_blocks(path, block_chars=20_000))
    whole = "".join(block for _, block in blocks)
    assert len(blocks) > 10
    assert whole == (paragraph * 5000).replace("\r\n", "\n")
    assert all(whole[offset : offset + len(block)] == block for offset, block in blocks)
    assert all(block.endswith("\n\n") for _, block in blocks[:-1])  # cut at paragraphs


def test_streaming_rejects_a_nul_byte_before_yielding_any_block(tmp_path):
    path = tmp_path / "late-nul.txt"
    path.write_bytes(b"plain text. " * 600_000 + b"\x00")
    with pytest.raises(DocumentError, match="binary file"):
        next(iter_text_blocks(path, block_chars=10_000))


def test_short_texts_are_one_block():
    assert text_blocks("one.\n\ntwo.") == [(0, "one.\n\ntwo.")]


def test_a_text_file_over_the_size_limit_points_to_streaming(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("x " * 600, encoding="utf-8")
    with pytest.raises(
        DocumentError, match=r"over the 0\.0 MB limit; classify it with itunlp\.batch"
    ):
        read_document(path, max_bytes=1000)


# ------------------------------------------------------------------------------- PDF


def test_pdf_pages_are_read_in_order_with_page_starts(tmp_path):
    path = make_pdf(
        tmp_path / "two.pdf",
        ["Page one says the conference resolves to act.", "Page two invites Member States."],
    )
    document = read_document(path)
    assert document.format == "pdf"
    assert len(document.page_starts) == 2
    first, second = document.text.index("Page one"), document.text.index("Page two")
    assert document.page_of(first) == 1
    assert document.page_of(second) == 2
    assert document.page_starts[1] <= second
    assert document.doc_id == "two"


def test_pdf_encrypted_with_a_password_is_refused(tmp_path):
    from pypdf import PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", ["Secret resolution text."])
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt("secret", algorithm="RC4-128")
    writer.write(str(tmp_path / "locked.pdf"))
    with pytest.raises(DocumentError, match="encrypted PDF"):
        read_document(tmp_path / "locked.pdf")


def test_pdf_encrypted_with_an_empty_user_password_is_read(tmp_path):
    from pypdf import PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", ["Readable resolution text."])
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt("", owner_password="owner", algorithm="RC4-128")
    writer.write(str(tmp_path / "restricted.pdf"))
    assert "Readable resolution" in read_document(tmp_path / "restricted.pdf").text


def test_pdf_without_a_text_layer_says_to_run_ocr(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 80, 80, style="F")  # a "scan": drawing, no text
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(DocumentError, match=r"no text layer.*OCR"):
        read_document(tmp_path / "scan.pdf")


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_corrupt_pdf_is_refused_with_the_path(tmp_path, damage):
    good = make_pdf(tmp_path / "good.pdf", ["Some text."]).read_bytes()
    path = tmp_path / "bad.pdf"
    path.write_bytes(good[:300] if damage == "truncated" else b"%PDF-1.7 not really a pdf")
    with pytest.raises(DocumentError, match="corrupt PDF") as caught:
        read_document(path)
    assert caught.value.path == str(path)


# ------------------------------------------------------------------------------ DOCX


def test_docx_paragraphs_tables_and_list_numbers_in_order(tmp_path):
    text = read_document(make_docx(tmp_path / "res70.docx")).text
    paragraphs = text.split("\n\n")
    assert paragraphs[:5] == [
        "RESOLUTION 70",
        "considering",
        "1. that women are under-represented;",
        "2. that girls need skills;",
        "3. that a.",
    ]
    assert paragraphs[5] == "• a bullet point"
    assert paragraphs[6:] == ["cell one", "cell two", "After the table."]


def test_docx_that_is_not_a_zip_is_corrupt(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old binary .doc renamed")
    with pytest.raises(DocumentError, match="corrupt DOCX: not a valid zip"):
        read_document(path)


def test_truncated_docx_is_corrupt(tmp_path):
    data = make_docx(tmp_path / "good.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DocumentError, match="corrupt DOCX"):
        read_document(path)


def test_zip_without_a_word_document_is_refused(tmp_path):
    path = make_zip(tmp_path / "notes.docx", {"notes.txt": b"hello"})
    with pytest.raises(DocumentError, match=r"no word/document\.xml"):
        read_document(path)


def test_zip_bomb_disguised_as_docx_is_refused_from_its_directory(tmp_path):
    path = make_zip(
        tmp_path / "bomb.docx",
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (16 * 1024**2)},
    )
    assert path.stat().st_size < 100_000
    with pytest.raises(DocumentError, match=r"zip bomb suspected: word/document\.xml inflates"):
        read_document(path)


def test_docx_declaring_more_than_the_unzip_limit_is_refused(tmp_path):
    path = make_docx(tmp_path / "big.docx")
    with pytest.raises(DocumentError, match="zip bomb suspected: declares"):
        read_document(path, max_unzipped_bytes=10_000)


# ------------------------------------------------------------------------------ HTML


def test_html_keeps_main_text_and_drops_navigation_header_footer(tmp_path):
    path = tmp_path / "dispatch.htm"
    path.write_text(
        """<html><head><title>Site</title><style>p {color: red}</style></head><body>
        <nav><a href="/">Home</a> | <a href="/news">News</a></nav>
        <header>Site header</header>
        <main><h1>Dispatch</h1>
        <p>First <b>bold</b> sentence
        spanning source lines.<br>After a break.</p>
        <!-- an editor's comment -->
        <ol type="a"><li>connect schools;</li><li>report back.</li></ol>
        <aside>Related stories</aside><script>var tracker = 1;</script></main>
        <footer>Copyright</footer></body></html>""",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.format == "html"
    assert document.text == (
        "Dispatch\n\nFirst bold sentence spanning source lines.\nAfter a break.\n\n"
        "a. connect schools;\n\nb. report back."
    )


def test_html_without_main_uses_the_body(tmp_path):
    path = tmp_path / "plain.html"
    path.write_bytes(
        b'<html><head><meta charset="windows-1252"></head>'
        b"<body><p>Caf\xe9 r\xe9sum\xe9.</p><footer>f</footer></body></html>"
    )
    assert read_document(path).text == "Café résumé."


# ----------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", bytes(range(256)) * 8, "binary file"),
        ("controls.txt", bytes(range(1, 32)) * 40, "binary file"),
        ("empty.pdf", b"", "empty file"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type '.xlsx'"),
    ],
)
def test_bad_files_raise_document_error_naming_path_and_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=reason) as caught:
        read_document(path)
    assert str(path) in str(caught.value)


def test_missing_path_and_folder_are_document_errors(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        read_document(tmp_path / "absent.pdf")
    with pytest.raises(DocumentError, match="is a folder"):
        read_document(tmp_path)
    assert issubclass(DocumentError, ValueError)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_loop_file_is_a_document_error(tmp_path):
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    with pytest.raises(DocumentError, match="symbolic link loop"):
        read_document(tmp_path / "a.txt")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_loop_in_a_folder_neither_hangs_nor_hides_documents(tmp_path):
    from itunlp.run.batch import segment_documents

    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "res.txt").write_text("The conference resolves to act.", encoding="utf-8")
    os.symlink(corpus, corpus / "sub" / "back-to-top")  # a folder loop
    os.symlink(corpus / "self.txt", corpus / "self.txt")  # a file loop
    table = segment_documents(corpus, recursive=True, on_error="collect")
    assert table["path"].tolist() == [str(corpus / "sub" / "res.txt")]
    assert table.attrs["failures"] == [(str(corpus / "self.txt"), "symbolic link loop")]


def test_missing_ingest_extra_names_the_install_command(tmp_path, monkeypatch):
    path = make_pdf(tmp_path / "one.pdf", ["Text."])
    monkeypatch.setitem(sys.modules, "pypdf", None)  # makes `import pypdf` fail
    with pytest.raises(MissingExtraError, match=r"pip install 'itunlp\[ingest\]'"):
        read_document(path)
    assert issubclass(MissingExtraError, ImportError)


# --------------------------------------------------------------------------- doc ids


def test_doc_ids_are_stems_disambiguated_by_folders_then_extensions():
    ids = assign_doc_ids(
        ["a/2018/report.pdf", "a/2022/report.pdf", "memo.txt", "b/x.pdf", "b/x.docx", "memo.txt"]
    )
    assert ids == ["2018/report", "2022/report", "memo", "x.pdf", "x.docx", "memo#2"]


def test_text_documents_get_a_stable_content_id():
    first = Document.from_text("Member States are invited to act.")
    again = Document.from_text("Member States are invited to act.")
    assert first.doc_id == again.doc_id
    assert first.doc_id.startswith("text-")
    assert first.path is None
