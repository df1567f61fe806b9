"""GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT (the "red/pink book"), its inner page with the parcel."""

from __future__ import annotations

import random
from datetime import date

from .doc_civil import finish
from .elements import choose_style, motto_centered, new_page, place_date, signature_block, title
from .marks import emblem
from .people import random_date, random_person
from .places import random_address
from .wording import area_text, number_words

TITLES = (
    [
        "GIẤY CHỨNG NHẬN",
        "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
        "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
    ],
    ["GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT"],
    ["GIẤY CHỨNG NHẬN", "QUYỀN SỬ DỤNG ĐẤT"],
)
SERIAL_LETTERS = ("CS", "BK", "CH", "CT", "DA", "BS", "AK", "BP", "CĐ", "DĐ")
PURPOSES = (
    "Đất ở tại đô thị",
    "Đất ở tại nông thôn",
    "Đất trồng cây lâu năm",
    "Đất trồng lúa",
    "Đất ở tại nông thôn và đất trồng cây lâu năm",
)
ORIGINS = (
    "Nhà nước công nhận quyền sử dụng đất",
    "Nhận chuyển nhượng đất được công nhận QSDĐ",
    "Nhận thừa kế đất được công nhận QSDĐ",
    "Nhà nước giao đất có thu tiền sử dụng đất",
)
PINK = ((252, 236, 236), (250, 232, 228), (253, 240, 238))


def land_use_certificate(rng: random.Random, dpi: int):
    from .model import RenderedDoc

    style = choose_style(rng)
    page, flow = new_page(rng, dpi, style, rng.choice(PINK))
    _frame(page, rng)
    flow.x0 += page.px(6)
    flow.x1 -= page.px(6)
    flow.y += page.px(8)
    owner = random_person(rng, born_between=(date(1940, 1, 1), date(1995, 12, 31)))
    parcel_addr = random_address(rng, owner.residence.province)
    issued = random_date(rng, date(2010, 1, 1), date(2024, 12, 31))
    radius = page.px(rng.uniform(9, 12))
    page.image.paste(em := emblem(radius), ((page.width - em.width) // 2, flow.y - radius // 2), em)
    flow.y += 2 * radius
    motto_centered(flow)
    title(flow, rng.choice(TITLES), scale=rng.uniform(1.15, 1.4))
    serial = f"{rng.choice(SERIAL_LETTERS)} {rng.randrange(10**6):06d}"
    flow.text("I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất", "bold")
    owner_name = owner.full_name.upper()
    honorific = "Ông" if owner.sex == "Nam" else "Bà"
    id_no = owner.id_number if not owner.old_id or rng.random() < 0.6 else owner.old_id
    kind = "CCCD số" if len(id_no) == 12 else "CMND số"
    flow.field(f"{honorific}:", owner_name, style="bold")
    flow.paragraph(f"Năm sinh: {owner.date_of_birth.year}; {kind}: {id_no}")
    flow.paragraph(f"Địa chỉ thường trú: {owner.residence.text()}")
    flow.skip(0.4)
    flow.text("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", "bold")
    flow.text("1. Thửa đất:", "regular")
    parcel = str(rng.randint(1, 1500))
    sheet = str(rng.randint(1, 80))
    urban = parcel_addr.ward.startswith("phường")
    area = round(rng.uniform(40, 180) if urban else rng.uniform(150, 2500), rng.choice([0, 1, 1]))
    area_str = area_text(area)
    parcel_text = parcel_addr.text()
    indent = 6
    if rng.random() < 0.5:
        flow.paragraph(f"a) Thửa đất số: {parcel}, tờ bản đồ số: {sheet};", indent_mm=indent)
    else:
        flow.paragraph(f"a) Thửa đất số: {parcel};", indent_mm=indent)
        flow.paragraph(f"Tờ bản đồ số: {sheet};", indent_mm=indent)
    flow.paragraph(f"b) Địa chỉ: {parcel_text};", indent_mm=indent)
    area_line = f"c) Diện tích: {area_str} m²"
    if area == int(area) and rng.random() < 0.6:
        words = number_words(int(area))
        area_line += f" (Bằng chữ: {words[0].upper() + words[1:]} mét vuông)"
    flow.paragraph(area_line + ";", indent_mm=indent)
    flow.paragraph(
        f"d) Hình thức sử dụng: {rng.choice(['Sử dụng riêng', 'Riêng'])};", indent_mm=indent
    )
    flow.paragraph(f"đ) Mục đích sử dụng: {rng.choice(PURPOSES)};", indent_mm=indent)
    flow.paragraph(
        f"e) Thời hạn sử dụng: {rng.choice(['Lâu dài', 'Đến ngày 15/10/2063'])};", indent_mm=indent
    )
    flow.paragraph(f"g) Nguồn gốc sử dụng: {rng.choice(ORIGINS)}.", indent_mm=indent)
    flow.text(
        "2. Nhà ở: "
        + rng.choice(
            [
                "-/-",
                "Không",
                f"Nhà ở riêng lẻ, diện tích xây dựng {area_text(round(area * 0.6, 1))} m²",
            ]
        )
    )
    flow.skip(0.5)
    flow.text(place_date(rng, parcel_addr, issued), "italic", 1.0, "right")
    signature_block(
        flow,
        ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
        if rng.random() < 0.5
        else ["SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "GIÁM ĐỐC"],
        random_person(rng).full_name,
        seal_texts=(
            f"ỦY BAN NHÂN DÂN * {parcel_addr.district.upper()} * "
            f"{parcel_addr.province.full.upper()} *",
            "UBND",
        ),
    )
    flow.y = max(flow.y, page.height - page.px(28))
    serial_font = flow.font("bold", 1.15)
    flow.line([_red(serial, serial_font)], "left")
    fields = {
        "owner_name": owner_name,
        "parcel_number": parcel,
        "map_sheet_number": sheet,
        "parcel_address": parcel_text,
        "area_m2": float(area),
        "certificate_serial": serial,
    }
    return RenderedDoc("land_use_certificate", fields, (finish(page, "land_use_certificate"),))


def _red(text: str, font):
    from .canvas import Span

    return Span(text, font, (190, 30, 35))


def _frame(page, rng: random.Random) -> None:
    """The certificate's decorative double border."""
    m = page.px(rng.uniform(8, 12))
    colour = rng.choice([(180, 60, 60), (160, 110, 60), (120, 60, 60)])
    page.draw.rectangle(
        (m, m, page.width - m, page.height - m), outline=colour, width=max(2, page.px(0.8))
    )
    m2 = m + page.px(1.8)
    page.draw.rectangle(
        (m2, m2, page.width - m2, page.height - m2), outline=colour, width=max(1, page.px(0.3))
    )
