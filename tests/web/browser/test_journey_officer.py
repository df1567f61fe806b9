"""Journey "Officer" (issue #7): an officer of the one-stop-shop signs in, finds stored
documents by dossier code, by personal ID number, by a name typed with or without its
diacritics, and by type within a date range; opens one -- its signed PDF shown inline, the
fields read from it, its signature's status, its versions and who has touched it -- and
downloads the signed PDF, the very bytes ``sohoa get`` writes, which the history then
records as downloaded by that officer.

In Debian's Chromium (a desktop window) against ``sohoa serve`` on a free port, over a home
of documents of several people, types, dates and dossiers, signed and stamped."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, Route, expect

from sohoa.storage.library import Library
from sohoa.web import labels as wording
from sohoa.web.accounts import Accounts

from .support import (
    SOHOA,
    Home,
    LiveServer,
    SampleDocument,
    StoredSample,
    build_home,
    log_in,
    pairs,
    render_page,
    server_environment,
)

OFFICER, OFFICER_NAME = "can.bo", "Lê Văn Cán Bộ"
PASSWORD = "mật khẩu thử 2026"
NHUNG_ID, BINH_ID, KHOA_ID = "001195012345", "079088001122", "036099004455"
DOSSIER = "000.00.15.H26-251124-0001"
CLI_ACTOR = "luu.tru@cli"  # who the audit log says ran `sohoa get`

NHUNG_BIRTH = SampleDocument(
    "birth_certificate",
    "GIẤY KHAI SINH",
    {
        "full_name": "NGUYỄN THỊ HỒNG NHUNG",
        "date_of_birth": "1995-03-12",
        "sex": "Nữ",
        "place_of_birth": "Bệnh viện Phụ sản Hà Nội, quận Đống Đa, thành phố Hà Nội",
        "personal_id": NHUNG_ID,
        "mother_name": "TRẦN THỊ MAI",
        "father_name": "NGUYỄN VĂN HÙNG",
        "registration_number": "123/1995",
        "registration_date": "1995-03-20",
    },
    dossier_code=DOSSIER,
)
BINH_CARD = SampleDocument(
    "citizen_id_card",
    "CĂN CƯỚC CÔNG DÂN",
    {
        "id_number": BINH_ID,
        "full_name": "TRẦN VĂN BÌNH",
        "date_of_birth": "1988-07-21",
        "sex": "Nam",
        "nationality": "Việt Nam",
        "place_of_residence": "Số 12 phố Hàng Bông, phường Hàng Gai, quận Hoàn Kiếm, Hà Nội",
        "expiry_date": "2028-07-21",
    },
    dossier_code="000.00.15.H26-251124-0002",
)
KHOA_CT07 = SampleDocument(
    "residence_confirmation",
    "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ",
    {
        "full_name": "ĐỖ MINH KHOA",
        "date_of_birth": "1999-01-05",
        "sex": "Nam",
        "personal_id": KHOA_ID,
        "permanent_residence": "Thôn Đông, xã Yên Thường, huyện Gia Lâm, Hà Nội",
        "household_head_name": "ĐỖ VĂN TOÀN",
        "relationship_to_head": "Con",
    },
    dossier_code="000.00.15.H26-251125-0007",
)
MARRIAGE = SampleDocument(
    "marriage_certificate",
    "GIẤY CHỨNG NHẬN KẾT HÔN",
    {
        "husband_name": "TRẦN VĂN BÌNH",
        "husband_date_of_birth": "1988-07-21",
        "husband_id_number": BINH_ID,
        "wife_name": "NGUYỄN THỊ HỒNG NHUNG",
        "wife_date_of_birth": "1995-03-12",
        "wife_id_number": NHUNG_ID,
        "registration_number": "45/2020",
        "registration_date": "2020-10-10",
    },
    dossier_code="000.00.15.H26-201010-0031",
)
ANH_BIRTH = SampleDocument(  # another birth certificate, registered in 2021
    "birth_certificate",
    "GIẤY KHAI SINH",
    {
        "full_name": "TRẦN MINH ANH",
        "date_of_birth": "2021-05-02",
        "sex": "Nam",
        "personal_id": "001221009876",
        "mother_name": "NGUYỄN THỊ HỒNG NHUNG",
        "father_name": "TRẦN VĂN BÌNH",
        "registration_number": "88/2021",
        "registration_date": "2021-05-14",
    },
)
SAMPLES = (NHUNG_BIRTH, BINH_CARD, KHOA_CT07, MARRIAGE, ANH_BIRTH)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, public_url: str) -> Home:
    """Five signed, stamped documents of four people, and the officer's account."""
    home = build_home(tmp_path_factory.mktemp("home"), public_url, SAMPLES)
    with Library.open(home.path, environ={}) as library:
        Accounts(library.catalog).add(OFFICER, "officer", OFFICER_NAME, password=PASSWORD)
    return home


