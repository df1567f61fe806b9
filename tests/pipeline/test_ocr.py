"""Pure parts of the page stage: box mapping and text assembly."""

from __future__ import annotations

import numpy as np

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
