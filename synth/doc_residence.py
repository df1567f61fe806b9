"""Residence papers: the CT07 confirmation (Circular 66/2023/TT-BCA) and a SỔ HỘ KHẨU page."""

from __future__ import annotations

import random
from datetime import date

from .doc_civil import finish
from .elements import (
    admin_header,
    choose_style,
    new_page,
    place_date,
    signature_block,
    title,
)
from .model import RenderedDoc, RenderedPage, label
from .people import random_date, random_household, random_person
from .places import place_of_issue, random_address
from .wording import dmy


def _police(addr) -> tuple[str, str]:
    prov = addr.province.full.upper()
    ward = addr.ward.upper()
    return f"CÔNG AN {prov}", f"CÔNG AN {ward}"


def residence_confirmation(rng: random.Random, dpi: int) -> RenderedDoc:
    style = choose_style(rng, form=True)
    page, flow = new_page(rng, dpi, style)
    members = random_household(rng)
    subject = rng.choice(members)
    person = subject.person
    head = members[0].person
    addr = head.residence
    when = random_date(rng, date(2021, 7, 1), date(2025, 10, 31))
    number = f"Số: {rng.randint(10, 9999)}/XN"
    upper, lower = _police(addr)
    admin_header(flow, [upper, lower], number, place_date(rng, addr, when))
    if rng.random() < 0.5:
        flow.text("Mẫu CT07 ban hành kèm theo Thông tư số 66/2023/TT-BCA", "italic", 0.8, "right")
    title(flow, ["XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ"], scale=rng.uniform(1.2, 1.45))
    flow.paragraph(
        f"{lower.title().replace('Công An', 'Công an')} xác nhận thông tin về cư trú "
        "của công dân như sau:",
        indent_mm=10,
    )
    numbered = rng.random() < 0.6
    n = iter(range(1, 40))

    def lab(text: str) -> str:
        return f"{next(n)}. {text}" if numbered else text

    upper_names = rng.random() < 0.8
    name = person.full_name.upper() if upper_names else person.full_name
    head_name = head.full_name.upper() if upper_names else head.full_name
    hand = style.hand_family is not None
    flow.field(
        lab(label(rng, "full_name")), name, style="bold" if upper_names else "regular", hand=hand
    )
    if rng.random() < 0.5:
        flow.fields_inline(
            [(lab(label(rng, "dob")), dmy(person.date_of_birth)), (lab("Giới tính:"), person.sex)],
            hand=hand,
        )
    else:
        flow.field(lab(label(rng, "dob")), dmy(person.date_of_birth), hand=hand)
        flow.field(lab("Giới tính:"), person.sex, hand=hand)
    flow.field(lab("Số định danh cá nhân:"), person.id_number, hand=hand)
    permanent = addr.text()
    current = permanent if rng.random() < 0.6 else random_address(rng).text()
    flow.field(lab("Nơi thường trú:"), permanent, hand=hand)
    if rng.random() < 0.5:
        flow.field(lab("Nơi tạm trú:"), "Không" if current == permanent else current, hand=hand)
    flow.field(lab(label(rng, "current")), current, hand=hand)
    flow.field(lab("Họ, chữ đệm và tên chủ hộ:"), head_name, hand=hand)
    relation = subject.relationship
    flow.field(lab("Quan hệ với chủ hộ:"), relation, hand=hand)
    if rng.random() < 0.6:
        flow.text(lab("Thông tin các thành viên trong hộ gia đình:"), "regular", 1.0)
        rows = [
            [
                str(i + 1),
                m.person.full_name.upper() if upper_names else m.person.full_name,
                dmy(m.person.date_of_birth),
                m.person.sex,
                m.person.id_number,
                m.relationship,
            ]
            for i, m in enumerate(members)
        ]
        flow.table(
            ["TT", "Họ, chữ đệm và tên", "Ngày sinh", "Giới tính", "Số ĐDCN", "Quan hệ"],
            rows,
            [0.5, 3.2, 1.6, 1.2, 2.2, 1.3],
            ["center", "left", "center", "center", "center", "left"],
        )
    flow.paragraph(
        "Thông tin về cư trú của công dân nêu trên có giá trị sử dụng trong thời hạn "
        "30 ngày kể từ ngày xác nhận.",
        indent_mm=10,
        style="italic",
    )
    flow.skip(0.5)
    signature_block(
        flow,
        ["TRƯỞNG CÔNG AN"] if rng.random() < 0.6 else ["KT. TRƯỞNG CÔNG AN", "PHÓ TRƯỞNG CÔNG AN"],
        random_person(rng, sex="Nam").full_name,
        seal_texts=(f"{lower} * {addr.district.upper()} * {upper} *", "CÔNG AN"),
        note="(Ký, ghi rõ họ tên, đóng dấu)" if rng.random() < 0.4 else None,
    )
    fields = {
        "full_name": name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex,
        "personal_id": person.id_number,
        "permanent_residence": permanent,
        "current_residence": current,
        "household_head_name": head_name,
        "relationship_to_head": relation,
    }
    return RenderedDoc("residence_confirmation", fields, (finish(page, "residence_confirmation"),))


