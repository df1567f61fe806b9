"""Intake on real files made here: every format and variant, and every kind of bad input."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import unicodedata
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageFile

from sohoa.pipeline import intake, pdfpage
from sohoa.pipeline.errors import (
    EncryptedPdfError,
    ImageTooLargeError,
    InputFileError,
    UnsupportedFormatError,
)
from sohoa.pipeline.models import SourceKind

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NAME_LINE = "Họ và tên: NGUYỄN THỊ HỒNG NHUNG"


# ---------------------------------------------------------------- makers


def noise_rgb(h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def smooth_rgb(h: int, w: int) -> np.ndarray:
    """A gradient with a dark top-left block: survives JPEG and shows orientation."""
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // w, y * 255 // h, (x + y) * 255 // (w + h)], axis=-1)
    rgb = rgb.astype(np.uint8)
    rgb[: h // 4, : w // 4] = (10, 200, 30)
    return rgb


def blocks_bitonal(h: int, w: int, seed: int = 0) -> np.ndarray:
    """0/255 image of 16-px blocks with a black top-left corner, sharp enough for fax codes."""
    cells = np.random.default_rng(seed).random((h // 16, w // 16)) > 0.5
    image = np.kron(cells, np.ones((16, 16), dtype=bool))
    image[:16, :16] = False
    return np.where(image, 255, 0).astype(np.uint8)


def g4_strip(bitonal: np.ndarray) -> bytes:
    """CCITT G4 data of a 0/255 image, in PDF's BlackIs1 convention (Pillow writes MinIsBlack)."""
    buffer = io.BytesIO()
    Image.fromarray(bitonal).convert("1").save(buffer, "TIFF", compression="group4")
    tiff = Image.open(io.BytesIO(buffer.getvalue()))
    offset, count = tiff.tag_v2[273][0], tiff.tag_v2[279][0]
    return buffer.getvalue()[offset : offset + count]


def image_pdf(
    path: Path,
    data: bytes,
    info: dict,
    size_pt: tuple[float, float],
    cm: list[float],
    *,
    rotate: int = 0,
    extra: bytes = b"",
) -> Path:
    """A scanned-style PDF page: one image XObject placed by ``cm`` (as img2pdf writes)."""
    pdf = pikepdf.new()
    image = pikepdf.Stream(pdf, data)
    image["/Type"] = pikepdf.Name.XObject
    image["/Subtype"] = pikepdf.Name.Image
    for key, value in info.items():
        image["/" + key] = value
    page = pdf.add_blank_page(page_size=size_pt)
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
    font["/BaseFont"] = pikepdf.Name.Helvetica
    page.Resources = pikepdf.Dictionary(
        XObject=pikepdf.Dictionary(Im0=image), Font=pikepdf.Dictionary(F1=font)
    )
    matrix = " ".join(f"{v:.4f}" for v in cm).encode()
    page.Contents = pikepdf.Stream(pdf, b"q " + matrix + b" cm /Im0 Do Q\n" + extra)
    if rotate:
        page.Rotate = rotate
    pdf.save(path)
    return path


def flate_rgb_pdf(path: Path, rgb: np.ndarray, dpi: float, **kw) -> Path:
    h, w = rgb.shape[:2]
    info = {
        "Width": w,
        "Height": h,
        "ColorSpace": pikepdf.Name.DeviceRGB,
        "BitsPerComponent": 8,
        "Filter": pikepdf.Name.FlateDecode,
    }
    size = (w * 72 / dpi, h * 72 / dpi)
    cm = [size[0], 0, 0, size[1], 0, 0]
    return image_pdf(path, zlib.compress(rgb.tobytes()), info, size, cm, **kw)


