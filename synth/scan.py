"""Scanner simulation: turn a clean page into what a flatbed or feeder scanner delivers.

Three levels. ``mild`` is a good office scan (300 dpi, <= 1° skew, faint noise). ``medium`` adds
visible skew, tint, shading, JPEG artefacts and sometimes a page fed turned. ``hard`` is a
worn, yellowed page on a cheap scanner at 150-200 dpi with up to 8° skew, dark borders and
specks -- still legible to a careful human, which is the bar the pipeline is held to.
Colour is kept throughout: seals stay red and signatures blue.

The parameters are drawn first (:func:`draw_params`, recorded in the ground truth) and then
applied (:func:`apply_scan`), so a test can replay or tweak one effect.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

import cv2
import numpy as np
from PIL import Image

LEVELS = ("mild", "medium", "hard")


@dataclass(frozen=True, slots=True)
class ScanParams:
    level: str
    dpi: int
    rotation: int  # clockwise degrees that make the page upright again (0/90/180/270)
    skew: float  # degrees the content is turned counter-clockwise (deskew by -skew)
    tint: tuple[float, float, float]  # paper colour multiplier per RGB channel
    black: float  # contrast loss: black ink becomes this (0..1)
    white: float  # and white paper this
    shade: float  # strength of the uneven illumination (0..1)
    border: str  # "none", "dark" (black scanner lid/backing) or "shadow" (edge shadows)
    blur_mm: float
    noise: float  # gaussian noise sigma (0..1 scale)
    specks: float  # fraction of salt-and-pepper pixels
    jpeg_quality: int  # 0 = no JPEG round trip

    def as_dict(self) -> dict:
        return asdict(self)


def draw_params(
    level: str, rng: random.Random, dpi: int | None = None, allow_turn: bool = True
) -> ScanParams:
    """``dpi`` overrides the level's resolution (e.g. 600 on request)."""
    if level not in LEVELS:
        raise ValueError(f"unknown scan level {level!r}; one of {', '.join(LEVELS)}")
    u = rng.uniform
    if level == "mild":
        res = dpi or 300
        skew, turn_p = u(-1, 1), 0.0
        tint = (u(0.985, 1), u(0.98, 1), u(0.965, 1))
        black, white, shade = u(0, 0.04), u(0.97, 1), u(0, 0.05)
        border = rng.choices(["none", "shadow"], [0.85, 0.15])[0]
        blur, noise, specks = u(0, 0.03), u(0.004, 0.01), 0.0
        jpeg = rng.choice([0, 0, 92, 95])
    elif level == "medium":
        res = dpi or rng.choice([200, 240, 300])
        skew, turn_p = u(-3, 3), 0.15
        tint = (u(0.96, 1), u(0.94, 0.99), u(0.88, 0.97))
        black, white, shade = u(0.04, 0.1), u(0.92, 0.98), u(0.05, 0.15)
        border = rng.choices(["none", "shadow", "dark"], [0.5, 0.3, 0.2])[0]
        blur, noise, specks = u(0.03, 0.07), u(0.01, 0.025), u(0, 3e-4)
        jpeg = rng.choice([0, 70, 80, 88])
    else:
        res = dpi or rng.choice([150, 150, 200])
        skew, turn_p = u(-8, 8), 0.25
        tint = (u(0.93, 0.98), u(0.88, 0.95), u(0.76, 0.88))
        black, white, shade = u(0.08, 0.15), u(0.86, 0.93), u(0.12, 0.25)
        border = rng.choices(["shadow", "dark"], [0.5, 0.5])[0]
        blur, noise, specks = u(0.06, 0.1), u(0.02, 0.035), u(3e-4, 1.5e-3)
        jpeg = rng.choice([55, 65, 75])
    if rng.random() < 0.3:  # a grey rather than yellowed paper
        grey = sum(tint) / 3
        tint = (grey, grey, grey)
    rotation = rng.choice([90, 180, 270]) if allow_turn and rng.random() < turn_p else 0
    return ScanParams(
        level,
        res,
        rotation,
        round(skew, 3),
        tuple(round(t, 4) for t in tint),
        round(black, 4),
        round(white, 4),
        round(shade, 4),
        border,
        round(blur, 4),
        round(noise, 4),
        specks,
        jpeg,
    )


