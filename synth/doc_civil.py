"""Civil-status certificates: GIẤY KHAI SINH and GIẤY CHỨNG NHẬN KẾT HÔN (Circular 04/2020)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .canvas import Page
from .elements import (
    admin_header,
    choose_style,
    motto_centered,
    new_page,
    place_date,
    seal_texts_for,
    signature_block,
    sub_flow,
    title,
)
from .flow import Flow
from .model import RenderedDoc, RenderedPage, label
from .people import Person, random_date, random_name, random_person
from .places import authority_names, random_address
from .wording import date_words, dmy

SIGNER_TITLES = (
    ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
    ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
    ["NGƯỜI KÝ GIẤY KHAI SINH"],
    ["CHỦ TỊCH"],
)


def finish(page: Page, kind: str) -> RenderedPage:
    return RenderedPage(page.image, tuple(page.lines), kind, page.dpi)


def _header(rng: random.Random, flow: Flow, addr, reg_no: str, book: str) -> None:
    ward_body, district_body = authority_names(addr)
    if rng.random() < 0.6:
        number = f"Số: {reg_no}"
        admin_header(flow, [district_body, ward_body], number, None)
        if rng.random() < 0.6:
            flow.text(f"Quyển số: {book}", "regular", 0.95, "left")
    else:
        motto_centered(flow)
        flow.fields_inline([("Số:", reg_no), ("Quyển số:", book)])


def birth_certificate(rng: random.Random, dpi: int) -> RenderedDoc:
    style = choose_style(rng, form=True)
    page, flow = new_page(rng, dpi, style)
    child = random_person(rng, born_between=(date(1965, 1, 1), date(2023, 12, 31)))
    mother_name = " ".join(random_name(rng, "Nữ"))
    father_name = f"{child.family} {' '.join(random_name(rng, 'Nam')[1:])}"
    reg_date = child.date_of_birth + timedelta(days=rng.randint(3, 60))
    reg_no = str(rng.randint(1, 480))
    book = f"{rng.randint(1, 3):02d}/{reg_date.year}"
    addr = child.residence
    _header(rng, flow, addr, reg_no, book)
    flow.skip(0.4)
    title(flow, ["GIẤY KHAI SINH"], scale=rng.uniform(1.4, 1.8))
    if rng.random() < 0.4:
        flow.text("(Bản chính)", "italic", 0.95, "center")
    upper = rng.random() < 0.85
    name = child.full_name.upper() if upper else child.full_name
    hand = style.hand_family is not None
    flow.field(label(rng, "full_name"), name, style="bold" if upper else "regular", hand=hand)
    flow.field(label(rng, "dob"), dmy(child.date_of_birth), hand=hand)
    if rng.random() < 0.6:
        flow.field("Ghi bằng chữ:", date_words(child.date_of_birth), hand=hand)
    pob = _place_of_birth(rng, child)
    if rng.random() < 0.5:
        flow.fields_inline(
            [("Giới tính:", child.sex), ("Dân tộc:", child.ethnicity), ("Quốc tịch:", "Việt Nam")],
            hand=hand,
        )
    else:
        flow.fields_inline([("Giới tính:", child.sex), ("Dân tộc:", child.ethnicity)], hand=hand)
        flow.field("Quốc tịch:", "Việt Nam", hand=hand)
    flow.field(label(rng, "pob"), pob, hand=hand)
    origin = child.origin.text(short=True)
    flow.field("Quê quán:", origin, hand=hand)
    flow.field("Số định danh cá nhân:", child.id_number, hand=hand)
    parents = [("mẹ", mother_name, "Nữ"), ("cha", father_name, "Nam")]
    if rng.random() < 0.3:
        parents.reverse()
    printed: dict[str, str] = {}
    parents_upper = rng.random() < 0.85
    for role, pname, _sex in parents:
        flow.skip(0.2)
        shown = pname.upper() if parents_upper else pname
        printed[role] = shown
        flow.field(f"Họ, chữ đệm, tên người {role}:", shown, hand=hand)
        born_year = child.date_of_birth.year - rng.randint(19, 40)
        flow.fields_inline(
            [
                ("Năm sinh:", str(born_year)),
                ("Dân tộc:", child.ethnicity),
                ("Quốc tịch:", "Việt Nam"),
            ],
            hand=hand,
        )
        flow.field("Nơi cư trú:", addr.text(), hand=hand)
    flow.skip(0.2)
    flow.field("Nơi đăng ký khai sinh:", f"Ủy ban nhân dân {addr.ward}, {addr.district}", hand=hand)
    flow.field("Ngày, tháng, năm đăng ký:", dmy(reg_date), hand=hand)
    flow.skip(0.6)
    signature_block(
        flow,
        rng.choice(SIGNER_TITLES),
        random_person(rng).full_name,
        seal_texts=seal_texts_for(authority_names(addr)[0], addr),
        note="(Ký, ghi rõ họ, chữ đệm, tên, đóng dấu)" if rng.random() < 0.3 else None,
    )
    fields = {
        "full_name": name,
        "date_of_birth": child.date_of_birth.isoformat(),
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "nationality": "Việt Nam",
        "place_of_birth": pob,
        "place_of_origin": origin,
        "personal_id": child.id_number,
        "mother_name": printed["mẹ"],
        "father_name": printed["cha"],
        "registration_number": reg_no,
        "registration_date": reg_date.isoformat(),
    }
    return RenderedDoc("birth_certificate", fields, (finish(page, "birth_certificate"),))


def _place_of_birth(rng: random.Random, child: Person) -> str:
    addr = child.origin if rng.random() < 0.5 else child.residence
    prov = addr.province
    choice = rng.random()
    if choice < 0.35:
        return f"Bệnh viện Đa khoa {prov.full}"
    if choice < 0.55:
        return f"Bệnh viện Phụ sản {prov.name}"
    if choice < 0.8:
        return f"Trạm Y tế {addr.ward}, {addr.district}, {prov.full}"
    return addr.text(short=True)


def marriage_certificate(rng: random.Random, dpi: int) -> RenderedDoc:
    style = choose_style(rng, form=True)
    page, flow = new_page(rng, dpi, style)
    reg_date = random_date(rng, date(2000, 1, 1), date(2025, 6, 30))
    hi = reg_date - timedelta(days=365 * 19)
    lo = reg_date - timedelta(days=365 * 45)
    husband = random_person(rng, sex="Nam", born_between=(lo, hi))
    wlo = max(lo, husband.date_of_birth - timedelta(days=365 * 5))
    whi = min(hi, husband.date_of_birth + timedelta(days=365 * 8))
    wife = random_person(rng, sex="Nữ", born_between=(min(wlo, whi), whi))
    addr = random_address(rng)
    reg_no = str(rng.randint(1, 300))
    book = f"{rng.randint(1, 2):02d}/{reg_date.year}"
    if rng.random() < 0.5:
        motto_centered(flow)
    else:
        ward_body, district_body = authority_names(addr)
        admin_header(flow, [district_body, ward_body], None, None)
    flow.skip(0.3)
    title(flow, ["GIẤY CHỨNG NHẬN KẾT HÔN"], scale=rng.uniform(1.3, 1.6))
    upper = rng.random() < 0.85
    hand = style.hand_family is not None
    shown = {}
    two_columns = rng.random() < 0.5
    mid = (flow.x0 + flow.x1) // 2
    columns = [
        ("chồng", husband, sub_flow(flow, flow.x0, mid - flow.page.px(3))),
        ("vợ", wife, sub_flow(flow, mid + flow.page.px(3), flow.x1)),
    ]
    start_y = flow.y
    for role, person, col in columns:
        target = col if two_columns else flow
        name = person.full_name.upper() if upper else person.full_name
        id_no = person.id_number if not person.old_id or rng.random() < 0.75 else person.old_id
        shown[role] = (name, id_no)
        if two_columns:
            target.text(f"Thông tin người {role}", "bold", 1.0, "center")
            target.field(
                label(rng, "full_name"), name, style="bold" if upper else "regular", hand=hand
            )
        else:
            target.field(
                f"Họ, chữ đệm, tên {role}:", name, style="bold" if upper else "regular", hand=hand
            )
        target.field(label(rng, "dob"), dmy(person.date_of_birth), hand=hand)
        target.field("Dân tộc:", person.ethnicity, hand=hand)
        target.field("Quốc tịch:", "Việt Nam", hand=hand)
        target.field("Nơi cư trú:", person.residence.text(), hand=hand)
        kind = "CCCD số" if len(id_no) == 12 else "CMND số"
        target.field("Giấy tờ tùy thân:", f"{kind} {id_no}", hand=hand)
        if two_columns:
            flow.y = max(flow.y, col.y, start_y)
        else:
            flow.skip(0.3)
    flow.skip(0.3)
    flow.field(
        "Nơi đăng ký kết hôn:",
        f"Ủy ban nhân dân {addr.ward}, {addr.district}, {addr.province.full}",
        hand=hand,
    )
    flow.fields_inline([("Số:", reg_no), ("Quyển số:", book)], hand=hand)
    flow.field("Ngày, tháng, năm đăng ký:", dmy(reg_date), hand=hand)
    flow.text(place_date(rng, addr, reg_date), "italic", 1.0, "right")
    flow.skip(0.5)
    y0 = flow.y
    for role, cx in (("Chồng", 0.13), ("Vợ", 0.41)):
        flow.y = y0
        signature_block(
            flow,
            [role],
            shown["chồng" if role == "Chồng" else "vợ"][0],
            seal_texts=None,
            x_center=flow.x0 + round((flow.x1 - flow.x0) * cx),
            half_frac=0.13,
        )
    flow.y = y0
    signature_block(
        flow,
        rng.choice(SIGNER_TITLES[:2]),
        random_person(rng).full_name,
        seal_texts=seal_texts_for(authority_names(addr)[0], addr),
        x_center=flow.x0 + round((flow.x1 - flow.x0) * 0.77),
    )
    fields = {
        "husband_name": shown["chồng"][0],
        "husband_date_of_birth": husband.date_of_birth.isoformat(),
        "husband_id_number": shown["chồng"][1],
        "wife_name": shown["vợ"][0],
        "wife_date_of_birth": wife.date_of_birth.isoformat(),
        "wife_id_number": shown["vợ"][1],
        "registration_number": reg_no,
        "registration_date": reg_date.isoformat(),
    }
    return RenderedDoc("marriage_certificate", fields, (finish(page, "marriage_certificate"),))
