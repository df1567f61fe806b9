"""Vietnamese text at the boundaries: NFC for what is kept, a folded form for matching.

OCR drops or confuses diacritics ("NGUYỄN" read "NGUYÊN", "Sổ" read "Số"), and people
search without them. :func:`fold` is the one key every tolerant comparison uses: no tone
or vowel marks, "đ" as "d", lower case, one space between words.
"""

from __future__ import annotations

import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "D"})
_LETTER = re.compile(r"[^\W\d_]")


def nfc(text: str) -> str:
    """``text`` in Unicode NFC with inner whitespace collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str) -> str:
    """``text`` without diacritics, lower case, whitespace collapsed: "Giấy Khai Sinh" and
    "GIAY KHAI SINH" fold alike, to "giay khai sinh"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def same_spelling(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are one word with its tone mark placed the old way or the
    new ("Thuỳ" / "Thùy", "Hoà" / "Hòa"): the same letters and the same marks, wherever
    they sit. Both are right; which one a document prints is no OCR mistake."""
    return spelling_key(a) == spelling_key(b)


def spelling_key(word: str) -> tuple[str, tuple[str, ...]]:
    """What :func:`same_spelling` compares: the letters of ``word`` with the marks that
    shape them (ˆ ˘ ˀ: â ă ơ), lower case, and its tone marks apart, sorted."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sorted(ch for ch in decomposed if ch in _TONES)
    return "".join(ch for ch in decomposed if ch not in _TONES), tuple(tones)


#: grave, acute, tilde, hook above, dot below: the five tone marks
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def mostly_capitals(text: str) -> bool:
    """Whether ``text`` is printed in capitals, as titles and names are: at least two
    letters, four in five of them upper case (OCR lowers the odd one)."""
    letters = _LETTER.findall(text)
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)
