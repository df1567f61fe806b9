"""Journey "Citizen" (issue #7): a citizen signs in on a phone and finds exactly the
documents that carry her personal ID number -- her birth certificate, the marriage
certificate she is the wife on -- and none of another person's; downloads one; shares
another with a link that another office opens without any account and downloads from,
until she revokes it; and cannot open another person's document by its address.

In Debian's Chromium, phone-sized, against ``sohoa serve`` on a free port; no page of the
journey scrolls sideways."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from sohoa.storage.catalog import Catalog
from sohoa.storage.library import Library
from sohoa.web.accounts import Accounts
from sohoa.web.labels import VIETNAM

from .support import Home, LiveServer, SampleDocument, StoredSample, build_home, log_in, pairs
from .test_journey_anyone import fits_the_screen
from .test_journey_officer import BINH_CARD, KHOA_CT07, MARRIAGE, NHUNG_BIRTH, NHUNG_ID

CITIZEN, CITIZEN_NAME = "nhung", "Nguyễn Thị Hồng Nhung"
PASSWORD = "mật khẩu của Nhung 2026"
REFUSED = "Liên kết chia sẻ không tồn tại, đã hết hạn hoặc đã bị thu hồi."
SAMPLES = (NHUNG_BIRTH, BINH_CARD, MARRIAGE, KHOA_CT07)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, public_url: str) -> Home:
    """Her birth certificate and marriage certificate, her husband's ID card and a
    stranger's CT07, all signed and stamped; her account."""
    home = build_home(tmp_path_factory.mktemp("home"), public_url, SAMPLES)
    with Library.open(home.path, environ={}) as library:
        Accounts(library.catalog).add(
            CITIZEN, "citizen", CITIZEN_NAME, password=PASSWORD, personal_id=NHUNG_ID
        )
    return home