def g4_pdf(path: Path, bitonal: np.ndarray, dpi: float, cm_kind: str = "plain", rotate: int = 0):
    h, w = bitonal.shape
    info = {
        "Width": w,
        "Height": h,
        "ColorSpace": pikepdf.Name.DeviceGray,
        "BitsPerComponent": 1,
        "Filter": pikepdf.Name.CCITTFaxDecode,
        "DecodeParms": pikepdf.Dictionary(K=-1, Columns=w, Rows=h, BlackIs1=True),
    }
    W, H = w * 72 / dpi, h * 72 / dpi
    placements = {
        "plain": ([W, 0, 0, H, 0, 0], (W, H)),
        "mirrored": ([-W, 0, 0, H, W, 0], (W, H)),
        "quarter": ([0, W, -H, 0, H, 0], (H, W)),  # image turned 90° on the page
    }
    cm, size = placements[cm_kind]
    return image_pdf(path, g4_strip(bitonal), info, size, cm, rotate=rotate)


def born_digital_pdf(path: Path, pages: list[list[str]]) -> Path:
    fpdf = pytest.importorskip("fpdf")
    doc = fpdf.FPDF(format="A4")
    doc.add_font("DejaVu", "", str(DEJAVU))
    for lines in pages:
        doc.add_page()
        doc.set_font("DejaVu", size=14)
        for i, line in enumerate(lines):
            doc.text(20, 30 + 9 * i + (20 if i >= 3 else 0), line)
    doc.output(str(path))
    return path


def png_with_header_size(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose IHDR claims ``width`` x ``height`` (a decompression bomb's header)."""
    buffer = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


def assert_one_line(error: pytest.ExceptionInfo, path: Path) -> None:
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(str(path) + ": ")


# ---------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [("PNG", SourceKind.png), ("JPEG", SourceKind.jpeg), ("TIFF", SourceKind.tiff)],
)
def test_sniff_judges_content_not_extension(tmp_path, fmt, kind):
    path = tmp_path / "scan.pdf"  # the name lies
    Image.fromarray(noise_rgb(20, 30)).save(path, fmt)
    assert intake.sniff(path) is kind


def test_sniff_pdf_with_junk_before_header(tmp_path):
    path = tmp_path / "scan.bin"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    path.write_bytes(b"\r\n\x00junk" + buffer.getvalue())
    assert intake.sniff(path) is SourceKind.pdf


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        (b"Ho va ten: Nguyen Thi Hong Nhung\n", "plain text"),
        ("Họ và tên".encode(), "plain text"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"\x00\x01\x02\x03\xfe\xfd" * 50, "binary"),
    ],
)
def test_foreign_content_is_unsupported(tmp_path, content, hint):
    path = tmp_path / "scan.png"
    path.write_bytes(content)
    with pytest.raises(UnsupportedFormatError, match=hint) as error:
        intake.list_pages(path)
    assert_one_line(error, path)


def test_zip_renamed_png_is_unsupported(tmp_path):
    path = tmp_path / "scan.png"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "hello")
    with pytest.raises(UnsupportedFormatError, match="ZIP") as error:
        intake.sniff(path)
    assert_one_line(error, path)


def test_missing_empty_and_directory(tmp_path):
    with pytest.raises(InputFileError, match="no such file") as error:
        intake.list_pages(tmp_path / "nope.tif")
    assert_one_line(error, tmp_path / "nope.tif")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty") as error:
        intake.list_pages(empty)
    assert_one_line(error, empty)
    with pytest.raises(InputFileError, match="directory") as error:
        intake.sniff(tmp_path)
    assert type(error.value) is InputFileError


# ---------------------------------------------------------------- raster formats


def test_png_rgb_round_trip(tmp_path):
    rgb = noise_rgb(90, 70, seed=3)
    path = tmp_path / "a.png"
    Image.fromarray(rgb).save(path, dpi=(300, 300))
    (ref,) = intake.list_pages(path)
    page = intake.load_page(ref)
    assert page.image.dtype == np.uint8 and page.image.flags.c_contiguous
    assert np.array_equal(page.image, rgb[:, :, ::-1])  # BGR
    assert page.dpi == pytest.approx(300, abs=0.01) and page.dpi_source == "metadata"
    assert page.text_layer is None


