"""Dossier codes and cutting a batch's page stream, on page texts made here (no OCR)."""

from __future__ import annotations

from datetime import date

import pytest

from sohoa.pipeline.batch import Cut, Finished, Replayed, Separator, Unfiled, cut_batch
from sohoa.pipeline.dossier import parse_dossier_code, separator_code
from sohoa.pipeline.models import Barcode, OcrWord, PageRef, PageText, SourceKind
from sohoa.pipeline.runner import PageFailure

CODE = "000.00.15.H26-251124-0001"
OTHER = "001.02.03.H01-250101-0042"
BIRTH = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nGIẤY KHAI SINH\nHọ, chữ đệm, tên: NGUYỄN THỊ HỒNG NHUNG"
)
CARD = "CĂN CƯỚC CÔNG DÂN\nSố định danh cá nhân: 001195012345"
BACK = "Đặc điểm nhân dạng: sẹo chấm C 1cm dưới sau mép phải"
REGISTER = "SỔ HỘ KHẨU\nHọ và tên chủ hộ: LÊ VĂN NAM"
MEMBERS = "NHỮNG NGƯỜI TRONG HỘ\nHọ và tên: PHẠM THỊ MAI\nQuan hệ với chủ hộ: Vợ"


def page(
    path: str, number: int, text: str = "", *, code: str | None = None, blank=False
) -> PageText:
    words = [OcrWord(w, 0, 0, 10, 10, 95.0) for w in text.split()]
    barcodes = [Barcode("QRCode", code, (10, 10, 200, 200))] if code else []
    ref = PageRef(path, number - 1, SourceKind.pdf)
    return PageText(ref, 2480, 3508, 300.0, words, text, barcodes=barcodes, blank=blank)


@pytest.mark.parametrize(
    "code", [CODE, OTHER, "000.00.15.h26-251124-0001", "000.00.15.H26-240229-12345"]
)
def test_dossier_codes_of_the_contracts_form(code: str) -> None:
    parsed = parse_dossier_code(code)
    assert parsed is not None and parsed.code == code.upper()


@pytest.mark.parametrize(
    "text",
    [
        "000.00.15.H26-251324-0001",  # month 13
        "000.00.15.H26-250229-0001",  # 29 February 2025
        "000.00.15.H26-251124-01",  # serial too short
        "00.00.15.H26-251124-0001",
        "079195001234",  # a personal ID number
        "https://dichvucong.gov.vn/000.00.15.H26-251124-0001",
    ],
)
def test_not_dossier_codes(text: str) -> None:
    assert parse_dossier_code(text) is None


def test_the_parts_of_a_dossier_code() -> None:
    parsed = parse_dossier_code(CODE)
    assert parsed is not None
    assert (parsed.agency, parsed.received, parsed.serial) == (
        "000.00.15.H26",
        date(2025, 11, 24),
        1,
    )


def test_a_separator_is_a_code_and_almost_nothing_else() -> None:
    assert separator_code(page("b.pdf", 1, code=CODE)) == CODE
    assert separator_code(page("b.pdf", 1, CODE, code=CODE)) == CODE  # printed beneath
    assert separator_code(page("b.pdf", 1, CARD + " " + BACK, code=CODE)) is None  # a document
    assert separator_code(page("b.pdf", 1, code="079195001234|NGUYEN")) is None  # a card's QR
    assert separator_code(page("b.pdf", 1, code="000.00.15.H26-251324-0001")) is None


def test_the_words_ocr_reads_on_a_qr_code_do_not_unmake_a_separator() -> None:
    """OCR reads a QR code's modules as a few words of noise (seen: "Lm k- s " " sợ IĨ,
    mm" on a generated separator); on the code's box, they are not counted."""
    noise = [
        OcrWord(w, 900 + 60 * i, 700, 40, 30, 20.0)
        for i, w in enumerate(["Lm", "k-", "s", "''", "sợ", "IĨ,", "mm", "x", "y"])
    ]
    sheet = page("b.pdf", 1, code=CODE)
    sheet.words = noise
    sheet.barcodes = [Barcode("QRCode", CODE, (844, 640, 786, 786))]
    assert separator_code(sheet) == CODE
    sheet.barcodes = [Barcode("QRCode", CODE, (10, 10, 200, 200))]  # the words beside it
    assert separator_code(sheet) is None


def test_a_paper_with_the_national_motto_starts_a_document() -> None:
    """A receipt or a notice has no title of ours, but the motto heads its first page."""
    receipt = (
        "UBND PHƯỜNG THUẬN PHƯỚC\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nGIẤY BIÊN NHẬN HỒ SƠ"
    )
    garbled = "CONG HOA XA HOl CHU NGHiA VIET NAM\nTHÔNG BÁO"
    pages = [page("b.pdf", 1, BIRTH), page("b.pdf", 2, receipt), page("b.pdf", 3, garbled)]
    assert [s[2] for s in _shape(list(cut_batch(pages, CODE)))] == [[1], [2], [3]]


LETTER = (
    "Kính gửi: Ông Trần Thanh Ánh\nTổ dân phố tổ chức họp vào lúc 19 giờ 30 phút tại nhà văn "
    "hóa khu dân cư. Đề nghị các cơ quan, tổ chức, cá nhân có liên quan phối hợp thực hiện. "
    "Thực hiện kế hoạch cải cách thủ tục hành chính năm 2024 của Ủy ban nhân dân phường, kính "
    "mong ông (bà) sắp xếp thời gian đến dự đầy đủ và đúng giờ. Trân trọng thông báo."
)


