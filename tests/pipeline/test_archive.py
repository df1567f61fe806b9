"""The archive PDF/A: the scans as they were, the OCR's words searchable where they are printed."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import cv2
import img2pdf
import numpy as np
import pdfplumber
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.pipeline import intake
from sohoa.pipeline.archive import (
    ArchiveError,
    ArchiveInfo,
    build_archive,
    pdfa_problems,
    word_boxes,
)
from sohoa.pipeline.models import PageText
from sohoa.pipeline.ocr import read_page
from sohoa.pipeline.settings import load_settings

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = (
    "GIẤY KHAI SINH",
    "Họ, chữ đệm, tên: NGUYỄN THỊ THU TRANG",
    "Ngày sinh: 12/03/1995    Giới tính: Nữ",
    "Nơi sinh: Bệnh viện Phụ sản Hà Nội",
)
INFO = ArchiveInfo("Giấy khai sinh", "birth_certificate", "000.00.01.H26-251202-0001")


def _page(colour: bool) -> Image.Image:
    """An A5 page at 200 dpi: black print, and a blue stamp line when ``colour``."""
    page = Image.new("RGB" if colour else "L", (1169, 1654), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(SERIF, 34)
    for row, line in enumerate(LINES):
        draw.text((110, 150 + 90 * row), line, font=font, fill="black")
    if colour:
        draw.text((110, 600), "Cán bộ tiếp nhận", font=font, fill=(30, 50, 160))
    return page


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scans")
    colour, grey = _page(True), _page(False)
    paths = {
        "jpeg": folder / "page.jpg",
        "png": folder / "page.png",
        "g4": folder / "page.tif",
        "upside_down": folder / "turned.png",
        "sideways": folder / "sideways.png",
    }
    colour.save(paths["jpeg"], quality=90, dpi=(200, 200))
    colour.save(paths["png"], dpi=(200, 200))
    colour.rotate(180).save(paths["upside_down"], dpi=(200, 200))
    colour.rotate(90, expand=True).save(paths["sideways"], dpi=(200, 200))
    grey.point(lambda v: 255 if v > 128 else 0).convert("1").save(
        paths["g4"], compression="group4", dpi=(200, 200)
    )
    return paths


@pytest.fixture(scope="module")
def read(scans) -> dict[str, list[PageText]]:
    settings = load_settings().ocr
    return {
        kind: [p for ref in intake.list_pages(path) for p in read_page(ref, settings)]
        for kind, path in scans.items()
    }


def _pixels(jpeg: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)


@pytest.mark.parametrize("kind", ["jpeg", "png", "g4"])
def test_words_are_found_where_the_ocr_boxed_them(kind, read, tmp_path) -> None:
    pages = read[kind]
    out = build_archive(pages, INFO, tmp_path / "doc.pdf")
    scale = 72 / pages[0].dpi
    with pdfplumber.open(out) as pdf:
        found = pdf.pages[0].extract_words(use_text_flow=True)
    words = [w for w in pages[0].words if w.text.strip()]
    assert [f["text"] for f in found] == [w.text for w in words]
    assert "TRANG" in [f["text"] for f in found]
    for f, w in zip(found, words, strict=True):
        box = (w.left * scale, w.top * scale, (w.left + w.width) * scale)
        assert abs(f["x0"] - box[0]) < 1 and abs(f["top"] - box[1]) < 1
        assert abs(f["x1"] - box[2]) < 1


def test_the_scan_is_kept_as_it_was(scans, read, tmp_path) -> None:
    """A JPEG's own bytes; a bitonal page in G4; a colour PNG as JPEG; the page's size."""
    for kind, codec in (("jpeg", "/DCTDecode"), ("g4", "/CCITTFaxDecode"), ("png", "/DCTDecode")):
        out = build_archive(read[kind], INFO, tmp_path / f"{kind}.pdf")
        with pikepdf.open(out) as pdf:
            page = pdf.pages[0]
            images = [x for x in page.Resources.XObject.values() if x.Subtype == "/Image"]
            assert [codec in str(x.Filter) for x in images] == [True]
            assert float(page.MediaBox[2]) == pytest.approx(1169 * 72 / 200, abs=0.5)
            if kind == "jpeg":  # the same pixels, losslessly re-packed into fewer bytes
                kept = images[0].read_raw_bytes()
                assert len(kept) < scans["jpeg"].stat().st_size
                assert np.array_equal(_pixels(kept), _pixels(scans["jpeg"].read_bytes()))


def test_the_archive_is_pdfa_2b_as_far_as_can_be_checked(read, tmp_path) -> None:
    out = build_archive(read["png"] + read["g4"], INFO, tmp_path / "doc.pdf")
    assert pdfa_problems(out) == []
    check = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert meta["dc:title"] == "Giấy khai sinh"
        assert "000.00.01.H26-251202-0001" in meta["dc:subject"]
        assert set(meta["dc:language"]) == {"vi"}
        assert len(pdf.pages) == 2


@pytest.mark.parametrize(("kind", "turn"), [("upside_down", 180), ("sideways", 90)])
def test_a_page_scanned_turned_is_shown_upright_its_words_where_they_are(
    kind, turn, read, tmp_path
) -> None:
    page = read[kind][0]
    assert page.rotation == turn
    out = build_archive(read[kind], INFO, tmp_path / "doc.pdf")
    with pikepdf.open(out) as pdf:
        assert pdf.pages[0].Rotate == turn
    with pdfplumber.open(out) as pdf:
        shown = pdf.pages[0]
        assert "tên: THỊ THU TRANG" in shown.extract_text()  # in reading order, upright
        found = {w["text"]: w for w in shown.extract_words(use_text_flow=True)}
    scale = 72 / page.dpi
    width, height = page.width * scale, page.height * scale
    trang = next(w for w in page.words if w.text == "TRANG")
    x0, y0 = trang.left * scale, trang.top * scale
    x1, y1 = x0 + trang.width * scale, y0 + trang.height * scale
    expected = (height - y1, x0) if turn == 90 else (width - x1, height - y1)
    assert found["TRANG"]["x0"] == pytest.approx(expected[0], abs=1)
    assert found["TRANG"]["top"] == pytest.approx(expected[1], abs=1)


def test_the_checks_find_what_breaks_pdfa(read, tmp_path) -> None:
    out = build_archive(read["png"], INFO, tmp_path / "doc.pdf")
    with pikepdf.open(out, allow_overwriting_input=True) as pdf:
        del pdf.Root.OutputIntents
        pdf.docinfo.Title = "something else"
        pdf.save(out)
    problems = pdfa_problems(out)
    assert any("output intent" in p for p in problems)
    assert any("title" in p for p in problems)


def test_a_document_without_scanned_pages_is_refused(read, tmp_path) -> None:
    with pytest.raises(ArchiveError):
        build_archive([], INFO, tmp_path / "doc.pdf")
    born_digital = replace(read["png"][0], origin="pdf-text")
    with pytest.raises(ArchiveError, match="no scanned image"):
        build_archive([born_digital], INFO, tmp_path / "doc.pdf")
    assert not (tmp_path / "doc.pdf").exists()


def test_a_character_the_font_does_not_map_is_written_as_a_replacement(read, tmp_path) -> None:
    page = read["png"][0]
    odd = replace(page.words[0], text="合同")  # OCR noise in a script no form is printed in
    out = build_archive([replace(page, words=[odd])], INFO, tmp_path / "doc.pdf")
    with pdfplumber.open(out) as pdf:
        assert [w["text"] for w in pdf.pages[0].extract_words()] == ["\ufffd\ufffd"]
    assert pdfa_problems(out) == []


def test_the_page_worker_encodes_the_scan_the_archive_stores(scans, read, tmp_path) -> None:
    """With ``archive_images`` the page stage encodes the scan it has decoded; the archive
    stores those bytes and decodes nothing again, and the words are the same."""
    settings = replace(load_settings().ocr, archive_images=True)
    for kind, codec in (("png", "/DCTDecode"), ("g4", "/CCITTFaxDecode"), ("jpeg", "/DCTDecode")):
        (page,) = [p for ref in intake.list_pages(scans[kind]) for p in read_page(ref, settings)]
        assert page.archive_image and page.timings["archive_image"] > 0
        assert [w.text for w in page.words] == [w.text for w in read[kind][0].words]
        out = build_archive([page], INFO, tmp_path / f"{kind}.pdf")
        with pikepdf.open(out) as pdf:
            (image,) = [x for x in pdf.pages[0].Resources.XObject.values() if x.Subtype == "/Image"]
            assert codec in str(image.Filter)
            if codec == "/DCTDecode":
                assert image.read_raw_bytes() == page.archive_image
        assert pdfa_problems(out) == []


@pytest.mark.parametrize("kind", ["png", "upside_down", "sideways"])
def test_the_word_boxes_are_where_a_reader_of_the_archive_finds_the_words(
    read, kind, tmp_path
) -> None:
    """Where a stamp must not go, from the OCR's words, as pdfplumber finds them: on the
    page as shown, also where it is stored turned."""
    (page,) = read[kind]
    assert page.rotation == {"png": 0, "upside_down": 180, "sideways": 90}[kind]
    width, height, boxes = word_boxes(page)
    out = build_archive([page], INFO, tmp_path / "doc.pdf")
    with pdfplumber.open(out) as pdf:
        shown = pdf.pages[0]
        assert (width, height) == pytest.approx((float(shown.width), float(shown.height)))
        found = [
            (w["x0"], height - w["bottom"], w["x1"], height - w["top"])
            for w in shown.extract_words()
        ]
    assert len(found) == len(boxes)
    for ours in boxes:  # each word's box, against the nearest that pdfplumber found
        nearest = min(found, key=lambda theirs: _farthest_side(ours, theirs))
        assert ours == pytest.approx(nearest, abs=1.5)


def _farthest_side(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return max(abs(p - q) for p, q in zip(a, b, strict=True))


def test_a_scanned_pdfs_jpeg_is_kept_as_it_was_embedded(scans, tmp_path) -> None:
    """A scanner's PDF of one JPEG a page: the same pixels, not a second JPEG generation."""
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(img2pdf.convert(str(scans["jpeg"])))
    settings = replace(load_settings().ocr, archive_images=True)
    pages = [p for ref in intake.list_pages(scanned) for p in read_page(ref, settings)]
    out = build_archive(pages, INFO, tmp_path / "archive.pdf")
    with pikepdf.open(out) as pdf:
        (image,) = [x for x in pdf.pages[0].Resources.XObject.values() if x.Subtype == "/Image"]
        kept = image.read_raw_bytes()
    assert len(kept) < scans["jpeg"].stat().st_size  # re-packed, losslessly
    assert np.array_equal(_pixels(kept), _pixels(scans["jpeg"].read_bytes()))
    assert [w.text for w in pages[0].words][:2] == ["GIẤY", "KHAI"]
