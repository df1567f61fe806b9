"""People, places and wording: the facts documents print must agree with each other."""

from __future__ import annotations

import random
import unicodedata
from datetime import date

from sohoa.synth.people import (
    FAMILY_NAMES,
    dossier_code,
    id_matches,
    personal_id,
    random_household,
    random_person,
)
from sohoa.synth.places import BY_CODE, PROVINCES
from sohoa.synth.wording import area_text, date_words, number_words


def test_63_provinces_with_unique_three_digit_codes() -> None:
    assert len(PROVINCES) == 63
    assert len(BY_CODE) == 63
    assert BY_CODE["001"].name == "Hà Nội"
    assert BY_CODE["079"].name == "Hồ Chí Minh"
    assert BY_CODE["048"].name == "Đà Nẵng"
    assert all(len(c) == 3 and c.isdigit() for c in BY_CODE)


def test_personal_id_encodes_province_sex_and_century() -> None:
    rng = random.Random(0)
    hn = BY_CODE["001"]
    assert personal_id(rng, hn, "Nam", date(1995, 3, 12))[:6] == "001095"
    assert personal_id(rng, hn, "Nữ", date(1995, 3, 12))[:6] == "001195"
    assert personal_id(rng, hn, "Nam", date(2005, 1, 1))[:6] == "001205"
    assert personal_id(rng, hn, "Nữ", date(2010, 1, 1))[:6] == "001310"


def test_random_people_are_consistent() -> None:
    rng = random.Random(7)
    for _ in range(300):
        p = random_person(rng)
        assert id_matches(p.id_number, p.sex, p.date_of_birth, p.birth_province.code)
        assert p.family in FAMILY_NAMES
        assert ("Thị" in p.middle.split()) <= (p.sex == "Nữ")  # "Thị" is a female middle name
        assert ("Văn" in p.middle.split()) <= (p.sex == "Nam")
        assert unicodedata.is_normalized("NFC", p.full_name)
        assert p.old_id == "" or (len(p.old_id) == 9 and p.old_id.isdigit())


def test_household_has_one_head_and_children_younger_than_head() -> None:
    rng = random.Random(3)
    for _ in range(50):
        members = random_household(rng)
        assert [m.relationship for m in members].count("Chủ hộ") == 1
        head = members[0].person
        for m in members:
            if m.relationship.startswith("Con"):
                assert m.person.date_of_birth > head.date_of_birth


def test_dossier_code_shape() -> None:
    code = dossier_code(random.Random(1), date(2025, 11, 24), 1)
    agency, day, serial = code.rsplit("-", 2)
    assert day == "251124" and serial == "0001"
    assert len(agency.split(".")) == 4


def test_vietnamese_number_words() -> None:
    assert number_words(1995) == "một nghìn chín trăm chín mươi lăm"
    assert number_words(2005) == "hai nghìn không trăm linh năm"
    assert number_words(2021) == "hai nghìn không trăm hai mươi mốt"
    assert number_words(14) == "mười bốn"
    assert date_words(date(1995, 3, 12)).startswith("Mười hai tháng ba năm một nghìn")
    assert area_text(120.5) == "120,5" and area_text(70.0) == "70"
