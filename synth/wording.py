"""How Vietnamese documents write dates and numbers: digits, "ngày .. tháng .. năm ..", words.

Civil-status certificates repeat the birth date in words ("Mười hai tháng ba năm một nghìn
chín trăm chín mươi lăm"); land certificates write areas with a decimal comma. Those
spellings live here so every document template writes them the same (correct) way.
"""

from __future__ import annotations

import random
from datetime import date

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _below_100(n: int, in_compound: bool) -> str:
    tens, unit = divmod(n, 10)
    if tens == 0:
        return ("linh " if in_compound else "") + _DIGITS[unit] if unit else ""
    head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 1 and tens > 1:
        tail = "mốt"
    elif unit == 5:
        tail = "lăm"
    elif unit == 4 and tens > 1:
        tail = "tư"
    else:
        tail = _DIGITS[unit]
    return f"{head} {tail}"


def number_words(n: int) -> str:
    """0..9999 in words, as civil registers spell years: 2005 -> "hai nghìn không trăm linh năm"."""
    if n == 0:
        return "không"
    thousands, rest = divmod(n, 1000)
    hundreds, small = divmod(rest, 100)
    parts = []
    if thousands:
        parts.append(f"{_DIGITS[thousands]} nghìn")
    if hundreds or (thousands and small):
        parts.append(f"{_DIGITS[hundreds]} trăm")
    if small:
        parts.append(_below_100(small, in_compound=bool(parts)))
    return " ".join(parts)


def date_words(d: date) -> str:
    """ "Mười hai tháng ba năm một nghìn chín trăm chín mươi lăm" (no leading "ngày")."""
    month = "tư" if d.month == 4 else number_words(d.month)
    text = f"{number_words(d.day)} tháng {month} năm {number_words(d.year)}"
    return text[0].upper() + text[1:]


def dmy(d: date, rng: random.Random | None = None) -> str:
    """dd/mm/yyyy, or with dashes or dots on some documents."""
    sep = "/" if rng is None or rng.random() < 0.85 else rng.choice(["-", "."])
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}"


def long_date(d: date, pad: bool = False) -> str:
    """ "ngày 12 tháng 3 năm 2024" (``pad``: "ngày 05 tháng 03 năm 2024")."""
    if pad:
        return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"
    return f"ngày {d.day} tháng {d.month} năm {d.year}"


def area_text(area: float) -> str:
    """Decimal comma, as Vietnamese prints numbers: 120.5 -> "120,5"."""
    text = f"{area:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
