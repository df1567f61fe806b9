"""What the browser journeys share, importable by them (``from .support import ...``) and by
their conftest.py: a ``SOHOA_HOME`` with signed, stamped documents in it, ``sohoa serve``
running over it, Debian's Chromium, the stamp's QR code read off a page.

A journey's home is built before its server starts, because the stamps' QR codes carry the
server's address: pick the port (:func:`free_port`), sign with ``public_url`` on it
(:func:`build_home`), then :func:`serve` that home on that port.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from ..webdata import SOHOA, LiveServer, free_port, serve, server_environment

__all__ = ["SOHOA", "LiveServer", "free_port", "serve", "server_environment"]

if TYPE_CHECKING:
    from PIL import Image
    from playwright.sync_api import Page

#: Debian's ``chromium`` package (scripts/setup.sh --dev); Playwright drives it, no browser
#: of Playwright's own is downloaded
CHROMIUM = Path("/usr/bin/chromium")
FONTS = Path("/usr/share/fonts/truetype/noto")  # fonts-noto-core: every Vietnamese letter
PHONE = {"width": 390, "height": 844}  # CSS pixels: a common phone held upright
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True, slots=True)
class SampleDocument:
    """A document to put in a journey's home: what is printed on its page and what its
    extract object (CONTRACT.md) says. ``document_id`` None: a new one is drawn."""

    doc_type: str
    title: str  # the printed title, e.g. "GIẤY KHAI SINH"
    fields: Mapping[str, Any]  # CONTRACT.md's fields of ``doc_type``
    document_id: str | None = None
    dossier_code: str | None = None
    needs_review: bool = False


#: how a field is printed on the page; a field not listed is printed by its name
LABELS = {
    "full_name": "Họ, chữ đệm, tên",
    "date_of_birth": "Ngày, tháng, năm sinh",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "nationality": "Quốc tịch",
    "place_of_birth": "Nơi sinh",
    "place_of_origin": "Quê quán",
    "personal_id": "Số định danh cá nhân",
    "mother_name": "Họ, chữ đệm, tên người mẹ",
    "father_name": "Họ, chữ đệm, tên người cha",
    "registration_number": "Số",
    "registration_date": "Ngày đăng ký",
}

BIRTH_CERTIFICATE = SampleDocument(
    doc_type="birth_certificate",
    title="GIẤY KHAI SINH",
    fields={
        "full_name": "NGUYỄN THỊ HỒNG NHUNG",
        "date_of_birth": "1995-03-12",
        "sex": "Nữ",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "place_of_birth": "Bệnh viện Phụ sản Hà Nội, quận Đống Đa, thành phố Hà Nội",
        "place_of_origin": "xã Yên Thường, huyện Gia Lâm, thành phố Hà Nội",
        "personal_id": "001195012345",
        "mother_name": "TRẦN THỊ MAI",
        "father_name": "NGUYỄN VĂN HÙNG",
        "registration_number": "123/1995",
        "registration_date": "1995-03-20",
    },
    document_id="20261207-0a1b2c3d4e5f6a7b",
    dossier_code="HS-2026-000123",
)


@dataclass(frozen=True, slots=True)
class StoredSample:
    """A document as stored in a journey's home."""

    sample: SampleDocument
    document_id: str
    version: int
    sha256: str  # of the stored signed PDF, as the catalog has it
    signed_pdf: Path  # a copy of the very bytes stored (outside the home)
    verify_url: str  # what its stamp's QR code carries
    signer: str  # the signing certificate's common name
    signed_between: tuple[datetime, datetime]  # UTC: just before and just after signing


@dataclass(frozen=True, slots=True)
class Home:
    """A journey's ``SOHOA_HOME`` and what was stored in it."""

    path: Path
    public_url: str  # what the stamps' QR codes start with: the live server's address
    level: str  # the PAdES level the documents were signed at
    documents: tuple[StoredSample, ...] = field(default=())

    def document(self, doc_type: str) -> StoredSample:
        """The first stored document of ``doc_type``."""
        return next(d for d in self.documents if d.sample.doc_type == doc_type)


def render_pdf(sample: SampleDocument, out: Path) -> Path:
    """A one-page, born-digital A4 PDF of ``sample``: the national motto, the title, a line
    for each field, in Noto Sans (real text, so that the stamp is placed clear of it and the
    page can be searched)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.set_creator("sohoa browser journeys")  # ASCII, uncompressed: a byte safe to change
    pdf.set_margins(56, 56, 56)
    pdf.add_font("Noto", "", FONTS / "NotoSans-Regular.ttf")
    pdf.add_font("Noto", "B", FONTS / "NotoSans-Bold.ttf")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Noto", "B", 11)
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"):
        pdf.cell(width, 16, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(28)
    pdf.set_font("Noto", "B", 18)
    pdf.cell(width, 24, sample.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    for name, value in sample.fields.items():
        label = LABELS.get(name, name)
        shown = _shown_date(value) if name.endswith("date") or "date_of" in name else value
        pdf.set_font("Noto", "", 11)
        pdf.cell(190, 20, f"{label}:")
        pdf.set_font("Noto", "B", 11)
        pdf.multi_cell(width - 190, 20, str(shown), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))
    return out


def _shown_date(value: object) -> object:
    """``1995-03-12`` as a Vietnamese document prints it: ``12/03/1995``."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    return value


