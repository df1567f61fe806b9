"""Pages that are not documents: dossier separator sheets and blank pages.

A separator's only content is a QR code (or Code 128 bars) of the dossier code, perhaps with
the code printed beneath; it opens a new dossier in a scanner-feeder batch (CONTRACT.md).
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image

from .canvas import Page, Span
from .fonts import pick_family
from .marks import code128_image, qr_image
from .model import RenderedPage


def separator_sheet(
    rng: random.Random, dpi: int, code: str, symbology: str | None = None
) -> RenderedPage:
    """``symbology``: "qr" or "code128"; drawn at random (mostly QR) when not given."""
    page = Page.a4(dpi, rng)
    symbology = symbology or ("qr" if rng.random() < 0.75 else "code128")
    if symbology == "qr":
        mark = qr_image(code, page.px(rng.uniform(35, 70)))
    else:
        module = max(2, page.px(rng.uniform(0.3, 0.45)))
        mark = code128_image(code, module, page.px(rng.uniform(15, 25)))
        if mark.width > page.width - page.px(20):  # keep the quiet zones on the page
            mark = code128_image(code, max(2, module - 1), mark.height)
    x = (page.width - mark.width) // 2 + page.px(rng.uniform(-20, 20))
    x = min(max(page.px(8), x), page.width - mark.width - page.px(8))
    y = page.px(rng.uniform(40, 110))
    page.image.paste(mark, (x, y))
    if rng.random() < 0.7:
        fam = pick_family(rng)
        font = page.font(fam, "bold" if rng.random() < 0.5 else "regular", rng.uniform(12, 20))
        width = page.measure(code, font)
        page.write((page.width - width) // 2, y + mark.height + page.px(12), [Span(code, font)])
    return RenderedPage(page.image, tuple(page.lines), "separator", dpi)


def blank_page(rng: random.Random, dpi: int) -> RenderedPage:
    """An empty sheet: faint paper grain and a few specks, nothing to read."""
    page = Page.a4(dpi, rng)
    gen = np.random.default_rng(rng.randrange(2**32))
    arr = np.asarray(page.image, dtype=np.int16)
    arr = arr - gen.integers(0, 4, size=arr.shape[:2], dtype=np.int16)[..., None]
    specks = gen.random(arr.shape[:2]) < 2e-5
    arr[specks] = gen.integers(60, 160)
    image = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")
    return RenderedPage(image, (), "blank", dpi)
