"""PDF pages: their own text layer, their embedded scan, or a rendering — in that order.

Rule for one page (decided per page, so mixed PDFs work):

1. **Visible text** — at least :data:`MIN_VISIBLE_CHARS` non-space characters drawn with a
   render mode other than 3 (invisible) or 7 (clip only), counted by PDFium, Form XObjects
   included — or any visible text at all on a page without images (a short typed page).
   The page is born-digital: its words come from pdfplumber (boxes in PDF points,
   confidence 100, origin ``"pdf-text"``) and no pixels are decoded. An already-OCR'd scan
   carries only *invisible* text, so it falls through and is read again from its image: we
   do not trust another engine's Vietnamese OCR.
2. **One full-page image** — the content stream only places one image XObject (plus state
   operators, clipping and invisible text), axis-aligned, covering the crop box. The image is
   decoded by pikepdf at its native resolution (DCT, Flate, LZW, CCITT G3/G4, ...), turned
   upright by the placement matrix and ``/Rotate``, and its dpi is pixels over placed inches.
3. **Anything else** (vector drawing, several images, masks, JBIG2 or other codecs pikepdf
   cannot hand over) is rendered with PDFium at :data:`RENDER_DPI` (lowered to fit the pixel
   limit).
"""

from __future__ import annotations

import ctypes
import math
import unicodedata
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .errors import EncryptedPdfError, ImageTooLargeError, InputFileError
from .intake import DPI_RANGE, LoadedPage, check_pixels, image_dpi, problem, to_array
from .models import OcrWord, PageRef, PageText

MIN_VISIBLE_CHARS = 20  # a footer or page number alone does not make a page born-digital
RENDER_DPI = 300.0
MIN_RENDER_DPI = 72.0
MIN_COVERAGE = 0.9  # share of the crop box (and of the image) a "full-page" image must cover
_INVISIBLE_MODES = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)
_STATE_OPS = {"q", "Q", "cm", "gs", "w", "J", "j", "M", "d", "ri", "i", "re", "W", "W*", "n"}
_TEXT_OPS = {"BT", "ET", "Tc", "Tw", "Tz", "TL", "Tf", "Ts", "Td", "TD", "Tm", "T*"}
_SHOW_OPS = {"Tj", "TJ", "'", '"'}
_MARK_OPS = {"BMC", "BDC", "EMC", "MP", "DP", "BX", "EX"}
_COLOR_OPS = {"CS", "cs", "SC", "SCN", "sc", "scn", "G", "g", "RG", "rg", "K", "k"}

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def page_count(path: Path, password: str | None) -> int:
    """Number of pages; opens and checks the document, decodes nothing."""
    with open_pdf(path, password) as pdf:
        try:
            count = len(pdf.pages)
        except pikepdf.PdfError as exc:
            raise InputFileError(problem(path, f"corrupt PDF page tree ({exc})")) from None
    if count == 0:
        raise InputFileError(f"{path}: PDF has no pages")
    open_pdfium(path, password).close()  # qpdf repairs what PDFium (our renderer) refuses
    return count


def open_pdf(path: Path, password: str | None) -> pikepdf.Pdf:
    """pikepdf's document, with its failures turned into our one-line errors."""
    try:
        return pikepdf.open(path, password=password or "")
    except pikepdf.PasswordError:
        problem = "wrong PDF password" if password else "PDF is encrypted; a password is needed"
        raise EncryptedPdfError(f"{path}: {problem}") from None
    except pikepdf.PdfError as exc:
        raise InputFileError(problem(path, f"corrupt PDF ({exc})")) from None


def open_pdfium(path: Path, password: str | None) -> pdfium.PdfDocument:
    """PDFium's document; it refuses truncated files that qpdf would silently reconstruct."""
    try:
        return pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedPdfError(f"{path}: wrong PDF password") from None
        raise InputFileError(problem(path, f"corrupt or truncated PDF ({exc})")) from None


