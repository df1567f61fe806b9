"""Build ``ocr_models/fonts/glyphless.ttf``: the font of the archive PDF's invisible text layer.

A searchable scan carries the OCR's words as text drawn invisibly (rendering mode 3) over
the page image, so that a viewer selects, searches and copies them where they are printed.
The text is never seen, so its font needs no shapes -- but it must map every character it
is given to a glyph that is not ``.notdef`` (PDF/A-2 forbids referencing it), and be
embedded. This one maps the code points of :data:`RANGES` to a single empty glyph half an
em wide, with one cmap subtable of format 13 (many-to-one ranges), so the file stays at
under a kilobyte; the PDF embeds a subset of it, and the text layer writes U+FFFD for a
character outside it.
Tesseract's own ``pdf.ttf`` does the same job but has no cmap: its renderer writes glyph
numbers directly, which a general PDF library (fpdf2) cannot.

    python -m sohoa.ocr_models.build_glyphless_font
"""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

from . import PACKAGE_DIR

OUTPUT = PACKAGE_DIR / "fonts" / "glyphless.ttf"
FAMILY = "SohoaGlyphless"
UNITS_PER_EM = 1000
ADVANCE = 500  # half an em: the text layer stretches each word to its box anyway
#: the scripts and signs OCR of Vietnamese documents returns, and U+FFFD, which the text
#: layer writes for anything else. The whole Basic Multilingual Plane was tried first: fpdf2
#: then spent 0.4 s a document reading and subsetting a cmap of 63,000 entries
RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0250, 0x036F),  # IPA, spacing modifier letters, combining marks
    (0x0370, 0x052F),  # Greek, Cyrillic (OCR of stamps and noise)
    (0x1E00, 0x1EFF),  # Latin Extended Additional: Vietnamese letters with their marks
    (0x2000, 0x22FF),  # punctuation, super- and subscripts, currency, letterlike, arrows, math
    (0x2460, 0x24FF),  # enclosed numbers
    (0x2500, 0x25FF),  # box drawing, blocks, geometric shapes (form boxes, bullets)
    (0xFB00, 0xFB06),  # Latin ligatures
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFFD, 0xFFFD),  # the replacement character
)


def build(output: Path = OUTPUT) -> Path:
    builder = FontBuilder(UNITS_PER_EM, isTTF=True)
    builder.setupGlyphOrder([".notdef", "blank"])
    builder.setupCharacterMap({})  # the real map is the format 13 subtable below
    empty = TTGlyphPen(None).glyph()
    builder.setupGlyf({".notdef": empty, "blank": empty})
    builder.setupHorizontalMetrics({".notdef": (ADVANCE, 0), "blank": (ADVANCE, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": FAMILY, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    subtable = CmapSubtable.newSubtable(13)
    subtable.platformID, subtable.platEncID, subtable.language = 3, 10, 0
    subtable.cmap = {cp: "blank" for low, high in RANGES for cp in range(low, high + 1)}
    builder.font["cmap"].tables = [subtable]
    output.parent.mkdir(parents=True, exist_ok=True)
    builder.save(str(output))
    return output


if __name__ == "__main__":
    path = build()
    print(f"{path}: {path.stat().st_size} bytes")