def apply_scan(
    image: Image.Image, src_dpi: int, params: ScanParams, rng: random.Random
) -> Image.Image:
    """Degrade a clean RGB page; the result has ``params.dpi`` resolution."""
    gen = np.random.default_rng(rng.randrange(2**63))
    arr = np.asarray(image.convert("RGB"))
    if params.dpi != src_dpi:
        scale = params.dpi / src_dpi
        size = (max(1, round(arr.shape[1] * scale)), max(1, round(arr.shape[0] * scale)))
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        arr = cv2.resize(arr, size, interpolation=interp)
    img = arr.astype(np.float32) * (1 / 255)
    img = _paper(img, params)
    img = _shading(img, params, gen)
    img = _skew(img, params)
    img = _borders(img, params, gen)
    sigma = params.blur_mm / 25.4 * params.dpi
    if sigma > 0.25:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    if params.noise > 0:
        img += gen.normal(0, params.noise, img.shape[:2]).astype(np.float32)[..., None]
    if params.specks > 0:
        mask = gen.random(img.shape[:2], dtype=np.float32)
        img[mask < params.specks / 2] = 0.1
        img[mask > 1 - params.specks / 2] = 1.0
    out = (img.clip(0, 1) * 255 + 0.5).astype(np.uint8)
    if params.rotation:
        out = np.ascontiguousarray(np.rot90(out, k=params.rotation // 90))  # counter-clockwise
    if params.jpeg_quality:
        ok, buf = cv2.imencode(
            ".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, params.jpeg_quality]
        )
        assert ok
        out = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]
    result = Image.fromarray(np.ascontiguousarray(out), "RGB")
    result.info["dpi"] = (params.dpi, params.dpi)
    return result


def _paper(img: np.ndarray, p: ScanParams) -> np.ndarray:
    tint = np.array(p.tint, dtype=np.float32)
    return p.black + img * tint * (p.white - p.black)


def _shading(img: np.ndarray, p: ScanParams, gen: np.random.Generator) -> np.ndarray:
    """A smooth illumination field: a tilt plus a broad blob (book-like gutter shade)."""
    if p.shade <= 0:
        return img
    h, w = img.shape[:2]
    small = gen.random((4, 3)).astype(np.float32)
    yy, xx = np.mgrid[0:4, 0:3].astype(np.float32)
    small += gen.uniform(-1, 1) * xx / 2 + gen.uniform(-1, 1) * yy / 3
    small = (small - small.min()) / max(1e-6, float(np.ptp(small)))
    field = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return img * (1 - p.shade * field.clip(0, 1))[..., None]


def _skew(img: np.ndarray, p: ScanParams) -> np.ndarray:
    if abs(p.skew) < 1e-3:
        return img
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), p.skew, 1.0)
    fill = 0.12 if p.border == "dark" else p.white * 0.98
    return cv2.warpAffine(
        img,
        m,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(fill, fill, fill),
    )


def _borders(img: np.ndarray, p: ScanParams, gen: np.random.Generator) -> np.ndarray:
    """Dark scanner backing along some edges, or soft edge shadows where the lid lifted."""
    if p.border == "none":
        return img
    h, w = img.shape[:2]
    mm = p.dpi / 25.4
    for edge in ("top", "bottom", "left", "right"):
        if gen.random() < 0.5:
            continue
        depth = (
            int(gen.uniform(1.5, 6) * mm) if p.border == "dark" else int(gen.uniform(3, 10) * mm)
        )
        if depth < 1:
            continue
        ramp = np.linspace(0, 1, depth, dtype=np.float32)
        if p.border == "dark":
            solid = int(depth * gen.uniform(0.4, 0.8))
            ramp = np.concatenate(
                [
                    np.zeros(solid, np.float32),
                    np.linspace(0, 1, depth - solid, dtype=np.float32) ** 0.5,
                ]
            )
            prof = 0.1 + 0.9 * ramp
        else:
            prof = 1 - 0.35 * (1 - ramp) ** 2
        if edge == "top":
            img[:depth] *= prof[:, None, None]
        elif edge == "bottom":
            img[h - depth :] *= prof[::-1][:, None, None]
        elif edge == "left":
            img[:, :depth] *= prof[None, :, None]
        else:
            img[:, w - depth :] *= prof[::-1][None, :, None]
    return img