def load_pdf_page(ref: PageRef, password: str | None, max_pixels: int) -> LoadedPage:
    """The text layer, the native scan or a rendering of one page (see the module rule)."""
    path = Path(ref.path)
    with open_pdf(path, password) as pdf:
        if not 0 <= ref.index < len(pdf.pages):
            raise InputFileError(f"{path}: PDF has no page {ref.number}")
        doc = open_pdfium(path, password)
        try:
            page = doc[ref.index]
            layer = text_layer(ref, password) if is_born_digital(page) else None
            if layer is not None:
                return LoadedPage(ref, None, 72.0, text_layer=layer, dpi_source="pdf")
            crop = page.get_cropbox()
            found = sole_image(pdf.pages[ref.index], crop)
            if found is not None:
                native = _decode_placed(path, found[0], found[1], page.get_rotation(), max_pixels)
                if native is not None:
                    image, dpi, source = native
                    return LoadedPage(ref, image, dpi, dpi_source=source)
            check_embedded_images(path, page, max_pixels)  # PDFium would decode them whole
            image, dpi = render_page(path, page, max_pixels)
            return LoadedPage(ref, image, dpi, dpi_source="render")
        except pdfium.PdfiumError as exc:
            raise InputFileError(
                problem(path, f"cannot read PDF page {ref.number} ({exc})")
            ) from None
        finally:
            doc.close()


# ---------------------------------------------------------------- text layer


def is_born_digital(page: pdfium.PdfPage) -> bool:
    """Enough visible text to trust, or visible text and no image at all (a short page)."""
    visible = visible_char_count(page)
    if visible >= MIN_VISIBLE_CHARS:
        return True
    if visible == 0:
        return False
    images = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=8)
    return next(images, None) is None


def visible_char_count(page: pdfium.PdfPage) -> int:
    """Non-space characters drawn visibly on the page (render modes 3 and 7 do not count)."""
    textpage = page.get_textpage()
    count = 0
    try:
        for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_TEXT,), max_depth=8):
            if pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw) in _INVISIBLE_MODES:
                continue
            size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            if size <= 2:
                continue
            buffer = ctypes.create_string_buffer(size)
            units = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
            pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, units, size)
            text = buffer.raw[: size - 2].decode("utf-16-le", errors="ignore")
            count += sum(not ch.isspace() for ch in text)
    finally:
        textpage.close()
    return count


def text_layer(ref: PageRef, password: str | None) -> PageText | None:
    """Words of a born-digital page with Tesseract-like block/paragraph/line numbers.

    ``None`` when most of the text runs sideways on the displayed page (a portrait page
    shown with ``/Rotate 90``): lines cannot be read off such a layer, and the page is
    better rendered and left to OCR's orientation detection.
    """
    with pdfplumber.open(ref.path, password=password or "", pages=[ref.number]) as pdf:
        page = pdf.pages[0]
        width, height = float(page.width), float(page.height)
        upright = [char["upright"] for char in page.chars if not char["text"].isspace()]
        if upright and sum(upright) < len(upright) / 2:
            return None
        raw = page.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False)
    words = _number_lines(raw)
    lines: dict[tuple[int, int], list[str]] = {}
    for word in words:
        lines.setdefault((word.paragraph, word.line), []).append(word.text)
    text = "\n".join(" ".join(parts) for parts in lines.values())
    return PageText(
        ref=ref,
        width=round(width),
        height=round(height),
        dpi=72.0,
        words=words,
        text=text,
        origin="pdf-text",
        mean_confidence=100.0 if words else 0.0,
    )


def _number_lines(raw: list[dict]) -> list[OcrWord]:
    """Group pdfplumber words into lines (vertical overlap) and paragraphs (vertical gaps)."""
    rows: list[list[dict]] = []
    for word in sorted(raw, key=lambda w: (w["top"], w["x0"])):
        middle = (word["top"] + word["bottom"]) / 2
        if rows and rows[-1][0]["top"] <= middle <= rows[-1][0]["bottom"]:
            rows[-1].append(word)
        else:
            rows.append([word])
    words: list[OcrWord] = []
    paragraph, line, previous = 1, 0, None
    for row in rows:
        top = min(w["top"] for w in row)
        bottom = max(w["bottom"] for w in row)
        if previous is not None and top - previous[1] > 1.2 * (previous[1] - previous[0]):
            paragraph, line = paragraph + 1, 0
        line += 1
        previous = (top, bottom)
        for w in sorted(row, key=lambda w: w["x0"]):
            text = unicodedata.normalize("NFC", w["text"])
            words.append(
                OcrWord(
                    text=text,
                    left=round(w["x0"]),
                    top=round(w["top"]),
                    width=max(1, round(w["x1"] - w["x0"])),
                    height=max(1, round(w["bottom"] - w["top"])),
                    confidence=100.0,
                    block=1,
                    paragraph=paragraph,
                    line=line,
                )
            )
    return words


