"""Journey "Clerk" (issue #7): a clerk signs in, uploads a scanned batch, watches its
progress page until ``sohoa process`` is done with it, opens the document the machine set
aside for review -- its page image beside its fields, those the machine was unsure of
marked with why -- types a value that cannot be right and is told so (nothing stored),
corrects it, approves, and lands on the stored document: signed, valid, the corrected
value shown, and the correction in its history under the clerk's name.

In Debian's Chromium (a desktop window) against ``sohoa serve`` on a free port; the batch
is three real scanned pages (synth's generator: a separator sheet, an application form
whose birth date the OCR misreads, a birth certificate) run by the real pipeline under the
server's ``SOHOA_HOME``, signed with the home's development CA."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from sohoa.storage.library import Library
from sohoa.synth.corpus import generate_batch
from sohoa.web import labels as wording
from sohoa.web.accounts import Accounts
from sohoa.web.corrections import kinds

from .support import Home, LiveServer, build_home, log_in, pairs, serve

CLERK, CLERK_NAME = "van.thu", "Phạm Thị Thu"
PASSWORD = "mật khẩu văn thư 2026"
SCAN_NAME = "lô quét 07-12.pdf"
WRONG_ID = "06806707316"  # one digit short
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, public_url: str) -> Home:
    """A home with the development signing key (and one stored birth certificate), and
    the clerk's account."""
    home = build_home(tmp_path_factory.mktemp("home"), public_url)
    with Library.open(home.path, environ={}) as library:
        Accounts(library.catalog).add(CLERK, "clerk", CLERK_NAME, password=PASSWORD)
    return home


