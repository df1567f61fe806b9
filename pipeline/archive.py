"""The archive copy of a document: its scanned pages as one PDF/A-2b, searchable.

Each page is the scan itself -- colour kept, at its own resolution up to
:data:`MAX_DPI` (never below what was scanned), JPEG for colour and grey, CCITT G4 for
bitonal pages, a JPEG file's own data where it needs no change (its Huffman tables
re-packed losslessly) and a scanned PDF's JPEG likewise -- with the OCR's words from
the page stage drawn over it invisibly (rendering mode 3), each stretched to its box, so
that a viewer highlights, finds and copies a word where it is printed. There is no
second OCR: the words are those the pipeline read (``PageText.words``, in the original
scan's pixels).

Well-kept libraries do the PDF work: img2pdf places the images (it copies JPEG and G4 data
as they are), fpdf2 writes the text layer in a glyphless font (``ocr_models/fonts/``), pikepdf
lays one over the other and writes the PDF/A parts -- XMP metadata (title, document type,
dossier code, language ``vi``, ``pdfaid`` 2B), an sRGB output intent, document information
that agrees with it. What is checked of PDF/A, and what is not: docs/archive.md.

A stage of the pipeline: a function of serializable inputs (the pages' references and
words), which decodes one page at a time.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import cv2
import img2pdf
import numpy as np
import pikepdf
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import TextMode
from PIL import Image, ImageCms

from sohoa import ocr_models

from . import intake
from .models import OcrWord, PageRef, PageText, SourceKind
from .vntext import nfc

POINTS_PER_INCH = 72.0
#: pages scanned finer are reduced to this for the archive (a 600-dpi scan is four times
#: the bytes for no gain in legibility); pages scanned coarser keep their resolution
MAX_DPI = 300.0
#: JPEG quality of colour and grey pages: SSIM >= 0.95 against the scan (docs/archive.md)
JPEG_QUALITY = 75
#: a grey page whose pixels are this close to black or white is bitonal: stored as G4
BITONAL_SHARE = 0.995
#: where a word's baseline sits in its box, from the top (the glyphless font's ascent)
BASELINE = 0.8
PRODUCER = "sohoa"
REPLACEMENT = "\ufffd"  # for a character the text layer's font does not map
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True, slots=True)
class ArchiveInfo:
    """What the archive copy says of itself (XMP and document information)."""

    title: str
    doc_type: str
    dossier_code: str | None = None
    language: str = "vi"
    created: datetime = field(default_factory=lambda: datetime.now(UTC))


class ArchiveError(ValueError):
    """A document that cannot be made into an archive copy (a page with no image)."""


def build_archive(pages: Sequence[PageText], info: ArchiveInfo, out: Path) -> Path:
    """Write the archive PDF/A-2b of a document whose pages were read into ``pages``."""
    if not pages:
        raise ArchiveError("a document of no pages")
    sizes = [_page_size(page) for page in pages]
    with (
        pikepdf.open(io.BytesIO(_image_pages(pages, sizes))) as images,
        pikepdf.open(io.BytesIO(_text_layer(pages, sizes))) as text,
    ):
        for page, target, layer in zip(pages, images.pages, text.pages, strict=True):
            target.add_overlay(layer)
            if page.rotation:
                target.Rotate = page.rotation  # shown upright; the words turn with the page
        _make_pdfa(images, info)
        out.parent.mkdir(parents=True, exist_ok=True)
        images.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out


def word_boxes(page: PageText) -> tuple[float, float, list[tuple[float, float, float, float]]]:
    """The archive page's width and height and its words' boxes, in PDF points with y
    upwards, as the page is shown (turned by its ``/Rotate``, as text extractors report
    it): where a signature stamp must not go (sohoa.signing.stamp.free_box), known
    without reading the PDF back."""
    size = _page_size(page)
    s, rotation = size.scale, page.rotation % 360
    width, height = (
        (size.height_pt, size.width_pt)
        if rotation in (90, 270)
        else (size.width_pt, size.height_pt)
    )
    boxes = []
    for word in page.words:
        stored = (
            word.left * s,
            word.top * s,
            (word.left + word.width) * s,
            (word.top + word.height) * s,
        )
        u0, v0, u1, v1 = _shown(stored, size, rotation)  # y downwards
        boxes.append((u0, height - v1, u1, height - v0))
    return width, height, boxes


# --------------------------------------------------------------------------- images
@dataclass(frozen=True, slots=True)
class _Size:
    width_pt: float
    height_pt: float
    scale: float  # points per pixel of the original scan


def _page_size(page: PageText) -> _Size:
    if page.origin != "ocr" or page.dpi <= 0:
        raise ArchiveError(f"{page.ref.path} page {page.ref.number}: no scanned image to archive")
    scale = POINTS_PER_INCH / page.dpi
    return _Size(page.width * scale, page.height * scale, scale)


def _image_pages(pages: Sequence[PageText], sizes: Sequence[_Size]) -> bytes:
    """One PDF page a scan, each image the page's size; the page worker's encoding where it
    made one, else decoded and encoded here one at a time."""
    encoded = [page.archive_image or _encoded_image(page) for page in pages]
    layouts = iter(sizes)

    def layout(_imgw: float, _imgh: float, _ndpi: object) -> tuple[float, float, float, float]:
        size = next(layouts)
        return size.width_pt, size.height_pt, size.width_pt, size.height_pt

    return img2pdf.convert(encoded, layout_fun=layout, rotation=img2pdf.Rotation.none)


def _encoded_image(page: PageText) -> bytes:
    if _passes_through(page.ref, page.dpi, (page.width, page.height)):
        return _repacked_jpeg(Path(page.ref.path).read_bytes())
    image = intake.load_page(page.ref).image
    if image is None:
        raise ArchiveError(f"{page.ref.path} page {page.ref.number}: no scanned image to archive")
    return encode_scan(page.ref, image, page.dpi)


def encode_scan(ref: PageRef, image: np.ndarray, dpi: float) -> bytes:
    """The scan ``image`` of page ``ref`` as the archive stores it: JPEG or G4 TIFF bytes,
    at most :data:`MAX_DPI`, or the JPEG file's own data where it needs no change.

    The page stage's worker calls it while the scan is decoded (``OcrSettings.
    archive_images``): decoding a 300-dpi PNG again costs more than encoding it."""
    height, width = image.shape[:2]
    whole = ref.side == 0  # not one page of a spread, whose file holds both
    if whole and _passes_through(ref, dpi, (width, height)):
        return _repacked_jpeg(Path(ref.path).read_bytes())
    if whole and ref.kind is SourceKind.pdf and dpi <= MAX_DPI:
        embedded = _embedded_jpeg(ref, (width, height))
        if embedded is not None:
            return embedded
    if dpi > MAX_DPI:
        factor = MAX_DPI / dpi
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return _encode(image)


def _passes_through(ref: PageRef, dpi: float, size: tuple[int, int]) -> bool:
    """A JPEG file at no more than MAX_DPI, as the page stage saw it (no EXIF turn): its
    own data, without a second generation of JPEG loss."""
    if ref.kind is not SourceKind.jpeg or dpi > MAX_DPI:
        return False
    with Image.open(ref.path) as image:  # the header only
        turned = image.getexif().get(_EXIF_ORIENTATION, 1) != 1
        return not turned and image.size == size


#: colour spaces a PDF's JPEG keeps its meaning in when img2pdf places it again
_PLAIN_COLOUR = ("/DeviceRGB", "/DeviceGray")


def _embedded_jpeg(ref: PageRef, size: tuple[int, int]) -> bytes | None:
    """A scanned PDF page's JPEG as it is embedded, where it is the page (sohoa.pipeline.
    pdfpage's rule), placed upright, of the size the page stage read, and plain: no mask,
    no decode array, RGB or grey. Its own data then, not a second generation of JPEG loss
    (OCRmyPDF keeps it too); ``None`` where any of that does not hold."""
    from .pdfpage import sole_image  # late: only scanned PDFs need it

    try:
        with pikepdf.open(ref.path) as pdf:
            page = pdf.pages[ref.index]
            if int(page.obj.get("/Rotate", 0)) % 360 != 0:
                return None
            found = sole_image(page, tuple(float(v) for v in page.cropbox))  # type: ignore[arg-type]
            if found is None:
                return None
            image, (a, b, c, d, _, _) = found
            upright = a > 0 and d > 0 and abs(b) + abs(c) < 1e-3 * (a + d)
            plain = (
                image.get("/Filter") == pikepdf.Name.DCTDecode
                and str(image.get("/ColorSpace")) in _PLAIN_COLOUR
                and int(image.get("/BitsPerComponent", 8)) == 8
                and not any(key in image for key in ("/SMask", "/Mask", "/Decode"))
                and (int(image.Width), int(image.Height)) == size
            )
            return _repacked_jpeg(image.read_raw_bytes()) if upright and plain else None
    except (pikepdf.PdfError, OSError, ValueError, IndexError):
        return None  # the page stage read it; here it is only not passed through


def _repacked_jpeg(jpeg: bytes) -> bytes:
    """The same JPEG coefficients with optimized Huffman tables, by libjpeg-turbo's
    ``jpegtran`` (lossless: the same pixels; scanners write standard tables, 15-35 % more
    bytes); its colour profile is kept, EXIF and comments dropped. The bytes as they are
    where ``jpegtran`` is not installed or fails on them."""
    jpegtran = shutil.which("jpegtran")
    if jpegtran is None:
        return jpeg
    argv = [jpegtran, "-optimize", "-copy", "icc"]
    done = subprocess.run(argv, input=jpeg, capture_output=True, timeout=60, check=False)
    if done.returncode != 0 or not done.stdout:
        return jpeg
    return done.stdout


def _encode(image: np.ndarray) -> bytes:
    """G4 for a bitonal page; JPEG by OpenCV's libjpeg-turbo otherwise, Huffman tables
    optimized (8 % fewer bytes, the same pixels): 2-5 times faster than Pillow's encoder
    for the same bytes (docs/archive.md)."""
    if image.ndim == 2 and _is_bitonal(image):
        buffer = io.BytesIO()
        Image.fromarray(image).point(lambda v: 255 if v >= 128 else 0).convert("1").save(
            buffer, format="TIFF", compression="group4"
        )
        return buffer.getvalue()
    params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY, cv2.IMWRITE_JPEG_OPTIMIZE, 1]
    done, data = cv2.imencode(".jpg", image, params)  # BGR or grey in, YCbCr JFIF out
    if not done:
        raise ArchiveError("the page image could not be encoded as JPEG")
    return data.tobytes()


def _is_bitonal(grey: np.ndarray) -> bool:
    extreme = np.count_nonzero((grey <= 16) | (grey >= 239))
    return extreme >= BITONAL_SHARE * grey.size


# --------------------------------------------------------------------------- text layer
def _text_layer(pages: Sequence[PageText], sizes: Sequence[_Size]) -> bytes:
    """The words, invisible, one PDF page a scan, each word stretched over its box."""
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_font("glyphless", fname=str(glyphless_font()))
    for page, size in zip(pages, sizes, strict=True):
        pdf.add_page(format=(size.width_pt, size.height_pt))
        pdf.set_font("glyphless")
        pdf.text_mode = TextMode.INVISIBLE
        for word in page.words:
            _place(pdf, word, size, page.rotation % 360)
    return bytes(pdf.output())


def _place(pdf: FPDF, word: OcrWord, size: _Size, rotation: int) -> None:
    """One word over its box, running the way it reads on the page as shown (``/Rotate``
    ``rotation``): text extractors order a line's letters along it."""
    covered = glyphless_characters()
    text = "".join(ch if ch in covered else REPLACEMENT for ch in nfc(word.text).strip())
    if not text or word.width <= 0 or word.height <= 0:
        return
    s = size.scale
    box = (word.left * s, word.top * s, (word.left + word.width) * s, (word.top + word.height) * s)
    u0, v0, u1, v1 = _shown(box, size, rotation)
    pdf.set_font_size(v1 - v0)
    pdf.set_stretching(100)  # the width at 100 %: fpdf2 measures with the stretching set
    pdf.set_stretching(100 * (u1 - u0) / pdf.get_string_width(text))
    x, y = _unshown(u0, v0 + BASELINE * (v1 - v0), size, rotation)
    # a space after the word, past its box: extractors part words at it, however close the
    # next word's box (pdfplumber merges words less than 3 pt apart)
    if rotation:
        with pdf.rotation(rotation, x, y):
            pdf.text(x, y, text + " ")
    else:
        pdf.text(x, y, text + " ")