def test_officer_finds_opens_and_downloads_a_signed_document(
    home: Home, live_server: LiveServer, page: Page, shot, tmp_path: Path
) -> None:
    nhung, binh, marriage, anh = (
        stored(home, s) for s in (NHUNG_BIRTH, BINH_CARD, MARRIAGE, ANH_BIRTH)
    )
    url = live_server.url

    # signs in through the form, and lands on the search page
    page.goto(f"{url}/documents")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fdocuments$"))
    shot(page, "sign-in-form")
    log_in(page, url, OFFICER, PASSWORD)
    expect(page).to_have_url(f"{url}/documents")
    expect(page.locator("h1")).to_have_text("Tra cứu văn bản")
    expect(page.locator("header")).to_contain_text(OFFICER_NAME)
    shot(page, "search-page")

    # by dossier code: that dossier's one document
    assert search(page, dossier_code=DOSSIER) == [link(nhung)]
    expect(results(page).first).to_contain_text(DOSSIER)
    shot(page, "by-dossier-code")

    # by personal ID number: his ID card and the marriage certificate he is on
    assert sorted(search(page, id_number=BINH_ID)) == sorted([link(binh), link(marriage)])
    shot(page, "by-personal-id")

    # by name, as printed and as typed on a keyboard without Vietnamese input: her birth
    # certificate, her marriage certificate, and her son's, on which she is the mother
    for name, slug in (("Nguyễn Thị Hồng Nhung", "with"), ("nguyen thi hong nhung", "without")):
        found = search(page, q=name)
        assert sorted(found) == sorted([link(nhung), link(marriage), link(anh)]), name
        shot(page, f"by-name-{slug}-diacritics")

    # by type within a date range: the birth certificate registered in 2021, not hers (1995)
    # nor the marriage certificate registered in the range
    found = search(page, doc_type="Giấy khai sinh", date_from="2020-01-01", date_to="2022-12-31")
    assert found == [link(anh)]
    expect(results(page).first).to_contain_text("TRẦN MINH ANH")
    shot(page, "by-type-and-date-range")

    # opens her birth certificate: the signed PDF shown inline in the page, by the browser's
    # PDF viewer (the bytes the frame received are read on their way, passed on unchanged)
    search(page, dossier_code=DOSSIER)
    pdf_url = f"{url}{link(nhung)}/pdf"
    received: list[bytes] = []

    def pass_on(route: Route) -> None:
        answer = route.fetch()
        received.append(answer.body())
        route.fulfill(response=answer)

    page.route(pdf_url, pass_on)
    with page.expect_response(pdf_url) as shown:
        page.locator(f'main table a[href="{link(nhung)}"]').click()
    expect(page).to_have_url(f"{url}{link(nhung)}")
    inline = shown.value
    assert inline.status == 200 and inline.frame.parent_frame == page.main_frame
    assert inline.headers["content-type"] == "application/pdf"
    assert inline.headers["content-disposition"] == f'inline; filename="{nhung.document_id}.pdf"'
    expect(page.locator("iframe.pdf")).to_have_attribute("src", f"{link(nhung)}/pdf")
    wait_for_pdf_viewer(page, inline.frame)
    page.unroute(pdf_url)
    assert received == [nhung.signed_pdf.read_bytes()]
    (tmp_path / "inline.pdf").write_bytes(received[0])
    shot.image(render_page(tmp_path / "inline.pdf", 0, scale=1.5), "the-pdf-in-the-frame")
    expect(page.locator("h1")).to_have_text("Giấy khai sinh")
    expect(page.locator("main p.muted").first).to_have_text(
        f"Mã văn bản {nhung.document_id} · hồ sơ {DOSSIER} · phiên bản 1"
    )

    # the fields read from it
    assert pairs(page, "dl#fields") == {
        wording.field_label(name): wording.shown(value)
        for name, value in NHUNG_BIRTH.fields.items()
    }
    assert pairs(page, "dl#fields")["Ngày sinh"] == "12/03/1995"

    # its signature: valid, who signed it, at which PAdES level, the stored file's SHA-256
    expect(page.locator("#signature-status")).to_have_text(
        "Hợp lệ: chữ ký còn nguyên vẹn, được tin cậy và phủ toàn bộ văn bản."
    )
    signature = pairs(page, "#signature-status + dl")
    assert nhung.signer in signature["Người ký"]
    assert signature["Mức PAdES"] == home.level == "B-B"
    assert signature["Kết quả"] == "TOTAL_PASSED"
    assert signature["SHA-256"] == nhung.sha256

    # its versions: one, current, with that SHA-256
    [[version, stored_at, sha256]] = rows(page, "#versions")
    assert version == "1 (hiện hành)" and sha256 == nhung.sha256
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", stored_at)

    # its history: stored, then read by this officer (the page and the PDF in it)
    history = audit(page)
    assert history[0][1] == "stored"
    assert (OFFICER, "read") in history and (OFFICER, "downloaded") not in history
    shot(page, "document-page")

    # downloads the signed PDF: the very bytes `sohoa get` writes
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Tải bản PDF đã ký").click()
    download = downloading.value
    assert download.failure() is None
    assert download.suggested_filename == f"{nhung.document_id}.pdf"
    downloaded = Path(download.path()).read_bytes()
    assert downloaded == sohoa_get(home, nhung, tmp_path / "cli.pdf")
    assert downloaded == nhung.signed_pdf.read_bytes()

    # the history now says this officer downloaded it
    page.reload()
    history = audit(page)
    assert history.count((OFFICER, "downloaded")) == 1
    # then `sohoa get`'s read, then this reload's
    assert history.index((OFFICER, "downloaded")) < history.index((CLI_ACTOR, "read"))
    assert history[-1] == (OFFICER, "read")
    shot(page, "history-after-download")


