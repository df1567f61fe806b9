"""The front of a chip citizen ID card (CĂN CƯỚC CÔNG DÂN / CĂN CƯỚC) lying on a scanner bed.

The card is typeset at true size (85.6 x 54 mm, ISO ID-1) at the page's dpi on a tinted,
guilloche-patterned background with rounded corners, then placed on an A4 page (people
scan cards on a full A4 bed) or on a page cropped close around it.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import numpy as np
from PIL import Image, ImageDraw

from .canvas import Page, Span, TextLine
from .fonts import pick_family
from .marks import emblem, photo, qr_image
from .model import RenderedDoc, RenderedPage
from .people import random_date, random_person
from .wording import dmy

CARD_MM = (85.6, 54.0)


def expiry_for(born: date, issued: date) -> date:
    """Cards are renewed at 25, 40 and 60: expiry is the next of those birthdays."""
    for age in (25, 40, 60):
        limit = (
            born.replace(year=born.year + age)
            if not (born.month == 2 and born.day == 29)
            else date(born.year + age, 3, 1)
        )
        if issued < limit - timedelta(days=730) or age == 60:
            return limit
    raise AssertionError("unreachable")


def _background(rng: random.Random, w: int, h: int) -> Image.Image:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    a = np.array(rng.choice([(226, 238, 240), (232, 240, 228), (236, 234, 244)]), np.float32)
    b = np.array(rng.choice([(246, 232, 226), (244, 240, 222), (230, 236, 246)]), np.float32)
    t = (x / w * 0.7 + y / h * 0.3)[..., None]
    img = a * (1 - t) + b * t
    for k in range(rng.randint(6, 10)):  # guilloche: interleaved sine bands
        freq = rng.uniform(2, 6) * 2 * math.pi / w
        phase = rng.uniform(0, 2 * math.pi)
        amp = rng.uniform(0.05, 0.2) * h
        centre = h * (k + 0.5) / 9
        curve = centre + amp * np.sin(x * freq + phase)
        band = np.exp(-((y - curve) ** 2) / (2 * (0.004 * h) ** 2))[..., None]
        img = img * (1 - 0.18 * band) + np.array((200, 170, 180), np.float32) * 0.18 * band
    return Image.fromarray(img.clip(0, 255).astype(np.uint8), "RGB")


def citizen_id_card(rng: random.Random, dpi: int) -> RenderedDoc:
    dpi = max(dpi, 250)  # card type is 5-7 pt: scanned at least this fine to be readable
    issued = random_date(rng, date(2021, 1, 1), date(2025, 10, 31))
    person = random_person(
        rng, born_between=(issued - timedelta(days=365 * 57), issued - timedelta(days=365 * 14))
    )
    expiry = expiry_for(person.date_of_birth, issued)
    w, h = (round(v / 25.4 * dpi) for v in CARD_MM)
    card = Page(w, h, dpi, rng)
    card.image = _background(rng, w, h)
    card.draw = ImageDraw.Draw(card.image)
    fam = pick_family(rng)
    f = lambda style, pt: card.font(fam, style, pt)  # noqa: E731
    em = emblem(card.px(6.2))
    card.image.paste(em, (card.px(3.5), card.px(3)), em)
    new_card = rng.random() < 0.35
    band = (card.px(17), w - card.px(19))  # between the emblem and the QR code
    cx = (band[0] + band[1]) // 2

    def centred(text: str, style: str, pt: float, y: int, fill=(20, 20, 20)) -> None:
        font = f(style, pt)
        while card.measure(text, font) > band[1] - band[0] and pt > 4:
            pt -= 0.25
            font = f(style, pt)
        card.write(cx - card.measure(text, font) // 2, y, [Span(text, font, fill)])

    heads = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    if new_card:
        heads = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIET NAM"]
    titles = (
        ["CĂN CƯỚC", "IDENTITY CARD"]
        if new_card
        else ["CĂN CƯỚC CÔNG DÂN", "Citizen Identity Card"]
    )
    red = (190, 30, 40)
    centred(heads[0], "bold", 6.0, card.px(5.5))
    centred(heads[1], "bold", 5.6, card.px(8.2))
    centred(titles[0], "bold", 9.0, card.px(12.2), red)
    centred(titles[1], "bold", 5.6, card.px(15.0), red)
    qr_text = "|".join(
        [
            person.id_number,
            person.old_id,
            person.full_name,
            f"{person.date_of_birth:%d%m%Y}",
            person.sex,
            person.residence.text(),
            f"{issued:%d%m%Y}",
        ]
    )
    qr = qr_image(qr_text, card.px(15))
    card.image.paste(qr, (w - qr.width - card.px(3), card.px(3)))
    ph = photo(rng, card.px(20), card.px(26))
    card.image.paste(ph, (card.px(3), card.px(18)))
    lab = f("regular", 5.0)
    val = f("bold", 6.3)
    x = card.px(25.5)
    y = card.px(19.5)
    step = card.px(2.75)
    name = person.full_name.upper()
    origin = person.origin.text(short=rng.random() < 0.6)
    residence = person.residence.text()
    card.write(x, y, [Span("Số / No.:", lab), Span(person.id_number, f("bold", 7.6))])
    y += step + card.px(0.3)
    card.write(x, y, [Span("Họ và tên / Full name:", lab)])
    y += step
    card.write(x, y, [Span(name, val)])
    y += step
    card.write(
        x, y, [Span("Ngày sinh / Date of birth:", lab), Span(dmy(person.date_of_birth), val)]
    )
    y += step
    tab = x + card.px(23)
    card.write(
        x,
        y,
        [
            Span("Giới tính / Sex:", lab),
            Span(person.sex, val),
            Span("Quốc tịch / Nationality:", lab, x=tab),
            Span("Việt Nam", val, x=tab + card.measure("Quốc tịch / Nationality: ", lab)),
        ],
    )
    y += step
    right = w - card.px(3)
    y = _wrapped(
        card, x, y, right, "Quê quán / Place of origin:", origin, lab, val, newline=True, step=step
    )
    y = _wrapped(
        card,
        x,
        y,
        right,
        "Nơi thường trú / Place of residence:",
        residence,
        lab,
        val,
        newline=False,
        step=step,
    )
    ey = card.px(47.5)
    card.write(card.px(3), ey, [Span("Có giá trị đến:", f("regular", 4.8))])
    card.write(
        card.px(3),
        ey + card.px(2.6),
        [Span("Date of expiry:", f("italic", 4.6)), Span(dmy(expiry), f("bold", 5.6))],
    )
    page = _on_scanner_bed(rng, card)
    fields = {
        "id_number": person.id_number,
        "full_name": name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex,
        "nationality": "Việt Nam",
        "place_of_origin": origin,
        "place_of_residence": residence,
        "expiry_date": expiry.isoformat(),
    }
    return RenderedDoc("citizen_id_card", fields, (page,))


def _wrapped(
    card: Page,
    x: int,
    y: int,
    right: int,
    label: str,
    value: str,
    lab,
    val,
    newline: bool,
    step: int,
) -> int:
    """A label then its value wrapped to the card edge (value on the next line if asked)."""
    from .canvas import wrap

    if newline:
        card.write(x, y, [Span(label, lab)])
        y += step
        chunks = wrap(value, val, right - x, right - x)
        first_spans: list[Span] = []
    else:
        lw = card.measure(label + " ", lab)
        chunks = wrap(value, val, right - x - lw, right - x)
        first_spans = [Span(label, lab)]
    for i, chunk in enumerate(chunks):
        spans = ([*first_spans] if i == 0 else []) + [Span(chunk, val)]
        card.write(x, y, spans)
        y += step
    return y


def _on_scanner_bed(rng: random.Random, card: Page) -> RenderedPage:
    """Round the corners, then lay the card on an A4 bed or a page cropped around it."""
    w, h = card.image.size
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=card.px(3.2), fill=255)
    dpi = card.dpi
    bed = rng.choice([(255, 255, 255), (248, 248, 248), (238, 238, 236)])
    if rng.random() < 0.6:
        size = (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi))
        ox, oy = card.px(rng.uniform(4, 40)), card.px(rng.uniform(4, 60))
    else:
        mx, my = card.px(rng.uniform(4, 15)), card.px(rng.uniform(4, 15))
        size = (w + 2 * mx, h + 2 * my)
        ox, oy = mx, my
    page = Image.new("RGB", size, bed)
    shadow = Image.new("RGB", (w, h), tuple(max(0, c - 60) for c in bed))
    page.paste(shadow, (ox + 2, oy + 3), mask)
    page.paste(card.image, (ox, oy), mask)
    lines = tuple(
        TextLine(
            line.text, (line.box[0] + ox, line.box[1] + oy, line.box[2] + ox, line.box[3] + oy)
        )
        for line in card.lines
    )
    return RenderedPage(page, lines, "citizen_id_card", dpi)
