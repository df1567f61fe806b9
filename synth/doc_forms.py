"""Citizen-filled forms (TỜ KHAI / ĐƠN ĐỀ NGHỊ) and the `unknown` papers of a dossier:
a one-stop-shop receipt, a notice, an invitation, a plain letter."""

from __future__ import annotations

import random
from datetime import date

from .canvas import Span
from .doc_civil import finish
from .elements import (
    admin_header,
    choose_style,
    motto_centered,
    new_page,
    place_date,
    seal_texts_for,
    signature_block,
    title,
)
from .model import RenderedDoc, label
from .people import dossier_code, random_date, random_person
from .places import authority_names
from .wording import dmy

FORM_TITLES = (
    ["TỜ KHAI ĐĂNG KÝ KHAI SINH"],
    ["TỜ KHAI ĐĂNG KÝ KẾT HÔN"],
    ["TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ"],
    ["TỜ KHAI CĂN CƯỚC"],
    [
        "ĐƠN ĐỀ NGHỊ CẤP GIẤY CHỨNG NHẬN",
        "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
        "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
    ],
    ["TỜ KHAI CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH"],
    ["ĐƠN ĐỀ NGHỊ XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ"],
    ["TỜ KHAI ĐĂNG KÝ KHAI TỬ"],
    ["ĐƠN ĐỀ NGHỊ CẤP GIẤY XÁC NHẬN", "TÌNH TRẠNG HÔN NHÂN"],
)
NAME_LABELS = (
    "Họ, chữ đệm, tên người yêu cầu:",
    "Họ và tên người yêu cầu:",
    "Họ, chữ đệm, tên người khai:",
    "Họ và tên người đề nghị:",
    "Tôi tên là:",
)
PURPOSES = (
    "Bổ sung hồ sơ vay vốn ngân hàng",
    "Làm thủ tục nhập học cho con",
    "Hoàn thiện hồ sơ xin việc",
    "Bổ sung hồ sơ đăng ký kinh doanh",
    "Làm thủ tục chuyển nhượng quyền sử dụng đất",
)
UNKNOWN_KINDS = ("receipt", "notice", "invitation", "letter")
FILLER = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015.",
    "Thực hiện kế hoạch cải cách thủ tục hành chính năm {year} của Ủy ban nhân dân {district}.",
    "Đề nghị các cơ quan, tổ chức, cá nhân có liên quan phối hợp thực hiện.",
    "Hồ sơ được tiếp nhận tại Bộ phận Một cửa, trả kết quả theo giấy hẹn.",
    "Mọi thắc mắc xin liên hệ cán bộ tiếp nhận trong giờ hành chính.",
    "Tổ dân phố tổ chức họp vào lúc 19 giờ 30 phút tại nhà văn hóa khu dân cư.",
    "Kính mong ông (bà) sắp xếp thời gian đến dự đầy đủ và đúng giờ.",
    "Công dân mang theo bản chính giấy tờ để đối chiếu khi nhận kết quả.",
    "Trường hợp hồ sơ chưa đầy đủ, cán bộ sẽ hướng dẫn bổ sung một lần.",
)


def application_form(rng: random.Random, dpi: int) -> RenderedDoc:
    style = choose_style(rng, form=True)
    page, flow = new_page(rng, dpi, style)
    person = random_person(rng, born_between=(date(1950, 1, 1), date(2004, 12, 31)))
    addr = person.residence
    when = random_date(rng, date(2019, 1, 1), date(2025, 11, 30))
    motto_centered(flow)
    flow.skip(0.3)
    lines = rng.choice(FORM_TITLES)
    title(flow, lines, scale=rng.uniform(1.15, 1.45))
    form_title = " ".join(lines)
    ward_body = authority_names(addr)[0].replace("UBND", "Ủy ban nhân dân")
    recipient = rng.choice([ward_body, f"Công an {addr.ward}", f"Ủy ban nhân dân {addr.district}"])
    flow.line([Span("Kính gửi:", flow.font("bold")), Span(recipient, flow.font())], "center")
    flow.skip(0.3)
    hand = style.hand_family is not None or rng.random() < 0.3
    if hand and style.hand_family is None:
        from .fonts import pick_family

        flow.hand_family = pick_family(rng)
    upper = rng.random() < 0.5
    name = person.full_name.upper() if upper else person.full_name
    flow.field(rng.choice(NAME_LABELS), name, hand=hand)
    if rng.random() < 0.6:
        flow.fields_inline(
            [(label(rng, "dob"), dmy(person.date_of_birth)), ("Giới tính:", person.sex)], hand=hand
        )
    else:
        flow.field(label(rng, "dob"), dmy(person.date_of_birth), hand=hand)
    flow.fields_inline([("Dân tộc:", person.ethnicity), ("Quốc tịch:", "Việt Nam")], hand=hand)
    id_no = person.id_number if not person.old_id or rng.random() < 0.8 else person.old_id
    id_label = (
        rng.choice(["Số định danh cá nhân:", "Số CCCD:", "Giấy tờ tùy thân số:", "Số CMND/CCCD:"])
        if len(id_no) == 12
        else "Số CMND:"
    )
    flow.field(id_label, id_no, hand=hand)
    flow.field(
        rng.choice(["Nơi cư trú:", "Nơi thường trú:", "Địa chỉ liên hệ:"]), addr.text(), hand=hand
    )
    if rng.random() < 0.6:
        flow.field("Số điện thoại:", f"09{rng.randrange(10**8):08d}", hand=hand)
    flow.field("Nội dung đề nghị:", rng.choice(PURPOSES), hand=hand)
    if rng.random() < 0.5:
        flow.field("Lý do:", rng.choice(PURPOSES).lower().capitalize(), hand=hand)
    flow.skip(0.3)
    flow.paragraph(
        "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách "
        "nhiệm trước pháp luật về cam đoan của mình.",
        indent_mm=10,
    )
    flow.text(f"Làm tại: {place_date(rng, addr, when)}", "italic", 1.0, "right")
    signature_block(
        flow,
        [rng.choice(["NGƯỜI YÊU CẦU", "NGƯỜI KHAI", "NGƯỜI ĐỀ NGHỊ"])],
        person.full_name,
        seal_texts=None,
        note="(Ký, ghi rõ họ, chữ đệm, tên)",
    )
    fields = {"form_title": form_title, "applicant_name": name, "applicant_id_number": id_no}
    return RenderedDoc("application_form", fields, (finish(page, "application_form"),))