def build_home(
    path: Path,
    public_url: str,
    documents: Sequence[SampleDocument] = (BIRTH_CERTIFICATE,),
    *,
    level: str = "B-B",
    tsa_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Home:
    """A ``SOHOA_HOME`` at ``path`` (made if missing) holding ``documents``, each rendered
    (:func:`render_pdf`), signed by the home's development CA at ``level`` with a stamp on
    its last page whose QR code points to ``public_url``/verify/<ID>, and stored with its
    extract object; copies of the signed PDFs are kept beside the home. ``environ``: the
    storage environment (default: none, so the local store and SQLite of ``path``).

    Runs in a thread of its own: pyHanko signs through ``asyncio.run``, which refuses to
    run where Playwright's sync API already runs an event loop (a session's browser is up
    before a module's home is built)."""
    with ThreadPoolExecutor(1, thread_name_prefix="build-home") as pool:
        return pool.submit(
            _build_home, path, public_url, documents, level, tsa_url, environ
        ).result()


def _build_home(
    path: Path,
    public_url: str,
    documents: Sequence[SampleDocument],
    level: str,
    tsa_url: str | None,
    environ: Mapping[str, str] | None,
) -> Home:
    from sohoa.signing.config import SigningSettings, open_office_signer
    from sohoa.storage.library import Library, new_document_id

    path.mkdir(parents=True, exist_ok=True)
    kept = path.with_name(path.name + "-signed")
    kept.mkdir(exist_ok=True)
    settings = SigningSettings(level=level, tsa_url=tsa_url, public_url=public_url)
    stored: list[StoredSample] = []
    with (
        open_office_signer(settings, path) as office,
        Library.open(path, environ=dict(environ or {})) as library,
        tempfile.TemporaryDirectory(prefix="sohoa-journey-") as work,
    ):
        for number, sample in enumerate(documents, 1):
            document_id = sample.document_id or new_document_id()
            source = render_pdf(sample, Path(work) / f"{number}.pdf")
            before = datetime.now(UTC)
            signed = office.sign(
                source,
                Path(work) / f"{number}-signed.pdf",
                stamp=office.stamp_on_last_page(source, document_id),
            )
            after = datetime.now(UTC)
            record = library.store_document(
                signed,
                _extract(sample),
                document_id=document_id,
                dossier_code=sample.dossier_code,
            )
            copy = kept / f"{record.document_id}.v{record.version}.pdf"
            shutil.copyfile(signed, copy)
            stored.append(
                StoredSample(
                    sample,
                    record.document_id,
                    record.version,
                    record.sha256,
                    copy,
                    settings.verify_url(record.document_id),
                    office.name,
                    (before, after),
                )
            )
    return Home(path, public_url, level, tuple(stored))


def _extract(sample: SampleDocument) -> dict[str, Any]:
    """The extract object (CONTRACT.md) that ``sohoa process`` would have made of it."""
    lines = (f"{LABELS.get(name, name)}: {value}" for name, value in sample.fields.items())
    text = "\n".join([sample.title, *lines])
    return {
        "source": f"{sample.doc_type}.pdf",
        "pages": [1],
        "doc_type": sample.doc_type,
        "doc_type_confidence": 0.99,
        "fields": dict(sample.fields),
        "field_confidence": dict.fromkeys(sample.fields, 0.99),
        "needs_review": sample.needs_review,
        "text": text,
    }


def pairs(page: Page, selector: str) -> dict[str, str]:
    """A definition list's visible labels and values."""
    labels = page.locator(f"{selector} > dt")
    shown = {}
    for i in range(labels.count()):
        label = labels.nth(i)
        value = label.locator("xpath=following-sibling::dd[1]")
        expect(value).to_be_visible()
        shown[label.inner_text().strip()] = value.inner_text().strip()
    return shown


def render_page(pdf: Path, page: int = 0, scale: float = 4.0) -> Image.Image:
    """Page ``page`` (0-based; -1 the last) of ``pdf`` as a viewer shows it, at ``scale`` x
    72 dpi, its form fields drawn: a signature's stamp is its field's appearance, which
    PDFium draws only with the form environment initialised."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        document.init_forms()
        return document[page].render(scale=scale, may_draw_forms=True).to_pil()
    finally:
        document.close()


def qr_codes(image: Image.Image) -> list[str]:
    """The texts of the QR codes in ``image``, as a phone's camera app reads them."""
    import zxingcpp

    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in found]


def log_in(page: Page, server_url: str, username: str, password: str) -> None:
    """Sign in through the login form at ``/login`` (inputs ``username`` and ``password``,
    a submit button), for the journeys of clerks, officers and citizens."""
    page.goto(f"{server_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit], input[type=submit]")