def test_citizen_downloads_and_shares_her_documents_on_a_phone(
    home: Home, live_server: LiveServer, new_context, shot
) -> None:
    birth, card, marriage, ct07 = (stored(home, s) for s in SAMPLES)
    url = live_server.url
    phone = new_context(phone=True).new_page()

    # signs in, and lands on her documents
    phone.goto(url)
    expect(phone).to_have_url(f"{url}/login")
    on_screen(phone)
    shot(phone, "sign-in-form")
    log_in(phone, url, CITIZEN, PASSWORD)
    expect(phone).to_have_url(f"{url}/me")
    expect(phone.locator("h1")).to_have_text("Giấy tờ của tôi")
    expect(phone.locator("header")).to_contain_text(CITIZEN_NAME)

    # exactly hers: her birth certificate and her marriage certificate, nobody else's
    assert listed(phone) == {
        birth.document_id: "Giấy khai sinh",
        marriage.document_id: "Giấy chứng nhận kết hôn",
    }
    page_text = phone.content()
    for other in (card, ct07):
        assert other.document_id not in page_text
    assert "ĐỖ MINH KHOA" not in page_text and "079088001122" not in page_text
    on_screen(phone)
    shot(phone, "my-documents")

    # downloads her birth certificate: the stored signed PDF
    with phone.expect_download() as downloading:
        row(phone, birth).get_by_role("link", name="Tải PDF").click()
    download = downloading.value
    assert download.failure() is None
    assert download.suggested_filename == f"{birth.document_id}.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == catalogued(home, birth) == birth.sha256

    # opens her marriage certificate: valid, signed, readable on the phone
    row(phone, marriage).get_by_role("link", name="Giấy chứng nhận kết hôn").click()
    expect(phone).to_have_url(f"{url}/documents/{marriage.document_id}")
    expect(phone.locator("h1")).to_have_text("Giấy chứng nhận kết hôn")
    expect(phone.locator("#signature-status")).to_contain_text("Hợp lệ:")
    expect(phone.locator("dl#fields")).to_contain_text("NGUYỄN THỊ HỒNG NHUNG")
    expect(phone.locator("#audit")).to_have_count(0)  # the history is the staff's
    on_screen(phone)
    shot(phone, "her-marriage-certificate")

    # shares it for a day with another office
    phone.get_by_role("link", name="Giấy tờ của tôi").click()
    expect(phone).to_have_url(f"{url}/me")
    share_row = row(phone, marriage)
    share_row.locator("select[name=hours]").select_option(label="1 ngày")
    asked = datetime.now(UTC)
    with phone.expect_navigation():
        share_row.get_by_role("button", name="Tạo liên kết").click()
    made = phone.locator("#new-link")
    expect(made).to_contain_text("Đã tạo liên kết chia sẻ, dùng được đến")
    link = made.locator("code").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(url)}/s/[A-Za-z0-9_-]{{43}}", link), link
    pattern = r"dùng được đến (\d{2}/\d{2}/\d{4} \d{2}:\d{2}) \(giờ Việt Nam\)"
    until = re.search(pattern, made.inner_text())
    assert until is not None
    expires = datetime.strptime(until[1], "%d/%m/%Y %H:%M").replace(tzinfo=VIETNAM)
    assert asked + timedelta(hours=24) - timedelta(minutes=2) < expires
    assert expires <= datetime.now(UTC) + timedelta(hours=24)
    links = phone.locator("#links tbody tr")
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text("Giấy chứng nhận kết hôn — ")
    expect(links.first).to_contain_text(f"{marriage.document_id}, phiên bản 1")
    expect(links.first).to_contain_text(f"còn hiệu lực đến {until[1]}")
    on_screen(phone)  # the link's 70 characters wrap
    shot(phone, "link-made")

    # another office opens the link: no account, no session
    office = new_context(phone=True).new_page()
    answer = office.goto(link)
    assert answer is not None and answer.status == 200
    expect(office.locator("h1")).to_have_text("Văn bản được chia sẻ")
    shown = pairs(office, "main dl")
    assert shown["Mã văn bản"] == marriage.document_id
    assert shown["Phiên bản"] == "1"
    assert shown["Hiệu lực đến"] == f"{until[1]} (giờ Việt Nam)"
    assert shown["Loại"] == "Giấy chứng nhận kết hôn"
    assert not [c for c in office.context.cookies() if c["name"] == "sohoa_session"]
    on_screen(office)
    shot(office, "other-office-opens-the-link")
    with office.expect_download() as downloading:
        office.get_by_role("link", name="Tải bản PDF đã ký").click()
    received = Path(downloading.value.path()).read_bytes()
    assert received == marriage.signed_pdf.read_bytes()
    assert hashlib.sha256(received).hexdigest() == catalogued(home, marriage)

    # she revokes it
    phone.goto(f"{url}/me")
    expect(links.first).to_contain_text("còn hiệu lực đến")
    with phone.expect_navigation():
        links.first.get_by_role("button", name="Thu hồi").click()
    expect(phone).to_have_url(f"{url}/me")
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text("đã thu hồi")
    expect(links.first.get_by_role("button", name="Thu hồi")).to_have_count(0)
    on_screen(phone)
    shot(phone, "link-revoked")

    # the other office, trying again: refused, in one sentence; the PDF too
    answer = office.reload()
    assert answer is not None and answer.status == 404
    expect(office.locator("main [role=alert]")).to_have_text(REFUSED)
    assert office.request.get(f"{link}/pdf").status == 404
    on_screen(office)
    shot(office, "other-office-refused")

    # her husband's ID card and a stranger's CT07 by their addresses: no such document
    for other in (card, ct07):
        answer = phone.goto(f"{url}/documents/{other.document_id}")
        assert answer is not None and answer.status == 404
        expect(phone.locator("main [role=alert]")).to_have_text(
            f"Không có văn bản mã {other.document_id}."
        )
        assert phone.request.get(f"{url}/documents/{other.document_id}/pdf").status == 404
        on_screen(phone)
    assert "TRẦN VĂN BÌNH" not in phone.content()
    shot(phone, "anothers-document-not-found")

    # what the audit log keeps of it
    with catalog(home) as records:
        births = {(e.actor, e.action) for e in records.audit_trail(birth.document_id)}
        trail = records.audit_trail(marriage.document_id)
    assert (CITIZEN, "downloaded") in births
    (shared,) = [e for e in trail if e.action == "shared"]
    by_link = f"share:{shared.detail['share_id']}"
    done = [(e.actor, e.action) for e in trail]
    assert (by_link, "read") in done and (by_link, "downloaded") in done
    assert done.index((by_link, "downloaded")) < done.index((CITIZEN, "revoked"))
    assert not {(e.actor, e.action) for e in records_of(home, card, ct07)} & {
        (CITIZEN, "read"),
        (CITIZEN, "downloaded"),
    }


def stored(home: Home, sample: SampleDocument) -> StoredSample:
    return next(d for d in home.documents if d.sample is sample)


def on_screen(page: Page) -> None:
    """The page reads on a phone: nothing to scroll sideways to."""
    assert fits_the_screen(page), (
        page.url,
        page.evaluate("document.documentElement.scrollWidth"),
    )


def listed(page: Page) -> dict[str, str]:
    """The documents on "Giấy tờ của tôi": each one's ID and the name of its type."""
    rows = page.locator("#documents tbody tr")
    found = {}
    for i in range(rows.count()):
        cell = rows.nth(i).locator("td").first
        found[cell.locator(".muted").inner_text().strip()] = (
            cell.locator("a").first.inner_text().strip()
        )
    return found


def row(page: Page, document: StoredSample) -> Locator:
    """The row of ``document`` on "Giấy tờ của tôi"."""
    return page.locator("#documents tbody tr").filter(has_text=document.document_id)


def catalog(home: Home) -> Catalog:
    return Catalog.open(f"sqlite:///{home.path / 'catalog.sqlite'}")


def catalogued(home: Home, document: StoredSample) -> str:
    """The SHA-256 of the document's signed PDF, as the catalog has it."""
    with catalog(home) as records:
        record = records.document(document.document_id)
    assert record is not None
    return record.sha256


def records_of(home: Home, *documents: StoredSample) -> list:
    """The audit log's rows about ``documents``."""
    with catalog(home) as records:
        return [e for d in documents for e in records.audit_trail(d.document_id)]
