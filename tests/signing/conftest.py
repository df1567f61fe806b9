"""What the signing tests share: a document to sign."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest


@pytest.fixture
def document(tmp_path) -> Path:
    """A one-page PDF with a line of text in its content, uncompressed, so that the words
    stay readable in the file's bytes (a test changes them there)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont="/Helvetica"
        )
    )
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 770 Td (GIAY KHAI SINH) Tj ET")
    path = tmp_path / "doc.pdf"
    pdf.save(path, compress_streams=False)
    return path