def test_png_grey_16bit_and_alpha(tmp_path):
    grey = np.random.default_rng(4).integers(0, 256, (40, 50), dtype=np.uint8)
    Image.fromarray(grey).save(tmp_path / "g.png")
    loaded = intake.load_page(intake.list_pages(tmp_path / "g.png")[0])
    assert loaded.image.ndim == 2 and np.array_equal(loaded.image, grey)

    deep = grey.astype(np.uint16) * 257
    Image.fromarray(deep).save(tmp_path / "d.png")
    loaded = intake.load_page(intake.list_pages(tmp_path / "d.png")[0])
    assert loaded.image.dtype == np.uint8 and np.array_equal(loaded.image, grey)

    rgba = np.zeros((10, 10, 4), dtype=np.uint8)
    rgba[:5] = (255, 0, 0, 255)  # opaque red top half, transparent bottom half
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    loaded = intake.load_page(intake.list_pages(tmp_path / "a.png")[0])
    assert tuple(loaded.image[0, 0]) == (0, 0, 255)  # BGR red
    assert tuple(loaded.image[9, 9]) == (255, 255, 255)  # flattened on white


def test_jpeg_round_trip_and_dpi(tmp_path):
    rgb = smooth_rgb(120, 160)
    path = tmp_path / "photo.tif"  # wrong name on purpose
    Image.fromarray(rgb).save(path, "JPEG", quality=95, dpi=(200, 200))
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.ref.kind is SourceKind.jpeg
    assert page.image.shape == (120, 160, 3)
    assert np.abs(page.image.astype(int) - rgb[:, :, ::-1]).mean() < 3
    assert page.dpi == 200


def test_jpeg_exif_orientation_applied(tmp_path):
    rgb = smooth_rgb(60, 100)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, to be shown rotated 90° clockwise
    path = tmp_path / "o.jpg"
    Image.fromarray(rgb).save(path, quality=95, exif=exif, dpi=(300, 300))
    page = intake.load_page(intake.list_pages(path)[0])
    expected = np.rot90(rgb, -1)[:, :, ::-1]
    assert page.image.shape == (100, 60, 3)
    assert np.abs(page.image.astype(int) - expected).mean() < 3


@pytest.mark.parametrize("compression", ["tiff_lzw", "raw", "tiff_adobe_deflate"])
def test_tiff_lossless_round_trip(tmp_path, compression):
    rgb = noise_rgb(64, 48, seed=5)
    path = tmp_path / "s.tif"
    Image.fromarray(rgb).save(path, compression=compression, dpi=(400, 400))
    page = intake.load_page(intake.list_pages(path)[0])
    assert np.array_equal(page.image, rgb[:, :, ::-1]) and page.dpi == 400


def test_tiff_jpeg_compressed(tmp_path):
    rgb = smooth_rgb(64, 96)
    path = tmp_path / "j.tif"
    Image.fromarray(rgb).save(path, compression="jpeg", quality=95, dpi=(300, 300))
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.image.shape == (64, 96, 3)
    assert np.abs(page.image.astype(int) - rgb[:, :, ::-1]).mean() < 4


def test_tiff_resolution_in_centimetres(tmp_path):
    path = tmp_path / "cm.tif"
    Image.fromarray(noise_rgb(30, 30)).save(
        path,
        tiffinfo={282: 118.11, 283: 118.11, 296: 3},  # 118.11 px/cm = 300 dpi
    )
    assert intake.load_page(intake.list_pages(path)[0]).dpi == pytest.approx(300, abs=0.1)


def test_multipage_g4_tiff(tmp_path):
    pages = [blocks_bitonal(160, 128, seed=s) for s in range(3)]
    images = [Image.fromarray(p).convert("1") for p in pages]
    path = tmp_path / "batch.tif"
    images[0].save(
        path, save_all=True, append_images=images[1:], compression="group4", dpi=(300, 300)
    )
    refs = intake.list_pages(path)
    assert [r.index for r in refs] == [0, 1, 2] and refs[2].number == 3
    for ref, expected in zip(refs, pages, strict=True):
        page = intake.load_page(ref)
        assert page.image.ndim == 2 and page.image.dtype == np.uint8
        assert np.array_equal(page.image, expected)
        assert page.dpi == 300


