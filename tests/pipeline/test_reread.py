"""The second look at unsure numbers: real crops read again by the real Tesseract."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from sohoa import ocr_models
from sohoa.pipeline.models import OcrWord
from sohoa.pipeline.reread import (
    DISPUTED,
    SETTLED,
    is_number_like,
    second_look,
    wants_second_look,
)
from sohoa.pipeline.tesseract import TesseractConfig, recognize

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SANS_ITALIC = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"
CONFIG = TesseractConfig(psm=4)
TESSDATA = Path(ocr_models.tessdata_dir() or "/usr/share/tesseract-ocr/5/tessdata")


def form_page() -> np.ndarray:
    """Two form lines at 300 dpi: printed labels, values typed in an italic sans."""
    label, value = ImageFont.truetype(SERIF, 50), ImageFont.truetype(SANS_ITALIC, 50)
    page = Image.new("L", (2000, 500), 255)
    draw = ImageDraw.Draw(page)
    for y, (text, number) in (
        (100, ("Số định danh cá nhân:", "091200910700")),
        (300, ("Ngày sinh:", "17/11/1971")),
    ):
        draw.text((100, y), text, font=label, fill=0)
        draw.text((120 + draw.textlength(text, font=label), y), number, font=value, fill=0)
    return np.asarray(page)


def number_words(image: np.ndarray) -> list[OcrWord]:
    words = recognize(image, 300, CONFIG)
    return [w for w in words if is_number_like(w.text)]


def test_number_like_words_are_id_numbers_and_dates() -> None:
    assert is_number_like("091200910700") and is_number_like("17/11/1971.")
    assert not is_number_like("Số:") and not is_number_like("8772/XN")
    assert not is_number_like("12345")  # a house or document number, not a value we check


def test_an_unsure_misreading_is_replaced_by_the_surer_lone_reading() -> None:
    image = form_page()
    read = number_words(image)
    assert [w.text for w in read] == ["091200910700", "17/11/1971"]
    # the misreadings a mixed line provokes, reported unsure, in the real words' boxes
    wrong = [
        OcrWord("097200970700", read[0].left, read[0].top, read[0].width, read[0].height, 41.0),
        OcrWord("77/11/1977", read[1].left, read[1].top, read[1].width, read[1].height, 38.0),
    ]
    assert all(wants_second_look(w) for w in wrong)
    looked = second_look(image, wrong, 300, CONFIG)
    assert [w.text for w in looked] == ["091200910700", "17/11/1971"]
    # the date is disputed: the lower confidence, the other reading kept beside; the ID
    # number's dispute is settled by a third reading (English network) agreeing
    assert [w.confidence for w in looked] == [SETTLED, 38.0]
    assert [w.alternative for w in looked] == ["", "77/11/1977"]
    assert [(w.left, w.top, w.width) for w in looked] == [(w.left, w.top, w.width) for w in wrong]


def test_sure_dates_and_words_that_are_no_numbers_are_left_alone() -> None:
    image = form_page()
    sure = [replace_text(w, "77/11/1977") for w in number_words(image)[1:]]
    label = OcrWord("Ngày", 100, 300, 120, 50, 20.0)
    assert second_look(image, [*sure, label], 300, CONFIG) == [*sure, label]


def test_an_id_number_is_read_again_however_sure() -> None:
    """Nothing checks an ID number's serial digits, and Tesseract misreads some faces at
    96: read alone otherwise, it is disputed."""
    image = form_page()
    sure_but_wrong = replace_text(number_words(image)[0], "097200970700")
    assert wants_second_look(sure_but_wrong)
    (looked,) = second_look(image, [sure_but_wrong], 300, CONFIG)
    assert looked.text == "091200910700"  # the lone and the third reading agree
    assert looked.alternative == "" and looked.confidence == SETTLED


def test_without_a_third_network_a_disputed_id_number_stays_disputed(tmp_path: Path) -> None:
    for name in ("vie", "vie_fast"):  # the page's networks, not the English one
        (tmp_path / f"{name}.traineddata").symlink_to(TESSDATA / f"{name}.traineddata")
    config = replace(CONFIG, lang="vie_fast+vie", tessdata_dir=str(tmp_path))
    image = form_page()
    sure_but_wrong = replace_text(number_words(image)[0], "097200970700")
    (looked,) = second_look(image, [sure_but_wrong], 300, config)
    assert looked.alternative == "091200910700" and looked.confidence == DISPUTED


def test_agreeing_readings_and_lone_readings_that_are_no_numbers_change_nothing() -> None:
    image = form_page()
    first = number_words(image)[0]
    unsure_right = OcrWord("091200910700", first.left, first.top, first.width, first.height, 92.0)
    crop_elsewhere = OcrWord("091200910700", 100, 300, 300, 50, 92.0)  # a crop of "Ngày sinh"
    looked = second_look(image, [unsure_right, crop_elsewhere], 300, CONFIG)
    assert looked[0].text == "091200910700" and looked[0].confidence == 92.0
    assert looked[0].alternative == ""  # read alike twice: nothing in dispute
    assert looked[1] == crop_elsewhere  # the lone reading is no number: nothing changes


def replace_text(word: OcrWord, text: str) -> OcrWord:
    return OcrWord(text, word.left, word.top, word.width, word.height, 99.0)


def test_readings_that_differ_are_disputed_however_sure_the_first_was() -> None:
    image = form_page()
    date = number_words(image)[1]
    sure_but_wrong = OcrWord("17/11/1977", date.left, date.top, date.width, date.height, 88)
    (looked,) = second_look(image, [sure_but_wrong], 300, CONFIG)
    assert looked.text == "17/11/1971"
    assert looked.confidence == DISPUTED
    assert looked.alternative == "17/11/1977"
