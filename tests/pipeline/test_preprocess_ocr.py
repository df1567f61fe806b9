"""The clean-up judged by what it is for: Tesseract's character error rate (slow)."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from sohoa.pipeline.ocr import text_from_words
from sohoa.pipeline.preprocess import clean_page
from sohoa.pipeline.tesseract import TesseractConfig, recognize

sys.path.insert(0, str(Path(__file__).parent))
from preprocess_fixtures import dark_border, degrade, render_form, skew, turn

DPI = 300.0


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def cer(hypothesis: str, reference: str) -> float:
    reference = normalize(reference)
    return Levenshtein.distance(normalize(hypothesis), reference) / max(1, len(reference))


def read(image, dpi: float) -> str:
    """Plain Tesseract: Debian's model, its default page layout analysis."""
    return text_from_words(recognize(image, dpi, TesseractConfig(lang="vie", psm=3)))


@pytest.mark.slow
@pytest.mark.parametrize(
    "make",
    [
        lambda image: degrade(skew(image, 2.0), seed=1),
        lambda image: turn(dark_border(degrade(skew(image, -5.0), seed=2), 8, DPI), 180),
    ],
    ids=["skewed-yellow", "upside-down-with-border"],
)
def test_cleaning_lowers_tesseract_cer(make) -> None:
    form = render_form(DPI)
    scan = make(form.image)
    cleaned = clean_page(scan, DPI)
    raw_cer = cer(read(scan, DPI), form.text)
    clean_cer = cer(read(cleaned.image, cleaned.dpi), form.text)
    assert clean_cer < 0.05
    assert clean_cer < raw_cer / 4
