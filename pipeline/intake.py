"""Intake: what an input file really is, how many pages it has, and one page's pixels.

Scanner output arrives with any name, so a file is judged by its first bytes, never by its
extension. :func:`list_pages` is cheap (headers only) and refuses a file early when it cannot
be read at all; :func:`load_page` opens the file, decodes exactly one page and closes it again,
so a 300-page TIFF or PDF never sits decoded in memory and a page can be loaded in a worker
process from its :class:`PageRef` alone.

Every refusal is a :class:`~sohoa.pipeline.errors.InputFileError` (or a subclass) whose message
is one line: ``"<path>: <problem>"``. Page sizes are checked against ``max_pixels`` from
headers *before* anything is decoded (decompression-bomb guard).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageTooLargeError, InputFileError, UnsupportedFormatError
from .models import PageRef, PageText, SourceKind

MAX_PIXELS = 120_000_000  # 600-dpi colour A3 is ~70 Mpx; a bomb is usually far above
DPI_RANGE = (50.0, 3000.0)  # outside this a resolution tag is garbage, not a scan setting
MAX_PAGE_INCHES = 17.5  # A3 is 16.5 in: the largest sheet our dossiers hold
A4_LONG_INCHES = 11.69

_SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".pdf"}
_MAGIC: list[tuple[bytes, SourceKind]] = [
    (b"\x89PNG\r\n\x1a\n", SourceKind.png),
    (b"\xff\xd8\xff", SourceKind.jpeg),
    (b"II*\x00", SourceKind.tiff),
    (b"MM\x00*", SourceKind.tiff),
    (b"II+\x00", SourceKind.tiff),  # BigTIFF
    (b"MM\x00+", SourceKind.tiff),
]
# Formats we recognise only to name them in the error message.
_OTHER_MAGIC: list[tuple[bytes, str]] = [
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"GIF8", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
]


@dataclass(frozen=True, slots=True)
class LoadedPage:
    """One decoded page.

    ``image`` is uint8, BGR (h, w, 3) or single-channel (h, w) for grey and bitonal scans, at
    the file's native resolution and upright as the file asks (EXIF orientation, PDF
    ``/Rotate``). It is ``None`` when the page is born-digital and ``text_layer`` holds its
    words instead. ``dpi_source`` says where ``dpi`` came from: ``"metadata"``, ``"pdf"``
    (pixels over the placed size), ``"render"`` (we rasterised the page) or ``"estimated"``
    (no usable tag: the page was assumed to be A4).
    """

    ref: PageRef
    image: np.ndarray | None
    dpi: float
    text_layer: PageText | None = None
    dpi_source: str = "metadata"


def sniff(path: str | Path) -> SourceKind:
    """What ``path`` holds, from its first bytes; raises for missing, empty or foreign files."""
    p = Path(path)
    head = _read_head(p, 1024)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"%PDF-" in head:  # the spec tolerates junk before the header
        return SourceKind.pdf
    raise UnsupportedFormatError(f"{p}: not an image or PDF ({_describe(head)})")


def list_pages(
    path: str | Path, *, password: str | None = None, max_pixels: int | None = None
) -> list[PageRef]:
    """References to every page of ``path``, validating that the file opens; no pixels decoded."""
    kind = sniff(path)
    limit = max_pixels or MAX_PIXELS
    if kind is SourceKind.pdf:
        from . import pdfpage  # imports this module: load it late

        count = pdfpage.page_count(Path(path), password)
    else:
        count = _raster_page_count(Path(path), kind, limit)
    return [PageRef(path=str(path), index=i, kind=kind) for i in range(count)]


def load_page(
    ref: PageRef, *, password: str | None = None, max_pixels: int | None = None
) -> LoadedPage:
    """Decode one page of ``ref.path`` (and only that page)."""
    limit = max_pixels or MAX_PIXELS
    kind = sniff(ref.path)  # the file may have changed since list_pages
    if kind is SourceKind.pdf:
        from . import pdfpage  # imports this module: load it late

        return pdfpage.load_pdf_page(ref, password, limit)
    return _load_raster_page(ref, kind, limit)


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand folders into their scan files, in natural order (``scan2`` before ``scan10``).

    A file named on the command line is always yielded, so a wrong one is reported rather
    than skipped. Inside folders (recursively) hidden files are skipped, and so are files that
    neither carry a scan extension nor sniff as an image or PDF (``Thumbs.db``, ``notes.txt``).
    """
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path
            continue
        for child in sorted(_walk(path), key=lambda c: natural_key(c.relative_to(path))):
            if child.suffix.lower() in _SCAN_SUFFIXES or _sniffs(child):
                yield child


