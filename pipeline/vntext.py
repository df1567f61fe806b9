"""Vietnamese text at the boundaries: NFC for what is kept, a folded form for matching.

OCR drops or confuses diacritics ("NGUYỄN" read "NGUYÊN", "Sổ" read "Số"), and people
search without them. :func:`fold` is the one key every tolerant comparison uses: no tone
or vowel marks, "đ" as "d", lower case, one space between words.
"""

from __future__ import annotations

import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """``text`` in Unicode NFC with inner whitespace collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str) -> str:
    """``text`` without diacritics, lower case, whitespace collapsed: "Giấy Khai Sinh" and
    "GIAY KHAI SINH" fold alike, to "giay khai sinh"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())
