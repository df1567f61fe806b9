"""Dossier codes (mã hồ sơ) and the separator sheets that carry them.

A clerk puts a separator sheet in front of each dossier in the scanner's feeder: a page
whose only content is a QR code or a Code 128 barcode of the dossier code, perhaps with
the code printed beneath (CONTRACT.md). The code is the agency's code, the day the
dossier was received (``yymmdd``) and a serial: ``000.00.15.H26-251124-0001``. A code
that does not have that form, or names a day that does not exist, is not a dossier code:
a misread barcode must not open a dossier of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .models import Barcode, OcrWord, PageText

#: agency code (four dotted groups of letters and digits, the last an ``H`` and the
#: province's number: ``000.00.15.H26``), yymmdd, a serial of at least four digits
_CODE = re.compile(
    r"(?P<agency>[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2})"
    r"-(?P<day>\d{6})-(?P<serial>\d{4,})"
)
#: the most words a separator may carry besides its code (the code printed beneath it,
#: split by OCR into a few pieces; a scanner's imprint)
SEPARATOR_WORDS = 6


@dataclass(frozen=True, slots=True)
class DossierCode:
    """A valid dossier code, taken apart."""

    code: str
    agency: str
    received: date
    serial: int


def parse_dossier_code(text: str) -> DossierCode | None:
    """The dossier code ``text`` is, or None: the form of CONTRACT.md and a real day."""
    match = _CODE.fullmatch(text.strip().upper())
    if match is None:
        return None
    day = match["day"]
    try:
        received = date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError:
        return None
    return DossierCode(match.group(0), match["agency"], received, int(match["serial"]))


def separator_code(page: PageText) -> str | None:
    """The dossier code of a separator sheet, or None for any other page.

    A separator holds a barcode whose text is a valid dossier code, and almost no other
    words: a citizen ID card's QR code, or a form that prints its dossier code in a
    barcode beside its text, does not open a dossier."""
    codes = {parsed.code for b in page.barcodes if (parsed := parse_dossier_code(b.text))}
    if len(codes) != 1:
        return None
    (code,) = codes
    others = [
        w
        for w in page.words
        if w.text.strip() and not _part_of(w.text, code) and not _on_a_code(w, page.barcodes)
    ]
    return code if len(others) <= SEPARATOR_WORDS else None


def _part_of(word: str, code: str) -> bool:
    """Whether an OCR word is a piece of the code printed under the barcode."""
    cleaned = word.strip().upper()
    return len(cleaned) >= 3 and cleaned in code


def _on_a_code(word: OcrWord, barcodes: list[Barcode]) -> bool:
    """Whether a word's centre lies on a barcode: OCR reads a QR code's modules as a few
    words of noise ("Lm k- sợ IĨ, mm")."""
    x, y = word.left + word.width / 2, word.top + word.height / 2
    return any(
        left <= x <= left + width and top <= y <= top + height
        for left, top, width, height in (b.box for b in barcodes)
    )
