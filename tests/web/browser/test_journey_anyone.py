"""Journey "Anyone" (issue #7): a person holding a signed document scans the QR code on
its stamp with a phone; the public verification page of that document shows who signed
it, when, at which PAdES level, whether it is valid, and the SHA-256 of the stored file;
sending a PDF there tells whether it is that very document, intact.

In Debian's Chromium against ``sohoa serve`` on a free port, over a home whose document
was signed with its stamp's QR code pointing to that server."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

from playwright.sync_api import Page, expect

from sohoa.storage.catalog import Catalog
from sohoa.storage.library import Library
from sohoa.web.labels import VIETNAM

from .support import Home, LiveServer, StoredSample, qr_codes, render_page

VALID = "Hợp lệ: chữ ký số còn nguyên vẹn, được tin cậy và phủ toàn bộ văn bản."


def test_anyone_scans_the_stamp_and_checks_the_document_on_a_phone(
    home: Home, live_server: LiveServer, phone_page: Page, shot, tmp_path: Path
) -> None:
    document = home.document("birth_certificate")
    stored = stored_bytes(home, document, tmp_path)

    # the stamp on the paper: its QR code is the document's verification address
    paper = render_page(document.signed_pdf, 0)
    shot.image(paper.reduce(2), "the-signed-page")
    (url,) = qr_codes(paper)
    assert url == f"{live_server.url}/verify/{document.document_id}"

    # the phone opens it
    response = phone_page.goto(url)
    assert response is not None and response.status == 200
    expect(phone_page.locator("h1")).to_have_text("Xác thực văn bản")
    expect(phone_page.get_by_text(VALID)).to_be_visible()
    shown = details(phone_page)
    assert shown["Mã văn bản"] == document.document_id
    assert shown["Loại"] == "Giấy khai sinh" and shown["Phiên bản"] == "1"
    assert document.signer == "sohoa TEST signer -- NOT FOR PRODUCTION"  # the development CA's
    assert document.signer in shown["Người ký"]  # as `sohoa verify` names it: the whole subject
    # in Vietnam's time, to the minute, as a person reads it
    written = shown["Thời điểm ký"].removesuffix(" (giờ Việt Nam)")
    signed_at = datetime.strptime(written, "%d/%m/%Y %H:%M").replace(tzinfo=VIETNAM)
    start, end = document.signed_between
    assert start.replace(second=0, microsecond=0) <= signed_at <= end, (signed_at, start, end)
    assert shown["Mức PAdES"] == home.level == "B-B"
    assert shown["Kết quả"] == "TOTAL_PASSED"
    assert shown["SHA-256"] == hashlib.sha256(stored).hexdigest() == document.sha256
    assert fits_the_screen(phone_page)
    shot(phone_page, "verification-page")

    # the file received by e-mail, sent back: that very document, intact
    result = send(phone_page, "giay-khai-sinh.pdf", stored)
    assert result == (
        "giay-khai-sinh.pdf đúng là văn bản này, phiên bản 1 (hiện hành), nguyên vẹn từng byte."
    )
    assert fits_the_screen(phone_page)
    shot(phone_page, "the-same-file-sent")

    # a copy changed by one signed byte: not that document, its signature broken
    changed = one_signed_byte_changed(stored)
    result = send(phone_page, "ban-sao.pdf", changed)
    sha256 = hashlib.sha256(changed).hexdigest()
    assert result.startswith(
        f"ban-sao.pdf không phải là văn bản này: nội dung khác với mọi phiên bản đã lưu "
        f"(SHA-256 {sha256})."
    ), result
    assert result.endswith("Chữ ký trong tệp không được xác thực: tệp có thể đã bị sửa."), result
    expect(phone_page.get_by_text(VALID)).to_be_visible()  # the stored one still is
    assert fits_the_screen(phone_page)  # its 64-digit SHA-256 too
    shot(phone_page, "a-changed-copy-sent")


def test_anyone_sending_what_is_not_a_pdf_reads_one_sentence(
    home: Home, live_server: LiveServer, phone_page: Page, shot
) -> None:
    document = home.document("birth_certificate")
    phone_page.goto(f"{live_server.url}/verify/{document.document_id}")
    photo = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)  # a photo of the paper, JPEG
    phone_page.set_input_files(
        "input[name=file]", files=[{"name": "anh.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    with phone_page.expect_navigation() as navigation:
        phone_page.get_by_role("button", name="Kiểm tra").click()
    assert navigation.value is not None and navigation.value.status == 415
    text = phone_page.locator("main [role=alert]").inner_text().strip()
    assert text == "Tệp gửi lên không phải là tệp PDF."
    expect(phone_page.get_by_role("link", name="Về trang chính")).to_be_visible()
    assert "Traceback" not in phone_page.content()
    shot(phone_page, "not-a-pdf-sent")


def stored_bytes(home: Home, document: StoredSample, folder: Path) -> bytes:
    """The document's signed PDF as ``sohoa get`` writes it (SHA-256 checked), which must be
    the file signed, with the catalog's SHA-256."""
    with Library.open(home.path, environ={}) as library:
        library.get(document.document_id, folder / "got.pdf")
    with Catalog.open(f"sqlite:///{home.path / 'catalog.sqlite'}") as catalog:
        record = catalog.document(document.document_id)
    got = (folder / "got.pdf").read_bytes()
    assert record is not None and record.sha256 == hashlib.sha256(got).hexdigest()
    assert got == document.signed_pdf.read_bytes()
    return got


def details(page: Page) -> dict[str, str]:
    """The page's list of what the signature says: each visible label with its value."""
    labels = page.locator("dl > dt")
    shown = {}
    for number in range(labels.count()):
        label = labels.nth(number)
        expect(label).to_be_visible()
        value = label.locator("xpath=following-sibling::dd[1]")
        expect(value).to_be_visible()
        shown[label.inner_text().strip()] = value.inner_text().strip()
    return shown


def send(page: Page, name: str, content: bytes) -> str:
    """Choose ``content`` as file ``name`` in the page's form, press "Kiểm tra", and read
    what the page says of it."""
    page.set_input_files(
        "input[name=file]",
        files=[{"name": name, "mimeType": "application/pdf", "buffer": content}],
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Kiểm tra").click()
    assert navigation.value is not None and navigation.value.status == 200
    said = page.locator("h2 + p")  # the verdict, between the heading and the form
    expect(said).to_be_visible()
    return re.sub(r"\s+", " ", said.inner_text()).strip()


def one_signed_byte_changed(pdf: bytes) -> bytes:
    """``pdf`` with one byte inside its signature's first signed range changed: a letter of
    the /Creator string (the file stays a readable PDF, its signature no longer matches)."""
    (start, length, _, _) = map(int, re.search(rb"/ByteRange\s*\[([\d\s]+)\]", pdf)[1].split())
    at = pdf.index(b"(sohoa browser journeys)") + 1
    assert start <= at < start + length
    return pdf[:at] + b"S" + pdf[at + 1 :]


def fits_the_screen(page: Page) -> bool:
    """No sideways scrolling: the page reads on a phone. (Against the screen's width, not
    ``window.innerWidth``: a mobile browser widens its layout viewport to what overflows.)"""
    assert page.viewport_size is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    return bool(width <= page.viewport_size["width"])
