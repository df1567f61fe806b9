"""Generated scans for the clean-up tests: a Vietnamese form page and the ways scans go wrong.

Everything is drawn with Pillow from fixed seeds, so a test failure is reproducible. The page
carries what the stages exist for: diacritics everywhere, dotted leaders under the values,
a table with rules, a red seal over the signer's name and a blue signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
A4_MM = (210.0, 297.0)

LINES = [
    "Họ và tên người yêu cầu: NGUYỄN THỊ HỒNG NHUNG",
    "Ngày, tháng, năm sinh: 12/03/1995   Giới tính: Nữ",
    "Dân tộc: Kinh   Quốc tịch: Việt Nam",
    "Nơi cư trú: Số 18 phố Hàng Bạc, phường Hàng Đào, quận Hoàn Kiếm",
    "Số định danh cá nhân: 001195012345",
    "Quan hệ với chủ hộ: Con đẻ",
]
PROSE = [
    "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm",
    "trước pháp luật về lời khai của mình. Đề nghị cơ quan đăng ký cư trú xác nhận",
    "thông tin về cư trú cho người có tên nêu trên để bổ sung hồ sơ hành chính.",
]


@dataclass(frozen=True)
class Form:
    """A rendered page and what is printed on it."""

    image: np.ndarray  # BGR uint8
    dpi: float
    text: str  # the words printed in black, one line per printed line
    leader_rows: tuple[tuple[int, int, int], ...]  # (y, x0, x1) of each dotted leader
    seal_box: tuple[int, int, int, int]  # x, y, w, h of the red seal
    table_box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the ruled table


def _px(dpi: float, millimetres: float) -> int:
    return round(dpi * millimetres / 25.4)


@cache
def _font(size_pt: float, dpi: float, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_BOLD if bold else FONT, round(size_pt * dpi / 72))


def render_form(dpi: float = 300.0, seal: bool = True, leaders: bool = True) -> Form:
    """An application-form-like A4 page: title, labelled values on dotted leaders, prose, table."""
    width, height = _px(dpi, A4_MM[0]), _px(dpi, A4_MM[1])
    page = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    left = _px(dpi, 20)
    y = _px(dpi, 18)
    printed: list[str] = []

    for title, size in (("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13), ("TỜ KHAI THAY ĐỔI", 15)):
        font = _font(size, dpi, bold=True)
        w = draw.textlength(title, font=font)
        draw.text(((width - w) / 2, y), title, font=font, fill=(0, 0, 0))
        printed.append(title)
        y += _px(dpi, 11)
    y += _px(dpi, 6)

    body = _font(11, dpi)
    step = _px(dpi, 9)
    leader_rows: list[tuple[int, int, int]] = []
    for line in LINES:
        label, value = line.split(": ", 1)
        draw.text((left, y), label + ":", font=body, fill=(0, 0, 0))
        x = left + draw.textlength(label + ": ", font=body)
        ascent = body.getmetrics()[0]
        baseline = y + ascent
        if leaders:
            x1 = width - _px(dpi, 20)
            dots = "." * int((x1 - x) / draw.textlength(".", font=body))
            draw.text((x, y), dots, font=body, fill=(0, 0, 0))
            leader_rows.append((baseline, round(x), x1))
        # the value is typed on the leader, a little to the right, as a clerk fills it in
        draw.text((x + _px(dpi, 8), y - _px(dpi, 1.2)), value, font=body, fill=(0, 0, 0))
        printed.append(f"{label}: {value}")
        y += step

    y += _px(dpi, 4)
    for line in PROSE:
        draw.text((left, y), line, font=_font(10, dpi), fill=(0, 0, 0))
        printed.append(line)
        y += _px(dpi, 6.5)

    # a table with rules
    y += _px(dpi, 6)
    columns = [left, left + _px(dpi, 15), left + _px(dpi, 90), width - _px(dpi, 20)]
    rows = [
        ["TT", "Họ và tên", "Quan hệ"],
        ["1", "Trần Văn Đức", "Chủ hộ"],
        ["2", "Lê Thị Mỹ", "Vợ"],
    ]
    row_h = _px(dpi, 9)
    for r, cells in enumerate(rows):
        top = y + r * row_h
        for c, cell in enumerate(cells):
            draw.text((columns[c] + _px(dpi, 2), top + _px(dpi, 2)), cell, font=body, fill=0)
        printed.append(" ".join(cells))
    rule = max(2, _px(dpi, 0.3))
    for r in range(len(rows) + 1):
        draw.line([(columns[0], y + r * row_h), (columns[-1], y + r * row_h)], fill=0, width=rule)
    for x in columns:
        draw.line([(x, y), (x, y + len(rows) * row_h)], fill=0, width=rule)
    table_box = (columns[0] - 10, y - 10, columns[-1] + 10, y + len(rows) * row_h + 10)
    y += len(rows) * row_h + _px(dpi, 12)

    # signer block: name in black, signature in blue, seal in red over both
    sign_x = width - _px(dpi, 85)
    for line in ("NGƯỜI KHAI", "Nguyễn Thị Hồng Nhung"):
        draw.text((sign_x, y), line, font=_font(11, dpi, bold=True), fill=(0, 0, 0))
        printed.append(line)
        y += _px(dpi, 25)
    sig_y = y - _px(dpi, 40)
    rng = np.random.default_rng(7)
    points = [
        (sign_x + _px(dpi, 5 + 6 * i), sig_y + int(rng.integers(0, _px(dpi, 8)))) for i in range(9)
    ]
    draw.line(points, fill=(30, 50, 200), width=max(2, _px(dpi, 0.5)), joint="curve")
    seal_box = (0, 0, 0, 0)
    if seal:  # seal ink is translucent: it darkens what it covers, it does not hide it
        layer = Image.new("RGB", page.size, (255, 255, 255))
        ink = ImageDraw.Draw(layer)
        red = (220, 30, 40)
        r = _px(dpi, 19)
        cx, cy = sign_x - _px(dpi, 5), y - _px(dpi, 30)
        ring = max(3, _px(dpi, 0.8))
        ink.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=ring)
        inner = r - _px(dpi, 7)
        box = [cx - inner, cy - inner, cx + inner, cy + inner]
        ink.ellipse(box, outline=red, width=ring // 2 + 1)
        star = _font(9, dpi, bold=True)
        ink.text((cx - _px(dpi, 12), cy - _px(dpi, 2)), "UBND PHƯỜNG", font=star, fill=red)
        page = ImageChops.multiply(page, layer)
        seal_box = (cx - r, cy - r, 2 * r, 2 * r)
    image = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)
    return Form(image, dpi, "\n".join(printed), tuple(leader_rows), seal_box, table_box)


@dataclass(frozen=True)
class Line:
    """One grey line of text, perhaps followed by a dotted leader."""

    image: np.ndarray  # grey uint8
    text_right: int  # x just right of the text (the leader starts after it)


def render_line(text: str, dpi: float, leader_mm: float = 60.0, size_pt: float = 11) -> Line:
    """``text`` then ``leader_mm`` of dots, on a white strip, as a form's label line."""
    font = _font(size_pt, dpi)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    text_w = probe.textlength(text + " ", font=font)
    margin = _px(dpi, 5)
    width = round(margin * 2 + text_w + _px(dpi, leader_mm))
    strip = Image.new("L", (width, _px(dpi, 12)), 255)
    draw = ImageDraw.Draw(strip)
    draw.text((margin, _px(dpi, 3)), text, font=font, fill=0)
    if leader_mm:
        dots = "." * int(_px(dpi, leader_mm) / probe.textlength(".", font=font))
        draw.text((margin + text_w, _px(dpi, 3)), dots, font=font, fill=0)
    return Line(np.asarray(strip).copy(), round(margin + text_w - _px(dpi, 0.8)))


