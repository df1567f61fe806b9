"""Non-text marks of real paper: red round seals, blue signatures, QR codes, Code 128 bars,
the national emblem and an ID photo.

Seals and signatures are drawn on their own RGBA layers and laid on the page with a
multiply blend, so black type under a seal stays black and the red and blue survive as
colours for preprocessing to separate.
"""

from __future__ import annotations

import math
import random

import barcode
import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SEAL_RED = (205, 32, 40)
SIGN_BLUE = (22, 40, 150)


def seal(
    rng: random.Random, radius: int, ring_text: str, center_text: str, font_path: str
) -> Image.Image:
    """An official round seal: outer ring(s), curved text, a star and a centre line."""
    size = 2 * radius + 8
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    c = size // 2
    width = max(2, radius // 22)
    draw.ellipse(
        (c - radius, c - radius, c + radius, c + radius), outline=(*SEAL_RED, 255), width=width
    )
    inner = round(radius * rng.uniform(0.66, 0.72))
    if rng.random() < 0.8:
        draw.ellipse(
            (c - inner, c - inner, c + inner, c + inner),
            outline=(*SEAL_RED, 255),
            width=max(1, width // 2),
        )
    r_text = round((radius + inner) / 2)
    fit = 2 * math.pi * r_text * (300 / 360) / max(1, len(ring_text)) * 1.25
    _curved_text(
        layer, ring_text, c, r_text, font_path, size_px=round(min((radius - inner) * 0.62, fit))
    )
    _star(draw, c, c - round(inner * 0.45), round(inner * 0.22), (*SEAL_RED, 255))
    font = ImageFont.truetype(font_path, max(8, round(inner * 0.2)))
    draw.text(
        (c, c + round(inner * 0.2)), center_text, font=font, fill=(*SEAL_RED, 255), anchor="mm"
    )
    return _uneven_ink(layer, rng, strength=0.45)


def _curved_text(
    layer: Image.Image, text: str, c: int, r: int, font_path: str, size_px: int
) -> None:
    font = ImageFont.truetype(font_path, max(8, size_px))
    span = 300.0  # degrees covered by the ring text, centred on the top
    step = span / max(1, len(text))
    for i, ch in enumerate(text):
        if ch == " ":
            continue
        theta = -span / 2 + (i + 0.5) * step
        glyph = Image.new("RGBA", (size_px * 2, size_px * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (size_px, size_px), ch, font=font, fill=(*SEAL_RED, 255), anchor="mm"
        )
        glyph = glyph.rotate(-theta, resample=Image.Resampling.BILINEAR)
        t = math.radians(theta)
        x = round(c + r * math.sin(t)) - size_px
        y = round(c - r * math.cos(t)) - size_px
        layer.alpha_composite(glyph, (max(0, x), max(0, y)))


def _star(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, fill) -> None:
    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.4
        a = math.radians(-90 + k * 36)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(pts, fill=fill)


def _uneven_ink(layer: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """Stamp ink is never even: modulate alpha by a smooth random field."""
    w, h = layer.size
    small = np.random.default_rng(rng.randrange(2**32)).random((6, 6)).astype(np.float32)
    field = (
        np.asarray(
            Image.fromarray((small * 255).astype(np.uint8)).resize(
                (w, h), Image.Resampling.BICUBIC
            ),
            dtype=np.float32,
        )
        / 255.0
    )
    arr = np.asarray(layer).copy()
    alpha = arr[..., 3].astype(np.float32) * (1 - strength * field) * rng.uniform(0.8, 0.95)
    arr[..., 3] = alpha.clip(0, 255).astype(np.uint8)
    return Image.fromarray(arr, "RGBA")


def signature(rng: random.Random, width: int, height: int, pen: int) -> Image.Image:
    """A blue scribble: a smooth random stroke through a few points and a flourish."""
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    n = rng.randint(5, 9)
    pts = [
        (
            width * (0.08 + 0.84 * i / (n - 1)) + rng.uniform(-0.05, 0.05) * width,
            height * rng.uniform(0.2, 0.8),
        )
        for i in range(n)
    ]
    curve = _catmull_rom(pts, steps=14)
    draw.line(curve, fill=(*SIGN_BLUE, 235), width=pen, joint="curve")
    if rng.random() < 0.7:  # the underline flourish
        y = height * rng.uniform(0.7, 0.9)
        x0, x1 = width * rng.uniform(0.05, 0.3), width * rng.uniform(0.7, 0.98)
        mid = ((x0 + x1) / 2, y + rng.uniform(-0.1, 0.1) * height)
        draw.line(
            _catmull_rom([(x0, y), mid, (x1, y - 0.15 * height)], 10),
            fill=(*SIGN_BLUE, 220),
            width=max(1, pen - 1),
            joint="curve",
        )
    return layer.filter(ImageFilter.GaussianBlur(0.6))


def _catmull_rom(pts: list[tuple[float, float]], steps: int) -> list[tuple[float, float]]:
    ext = [pts[0], *pts, pts[-1]]
    out = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(
                    0.5
                    * (
                        2 * p1[k]
                        + (-p0[k] + p2[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                        + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3
                    )
                    for k in range(2)
                )
            )
    out.append(pts[-1])
    return out  # type: ignore[return-value]


def qr_image(data: str, size_px: int, border_modules: int = 0) -> Image.Image:
    """A crisp QR code (ECC M) scaled by an integer factor close to ``size_px``."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border_modules)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = np.array(qr.get_matrix(), dtype=bool)
    scale = max(2, size_px // matrix.shape[0])
    pixels = np.where(np.kron(matrix, np.ones((scale, scale), dtype=bool)), 0, 255)
    return Image.fromarray(pixels.astype(np.uint8), "L").convert("RGB")


def code128_image(data: str, module_px: int, height_px: int) -> Image.Image:
    """Code 128 bars (python-barcode computes the modules, we draw them at an exact scale)."""
    modules = barcode.Code128(data).build()[0]
    quiet = 10
    row = np.array([c == "1" for c in "0" * quiet + modules + "0" * quiet], dtype=bool)
    row = np.repeat(row, module_px)
    pixels = np.where(np.tile(row, (height_px, 1)), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "L").convert("RGB")


def emblem(radius: int) -> Image.Image:
    """A simplified national emblem: red disc, gold star, gold rim."""
    size = 2 * radius + 2
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    c = size // 2
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), fill=(214, 160, 40, 255))
    r2 = round(radius * 0.82)
    draw.ellipse((c - r2, c - r2, c + r2, c + r2), fill=(200, 30, 35, 255))
    _star(draw, c, c - round(r2 * 0.1), round(r2 * 0.55), (250, 215, 60, 255))
    draw.chord((c - r2, c + r2 // 3, c + r2, c + r2), 0, 180, fill=(214, 160, 40, 255))
    return layer


def photo(rng: random.Random, width: int, height: int) -> Image.Image:
    """A portrait placeholder: a pale backdrop, head and shoulders in grey tones."""
    bg = rng.choice([(235, 240, 250), (225, 232, 245), (245, 245, 245)])
    img = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(img)
    tone = rng.randint(90, 150)
    skin = (tone + 60, tone + 40, tone + 20)
    draw.ellipse((width * 0.12, height * 0.62, width * 0.88, height * 1.3), fill=(tone - 40,) * 3)
    draw.ellipse((width * 0.28, height * 0.16, width * 0.72, height * 0.66), fill=skin)
    draw.chord(
        (width * 0.26, height * 0.1, width * 0.74, height * 0.5), 180, 360, fill=(30, 30, 30)
    )
    return img
