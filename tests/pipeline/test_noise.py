"""Noise words: what Tesseract makes of seals, signatures and photos is dropped, words stay."""

from __future__ import annotations

import pytest

from sohoa.pipeline.models import OcrWord
from sohoa.pipeline.noise import drop_noise, is_noise


def word(text: str, confidence: float) -> OcrWord:
    return OcrWord(text, 0, 0, 10, 10, confidence)


@pytest.mark.parametrize(
    ("text", "confidence"),
    [("—Õ", 31.0), ("^^", 52.0), ("„ˆ„", 12.0), ("=>", 40.0), ("Ñ", 18.0), ("h", 9.0)],
)
def test_unsure_symbols_and_fragments_are_noise(text: str, confidence: float) -> None:
    assert is_noise(word(text, confidence))


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ("-", 93.0),  # "Độc lập - Tự do - Hạnh phúc", read with confidence
        ("/", 88.0),  # "Số / No.:"
        ("c)", 70.0),  # a list item
        ("5", 12.0),  # a row number, however unsure
        ("Nữ", 25.0),  # a real word of three letters' worth, unsure but made like a word
        ("ở", 35.0),
        ("NGUYỄN", 20.0),
        ("12/06/1964", 41.0),
    ],
)
def test_words_and_sure_punctuation_stay(text: str, confidence: float) -> None:
    assert not is_noise(word(text, confidence))


def test_drop_noise_keeps_the_order_of_what_stays() -> None:
    words = [word("Chồng", 95), word("—Õ", 20), word("Vợ", 94), word("^", 10)]
    assert [w.text for w in drop_noise(words)] == ["Chồng", "Vợ"]


def test_leader_remnants_go_and_the_word_typed_over_them_stays() -> None:
    words = [word("thành...", 80), word("....", 70), word("025194488365..", 90), word("„.", 60)]
    words += [word("Số:", 95), word("v.v.", 88), word("1.", 90)]
    assert [w.text for w in drop_noise(words)] == ["thành", "025194488365", "Số:", "v.v.", "1."]


def test_a_word_run_into_its_leader_is_judged_without_the_dots() -> None:
    """A word "HẬU..." read unsure is half dots: as a whole it looked like noise, and a name lost
    its last word (field seed 2035)."""
    assert [w.text for w in drop_noise([word("HẬU...", 56), word("—...", 40)])] == ["HẬU"]