def render_filled_line(
    label: str, value: str, dpi: float, size_pt: float = 11, dots: bool = True
) -> Line:
    """A label, then a dotted leader to the end of the strip with ``value`` typed over it:
    the dots show only in the spaces between the value's words and after it, a few each.
    ``text_right`` is the right end of the value (the words are spaced by three dots)."""
    font = _font(size_pt, dpi)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    dot = probe.textlength(".", font=font)
    margin = _px(dpi, 5)
    strip = Image.new("L", (margin * 2 + _px(dpi, 150), _px(dpi, 12)), 255)
    draw = ImageDraw.Draw(strip)
    y = _px(dpi, 3)
    draw.text((margin, y), label, font=font, fill=0)
    x = margin + probe.textlength(label + " ", font=font)
    for word in value.split():
        draw.text((x, y), word, font=font, fill=0)
        x += probe.textlength(word, font=font)
        if dots:  # the leader shows between the words, three dots
            draw.text((x, y), "...", font=font, fill=0)
        x += 3 * dot
    if dots:
        draw.text((x, y), "." * int((strip.width - margin - x) / dot), font=font, fill=0)
    return Line(np.asarray(strip).copy(), round(x - 3 * dot))


def skew(image: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate counter-clockwise by ``degrees`` (text then rises to the right), white fill."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), degrees, 1.0)
    fill = (255,) * (image.shape[2] if image.ndim == 3 else 1)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)


def turn(image: np.ndarray, clockwise: int) -> np.ndarray:
    """Turn by a multiple of 90 degrees clockwise, as a page put in the feeder wrongly."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if clockwise % 360 == 0 else cv2.rotate(image, codes[clockwise % 360])


def degrade(image: np.ndarray, seed: int, noise: float = 12.0, shadow: bool = True) -> np.ndarray:
    """Yellowed paper, a light gradient, sensor noise and salt-and-pepper specks."""
    rng = np.random.default_rng(seed)
    out = image.astype(np.float32)
    out = out * np.array([0.86, 0.95, 1.0], np.float32) if out.ndim == 3 else out * 0.92
    if shadow:
        w = image.shape[1]
        ramp = np.linspace(0.72, 1.0, w, dtype=np.float32)[None, :]
        out *= ramp[..., None] if out.ndim == 3 else ramp
    out += (
        rng.normal(0, noise, out.shape[:2])[..., None]
        if out.ndim == 3
        else rng.normal(0, noise, out.shape)
    )
    out = np.clip(out, 0, 255).astype(np.uint8)
    specks = rng.random(out.shape[:2]) < 0.0005
    out[specks] = 0
    return out


def dark_border(image: np.ndarray, millimetres: float, dpi: float) -> np.ndarray:
    """Paste the page on a dark scanner lid: a dark frame of ``millimetres`` on each side."""
    pad = _px(dpi, millimetres)
    fill = (25, 25, 25) if image.ndim == 3 else 25
    return cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=fill)
