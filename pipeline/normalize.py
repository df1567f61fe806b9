"""From an OCR'd value string to the value itself: dates, sex, ID numbers, areas, names,
addresses, relations, clean text -- one function per kind of value (:data:`NORMALIZERS`).

What the extraction engine hands over is the text after a label as Tesseract read it. It may
carry dotted leaders ("......"), stray punctuation and table borders ("|"), lost or wrong
diacritics, letters read for digits ("l2/O3/1995"), and the rest of the line after the value
("12/03/1995 Giới tính: Nam"). Every function here is pure and forgiving: it looks for the
first thing of its kind and returns None rather than guess when there is none.

Words are matched on the :func:`~sohoa.pipeline.vntext.fold`-ed text, so "Mười hai tháng ba",
"MUOI HAI THANG BA" and "muòi hai tháng ba" read alike; what is kept is NFC.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from functools import cache, partial
from typing import Any

from rapidfuzz import fuzz, process

from sohoa import ocr_models
from sohoa.pipeline.names import check_name
from sohoa.pipeline.validate import FEMALE, MALE
from sohoa.pipeline.vntext import fold, nfc

FIRST_YEAR, LAST_YEAR = 1900, 2100

# --- letters read for digits ---------------------------------------------------------------

_DATE_CONFUSIONS = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5"}
_ID_CONFUSIONS = {**_DATE_CONFUSIONS, "B": "8"}


def _digit_token(confusions: dict[str, str]) -> re.Pattern[str]:
    """A run of digits and look-alike letters standing alone (no letter or digit either
    side), or else a run of plain digits even when glued to a word ("CCCD001095012345").
    It may not end in "|": a bar after a number is far more often a table border than a
    "1"."""
    chars = "0-9" + re.escape("".join(confusions))
    last = "0-9" + re.escape("".join(c for c in confusions if c != "|"))
    return re.compile(rf"(?<![^\W_])[{chars}]*[{last}](?![^\W_])|[0-9]+")


_DATE_TOKEN = _digit_token(_DATE_CONFUSIONS)
_ID_TOKEN = _digit_token(_ID_CONFUSIONS)


def _mostly_digits(text: str) -> bool:
    """At least one real digit, and no fewer digits than look-alike letters."""
    digits = sum(ch.isdigit() for ch in text)
    return digits > 0 and digits >= len(text) - digits


def _repair_digits(text: str, token: re.Pattern[str], confusions: dict[str, str]) -> str:
    """``text`` with look-alike letters turned into digits, but only inside a token that is
    mostly digits already ("l2" -> "12", "O3" -> "03"); "Số", "Ô" or "IS" are left alone,
    because a token without a real digit is a word."""
    table = str.maketrans(confusions)

    def fix(match: re.Match[str]) -> str:
        run = match.group()
        return run.translate(table) if _mostly_digits(run) else run

    return token.sub(fix, text)


# --- numbers in Vietnamese words -----------------------------------------------------------

# Folded spellings: "mốt" folds to "mot", "lăm" to "lam", "tư" to "tu", "bảy"/"bẩy" to "bay".
_UNITS = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
_TEN = "muoi"  # "mười" (ten) and "mươi" (-ty) fold alike; the position tells them apart
_HUNDRED = "tram"
_THOUSAND = ("nghin", "ngan")
_ZERO_TENS = ("linh", "le")  # "hai nghìn không trăm linh năm" = 2005
_MONTH_NAMES = {"gieng": 1, "chap": 12}  # tháng giêng, tháng chạp
_DAY_PREFIX = ("mong", "mung")  # "ngày mồng năm"

Parses = list[tuple[int, int]]  # (value, index of the first token after it)


def _at(tokens: list[str], i: int) -> str:
    """The token at ``i``, or "" beyond either end, so look-aheads need no bounds checks."""
    return tokens[i] if 0 <= i < len(tokens) else ""


def _unit(tokens: list[str], i: int) -> int:
    """1..9 spelled at ``i``, else 0 ("không" is no unit after "mười")."""
    return _UNITS.get(_at(tokens, i), 0)


def _tens(tokens: list[str], i: int) -> Parses:
    """Every reading of 1..99 that starts at ``i``: "hai mươi mốt" gives 2, 20 and 21, so a
    caller can pick the one that fits what must follow."""
    if _at(tokens, i) == _TEN:
        unit = _unit(tokens, i + 1)
        return [(10, i + 1)] + ([(10 + unit, i + 2)] if unit else [])
    digit = _unit(tokens, i)
    if not digit:
        return []
    parses = [(digit, i + 1)]
    if digit >= 2 and _at(tokens, i + 1) == _TEN:
        parses.append((digit * 10, i + 2))
        unit = _unit(tokens, i + 2)
        if unit:
            parses.append((digit * 10 + unit, i + 3))
    return parses


def _after_base(tokens: list[str], i: int, base: int) -> Parses:
    """What may follow "... trăm" or "... nghìn": "linh/lẻ" and a unit, or 1..99."""
    if _at(tokens, i) in _ZERO_TENS:
        unit = _unit(tokens, i + 1)
        return [(base + unit, i + 2)] if unit else []
    return [(base + value, end) for value, end in _tens(tokens, i)]


def _hundreds(tokens: list[str], i: int) -> Parses:
    """Every reading of 0..999 at ``i`` ("không trăm" counts: years spell it)."""
    parses = _tens(tokens, i)
    digit = _UNITS.get(_at(tokens, i))
    if digit is not None and _at(tokens, i + 1) == _HUNDRED:
        base = digit * 100
        parses += [(base, i + 2), *_after_base(tokens, i + 2, base)]
    return parses


def _number(tokens: list[str], i: int) -> Parses:
    """Every reading of 1..9999 at ``i``, colloquial ones too ("hai nghìn linh năm")."""
    parses = _hundreds(tokens, i)
    digit = _unit(tokens, i)
    if digit and _at(tokens, i + 1) in _THOUSAND:
        base = digit * 1000
        parses.append((base, i + 2))
        parses += [(base + value, end) for value, end in _hundreds(tokens, i + 2)]
        parses += _after_base(tokens, i + 2, base)
    return parses


def _year_at(tokens: list[str], i: int) -> tuple[int, int] | None:
    """The year at ``i``, in digits or the longest reading in words within 1900..2100:
    "hai nghìn không trăm linh năm" is 2005, not the 2000 its first two words make."""
    token = _at(tokens, i)
    if len(token) == 4 and token.isdigit():
        return int(token), i + 1
    years = [(end, value) for value, end in _number(tokens, i) if FIRST_YEAR <= value <= LAST_YEAR]
    if not years:
        return None
    end, value = max(years)
    return value, end


# --- dates -----------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z]+|\d+")
#: a date in digits, day / month / year (the groups), with any of / . - between them, or a
#: slash OCR took for a fraction or division slash ("13⁄10/1991")
DIGIT_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-⁄∕／]\s*(\d{1,2})\s*[/.\-⁄∕／]\s*(\d{4})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")

Candidate = tuple[int, int, int, int]  # (position in the folded text, year, month, day)


def _digit_dates(folded: str) -> list[Candidate]:
    """12/03/1995, 12-03-1995, 12.03.1995, 12 / 03 / 1995, 5/3/1995, and 1995-03-12."""
    found = [(m.start(), int(m[3]), int(m[2]), int(m[1])) for m in DIGIT_DATE.finditer(folded)]
    found += [(m.start(), int(m[1]), int(m[2]), int(m[3])) for m in _ISO.finditer(folded)]
    return found


def _day_before(tokens: list[str], j: int) -> tuple[int, int] | None:
    """(day, index of its first token) just before "tháng" at ``j``: a number or the
    longest run of number words that makes 1..31, so that a label's "năm" in front
    ("ngày tháng năm sinh mười hai tháng ...") is not taken for part of the day."""
    token = _at(tokens, j - 1)
    if token.isdigit():
        return (int(token), j - 1) if len(token) <= 2 else None
    for start in range(max(0, j - 3), j):  # the longest run first
        days = [day for day, end in _tens(tokens, start) if end == j and 1 <= day <= 31]
        if days:
            return days[0], start
    return None


def _months_after(tokens: list[str], j: int) -> Parses:
    """Readings of the month after "tháng" at ``j``: digits, words, "giêng", "chạp"."""
    token = _at(tokens, j + 1)
    if token.isdigit():
        return [(int(token), j + 2)] if len(token) <= 2 else []
    if token in _MONTH_NAMES:
        return [(_MONTH_NAMES[token], j + 2)]
    return [(month, end) for month, end in _tens(tokens, j + 1) if month <= 12]


def _start_of_date(tokens: list[str], day_start: int) -> int:
    """Where a long date begins: its "ngày" and "mồng" belong to it, so that it is placed
    before a digit date written after them on the same line."""
    start = day_start
    if start > 0 and tokens[start - 1] in _DAY_PREFIX:
        start -= 1
    if start > 0 and tokens[start - 1] == "ngay":
        start -= 1
    return start


def _long_dates(folded: str) -> list[Candidate]:
    """ "ngày 12 tháng 03 năm 1995" and the words of civil registers ("mười hai tháng ba
    năm một nghìn chín trăm chín mươi lăm"), anchored on each "tháng"."""
    matches = list(_WORD.finditer(folded))
    tokens = [m.group() for m in matches]
    found = []
    for j, token in enumerate(tokens):
        if token != "thang":
            continue
        day = _day_before(tokens, j)
        if day is None:
            continue
        for month, end in _months_after(tokens, j):
            year = _year_at(tokens, end + 1) if _at(tokens, end) == "nam" else None
            if year is not None:
                start = _start_of_date(tokens, day[1])
                found.append((matches[start].start(), year[0], month, day[0]))
                break
    return found


def parse_date(text: str) -> date | None:
    """The first date in ``text``, written in digits, as "ngày .. tháng .. năm ..", or in
    words, with or without diacritics. The first date-like thing decides: if it is no
    calendar date (31/02/2000) or its year is outside 1900..2100, the answer is None rather
    than a later date that may belong to another field."""
    folded = fold(_repair_digits(nfc(text), _DATE_TOKEN, _DATE_CONFUSIONS))
    candidates = _digit_dates(folded) + _long_dates(folded)
    if not candidates:
        return None
    _, year, month, day = min(candidates)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def iso_date(text: str) -> str | None:
    """:func:`parse_date` as YYYY-MM-DD, the form records store."""
    found = parse_date(text)
    return found.isoformat() if found else None


_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def parse_year(text: str) -> int | None:
    """The first year (1900..2100) in ``text``, in digits or words: "Năm sinh: 1978". Other
    4-digit numbers are skipped; a year-of-birth field has nothing else to be."""
    folded = fold(_repair_digits(nfc(text), _DATE_TOKEN, _DATE_CONFUSIONS))
    found = [
        (m.start(), int(m.group()))
        for m in _YEAR.finditer(folded)
        if FIRST_YEAR <= int(m.group()) <= LAST_YEAR
    ]
    matches = list(_WORD.finditer(folded))
    tokens = [m.group() for m in matches]
    for i, match in enumerate(matches):
        year = None if tokens[i].isdigit() else _year_at(tokens, i)
        if year is not None:
            found.append((match.start(), year[0]))
            break
    return min(found)[1] if found else None


# --- sex -------------------------------------------------------------------------------------

#: "Mam": an italic N read as M (no reading of Nữ comes near it)
_SEXES = {"nam": MALE, "mam": MALE, "male": MALE, "nu": FEMALE, "female": FEMALE}
_LETTERS = re.compile(r"[^\W\d_]+")


def parse_sex(text: str) -> str | None:
    """ "Nam" or "Nữ" from the first word only: "Nừ", "NU", "nữ." and "Nữ / Female" are
    Nữ, but "Việt Nam" is no sex -- its "Nam" is the second word."""
    first = _LETTERS.search(fold(text))
    return _SEXES.get(first.group()) if first else None


# --- numbers ---------------------------------------------------------------------------------


def _id_runs(text: str) -> list[list[str]]:
    """Runs of digit-like tokens that follow one another with one space or dot between
    ("001 095 012345", "OO1.O95.Ol2345"), each run as its list of groups."""
    runs: list[list[str]] = []
    end = -2
    for token in _ID_TOKEN.finditer(text):
        joined = token.start() == end + 1 and text[end] in " ."
        if joined:
            runs[-1].append(token.group())
        else:
            runs.append([token.group()])
        end = token.end()
    return runs


def _groups_of(groups: list[str], lengths: tuple[int, ...]) -> str | None:
    """The digits of the first whole groups, from the earliest group with a real digit, that
    make an allowed length -- the longest such: a 12-digit number printed "001 095 012 345"
    must not stop at its first 9 digits. A group of look-alike letters only ("SO") may sit
    inside a number but does not begin one."""
    table = str.maketrans(_ID_CONFUSIONS)
    digits = [group.translate(table) for group in groups]
    for first, group in enumerate(groups):
        if not any(ch.isdigit() for ch in group):
            continue
        joined = ["".join(digits[first:last]) for last in range(first + 1, len(groups) + 1)]
        fitting = [number for number in joined if len(number) in lengths]
        if fitting:
            return fitting[-1]
    return None


def parse_digits(text: str, lengths: tuple[int, ...] = (12, 9)) -> str | None:
    """An ID number as a digit string: the first run of digits (spaces and dots inside
    allowed: "001 095 012345") whose length is one of ``lengths``. O, I, l, |, S and B
    are read as digits inside a run that is mostly digits as a whole, so "OO1 O95 Ol2345"
    is repaired although its first group alone is mostly letters."""
    for groups in _id_runs(nfc(text)):
        if _mostly_digits("".join(groups)):
            number = _groups_of(groups, lengths)
            if number:
                return number
    return None


_NUMBER_TOKEN = re.compile(r"(?<![^\W_])\d\S*")
_TRAILING_PUNCTUATION = ".,;:)]}|…/-"


def parse_number_token(text: str) -> str | None:
    """A short number such as a registration number, "123" or "12/2020": the first token
    that starts with a digit (not one inside a word), without trailing punctuation."""
    repaired = _repair_digits(nfc(text), _DATE_TOKEN, _DATE_CONFUSIONS)
    found = _NUMBER_TOKEN.search(repaired)
    return found.group().rstrip(_TRAILING_PUNCTUATION) if found else None


# --- areas -----------------------------------------------------------------------------------

_AREA_NUMBER = r"\d+(?:[.,]\d+)*"
_AREA_IN_M2 = re.compile(rf"({_AREA_NUMBER})\s*m(?:2|²)?(?![a-z])")
_ANY_NUMBER = re.compile(_AREA_NUMBER)
_IN_WORDS = re.compile(r"\(|bang chu")


def _vietnamese_number(text: str) -> float | None:
    """ "1.250,5" -> 1250.5: a decimal comma and thousands dots. A lone dot not followed by
    three digits ("120.5") is a decimal comma OCR read as a dot."""
    if "," in text:
        whole, _, fraction = text.rpartition(",")
        return float(whole.replace(".", "").replace(",", "") + "." + fraction)
    parts = text.split(".")
    if any(len(part) != 3 for part in parts[1:-1]):
        return None
    if len(parts) == 1 or len(parts[-1]) == 3:
        return float("".join(parts))
    return float("".join(parts[:-1]) + "." + parts[-1])


def parse_area(text: str) -> float | None:
    """An area in m² as land certificates print it: "120,5 m²", "1.250,5 m2", "85 m2".
    The number before "m²" wins over others on the line; "(Bằng chữ: ...)" is ignored."""
    folded = _IN_WORDS.split(fold(text), maxsplit=1)[0]
    in_m2 = _AREA_IN_M2.search(folded)
    if in_m2:
        return _vietnamese_number(in_m2.group(1))
    found = _ANY_NUMBER.search(folded)
    return _vietnamese_number(found.group()) if found else None


# --- free text -------------------------------------------------------------------------------

_LEADERS = re.compile(r"…+|(?:\.\s*){2,}|_{2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,;:])")
_EDGE_PUNCTUATION = " :;,.-_|…"


def clean_text(text: str) -> str | None:
    """A free-text value (address, place, ethnicity, relationship) as printed: NFC, one
    space between words, without dotted leaders, table bars or punctuation at the ends."""
    text = _LEADERS.sub(" ", unicodedata.normalize("NFC", text).replace("|", " "))
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", nfc(text))
    text = text.strip(_EDGE_PUNCTUATION)
    return text or None


def _is_name_char(ch: str) -> bool:
    """Letters (with any mark NFC could not compose), spaces and hyphens."""
    return ch.isalpha() or ch in " -" or unicodedata.category(ch).startswith("M")


def clean_name(text: str) -> str | None:
    """A person's name: :func:`clean_text` with everything but letters, spaces and hyphens
    dropped, and dots between words (a leader the name was typed over: "ĐẶNG.THỊ.LOAN")
    read as spaces. The case stays as printed -- certificates print names upper case, and
    the record keeps what the document says."""
    cleaned = clean_text(text)
    if cleaned is None:
        return None
    spaced = cleaned.replace(".", " ").replace("·", " ")
    name = " ".join("".join(ch for ch in spaced if _is_name_char(ch)).split()).strip(" -")
    return name if sum(ch.isalpha() for ch in name) >= 2 else None


# --- addresses and relations ----------------------------------------------------------------

#: a relation read this alike (rapidfuzz ratio, folded) to a listed one is that one
RELATION_MIN = 80.0
_ABBREVIATION_DOT = re.compile(r"\b(TP|Tp|TX|TT|Q|P|X|H)\.")
_STRAY_DOTS = re.compile(r"\.+")


def clean_address(text: str) -> str | None:
    """An address without the dotted leaders it was written over ("quận. Sơn..Trà"):
    addresses use commas, so dots are leaders except after an abbreviation ("TP.")."""
    kept = _ABBREVIATION_DOT.sub(lambda m: m.group(1) + "\0", text)
    spaced = _STRAY_DOTS.sub(" ", kept).replace("\0", ".")
    spaced = re.sub(r"\s+,", ",", spaced)
    return clean_text(spaced)


@cache
def _relationships() -> dict[str, str]:
    """Folded relation -> the relation as registers print it."""
    return {fold(relation): relation for relation in _relation_sexes()}


@cache
def _relation_sexes() -> dict[str, str | None]:
    """Relation -> the member's sex it says ("Vợ": "Nữ"), or None ("Con")."""
    found: dict[str, str | None] = {}
    for line in ocr_models.relationships_path().read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            relation, _, sex = line.partition("\t")
            found[nfc(relation)] = nfc(sex) or None
    return found


def relationship_sex(relation: str | None) -> str | None:
    """The sex a relation to the head says of a member (a wife: "Nữ"), or None."""
    return _relation_sexes().get(relation or "")


def relationship(text: str) -> str | None:
    """A household member's relation to the head, spelled as registers print it: the
    listed relation the text folds like, or is closest to (OCR marks around it dropped);
    the text as printed when none is close."""
    cleaned = clean_text(text.strip("\"'“”‘’¡!|—-–_~`^ "))
    if cleaned is None:
        return None
    known = _relationships()
    key = fold(cleaned)
    if key in known:
        return known[key]
    padded = f" {key} "
    inside = [k for k in known if f" {k} " in padded]  # "s con de mu": marks around it
    if inside:
        return known[max(inside, key=len)]
    best = process.extractOne(key, list(known), scorer=fuzz.ratio, score_cutoff=RELATION_MIN)
    return known[best[0]] if best else cleaned


def restored_name(text: str, sex: str | None = None) -> str | None:
    """A name cleaned, then restored from the name vocabularies (sohoa.pipeline.names);
    ``sex``, where known, says whether a man's or a woman's."""
    name = clean_name(text)
    return check_name(name, sex=sex).text if name else None


# --- by kind ---------------------------------------------------------------------------------


def value_of(kind: str, text: str) -> Any:
    """The CONTRACT value of a field of ``kind`` from its printed text (None if none)."""
    return NORMALIZERS[kind](text)


NORMALIZERS: dict[str, Callable[[str], Any]] = {
    "date": iso_date,
    "year": parse_year,
    "sex": parse_sex,
    "id_number": parse_digits,
    "personal_id": partial(parse_digits, lengths=(12,)),
    "number": parse_number_token,
    "area": parse_area,
    "text": clean_text,
    "name": restored_name,
    "nationality": clean_text,
    "address": clean_address,
    "place": clean_address,
    "title": clean_text,
    "serial": clean_text,
    "relationship": relationship,
}
"""Value kind -> the function that turns an OCR'd value into the stored one (None: none)."""
