"""Scan clean-up: turn a scanned page into what Tesseract reads best, and say how.

:func:`clean_page` runs small named stages top to bottom, each a plain function in one of
the modules beside this one:

1. ``geometry.working_scale`` / ``resample``: bring the page to ~300 dpi (down early, so every
   later stage and the peak memory see a 300-dpi page even for a 600-dpi colour scan);
2. ``colour.suppress_seal_and_signature``: red seals and blue signatures lightened (blue
   handwriting in form fields kept), page to grey;
3. ``geometry.detect_orientation`` and ``estimate_skew`` on a 150-dpi ink mask, then one
   exact quarter turn and one ``deskew`` rotation of the grey page;
4. ``tone.crop_borders``: dark scanner borders whitened;
5. ``tone.flatten_illumination``: paper to 255;
6. ``tone.binarize`` and ``denoise`` (specks gone); ``rules.remove_rules``: form lines,
   table rules, dotted leaders, signatures and pictures erased;
7. ``tone.is_blank``.

Before it, the page stage may ask ``spread.find_spread`` whether a landscape scan holds two
facing pages (an opened booklet) and clean each half as a page of its own.

The original page is never changed: the archive keeps it, and :attr:`CleanedPage.to_original`
maps any point of the cleaned image back onto it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from .colour import suppress_seal_and_signature, to_grey
from .geometry import (
    analysis_ink,
    deskew,
    deskew_matrix,
    detect_orientation,
    estimate_skew,
    has_text,
    plausible_dpi,
    resample,
    rotate,
    rotation_matrix,
    scale_matrix,
    text_ink,
    translation_matrix,
    working_scale,
)
from .rules import find_dotted_leaders, find_pictures, find_rules, remove_rules
from .spread import Spread, find_spread
from .tone import (
    binarize,
    content_box,
    crop_borders,
    denoise,
    flatten_illumination,
    is_blank,
    mm,
    print_height_mm,
)

__all__ = [
    "CleanOptions",
    "CleanedPage",
    "Spread",
    "analysis_ink",
    "binarize",
    "clean_page",
    "crop_borders",
    "denoise",
    "deskew",
    "detect_orientation",
    "estimate_skew",
    "find_dotted_leaders",
    "find_pictures",
    "find_rules",
    "find_spread",
    "flatten_illumination",
    "is_blank",
    "plausible_dpi",
    "remove_rules",
    "suppress_seal_and_signature",
    "text_ink",
    "to_grey",
]


@dataclass(frozen=True)
class CleanOptions:
    """What the clean-up does; picklable, so it travels to worker processes."""

    target_dpi: int = 300  # pages above are reduced to this; Tesseract gains nothing past it
    # pages below min_dpi are enlarged to target_dpi. Off by default: measured on generated
    # forms, enlarging a 150-dpi page raised Tesseract's CER (0.161 -> 0.177) and a 200-dpi
    # page gained a little (0.059 -> 0.048) for 1.5x the OCR time
    min_dpi: int = 0
    remove_lines: bool = True  # form lines, table rules
    remove_leaders: bool = True  # dotted leaders ("Họ và tên: ..........")
    remove_pictures: bool = True  # signatures, photos, emblems, QR codes: marks taller than text
    suppress_colour: bool = True  # red seals and blue ballpoint signatures
    binarize: bool = True  # False: the OCR gets the flattened grey page
    # pages whose longer side is shorter than this (ID cards, receipts) go to the OCR grey
    # even when binarize is on: their 5-7 pt print loses strokes to a threshold (ID cards
    # of the benchmark corpus: CER 15.3% binary, 11.1% grey); small, so the cost is small
    grey_below_mm: float = 130.0
    # the page is cut to its ink (3 mm around it): Tesseract reads neither the margins
    # nor the scanner-border remains there (benchmark corpus: CER 2.81% -> 2.26%, 9% less
    # time). A small document in small print on a large scanner bed (an ID card on an A4
    # scan) is then read as a small page: grey, and enlarged this much first (its 5-7 pt
    # print is 4-6 px high at 200 dpi, below what Tesseract's network was trained on).
    # Ink in a small box but in print taller than small_print_mm (a short note on an A4
    # sheet) stays a page.
    crop_to_content: bool = True
    small_print_mm: float = 2.0
    enlarge_small: float = 2.0
    detect_orientation: bool = True
    deskew: bool = True
    max_skew: float = 10.0  # degrees searched either way
    min_skew: float = 0.1  # smaller skews are left alone (a rotation blurs a little)
    crop_borders: bool = True
    denoise: bool = True


@dataclass
class CleanedPage:
    """The page the OCR sees, and how it relates to the original scan."""

    image: np.ndarray  # uint8 single-channel image the OCR sees
    dpi: float  # resolution of `image`
    to_original: np.ndarray  # 2x3: [x_orig, y_orig] = M @ [x, y, 1] for a point in `image`
    rotation: int  # 0/90/180/270 clockwise applied to make the page upright
    skew: float  # degrees of deskew applied (the text rose this much to the right)
    blank: bool
    timings: dict[str, float] = field(default_factory=dict)  # stage name -> seconds


class _Clock:
    """Collects stage timings: ``clock.lap("stage")`` after each stage."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._last
        self._last = now


