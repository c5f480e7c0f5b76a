"""Read conference documents (.txt, .md, .pdf, .docx, .html) into text with provenance.

The first stage of the pipeline. :func:`read_document` dispatches on the file's
extension to the plain-text reader (:mod:`.text`: encoding sniffing, decoding,
streaming in blocks) or the PDF/DOCX/HTML readers (:mod:`.formats`, the ``ingest``
extra); each returns a :class:`Document` (:mod:`.document`). A file that cannot be
read raises :class:`DocumentError` naming the path and the reason.
"""

from itunlp.documents.document import (
    DEFAULT_BLOCK_CHARS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_UNZIPPED_BYTES,
    FORMATS,
    Document,
    DocumentError,
    MissingExtraError,
    document_format,
)
from itunlp.documents.reading import assign_doc_ids, read_document
from itunlp.documents.text import decode_text, iter_text_blocks, text_blocks

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
