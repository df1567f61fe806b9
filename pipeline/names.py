"""People's names as OCR reads them, put back the way they are printed.

Two mistakes are common and safe to undo. Tesseract mixes cases inside a name printed in
capitals ("NGUYỄN VăN AN"): when most letters are capitals the name was printed so. And
it reads a family name's diacritics wrong ("NGUYÊN", "TRẤN"): a family name comes from a
short list (ocr_models/validation/family_names.txt: the common ones cover most of the
population), so a first word that folds like exactly one of them, and is not one itself,
is that one. Given names are left alone: "Nguyên" is a given name as well.
"""

from __future__ import annotations

from functools import cache

from sohoa import ocr_models

from .vntext import fold, nfc


@cache
def family_names() -> dict[str, str | None]:
    """Folded family name -> the family name, None where two fold alike (no correction)."""
    path = ocr_models.family_names_path()
    names: dict[str, str | None] = {}
    for line in path.read_text("utf-8").splitlines():
        name = nfc(line.split("#", 1)[0])
        if not name:
            continue
        key = fold(name)
        names[key] = name if names.get(key, name) == name else None
    return names


def restore_name(name: str) -> str:
    """``name`` in its printed case, its family name's diacritics restored if OCR lost them."""
    letters = [ch for ch in name if ch.isalpha()]
    upper = bool(letters) and sum(ch.isupper() for ch in letters) >= 0.6 * len(letters)
    words = name.upper().split() if upper else name.split()
    if words:
        known = family_names().get(fold(words[0]))
        if known is not None and words[0] not in (known, known.upper()):
            words[0] = known.upper() if upper else known
    return " ".join(words)