@pytest.fixture(scope="module")
def live_server(
    home: Home, server_port: int, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """As conftest.py's, with two OCR jobs for the batch (its two documents at once)."""
    log = request.config.rootpath / "test-artefacts" / "journeys"
    log = log / f"{request.path.stem}.server.log"
    with serve(home.path, server_port, environ={"SOHOA_BATCH_JOBS": "2"}, log=log) as server:
        yield server


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The scanned batch as the scanner wrote it, and what is printed on it."""
    path = tmp_path_factory.mktemp("scans") / "batch.pdf"
    truth = generate_batch(path, seed=3, n_dossiers=1, docs_per_dossier=(2, 2))
    assert [d["doc_type"] for d in truth["documents"]] == [
        "application_form",
        "birth_certificate",
    ]
    return path, truth


def test_clerk_uploads_a_batch_reviews_corrects_and_approves(
    home: Home, live_server: LiveServer, page: Page, shot, scans: tuple[Path, dict]
) -> None:
    started = time.monotonic()
    url = live_server.url
    batch_pdf, truth = scans
    form_truth = truth["documents"][0]
    dossier = form_truth["dossier_code"]  # as its separator sheet says

    # signs in through the form, and lands on the review queue: nothing waits yet
    page.goto(f"{url}/login")
    shot(page, "sign-in-form")
    log_in(page, url, CLERK, PASSWORD)
    expect(page).to_have_url(f"{url}/review")
    expect(page.locator("header")).to_contain_text(CLERK_NAME)
    expect(page.locator("#review-empty")).to_be_visible()
    shot(page, "review-queue-empty")

    # the upload page: the batch's file chosen, its dossier code typed
    with page.expect_navigation():
        page.get_by_role("link", name="Tải lô quét lên").click()
    expect(page).to_have_url(f"{url}/batches")
    expect(page.locator("#no-batches")).to_be_visible()
    form = page.locator("#upload-form")
    names = form.locator("[name]").evaluate_all("els => els.map(e => e.name)")
    assert names.index("csrf_token") < names.index("files")  # the token before the files
    page.fill("#dossier_code", dossier)
    page.set_input_files(
        "#files",
        files=[
            {"name": SCAN_NAME, "mimeType": "application/pdf", "buffer": batch_pdf.read_bytes()}
        ],
    )
    shot(page, "upload-form-filled")
    with page.expect_navigation() as navigation:
        page.click("#upload")
    progress = navigation.value
    assert progress is not None and progress.status == 200
    expect(page).to_have_url(re.compile(rf"^{re.escape(url)}/batches/[^/]+$"))
    if page.locator("#batch-state").get_attribute("data-state") in ("queued", "running"):
        assert progress.headers.get("refresh") == "3"  # it reloads itself, no script
    batch_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("h1")).to_have_text(f"Lô quét {batch_id}")
    expect(page.locator("#batch-files")).to_contain_text(SCAN_NAME)
    expect(page.locator("main p.muted").first).to_contain_text(f"bởi {CLERK}")
    expect(page.locator("main p.muted").first).to_contain_text(f"hồ sơ {dossier}")

    # its progress page, reloading itself until the batch is done
    seen = wait_until_done(page, shot)
    assert seen[-1] == "done" and set(seen) <= {"queued", "running", "done"}, seen
    expect(page.locator("#batch-state")).to_have_text("Trạng thái: Đã xong")
    expect(page.locator("#batch-pages")).to_contain_text("Đã xong 3 / 3 trang")
    expect(page.locator("#batch-pages progress")).to_have_attribute("value", "3")
    expect(page.locator("#stored-count")).to_have_text("1")
    expect(page.locator("#review-count")).to_have_text("1")
    stored_links = page.locator('#stored-documents a[href^="/documents/"]')
    expect(stored_links).to_have_count(1)
    expect(stored_links).to_have_text("Giấy khai sinh")
    review_links = page.locator('#review-documents a[href^="/review/"]')
    expect(review_links).to_have_count(1)
    expect(page.locator("#batch-errors")).to_have_count(0)
    document_id = (review_links.get_attribute("href") or "").removeprefix("/review/")
    assert document_id
    shot(page, "batch-done")

    # the batches list says the same
    page.goto(f"{url}/batches")
    row = page.locator(f'#batches tr[data-batch="{batch_id}"]')
    expect(row).to_have_attribute("data-state", "done")
    assert [c.strip() for c in row.locator("td").all_inner_texts()][2:] == ["3/3", "1", "1", CLERK]
    shot(page, "batches-list")

    # the review queue: the application form waits, its fields to check named
    page.goto(f"{url}/review")
    queue = page.locator("#review-queue tbody tr")
    expect(queue).to_have_count(1)
    waiting = page.locator(f'#review-queue tr[data-document="{document_id}"]')
    expect(waiting).to_contain_text(wording.doc_type_label("application_form"))
    expect(waiting).to_contain_text(dossier)
    shot(page, "review-queue")
    with page.expect_navigation():
        waiting.locator(f'a[href="/review/{document_id}"]').click()
    expect(page).to_have_url(f"{url}/review/{document_id}")

    # the page image beside the fields, those to check marked with why
    image = page.locator("#page-1")
    expect(image).to_be_visible()
    expect(page.locator("#page-2")).to_have_count(0)
    page.wait_for_load_state("load")
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0
    answer = page.request.get(f"{url}/review/{document_id}/page/1.png")
    assert answer.ok and answer.headers["content-type"] == "image/png"
    assert answer.body().startswith(PNG)
    beside = image.bounding_box(), page.locator("#review-form").bounding_box()
    assert beside[0] and beside[1] and beside[0]["x"] + beside[0]["width"] <= beside[1]["x"]
    unsure = page.locator("#review-form .field.unsure")
    assert unsure.count() >= 1
    for i in range(unsure.count()):
        expect(unsure.nth(i).locator(".why")).to_contain_text("Cần kiểm tra: ")
    field_kinds = kinds("application_form")
    id_field = next(n for n, k in field_kinds.items() if k in ("personal_id", "id_number"))
    born_field = next(n for n, k in field_kinds.items() if k == "date")
    expect(page.locator(f"#row-{id_field}")).to_have_class(re.compile(r"\bunsure\b"))
    expect(page.locator(f"#field-{id_field}")).to_have_value(form_truth["fields"][id_field])
    why = page.locator(f"#row-{id_field} .why")
    expect(why).to_have_text(
        re.compile(r"^Cần kiểm tra: chữ số thứ 5-6 \(67\) không khớp năm sinh")
    )
    # what the ID number's digits point at: the birth date, misread
    printed_born = re.search(r"Ngày sinh: (\S+)", form_truth["text"])[1]
    read_born = page.locator(f"#field-{born_field}").input_value()
    assert read_born != printed_born == "10/05/1967", read_born
    shot(page, "review-page")

    # a value that cannot be right, typed into the field to check: said back, nothing stored
    page.fill(f"#field-{id_field}", WRONG_ID)
    with page.expect_navigation() as navigation:
        page.click("#approve")
    assert navigation.value is not None and navigation.value.status == 422
    expect(page).to_have_url(f"{url}/review/{document_id}")
    expect(page.locator("#review-error")).to_have_text(
        "Chưa lưu: 1 ô có giá trị không hợp lệ; xin sửa các ô được đánh dấu."
    )
    expect(page.locator(f"#error-{id_field}")).to_contain_text(f"«{WRONG_ID}» có 11 chữ số")
    expect(page.locator(f"#field-{id_field}")).to_have_value(WRONG_ID)  # what was typed, kept
    expect(page.locator(f"#field-{id_field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#page-1")).to_be_visible()  # the page still beside the form
    shot(page, "review-invalid-value")
    with Library.open(home.path, environ={}) as library:
        assert library.catalog.document(document_id) is None
    assert page.request.get(f"{url}/review/{document_id}").ok  # still waiting

    # corrected: the ID number as printed, and the birth date its digits point at
    page.fill(f"#field-{id_field}", form_truth["fields"][id_field])
    page.fill(f"#field-{born_field}", printed_born)
    shot(page, "review-corrected")
    with page.expect_navigation() as navigation:
        page.click("#approve")
    assert navigation.value is not None and navigation.value.status == 200
    expect(page).to_have_url(f"{url}/documents/{document_id}")

    # the stored document: the corrected value, a valid signature, the correction audited
    expect(page.locator("h1")).to_have_text(wording.doc_type_label("application_form"))
    expect(page.locator("main p.muted").first).to_have_text(
        f"Mã văn bản {document_id} · hồ sơ {dossier} · phiên bản 1"
    )
    shown = pairs(page, "dl#fields")
    assert shown[wording.field_label(born_field)] == printed_born
    assert shown[wording.field_label(id_field)] == form_truth["fields"][id_field]
    expect(page.locator("#signature-status")).to_have_text(
        "Hợp lệ: chữ ký còn nguyên vẹn, được tin cậy và phủ toàn bộ văn bản."
    )
    history = audit(page)
    assert (CLERK, "corrected") in history, history
    assert history.index((CLERK, "corrected")) < history.index((CLERK, "read"))
    corrected = page.locator('#audit tbody tr:has(td[data-action="corrected"])')
    expect(corrected.locator("td").nth(2)).to_have_text(wording.action_label("corrected"))
    # what changed, worded: the field's name, what was read, what the clerk set
    expect(corrected).to_contain_text(
        f"{wording.field_label(born_field)}: {read_born} → {printed_born}"
    )
    shot(page, "stored-document")

    # the catalog: stored with the corrected value, the correction audited by field
    iso_born = read_iso(printed_born)
    with Library.open(home.path, environ={}) as library:
        record = library.catalog.document(document_id)
        events = library.catalog.audit_trail(document_id)
    assert record is not None and record.version == 1 and record.dossier_code == dossier
    assert record.fields[born_field] == iso_born and not record.needs_review
    assert record.fields[id_field] == form_truth["fields"][id_field]
    (correction,) = [e for e in events if e.action == "corrected"]
    assert correction.actor == CLERK and correction.detail["review"] is True
    assert correction.detail["fields"] == {born_field: [read_iso(read_born), iso_born]}
    assert id_field in correction.detail["confirmed"]  # flagged, looked at, kept

    # nothing waits any more; the batch page says the document was approved
    page.goto(f"{url}/review")
    expect(page.locator("#review-empty")).to_be_visible()
    page.goto(f"{url}/batches/{batch_id}")
    expect(page.locator("#review-count")).to_have_text("0")
    expect(page.locator(f'#review-documents a[href="/documents/{document_id}"]')).to_be_visible()
    shot(page, "batch-after-review")
    assert time.monotonic() - started < 120


def wait_until_done(page: Page, shot, timeout: float = 150.0) -> list[str]:
    """Watch the batch page reload itself (its ``Refresh`` header: no script) until its
    batch is done or failed; the states seen, in order, each one's first page screenshot
    (but the last: the caller's). The pages done, as each reload says them, never go back
    and are of the batch's three."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    done_before = 0
    while True:
        page.wait_for_load_state("load")
        state = page.locator("#batch-state").get_attribute("data-state") or ""
        pages = page.locator("#batch-pages")
        if pages.count():  # from the run's start: its pages counted
            said = re.fullmatch(r"Đã xong (\d+) / 3 trang.*", pages.inner_text().strip())
            assert said, pages.inner_text()
            assert int(said[1]) >= done_before, (said[0], done_before)
            done_before = int(said[1])
        if not seen or seen[-1] != state:
            seen.append(state)
            if state not in ("done", "failed"):
                shot(page, f"batch-{state}")
        if state in ("done", "failed"):
            return seen
        assert time.monotonic() < deadline, f"batch not done in {timeout} s: {seen}"
        with suppress(PlaywrightTimeoutError):  # a reload missed: the state read again
            page.wait_for_event("load", timeout=10_000)  # the next reload, 3 s on


def read_iso(shown: str) -> str:
    """24/07/1984 as stored: 1984-07-24."""
    return "-".join(reversed(shown.split("/")))


def audit(page: Page) -> list[tuple[str, str]]:
    """The history table's (who, what) rows, oldest first; what as the audit log names it
    (the page shows it in Vietnamese)."""
    body = page.locator("#audit tbody tr")
    return [
        (
            body.nth(i).locator("td").nth(1).inner_text().strip(),
            body.nth(i).locator("td[data-action]").get_attribute("data-action") or "",
        )
        for i in range(body.count())
    ]
