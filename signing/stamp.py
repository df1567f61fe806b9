"""The visible stamp of a signature: who signed, for which office, when -- in Vietnamese --
and a QR code with the document's verification address, on the last page where no text is.

pyHanko draws it (``QRStampStyle``) as the signature field's appearance, with a subset of
Noto Sans embedded for the Vietnamese letters (DejaVu Sans came out with its letters spread
apart: pyHanko's layout and that font's tables disagree). Where it goes is ours to find: the first
place, from the bottom right of the page upwards and leftwards, that no word's box comes
near (:func:`free_box`), so that the stamp hides nothing of the scan's text.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import QRStamp, QRStampStyle

#: Debian's fonts-noto-core (installed by scripts/setup.sh): every Vietnamese letter
FONT = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
SIZE = (240.0, 66.0)  # points: three lines of 7-point text beside a QR code
MARGIN = 12.0  # points kept clear around the stamp, from the page's edge and from words
_CELL = 3.0  # points: the grid the free place is searched on
TEXT = "Ký bởi: %(signer)s\nCơ quan: %(office)s\nThời gian ký: %(ts)s"
TIME_FORMAT = "%d/%m/%Y %H:%M:%S %z"

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, y upwards


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the stamp says and where it goes: ``box`` on page ``page`` (0-based, -1 the
    last) as the page is shown -- turned by its ``/Rotate``, as people and text extractors
    see it (:func:`stored_box` finds where that is on the page as stored)."""

    signer: str
    office: str
    verify_url: str  # what the QR code carries: the document's verification address
    box: Box
    page: int = -1


def stamp_style(stamp: Stamp, turn: int = 0) -> QRStampStyle:
    """The stamp's look, drawn turned back by ``turn`` (the page's ``/Rotate``) so that it
    is shown upright on a page stored turned."""
    font = GlyphAccumulatorFactory(str(font_for(stamp.signer + stamp.office)))
    return _TurnedQRStampStyle(
        stamp_text=TEXT,
        timestamp_format=TIME_FORMAT,
        text_box_style=TextBoxStyle(font=font, font_size=7),
        border_width=1,
        turn=turn,
    )


@dataclass(frozen=True)
class _TurnedQRStampStyle(QRStampStyle):
    """pyHanko's QR stamp, laid out at the size it is shown and turned back by the page's
    rotation through its appearance's ``/Matrix`` (ISO 32000-1, 12.5.5): every viewer
    applies that, where the widget flag ``NoRotate`` is honoured by some and not others."""

    turn: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: BoxConstraints, text_params: dict
    ) -> QRStamp:
        if self.turn in (90, 270):  # the widget's rectangle is the stored page's
            box = BoxConstraints(width=box.height, height=box.width)
        url = text_params.pop("url")
        return _TurnedQRStamp(writer, url, self, text_params=text_params, box=box)


class _TurnedQRStamp(QRStamp):
    style: _TurnedQRStampStyle

    def as_form_xobject(self) -> generic.StreamObject:
        xobject = super().as_form_xobject()
        if turn := self.style.turn:  # counter-clockwise by the turn the viewer applies
            cos, sin = {90: (0, 1), 180: (-1, 0), 270: (0, -1)}[turn]
            matrix = (cos, sin, -sin, cos, 0, 0)
            xobject["/Matrix"] = generic.ArrayObject(generic.NumberObject(v) for v in matrix)
        return xobject


def stored_box(box: Box, turn: int, media_box: Box) -> Box:
    """Where ``box``, on a page as it is shown, is on the page as stored: the page is
    shown turned clockwise by ``turn`` (its ``/Rotate``) and stored as ``media_box``."""
    x0, y0, x1, y1 = media_box
    w, h = x1 - x0, y1 - y0

    def stored(u: float, v: float) -> tuple[float, float]:
        return {0: (u, v), 90: (w - v, u), 180: (w - u, h - v), 270: (v, h - u)}[turn]

    (a, b), (c, d) = stored(box[0], box[1]), stored(box[2], box[3])
    return (x0 + min(a, c), y0 + min(b, d), x0 + max(a, c), y0 + max(b, d))


#: what a stamp writes: ASCII, Latin-1, the Vietnamese letters (precomposed and the
#: combining marks), typographic quotes and dashes
STAMP_CHARACTERS = frozenset(
    [
        *range(0x20, 0x7F),
        *range(0xA0, 0x180),
        *(0x1A0, 0x1A1, 0x1AF, 0x1B0),  # Ơ ơ Ư ư
        *range(0x300, 0x310),
        0x323,  # combining dot below
        *range(0x1EA0, 0x1EFA),  # Ạ ... ỹ
        *(0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026),
    ]
)


#: what every stamp writes besides the signer's and the office's names: the labels, the time
_FIXED_TEXT = TEXT % {"signer": "", "office": "", "ts": ""} + "0123456789/:+- "

FONT_CUT = 2  # raised when the cut below changes, so that no older cut is taken from the cache