def wait_for_pdf_viewer(page: Page, frame: Frame, timeout: float = 10.0) -> Frame:
    """The frame of Chromium's PDF viewer that ``frame`` (an iframe showing a PDF) holds:
    the PDF was shown, not offered as a download."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in frame.child_frames:
            if child.url.startswith("chrome-extension://") and child.url.endswith("/index.html"):
                return child
        page.wait_for_timeout(100)
    raise AssertionError(f"no PDF viewer in {frame.url}: {[f.url for f in frame.child_frames]}")


def stored(home: Home, sample: SampleDocument) -> StoredSample:
    return next(d for d in home.documents if d.sample is sample)


def link(document: StoredSample) -> str:
    return f"/documents/{document.document_id}"


def search(
    page: Page,
    *,
    q: str = "",
    dossier_code: str = "",
    id_number: str = "",
    doc_type: str = "Tất cả",
    date_from: str = "",
    date_to: str = "",
) -> list[str]:
    """Fill the search form as an officer does (every field, so that none is left from the
    search before), press "Tìm", and return the result rows' document links in order."""
    page.get_by_label("Từ khóa, họ tên").fill(q)
    page.get_by_label("Mã hồ sơ").fill(dossier_code)
    page.get_by_label("Số định danh / CCCD").fill(id_number)
    page.get_by_label("Loại văn bản").select_option(label=doc_type)
    page.get_by_label("Từ ngày").fill(date_from)
    page.get_by_label("Đến ngày").fill(date_to)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Tìm").click()
    answer = navigation.value
    assert answer is not None and answer.status == 200, (
        answer and answer.url,
        page.locator("main").inner_text(),
    )
    found = results(page)
    expect(page.locator("main h2")).to_have_text(f"{found.count()} kết quả")
    return [
        found.nth(i).locator('a[href^="/documents/"]').get_attribute("href") or ""
        for i in range(found.count())
    ]


def results(page: Page):
    """The search results' rows."""
    return page.locator("main table tbody tr")


def rows(page: Page, table: str) -> list[list[str]]:
    """A table's body, cell by cell."""
    body = page.locator(f"{table} tbody tr")
    return [
        [cell.strip() for cell in body.nth(i).locator("td").all_inner_texts()]
        for i in range(body.count())
    ]


def audit(page: Page) -> list[tuple[str, str]]:
    """The history table's (who, what) rows, oldest first; what as the audit log names
    it (the page shows it in Vietnamese: "xem", "tải về")."""
    cells = page.locator("#audit tbody td[data-action]")
    actions = [cells.nth(i).get_attribute("data-action") or "" for i in range(cells.count())]
    return [(row[1], action) for row, action in zip(rows(page, "#audit"), actions, strict=True)]


def sohoa_get(home: Home, document: StoredSample, out: Path) -> bytes:
    """What ``sohoa get <ID> -o <out>`` writes, run over the journey's home."""
    env = server_environment(home.path, home.public_url, {"SOHOA_ACTOR": CLI_ACTOR})
    done = subprocess.run(
        [str(SOHOA), "get", document.document_id, "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out.read_bytes()