def _shown(
    box: tuple[float, float, float, float], size: _Size, rotation: int
) -> tuple[float, float, float, float]:
    """A box on the page as stored (points, y down) where it is on the page as shown."""
    x0, y0, x1, y1 = box
    w, h = size.width_pt, size.height_pt
    return {
        0: (x0, y0, x1, y1),
        90: (h - y1, x0, h - y0, x1),
        180: (w - x1, h - y1, w - x0, h - y0),
        270: (y0, w - x1, y1, w - x0),
    }[rotation]


def _unshown(u: float, v: float, size: _Size, rotation: int) -> tuple[float, float]:
    """A point of the page as shown where it is on the page as stored."""
    w, h = size.width_pt, size.height_pt
    return {0: (u, v), 90: (v, h - u), 180: (w - u, h - v), 270: (w - v, u)}[rotation]


@cache
def glyphless_characters() -> frozenset[str]:
    """The characters the glyphless font maps to its glyph (the rest are written as
    :data:`REPLACEMENT`: PDF/A forbids drawing ``.notdef``)."""
    return frozenset(chr(cp) for cp in TTFont(glyphless_font()).getBestCmap())


@cache
def glyphless_font() -> Path:
    """``ocr_models/fonts/glyphless.ttf`` (``python -m sohoa.ocr_models.build_glyphless_font``)."""
    return ocr_models.PACKAGE_DIR / "fonts" / "glyphless.ttf"