def test_absurd_or_missing_dpi_falls_back_to_estimate(tmp_path):
    a4_150 = (1754, 1240)  # an A4 page at 150 dpi
    Image.new("L", a4_150[::-1], 255).save(tmp_path / "one.png", dpi=(1, 1))
    Image.new("L", a4_150[::-1], 255).save(tmp_path / "none.png")
    Image.new("L", a4_150[::-1], 255).save(tmp_path / "huge.png", dpi=(90000, 90000))
    for name in ("one.png", "none.png", "huge.png"):
        page = intake.load_page(intake.list_pages(tmp_path / name)[0])
        assert page.dpi_source == "estimated"
        assert page.dpi == pytest.approx(150, abs=1)


def test_camera_72dpi_on_a_big_photo_is_not_trusted():
    assert intake.image_dpi((72, 72), 4000, 3000) == (pytest.approx(342.17, abs=0.01), "estimated")
    assert intake.image_dpi((300, 300), 2480, 3508) == (300.0, "metadata")
    assert intake.image_dpi((300, 300), 1011, 638) == (300.0, "metadata")  # an ID card


def test_600dpi_colour_a4_is_accepted(tmp_path):
    path = tmp_path / "a4-600.jpg"
    Image.new("RGB", (4961, 7016), (250, 250, 245)).save(path, quality=80, dpi=(600, 600))
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.image.shape == (7016, 4961, 3) and page.dpi == 600


# ---------------------------------------------------------------- corrupt and truncated


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("PNG", {}),
        ("JPEG", {"quality": 90}),
        ("TIFF", {"compression": "raw"}),
        ("TIFF", {"compression": "tiff_lzw"}),
    ],
)
def test_truncated_images_are_refused(tmp_path, fmt, options):
    buffer = io.BytesIO()
    Image.fromarray(noise_rgb(200, 150, seed=7)).save(buffer, fmt, **options)
    path = tmp_path / "cut.img"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) * 2 // 3])
    with pytest.raises(InputFileError, match="corrupt or truncated") as error:
        intake.load_page(intake.list_pages(path)[0])
    assert_one_line(error, path)


