"""The page stage: load one page, clean it, read it once.

:func:`read_page` is a pure function of a :class:`PageRef` and picklable settings, so a
worker process (today) or a distributed task (later) can run it from a reference alone.
The clean-up sees and changes a copy; the words it yields are mapped back into the
pixel space of the original page image, which is what the archive PDF will show. An image
holding a booklet's two facing pages (:func:`.preprocess.find_spread`) is read as those
two pages, each in its own half's pixels.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from . import barcodes, intake, layout, noise, preprocess, reread, tesseract
from .models import OcrWord, PageRef, PageText


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """Everything a page worker needs, read once at the edge and passed down."""

    tesseract: tesseract.TesseractConfig = field(default_factory=tesseract.TesseractConfig)
    clean: preprocess.CleanOptions = field(default_factory=preprocess.CleanOptions)
    max_pixels: int | None = None  # decompression-bomb guard; None keeps intake's default
    second_look: bool = True  # unsure numbers read again alone (sohoa.pipeline.reread)
    archive_images: bool = False  # encode each scan for the archive copy while it is decoded
    split_spreads: bool = True  # a booklet spread scanned as one image read as two pages


def read_page(ref: PageRef, settings: OcrSettings) -> list[PageText]:
    """The words and text of one page of a file (OCR, or the PDF's own text layer): of
    two pages, in reading order, where the image is a booklet spread."""
    started = time.perf_counter()
    loaded = intake.load_page(ref)
    if loaded.text_layer is not None:
        return [loaded.text_layer]
    image = loaded.image
    assert image is not None  # intake gives an image whenever there is no text layer
    height, width = image.shape[:2]
    dpi = preprocess.plausible_dpi(loaded.dpi, width, height)  # the file's tag may be wrong
    del loaded
    spread = preprocess.find_spread(image, dpi) if settings.split_spreads else None
    if spread is None:
        sides = [(ref, image)]
    else:
        halves = spread.pages(image)  # in reading order
        sides = [(replace(ref, side=side), half.copy()) for side, half in enumerate(halves, 1)]
    del image
    return [
        _read_image(sides, dpi, settings, started if i == 0 else time.perf_counter())
        for i in range(len(sides))
    ]


def _read_image(
    sides: list[tuple[PageRef, np.ndarray]], dpi: float, settings: OcrSettings, started: float
) -> PageText:
    """The first of ``sides`` (taken off the list: this function then holds the only
    reference to its pixels, and lets them go before OCR): clean-up, barcodes, OCR,
    words in the image's own pixels."""
    ref, image = sides.pop(0)
    height, width = image.shape[:2]
    codes = barcodes.read_barcodes(image, dpi)
    cleaned = preprocess.clean_page(image, dpi, settings.clean)
    if not codes and cleaned.dpi > dpi * 1.01:  # a small document, enlarged
        codes = barcodes.read_barcodes(image, dpi, _source_box(cleaned, width, height))
    archive_image, archive_seconds = None, 0.0
    if settings.archive_images:
        from .archive import encode_scan  # late: only a worker of `sohoa process` needs it

        encoding_started = time.perf_counter()
        archive_image = encode_scan(ref, image, dpi)
        archive_seconds = time.perf_counter() - encoding_started
    del image  # the worker keeps only the cleaned page from here on
    page = PageText(
        ref=ref,
        width=width,
        height=height,
        dpi=dpi,
        rotation=cleaned.rotation,
        skew=cleaned.skew,
        blank=cleaned.blank,
        barcodes=codes,
        archive_image=archive_image,
    )
    page.timings = dict(cleaned.timings)
    if archive_image is not None:
        page.timings["archive_image"] = archive_seconds
    if cleaned.blank:
        page.timings["total"] = time.perf_counter() - started
        return page
    ocr_started = time.perf_counter()
    cleaned, words = _read_either_way_up(cleaned, settings.tesseract)
    page.rotation = cleaned.rotation
    page.timings["tesseract"] = time.perf_counter() - ocr_started
    if settings.second_look:
        look_started = time.perf_counter()
        words = reread.second_look(cleaned.image, words, cleaned.dpi, settings.tesseract)
        page.timings["second_look"] = time.perf_counter() - look_started
    words = noise.drop_noise(words)  # before the columns: noise can hide a gutter
    words = layout.split_columns(words, cleaned.dpi)  # on the upright page, before mapping
    page.words = [map_word(word, cleaned.to_original) for word in words]
    page.text = text_from_words(page.words)
    page.mean_confidence = mean_confidence(page.words)
    page.timings["total"] = time.perf_counter() - started
    return page


#: a page read less surely than this (mean confidence, 0-100) may lie upside down: its
#: orientation was judged from the shapes of its ink, which heavy capitals and a photo
#: can mislead (an ID card on field seed 2044, turned over and read at 30). It is read
#: turned over too, and the surer reading kept. 5 of the 823 pages of eight field corpora
#: were read below it.
FLIP_BELOW = 50.0


def _read_either_way_up(
    cleaned: preprocess.CleanedPage, config: tesseract.TesseractConfig
) -> tuple[preprocess.CleanedPage, list[OcrWord]]:
    """The page's words -- and, where they were read unsurely, those of the page turned
    over if Tesseract is surer of them, with the page turned over to match."""
    words = tesseract.recognize(cleaned.image, cleaned.dpi, config)
    sureness = mean_confidence(words)
    if not words or sureness >= FLIP_BELOW:
        return cleaned, words
    height, width = cleaned.image.shape[:2]
    turned = replace(
        cleaned,
        image=preprocess.rotate(cleaned.image, 180),
        to_original=cleaned.to_original @ preprocess.rotation_matrix(180, width, height),
        rotation=(cleaned.rotation + 180) % 360,
    )
    turned_words = tesseract.recognize(turned.image, turned.dpi, config)
    if mean_confidence(turned_words) > sureness:
        return turned, turned_words
    return cleaned, words


def _source_box(
    cleaned: preprocess.CleanedPage, width: int, height: int
) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) on the original page of what the cleaned page shows."""
    h, w = cleaned.image.shape[:2]
    left, top, right, bottom = _mapped_box(0, 0, w, h, cleaned.to_original)
    return max(left, 0), max(top, 0), min(right, width), min(bottom, height)


def _mapped_box(
    x0: float, y0: float, x1: float, y1: float, matrix: np.ndarray
) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the box's corners mapped through a 2x3 affine matrix."""
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
    mapped = corners @ matrix.T
    left, top = np.floor(mapped.min(axis=0)).astype(int)
    right, bottom = np.ceil(mapped.max(axis=0)).astype(int)
    return int(left), int(top), int(right), int(bottom)


