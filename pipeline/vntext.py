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


def mostly_capitals(text: str) -> bool:
    """Whether ``text`` is printed in capitals, as titles and names are: at least two
    letters, four in five of them upper case (OCR lowers the odd one)."""
    letters = _LETTER.findall(text)
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)