# --------------------------------------------------------------------------- PDF/A
def _make_pdfa(pdf: pikepdf.Pdf, info: ArchiveInfo) -> None:
    """PDF/A-2b's document-level parts: an sRGB output intent and XMP metadata that the
    document information dictionary agrees with."""
    pdf.Root.OutputIntents = pikepdf.Array([_output_intent(pdf)])
    keywords = ", ".join(k for k in (info.doc_type, info.dossier_code) if k)
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary())
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = nfc(info.title)
        meta["dc:language"] = [info.language]
        meta["dc:subject"] = [k for k in (info.doc_type, info.dossier_code) if k]
        meta["pdf:Keywords"] = keywords
        meta["pdf:Producer"] = PRODUCER
        meta["xmp:CreatorTool"] = PRODUCER
        stamp = info.created.isoformat(timespec="seconds")
        meta["xmp:CreateDate"] = stamp
        meta["xmp:ModifyDate"] = stamp
        meta["xmp:MetadataDate"] = stamp
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"


def _output_intent(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    profile = pikepdf.Stream(pdf, _srgb_profile())
    profile.N = 3
    return pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier="sRGB IEC61966-2.1",
        RegistryName="http://www.color.org",
        Info="sRGB IEC61966-2.1",
        DestOutputProfile=profile,
    )


