"""The page stage: box mapping, text assembly, and one generated page read whole."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sohoa.pipeline.models import OcrWord
from sohoa.pipeline.ocr import map_word, mean_confidence, text_from_words


def word(text: str, left: int, top: int, line: int = 1, conf: float = 90.0) -> OcrWord:
    return OcrWord(text, left, top, 40, 20, conf, block=1, paragraph=1, line=line)


def test_map_word_applies_scale_and_translation() -> None:
    to_original = np.array([[2.0, 0.0, 10.0], [0.0, 2.0, 20.0]])
    mapped = map_word(word("Nam", 100, 50), to_original)
    assert (mapped.left, mapped.top, mapped.width, mapped.height) == (210, 120, 80, 40)


def test_map_word_through_a_quarter_turn_keeps_the_box_around_the_word() -> None:
    # cleaned (x, y) -> original (y, W - x): the page was turned 90 degrees to make it upright
    to_original = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 1000.0]])
    mapped = map_word(word("Nữ", 100, 50), to_original)
    assert (mapped.left, mapped.top, mapped.width, mapped.height) == (50, 860, 20, 40)


def test_text_from_words_keeps_lines_and_nfc() -> None:
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" in NFD, as some engines emit it
    words = [word(decomposed, 0, 0), word("Văn", 50, 0), word("A", 0, 30, line=2)]
    assert text_from_words([map_word(w, np.eye(2, 3)) for w in words]) == "Nguyễn Văn\nA"


def test_mean_confidence_weights_long_words() -> None:
    assert mean_confidence([word("a", 0, 0, conf=10), word("abcdefghi", 0, 0, conf=90)]) == 82.0
    assert mean_confidence([]) == 0.0


def test_a_page_reports_its_own_resolution_and_the_codes_on_it(tmp_path) -> None:
    """A generated ID card on an A4 bed, scanned at 200 dpi: the card is cut out and
    enlarged for the OCR, the page still says 200 dpi, and its QR code -- too fine to read
    on the page reduced to 150 dpi -- is read inside the card at full resolution."""
    import random

    from sohoa.pipeline import intake
    from sohoa.pipeline.ocr import OcrSettings, read_page
    from sohoa.pipeline.settings import tesseract_config
    from sohoa.synth.documents import render_document
    from sohoa.synth.scan import apply_scan, draw_params

    rng = random.Random(5)
    for _ in range(20):  # a card laid on a full A4 bed, not cropped close
        card = render_document("citizen_id_card", rng, 300)
        if card.pages[0].image.height > 3000:
            break
    params = replace(draw_params("medium", rng, dpi=200, allow_turn=False), skew=0.5)
    scan = apply_scan(card.pages[0].image, 300, params, rng)
    scan.save(tmp_path / "cccd.png", dpi=(200, 200))
    (ref,) = intake.list_pages(tmp_path / "cccd.png")
    (page,) = read_page(ref, OcrSettings(tesseract=tesseract_config()))
    assert page.dpi == pytest.approx(200, abs=1)
    (code,) = page.barcodes
    assert code.format == "QRCode"
    assert code.text.split("|")[0] == card.fields["id_number"]
    left, top, width, height = code.box
    assert (
        0 < left < scan.width and 0 < top < scan.height and 50 < width < 250 and 50 < height < 250
    )


def test_a_page_read_unsurely_is_read_turned_over_and_kept_so_when_surer() -> None:
    import cv2

    from sohoa.pipeline.ocr import _read_either_way_up
    from sohoa.pipeline.preprocess import CleanedPage
    from sohoa.pipeline.tesseract import TesseractConfig

    from .preprocess_fixtures import render_form, turn

    form = render_form(200.0, seal=False, leaders=False)
    grey = cv2.cvtColor(form.image, cv2.COLOR_BGR2GRAY)
    height = grey.shape[0]
    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    # upside down, but judged upright (rotation 0): read so, Tesseract is unsure
    wrong = CleanedPage(turn(grey, 180), 200.0, identity, rotation=0, skew=0.0, blank=False)
    cleaned, words = _read_either_way_up(wrong, TesseractConfig())
    assert cleaned.rotation == 180 and mean_confidence(words) > 80
    assert "TỜ KHAI" in text_from_words(words)
    title = next(w for w in words if w.text == "KHAI")
    mapped = map_word(title, cleaned.to_original)  # back onto the page as it was scanned
    assert mapped.top > height / 2  # the title lies at the bottom of the upside-down scan
    upright = CleanedPage(grey, 200.0, identity, rotation=0, skew=0.0, blank=False)
    cleaned, words = _read_either_way_up(upright, TesseractConfig())
    assert cleaned is upright  # read surely the first time: not read again