# ---------------------------------------------------------------- embedded scan


def sole_image(
    page: pikepdf.Page, crop: tuple[float, float, float, float]
) -> tuple[pikepdf.Stream, Matrix] | None:
    """The one image XObject that *is* the page, with its placement matrix; else ``None``.

    Form XObjects are followed, so the invisible-text form that OCRmyPDF lays over a scan
    does not hide the scan beneath it.
    """
    placed: list[tuple[pikepdf.Stream, Matrix]] = []
    if not _only_images(page, page.resources, _IDENTITY, placed, depth=0):
        return None
    if len(placed) != 1 or not _covers(placed[0][1], crop):
        return None
    return placed[0]


def _only_images(
    content: pikepdf.Page | pikepdf.Stream,
    resources: pikepdf.Dictionary,
    ctm: Matrix,
    placed: list[tuple[pikepdf.Stream, Matrix]],
    depth: int,
) -> bool:
    """Walk a content stream; collect placed images, ``False`` at anything else visible."""
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    mode = 0  # text render mode (Tr), part of the graphics state
    stack: list[tuple[Matrix, int]] = []
    try:
        instructions = pikepdf.parse_content_stream(content)
    except pikepdf.PdfError:
        return False
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            return False
        op = str(instruction.operator)
        operands = instruction.operands
        if op == "q":
            stack.append((ctm, mode))
        elif op == "Q" and stack:
            ctm, mode = stack.pop()
        elif op == "cm":
            ctm = _multiply(_matrix(operands), ctm)
        elif op == "Tr":
            mode = int(operands[0])
        elif op in _SHOW_OPS:
            if mode not in (3, 7):
                return False
        elif op == "Do":
            xobject = xobjects.get(operands[0])
            subtype = None if xobject is None else xobject.get("/Subtype")
            if subtype == pikepdf.Name.Image:
                placed.append((xobject, ctm))
            elif subtype != pikepdf.Name.Form or depth >= 4:
                return False
            else:
                matrix = xobject.get("/Matrix")
                inner = ctm if matrix is None else _multiply(_matrix(matrix), ctm)
                own = xobject.get("/Resources", resources)
                if not _only_images(xobject, own, inner, placed, depth + 1):
                    return False
        elif op not in _STATE_OPS | _TEXT_OPS | _MARK_OPS | _COLOR_OPS:
            return False  # painting: paths, shadings, Type 3 glyph ops, ...
    return True