def test_truncated_jpeg_refused_even_when_pillow_tolerates_it(tmp_path, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    buffer = io.BytesIO()
    Image.fromarray(smooth_rgb(300, 200)).save(buffer, "JPEG", quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(InputFileError, match="end-of-image") as error:
        intake.load_page(intake.list_pages(path)[0])
    assert_one_line(error, path)


def test_corrupt_png_crc(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(noise_rgb(50, 50)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[60] ^= 0xFF  # inside the IDAT payload
    path = tmp_path / "crc.png"
    path.write_bytes(bytes(data))
    with pytest.raises(InputFileError) as error:
        intake.load_page(intake.list_pages(path)[0])
    assert_one_line(error, path)


# ---------------------------------------------------------------- decompression bombs


def test_bomb_png_refused_from_header(tmp_path):
    path = png_with_header_size(tmp_path / "bomb.png", 40000, 40000)
    with pytest.raises(ImageTooLargeError, match="decompression-bomb") as error:
        intake.list_pages(path)
    assert_one_line(error, path)
    path = png_with_header_size(tmp_path / "wide.png", 12000, 12000)  # under Pillow's own limit
    with pytest.raises(ImageTooLargeError, match="144 Mpx") as error:
        intake.list_pages(path)
    assert_one_line(error, path)


def test_limit_is_configurable_and_checks_every_tiff_page(tmp_path):
    small = Image.new("L", (100, 100), 255)
    big = Image.new("L", (1200, 1000), 255)
    path = tmp_path / "mixed.tif"
    small.save(path, save_all=True, append_images=[big], compression="tiff_lzw")
    with pytest.raises(ImageTooLargeError, match="page 2"):
        intake.list_pages(path, max_pixels=1_000_000)
    assert len(intake.list_pages(path, max_pixels=2_000_000)) == 2
    ref = intake.list_pages(path)[1]
    with pytest.raises(ImageTooLargeError):
        intake.load_page(ref, max_pixels=1_000_000)


def test_pillow_bomb_error_becomes_image_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow refuses above 2000 px
    path = tmp_path / "p.png"
    Image.new("L", (100, 100)).save(path)
    with pytest.raises(ImageTooLargeError) as error:
        intake.list_pages(path)
    assert_one_line(error, path)


def test_pdf_image_bomb_refused_before_decoding(tmp_path):
    info = {
        "Width": 60000,
        "Height": 60000,
        "ColorSpace": pikepdf.Name.DeviceGray,
        "BitsPerComponent": 8,
        "Filter": pikepdf.Name.FlateDecode,
    }
    path = image_pdf(
        tmp_path / "bomb.pdf", zlib.compress(b"\0" * 1000), info, (595, 842), [595, 0, 0, 842, 0, 0]
    )
    with pytest.raises(ImageTooLargeError, match="3600 Mpx") as error:
        intake.load_page(intake.list_pages(path)[0])
    assert_one_line(error, path)


def test_pdf_bomb_among_several_images_refused_before_rendering(tmp_path):
    info = {
        "Width": 50000,
        "Height": 50000,
        "ColorSpace": pikepdf.Name.DeviceGray,
        "BitsPerComponent": 8,
        "Filter": pikepdf.Name.FlateDecode,
    }
    draw_twice = b"q 100 0 0 100 0 0 cm /Im0 Do Q"  # two images: not a simple scan page
    path = image_pdf(
        tmp_path / "b.pdf",
        zlib.compress(b"\0" * 1000),
        info,
        (595, 842),
        [1, 0, 0, 1, 0, 0],
        extra=draw_twice,
    )
    with pytest.raises(ImageTooLargeError, match="embedded image is 50000x50000"):
        intake.load_page(intake.list_pages(path)[0])


def test_scan_on_an_absurd_page_size_gets_an_estimated_dpi(tmp_path):
    rgb = noise_rgb(350, 248, seed=19)  # an A4 page at 30 dpi... placed on a 200-inch page
    path = flate_rgb_pdf(tmp_path / "huge.pdf", rgb, dpi=350 / 200)
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.dpi_source == "estimated" and page.dpi == 100  # the estimate's floor
    assert np.array_equal(page.image, rgb[:, :, ::-1])


def test_giant_vector_page_refused(tmp_path):
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(14400, 14400))  # 200 x 200 inches
    page.Contents = pikepdf.Stream(pdf, b"0 0 m 14400 14400 l S\n")
    pdf.save(tmp_path / "giant.pdf")
    with pytest.raises(ImageTooLargeError, match="too large to render"):
        intake.load_page(intake.list_pages(tmp_path / "giant.pdf")[0])


# ---------------------------------------------------------------- PDF: scanned pages


def test_scanned_pdf_flate_is_extracted_pixel_exact(tmp_path):
    rgb = noise_rgb(110, 80, seed=11)
    path = flate_rgb_pdf(tmp_path / "scan.pdf", rgb, dpi=200)
    (ref,) = intake.list_pages(path)
    assert ref.kind is SourceKind.pdf
    page = intake.load_page(ref)
    assert page.dpi_source == "pdf" and page.dpi == pytest.approx(200, abs=0.1)
    assert np.array_equal(page.image, rgb[:, :, ::-1])


def test_scanned_pdf_jpeg_is_native(tmp_path):
    rgb = smooth_rgb(150, 100)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=90)
    info = {
        "Width": 100,
        "Height": 150,
        "ColorSpace": pikepdf.Name.DeviceRGB,
        "BitsPerComponent": 8,
        "Filter": pikepdf.Name.DCTDecode,
    }
    path = image_pdf(tmp_path / "j.pdf", buffer.getvalue(), info, (24, 36), [24, 0, 0, 36, 0, 0])
    page = intake.load_page(intake.list_pages(path)[0])
    same_decoder = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    assert np.array_equal(page.image, same_decoder[:, :, ::-1])
    assert page.dpi == pytest.approx(300)


@pytest.mark.parametrize(
    ("cm_kind", "rotate", "expected"),
    [
        ("plain", 0, lambda a: a),
        ("plain", 90, lambda a: np.rot90(a, -1)),  # /Rotate turns the page clockwise
        ("plain", 180, lambda a: np.rot90(a, 2)),
        ("plain", 270, lambda a: np.rot90(a, 1)),
        ("mirrored", 0, lambda a: a[:, ::-1]),
        ("quarter", 0, lambda a: np.rot90(a, 1)),  # placed with its top to the left
        ("quarter", 90, lambda a: a),
    ],
)
def test_scanned_pdf_g4_orientation(tmp_path, cm_kind, rotate, expected):
    bitonal = blocks_bitonal(128, 96, seed=2)
    path = g4_pdf(tmp_path / "g4.pdf", bitonal, dpi=200, cm_kind=cm_kind, rotate=rotate)
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.image.ndim == 2
    assert np.array_equal(page.image, expected(bitonal))
    assert page.dpi == pytest.approx(200)
    # Independent oracle: PDFium's rendering at the same dpi shows the same page (its edges
    # are anti-aliased, so most pixels, not all, agree; a wrong turn agrees on about half).
    doc = pdfpage.open_pdfium(path, None)
    rendered = doc[0].render(scale=200 / 72).to_numpy()[:, :, 0]
    doc.close()
    h, w = page.image.shape
    assert rendered.shape[0] >= h and rendered.shape[1] >= w
    assert (rendered[:h, :w] == page.image).mean() > 0.9


def test_ocred_scan_with_invisible_text_is_read_as_image(tmp_path):
    rgb = noise_rgb(100, 80, seed=12)
    invisible = b"BT /F1 12 Tf 3 Tr 10 10 Td (Invisible OCR layer of this scanned page) Tj ET\n"
    path = flate_rgb_pdf(tmp_path / "ocred.pdf", rgb, dpi=100, extra=invisible)
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.text_layer is None and page.dpi_source == "pdf"
    assert np.array_equal(page.image, rgb[:, :, ::-1])


def test_ocrmypdf_style_text_form_over_scan_is_read_as_image(tmp_path):
    """OCRmyPDF draws its invisible text in a Form XObject beside the image."""
    rgb = noise_rgb(100, 80, seed=16)
    path = flate_rgb_pdf(tmp_path / "scan.pdf", rgb, dpi=100)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        form = pikepdf.Stream(pdf, b"BT /F1 10 Tf 3 Tr 5 5 Td (Ho va ten Nguyen Thi Hong) Tj ET")
        form["/Type"] = pikepdf.Name.XObject
        form["/Subtype"] = pikepdf.Name.Form
        form["/BBox"] = [0, 0, 57.6, 72]
        form["/Resources"] = pikepdf.Dictionary(Font=page.Resources.Font)
        page.Resources.XObject["/OCR"] = form
        page.Contents = pikepdf.Stream(pdf, b"q /OCR Do Q " + page.Contents.read_bytes())
        pdf.save(path)
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.dpi_source == "pdf" and np.array_equal(page.image, rgb[:, :, ::-1])


def test_visible_text_in_a_form_counts(tmp_path):
    rgb = noise_rgb(100, 80, seed=17)
    path = flate_rgb_pdf(tmp_path / "scan.pdf", rgb, dpi=100)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        form = pikepdf.Stream(pdf, b"BT /F1 6 Tf 2 2 Td (Visible typed text on a form page) Tj ET")
        form["/Type"] = pikepdf.Name.XObject
        form["/Subtype"] = pikepdf.Name.Form
        form["/BBox"] = [0, 0, 57.6, 72]
        form["/Resources"] = pikepdf.Dictionary(Font=page.Resources.Font)
        page.Resources.XObject["/Fm"] = form
        page.Contents = pikepdf.Stream(pdf, page.Contents.read_bytes() + b" q /Fm Do Q")
        pdf.save(path)
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.image is None and "Visible typed text" in page.text_layer.text


@pytest.mark.slow
def test_real_ocrmypdf_output_gives_back_the_scan(tmp_path):
    ocrmypdf = shutil.which("ocrmypdf")
    if ocrmypdf is None:
        pytest.skip("ocrmypdf is not installed")
    bitonal = blocks_bitonal(1760, 1248, seed=18)
    Image.fromarray(bitonal).convert("1").save(
        tmp_path / "s.tif", compression="group4", dpi=(150, 150)
    )
    subprocess.run(
        [
            ocrmypdf,
            "-q",
            "-l",
            "eng",
            "--output-type",
            "pdf",
            "--optimize",
            "0",
            str(tmp_path / "s.tif"),
            str(tmp_path / "ocr.pdf"),
        ],
        check=True,
    )
    page = intake.load_page(intake.list_pages(tmp_path / "ocr.pdf")[0])
    assert page.dpi_source == "pdf" and page.dpi == pytest.approx(150, abs=0.5)
    assert np.array_equal(page.image, bitonal)


def test_page_with_vector_content_is_rendered(tmp_path):
    rgb = noise_rgb(100, 80, seed=13)
    stamp = b"1 0 0 rg 5 5 20 20 re f\n"  # a red square drawn over the scan
    path = flate_rgb_pdf(tmp_path / "stamped.pdf", rgb, dpi=100, extra=stamp)
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.dpi_source == "render" and page.dpi == 300
    assert page.image.shape == (300, 240, 3)
    assert tuple(page.image[-30, 30]) == (0, 0, 255)  # red square, bottom-left, BGR


def test_small_image_on_a_page_is_rendered(tmp_path):
    rgb = np.full((20, 20, 3), 40, dtype=np.uint8)
    info = {
        "Width": 20,
        "Height": 20,
        "ColorSpace": pikepdf.Name.DeviceRGB,
        "BitsPerComponent": 8,
    }
    path = image_pdf(tmp_path / "photo.pdf", rgb.tobytes(), info, (144, 144), [36, 0, 0, 36, 0, 0])
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.dpi_source == "render" and page.image.shape == (600, 600, 3)
    assert page.image[0, 0].tolist() == [255, 255, 255] and page.image[-10, 10].tolist() == [40] * 3


# ---------------------------------------------------------------- PDF: born-digital text


def test_born_digital_vietnamese_text_layer(tmp_path):
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "GIẤY KHAI SINH",
        NAME_LINE,
        "Ngày sinh: 12/03/1995",
    ]
    path = born_digital_pdf(tmp_path / "born.pdf", [lines])
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.image is None and page.text_layer is not None
    layer = page.text_layer
    assert layer.origin == "pdf-text" and layer.mean_confidence == 100
    assert layer.text.split("\n") == lines
    assert unicodedata.is_normalized("NFC", layer.text)
    assert (layer.width, layer.height) == (595, 842)  # A4 in points
    name = next(w for w in layer.words if w.text == "NGUYỄN")
    assert name.confidence == 100 and 50 < name.left < 250 and 100 < name.top < 140
    keys = [(w.paragraph, w.line) for w in layer.words]
    assert sorted(set(keys)) == [(1, 1), (1, 2), (1, 3), (2, 1)]  # gap before line 4


def test_sideways_born_digital_page_is_rendered(tmp_path):
    path = born_digital_pdf(tmp_path / "born.pdf", [[NAME_LINE, "Ngày sinh: 12/03/1995"]])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].Rotate = 90
        pdf.save(path)
    page = intake.load_page(intake.list_pages(path)[0])
    assert page.text_layer is None and page.dpi_source == "render"
    assert page.image.shape[:2] == pytest.approx((2480, 3508), abs=1)  # A4 landscape, 300 dpi


