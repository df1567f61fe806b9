"""Pages of OCR words built from printed lines, for tests of the field finder.

Each line becomes one Tesseract line; words get boxes from their character offsets in it
(spaces included, so padding makes columns) (20 px a
character, 60 px a line) and the given confidence, so tests state a page as it would be
read and check what the finder makes of it.
"""

from __future__ import annotations

import re

from sohoa.pipeline.models import Barcode, OcrWord, PageRef, PageText, SourceKind

CHAR_PX, LINE_PX = 20, 60


def page_of(
    lines: list[str],
    confidence: float = 95.0,
    number: int = 1,
    barcodes: tuple[Barcode, ...] = (),
    low: dict[str, float] | None = None,
) -> PageText:
    """A page whose words are those of ``lines``; ``low`` gives some words a confidence."""
    words = []
    for row, line in enumerate(lines):
        for found in re.finditer(r"\S+", line):
            token, x = found.group(0), found.start()
            words.append(
                OcrWord(
                    text=token,
                    left=x * CHAR_PX,
                    top=row * LINE_PX,
                    width=len(token) * CHAR_PX,
                    height=LINE_PX // 2,
                    confidence=(low or {}).get(token, confidence),
                    block=1,
                    paragraph=1,
                    line=row + 1,
                )
            )
    page = PageText(
        ref=PageRef("test.png", number - 1, SourceKind.png),
        width=2480,
        height=3508,
        dpi=300,
        words=words,
        text="\n".join(lines),
        barcodes=list(barcodes),
    )
    page.mean_confidence = confidence
    return page
