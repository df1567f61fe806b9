"""Typed values that flow between stages.

Stages take and return these plain, picklable dataclasses so that a page can be handed to a
worker process (or, later, a distributed task) by reference: a :class:`PageRef` names a page
of a file on disk, never an open handle or a decoded image.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class SourceKind(StrEnum):
    """What a file really is, judged by its content (magic bytes), not its name."""

    png = "png"
    jpeg = "jpeg"
    tiff = "tiff"
    pdf = "pdf"


@dataclass(frozen=True, slots=True)
class PageRef:
    """One page of an input file: ``index`` is 0-based inside ``path``."""

    path: str
    index: int
    kind: SourceKind
    #: 0: the whole image; 1, 2: the first and second page of a booklet spread scanned
    #: as one image (sohoa.pipeline.preprocess.spread), in reading order
    side: int = 0

    @property
    def number(self) -> int:
        """1-based page number, as reported to users (CONTRACT ``pages``)."""
        return self.index + 1

    @property
    def label(self) -> str:
        """The page number, and which page of a spread: "3", "3a", "3b"."""
        return f"{self.number}{' ab'[self.side].strip()}"


@dataclass(frozen=True, slots=True)
class OcrWord:
    """A recognised word with its box in the pixel space of the *original* page image."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float  # 0..100 as Tesseract reports it
    block: int = 0
    paragraph: int = 0
    line: int = 0
    #: the other clean reading of a number read twice with different results
    #: (sohoa.pipeline.reread): the field checks may settle which one is right
    alternative: str = ""
    #: the word with one character swapped for another the recognizer weighed there, and
    #: that character's share against the one read (0..1), most weighed first: where the
    #: reading hesitated ("THỦY", 0.4 "THÙY"), for the field checks (sohoa.pipeline.tesseract);
    #: None where the recognizer said nothing of its choices (a PDF's own text layer)
    variants: tuple[tuple[str, float], ...] | None = None


@dataclass(frozen=True, slots=True)
class Barcode:
    """A QR code or barcode read on a page."""

    format: str  # zxing-cpp's name: "QRCode", "Code128"
    text: str
    box: tuple[int, int, int, int]  # left, top, width, height in the original page's pixels


@dataclass(slots=True)
class PageText:
    """The text of one page, from OCR or from a born-digital PDF's text layer."""

    ref: PageRef
    width: int  # pixels of the original page image (or PDF points for a text layer)
    height: int
    dpi: float
    words: list[OcrWord] = field(default_factory=list)
    text: str = ""
    origin: str = "ocr"  # "ocr" or "pdf-text"
    rotation: int = 0  # clockwise degrees applied to make the page upright (0/90/180/270)
    skew: float = 0.0  # degrees of deskew applied
    blank: bool = False
    mean_confidence: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds, for profiling
    peak_rss_mb: float = 0.0  # the worker's peak memory (its own and Tesseract's) so far
    barcodes: list[Barcode] = field(default_factory=list)  # QR / Code 128 codes on the page
    # the scan encoded for the archive copy (sohoa.pipeline.archive.encode_scan) by the
    # worker that had it decoded, where OcrSettings.archive_images asked for it
    archive_image: bytes | None = field(default=None, repr=False)


def page_parts(pages: Iterable[PageText]) -> list[tuple[str, list[int]]]:
    """Page numbers file by file, in order: [(path, [1, 2]), (next path, [1])] (the two
    pages of a spread are one page of their file)."""
    parts: list[tuple[str, list[int]]] = []
    for page in pages:
        if not parts or parts[-1][0] != page.ref.path:
            parts.append((page.ref.path, []))
        numbers = parts[-1][1]
        if not numbers or numbers[-1] != page.ref.number:
            numbers.append(page.ref.number)
    return parts


def shown_value(value: object) -> str:
    """A field's value on one line for a person: "—" for none, a household's members
    as "NAME / 1990-01-02 / Chủ hộ; …"."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(" / ".join(str(v) for v in item.values()) for item in value)
    return str(value)