def test_mixed_pdf_decides_per_page(tmp_path):
    born = born_digital_pdf(tmp_path / "born.pdf", [[NAME_LINE], ["Trang 2"]])
    scan = flate_rgb_pdf(tmp_path / "scan.pdf", noise_rgb(60, 40, seed=14), dpi=150)
    merged = pikepdf.open(born)
    with pikepdf.open(scan) as other:
        merged.pages.append(other.pages[0])
        merged.save(tmp_path / "mixed.pdf")
    refs = intake.list_pages(tmp_path / "mixed.pdf")
    pages = [intake.load_page(r) for r in refs]
    assert [p.dpi_source for p in pages] == ["pdf", "pdf", "pdf"]
    assert pages[0].text_layer.text == NAME_LINE
    assert pages[1].text_layer.text == "Trang 2"  # short, but no image: still text
    assert pages[2].text_layer is None and pages[2].image.shape == (60, 40, 3)


# ---------------------------------------------------------------- PDF: bad input


def test_encrypted_pdf_needs_its_password(tmp_path):
    path = flate_rgb_pdf(tmp_path / "plain.pdf", noise_rgb(30, 20), dpi=100)
    with pikepdf.open(path) as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(user="secret", owner="o"))
    locked = tmp_path / "locked.pdf"
    with pytest.raises(EncryptedPdfError, match="password is needed") as error:
        intake.list_pages(locked)
    assert_one_line(error, locked)
    with pytest.raises(EncryptedPdfError, match="wrong PDF password"):
        intake.list_pages(locked, password="guess")
    (ref,) = intake.list_pages(locked, password="secret")
    assert intake.load_page(ref, password="secret").image.shape == (30, 20, 3)


