"""Plausible Vietnamese people and families with self-consistent identity numbers.

Everything is drawn from a caller's ``random.Random`` so that a seed fixes a corpus. Names
carry their diacritics in NFC; a person's sex agrees with the middle and given names, and
the 12-digit personal ID agrees with birth province, sex and birth year, as the Ministry of
Public Security's scheme defines it (so extractors can cross-check those fields).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .places import Address, Province, random_address, random_province

FAMILY_NAMES = {
    "Nguyễn": 38.0,
    "Trần": 11.0,
    "Lê": 9.5,
    "Phạm": 7.0,
    "Hoàng": 4.0,
    "Huỳnh": 2.5,
    "Phan": 4.5,
    "Vũ": 3.0,
    "Võ": 2.5,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Lý": 0.5,
    "Đinh": 0.8,
    "Trịnh": 0.6,
    "Mai": 0.5,
    "Đào": 0.5,
    "Cao": 0.4,
    "Lâm": 0.4,
    "Tạ": 0.3,
    "Hà": 0.4,
    "Lương": 0.3,
    "Chu": 0.2,
    "Kiều": 0.2,
    "Triệu": 0.2,
    "Thái": 0.2,
    "Quách": 0.1,
    "Tô": 0.2,
    "Văn": 0.1,
    "Lò": 0.1,
}
MIDDLE = {
    "Nam": [
        "Văn",
        "Văn",
        "Văn",
        "Hữu",
        "Đức",
        "Minh",
        "Quang",
        "Công",
        "Thành",
        "Xuân",
        "Hoàng",
        "Anh",
        "Tuấn",
        "Gia",
        "Ngọc",
        "Thanh",
        "Trọng",
        "Đình",
        "Quốc",
        "Duy",
    ],
    "Nữ": [
        "Thị",
        "Thị",
        "Thị",
        "Thị",
        "Ngọc",
        "Thu",
        "Thanh",
        "Minh",
        "Mai",
        "Phương",
        "Hồng",
        "Kim",
        "Bảo",
        "Thùy",
        "Diệu",
        "Khánh",
        "Hải",
        "Lan",
    ],
}
SECOND_MIDDLE = {
    "Nam": ["Minh", "Quốc", "Thanh", "Đức", "Ngọc"],
    "Nữ": ["Thu", "Thanh", "Ngọc", "Hồng", "Minh", "Kim", "Bích"],
}
GIVEN = {
    "Nam": [
        "Anh",
        "Bình",
        "Cường",
        "Dũng",
        "Đạt",
        "Đức",
        "Hải",
        "Hiếu",
        "Hoàng",
        "Hùng",
        "Huy",
        "Khang",
        "Khánh",
        "Kiên",
        "Long",
        "Lâm",
        "Minh",
        "Nam",
        "Nghĩa",
        "Phong",
        "Phúc",
        "Quân",
        "Quang",
        "Sơn",
        "Tài",
        "Thắng",
        "Thành",
        "Thịnh",
        "Trung",
        "Tuấn",
        "Tùng",
        "Việt",
        "Vinh",
        "Bảo",
        "Tiến",
        "Toàn",
        "Hưng",
        "Lộc",
        "Khoa",
        "Đăng",
        "Hậu",
        "Thuận",
        "Trường",
        "Chiến",
        "Duy",
        "Quyết",
        "Tâm",
        "Nguyên",
    ],
    "Nữ": [
        "Anh",
        "Chi",
        "Dung",
        "Giang",
        "Hà",
        "Hạnh",
        "Hằng",
        "Hoa",
        "Hồng",
        "Hương",
        "Huyền",
        "Lan",
        "Liên",
        "Linh",
        "Loan",
        "Mai",
        "My",
        "Ngân",
        "Ngọc",
        "Nhung",
        "Oanh",
        "Phương",
        "Quỳnh",
        "Thảo",
        "Thu",
        "Thủy",
        "Trang",
        "Trinh",
        "Tuyết",
        "Uyên",
        "Vân",
        "Vy",
        "Yến",
        "Nhi",
        "Hiền",
        "Nga",
        "Diệp",
        "Thư",
        "Ánh",
        "Nhàn",
    ],
}
ETHNICITIES = {
    "Kinh": 85.0,
    "Tày": 2.0,
    "Thái": 1.9,
    "Mường": 1.5,
    "Khmer": 1.4,
    "Hoa": 1.0,
    "Nùng": 1.1,
    "H'Mông": 1.2,
    "Dao": 0.9,
    "Gia Rai": 0.4,
    "Ê Đê": 0.4,
    "Sán Dìu": 0.2,
}


@dataclass(frozen=True, slots=True)
class Person:
    family: str
    middle: str
    given: str
    sex: str  # "Nam" / "Nữ"
    date_of_birth: date
    ethnicity: str
    birth_province: Province  # where the birth was registered: the ID number's first digits
    origin: Address  # quê quán
    residence: Address  # thường trú
    id_number: str  # 12 digits
    old_id: str  # 9-digit former ID card number ("" when the person never had one)

    @property
    def full_name(self) -> str:
        return f"{self.family} {self.middle} {self.given}"

    @property
    def nationality(self) -> str:
        return "Việt Nam"


def personal_id(rng: random.Random, province: Province, sex: str, born: date) -> str:
    """12 digits: province code, sex/century digit, two-digit year, six random digits."""
    century = (born.year - 1900) // 100  # 0 for 1900-1999, 1 for 2000-2099
    digit = 2 * century + (1 if sex == "Nữ" else 0)
    return f"{province.code}{digit}{born.year % 100:02d}{rng.randrange(10**6):06d}"


def old_id_number(rng: random.Random) -> str:
    """A former 9-digit ID card (CMND) number; the first digits loosely name the region."""
    return f"{rng.choice(['0', '1', '2', '3'])}{rng.randrange(10**8):08d}"


def id_matches(id_number: str, sex: str, born: date, province_code: str | None = None) -> bool:
    """True when a 12-digit number agrees with the sex and birth year (and province)."""
    if len(id_number) != 12 or not id_number.isdigit():
        return False
    century = (born.year - 1900) // 100
    ok = id_number[3] == str(2 * century + (1 if sex == "Nữ" else 0))
    ok = ok and id_number[4:6] == f"{born.year % 100:02d}"
    return ok and (province_code is None or id_number[:3] == province_code)


def random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def random_name(rng: random.Random, sex: str, family: str | None = None) -> tuple[str, str, str]:
    fam = family or rng.choices(list(FAMILY_NAMES), weights=list(FAMILY_NAMES.values()))[0]
    middle = rng.choice(MIDDLE[sex])
    if rng.random() < 0.12:
        middle = f"{middle} {rng.choice(SECOND_MIDDLE[sex])}"
    given = rng.choice(GIVEN[sex])
    while given in middle.split():
        given = rng.choice(GIVEN[sex])
    return fam, middle, given


def random_person(
    rng: random.Random,
    *,
    sex: str | None = None,
    born_between: tuple[date, date] = (date(1945, 1, 1), date(2006, 12, 31)),
    family: str | None = None,
    residence: Address | None = None,
    ethnicity: str | None = None,
) -> Person:
    sex = sex or rng.choice(["Nam", "Nữ"])
    fam, middle, given = random_name(rng, sex, family)
    born = random_date(rng, *born_between)
    eth = ethnicity or rng.choices(list(ETHNICITIES), weights=list(ETHNICITIES.values()))[0]
    origin = random_address(rng)
    birth_prov = origin.province if rng.random() < 0.7 else random_province(rng)
    home = residence or random_address(rng, birth_prov if rng.random() < 0.5 else None)
    old = old_id_number(rng) if born.year < 1999 and rng.random() < 0.8 else ""
    return Person(
        family=fam,
        middle=middle,
        given=given,
        sex=sex,
        date_of_birth=born,
        ethnicity=eth,
        birth_province=birth_prov,
        origin=origin,
        residence=home,
        id_number=personal_id(rng, birth_prov, sex, born),
        old_id=old,
    )


@dataclass(frozen=True, slots=True)
class Member:
    person: Person
    relationship: str  # to the household head: "Chủ hộ", "Vợ", "Con", ...


def random_household(rng: random.Random, size: int | None = None) -> list[Member]:
    """A head, usually a spouse, children carrying the father's family name, maybe a parent."""
    size = size or rng.choice([2, 3, 3, 4, 4, 4, 5, 5, 6, 7])
    addr = random_address(rng)
    head_sex = "Nam" if rng.random() < 0.78 else "Nữ"
    head = random_person(
        rng, sex=head_sex, born_between=(date(1950, 1, 1), date(1990, 12, 31)), residence=addr
    )
    members = [Member(head, "Chủ hộ")]
    father_family = head.family
    spouse_sex = "Nữ" if head_sex == "Nam" else "Nam"
    if size >= 2 and rng.random() < 0.9:
        lo = head.date_of_birth - timedelta(days=365 * 6)
        hi = head.date_of_birth + timedelta(days=365 * 6)
        spouse = random_person(
            rng, sex=spouse_sex, born_between=(lo, hi), residence=addr, ethnicity=head.ethnicity
        )
        members.append(Member(spouse, "Vợ" if spouse_sex == "Nữ" else "Chồng"))
        if spouse_sex == "Nam":
            father_family = spouse.family
    if len(members) < size and rng.random() < 0.2:
        lo = head.date_of_birth - timedelta(days=365 * 35)
        hi = head.date_of_birth - timedelta(days=365 * 20)
        parent = random_person(rng, born_between=(lo, hi), residence=addr)
        if parent.sex == "Nam":
            parent = replace(parent, family=head.family)
        members.append(Member(parent, "Bố" if parent.sex == "Nam" else "Mẹ"))
    first_child = head.date_of_birth + timedelta(days=365 * 20)
    while len(members) < size:
        lo = first_child + timedelta(days=365 * (len(members) - 2) * 2)
        hi = lo + timedelta(days=365 * 3)
        hi = min(hi, date(2023, 12, 31))
        lo = min(lo, hi - timedelta(days=30))
        child = random_person(
            rng,
            born_between=(lo, hi),
            family=father_family,
            residence=addr,
            ethnicity=head.ethnicity,
        )
        rel = rng.choice(["Con", "Con", "Con đẻ"]) if rng.random() < 0.9 else "Cháu"
        members.append(Member(child, rel))
    return members


def dossier_code(rng: random.Random, day: date, serial: int | None = None) -> str:
    """A one-stop-shop dossier code: agency code, ``yymmdd``, serial.

    Example: ``000.00.15.H26-251124-0001``."""
    agency = (
        f"{rng.choice(['000', '000', '001'])}.{rng.randrange(100):02d}.{rng.randrange(1, 60):02d}"
    )
    agency += f".H{rng.randrange(10, 65):02d}"
    serial = serial if serial is not None else rng.randrange(1, 3000)
    return f"{agency}-{day:%y%m%d}-{serial:04d}"
