"""Reading order of two blocks that Tesseract read across as one line."""

from __future__ import annotations

from dataclasses import replace

from sohoa.pipeline.layout import split_columns
from sohoa.pipeline.models import OcrWord
from sohoa.pipeline.ocr import text_lines

DPI = 300.0
MM = DPI / 25.4


def _line(number: int, *parts: tuple[float, str]) -> list[OcrWord]:
    """Words of one Tesseract line: each part starts at x millimetres, words 1 mm apart."""
    words = []
    for start_mm, text in parts:
        x = start_mm * MM
        for token in text.split():
            width = len(token) * 2 * MM
            words.append(
                OcrWord(token, round(x), round(number * 6 * MM), round(width), 40, 90, 1, 1, number)
            )
            x += width + MM
    return words


def test_header_blocks_read_one_after_the_other() -> None:
    words = [
        *_line(1, (10, "UBND HUYỆN A"), (100, "CỘNG HÒA XÃ HỘI")),
        *_line(2, (10, "UBND XÃ B"), (100, "Độc lập - Tự do")),
        *_line(3, (10, "Số: 12/GM"), (100, "Hà Nội, ngày 1")),
        *_line(4, (10, "GIẤY MỜI ông bà đến dự họp tổ dân phố vào ngày mai")),
    ]
    assert text_lines(split_columns(words, DPI)) == [
        "UBND HUYỆN A",
        "UBND XÃ B",
        "Số: 12/GM",
        "CỘNG HÒA XÃ HỘI",
        "Độc lập - Tự do",
        "Hà Nội, ngày 1",
        "GIẤY MỜI ông bà đến dự họp tổ dân phố vào ngày mai",
    ]


def test_one_sided_lines_stay_in_their_column() -> None:
    words = [
        *_line(1, (10, "Chồng: AN"), (110, "Vợ: BÌNH")),
        *_line(2, (10, "Sinh: 1990"), (110, "Sinh: 1992")),
        *_line(3, (110, "Quảng Bình")),
        *_line(4, (10, "CCCD: 001"), (110, "CCCD: 002")),
    ]
    assert text_lines(split_columns(words, DPI)) == [
        "Chồng: AN",
        "Sinh: 1990",
        "CCCD: 001",
        "Vợ: BÌNH",
        "Sinh: 1992",
        "Quảng Bình",
        "CCCD: 002",
    ]


def test_table_rows_and_short_runs_and_tab_stops_are_read_across() -> None:
    table = [w for n in (1, 2, 3) for w in _line(n, (10, f"{n}"), (40, "AN"), (120, "01/01/1990"))]
    two_rows = [
        *_line(1, (10, "Sinh ngày: 30/10/1963"), (120, "Giới tính: Nữ")),
        *_line(2, (10, "Dân tộc: Kinh"), (120, "Quốc tịch: Việt Nam")),
    ]
    labels = [w for n in (1, 2, 3) for w in _line(n, (10, f"Nhãn {n}:"), (90, f"giá trị {n}"))]
    for words in (table, two_rows, labels):
        assert text_lines(split_columns(words, DPI)) == text_lines(words)


def test_a_two_line_header_is_enough_without_fields() -> None:
    words = [
        *_line(1, (10, "UBND QUẬN HÀ ĐÔNG"), (100, "CỘNG HÒA XÃ HỘI")),
        *_line(2, (10, "CÔNG AN PHƯỜNG"), (100, "Độc lập - Tự do")),
        *_line(3, (10, "GIẤY XÁC NHẬN về việc cư trú của công dân tại địa phương")),
    ]
    assert text_lines(split_columns(words, DPI)) == [
        "UBND QUẬN HÀ ĐÔNG",
        "CÔNG AN PHƯỜNG",
        "CỘNG HÒA XÃ HỘI",
        "Độc lập - Tự do",
        "GIẤY XÁC NHẬN về việc cư trú của công dân tại địa phương",
    ]


def _unsure(words: list[OcrWord]) -> list[OcrWord]:
    return [replace(w, confidence=14.0) for w in words]


def test_signers_side_by_side_are_read_one_after_the_other() -> None:
    """The foot of a marriage certificate: husband, wife and the authority sign side by
    side; a signature that Tesseract took for letters lies between titles and names."""
    words = [
        *_line(1, (20, "Chồng"), (70, "Vợ"), (120, "TM. ỦY BAN NHÂN DÂN")),
        *_line(2, (130, "CHỦ TỊCH")),
        *_unsure(_line(3, (55, "AC"))),  # the wife's signature, across a gutter
        *_line(4, (10, "NGUYỄN ĐỨC"), (60, "LÊ THỊ NGA")),
        *_line(5, (130, "Phan Hải")),
    ]
    assert text_lines(split_columns(words, DPI)) == [
        "Chồng",
        "NGUYỄN ĐỨC",
        "Vợ",
        "AC",
        "LÊ THỊ NGA",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Phan Hải",
    ]


def test_a_table_and_text_beside_a_photo_are_read_across() -> None:
    table = [
        w
        for n in (1, 2, 3)
        for w in _line(n, (10, f"{n}"), (40, "PHẠM AN"), (100, "1990"), (140, "Con"))
    ]
    card = [  # the emblem's noise, then the card's text; the expiry under the photo
        *_line(1, (10, "vì"), (60, "Độc lập - Tự do")),
        *_line(2, (60, "CĂN CƯỚC CÔNG DÂN")),
        *_line(3, (60, "Số / No.: 001")),
        *_line(4, (60, "Họ và tên / Full name:")),
        *_line(5, (10, "Có giá trị đến:"), (60, "NGUYỄN AN")),
        *_line(6, (10, "Date of expiry:")),
    ]
    for words in (table, card):
        assert text_lines(split_columns(words, DPI)) == text_lines(words)