@cache
def _srgb_profile() -> bytes:
    """An sRGB ICC profile, made by Little CMS (Pillow's ImageCms): no file to ship."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# --------------------------------------------------------------------------- checks
def pdfa_problems(path: Path) -> list[str]:
    """What in the PDF at ``path`` breaks the PDF/A-2b rules that can be checked without a
    full validator: none for a conforming file. Checked: the header version, no
    encryption, XMP metadata in an xpacket naming part 2 conformance B and a title that the
    document information repeats, an output intent with an ICC profile of as many
    components as it says, every font embedded (also in form XObjects), no image asking to
    be interpolated, no LZW, no JavaScript, a trailer ID. Not checked: the fonts' insides
    and widths, colour spaces image by image, the XMP's full schema (docs/archive.md)."""
    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        if pdf.pdf_version > "1.7":
            problems.append(f"PDF version {pdf.pdf_version} is above 1.7")
        if pdf.is_encrypted:
            problems.append("encrypted")
        if "/ID" not in pdf.trailer:
            problems.append("no trailer ID")
        problems += _metadata_problems(pdf)
        problems += _output_intent_problems(pdf)
        problems += _object_problems(pdf)
    return problems


def _metadata_problems(pdf: pikepdf.Pdf) -> list[str]:
    if "/Metadata" not in pdf.Root:
        return ["no XMP metadata"]
    problems = []
    if not pdf.Root.Metadata.read_bytes().startswith(b"<?xpacket begin="):
        problems.append("XMP metadata outside an xpacket")
    meta = pdf.open_metadata()
    if meta.get("pdfaid:part") != "2" or meta.get("pdfaid:conformance") != "B":
        problems.append("XMP does not claim PDF/A-2B")
    title = str(pdf.docinfo.get("/Title", ""))
    if meta.get("dc:title") != title:
        problems.append("the document information's title is not the XMP's")
    return problems


def _output_intent_problems(pdf: pikepdf.Pdf) -> list[str]:
    intents = pdf.Root.get("/OutputIntents", pikepdf.Array())
    pdfa = [i for i in intents if i.get("/S") == pikepdf.Name.GTS_PDFA1]
    if len(pdfa) != 1:
        return [f"{len(pdfa)} PDF/A output intents (one is needed)"]
    profile = pdfa[0].get("/DestOutputProfile")
    if profile is None:
        return ["the output intent has no ICC profile"]
    data = profile.read_bytes()
    components = {b"RGB ": 3, b"GRAY": 1, b"CMYK": 4}.get(data[16:20])
    if components is None or components != int(profile.get("/N", 0)):
        return ["the output intent's ICC profile does not match its /N"]
    return []


def _object_problems(pdf: pikepdf.Pdf) -> list[str]:
    problems = set()
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        if obj.get("/Type") == pikepdf.Name.Font and obj.get("/Subtype") != pikepdf.Name.Type0:
            descriptor = obj.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            if not embedded:
                problems.add(f"font {obj.get('/BaseFont')} not embedded")
        if obj.get("/Subtype") == pikepdf.Name.Image and obj.get("/Interpolate") is True:
            problems.add("an image asks to be interpolated")
        filters = obj.get("/Filter")
        if filters is not None and "/LZWDecode" in str(filters):
            problems.add("LZW compression")
        if obj.get("/S") == pikepdf.Name.JavaScript or "/JS" in obj:
            problems.add("JavaScript")
    return sorted(problems)
