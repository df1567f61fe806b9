"""Words Tesseract made out of marks that are not writing: seals, signatures, photos, emblems.

The clean-up lightens red seals and blue ink, but what is left of a signature stroke, the
star of an emblem or the edge of an ID photo still reaches the OCR, which turns it into
"—Õ ~ —", "^^", "Ñ" or "=>". Each such token costs the page its characters and a space,
and it can sit between two columns and hide their gutter from the reading-order stage.

A word is taken for noise by two signs together: Tesseract was unsure of it, and it is
not made like a word. With the whole pipeline as it stands (docs/benchmarks.md), dropping
noise takes the mean CER of the benchmark corpus (seed 7) from 3.02% to 2.26% (mild 1.92%
to 1.40%), and of a second corpus (seed 11) from 4.75% to 4.14%. Confidence alone is no
sign: a 12-digit ID number read at confidence 15 is still right, so only shape and
confidence together count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from .models import OcrWord

UNSURE_SYMBOLS = 60.0  # below this confidence a word mostly of symbols is noise
UNSURE_FRAGMENT = 30.0  # below this confidence a lone character is noise
_WORD_CHARACTER = re.compile(r"[^\W_]")  # a letter or a digit, any script
_LEADER_TAIL = re.compile(r"[.…„]{2,}$|^[.…„,]+$")  # "thành....", "...", "„.", "..,."


def is_noise(word: OcrWord) -> bool:
    """Whether ``word`` is Tesseract's reading of a mark that is not writing."""
    text = word.text
    if not text:
        return True
    letters = len(_WORD_CHARACTER.findall(text))
    if word.confidence < UNSURE_SYMBOLS and letters * 3 < len(text) * 2:
        return True  # "—Õ", "^^", "„ˆ„": fewer than two in three characters are letters
    # "Ñ", "h", "À" from a photo's edge; digits are kept (a lone "5" is a table's row
    # number), and so are two-letter words ("Nữ" is a field's whole value)
    return word.confidence < UNSURE_FRAGMENT and len(text) == 1 and not text.isdigit()


def without_leader_dots(word: OcrWord) -> OcrWord | None:
    """``word`` less the dotted leader that survived the clean-up, or None if it was only
    leader: the dots the clean-up cannot tell from punctuation (a few at a line's end,
    or joined to the value typed over them) come out as "...." or "thành...". No word of
    an administrative text ends in two dots; an ellipsis reads the same without them."""
    text = _LEADER_TAIL.sub("", word.text)
    if not text:
        return None
    return word if text == word.text else replace(word, text=text)


def drop_noise(words: Iterable[OcrWord]) -> list[OcrWord]:
    """``words`` without the noise and leader remnants, in the same order. The dots come
    off first: a name's last word run into its leader ("HẬU...", read at 56) is half dots,
    and was taken for noise whole."""
    kept = []
    for word in words:
        cleaned = without_leader_dots(word)
        if cleaned is not None and not is_noise(cleaned):
            kept.append(cleaned)
    return kept