def natural_key(path: str | Path) -> tuple:
    """Sort key that compares digit runs as numbers, part by part, ignoring case."""
    parts = Path(path).parts
    return tuple(
        tuple(int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", part))
        for part in parts
    )


def problem(path: str | Path, what: object) -> str:
    """``"<path>: <what>"`` squeezed onto one line (library messages carry newlines)."""
    text = " ".join(str(what).split())
    return f"{path}: {text[:300]}"


# ---------------------------------------------------------------- files and headers


def _read_head(path: Path, size: int) -> bytes:
    try:
        if path.is_dir():
            raise InputFileError(f"{path}: is a directory, not a file")
        with path.open("rb") as handle:
            head = handle.read(size)
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except PermissionError:
        raise InputFileError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputFileError(problem(path, f"cannot read ({exc.strerror or exc})")) from None
    if not head:
        raise InputFileError(f"{path}: file is empty (0 bytes)")
    return head


def _describe(head: bytes) -> str:
    for magic, name in _OTHER_MAGIC:
        if head.startswith(magic):
            return f"looks like {name}"
    sample = head[:512]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a cut multi-byte char at the end is still text
            return "unrecognised binary content"
    return "looks like plain text"


def _sniffs(path: Path) -> bool:
    if path.name.startswith("."):
        return False
    try:
        sniff(path)
    except InputFileError:
        return False
    return True


def _walk(folder: Path) -> Iterator[Path]:
    for child in folder.iterdir():
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child)
        elif child.is_file():
            yield child


def check_pixels(path: str | Path, width: int, height: int, limit: int, what: str = "") -> None:
    """Refuse a page whose decoded size would exceed ``limit`` pixels, before decoding it."""
    if width <= 0 or height <= 0:
        raise InputFileError(f"{path}: {what}image has no pixels ({width}x{height})")
    if width * height > limit:
        raise ImageTooLargeError(
            f"{path}: {what}image is {width}x{height} = {width * height / 1e6:.0f} Mpx, "
            f"over the {limit / 1e6:.0f} Mpx limit (decompression-bomb guard)"
        )


# ---------------------------------------------------------------- PNG, JPEG, TIFF


