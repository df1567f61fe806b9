"""What the catalog derives from an extract and a query, without a database."""

from __future__ import annotations

from datetime import date

from sohoa.storage.catalog import indexing
from sohoa.storage.catalog.query import fts5_match, parse, tsquery


def test_query_parts() -> None:
    parsed = parse("  Nguyễn  Thị 001195012345 000.00.15.H26-251124-0001 012345678 hồng-nhung ")
    assert parsed.id_numbers == ("001195012345", "012345678")
    assert parsed.dossier_codes == ("000.00.15.H26-251124-0001",)
    assert parsed.words == ("nguyen", "thi", "hong", "nhung")
    assert parse("ĐỖ THỊ THU HÀ").words == ("do", "thi", "thu", "ha")
    assert parse("12345").words == ("12345",)  # not ID-shaped: a word
    assert parse('"a" OR b*').words == ("a", "or", "b")  # no operators survive


def test_engine_expressions_quote_words_and_prefix_the_last() -> None:
    assert fts5_match(("nguyen", "nhu")) == '"nguyen" "nhu"*'
    assert tsquery(("nguyen", "nhu")) == "nguyen & nhu:*"


def test_household_members_flatten_with_their_index() -> None:
    fields = {
        "household_head_name": "LÊ VĂN NAM",
        "members": [
            {"full_name": "LÊ VĂN NAM", "date_of_birth": "1970-05-05", "relationship": "Chủ hộ"},
            {"full_name": "PHẠM THỊ MAI", "date_of_birth": None, "relationship": "Vợ"},
        ],
    }
    flat = indexing.flatten(fields, {"members": 0.8})
    rows = {(row.name, row.item): row for row in flat}
    assert rows[("members.full_name", 1)].folded == "pham thi mai"
    assert rows[("members.full_name", 1)].kind == "name"
    assert rows[("members.full_name", 1)].confidence == 0.8
    assert rows[("members.date_of_birth", 0)].date_value == date(1970, 5, 5)
    assert rows[("members.date_of_birth", 1)].value is None
    assert rows[("household_head_name", None)].kind == "name"
    assert rows[("members.full_name", 1)].name_key == "pham mai"
    assert rows[("members.date_of_birth", 0)].name_key is None  # names only


def test_places_are_the_parts_of_addresses_with_and_without_their_kind() -> None:
    address = indexing.fast_fold(
        "Số 12, ngõ 34, phố Huế, phường Phố Huế, quận Hai Bà Trưng, Hà Nội"
    )
    assert indexing.place_phrases([address]) == [
        "so 12",
        "ngo 34",
        "pho hue",
        "phuong pho hue",
        "quan hai ba trung",
        "hai ba trung",
        "ha noi",
    ]
    assert indexing.place_phrases(["thanh pho ho chi minh"]) == [
        "thanh pho ho chi minh",
        "ho chi minh",
    ]
    assert indexing.place_phrases(["xa an, huyen my"]) == ["xa an", "huyen my"]  # not "an"
    assert indexing.place_phrases(["quan 1, tp. ho chi minh"]) == [
        "quan 1",
        "tp ho chi minh",
        "ho chi minh",
    ]


def test_phrase_tokens_are_added_once() -> None:
    text = indexing.with_phrase_tokens("ha noi", ["ha noi"])
    assert text == "ha noi zzhanoi"
    assert indexing.with_phrase_tokens(text, ["ha noi"]) == text
    assert indexing.with_phrase_tokens("", ["ha noi"]) == "zzhanoi"
    assert indexing.name_phrases(["nguyen thi hong nhung", "nhung", "a b c d e f g"]) == [
        "nguyen thi hong nhung"
    ]


def test_name_key_is_family_and_given_name() -> None:
    assert indexing.name_key("ton nu thi thu ha") == "ton ha"
    assert indexing.name_key("nguyen,  thi nhung.") == "nguyen nhung"
    assert indexing.name_key("nhung") is None  # one word: no family name to tell
    assert indexing.name_key(None) is None


def test_kinds_ids_key_date_and_texts() -> None:
    fields = {
        "husband_name": "TRẦN VĂN ĐỨC",
        "husband_id_number": "001090004567",
        "wife_id_number": None,
        "registration_date": "2020-10-10",
        "husband_date_of_birth": "1990-07-01",
        "form_title": "TỜ KHAI",
        "parcel_address": "phường Phố Huế",
        "area_m2": 65.5,
    }
    flat = indexing.flatten(fields, {})
    assert indexing.id_numbers(flat) == {("001090004567", "husband_id_number")}
    assert indexing.key_date(flat) == date(2020, 10, 10)
    texts = indexing.search_texts(flat, "Giấy chứng nhận kết hôn")
    assert texts.names == "tran van duc zztranvanduc"  # the name also as one token
    assert texts.addresses == "phuong pho hue zzphuongphohue zzphohue"
    assert "to khai" in texts.fields and "65.5" in texts.fields
    assert texts.body == "giay chung nhan ket hon"
    assert indexing.field_kind("form_title") == "other"


def test_fast_fold_is_fold() -> None:
    """The loader's folding gives exactly ``vntext.fold``'s string, Greek (a final
    sigma), combining marks, odd spaces and other scripts included."""
    import random

    from sohoa.pipeline.vntext import fold
    from sohoa.storage.catalog.indexing import fast_fold

    samples = [
        "NGUYỄN THỊ HỒNG NHUNG",
        "Đường Lê Lợi,\u00a0Quận 1",
        "ΟΔΥΣΣΕΥΣ",
        "İstanbul",
        "n\u0301",
    ]
    rng = random.Random(5)
    for top in (0x400, 0x2100, 0x20000):
        for _ in range(3000):
            chars = [
                chr(rng.randrange(top)) if rng.random() < 0.5 else rng.choice("aĐđ ỗÀ\u0301Σ")
                for _ in range(rng.randrange(1, 16))
            ]
            samples.append("".join(c for c in chars if not 0xD800 <= ord(c) < 0xE000))
    for sample in samples:
        assert fast_fold(sample) == fold(sample), ascii(sample)
