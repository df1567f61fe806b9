"""The Tesseract wrapper against the real program and Debian's Vietnamese model."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.pipeline.errors import MissingDependencyError
from sohoa.pipeline.ocr import text_from_words
from sohoa.pipeline.tesseract import TesseractConfig, check_installation, recognize

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