def test_pdf_without_pages(tmp_path):
    path = tmp_path / "empty.pdf"
    pikepdf.new().save(path)
    with pytest.raises(InputFileError, match="no pages") as error:
        intake.list_pages(path)
    assert_one_line(error, path)


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9])
def test_truncated_pdf_is_refused(tmp_path, fraction):
    source = flate_rgb_pdf(tmp_path / "whole.pdf", noise_rgb(100, 80, seed=15), dpi=100)
    data = source.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(InputFileError, match="corrupt") as error:
        intake.list_pages(path)
    assert_one_line(error, path)


@pytest.mark.parametrize("codec", ["FlateDecode", "DCTDecode"])
def test_corrupt_image_stream_in_pdf(tmp_path, codec):
    buffer = io.BytesIO()
    Image.fromarray(smooth_rgb(150, 100)).save(buffer, "JPEG", quality=90)
    good = buffer.getvalue() if codec == "DCTDecode" else zlib.compress(bytes(45000))
    info = {
        "Width": 100,
        "Height": 150,
        "ColorSpace": pikepdf.Name.DeviceRGB,
        "BitsPerComponent": 8,
        "Filter": pikepdf.Name(f"/{codec}"),
    }
    broken = good[: len(good) // 2] + bytes(range(256)) * 4
    path = image_pdf(tmp_path / "bad.pdf", broken, info, (24, 36), [24, 0, 0, 36, 0, 0])
    with pytest.raises(InputFileError, match="corrupt image data") as error:
        intake.load_page(intake.list_pages(path)[0])
    assert_one_line(error, path)


# ---------------------------------------------------------------- folders


def test_iter_inputs_natural_order_and_filtering(tmp_path):
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    for name in ("scan10.png", "scan2.png", "scan1.png", "sub/scan3.png"):
        Image.new("L", (4, 4)).save(folder / name, "PNG")
    (folder / ".hidden.png").write_bytes(b"x")
    (folder / "notes.txt").write_text("not a scan")
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 40)
    Image.new("L", (4, 4)).save(folder / "noextension", "TIFF")
    (folder / "broken.pdf").write_text("a text file named .pdf is still reported")
    explicit = tmp_path / "explicit.txt"
    explicit.write_text("named on the command line, so it is yielded")
    found = [p.relative_to(tmp_path).as_posix() for p in intake.iter_inputs([folder, explicit])]
    assert found == [
        "batch/broken.pdf",
        "batch/noextension",
        "batch/scan1.png",
        "batch/scan2.png",
        "batch/scan10.png",
        "batch/sub/scan3.png",
        "explicit.txt",
    ]