def clean_page(
    image: np.ndarray, dpi: float, options: CleanOptions = CleanOptions()
) -> CleanedPage:
    """Clean one scanned page (uint8 BGR or grey, any size) for OCR; ``image`` is not changed.

    ``dpi`` comes from the file's metadata and may be wrong; an implausible value is replaced
    by an A4 estimate from the pixel size.
    """
    clock = _Clock()
    height, width = image.shape[:2]
    dpi = plausible_dpi(dpi, width, height)
    scale = working_scale(dpi, options.target_dpi, options.min_dpi)
    page = resample(image, scale)
    # the real factors after rounding the size to whole pixels
    forward = scale_matrix(page.shape[1] / width, page.shape[0] / height)
    dpi *= scale
    clock.lap("resample")

    colour = options.suppress_colour
    grey = suppress_seal_and_signature(page, dpi) if colour else to_grey(page)
    if grey is image:
        grey = grey.copy()  # later stages may write in place; never into the caller's page
    del page
    clock.lap("colour")

    rotation, skew = 0, 0.0
    if options.detect_orientation or options.deskew:
        ink, ink_dpi = analysis_ink(grey, dpi)
        # text only: a scanner border's edges lie along the scan's axes, not the page's, and
        # frames, rules and seals are as sharp one way as the other; either would outvote
        # the text lines on which way is up and how skewed. A page without writing keeps
        # its lie, and its paper edges set the skew.
        text = text_ink(ink, ink_dpi)
        written = has_text(text, ink_dpi)
        if written:
            ink = text
        del text
        if options.detect_orientation and written:
            rotation = detect_orientation(ink)
            ink = rotate(ink, rotation)
        clock.lap("orientation")
        if options.deskew:
            skew = estimate_skew(ink, options.max_skew)
            if abs(skew) < options.min_skew:
                skew = 0.0
        del ink
        clock.lap("skew")
    if rotation:
        forward = rotation_matrix(rotation, grey.shape[1], grey.shape[0]) @ forward
        grey = rotate(grey, rotation)
    if skew:
        forward = deskew_matrix(skew, grey.shape[1], grey.shape[0]) @ forward
        grey = deskew(grey, skew)
    clock.lap("deskew")

    if options.crop_borders:
        grey, _ = crop_borders(grey, dpi)
        clock.lap("borders")
    flat = flatten_illumination(grey, dpi)
    del grey
    clock.lap("flatten")
    binary = binarize(flat)
    clock.lap("binarize")
    if options.denoise:
        cleaner = denoise(binary, dpi)
        flat[(cleaner != binary)] = 255  # the grey page loses the same specks
        binary = cleaner
        clock.lap("denoise")
    small = max(width, height) / (dpi / scale) * 25.4 < options.grey_below_mm
    box = content_box(binary, dpi) if options.crop_to_content else None
    if box is not None:
        small = small or _small_print_document(binary, box, dpi, options)
        left, top, right, bottom = _widened(box, mm(dpi, 3.0), binary.shape)
        flat, binary = flat[top:bottom, left:right], binary[top:bottom, left:right]
        forward = translation_matrix(-left, -top) @ forward
    clock.lap("crop")
    out = binary if options.binarize and not small else flat
    if options.remove_lines or options.remove_leaders:
        ink = 255 - binary
        if options.remove_lines:
            out, _ = remove_rules(
                out, ink, dpi, leaders=options.remove_leaders, pictures=options.remove_pictures
            )
        else:
            leaders = find_dotted_leaders(ink, dpi)
            if leaders.any():
                out = out.copy()
                out[leaders > 0] = 255
        del ink
        clock.lap("rules")

    if small and options.enlarge_small > 1:
        out = cv2.resize(
            out,
            None,
            fx=options.enlarge_small,
            fy=options.enlarge_small,
            interpolation=cv2.INTER_CUBIC,
        )
        forward = scale_matrix(options.enlarge_small) @ forward
        dpi *= options.enlarge_small
        clock.lap("enlarge")

    # a page cut to its ink has no scanner border left at its edges to ignore
    blank = is_blank(out, dpi, edge_mm=0.0 if box is not None else 10.0)
    clock.lap("blank")
    to_original = np.linalg.inv(forward)[:2].copy()
    return CleanedPage(
        image=np.ascontiguousarray(out),
        dpi=round(dpi, 2),
        to_original=to_original,
        rotation=rotation,
        skew=skew,
        blank=blank,
        timings=clock.timings,
    )


def _small_print_document(
    binary: np.ndarray, box: tuple[int, int, int, int], dpi: float, options: CleanOptions
) -> bool:
    """Whether the ink in ``box`` is a document smaller than ``options.grey_below_mm``
    printed smaller than ``options.small_print_mm`` (a card on a scanner bed)."""
    left, top, right, bottom = box
    if max(right - left, bottom - top) / dpi * 25.4 >= options.grey_below_mm:
        return False
    return print_height_mm(binary[top:bottom, left:right], dpi) < options.small_print_mm


def _widened(
    box: tuple[int, int, int, int], margin: int, shape: tuple[int, ...]
) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    height, width = shape[:2]
    return (
        max(0, left - margin),
        max(0, top - margin),
        min(width, right + margin),
        min(height, bottom + margin),
    )
