"""PAdES B-B signatures by the development CA: pyHanko and poppler's pdfsig must agree."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from fontTools.ttLib import TTFont
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from sohoa.signing import pades
from sohoa.signing.devca import CA_NAME, SIGNER_NAME, development_signer
from sohoa.signing.pades import SigningError, VerificationError, load_signer, sign, verify
from sohoa.signing.stamp import MARGIN, Stamp, font_for, free_box, stamp_font


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    return development_signer(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def signer(dev):
    return load_signer(dev.pkcs12, dev.passphrase)


def pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_the_development_ca_says_it_is_for_tests_and_is_made_once(dev, tmp_path) -> None:
    assert "TEST" in CA_NAME and "NOT FOR PRODUCTION" in SIGNER_NAME
    assert dev.pkcs12.stat().st_mode & 0o777 == 0o600
    again = development_signer(dev.pkcs12.parent.parent)
    assert again.root_certificate.read_bytes() == dev.root_certificate.read_bytes()
    assert again.passphrase == dev.passphrase


def test_a_signed_document_is_intact_trusted_and_whole_for_both_verifiers(
    document, signer, dev, tmp_path
) -> None:
    signed = sign(document, tmp_path / "signed.pdf", signer, reason="Sao y bản chính")
    (report,) = verify(signed, [dev.root_certificate])
    assert report.intact and report.trusted and report.covers_whole_document
    assert report.certification_ok and SIGNER_NAME in report.signer
    said = pdfsig(signed)
    assert "Signature is Valid." in said and "Total document signed" in said
    assert "ETSI.CAdES.detached" in said


def test_a_second_signature_leaves_the_first_intact(document, signer, dev, tmp_path) -> None:
    once = sign(document, tmp_path / "once.pdf", signer)
    twice = sign(once, tmp_path / "twice.pdf", signer)
    first, second = verify(twice, [dev.root_certificate])
    assert first.intact and first.certification_ok and not first.covers_whole_document
    assert second.intact and second.covers_whole_document
    assert pdfsig(twice).count("Signature is Valid.") == 2


def test_tampered_bytes_break_the_signature_for_both_verifiers(
    document, signer, dev, tmp_path
) -> None:
    signed = sign(document, tmp_path / "signed.pdf", signer)
    data = bytearray(signed.read_bytes())
    at = data.index(b"GIAY KHAI SINH")
    data[at : at + 4] = b"GIAO"
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    (report,) = verify(tampered, [dev.root_certificate])
    assert not report.intact and report.indication == ("TOTAL_FAILED", "HASH_FAILURE")
    assert "Signature is Valid." not in pdfsig(tampered)


def test_content_changed_after_certification_is_caught(document, signer, dev, tmp_path) -> None:
    signed = sign(document, tmp_path / "signed.pdf", signer)
    changed = tmp_path / "changed.pdf"
    with signed.open("rb") as handle:  # an incremental update, as an editor would append it
        writer = IncrementalPdfFileWriter(handle)
        page = writer.root["/Pages"]["/Kids"][0]
        content = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 770 Td (GIAY KET HON) Tj ET")
        page["/Contents"] = writer.add_object(content)
        writer.update_container(page)
        with changed.open("wb") as out:
            writer.write(out)
    (report,) = verify(changed, [dev.root_certificate])
    assert report.intact  # the signed bytes are untouched ...
    assert not report.covers_whole_document and not report.certification_ok  # ... but
    assert report.indication == ("TOTAL_FAILED", "FORMAT_FAILURE")
    assert "Not total document signed" in pdfsig(changed)


def test_a_root_not_trusted_and_a_wrong_passphrase(document, signer, dev, tmp_path) -> None:
    other = development_signer(tmp_path / "elsewhere")
    signed = sign(document, tmp_path / "signed.pdf", signer)
    (report,) = verify(signed, [other.root_certificate])
    assert report.intact and not report.trusted
    assert report.indication == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    assert "Signature is Valid." in pdfsig(signed)  # intact for poppler too
    with pytest.raises(SigningError, match="cannot unlock"):
        load_signer(dev.pkcs12, b"not the passphrase")


def test_the_stamp_goes_where_no_word_is() -> None:
    page = (595.0, 842.0)
    assert free_box(*page, []) == (342.0, 12.0, 582.0, 78.0)  # bottom right, clear of edges
    footer = [(300.0, 0.0, 595.0, 120.0)]  # words in the bottom right corner
    _, y0, x1, _ = free_box(*page, footer)
    assert x1 <= 300.0 - MARGIN or y0 >= 120.0 + MARGIN
    full = [(0.0, 0.0, 595.0, 842.0)]
    _, y0, x1, _ = free_box(*page, full)
    assert (x1, y0) == (595.0 - MARGIN, MARGIN)  # no room: the corner, as a hand stamp


def test_a_visible_stamp_in_vietnamese_with_its_qr_code(document, signer, dev, tmp_path) -> None:
    words = [(72.0, 760.0, 200.0, 782.0)]
    stamp = Stamp(
        "Nguyễn Văn Bình",
        "UBND phường Hàng Bạc",
        "https://sohoa.example/verify/0a1b2c",
        free_box(595.0, 842.0, words),
    )
    signed = sign(document, tmp_path / "signed.pdf", signer, stamp=stamp)
    (report,) = verify(signed, [dev.root_certificate])
    assert report.intact and report.covers_whole_document
    assert "Signature is Valid." in pdfsig(signed)
    pdf = pdfium.PdfDocument(str(signed))
    pdf.init_forms()
    shown = pdf[0].render(scale=3, may_draw_forms=True).to_numpy()
    pdf.close()
    assert [code.text for code in zxingcpp.read_barcodes(shown)] == [stamp.verify_url]
    text = subprocess.run(["pdftotext", str(signed), "-"], capture_output=True, text=True)
    lines = unicodedata.normalize("NFC", text.stdout).splitlines()
    assert "Ký bởi: Nguyễn Văn Bình" in lines and "Cơ quan: UBND phường Hàng Bạc" in lines
    with pikepdf.open(signed) as doc:
        (widget,) = [a for a in doc.pages[0].Annots if a.get("/FT") == "/Sig"]
        assert [float(v) for v in widget.Rect] == [round(v) for v in stamp.box]
        assert "/AP" in widget


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_on_a_page_stored_turned_the_stamp_is_shown_upright_where_it_was_put(
    turn, signer, tmp_path
) -> None:
    """An archive page that the page stage turned to read (``/Rotate``): the stamp's box is
    the page as shown, and pdfium and poppler both show it there, upright."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[0].Rotate = turn
    document = tmp_path / "turned.pdf"
    pdf.save(document)
    width, height = (842.0, 595.0) if turn in (90, 270) else (595.0, 842.0)
    url = "https://sohoa.example/verify/turned"
    stamp = Stamp("Nguyễn Văn Bình", "UBND phường Hàng Bạc", url, free_box(width, height, []))
    signed = sign(document, tmp_path / "signed.pdf", signer, stamp=stamp)
    assert "Signature is Valid." in pdfsig(signed)
    scale = 2.0
    page = pdfium.PdfDocument(str(signed))
    page.init_forms()
    by_pdfium = page[0].render(scale=scale, may_draw_forms=True).to_numpy()
    page.close()
    subprocess.run(
        ["pdftoppm", "-r", "144", "-png", "-singlefile", str(signed), str(tmp_path / "p")]
    )
    by_poppler = np.asarray(Image.open(tmp_path / "p.png").convert("L"))
    for shown in (by_pdfium, by_poppler):
        assert shown.shape[:2] == (round(height * scale), round(width * scale))
        (code,) = zxingcpp.read_barcodes(shown)
        assert code.text == url and code.orientation == 0  # upright
        x = code.position.top_left.x / scale
        y = height - code.position.top_left.y / scale
        x0, y0, x1, y1 = stamp.box
        assert x0 < x < x1 and y0 < y < y1  # in the box, as shown
    text = subprocess.run(["pdftotext", str(signed), "-"], capture_output=True, text=True)
    assert "Ký bởi: Nguyễn Văn Bình" in unicodedata.normalize("NFC", text.stdout).splitlines()


