"""The Tesseract wrapper against the real program and Debian's Vietnamese model."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.pipeline.errors import MissingDependencyError
from sohoa.pipeline.ocr import text_from_words
from sohoa.pipeline.tesseract import TesseractConfig, _variants, check_installation, recognize

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = ["Họ và tên: NGUYỄN THỊ HỒNG NHUNG", "Ngày sinh: 12/03/1995   Giới tính: Nữ"]


def render(lines: list[str], dpi: int = 300) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A white page with the lines in 12 pt, and each line's pixel box."""
    font = ImageFont.truetype(FONT, round(12 * dpi / 72))
    page = Image.new("L", (round(6 * dpi), round(2 * dpi)), 255)
    draw = ImageDraw.Draw(page)
    boxes = []
    for i, line in enumerate(lines):
        xy = (round(0.5 * dpi), round((0.4 + 0.5 * i) * dpi))
        draw.text(xy, line, font=font, fill=0)
        boxes.append(draw.textbbox(xy, line, font=font))
    return np.asarray(page), boxes


def test_reads_vietnamese_words_with_boxes_on_the_printed_lines() -> None:
    image, boxes = render(LINES)
    words = recognize(image, 300, TesseractConfig(psm=4))
    assert text_from_words(words).splitlines() == [" ".join(line.split()) for line in LINES]
    for word in words:
        line_box = boxes[0] if word.top < boxes[1][1] - 10 else boxes[1]
        assert line_box[0] - 5 <= word.left and word.left + word.width <= line_box[2] + 5
        assert line_box[1] - 15 <= word.top and word.top + word.height <= line_box[3] + 15
        assert 0 <= word.confidence <= 100
    assert {w.line for w in words} | {w.paragraph for w in words}


def test_blank_image_gives_no_words() -> None:
    assert recognize(np.full((600, 600), 255, np.uint8), 300, TesseractConfig()) == []


def test_missing_language_is_a_clear_error() -> None:
    with pytest.raises(MissingDependencyError, match="xyz"):
        check_installation("vie+xyz")
    assert check_installation("vie")


def test_variants_say_where_the_reading_hesitated_between_marks() -> None:
    """Tesseract reads "THÙY" in this face as "THỦY", weighing the grave accent too: the
    printed word is the read one or one of its variants, each a letter apart."""
    printed = "Họ và tên: NGUYỄN THỊ THÙY TRANG"
    image, _ = render([printed])
    words = recognize(image, 300, TesseractConfig(psm=4))
    assert all(word.variants is not None for word in words)
    for word in words:
        for variant, share in word.variants or ():
            differ = [a != b for a, b in zip(variant, word.text, strict=True)]
            assert sum(differ) == 1 and 0.05 <= share <= 1
    assert [w.text for w in words] != printed.split()  # a mark was misread...
    for word, want in zip(words, printed.split(), strict=True):  # ...but weighed
        assert want == word.text or want in {variant for variant, _ in word.variants or ()}


def test_variants_are_parsed_from_the_hocr_choices() -> None:
    hocr = (
        "<span class='ocrx_word' id='word_1_4' title='bbox 172 2 267 62; x_wconf 66'>"
        "<span class='ocrx_cinfo' title='x_bboxes 172 28 202 52; x_conf 99.5'>N</span>"
        "<span class='ocrx_cinfo' id='lstm_choices_1_4_1'>"
        "<span class='ocrx_cinfo' id='choice_1_4_1' title='x_confs 92.8'>N</span>"
        "<span class='ocrx_cinfo' id='choice_1_4_2' title='x_confs 0'>M</span></span>"
        "<span class='ocrx_cinfo' title='x_bboxes 237 2 252 62; x_conf 95.2'>Ê</span>"
        "<span class='ocrx_cinfo' id='lstm_choices_1_4_5'>"
        "<span class='ocrx_cinfo' id='choice_1_4_7' title='x_confs 88.4'>Ễ</span>"
        "<span class='ocrx_cinfo' id='choice_1_4_8' title='x_confs 86.6'>Ê</span>"
        "<span class='ocrx_cinfo' id='choice_1_4_9' title='x_confs 2.1'>Ề</span></span>"
        "<span class='ocrx_cinfo' title='x_bboxes 254 29 267 51; x_conf 99.5'>&amp;</span>"
        "</span>"
    )
    assert _variants(hocr) == {(172, 2, 95, 60): ("NÊ&", (("NỄ&", 0.505),))}


def test_without_choices_the_same_words_come_with_variants_unknown() -> None:
    image, _ = render(LINES)
    with_choices = recognize(image, 300, TesseractConfig(psm=4))
    without = recognize(image, 300, TesseractConfig(psm=4, choices=False))
    assert [(w.text, w.left, w.confidence) for w in without] == [
        (w.text, w.left, w.confidence) for w in with_choices
    ]
    assert all(word.variants is None for word in without)


def test_leptonica_keeps_its_complaints_off_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """Leptonica prints its own errors to stderr ("Error in boxClipToRectangle"); with
    Tesseract in-process they would land in sohoa's output."""
    import ctypes
    import ctypes.util

    recognize(np.full((60, 60), 255, np.uint8), 300, TesseractConfig())  # starts the engine
    ctypes.CDLL(ctypes.util.find_library("lept")).pixGetWidth(None)  # an error, on purpose
    assert "Error" not in capfd.readouterr().err
