"""Normalizing OCR'd values: dates in digits and words, sex, ID numbers, areas, clean text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from sohoa.pipeline.normalize import (
    NORMALIZERS,
    clean_name,
    clean_text,
    iso_date,
    parse_area,
    parse_date,
    parse_digits,
    parse_number_token,
    parse_sex,
    parse_year,
)
from sohoa.pipeline.vntext import fold
from sohoa.synth.wording import date_words, dmy, long_date

# Every day of 2005 (all day and month spellings, "mồng"-less days 1..10, "tư", "lăm",
# "mốt"), and three days of every year 1900..2100 (all year spellings, "linh", "không trăm").
DAYS_OF_2005 = [date(2005, 1, 1) + timedelta(days=n) for n in range(365)]
EVERY_YEAR = [date(y, m, d) for y in range(1900, 2101) for m, d in ((1, 1), (4, 25), (12, 31))]
SPELLINGS: dict[str, Callable[[str], str]] = {
    "as printed": lambda text: text,
    "folded": fold,
    "upper case": str.upper,
}


@pytest.mark.parametrize("dates", [DAYS_OF_2005, EVERY_YEAR], ids=["2005", "1900-2100"])
@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_dates_in_words_round_trip(dates: list[date], spelling: str) -> None:
    spell = SPELLINGS[spelling]
    wrong = [(d, spell(date_words(d))) for d in dates if parse_date(spell(date_words(d))) != d]
    assert wrong == []


@pytest.mark.parametrize("dates", [DAYS_OF_2005, EVERY_YEAR], ids=["2005", "1900-2100"])
def test_digit_and_long_dates_round_trip(dates: list[date]) -> None:
    for d in dates:
        for text in (
            dmy(d),
            long_date(d),
            long_date(d, pad=True),
            f"Ngày {d.day} tháng {d.month} năm {d.year}",
        ):
            assert parse_date(text) == d, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/03/1995", "1995-03-12"),
        ("12-03-1995", "1995-03-12"),
        ("12.03.1995", "1995-03-12"),
        ("12 / 03 / 1995", "1995-03-12"),
        ("5/3/1995", "1995-03-05"),
        ("1995-03-12", "1995-03-12"),
        ("ngày 12 tháng 3 năm 1995", "1995-03-12"),
        ("Ngày 12 tháng 03 năm 1995", "1995-03-12"),
        ("ngay 12 thang 3 nam 1995", "1995-03-12"),
        ("NGÀY 12 THÁNG 03 NĂM 1995", "1995-03-12"),
        ("ngày ....12.... tháng ...3.... năm 1995", "1995-03-12"),
        ("Mười hai tháng ba năm một nghìn chín trăm chín mươi lăm", "1995-03-12"),
        ("ngày mồng năm tháng tư năm hai nghìn không trăm linh năm", "2005-04-05"),
        ("ngày mùng năm tháng bốn năm hai ngàn không trăm lẻ năm", "2005-04-05"),
        ("Mười lăm tháng năm năm hai nghìn không trăm mười", "2010-05-15"),
        ("Hai mươi mốt tháng giêng năm một nghìn chín trăm năm mươi", "1950-01-21"),
        ("Ba mươi mốt tháng chạp năm hai nghìn", "2000-12-31"),
        ("hai mươi tư tháng mười một năm hai nghìn không trăm hai mươi tư", "2024-11-24"),
        ("hai mười tư tháng mười hai năm hai nghìn", "2000-12-24"),  # "mươi" read "mười"
        ("mười tháng mười năm một nghìn chín trăm", "1900-10-10"),
        ("mồng một tháng giêng năm hai nghìn", "2000-01-01"),
        ("MỒNG MƯỜI THÁNG TÁM NĂM MỘT NGHÌN CHÍN TRĂM LINH BẢY", "1907-08-10"),
        ("HAI MUOI LAM THANG CHAP NAM HAI NGAN LE MOT", "2001-12-25"),
        ("Ngày, tháng, năm sinh: mười hai tháng ba năm 1995", "1995-03-12"),
        ("Ngày mười hai tháng ba năm 1995", "1995-03-12"),
        ("ngày 12 tháng 3 năm 1995 (Mười hai tháng ba năm ...)", "1995-03-12"),
        # letters read for digits, inside tokens that are otherwise digits
        ("l2/O3/1995", "1995-03-12"),
        ("|2/03/I995", "1995-03-12"),
        ("1S/03/1995", "1995-03-15"),
        ("12/03/1995|", "1995-03-12"),  # a table border after the year is not a "1"
        ("ngày l2 tháng O3 năm l995", "1995-03-12"),
        # trailing and leading text
        ("12/03/1995 Giới tính: Nam", "1995-03-12"),
        (": ......12/03/1995......", "1995-03-12"),
        ("Sinh ngày 12/03/1995 tại Hà Nội", "1995-03-12"),
        ("ngày 01 tháng 02 năm 2003, nơi cấp 05/06/2010", "2003-02-01"),
        # invalid or absent
        ("31/02/2000", None),
        ("29/02/1900", None),
        ("29/02/2000", "2000-02-29"),
        ("12/13/1995", None),
        ("12/03/1899", None),
        ("ba mươi tháng hai năm hai nghìn", None),
        ("", None),
        ("Hà Nội", None),
        ("12/2020", None),
        ("123456789", None),
        ("Ngày, tháng, năm sinh:", None),
    ],
)
def test_iso_date(text: str, expected: str | None) -> None:
    assert iso_date(text) == expected


def test_parse_date_returns_a_date() -> None:
    assert parse_date("12/03/1995") == date(1995, 3, 12)
    assert parse_date("31/02/2000") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Năm sinh: 1978", 1978),
        ("1978", 1978),
        ("l978", 1978),
        ("12/03/1995", 1995),
        ("một nghìn chín trăm bảy mươi tám", 1978),
        ("Năm sinh: MOT NGHIN CHIN TRAM BAY MUOI TAM", 1978),
        ("Số 0123, năm 1960", 1960),
        ("Năm sinh:", None),
        ("1850", None),
    ],
)
def test_parse_year(text: str, expected: int | None) -> None:
    assert parse_year(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nam", "Nam"),
        ("NAM", "Nam"),
        ("nam", "Nam"),
        ("Nam.", "Nam"),
        ("Nam / Male", "Nam"),
        ("Nam/Male", "Nam"),
        (": Nam Quốc tịch: Việt Nam", "Nam"),
        ("Nữ", "Nữ"),
        ("Nu", "Nữ"),
        ("NỮ", "Nữ"),
        ("Nừ", "Nữ"),
        ("Nũ", "Nữ"),
        ("Nứ", "Nữ"),
        ("nữ.", "Nữ"),
        ("Nữ / Female", "Nữ"),
        ("Nữ Quốc tịch: Việt Nam", "Nữ"),
        ("Nu\u0303", "Nữ"),  # decomposed
        ("Mam", "Nam"),  # an italic N read as M
        ("Việt Nam", None),
        ("VIỆT NAM", None),
        ("Kinh", None),
        ("", None),
        ("....", None),
    ],
)
def test_parse_sex(text: str, expected: str | None) -> None:
    assert parse_sex(text) == expected


def test_sex_is_nfc() -> None:
    assert parse_sex("nu") == "N\u1eef"


@pytest.mark.parametrize(
    ("text", "lengths", "expected"),
    [
        ("001095012345", (12, 9), "001095012345"),
        ("001 095 012345", (12, 9), "001095012345"),
        ("001.095.012345", (12, 9), "001095012345"),
        ("001 095 012 345", (12, 9), "001095012345"),  # not its first 9 digits
        ("Số: 001095012345 Họ và tên", (12, 9), "001095012345"),
        ("O01O95Ol2345", (12, 9), "001095012345"),
        ("OO1 O95 Ol2345", (12, 9), "001095012345"),
        ("B01095012345", (12,), "801095012345"),
        ("0S1095012345", (12,), "051095012345"),
        ("123456789", (12, 9), "123456789"),
        ("CMND số 123 456 789 cấp ngày 12/03/2010", (12, 9), "123456789"),
        ("123456789 12/03/2010", (12, 9), "123456789"),
        ("123456789", (12,), None),
        ("Số 12 CCCD 001095012345", (12, 9), "001095012345"),
        ("CCCD001095012345", (12, 9), "001095012345"),
        ("ID: I 123456789", (12, 9), "123456789"),
        ("SO 1234567890", (12,), None),
        ("12345", (12, 9), None),
        ("Số CMND", (12, 9), None),
        ("", (12, 9), None),
    ],
)
def test_parse_digits(text: str, lengths: tuple[int, ...], expected: str | None) -> None:
    assert parse_digits(text, lengths) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123", "123"),
        ("Số: 123", "123"),
        ("12/2020", "12/2020"),
        ("123.", "123"),
        (":.....123.....", "123"),
        ("45/2020/TLKH-UBND, quyển số 2", "45/2020/TLKH-UBND"),
        ("l23", "123"),
        ("A12 và 34", "34"),
        ("Số", None),
        ("", None),
    ],
)
def test_parse_number_token(text: str, expected: str | None) -> None:
    assert parse_number_token(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("120,5 m²", 120.5),
        ("1.250,5 m2", 1250.5),
        ("1250 m²", 1250.0),
        ("85 m2", 85.0),
        ("120,5m²", 120.5),
        ("1.250 m²", 1250.0),
        ("12.345.678,25 m²", 12345678.25),
        ("120.5 m2", 120.5),  # the decimal comma read as a dot
        ("120,5 m² (Bằng chữ: Một trăm hai mươi phẩy năm mét vuông)", 120.5),
        ("(Bằng chữ: 85 mét vuông)", None),
        ("Thửa đất số 12, tờ bản đồ số 5, diện tích 120,5 m²", 120.5),
        ("Diện tích: 300", 300.0),
        ("m²", None),
        ("", None),
    ],
)
def test_parse_area(text: str, expected: float | None) -> None:
    assert parse_area(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hà Nội", "Hà Nội"),
        ("  Hà   Nội  ", "Hà Nội"),
        ("Hà Nội..........", "Hà Nội"),
        (": Hà Nội ; ", "Hà Nội"),
        ("…Kinh…", "Kinh"),
        ("| Con đẻ |", "Con đẻ"),
        ("Số 5 ....., phường 3", "Số 5, phường 3"),
        ("Xã Yên Sở . . . . . huyện Thanh Trì", "Xã Yên Sở huyện Thanh Trì"),
        ("Tp. Hồ Chí Minh", "Tp. Hồ Chí Minh"),
        ("- Việt Nam -", "Việt Nam"),
        ("____Kinh____", "Kinh"),
        ("Ha\u0300 Nô\u0323i", "Hà Nội"),  # decomposed -> NFC
        ("......", None),
        (" :;,.-_| ", None),
        ("", None),
    ],
)
def test_clean_text(text: str, expected: str | None) -> None:
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NGUYỄN VĂN AN", "NGUYỄN VĂN AN"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        (": NGUYỄN  VĂN AN.....", "NGUYỄN VĂN AN"),
        ("| TRẦN THỊ BÍCH1 |", "TRẦN THỊ BÍCH"),
        ('LÊ "VĂN" B,', "LÊ VĂN B"),
        ("Hồ-Nguyễn Minh", "Hồ-Nguyễn Minh"),
        ("ĐẶNG.THỊ.LOAN", "ĐẶNG THỊ LOAN"),  # typed over a dotted leader
        ("A", None),
        ("12345", None),
        ("....", None),
    ],
)
def test_clean_name(text: str, expected: str | None) -> None:
    assert clean_name(text) == expected


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("date", "12/03/1995 Giới tính: Nam", "1995-03-12"),
        ("year", "Năm sinh: 1978", 1978),
        ("sex", "Nữ / Female", "Nữ"),
        ("id_number", "123 456 789", "123456789"),
        ("personal_id", "123 456 789", None),
        ("personal_id", "001 095 012345", "001095012345"),
        ("number", "Số: 12/2020", "12/2020"),
        ("area", "120,5 m²", 120.5),
        ("text", "Hà Nội......", "Hà Nội"),
        ("name", "NGUYỄN VĂN AN....", "NGUYỄN VĂN AN"),
        ("nationality", ": Việt Nam", "Việt Nam"),
    ],
)
def test_normalizers_by_kind(kind: str, text: str, expected: object) -> None:
    assert NORMALIZERS[kind](text) == expected
