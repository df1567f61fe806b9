"""Writing scanned pages the ways scanners and clerks store them, with correct dpi metadata.

PNG and JPEG hold one page; TIFF holds many (LZW colour, or CCITT Group 4 on bitonal pages
as document scanners emit); a scanned PDF has one JPEG image per page whose page size is
the image size at its dpi (img2pdf embeds the JPEG bytes without re-encoding).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import img2pdf
import numpy as np
from PIL import Image

FORMATS = ("png", "jpeg", "tiff", "tiff-g4", "pdf")
MULTI_PAGE = ("tiff", "tiff-g4", "pdf")
SUFFIX = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif", "tiff-g4": ".tif", "pdf": ".pdf"}


def _dpi(image: Image.Image) -> int:
    return round(image.info.get("dpi", (300, 300))[0])


def bitonal(image: Image.Image, threshold: int | None = None) -> Image.Image:
    """Mode "1" by a global threshold halfway between paper and ink levels (no dithering:
    scanners' bitonal mode thresholds, and dithered text is useless for OCR)."""
    grey = np.asarray(image.convert("L"), dtype=np.uint8)
    if threshold is None:
        paper = float(np.percentile(grey, 90))
        ink = float(np.percentile(grey, 1))
        threshold = round(ink + 0.55 * (paper - ink))
    out = Image.fromarray(np.where(grey > threshold, 255, 0).astype(np.uint8), "L").convert("1")
    out.info["dpi"] = image.info.get("dpi", (300, 300))
    return out


def write_pages(
    path: str | Path, pages: Sequence[Image.Image], fmt: str, jpeg_quality: int = 88
) -> Path:
    """Write ``pages`` (each carrying ``info["dpi"]``) to ``path`` in ``fmt``."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt not in MULTI_PAGE and len(pages) != 1:
        raise ValueError(f"{fmt} holds exactly one page, got {len(pages)}")
    if fmt == "png":
        d = _dpi(pages[0])
        pages[0].save(path, format="PNG", dpi=(d, d), optimize=False, compress_level=6)
    elif fmt == "jpeg":
        d = _dpi(pages[0])
        pages[0].save(path, format="JPEG", dpi=(d, d), quality=jpeg_quality, subsampling=0)
    elif fmt == "tiff":
        _write_tiff(path, [p.convert("RGB") for p in pages], "tiff_lzw")
    elif fmt == "tiff-g4":
        _write_tiff(path, [bitonal(p) for p in pages], "group4")
    else:
        path.write_bytes(pdf_bytes(pages, jpeg_quality))
    return path


def _write_tiff(path: Path, frames: list[Image.Image], compression: str) -> None:
    """Multi-page TIFF. Pillow writes one resolution for all frames, which is what a scanner
    does for one batch; callers keep one dpi per file."""
    first = frames[0]
    d = _dpi(first)
    first.save(
        path,
        format="TIFF",
        save_all=True,
        append_images=frames[1:],
        compression=compression,
        dpi=(d, d),
    )


def pdf_bytes(pages: Sequence[Image.Image], jpeg_quality: int = 88) -> bytes:
    return pdf_from_jpegs([jpeg_bytes(page, jpeg_quality) for page in pages])


def jpeg_bytes(page: Image.Image, jpeg_quality: int = 88) -> bytes:
    """One scanned PDF page's image, as the PDF will hold it."""
    d = _dpi(page)
    buf = io.BytesIO()
    page.convert("RGB").save(buf, format="JPEG", dpi=(d, d), quality=jpeg_quality)
    return buf.getvalue()


def pdf_from_jpegs(jpegs: Sequence[bytes]) -> bytes:
    """A scanned PDF of the pages' JPEG files, embedded as they are."""
    # the internal engine writes no random /ID: same pages, same bytes
    return img2pdf.convert(list(jpegs), nodate=True, engine=img2pdf.Engine.internal)