@cache
def stamp_font() -> Path:
    """:data:`FONT` cut to :data:`STAMP_CHARACTERS` (37 KB of its 500), made once a
    process and kept in the temporary folder: pyHanko subsets the stamp's font for every
    signature, and subsetting all of Noto Sans cost 230 ms a document, most of signing's
    time."""
    source = FONT.stat()
    name = f"sohoa-stamp-{FONT_CUT}-{source.st_size}-{source.st_mtime_ns}.ttf"
    return _cut(FONT, STAMP_CHARACTERS, Path(tempfile.gettempdir()) / name)


def font_for(names: str) -> Path:
    """:func:`stamp_font` cut again to what one signer's stamps for one office write
    (about 50 glyphs, 8 KB), as pyHanko subsets the font of every signature anew: a
    stamped signature of a one-page archive took 45-70 ms with the 37 KB cut, 28 ms with
    this one (docs/signing.md). Made once a process for each signer and office."""
    text = unicodedata.normalize("NFC", _FIXED_TEXT + names)
    # both forms: the shaper writes a precomposed letter the font lacks from its parts
    characters = set(text) | set(unicodedata.normalize("NFD", text))
    return _font_with(frozenset(ord(c) for c in characters) & STAMP_CHARACTERS)


@lru_cache(maxsize=64)
def _font_with(code_points: frozenset[int]) -> Path:
    base = stamp_font()
    digest = hashlib.sha256(repr(sorted(code_points)).encode()).hexdigest()[:16]
    return _cut(base, code_points, base.with_name(f"{base.stem}-{digest}.ttf"))


def _cut(source: Path, code_points: Iterable[int], target: Path) -> Path:
    """``source`` cut to ``code_points`` into ``target``, unless an earlier process did."""
    if target.is_file():
        return target
    font = TTFont(str(source))
    subsetter = subset.Subsetter(_options())
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(str(partial))
    partial.replace(target)  # atomic: another process may be making the same file
    return target


def _options() -> subset.Options:
    options = subset.Options()
    # the marks placed as the font means them; no kerning: the stamp's three lines do not
    # need it, and reading its tables cost pyHanko 50 ms a signature
    options.layout_features = ["ccmp", "mark", "mkmk"]
    options.name_IDs = ["*"]
    options.hinting = False  # the stamp is drawn by viewers at any size
    return options


def free_box(
    width: float, height: float, words: Iterable[Box], size: tuple[float, float] = SIZE
) -> Box:
    """The first place for the stamp, from the bottom right upwards and leftwards, that no
    word comes within :data:`MARGIN` of; the bottom right corner where there is none (a
    page full of text: the stamp then covers some of it, as a hand stamp would)."""
    w, h = size
    columns, rows = int(width // _CELL), int(height // _CELL)
    taken = np.zeros((rows, columns), dtype=np.int32)  # row 0 at the bottom (y upwards)
    for x0, y0, x1, y1 in words:
        c0, c1 = _cells(x0 - MARGIN, x1 + MARGIN, columns)
        r0, r1 = _cells(y0 - MARGIN, y1 + MARGIN, rows)
        taken[r0:r1, c0:c1] = 1
    edge = int(np.ceil(MARGIN / _CELL))
    taken[:edge, :] = taken[-edge:, :] = taken[:, :edge] = taken[:, -edge:] = 1
    sums = np.pad(taken.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    cw, ch = int(np.ceil(w / _CELL)), int(np.ceil(h / _CELL))
    if cw > columns or ch > rows:
        return (0.0, 0.0, w, h)
    # every place at once: the words' cells each window of the stamp's size covers
    covered = sums[ch:, cw:] - sums[:-ch, cw:] - sums[ch:, :-cw] + sums[:-ch, :-cw]
    free_rows, free_columns = np.nonzero(covered[:, ::-1] == 0)  # right first, bottom first
    if len(free_rows) == 0:
        return (width - MARGIN - w, MARGIN, width - MARGIN, MARGIN + h)
    r, c = int(free_rows[0]), covered.shape[1] - 1 - int(free_columns[0])
    return (c * _CELL, r * _CELL, c * _CELL + w, r * _CELL + h)


def _cells(low: float, high: float, limit: int) -> tuple[int, int]:
    return max(0, int(low // _CELL)), min(limit + 1, int(np.ceil(high / _CELL)))


def stamp_on_last_page(
    pdf: Path, signer: str, office: str, verify_url: str, size: tuple[float, float] = SIZE
) -> Stamp:
    """A stamp for the last page of ``pdf``, placed clear of the words its text layer has
    (the OCR layer of an archive copy, or a born-digital page's own text)."""
    import pdfplumber  # late: only where a PDF not built here is stamped

    try:
        with pdfplumber.open(pdf) as document:
            page = document.pages[-1]
            words = [
                (w["x0"], page.height - w["bottom"], w["x1"], page.height - w["top"])
                for w in page.extract_words()
            ]
            box = free_box(float(page.width), float(page.height), words, size)
    except OSError:
        raise
    except Exception as error:  # pdfminer's many parse errors: the file is no usable PDF
        raise ValueError(f"{pdf}: not a readable PDF ({type(error).__name__})") from None
    return Stamp(signer, office, verify_url, box)