def _contents(data: bytes) -> re.Match[bytes]:
    """The hex string of a file's (first) signature value, CMS and all."""
    found = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", data)
    assert found is not None
    return found


def test_a_signature_rewrapped_around_other_bytes_is_broken_for_both_verifiers(
    document, signer, dev, tmp_path
) -> None:
    signed = sign(document, tmp_path / "signed.pdf", signer)
    other = tmp_path / "other.pdf"
    other.write_bytes(document.read_bytes().replace(b"GIAY KHAI SINH", b"GIAY KET HON X"))
    other_signed = sign(other, tmp_path / "other-signed.pdf", signer)
    # the signature of the birth certificate, moved into the other document's placeholder
    data = bytearray(other_signed.read_bytes())
    value, moved = _contents(signed.read_bytes()), _contents(bytes(data))
    cms = value.group(1)[: 2 * (4 + int(value.group(1)[4:8], 16))]  # DER: 30 82 length
    data[moved.start(1) : moved.end(1)] = cms.ljust(moved.end(1) - moved.start(1), b"0")
    transplanted = tmp_path / "transplanted.pdf"
    transplanted.write_bytes(bytes(data))
    # the signed file rewritten whole (as a PDF editor "saves as"): byte ranges go stale
    rewritten = tmp_path / "rewritten.pdf"
    with pikepdf.open(signed) as pdf:
        pdf.save(rewritten)
    for broken in (transplanted, rewritten):
        (report,) = verify(broken, [dev.root_certificate])
        assert report.indication == ("TOTAL_FAILED", "HASH_FAILURE")
        said = pdfsig(broken)
        assert "Signature #1" in said and "Signature is Valid." not in said


