"""A review sheet: a waiting document's pages with its fields beside them, as one image.

``sohoa review show ID --image sheet.png`` is what a clerk at the scanner looks at before
approving, without the web service: the archive copy's pages (rendered by poppler's
``pdftoppm``), where a field to check is read on the page its words outlined in red (found
in the copy's own text layer, ``pdftotext -bbox``), and beside the pages every field, its
confidence, and why a flagged one needs a look.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from .models import shown_value
from .review import Waiting
from .vntext import fold

DPI = 100  # enough to read a printed field beside its value; an A4 page is 827 px wide
PANEL_WIDTH = 760
MARGIN = 24
FLAGGED = (200, 30, 30)
PLAIN = (30, 30, 30)
QUIET = (110, 110, 110)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PDFIUM = threading.Lock()


@dataclass(frozen=True, slots=True)
class _Word:
    folded: str
    box: tuple[float, float, float, float]  # points: left, top, right, bottom


def write_sheet(entry: Waiting, target: Path) -> Path:
    """The sheet of ``entry`` as a PNG at ``target``."""
    from sohoa.signing.stamp import FONT  # the face the stamps write Vietnamese with

    unsure = entry.unsure()
    with tempfile.TemporaryDirectory(prefix="sohoa-sheet-") as folder:
        pages = _rendered(entry.archive, Path(folder))
        words = list(_page_words(entry.archive))
        for image, page_words in zip(pages, words, strict=False):
            _outline(image, page_words, entry.extract.get("fields", {}), unsure)
        panel = _panel(entry.extract, unsure, FONT, max(p.height for p in pages))
        sheet = _side_by_side(pages, panel)
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(target, format="PNG", optimize=True)
    return target


def page_image(entry: Waiting, number: int, dpi: int = DPI) -> Image.Image:
    """Page ``number`` (from 1) of ``entry``'s archive copy, the words of each field to
    check outlined in red as on the sheet: what the web service's review page shows
    (rendered by PDFium, a fifth of pdftoppm's time for one page; PDFium is not
    thread-safe, so one page at a time in a process)."""
    import pypdfium2 as pdfium

    with _PDFIUM:
        pdf = pdfium.PdfDocument(entry.archive)
        try:
            if not 1 <= number <= len(pdf):
                raise IndexError(f"{entry.document_id}: no page {number}")
            image = pdf[number - 1].render(scale=dpi / 72).to_pil().convert("RGB")
        finally:
            pdf.close()
    (words,) = _page_words(entry.archive, (number, number))
    _outline(image, words, entry.extract.get("fields", {}), entry.unsure(), dpi)
    return image


def _rendered(pdf: Path, folder: Path) -> list[Image.Image]:
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(folder / "p")],
        check=True,
        capture_output=True,
    )
    files = sorted(folder.glob("p-*.png"), key=lambda f: int(f.stem.rsplit("-", 1)[1]))
    return [Image.open(f).convert("RGB") for f in files]


def _page_words(pdf: Path, pages: tuple[int, int] | None = None) -> Iterator[list[_Word]]:
    """Each page's words of the copy's text layer, folded, with their boxes."""
    only = ["-f", str(pages[0]), "-l", str(pages[1])] if pages else []
    out = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", *only, str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for page in _PAGE.findall(out):
        yield [
            _Word(_key(unescape(text)), (float(x0), float(y0), float(x1), float(y1)))
            for x0, y0, x1, y1, text in _WORD.findall(page)
        ]


def _outline(
    image: Image.Image,
    words: list[_Word],
    fields: dict[str, Any],
    unsure: dict[str, str],
    dpi: int = DPI,
) -> None:
    """A red box round the words of each field to check that the page shows."""
    draw = ImageDraw.Draw(image)
    scale = dpi / 72
    for name in unsure:
        for run in _found(words, fields.get(name)):
            left = min(w.box[0] for w in run) * scale
            top = min(w.box[1] for w in run) * scale
            right = max(w.box[2] for w in run) * scale
            bottom = max(w.box[3] for w in run) * scale
            draw.rectangle((left - 3, top - 3, right + 3, bottom + 3), outline=FLAGGED, width=3)


def _found(words: list[_Word], value: Any) -> Iterator[list[_Word]]:
    """Runs of ``words`` that read ``value`` (a date also as printed: 12/03/1995), or a
    word that holds a one-word value with others the OCR ran into it."""
    if not isinstance(value, str) or not value.strip():
        return
    wanted = [value]
    if day := _ISO_DAY.fullmatch(value):
        wanted.append(f"{day[3]}/{day[2]}/{day[1]}")
    folded = [w.folded for w in words]
    for text in wanted:
        target = [_key(word) for word in text.split()]
        for start in range(len(words) - len(target) + 1):
            if folded[start : start + len(target)] == target:
                yield words[start : start + len(target)]
        if len(target) == 1 and len(target[0]) >= 4:  # run into its neighbours: "CCCD.số.0740…"
            yield from ([w] for w in words if target[0] in w.folded and w.folded != target[0])


def _key(word: str) -> str:
    """A word as matched: folded, without the punctuation printed against it ("358.")."""
    return fold(word).strip(".,;:()")


def _panel(
    extract: dict[str, Any], unsure: dict[str, str], font_path: Path, height: int
) -> Image.Image:
    """The fields, one under another: flagged ones in red with why."""
    font = ImageFont.truetype(str(font_path), 20)
    small = ImageFont.truetype(str(font_path), 16)
    lines: list[tuple[str, ImageFont.FreeTypeFont, tuple[int, int, int]]] = [
        (f"{extract['document_id']}  {extract['doc_type']}", font, PLAIN),
        (f"hồ sơ {extract.get('dossier_code') or '—'}, {_pages(extract)}", small, QUIET),
        ("", small, QUIET),
    ]
    confidences = extract.get("field_confidence", {})
    for name, value in extract.get("fields", {}).items():
        confidence = confidences.get(name)
        sure = "—" if confidence is None else f"{confidence:.2f}"
        colour = FLAGGED if name in unsure else PLAIN
        text = f"{'» ' if name in unsure else ''}{name}: {shown_value(value)}  ({sure})"
        lines += [(part, font, colour) for part in textwrap.wrap(text, 56) or [""]]
        if name in unsure:
            lines += [(part, small, FLAGGED) for part in textwrap.wrap(unsure[name], 70)]
    panel = Image.new("RGB", (PANEL_WIDTH, max(height, 28 * len(lines) + 2 * MARGIN)), "white")
    draw = ImageDraw.Draw(panel)
    y = MARGIN
    for text, face, colour in lines:
        draw.text((MARGIN, y), text, font=face, fill=colour)
        y += 28 if face is font else 22
    return panel


def _pages(extract: dict[str, Any]) -> str:
    numbers = ", ".join(map(str, extract.get("pages", [])))
    return f"{Path(extract.get('source', '')).name} trang {numbers}"


def _side_by_side(pages: list[Image.Image], panel: Image.Image) -> Image.Image:
    width = sum(p.width for p in pages) + panel.width + MARGIN * len(pages)
    height = max([panel.height, *(p.height for p in pages)])
    sheet = Image.new("RGB", (width, height), (235, 235, 235))
    x = 0
    for page in pages:
        sheet.paste(page, (x, 0))
        x += page.width + MARGIN
    sheet.paste(panel, (x, 0))
    return sheet