def map_word(word: OcrWord, to_original: np.ndarray) -> OcrWord:
    """Map a word's box through a 2x3 affine matrix; returns the axis-aligned bounding box."""
    left, top, right, bottom = _mapped_box(
        word.left, word.top, word.left + word.width, word.top + word.height, to_original
    )
    return OcrWord(
        text=unicodedata.normalize("NFC", word.text),
        left=left,
        top=top,
        width=right - left,
        height=bottom - top,
        confidence=word.confidence,
        block=word.block,
        paragraph=word.paragraph,
        line=word.line,
        alternative=word.alternative,
        variants=None
        if word.variants is None
        else tuple((unicodedata.normalize("NFC", v), share) for v, share in word.variants),
    )


def text_lines(words: Iterable[OcrWord]) -> list[str]:
    """Words joined into lines, in Tesseract's reading order."""
    lines: list[str] = []
    current: tuple[int, int, int] | None = None
    for word in words:
        key = (word.block, word.paragraph, word.line)
        if key != current:
            lines.append(word.text)
            current = key
        else:
            lines[-1] += " " + word.text
    return lines


def text_from_words(words: Iterable[OcrWord]) -> str:
    """The page text: one printed line per text line, NFC."""
    return unicodedata.normalize("NFC", "\n".join(text_lines(words)))


def mean_confidence(words: list[OcrWord]) -> float:
    """Character-weighted mean of word confidences (long words count more), 0..100."""
    total = sum(len(w.text) for w in words)
    if total == 0:
        return 0.0
    return sum(w.confidence * len(w.text) for w in words) / total
