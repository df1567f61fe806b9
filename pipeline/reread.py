"""A second look at the numbers Tesseract was unsure of, each read on its own line.

Tesseract's LSTM reads a line as a whole. On a form, a line holds a printed label and a
value typed or written in another face -- often italic, often another ink -- and the
label's face pulls the reading of the value: italic 1s come out as 7s, 6s as 8s. Read on
its own, the same value is read right more often: on issue #3's seed-2027 corpus, of 330
number-like words (ID numbers, dates), the lone crop was right in 8 of the 21 where the
two readings disagreed. Neither reading is always better, so the second one is taken only
where Tesseract is surer of it, and a disagreement marks the word disputed, with a
confidence low enough that the field stage sends its value to a person -- unless, for an
ID number, a third reading by another network (:data:`THIRD_LANG`) agrees with one of
the two: that one is taken.

A word that leans (the italic or handwritten value of a form) is sheared upright before
it is read alone (sohoa.pipeline.preprocess.geometry.estimate_slant): Tesseract reads a
leaning pen face's digits worse than the same digits upright (6 as 8, 9 as 3). On six
field corpora (seeds 2035, 2036, 2039, 2048-2050) that mended 15 key fields and cost 4,
all misreadings the checks had sent to a person.

Number-like words read with a confidence below :data:`SECOND_LOOK_BELOW`, and ID numbers
however sure, get a second look; all of a page's crops go into one recognition of a
stacked strip, and the disputed ID numbers into one more. The engine stays loaded in the
worker (sohoa.pipeline.tesseract), so a strip costs milliseconds. The words' boxes are in
the space of the image given (the cleaned page), as Tesseract reported them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from . import tesseract
from .errors import MissingDependencyError
from .models import OcrWord
from .preprocess.geometry import SLANT_FROM, estimate_slant, unslant

# Tesseract's own confidence (0-100) below which a number-like word is read again. The
# words it misread on the corpus above were all read below 93; the ones it read at 93 or
# more, the lone crop read no better.
SECOND_LOOK_BELOW = 93.0
#: two clean readings of a number that differ: at most this sure, whichever is taken. One
#: of them is wrong, and checks on an ID number's first six digits cannot tell which
#: serial digit is: below the field stage's review threshold and its corroboration floor.
DISPUTED = 60.0
#: an ID number whose first two readings differ is read a third time by Tesseract's
#: English network, trained apart from the Vietnamese ones: its reading agreed with the
#: right one of the two for 33 of 38 disputed key ID numbers of eight field corpora and
#: with the wrong one for none (the best Vietnamese network alone: 23 and 6; the crops
#: enlarged twice: 14 and 9). Dates are not: their crops fail together (a cut "17/06"
#: read "7/06" three times), and their checks settle them (docs/ocr-models.md)
THIRD_LANG = "eng"
#: a number two of three readings agree on
SETTLED = 90.0
MIN_DIGITS = 6  # ID numbers (9 or 12 digits) and dates (8), not house numbers
ID_DIGITS = 9  # an old ID card's number or longer: read twice however sure
PAD = 0.35  # of the word's height, around the crop (Tesseract's boxes are tight)
GAP = 1.5  # of the tallest crop's height, between stacked crops
TRAILING = ".,;:"  # punctuation OCR hangs on a number ("19/07/1961.")


@dataclass(frozen=True, slots=True)
class _Crop:
    word_index: int
    top: int  # where the crop sits in the stacked strip
    bottom: int


def is_number_like(text: str) -> bool:
    """Mostly digits, and enough of them to be an ID number or a date."""
    digits = sum(ch.isdigit() for ch in text)
    return digits >= MIN_DIGITS and digits >= 0.6 * len(text)


def wants_second_look(word: OcrWord) -> bool:
    """An unsure number; or an ID number, however sure: nothing checks its serial digits,
    and Tesseract reads a 6 as an 8 in some faces at 96."""
    if not is_number_like(word.text):
        return False
    return word.confidence < SECOND_LOOK_BELOW or _id_like(word.text)


def _id_like(text: str) -> bool:
    """As many digits as an ID number has, or more (:data:`ID_DIGITS`)."""
    return sum(ch.isdigit() for ch in text) >= ID_DIGITS


def second_look(
    image: np.ndarray, words: Sequence[OcrWord], dpi: float, config: tesseract.TesseractConfig
) -> list[OcrWord]:
    """``words`` with the unsure number-like ones read again alone and replaced where the
    lone reading is surer, disputed ID numbers read a third time (see the module's
    docstring). Two more recognitions at most, of small strips."""
    chosen = [i for i, word in enumerate(words) if wants_second_look(word)]
    if not chosen:
        return list(words)
    strip, crops = _stack(image, [words[i] for i in chosen], chosen)
    lone_config = replace(config, psm=6)  # the strip is one block of separate lines
    readings = _readings(tesseract.recognize(strip, dpi, lone_config), crops)
    result = list(words)
    for crop in crops:
        found = readings.get(crop.word_index)
        if found is not None:
            result[crop.word_index] = _better(words[crop.word_index], *found)
    return _third_reading(image, result, dpi, config)


def _third_reading(
    image: np.ndarray, words: list[OcrWord], dpi: float, config: tesseract.TesseractConfig
) -> list[OcrWord]:
    """Disputed ID numbers read a third time, by another network (:data:`THIRD_LANG`): the
    reading it agrees with is taken, settled (:data:`SETTLED`); where it agrees with
    neither, the dispute stands. One more Tesseract run where a page has such a number."""
    disputed = [i for i, word in enumerate(words) if word.alternative and _id_like(word.text)]
    if not disputed:
        return words
    third_config = replace(config, lang=THIRD_LANG, psm=6, choices=False)
    try:
        tesseract.check_installation(THIRD_LANG, config.tessdata_dir)
    except MissingDependencyError:
        return words  # no third network here: the disputes stand, for a person
    strip, crops = _stack(image, [words[i] for i in disputed], disputed)
    readings = _readings(tesseract.recognize(strip, dpi, third_config), crops)
    result = list(words)
    for index in disputed:
        word, found = words[index], readings.get(index)
        third = found[0].strip(TRAILING) if found else ""
        if third in (word.text.strip(TRAILING), word.alternative):
            result[index] = replace(
                word,
                text=third,
                confidence=SETTLED,
                alternative="",
                variants=word.variants if third == word.text.strip(TRAILING) else (),
            )
    return result


def _stack(
    image: np.ndarray, words: Sequence[OcrWord], indices: Sequence[int]
) -> tuple[np.ndarray, list[_Crop]]:
    """The words' crops, padded, one under the other on white, left-aligned."""
    pieces = [_crop(image, word) for word in words]
    gap = int(GAP * max(piece.shape[0] for piece in pieces))
    width = max(piece.shape[1] for piece in pieces) + 2 * gap
    height = sum(piece.shape[0] for piece in pieces) + gap * (len(pieces) + 1)
    strip = np.full((height, width, *image.shape[2:]), 255, dtype=image.dtype)
    crops, y = [], gap
    for index, piece in zip(indices, pieces, strict=True):
        h, w = piece.shape[:2]
        strip[y : y + h, gap : gap + w] = piece
        crops.append(_Crop(index, y, y + h))
        y += h + gap
    return strip, crops