@contextmanager
def _pillow_quiet() -> Iterator[None]:
    """Pillow's warnings about what is ours to judge: an image's size (``check_pixels``),
    a broken EXIF block (it loses only its turn; the page stage finds the orientation) --
    no second line on stderr beside the batch's one-line error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", "Corrupt EXIF data", UserWarning)
        yield


def _open_image(path: Path, kind: SourceKind) -> Image.Image:
    try:
        with _pillow_quiet():
            return Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(
            problem(path, f"over Pillow's decompression-bomb limit ({exc})")
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputFileError(
            problem(path, f"corrupt or truncated {kind.value.upper()} file ({exc})")
        ) from None


def _raster_page_count(path: Path, kind: SourceKind, limit: int) -> int:
    with _open_image(path, kind) as img:
        if kind is not SourceKind.tiff:
            check_pixels(path, img.width, img.height, limit)
            return 1
        count = 0
        try:
            while True:  # walks the IFD chain: tags only, no strips decoded
                img.seek(count)
                check_pixels(path, img.width, img.height, limit, f"page {count + 1}: ")
                count += 1
        except EOFError:
            pass
        except (OSError, SyntaxError, ValueError) as exc:
            raise InputFileError(problem(path, f"corrupt TIFF page {count + 1} ({exc})")) from None
        if count == 0:
            raise InputFileError(f"{path}: TIFF file has no pages")
        return count


def _load_raster_page(ref: PageRef, kind: SourceKind, limit: int) -> LoadedPage:
    path = Path(ref.path)
    with _open_image(path, kind) as img:
        try:
            with _pillow_quiet():
                img.seek(ref.index)
        except EOFError:
            raise InputFileError(f"{path}: has no page {ref.number}") from None
        check_pixels(path, img.width, img.height, limit)
        try:
            with _pillow_quiet():
                img.load()
                upright = ImageOps.exif_transpose(img)
        except Image.DecompressionBombError as exc:
            raise ImageTooLargeError(
                problem(path, f"over Pillow's decompression-bomb limit ({exc})")
            ) from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InputFileError(
                problem(path, f"corrupt or truncated {kind.value.upper()} data ({exc})")
            ) from None
        if kind is SourceKind.jpeg:
            _check_jpeg_complete(path)
        dpi, source = image_dpi(img.info.get("dpi"), upright.width, upright.height)
        return LoadedPage(ref=ref, image=to_array(upright), dpi=dpi, dpi_source=source)


def _check_jpeg_complete(path: Path) -> None:
    """Refuse a JPEG cut short, even where Pillow was told to tolerate truncation.

    Walks the marker segments to the first start-of-scan of the main image (so the EXIF
    thumbnail, which has its own SOS/EOI inside APP1, is skipped) and asks for an
    end-of-image marker after it.
    """
    data = path.read_bytes()
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:  # SOS: entropy-coded data follows
            if data.rfind(b"\xff\xd9") > pos:
                return
            break
        pos += 2 + length
    raise InputFileError(f"{path}: corrupt or truncated JPEG file (no end-of-image marker)")


def image_dpi(tag: object, width: int, height: int) -> tuple[float, str]:
    """The scan resolution: the file's tag when it is plausible, else an A4 estimate.

    A tag is trusted when it lies in :data:`DPI_RANGE` and the page it implies is at most
    :data:`MAX_PAGE_INCHES` long: cameras and some encoders write 72 or 96 dpi on a
    4000-pixel photo (a 55-inch "page"), which is a screen default, not a scan setting.
    """
    try:
        xdpi, ydpi = (float(v) for v in tag)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        xdpi = ydpi = 0.0
    dpi = (xdpi + ydpi) / 2 if xdpi > 0 and ydpi > 0 else max(xdpi, ydpi)
    if DPI_RANGE[0] <= dpi <= DPI_RANGE[1] and max(width, height) / dpi <= MAX_PAGE_INCHES:
        return round(dpi, 2), "metadata"
    estimate = max(width, height) / A4_LONG_INCHES
    return round(min(max(estimate, 100.0), 1200.0), 2), "estimated"


def to_array(img: Image.Image) -> np.ndarray:
    """uint8 BGR, or one channel for grey and bitonal images; alpha is flattened on white."""
    mode = img.mode
    if mode == "1":
        return np.asarray(img.convert("L"))
    if mode == "L":
        return np.asarray(img)
    if mode.startswith("I;16") or mode in ("I", "F"):
        values = np.asarray(img).astype(np.float64)
        top = 65535.0 if mode.startswith("I;16") else max(float(values.max()), 1.0)
        return np.clip(values * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        mode = img.mode
    if mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        base = Image.new("RGBA", img.size, (255, 255, 255, 255))
        base.alpha_composite(img.convert("RGBA"))
        img = base.convert("L" if mode == "LA" else "RGB")
        if img.mode == "L":
            return np.asarray(img)
    elif mode != "RGB":
        img = img.convert("RGB")  # CMYK (Pillow undoes Adobe's inversion), YCbCr, LAB
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)  # 4x faster than a flipped copy