def test_a_key_that_is_not_the_certificates_is_refused(dev, tmp_path) -> None:
    key, certificate, _ = pkcs12.load_key_and_certificates(dev.pkcs12.read_bytes(), dev.passphrase)
    assert key is not None and certificate is not None
    cert_file = tmp_path / "signer.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    for name, pem_key in (("own.key", key), ("other.key", ec.generate_private_key(ec.SECP256R1()))):
        (tmp_path / name).write_bytes(
            pem_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    assert load_signer(tmp_path / "own.key", None, certificate=cert_file).signing_cert
    with pytest.raises(SigningError, match="does not match the certificate"):
        load_signer(tmp_path / "other.key", None, certificate=cert_file)


def test_an_encrypted_pdf_is_neither_signed_nor_verified(document, signer, dev, tmp_path) -> None:
    encrypted = tmp_path / "encrypted.pdf"
    with pikepdf.open(document) as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(owner="owner", user=""))
    with pytest.raises(SigningError, match="encrypted"):
        sign(encrypted, tmp_path / "signed.pdf", signer)
    assert not (tmp_path / "signed.pdf").exists()
    with pytest.raises(VerificationError, match="encrypted"):
        verify(encrypted, [dev.root_certificate])


def test_the_stamp_font_is_small_and_writes_every_vietnamese_letter() -> None:
    font = stamp_font()
    assert font.stat().st_size < 100_000  # pyHanko subsets it again for every signature
    letters = "ĂÂĐÊÔƠƯăâđêôơưÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
    letters += letters.lower() + "0123456789:/–"
    cmap = TTFont(str(font)).getBestCmap()
    assert [ch for ch in letters if ord(ch) not in cmap] == []


def test_each_signer_and_office_gets_a_font_cut_to_what_its_stamps_write() -> None:
    names = "Trần Thị Ngọc Ánh" + "Ủy ban nhân dân xã Đắk Mil"
    font = font_for(names)
    assert font == font_for(names) and font != font_for("Lê Văn Tám")
    assert font.stat().st_size < 15_000  # of the 37 KB cut: pyHanko subsets it each time
    cmap = TTFont(str(font)).getBestCmap()
    written = unicodedata.normalize("NFC", names + "Ký bởi: Cơ quan: Thời gian ký: 0123456789/:+-")
    assert [ch for ch in written if ord(ch) not in cmap] == []


def test_the_room_for_a_signature_is_measured_once_for_each_key(
    document, signer, dev, tmp_path
) -> None:
    pades._ROOM.clear()
    first = sign(document, tmp_path / "first.pdf", signer)
    (room,) = pades._ROOM.values()
    second = sign(document, tmp_path / "second.pdf", signer)  # in the room measured
    assert list(pades._ROOM.values()) == [room]
    for signed in (first, second):
        assert verify(signed, [dev.root_certificate])[0].intact
        assert "Signature is Valid." in pdfsig(signed)
    key = next(iter(pades._ROOM))
    pades._ROOM[key] = 64  # a room too small (a timestamp authority's answers grew)
    with pytest.raises(SigningError, match="cannot sign at B-B"):
        sign(document, tmp_path / "third.pdf", signer)
    assert not (tmp_path / "third.pdf").exists() and key not in pades._ROOM
    third = sign(document, tmp_path / "third.pdf", signer)  # measured anew
    assert "Signature is Valid." in pdfsig(third)
    assert abs(pades._ROOM[key] - room) < 32  # an ECDSA value's DER length varies a little
