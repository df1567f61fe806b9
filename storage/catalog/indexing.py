"""What the catalog derives from an extract to find it again: flattened field rows,
ID numbers, the key date, and the folded texts the full-text index reads.

Both databases index the same folded text (``vntext.fold``: no diacritics, "đ" as "d",
lower case), made here in Python, so a search finds the same documents on SQLite and
PostgreSQL and OCR's lost or wrong tone marks do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sohoa.pipeline.vntext import fold, nfc
from sohoa.storage.catalog.query import WORD

#: fields holding a person's name (``members.full_name``: a household member's)
NAME_FIELDS = frozenset(
    {
        "full_name",
        "mother_name",
        "father_name",
        "husband_name",
        "wife_name",
        "household_head_name",
        "owner_name",
        "applicant_name",
        "members.full_name",
    }
)
ADDRESS_FIELDS = frozenset(
    {
        "place_of_origin",
        "place_of_residence",
        "place_of_birth",
        "permanent_residence",
        "current_residence",
        "permanent_address",
        "parcel_address",
    }
)
#: any person's ID number: 12 digits (personal identification number) or 9 (old card)
ID_FIELDS = frozenset(
    {"id_number", "personal_id", "husband_id_number", "wife_id_number", "applicant_id_number"}
)
#: the date a document is about, first found wins: what a date-range search filters
KEY_DATE_FIELDS = ("registration_date", "date_of_birth")

#: OCR text indexed per document; PostgreSQL's tsvector is limited to 1 MB, and a
#: dossier's document is a few pages (a 60-page document is about 150,000 characters)
MAX_INDEXED_TEXT = 200_000

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _fold_table() -> dict[int, str]:
    """``vntext.fold`` of every non-space character from U+0080 to U+1EFF (Latin with
    marks, Vietnamese's included, combining marks, "đ") where it changes it."""
    table = {}
    for code in range(0x80, 0x1F00):
        char = chr(code)
        if not char.isspace() and fold(char) != char:
            table[code] = fold(char)
    return table


_FOLD = _fold_table()
#: up to here, folding a string is folding each of its characters on its own (Greek,
#: from U+0370, lower-cases a final sigma by its context)
_FAST_BELOW = "\u0370"


def fast_fold(text: str) -> str:
    """``vntext.fold(text)``, the same string, several times faster (one
    ``str.translate``) for Vietnamese and other Latin text: loading a million documents
    folds every field value and OCR text. Anything else goes through ``fold`` itself."""
    folded = text.translate(_FOLD)
    if folded and max(folded) >= _FAST_BELOW:
        return fold(text)
    return " ".join(folded.lower().split())


@dataclass(frozen=True)
class FlatField:
    """One field value as a row of the ``fields`` table."""

    name: str
    item: int | None
    kind: str
    value: str | None
    folded: str | None
    date_value: date | None
    confidence: float | None
    name_key: str | None = None


@dataclass(frozen=True)
class SearchTexts:
    """The folded texts of one document, by weight: names weigh most, then addresses
    and other field values, then the OCR text."""

    names: str
    addresses: str
    fields: str
    body: str


def flatten(fields: dict[str, Any], confidence: dict[str, float]) -> list[FlatField]:
    """Every scalar value of ``fields``, lists and objects flattened to dotted names."""
    return [
        _flat(name, item, value, confidence.get(name.split(".")[0]))
        for name, item, value in _walk(fields, "", None)
    ]


def _walk(value: Any, name: str, item: int | None) -> Iterator[tuple[str, int | None, Any]]:
    """(dotted name, list index, scalar) for each leaf; a list's index is the ``item``
    of the leaves under it (nested lists keep the innermost index)."""
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _walk(sub, f"{name}.{key}" if name else str(key), item)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _walk(sub, name, index)
    else:
        yield name, item, value


def _flat(name: str, item: int | None, value: Any, confidence: float | None) -> FlatField:
    text = None if value is None else nfc(_scalar_text(value))
    kind = field_kind(name)
    folded = None if text is None else fast_fold(text)
    return FlatField(
        name=name,
        item=item,
        kind=kind,
        value=text,
        folded=folded,
        date_value=_iso_date(text),
        confidence=confidence,
        name_key=name_key(folded) if kind == "name" else None,
    )


def name_key(folded: str | None) -> str | None:
    """A person's family name and given name, folded: the first and the last word of a
    name of two words or more ("nguyen nhung" for NGUYỄN THỊ HỒNG NHUNG). Officers
    search by these two, the given name often half typed ("nguyen nhu"); an index on
    this key answers that with one range scan (migration 0003)."""
    words = WORD.findall(folded or "")
    return f"{words[0]} {words[-1]}" if len(words) >= 2 else None


def _scalar_text(value: Any) -> str:
    """A scalar as text: JSON spells booleans lower case, and so does the catalog."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_kind(name: str) -> str:
    """Which search column a field feeds: name, address, id, date or other. Unknown
    fields are judged by their names' endings, so new document types index sensibly."""
    if name in NAME_FIELDS or (name.endswith("_name") and "title" not in name):
        return "name"
    if name in ADDRESS_FIELDS or name.endswith(("_address", "_residence")):
        return "address"
    if name in ID_FIELDS:
        return "id"
    if name.endswith("date") or name.endswith("date_of_birth"):
        return "date"
    return "other"


def _iso_date(text: str | None) -> date | None:
    if text is None or not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def id_numbers(flat: list[FlatField]) -> set[tuple[str, str]]:
    """(ID number, field) pairs: the digits of every ID field that has any."""
    pairs = set()
    for row in flat:
        if row.kind == "id" and row.value:
            digits = re.sub(r"\D", "", row.value)
            if digits:
                pairs.add((digits, row.name))
    return pairs


def key_date(flat: list[FlatField]) -> date | None:
    """The date the document is about (see ``KEY_DATE_FIELDS``), if it has one."""
    for name in KEY_DATE_FIELDS:
        for row in flat:
            if row.name == name and row.date_value is not None:
                return row.date_value
    return None


def search_texts(flat: list[FlatField], text: str) -> SearchTexts:
    """The folded texts the full-text index holds for a document: each name and each
    address part of two words or more also as one phrase token (:func:`phrase_token`)."""
    by_kind: dict[str, list[str]] = {"name": [], "address": [], "other": []}
    for row in flat:
        if row.folded:
            by_kind.get(row.kind, by_kind["other"]).append(row.folded)
    names, addresses = by_kind["name"], by_kind["address"]
    return SearchTexts(
        names=with_phrase_tokens(" ; ".join(names), name_phrases(names)),
        addresses=with_phrase_tokens(" ; ".join(addresses), place_phrases(addresses)),
        fields=" ; ".join(by_kind["other"]),
        body=fast_fold(text[:MAX_INDEXED_TEXT]),
    )


# --- phrases ---------------------------------------------------------------------------
#
# The words of names and places are few and shared: "nam" and "dinh" stand in six
# documents in ten (Việt Nam in every header, Định in names), while the province Nam Định
# is one place among 63. A full-text index intersecting the documents of each word walks
# hundreds of thousands of entries to find those few (40-200 ms at a million documents).
# So each whole name and each part of an address of two words or more is also indexed as
# one token, "zznamdinh": a rare token, whose short list the engine walks instead.

#: what a phrase token begins with: no Vietnamese word has "zz", so none collides
PHRASE_MARK = "zz"
#: words that say what kind of place an address part is ("quận Hai Bà Trưng", "TP. Hồ
#: Chí Minh"); the part is a phrase with them and without them ("quan hai ba trung",
#: "hai ba trung")
PLACE_TYPES = (
    "thanh pho", "thi tran", "thi xa", "to dan pho", "khu pho", "phuong", "quan", "huyen",
    "xa", "tinh", "duong", "pho", "thon", "ap", "ban", "xom", "ngo", "ngach", "hem",
    "kiet", "so", "to", "khu", "tp", "tx", "tt", "q", "p",
)  # fmt: skip
#: the most words a phrase has ("thanh pho ho chi minh", "ton nu thi thu ha")
PHRASE_WORDS = 6
_ADDRESS_PARTS = re.compile(r"[,;()\n]| - ")


def phrase_token(phrase: str) -> str:
    """The one token that stands for a phrase's words in the full-text index."""
    return PHRASE_MARK + "".join(WORD.findall(phrase))


def name_phrases(names: list[str]) -> list[str]:
    """Each folded name of two to ``PHRASE_WORDS`` words, as its words."""
    found = (" ".join(WORD.findall(name)) for name in names)
    return list(dict.fromkeys(p for p in found if 2 <= p.count(" ") + 1 <= PHRASE_WORDS))


def place_phrases(addresses: list[str]) -> list[str]:
    """The parts of folded addresses ("so 12, pho hue, phuong pho hue, quan hai ba
    trung, ha noi") of two to ``PHRASE_WORDS`` words, each with and without the word
    saying what kind of place it is: "phuong pho hue", "pho hue", "quan hai ba trung",
    "hai ba trung", "ha noi" (and "so 12")."""
    phrases: dict[str, None] = {}
    for address in addresses:
        for part in _ADDRESS_PARTS.split(address):
            words = WORD.findall(part)
            for candidate in (words, _untyped(words)):
                if 2 <= len(candidate) <= PHRASE_WORDS:
                    phrases[" ".join(candidate)] = None
    return list(phrases)


def _untyped(words: list[str]) -> list[str]:
    joined = " ".join(words)
    for kind in PLACE_TYPES:
        if joined.startswith(kind + " "):
            return words[kind.count(" ") + 1 :]
    return []


def with_phrase_tokens(text: str, phrases: list[str]) -> str:
    """``text`` followed by the token of each phrase it does not hold yet."""
    tokens = [t for t in map(phrase_token, phrases) if f" {t} " not in f" {text} "]
    return " ".join(filter(None, [text, *tokens]))


def places(flat: list[FlatField]) -> list[str]:
    """The place phrases of a document's address fields: what the catalog's list of
    known places (``phrases``) learns from it."""
    return place_phrases([row.folded for row in flat if row.kind == "address" and row.folded])
