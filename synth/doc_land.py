"""GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT (the "red/pink book"): its page with the owner and the
parcel, and the facing page with the parcel's sketch and later changes (for spreads)."""

from __future__ import annotations

import random
from datetime import date

from .canvas import Span
from .doc_civil import finish
from .elements import choose_style, motto_centered, new_page, place_date, signature_block, title
from .flow import Flow
from .marks import emblem
from .model import RenderedPage
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


NEIGHBOURS = ("Đường bê tông", "Đường đất", "Mương nước", "Ngõ đi chung", "Đất nông nghiệp")


def land_use_back_page(
    rng: random.Random,
    dpi: int,
    fields: dict | None = None,
    paper: tuple[int, int, int] | None = None,
) -> RenderedPage:
    """The page facing the certificate's details when the folded sheet lies open: III. the
    parcel's sketch with its edge lengths, IV. the changes recorded after issue (a ruled
    table, mostly empty). ``fields``: the certificate's, so the sketch names its parcel."""
    style = choose_style(rng)
    page, flow = new_page(rng, dpi, style, paper or rng.choice(PINK))
    _frame(page, rng)
    flow.x0 += page.px(6)
    flow.x1 -= page.px(6)
    flow.y += page.px(8)
    parcel = (fields or {}).get("parcel_number") or str(rng.randint(1, 1500))
    sheet = (fields or {}).get("map_sheet_number") or str(rng.randint(1, 80))
    flow.text("III. Sơ đồ thửa đất, nhà ở và tài sản khác gắn liền với đất", "bold")
    flow.skip(0.5)
    _sketch(flow, rng, f"Thửa {parcel}, tờ {sheet}")
    flow.text("IV. Những thay đổi sau khi cấp giấy chứng nhận", "bold")
    flow.skip(0.3)
    rows = [["", ""] for _ in range(rng.randint(3, 6))]
    if rng.random() < 0.4:
        owner = random_person(rng)
        rows[0] = [
            f"Chuyển nhượng cho {owner.full_name.upper()}",
            random_date(rng, date(2015, 1, 1), date(2025, 6, 30)).strftime("%d/%m/%Y"),
        ]
    flow.table(
        ["Nội dung thay đổi và cơ sở pháp lý", "Xác nhận của cơ quan có thẩm quyền"],
        rows,
        [6.0, 3.5],
        ["left", "center"],
    )
    return finish(page, "land_use_certificate")


def _sketch(flow: Flow, rng: random.Random, name: str) -> None:
    """A four- or five-sided parcel outline with its edge lengths, its name in the middle
    and what borders it on one side; the flow continues below it."""
    page = flow.page
    width = round((flow.x1 - flow.x0) * rng.uniform(0.45, 0.6))
    height = page.px(rng.uniform(55, 80))
    left = (flow.x0 + flow.x1 - width) // 2
    jitter = page.px(8)
    top = flow.y + jitter + page.px(6)  # room for the neighbour's name above
    corners = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    if rng.random() < 0.5:
        corners.insert(2, (1.0, 0.5))
    points = [
        (
            left + round(cx * width) + rng.randint(-jitter, jitter),
            top + round(cy * height) + rng.randint(-jitter, jitter),
        )
        for cx, cy in corners
    ]
    page.draw.polygon(points, outline=(20, 20, 20), width=max(1, page.px(0.4)))
    small = flow.font("regular", 0.8)
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        length = f"{rng.uniform(4, 40):.2f}".replace(".", ",")
        mx, my = (x0 + x1) // 2, (y0 + y1) // 2
        page.write(mx - page.measure(length, small) // 2, my - page.px(1.5), [Span(length, small)])
    label = flow.font("bold", 0.9)
    cx = sum(x for x, _ in points) // len(points)
    cy = sum(y for _, y in points) // len(points)
    page.write(cx - page.measure(name, label) // 2, cy, [Span(name, label)])
    road = rng.choice(NEIGHBOURS)
    page.write(
        (points[0][0] + points[1][0] - page.measure(road, small)) // 2,
        min(points[0][1], points[1][1]) - page.px(7),
        [Span(road, small)],
    )
    flow.y = top + height + jitter + flow.line_height * 2
