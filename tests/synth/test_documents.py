"""Every document type renders with ground truth that matches what is printed."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from sohoa.synth import DOC_TYPES, render_document
from sohoa.synth.people import id_matches
from sohoa.synth.places import BY_CODE

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "contract" / "extract.schema.json").read_text()
)


@pytest.mark.parametrize("doc_type", DOC_TYPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_every_doc_type_renders_with_valid_fields_and_text(doc_type: str, seed: int) -> None:
    doc = render_document(doc_type, random.Random(seed), 150)
    assert doc.doc_type == doc_type
    assert doc.pages and all(p.image.mode == "RGB" for p in doc.pages)
    obj = {
        "source": "x.png",
        "pages": list(range(1, len(doc.pages) + 1)),
        "doc_type": doc_type,
        "doc_type_confidence": 1.0,
        "fields": doc.fields,
        "field_confidence": {},
        "needs_review": False,
        "text": doc.text,
    }
    jsonschema.validate(obj, SCHEMA)
    text = doc.text
    assert unicodedata.is_normalized("NFC", text)
    assert "..." not in text and "  " not in text
    for page in doc.pages:
        w, h = page.image.size
        for line in page.lines:
            left, top, right, bottom = line.box
            assert 0 <= left < right <= w and 0 <= top < bottom <= h, line
            assert line.text == line.text.strip()
    flat = " ".join(text.split())
    for key, value in doc.fields.items():
        if isinstance(value, str):
            assert value in flat or _iso_in(value, flat), (key, value)


def _iso_in(value: str, text: str) -> bool:
    """ISO dates are printed dd/mm/yyyy (or with - or .)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return False
    y, mo, d = m.groups()
    return any(f"{d}{s}{mo}{s}{y}" in text for s in "/-.")


def test_titles_are_printed() -> None:
    titles = {
        "citizen_id_card": "CĂN CƯỚC",
        "birth_certificate": "GIẤY KHAI SINH",
        "marriage_certificate": "GIẤY CHỨNG NHẬN KẾT HÔN",
        "residence_confirmation": "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ",
        "household_register": "SỔ HỘ KHẨU",
        "land_use_certificate": "QUYỀN SỬ DỤNG ĐẤT",
    }
    for doc_type, title in titles.items():
        doc = render_document(doc_type, random.Random(5), 150)
        assert title in doc.text
    form = render_document("application_form", random.Random(5), 150)
    assert form.fields["form_title"].startswith(("TỜ KHAI", "ĐƠN"))
    assert form.fields["form_title"] in " ".join(form.text.split("\n"))


def test_id_numbers_agree_with_sex_birth_year_and_province() -> None:
    for seed in range(6):
        card = render_document("citizen_id_card", random.Random(seed), 150).fields
        born = date.fromisoformat(card["date_of_birth"])
        assert id_matches(card["id_number"], card["sex"], born)
        assert card["id_number"][:3] in BY_CODE
        assert date.fromisoformat(card["expiry_date"]) > born
        birth = render_document("birth_certificate", random.Random(seed), 150).fields
        assert id_matches(
            birth["personal_id"], birth["sex"], date.fromisoformat(birth["date_of_birth"])
        )
        ct07 = render_document("residence_confirmation", random.Random(seed), 150).fields
        assert id_matches(
            ct07["personal_id"], ct07["sex"], date.fromisoformat(ct07["date_of_birth"])
        )
        marriage = render_document("marriage_certificate", random.Random(seed), 150).fields
        husband = marriage["husband_id_number"]
        if len(husband) == 12:
            assert id_matches(husband, "Nam", date.fromisoformat(marriage["husband_date_of_birth"]))


def test_household_members_are_in_the_table() -> None:
    for seed in range(4):
        doc = render_document("household_register", random.Random(seed), 150)
        members = doc.fields["members"]
        assert members[0]["relationship"] == "Chủ hộ"
        lines = doc.text.split("\n")
        for m in members:
            d = date.fromisoformat(m["date_of_birth"])
            row = [ln for ln in lines if m["full_name"] in ln and f"{d:%d/%m/%Y}" in ln]
            assert row and row[0].endswith(m["relationship"])


def test_household_register_sometimes_spans_two_pages() -> None:
    counts = {
        len(render_document("household_register", random.Random(s), 100).pages) for s in range(12)
    }
    assert counts == {1, 2}


def test_qr_on_the_card_carries_the_printed_facts() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    doc = render_document("citizen_id_card", random.Random(3), 300)
    found = zxingcpp.read_barcodes(doc.pages[0].image)
    assert found, "QR not decodable"
    parts = found[0].text.split("|")
    f = doc.fields
    assert parts[0] == f["id_number"]
    assert parts[2].upper() == f["full_name"]
    born = date.fromisoformat(f["date_of_birth"])
    assert parts[3] == f"{born:%d%m%Y}" and parts[4] == f["sex"]
    assert parts[5] == f["place_of_residence"]
    assert len(parts) == 7 and len(parts[6]) == 8