def _matrix(values: object) -> Matrix:
    a, b, c, d, e, f = (float(v) for v in values)  # type: ignore[attr-defined]
    return (a, b, c, d, e, f)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """``m × n`` in PDF's row-vector convention (``cm`` makes ``CTM' = M × CTM``)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _covers(ctm: Matrix, crop: tuple[float, float, float, float]) -> bool:
    a, b, c, d, e, f = ctm
    aligned = (abs(b) + abs(c) < 1e-3 * (abs(a) + abs(d))) or (
        abs(a) + abs(d) < 1e-3 * (abs(b) + abs(c))
    )
    if not aligned:
        return False
    xs = (e, a + e, c + e, a + c + e)
    ys = (f, b + f, d + f, b + d + f)
    left, bottom, right, top = crop
    overlap_w = min(max(xs), right) - max(min(xs), left)
    overlap_h = min(max(ys), top) - max(min(ys), bottom)
    if overlap_w <= 0 or overlap_h <= 0:
        return False
    overlap = overlap_w * overlap_h
    crop_area = (right - left) * (top - bottom)
    image_area = (max(xs) - min(xs)) * (max(ys) - min(ys))
    return overlap >= MIN_COVERAGE * crop_area and overlap >= MIN_COVERAGE * image_area


def _decode_placed(
    path: Path, xobject: pikepdf.Stream, ctm: Matrix, rotation: int, max_pixels: int
) -> tuple[np.ndarray, float, str] | None:
    """Decode the page's image upright, with its dpi and the dpi's source.

    ``None`` asks the caller to render instead. A dpi outside :data:`DPI_RANGE` (a scan placed
    on a 200-inch page) is replaced by an A4 estimate, so no later stage upsamples by 20x.
    """
    width, height = int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
    check_pixels(path, width, height, max_pixels)
    if xobject.get("/ImageMask", False) or "/SMask" in xobject or "/Mask" in xobject:
        return None
    try:
        pil = pikepdf.PdfImage(xobject).as_pil_image()
        pil.load()  # DCT images come back lazily: make their decoding errors happen here
    except (pikepdf.UnsupportedImageTypeError, NotImplementedError, pikepdf.DependencyError):
        return None
    except (pikepdf.PdfError, OSError, ValueError, SyntaxError) as exc:
        raise InputFileError(problem(path, f"corrupt image data in PDF ({exc})")) from None
    with pil:
        if pil.size != (width, height):
            return None
        array = to_array(pil)
    a, b, c, d, _, _ = ctm
    # Directions of +column and +row of the pixel array on the displayed page (y down).
    col, row = (a, -b), (-c, d)
    for _ in range(rotation // 90 % 4):  # /Rotate turns the page clockwise for display
        col, row = (-col[1], col[0]), (-row[1], row[0])
    upright = _orient(array, col, row)
    extent_x, extent_y = abs(a) + abs(c), abs(b) + abs(d)
    if rotation % 180:
        extent_x, extent_y = extent_y, extent_x
    dpi = (upright.shape[1] / extent_x + upright.shape[0] / extent_y) * 72.0 / 2
    if not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        return (upright, *image_dpi(None, upright.shape[1], upright.shape[0]))
    return upright, round(dpi, 2), "pdf"


def _orient(array: np.ndarray, col: tuple[float, float], row: tuple[float, float]) -> np.ndarray:
    if abs(col[0]) < abs(col[1]):  # columns run down the page: swap the axes
        array = np.swapaxes(array, 0, 1)
        col, row = row, col
    if col[0] < 0:
        array = array[:, ::-1]
    if row[1] < 0:
        array = array[::-1, :]
    return np.ascontiguousarray(array)


# ---------------------------------------------------------------- rendering


def check_embedded_images(path: Path, page: pdfium.PdfPage, max_pixels: int) -> None:
    """Apply the pixel limit to every image on the page (Form XObjects included)."""
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=8):
        width, height = obj.get_px_size()
        check_pixels(path, width, height, max_pixels, "embedded ")


def render_page(path: Path, page: pdfium.PdfPage, max_pixels: int) -> tuple[np.ndarray, float]:
    """Rasterise with PDFium at :data:`RENDER_DPI`, or lower so the page fits ``max_pixels``."""
    width_pt, height_pt = page.get_size()
    dpi = RENDER_DPI
    pixels = width_pt * height_pt * (dpi / 72.0) ** 2
    if pixels > max_pixels:
        dpi *= math.sqrt(max_pixels / pixels) * 0.999
        if dpi < MIN_RENDER_DPI:
            raise ImageTooLargeError(
                f"{path}: PDF page is {width_pt / 72:.0f}x{height_pt / 72:.0f} inches, too "
                f"large to render at {MIN_RENDER_DPI:.0f} dpi within "
                f"{max_pixels / 1e6:.0f} Mpx (decompression-bomb guard)"
            )
    bitmap = page.render(scale=dpi / 72.0)
    try:
        image = np.array(bitmap.to_numpy(), copy=True)
    finally:
        bitmap.close()
    return image, round(dpi, 2)
