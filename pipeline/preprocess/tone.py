"""Paper and ink: scanner borders, uneven light, noise, the threshold, and blank pages.

All sizes are physical (millimetres turned into pixels at the page's dpi), so a stage behaves
the same on a 200-dpi and a 400-dpi scan. Heavy neighbourhood work (the background estimate,
border search) runs on a reduced copy; the full page only sees point operations.
"""

from __future__ import annotations

import cv2
import numpy as np

MM_PER_INCH = 25.4
_BACKGROUND_DPI = 37.5  # a background needs no detail: 1/8 of a 300-dpi page
_BORDER_DPI = 50.0


def mm(dpi: float, millimetres: float) -> int:
    """Pixels spanned by ``millimetres`` at ``dpi`` (at least 1)."""
    return max(1, round(dpi * millimetres / MM_PER_INCH))


def _reduce(image: np.ndarray, dpi: float, to_dpi: float) -> tuple[np.ndarray, float]:
    factor = max(1, int(dpi / to_dpi))
    height, width = image.shape[:2]
    size = (max(1, width // factor), max(1, height // factor))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), dpi / factor


def crop_borders(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, int]:
    """Whiten dark scanner borders and edge shadows; returns the page and pixels whitened.

    A border is a large, very dark region that touches the image edge: the scanner lid or
    the bed seen around a smaller or skewed sheet, or the gutter shadow of a book. Thin
    dark things (text near the edge, a table rule) are opened away first so they never
    count. The page keeps its size, so the coordinate transform needs no update.
    """
    small, small_dpi = _reduce(grey, dpi, _BORDER_DPI)
    paper = float(np.percentile(small, 90))
    raw = (small < min(0.55 * paper, 140)).astype(np.uint8)
    size = mm(small_dpi, 3.0) | 1
    dark = cv2.morphologyEx(raw, cv2.MORPH_OPEN, np.ones((size, size), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    height, width = small.shape
    border = np.zeros(count, np.uint8)
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        touches = x == 0 or y == 0 or x + w == width or y + h == height
        if touches and max(w / width, h / height) >= 0.2:
            border[label] = 255
    if not border.any():
        return grey, 0
    mask = border[labels]
    # the opening drops the thin ends of a border (the wedge left by a skewed sheet): take
    # back the raw dark ink connected to a border, but only near the edge, where no text is
    count, labels = cv2.connectedComponents(raw, connectivity=8)
    hit = np.zeros(count, np.uint8)
    hit[np.unique(labels[mask > 0])] = 255
    hit[0] = 0
    edge = np.zeros_like(mask)
    band = mm(small_dpi, 12.0)
    edge[:band, :] = edge[-band:, :] = 255
    edge[:, :band] = edge[:, -band:] = 255
    mask = cv2.bitwise_or(mask, cv2.bitwise_and(hit[labels], edge))
    grow = mm(small_dpi, 2.0) | 1  # the shadowed rim between border and paper
    mask = cv2.dilate(mask, np.ones((grow, grow), np.uint8))
    full = cv2.resize(mask, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_NEAREST)
    grey = grey.copy()
    grey[full > 0] = 255
    return grey, int(np.count_nonzero(full))


def flatten_illumination(grey: np.ndarray, dpi: float) -> np.ndarray:
    """Divide the page by its estimated paper brightness: paper becomes 255, ink keeps contrast.

    The background is the page with the ink closed away (a closing wider than any letter),
    smoothed by a median, computed at about 38 dpi and interpolated back. Dividing removes
    shadows, scanner light fall-off, yellowed or tinted paper and a pale guilloche, so one
    global threshold works afterwards.
    """
    small, small_dpi = _reduce(grey, dpi, _BACKGROUND_DPI)
    size = mm(small_dpi, 6.0) | 1
    background = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    )
    background = cv2.medianBlur(background, 5)
    background = cv2.resize(
        background, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR
    )
    flat = cv2.divide(grey, background, scale=255)
    # the closing follows the brightest grain of the paper, so the paper's median sits a bit
    # below 255 on a noisy scan: stretch it back so paper is white for the grey output too
    paper = float(np.median(flat[::7, ::7]))
    if 128 < paper < 254:
        flat = cv2.convertScaleAbs(flat, alpha=255.0 / paper)
    return flat


def denoise(binary: np.ndarray, dpi: float) -> np.ndarray:
    """Remove specks from a binarized page: ink components of at most 3 pixels at 300 dpi.

    Judged by component, not by a median filter: a 3x3 median also thins the 1-2 pixel
    strokes of small print (the 5-6 pt labels of an ID card: "Họ và tên / Full name"
    lost letters). The smallest real marks, the accents of 5.5 pt type, are 5 pixels.
    """
    ink = (binary < 128).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return binary
    speck = stats[:, cv2.CC_STAT_AREA] <= max(1, round((dpi * 0.14 / MM_PER_INCH) ** 2))
    speck[0] = False
    if not speck.any():
        return binary
    out = binary.copy()
    out[speck[labels]] = 255
    return out


def binarize(grey: np.ndarray) -> np.ndarray:
    """Black text (0) on white (255) by Otsu's threshold of the flattened page.

    After :func:`flatten_illumination` the paper is uniformly 255, so one global threshold
    is right everywhere; it is kept in 100..210 so that a page with almost no ink (where
    Otsu splits paper grain) or a faint one does not get a silly threshold.
    """
    otsu, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    threshold = min(max(otsu, 100.0), 210.0)
    _, binary = cv2.threshold(grey, threshold, 255, cv2.THRESH_BINARY)
    return binary


def is_blank(flat: np.ndarray, dpi: float, min_marks: int = 3, edge_mm: float = 10.0) -> bool:
    """True when the flattened page holds fewer than ``min_marks`` marks of text size.

    Judged at ~100 dpi on clearly dark ink (below half the paper brightness), so paper
    grain, faint show-through from the back and yellow paper do not count; a mark must be
    at least 1.2 mm in its longer side, which drops scanner dust and JPEG specks.
    """
    small, small_dpi = _reduce(flat, dpi, 100.0)
    ink = (small < 128).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return True
    # what lies within 10 mm of the image edge is the remains of a scanner border, not
    # writing (page numbers and footers sit farther in); a small image (a cropped card, a
    # strip) keeps all but a tenth of its smaller side
    inside = _away_from_edges(stats[1:], ink.shape, small_dpi, edge_mm)
    sides = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])[inside]
    return int(np.count_nonzero(sides >= small_dpi * 1.2 / MM_PER_INCH)) < min_marks


def _away_from_edges(
    stats: np.ndarray, shape: tuple[int, ...], dpi: float, edge_mm: float
) -> np.ndarray:
    """Which marks (rows of connectedComponentsWithStats) lie wholly farther than
    ``edge_mm`` from the image edge -- or than a tenth of a small image's smaller side."""
    x, y, w, h = (stats[:, i] for i in range(4))
    edge = min(dpi * edge_mm / MM_PER_INCH, 0.1 * min(shape[:2]))
    return (x > edge) & (y > edge) & (x + w < shape[1] - edge) & (y + h < shape[0] - edge)


def content_box(binary: np.ndarray, dpi: float) -> tuple[int, int, int, int] | None:
    """``(left, top, right, bottom)`` around the ink of the binary page, or None if none.

    Where the writing is (the clean-up cuts the page to it), and what a small document on
    a large scanner bed occupies (an ID card on an A4 scan): judged at ~50 dpi on marks of
    at least 1 mm, so specks and paper grain do not stretch it, and without what lies
    within 10 mm of the image edge (scanner border remains), as :func:`is_blank` does. A
    card's own light edge and its photo are ink enough to hold it.
    """
    small, small_dpi = _reduce(255 - binary, dpi, _BORDER_DPI)
    ink = (small > 32).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return None
    x, y, w, h = (stats[1:, i] for i in range(4))
    inside = _away_from_edges(stats[1:], ink.shape, small_dpi, 10.0)
    marks = inside & (np.maximum(w, h) >= small_dpi * 1.0 / MM_PER_INCH)
    if not marks.any():
        return None
    factor = binary.shape[1] / small.shape[1], binary.shape[0] / small.shape[0]
    left, top = int(x[marks].min() * factor[0]), int(y[marks].min() * factor[1])
    right = int(np.ceil((x + w)[marks].max() * factor[0]))
    bottom = int(np.ceil((y + h)[marks].max() * factor[1]))
    return left, top, min(right, binary.shape[1]), min(bottom, binary.shape[0])


def print_height_mm(binary: np.ndarray, dpi: float) -> float:
    """Median height in millimetres of the letter-sized marks on the binary page (0 if none):
    about 1.5 mm for an ID card's 5-7 pt print, 2.5 mm and more for a form's 11-13 pt."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(255 - binary, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT] * MM_PER_INCH / dpi
    letters = heights[(heights >= 0.8) & (heights <= 6.0)]
    return float(np.median(letters)) if len(letters) else 0.0
