"""The field finder: labels found through OCR damage, values where forms print them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from sohoa.pipeline.fields import (
    document_lines,
    find_labels,
    load_template,
    parse_template,
    read_fields,
)
from sohoa.synth.documents import DOC_TYPES

from .field_fixtures import page_of


def texts(template_name: str, lines: list[str], **kw) -> dict[str, str | None]:
    template = load_template(template_name)
    assert template is not None
    found = read_fields(template, document_lines([page_of(lines, **kw)]))
    return {name: (r.text if r else None) for name, r in found.items()}


def test_every_document_type_but_unknown_has_a_template_with_key_fields():
    for doc_type in DOC_TYPES:
        template = load_template(doc_type)
        if doc_type == "unknown":
            assert template is None
            continue
        assert template is not None, doc_type
        assert any(spec.key for spec in template.fields), doc_type


def test_templates_hold_every_contract_field():
    """Each template names the fields CONTRACT.md requires of its type (and may add some)."""
    schema_path = Path(__file__).parents[1] / "data" / "contract" / "extract.schema.json"
    definitions = json.loads(schema_path.read_text("utf-8"))["$defs"]
    for doc_type in DOC_TYPES:
        template = load_template(doc_type)
        if template is None:
            continue
        names = {spec.name for spec in template.fields}
        assert set(definitions[doc_type]["required"]) <= names, doc_type


def test_value_after_label_up_to_the_next_label_on_the_line():
    got = texts(
        "birth_certificate",
        ["Giới tính: Nữ Dân tộc: Kinh Quốc tịch: Việt Nam", "Họ, chữ đệm, tên: LÊ THỊ AN"],
    )
    assert got["sex"] == "Nữ"
    assert got["ethnicity"] == "Kinh"
    assert got["nationality"] == "Việt Nam"
    assert got["full_name"] == "LÊ THỊ AN"


def test_labels_found_without_diacritics_and_with_ocr_damage():
    got = texts(
        "birth_certificate",
        [
            "Ho, chu dem, ten: LE THI AN",
            "Ngàv, tháng, năm sỉnh: 12/03/1995",
            "Số đinh danh cá nhân: 001195012345",
        ],
    )
    assert got["full_name"] == "LE THI AN"
    assert got["date_of_birth"] == "12/03/1995"
    assert got["personal_id"] == "001195012345"


def test_longer_label_at_a_colon_wins_over_the_generic_one():
    got = texts(
        "birth_certificate",
        [
            "Họ, chữ đệm, tên: LÊ THỊ AN",
            "Họ, chữ đệm, tên người mẹ: TRẦN THỊ BÌNH",
            "Họ, chữ đệm, tên người cha: LÊ VĂN CƯỜNG",
        ],
    )
    assert got == {**got, "full_name": "LÊ THỊ AN", "mother_name": "TRẦN THỊ BÌNH"}
    assert got["father_name"] == "LÊ VĂN CƯỜNG"


def test_an_exact_short_label_beats_a_fuzzy_long_one_on_the_same_words():
    """ "Họ, chữ đệm và tên:" read exactly is the generic label, not "... tên vợ:"."""
    got = texts(
        "marriage_certificate",
        ["Họ, chữ đệm và tên: TRẦN HỮU VIỆT Họ và tên: NGUYỄN THANH NGỌC"],
    )
    assert got["husband_name"] == "TRẦN HỮU VIỆT"
    assert got["wife_name"] == "NGUYỄN THANH NGỌC"


def test_nth_occurrence_of_a_label_set_two_columns_read_across():
    got = texts(
        "marriage_certificate",
        [
            "Thông tin người chồng Thông tin người vợ",
            "Họ và tên: VŨ QUANG NGHĨA Họ tên: NGÔ LAN TUYẾT",
            "Ngày sinh: 27/01/1980 Sinh ngày: 22/04/1981",
            "Giấy tờ tùy thân: CCCD số 079080789335 Giấy tờ tùy thân: CCCD số 084181525475",
        ],
    )
    assert (got["husband_name"], got["wife_name"]) == ("VŨ QUANG NGHĨA", "NGÔ LAN TUYẾT")
    assert (got["husband_date_of_birth"], got["wife_date_of_birth"]) == ("27/01/1980", "22/04/1981")
    assert got["wife_id_number"] == "CCCD số 084181525475"


def test_value_on_the_line_below_a_label_that_ends_its_line():
    got = texts(
        "citizen_id_card",
        [
            "Số / No.: 001095012345",
            "Họ và tên / Full name:",
            "NGUYỄN VĂN AN",
            "Quê quán / Place of origin:",
            "Đan Phượng, Hà Nội",
        ],
    )
    assert got["full_name"] == "NGUYỄN VĂN AN"
    assert got["id_number"] == "001095012345"
    assert got["place_of_origin"] == "Đan Phượng, Hà Nội"


def test_a_value_wrapped_onto_the_next_line_is_taken_when_the_line_alone_has_none():
    template = load_template("marriage_certificate")
    lines = document_lines(
        [page_of(["Họ và tên: VŨ QUANG NGHĨA", "Giấy tờ tùy thân: CCCD số", "079080789335"])]
    )
    found = read_fields(
        template,
        lines,
        lambda spec, text: spec.kind != "id_number" or any(ch.isdigit() for ch in text),
    )
    assert found["husband_id_number"].text == "CCCD số 079080789335"


def test_an_address_continues_until_it_names_its_province():
    got = texts(
        "residence_confirmation",
        [
            "Nơi thường trú: Số 197, ngõ 234, đường Nguyễn Văn Cừ, phường Phú Sơn, thành",
            "phố Thanh Hóa, tỉnh Thanh Hóa",
            "Thông tin về cư trú có giá trị 30 ngày.",
        ],
    )
    assert got["permanent_residence"] == (
        "Số 197, ngõ 234, đường Nguyễn Văn Cừ, phường Phú Sơn, thành phố Thanh Hóa, tỉnh Thanh Hóa"
    )


def test_short_labels_need_their_colon():
    got = texts("land_use_certificate", ["Ông NGUYỄN VĂN AN đến", "Bà: TRẦN THỊ BÌNH"])
    assert got["owner_name"] == "TRẦN THỊ BÌNH"


def test_a_short_label_of_two_words_that_lost_its_colon_still_begins_its_line():
    lines = ["SỔ HỘ KHẨU", "Chủ hộ Đặng Văn Quyết", "Nơi thường trú: ấp Bình An, xã Đông Phong"]
    assert texts("household_register", lines)["household_head_name"] == "Đặng Văn Quyết"
    inside = ["SỔ HỘ KHẨU", "1 ĐẶNG VĂN QUYẾT 14/11/1965 Chủ hộ Lê Văn An"]
    assert texts("household_register", inside)["household_head_name"] is None


def test_a_label_without_its_colon_does_not_run_on_into_the_capitals_of_its_value():
    """Fuzzily, "Họ, chữ đệm, tên NGUYỄN" is almost "Họ, chữ đệm, tên người mẹ"."""
    lines = ["Họ, chữ đệm, tên NGUYỄN HOÀNG TÙNG", "Họ, chữ đệm, tên người mẹ: LÊ THU THỦY"]
    got = texts("birth_certificate", lines)
    assert got["full_name"] == "NGUYỄN HOÀNG TÙNG"
    assert got["mother_name"] == "LÊ THU THỦY"


def test_pattern_finds_a_value_printed_without_label():
    got = texts("land_use_certificate", ["2. Nhà ở: Không", "CS 012345"])
    assert got["certificate_serial"] == "CS 012345"


def test_card_dates_by_position_when_labels_are_lost():
    got = texts("citizen_id_card", ["Ngà - - nh Date b ri 08/08/1974", "Dự ƒ xí - 08/08/2034"])
    assert got["date_of_birth"] == "08/08/1974"
    assert got["expiry_date"] == "08/08/2034"


def test_card_name_is_the_capitals_line_when_its_label_is_lost():
    got = texts(
        "citizen_id_card",
        ["CĂN CƯỚC CÔNG DÂN", "Hoan roi:", "NGUYỄN QUANG CƯỜNG", "Ngày sinh: 31/10/1994"],
    )
    assert got["full_name"] == "NGUYỄN QUANG CƯỜNG"


def test_form_title_over_several_capital_lines():
    got = texts(
        "application_form",
        [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "ĐƠN ĐỀ NGHỊ CẤP GIẤY XÁC NHẬN",
            "TÌNH TRẠNG HÔN NHÂN",
            "Kính gửi: Ủy ban nhân dân xã Tân Lập",
            "Tôi tên là: Trần Văn Bình",
        ],
    )
    assert got["form_title"] == "ĐƠN ĐỀ NGHỊ CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"
    assert got["applicant_name"] == "Trần Văn Bình"


def test_members_table_rows_even_with_a_lost_row_number():
    template = load_template("household_register")
    lines = document_lines(
        [
            page_of(
                [
                    "STT Họ và tên Ngày sinh Quan hệ với chủ hộ",
                    "1 TRẦN THÀNH TUẤN 15/05/1976 Chủ hộ",
                    "2 NGUYỄN THÙY NHUNG 30/07/1971 Vợ",
                    "TRẦN ĐÌNH LỘC 27/06/1998 Con",
                    "Cán bộ đăng ký ký và ghi rõ họ tên.",
                ]
            )
        ]
    )
    rows = read_fields(template, lines)["members"].rows
    assert [r["full_name"] for r in rows] == [
        "TRẦN THÀNH TUẤN",
        "NGUYỄN THÙY NHUNG",
        "TRẦN ĐÌNH LỘC",
    ]
    assert rows[2] == {
        "full_name": "TRẦN ĐÌNH LỘC",
        "date_of_birth": "27/06/1998",
        "relationship": "Con",
    }


def test_confidence_and_box_come_from_the_value_words():
    template = load_template("birth_certificate")
    page = page_of(["Giới tính: Nữ", "Dân tộc: Kinh"], low={"Kinh": 40.0})
    found = read_fields(template, document_lines([page]))
    assert found["sex"].confidence == pytest.approx(0.95)
    assert found["ethnicity"].confidence == pytest.approx(0.40)
    assert found["ethnicity"].box[1] == 60  # second line


def test_labels_on_separate_words_and_glued_to_the_value():
    lines = document_lines([page_of(["Họ và tên:NGUYỄN VĂN AN"])])
    template = parse_template("t", {"fields": {"n": {"kind": "name", "find": ["Họ và tên"]}}})
    (match,) = find_labels(lines, template.labels)
    assert match.colon
    assert read_fields(template, lines)["n"].text == "NGUYỄN VĂN AN"


def test_a_word_s_variants_go_to_the_part_of_it_they_change():
    page = page_of(["Họ và tên:NGUYÊN VĂN AN"])
    glued = page.words[2]
    page.words[2] = replace(
        glued, variants=(("tên:NGUYỄN", 0.5), ("tên;NGUYÊN", 0.2), ("tễn:NGUYÊN", 0.1))
    )
    page.words[3] = replace(page.words[3], variants=())
    page.words[4] = replace(page.words[4], variants=())
    (line,) = document_lines([page])
    assert [(t.text, t.variants) for t in line.tokens[2:]] == [
        ("tên:", (("tễn:", 0.1),)),
        ("NGUYÊN", (("NGUYỄN", 0.5),)),
        ("VĂN", ()),
        ("AN", ()),
    ]
    template = parse_template("t", {"fields": {"n": {"kind": "name", "find": ["Họ và tên"]}}})
    assert read_fields(template, [line])["n"].variants == (("NGUYÊN", "NGUYỄN", 0.5),)
    # words whose choices are unknown (a PDF's text layer): no variants, not "none"
    assert read_fields(template, document_lines([page_of(["Họ và tên: AN"])]))["n"].variants is None


def test_bad_template_is_refused():
    with pytest.raises(ValueError):
        parse_template("t", {"fields": {"n": {"kind": "name", "find": ["@nothing#2"]}}})
    with pytest.raises(ValueError):
        parse_template("t", {"fields": {"n": {"kind": "name", "find": [{"guess": 1}]}}})


def test_two_columns_read_across_are_read_down_again():
    """Rows of two columns do not line up when a value wraps in one of them."""
    left, right = "Họ, chữ đệm và tên: NGUYỄN THANH", "Họ, chữ đệm và tên: HOÀNG THÙY THU"
    gap = " " * 8
    rows = [
        f"{'Thông tin người chồng':<40}{gap}Thông tin người vợ",
        f"{left:<40}{gap}{right}",
        f"{'CƯỜNG':<40}{gap}Ngày sinh: 28/06/1981",
        f"{'Ngày sinh: 23/12/1973':<40}{gap}Dân tộc: Kinh",
        f"{'Dân tộc: Dao':<40}{gap}Quốc tịch: Việt Nam",
        f"{'Quốc tịch: Việt Nam':<40}{gap}Giấy tờ tùy thân: CCCD số 040181262387",
        "Giấy tờ tùy thân: CMND số 186793220",
        "Nơi đăng ký kết hôn: Ủy ban nhân dân phường Thuận Phước, thành phố Đồng Xoài",
    ]
    got = texts("marriage_certificate", rows)
    assert got["husband_name"] == "NGUYỄN THANH CƯỜNG"
    assert got["wife_name"] == "HOÀNG THÙY THU"
    assert got["husband_date_of_birth"] == "23/12/1973"
    assert got["wife_date_of_birth"] == "28/06/1981"
    assert got["husband_id_number"] == "CMND số 186793220"
    assert got["wife_id_number"] == "CCCD số 040181262387"


def test_columns_told_apart_on_a_page_scanned_upside_down():
    """Word boxes are in the original scan's pixels; a page read after turning it 180°
    has its left column on the right of those pixels."""
    from dataclasses import replace

    rows = [
        f"{'Họ và tên: VŨ QUANG NGHĨA':<40}{' ' * 8}Họ tên: NGÔ LAN TUYẾT",
        f"{'Ngày sinh: 27/01/1980':<40}{' ' * 8}Sinh ngày: 22/04/1981",
        f"{'Dân tộc: Kinh':<40}{' ' * 8}Dân tộc: Kinh",
        "Giấy tờ tùy thân: CCCD số 079080789335",
    ]
    upright = page_of(rows)
    upright = replace(upright, width=60 * 20)  # the page as wide as its lines
    turned = replace(
        upright,
        rotation=180,
        words=[
            replace(w, left=upright.width - w.left - w.width, top=upright.height - w.top - w.height)
            for w in upright.words
        ],
    )
    template = load_template("marriage_certificate")
    for page in (upright, turned):
        found = read_fields(template, document_lines([page]))
        assert found["husband_name"].text == "VŨ QUANG NGHĨA"
        assert found["wife_date_of_birth"].text == "22/04/1981"


def test_wording_and_casing_the_generator_never_prints():
    """Real forms vary: labels in capitals, without commas, other names for the same thing."""
    got = texts(
        "application_form",
        [
            "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO GIẤY KHAI SINH",
            "HỌ VÀ TÊN KHAI SINH: PHẠM THỊ MAI",
            "Ngày tháng năm sinh 05/09/1988",
            "Số CCCD/CMND: 036188004512 Điện thoại: 0912345678",
        ],
    )
    assert got["form_title"] == "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO GIẤY KHAI SINH"
    assert got["applicant_name"] == "PHẠM THỊ MAI"
    assert got["applicant_date_of_birth"] == "05/09/1988"
    assert got["applicant_id_number"] == "036188004512"


def test_a_value_ocr_put_in_a_line_of_its_own_is_found_beside_its_label():
    """A value handwritten a little off the label's baseline: Tesseract reads it as a line
    of its own, after the lines below; its box still sits beside the label."""
    from dataclasses import replace

    page = page_of(["Họ, chữ đệm, tên người khai:", "Sinh ngày: 01/09/1969", "Vũ Thị Dung"])
    label_right = max(w.left + w.width for w in page.words if w.line == 1)
    moved = [
        replace(w, left=w.left + label_right + 40, top=w.top - 2 * 60 + 8) if w.line == 3 else w
        for w in page.words
    ]
    got = read_fields(
        load_template("application_form"), document_lines([replace(page, words=moved)])
    )
    assert got["applicant_name"].text == "Vũ Thị Dung"
    assert got["applicant_date_of_birth"].text == "01/09/1969"


def test_a_table_row_whose_name_follows_a_mark_is_still_a_row() -> None:
    from sohoa.pipeline.fields import _ROW

    found = _ROW.match("4 _HUỲNH VĂN DŨNG 02/01/1998 | Con")  # a rule read as "_"
    assert found is not None
    assert (found["n"], found["name"], found["date"]) == ("4", "HUỲNH VĂN DŨNG", "02/01/1998")
    assert _ROW.match("| 1 HUỲNH CÔNG ĐĂNG 29/08/1974 Chủ hộ")["name"] == "HUỲNH CÔNG ĐĂNG"
