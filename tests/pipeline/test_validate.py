"""Validation of ID numbers and dates, against numbers made the way the ministry makes them."""

from __future__ import annotations

import random
from datetime import date

import pytest

from sohoa.pipeline.validate import (
    check_dates,
    check_id_number,
    check_old_id_number,
    check_personal_id,
    id_province_codes,
)
from sohoa.synth.people import personal_id
from sohoa.synth.places import PROVINCES


def test_the_63_province_codes() -> None:
    codes = id_province_codes()
    assert len(codes) == 63
    assert codes["001"] == "Hà Nội" and codes["079"] == "Hồ Chí Minh" and codes["096"] == "Cà Mau"
    assert "003" not in codes


def test_generated_numbers_pass_with_their_sex_and_birth() -> None:
    rng = random.Random(8)
    for _ in range(200):
        sex = rng.choice(["Nam", "Nữ"])
        born = date(rng.randint(1930, 2024), rng.randint(1, 12), rng.randint(1, 28))
        number = personal_id(rng, rng.choice(PROVINCES), sex, born)
        assert check_personal_id(number, sex=sex, born=born) == [], number


@pytest.mark.parametrize(
    ("number", "sex", "born", "says"),
    [
        ("03809500012", None, None, "12 digits"),  # one digit lost
        ("03809500O123", None, None, "12 digits"),  # O for 0
        ("003095000123", None, None, "province code"),
        ("038095000123", "Nữ", None, "says Nam"),  # 0: a man born in the 1900s
        ("038195000123", "Nam", None, "says Nữ"),
        ("038295000123", "Nam", date(1995, 3, 12), "born 2000-2099"),
        ("038096000123", "Nam", date(1995, 3, 12), "birth year 1995"),
    ],
)
def test_each_kind_of_wrong_number_is_named(number, sex, born, says) -> None:
    problems = check_personal_id(number, sex=sex, born=born)
    assert len(problems) == 1 and says in problems[0], problems


def test_old_and_new_numbers_by_length() -> None:
    assert check_old_id_number("012345678") == []
    assert check_id_number("012345678") == []
    assert check_id_number("038095000123", sex="Nam", born=date(1995, 1, 1)) == []
    assert check_id_number("01234567") != []


def test_dates_make_sense() -> None:
    today = date(2026, 11, 25)
    born = date(1995, 3, 12)
    assert check_dates(born, ("registration_date", date(1995, 4, 1)), today=today) == []
    assert check_dates(born, ("expiry_date", date(2035, 3, 12)), today=today) == []
    assert "after today" in check_dates(date(2027, 1, 1), today=today)[0]
    assert (
        "before the birth"
        in check_dates(born, ("registration_date", date(1990, 1, 1)), today=today)[0]
    )
    assert (
        "after today" in check_dates(born, ("registration_date", date(2030, 1, 1)), today=today)[0]
    )


def test_an_id_card_runs_out_on_a_birthday_at_a_renewal_age() -> None:
    from sohoa.pipeline.validate import check_card_expiry

    born = date(1990, 3, 12)
    assert check_card_expiry(born, date(2030, 3, 12)) == []  # at 40
    assert check_card_expiry(date(2012, 5, 1), date(2026, 5, 1)) == []  # a child's, at 14
    assert "birthday 12/03" in check_card_expiry(born, date(2030, 3, 17))[0]
    assert "age 41" in check_card_expiry(born, date(2031, 3, 12))[0]
    assert check_card_expiry(date(2000, 2, 29), date(2025, 3, 1)) == []  # no 29 February