def household_register(
    rng: random.Random, dpi: int, *, two_pages: bool | None = None
) -> RenderedDoc:
    """One page (info and members) or two (the booklet's info page, then the members page);
    ``two_pages`` forces the choice (a booklet spread needs both pages), else it is drawn."""
    style = choose_style(rng)
    paper = rng.choice([(250, 248, 240), (246, 246, 238), (255, 255, 255)])
    members = random_household(rng, rng.choice([3, 4, 5, 6, 7, 8]))
    head = members[0].person
    addr = head.residence
    register_no = f"{rng.randrange(10**8, 10**9)}"
    when = random_date(rng, date(1995, 1, 1), date(2020, 12, 31))
    upper = _police(addr)[0]
    drawn = rng.random() < 0.45  # drawn either way: a seed makes the same register
    two_pages = drawn if two_pages is None else two_pages
    page, flow = new_page(rng, dpi, style, paper)
    if rng.random() < 0.5:
        admin_header(flow, [upper, f"CÔNG AN {addr.district.upper()}"], None, None)
    else:
        flow.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", 1.0, "center")
        flow.text("Độc lập - Tự do - Hạnh phúc", "bold", 1.0, "center", underline=1.0)
        flow.skip(0.5)
    title(flow, ["SỔ HỘ KHẨU"], scale=rng.uniform(1.6, 2.1))
    flow.text(f"Số: {register_no}", "bold", 1.1, "center")
    flow.skip(0.5)
    head_name = head.full_name.upper() if rng.random() < 0.8 else head.full_name
    flow.field(
        rng.choice(["Họ và tên chủ hộ:", "Họ tên chủ hộ:", "Chủ hộ:"]), head_name, style="bold"
    )
    permanent = addr.text()
    flow.field(rng.choice(["Nơi thường trú:", "Địa chỉ:", "Địa chỉ thường trú:"]), permanent)
    rows = [
        [str(i + 1), m.person.full_name.upper(), dmy(m.person.date_of_birth), m.relationship]
        for i, m in enumerate(members)
    ]
    headers = [
        "STT",
        "Họ và tên",
        rng.choice(["Ngày sinh", "Ngày, tháng, năm sinh"]),
        rng.choice(["Quan hệ với chủ hộ", "Quan hệ"]),
    ]
    pages: list[RenderedPage] = []
    if two_pages:
        flow.skip(0.5)
        flow.paragraph(
            f"Sổ hộ khẩu được cấp cho hộ gia đình ông (bà) {head.full_name} "
            f"đăng ký thường trú tại {permanent}.",
            indent_mm=8,
        )
        flow.skip(1)
        flow.text(f"{place_of_issue(addr)}, {dmy(when).replace('/', '-')}", "italic", 1.0, "right")
        signature_block(
            flow,
            ["TRƯỞNG CÔNG AN"],
            random_person(rng, sex="Nam").full_name,
            seal_texts=(f"CÔNG AN {addr.district.upper()} * {upper} *", "CÔNG AN"),
        )
        pages.append(finish(page, "household_register"))
        page, flow = new_page(rng, dpi, style, paper)
        flow.text("NHỮNG NGƯỜI TRONG HỘ", "bold", 1.2, "center")
        flow.text(f"Sổ số: {register_no}", "regular", 1.0, "right")
        flow.skip(0.3)
    else:
        flow.skip(0.3)
        flow.text("Danh sách nhân khẩu trong hộ:", "bold", 1.0)
    flow.table(headers, rows, [0.6, 3.6, 2.0, 2.0], ["center", "left", "center", "left"])
    if not two_pages:
        flow.text(place_date(rng, addr, when), "italic", 1.0, "right")
        signature_block(
            flow,
            ["TRƯỞNG CÔNG AN"],
            random_person(rng, sex="Nam").full_name,
            seal_texts=(f"CÔNG AN {addr.district.upper()} * {upper} *", "CÔNG AN"),
        )
    else:
        flow.skip(1)
        flow.paragraph(
            "Cán bộ đăng ký ký và ghi rõ họ tên vào từng trang khi có thay đổi.",
            style="italic",
            scale=0.9,
        )
    pages.append(finish(page, "household_register"))
    fields = {
        "register_number": register_no,
        "household_head_name": head_name,
        "permanent_address": permanent,
        "members": [
            {
                "full_name": r[1],
                "date_of_birth": m.person.date_of_birth.isoformat(),
                "relationship": m.relationship,
            }
            for r, m in zip(rows, members, strict=True)
        ],
    }
    return RenderedDoc("household_register", fields, tuple(pages))