def unknown_document(rng: random.Random, dpi: int) -> RenderedDoc:
    style = choose_style(rng)
    page, flow = new_page(rng, dpi, style)
    kind = rng.choice(UNKNOWN_KINDS)
    person = random_person(rng)
    addr = person.residence
    when = random_date(rng, date(2020, 1, 1), date(2025, 11, 30))
    ward_body, district_body = authority_names(addr)
    fill = {"year": when.year, "district": addr.district}
    if kind == "letter":
        flow.skip(1)
        flow.text(f"Kính gửi: {rng.choice(['Ông', 'Bà'])} {person.full_name}", "bold")
        flow.skip(0.5)
        for _ in range(rng.randint(3, 6)):
            flow.paragraph(" ".join(s.format(**fill) for s in rng.sample(FILLER, 3)), indent_mm=10)
        flow.skip(0.5)
        flow.text(place_date(rng, addr, when), "italic", 1.0, "right")
        signature_block(flow, ["Người viết thư"], random_person(rng).full_name, seal_texts=None)
        return RenderedDoc("unknown", {}, (finish(page, "unknown"),))
    number = f"Số: {rng.randint(1, 999)}/{rng.choice(['TB-UBND', 'GM-UBND', 'BN-MC'])}"
    admin_header(flow, [district_body, ward_body], number, place_date(rng, addr, when))
    if kind == "receipt":
        title(
            flow,
            ["GIẤY BIÊN NHẬN HỒ SƠ", "VÀ HẸN TRẢ KẾT QUẢ"]
            if rng.random() < 0.6
            else ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"],
            scale=1.2,
        )
        flow.field("Mã hồ sơ:", dossier_code(rng, when), style="bold")
        flow.field("Tiếp nhận hồ sơ của:", person.full_name.upper())
        flow.field("Địa chỉ:", addr.text())
        flow.field("Nội dung yêu cầu giải quyết:", rng.choice(FORM_TITLES)[0].capitalize())
        flow.text("Thành phần hồ sơ gồm:", "regular")
        for i, item in enumerate(
            rng.sample(
                [
                    "Tờ khai theo mẫu",
                    "Bản sao giấy khai sinh",
                    "Bản sao căn cước công dân",
                    "Giấy tờ chứng minh chỗ ở hợp pháp",
                    "Sổ hộ khẩu",
                ],
                3,
            )
        ):
            flow.paragraph(f"{i + 1}. {item}: 01 bản", indent_mm=8)
        flow.field("Thời gian trả kết quả:", f"ngày {dmy(when)}")
    else:
        title(flow, ["THÔNG BÁO"] if kind == "notice" else ["GIẤY MỜI"], scale=1.4)
        for _ in range(rng.randint(2, 5)):
            flow.paragraph(" ".join(s.format(**fill) for s in rng.sample(FILLER, 2)), indent_mm=10)
    flow.skip(0.5)
    signature_block(
        flow,
        ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"] if kind != "receipt" else ["NGƯỜI TIẾP NHẬN"],
        random_person(rng).full_name,
        seal_texts=seal_texts_for(ward_body, addr) if kind != "receipt" else None,
    )
    return RenderedDoc("unknown", {}, (finish(page, "unknown"),))