def test_two_registers_are_two_and_a_letter_after_a_certificate_is_its_own() -> None:
    """Each register's cover starts one (two families' registers one after the other);
    a page the classifier is sure is no template of ours (a letter) is not glued to the
    certificate before it."""
    pages = [
        page("b.pdf", 1, REGISTER),
        page("b.pdf", 2, MEMBERS),
        page("b.pdf", 3, REGISTER),
        page("b.pdf", 4, BIRTH),
        page("b.pdf", 5, LETTER),
    ]
    assert [s[2] for s in _shape(list(cut_batch(pages, CODE)))] == [[1, 2], [3], [4], [5]]


def _shape(items: list) -> list:
    shaped = []
    for item in items:
        if isinstance(item, Cut):
            shaped.append((item.dossier_code, item.source, [p.ref.number for p in item.pages]))
        elif isinstance(item, Separator):
            shaped.append(("separator", item.page, item.dossier_code))
        elif isinstance(item, Unfiled):
            shaped.append(("unfiled", item.source, item.pages))
        elif isinstance(item, Finished):
            shaped.append(("finished", item.key))
        else:
            shaped.append(("failed", item.ref.number))
    return shaped


def test_a_batch_is_cut_at_separators_and_titles() -> None:
    pages = [
        page("b.pdf", 1, code=CODE),
        page("b.pdf", 2, BIRTH),
        page("b.pdf", 3, "Nơi đăng ký: UBND phường Phố Huế"),  # its second page: no title
        page("b.pdf", 4, blank=True),
        page("b.pdf", 5, CARD),
        page("b.pdf", 6, BACK),  # the card's back
        page("b.pdf", 7, code=OTHER),
        page("b.pdf", 8, REGISTER),
        page("b.pdf", 9, MEMBERS),  # a register's member page stays in the register
        page("b.pdf", 10, BIRTH),
    ]
    assert _shape(list(cut_batch(pages))) == [
        ("separator", 1, CODE),
        (CODE, "b.pdf", [2, 3]),
        (CODE, "b.pdf", [5, 6]),
        ("separator", 7, OTHER),
        (OTHER, "b.pdf", [8, 9]),
        (OTHER, "b.pdf", [10]),
    ]


def test_pages_before_the_first_separator_are_named_not_guessed() -> None:
    pages = [page("b.pdf", 1, BIRTH), page("b.pdf", 2, CARD), page("b.pdf", 3, code=CODE)]
    items = list(cut_batch(pages))
    assert _shape(items) == [("unfiled", "b.pdf", (1, 2)), ("separator", 3, CODE)]
    assert items[0].message.startswith("b.pdf: pages 1-2 before the first separator sheet")
    # with --dossier they are that dossier's: a birth certificate, then an ID card
    assert _shape(list(cut_batch(pages, OTHER)))[:2] == [
        (OTHER, "b.pdf", [1]),
        (OTHER, "b.pdf", [2]),
    ]


def test_documents_do_not_span_files_and_a_failed_page_fails_alone() -> None:
    failure = PageFailure(PageRef("a.pdf", 2, SourceKind.pdf), "a.pdf: page 3: truncated")
    pages = [
        page("a.pdf", 1, BIRTH),
        page("a.pdf", 2, "trang hai"),
        failure,
        page("c.png", 1, "trang ba"),
    ]
    assert _shape(list(cut_batch(pages, CODE))) == [
        ("failed", 3),
        (CODE, "a.pdf", [1, 2]),
        (CODE, "c.png", [1]),
    ]


def test_a_document_runs_on_over_single_page_scans_of_one_folder() -> None:
    """A scanner that saves each page as a file: a certificate's two pages are two files;
    not across folders, nor out of a multi-page file."""
    single = {"s/p-001.jpg", "s/p-002.jpg", "s/p-003.jpg", "t/p-004.jpg"}
    pages = [
        page("s/p-001.jpg", 1, BIRTH),
        page("s/p-002.jpg", 1, "trang hai"),
        page("s/p-003.jpg", 1, CARD),
        page("t/p-004.jpg", 1, BACK),  # another folder
        page("m.pdf", 1, "trang ba"),
        page("m.pdf", 2, "trang bon"),
    ]
    cuts = [item for item in cut_batch(pages, CODE, single) if isinstance(item, Cut)]
    assert [cut.parts for cut in cuts] == [
        [("s/p-001.jpg", [1]), ("s/p-002.jpg", [1])],
        [("s/p-003.jpg", [1])],
        [("t/p-004.jpg", [1])],
        [("m.pdf", [1, 2])],
    ]
    assert [cut.source for cut in cuts] == ["s/p-001.jpg", "s/p-003.jpg", "t/p-004.jpg", "m.pdf"]


def test_pages_an_earlier_run_finished_are_passed_over() -> None:
    """A resumed batch: the separator and the first document come from the journal, the
    rest is read -- and cut as the first run cut it."""

    def done(number: int, finished: str) -> Replayed:
        return Replayed(PageRef("b.pdf", number - 1, SourceKind.pdf), finished)

    pages = [
        done(1, f"separator:{CODE}"),
        done(2, "doc:k1"),
        done(3, "doc:k1"),
        page("b.pdf", 4, CARD),
        page("b.pdf", 5, BACK),
        done(6, f"separator:{OTHER}"),
        page("b.pdf", 7, BIRTH),
    ]
    assert _shape(list(cut_batch(pages))) == [
        ("separator", 1, CODE),
        ("finished", "k1"),
        (CODE, "b.pdf", [4, 5]),
        ("separator", 6, OTHER),
        (OTHER, "b.pdf", [7]),
    ]