def _crop(image: np.ndarray, word: OcrWord) -> np.ndarray:
    """The word, padded; sheared upright where it leans (italic, handwriting)."""
    pad = max(4, round(PAD * word.height))
    top, left = max(0, word.top - pad), max(0, word.left - pad)
    bottom = min(image.shape[0], word.top + word.height + pad)
    right = min(image.shape[1], word.left + word.width + pad)
    crop = image[top:bottom, left:right]
    slant = estimate_slant(crop)
    return unslant(crop, slant) if slant >= SLANT_FROM else crop


def _readings(found: Sequence[OcrWord], crops: Sequence[_Crop]) -> dict[int, tuple[str, float]]:
    """word index -> (text, lowest confidence) of what was read inside each crop's rows."""
    parts: dict[int, list[OcrWord]] = {}
    for word in found:
        middle = word.top + word.height / 2
        crop = next((c for c in crops if c.top <= middle < c.bottom), None)
        if crop is not None:
            parts.setdefault(crop.word_index, []).append(word)
    return {
        index: (
            " ".join(w.text for w in sorted(ws, key=lambda w: w.left)),
            min(w.confidence for w in ws),
        )
        for index, ws in parts.items()
    }


def _better(word: OcrWord, text: str, confidence: float) -> OcrWord:
    """The second reading where it is a clean number and Tesseract is surer of it; where
    two clean readings differ, the value is disputed (:data:`DISPUTED`) and the other
    reading is kept beside it for the field checks. A second reading that is no clean
    number (a crop cut badly) changes nothing."""
    text = text.strip(TRAILING)
    if text == word.text.strip(TRAILING) or not _clean_number(text):
        return word
    surer = confidence > word.confidence
    kept, other = (text, word.text.strip(TRAILING)) if surer else (word.text, text)
    disputed = min(word.confidence, confidence, DISPUTED)
    alternative = other if _clean_number(other) else ""
    # the first reading's hesitations are of its own text, not of the lone crop's
    variants = word.variants if kept == word.text or word.variants is None else ()
    return replace(word, text=kept, confidence=disputed, alternative=alternative, variants=variants)


def _clean_number(text: str) -> bool:
    """Digits and date separators only: '09/12/2014', '091200910700' (not 'Ø9/12/2014')."""
    return is_number_like(text) and all(ch.isdigit() or ch in "/.-" for ch in text)
