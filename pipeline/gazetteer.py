"""Addresses against the official list of administrative units, with OCR-garbled names mended.

An address names its units from the smallest to the largest, comma-separated, each after
its type word: "Số 12, thôn Đông, xã Tân Lập, huyện Đan Phượng, thành phố Hà Nội". Archived
dossiers use the three levels in force until July 2025 (province, district, ward); new ones
the two levels from then on (province, ward). :func:`check_address` reads the last
component as the province, the one before as a district of it -- or as a 2025 ward of it --
and, under a district, the one before that as a ward; the names come from
``ocr_models/validation/gazetteer.json.gz`` (``python -m sohoa.ocr_models.build_gazetteer``).

Matching is tolerant, correction conservative. A name is valid as printed when it equals a
unit's name up to case, spacing, punctuation and the spellings both in use -- the tone on
"oa/oe/uy" ("Thanh Hoá" and "Thanh Hóa") and a final "y/i" ("Chương Mỹ", "Chương Mĩ") --;
such a name is never "corrected". A name that is not valid as printed is replaced only when

* it is no valid name of that level anywhere in the country (a real name under the wrong
  parent -- or a made-up address built from real names -- is reported, never moved), and
* one unit under the matched parent is clearly the one meant: of the names whose folded
  form (no diacritics) is within :data:`FUZZY_MIN` of the printed one, with the same digits,
  either the only one, with no other name as few edits away ("Đan Phuợg" -> "Đan Phượng"),
  or the one equal once folded that is nearer than every other when a wrong diacritic counts
  half a wrong letter ("Quảng Binh" -> "Quảng Bình", not "Quảng Ninh").

The similarity is 100 * (1 - edits / the longer folded length), edits counting letters lost,
added or changed and two neighbours swapped (optimal string alignment). 85 lets one edit
through in a name of 7 to 13 letters, two from 14, and none in a shorter one, whose
neighbours are too many ("Hải Hậu"/"Hải Hà", "An Bình"/"Tân Bình" are one edit apart) --
errors of diacritics alone, the commonest, fold to equality and are mended at any length.
Measured on real addresses from the list: a dropped diacritic in a province or district
name is restored every time (1,400 of 1,400); one OCR-like letter confusion is restored in
70 % of names of any length (99 % from 7 letters) and never turned into another name; two
confusions in one name led to another real name 3 times in 2,900, the garble being nearer
to it. Over 3,000 generated addresses, whose districts and wards are real names from
elsewhere, nothing is altered. Anything not corrected is left as printed and reported in
``problems`` with the nearest valid names, for a clerk to decide.

Not handled: units abolished before the January 2025 snapshot (district and ward mergers of
2019-2024 are absent from it, so "phường Văn Miếu" is reported), addresses without commas
or dashes between units, and units printed out of order.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from sohoa import ocr_models
from sohoa.pipeline.vntext import fold

FUZZY_MIN = 85.0  # OSA similarity (%) a correction needs (module docstring: why)
NEAR_MIN = 60.0  # names this close are offered in a problem, never substituted

PROVINCE_TYPES = frozenset({"tỉnh", "thành phố"})
DISTRICT_TYPES = frozenset({"quận", "huyện", "thị xã", "thành phố"})
WARD_TYPES = frozenset({"phường", "xã", "thị trấn", "đặc khu"})

# folded type words and their abbreviations -> the unit type they print
_TYPE_WORDS = {
    "tinh": "tỉnh",
    "thanh pho": "thành phố",
    "tp": "thành phố",
    "quan": "quận",
    "q": "quận",
    "huyen": "huyện",
    "h": "huyện",
    "thi xa": "thị xã",
    "tx": "thị xã",
    "phuong": "phường",
    "p": "phường",
    "xa": "xã",
    "thi tran": "thị trấn",
    "tt": "thị trấn",
    "dac khu": "đặc khu",
}
_ONE_LETTER = frozenset({"q", "h", "p"})  # only with a dot ("Q. Ba Đình") or digits ("Q1")
# first words of what precedes the units: house number, street, lane, hamlet, group
_STREET_WORDS = frozenset(
    {"so", "nha", "pho", "duong", "ngo", "ngach", "hem", "kiet", "thon", "xom", "ap", "to"}
    | {"khu", "kp", "khoi", "ban", "buon", "lang", "cum", "doi", "tdp", "khom", "lo", "toa"}
)
_COUNTRY = frozenset({"vietnam", "vn"})
# province spellings no list holds but documents print ("TP.HCM", "TPHCM")
_PROVINCE_SHORT = {"hcm": "Hồ Chí Minh", "tphcm": "Hồ Chí Minh", "saigon": "Hồ Chí Minh"}

_TONES = "\u0300\u0301\u0303\u0309\u0323"
# "oà/òa", "oé/óe", "uý/úy" at the end of a syllable: both placements are in use
_OPEN_PAIR = re.compile(rf"([ou])([{_TONES}]?)([aey])([{_TONES}]?)(?![\w\u0300-\u036f])")
# "Mỹ/Mĩ", "Kỳ/Kì": a syllable ending in y or i after a consonant is spelt both ways
_FINAL_Y = re.compile(rf"(?<=[bcdđghklmnpqrstvx])y(?=[{_TONES}]?(?![\w\u0300-\u036f]))")

EXACT, FOLDED, FUZZY, NONE = 3, 2, 1, 0


@dataclass(frozen=True, eq=False)
class Unit:
    """One administrative unit: its type word ("huyện"), bare name and the units under it."""

    type: str
    name: str
    children: tuple[Unit, ...] = ()

    @property
    def full(self) -> str:
        """As an address prints it: "huyện Đan Phượng"."""
        return f"{self.type} {self.name}"


@dataclass(frozen=True)
class AddressCheck:
    """What :func:`check_address` found: the (mended) address, the units and the problems."""

    text: str  # the address, NFC, with corrected unit names substituted
    corrected: bool
    province: str | None  # names as the list spells them, or None where not found
    district: str | None
    ward: str | None
    problems: list[str]
    known: bool  # province found, and the unit printed under it (district or 2025 ward) in it
    generation: str | None = None  # "legacy" (before July 2025) or "2025", as matched


@dataclass(frozen=True)
class _Match:
    unit: Unit | None
    quality: int
    near: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Part:
    """One comma-separated component: its type word (if any) and where its name lies."""

    kind: str | None  # the unit type its type word prints, or None
    name: str  # after the type word
    start: int  # of the name, in the whole text
    whole: str  # the component, type word and all
    whole_start: int
    street: bool  # starts like a house number, street or hamlet, and no unit type word


class _Level:
    """The units under one parent, indexed by the keys matching compares."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units = tuple(units)
        self.by_canon: dict[str, list[Unit]] = {}
        self.by_key: dict[str, list[Unit]] = {}
        for unit in self.units:
            self.by_canon.setdefault(canon(unit.name), []).append(unit)
            self.by_key.setdefault(key(unit.name), []).append(unit)
        self.keys = list(self.by_key)


@dataclass
class _Gazetteer:
    provinces: _Level  # legacy and current names (and the alias), one unit per name
    legacy: dict[str, Unit]  # province name -> legacy unit (districts under it)
    current: dict[str, Unit]  # province name -> 2025 unit (wards under it)
    levels: dict[int, _Level] = field(default_factory=dict)  # id(unit) -> its children
    district_names: frozenset[str] = frozenset()  # canon keys, the whole country
    ward_names: frozenset[str] = frozenset()

    def level(self, unit: Unit) -> _Level:
        """The index of ``unit``'s children, built on first use (most are never asked)."""
        found = self.levels.get(id(unit))
        if found is None:
            found = self.levels[id(unit)] = _Level(unit.children)
        return found


def canon(name: str) -> str:
    """The key of "valid as printed": lower case, one tone placement, letters and digits only.

    Keeps every diacritic except where the tone sits on "oa/oe/uy" ending a syllable, which
    the old and new spelling rules place differently ("Hoà"/"Hòa"), and reads a final "y"
    after a consonant as "i" ("Mỹ"/"Mĩ", both taught); number leading zeros go.
    """
    text = unicodedata.normalize("NFD", name.lower())
    text = _OPEN_PAIR.sub(lambda m: m[1] + (m[2] or m[4]) + m[3], text)
    text = _FINAL_Y.sub("i", text)
    return _compact(unicodedata.normalize("NFC", text))


def key(name: str) -> str:
    """The key of tolerant matching: :func:`canon` without any diacritic ("đ" as "d")."""
    return _compact(fold(name))


def _compact(text: str) -> str:
    """Letters and digits only; "01" as "1" (spacing and hyphens vary between printings)."""
    text = re.sub(r"\d+", lambda m: str(int(m[0])), text)
    return re.sub(r"[\W_]+", "", text)


def _digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


@cache
def _load() -> _Gazetteer:
    """The data file, read once and indexed (about 0.05 s; a parent's index on first use)."""
    with gzip.open(ocr_models.gazetteer_path(), "rt", encoding="utf-8") as handle:
        doc = json.load(handle)
    legacy = {name: _legacy_province(name, data) for name, data in doc["legacy"].items()}
    current = {name: _current_province(name, data) for name, data in doc["current"].items()}
    for alias, entry in doc.get("legacy_aliases", {}).items():
        legacy[alias] = Unit(entry["type"], alias, legacy[entry["units_of"]].children)
    names = {**{n: u.type for n, u in current.items()}, **{n: u.type for n, u in legacy.items()}}
    districts = [d for p in legacy.values() for d in p.children]
    wards = [w for d in districts for w in d.children]
    wards += [w for p in current.values() for w in p.children]
    return _Gazetteer(
        provinces=_Level(Unit(kind, name) for name, kind in names.items()),
        legacy=legacy,
        current=current,
        district_names=frozenset(canon(d.name) for d in districts),
        ward_names=frozenset(canon(w.name) for w in wards),
    )


def _wards(grouped: dict[str, list[str]]) -> tuple[Unit, ...]:
    return tuple(Unit(kind, name) for kind, names in grouped.items() for name in names)


def _legacy_province(name: str, data: dict[str, Any]) -> Unit:
    districts = tuple(Unit(d["type"], d["name"], _wards(d["wards"])) for d in data["districts"])
    return Unit(data["type"], name, districts)


def _current_province(name: str, data: dict[str, Any]) -> Unit:
    return Unit(data["type"], name, _wards(data["wards"]))


def province_names() -> list[str]:
    """Every province name of either generation (63 before July 2025, 34 after, and "Thừa
    Thiên Huế"), sorted as a Vietnamese reader looks them up: by the folded name."""
    return sorted((u.name for u in _load().provinces.units), key=lambda n: (fold(n), n))


def is_province(name: str) -> bool:
    """Whether ``name`` is a province of either generation as printed -- with or without its
    type word, in any case or tone placement, but with its diacritics right."""
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        return False
    part = _parse_part(text, 0, len(text))
    level = _load().provinces
    names = [part.name, part.whole] if part.kind in PROVINCE_TYPES else [part.whole]
    return any(canon(n) in level.by_canon or key(n) in _PROVINCE_SHORT for n in names)


# -- parsing -------------------------------------------------------------------------------


def _components(text: str) -> list[tuple[int, int]]:
    """Spans of the components -- comma-separated, or dash-separated where a type word
    follows the dash ("Xã A - Huyện B - Tỉnh C", but not "Bà Rịa - Vũng Tàu") -- stripped,
    blanks skipped, a trailing "Việt Nam" too."""
    spans = []
    for m in re.finditer(r"[^,;]+", text):
        for start, end in _dash_split(text, m.start(), m.end()):
            stripped = text[start:end].strip(" \t\r\n.")
            if stripped:
                start += text[start:end].index(stripped)
                spans.append((start, start + len(stripped)))
    if spans and key(text[slice(*spans[-1])]) in _COUNTRY:
        spans.pop()
    return spans


def _dash_split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``start:end`` cut at each spaced dash that a unit type word follows."""
    spans, begin = [], start
    for dash in re.finditer(r"\s[-–]\s", text[start:end]):
        after = list(re.finditer(r"\S+", text[start + dash.end() : end]))
        if after and _type_prefix(after)[0] is not None:
            spans.append((begin, start + dash.start()))
            begin = start + dash.end()
    return [*spans, (begin, end)]


def _bare(token: str) -> str:
    """A token folded, without its dots: "T.P." -> "tp"."""
    return fold(token).replace(".", "")


def _type_prefix(tokens: list[re.Match[str]]) -> tuple[str | None, int]:
    """The unit type a component's first word(s) print, and the offset its name starts at
    (0 without a type word). A type word needs a name after it."""
    if len(tokens) >= 3:
        two = f"{_bare(tokens[0][0])} {_bare(tokens[1][0])}"
        if two in _TYPE_WORDS:
            return _TYPE_WORDS[two], tokens[2].start()
    first = tokens[0][0]
    glued = re.match(r"[QqPp]\.?(?=\d)|\w+\.(?=\w)", first)  # "Q1", "P.12", "TP.HCM"
    if glued and _bare(glued[0]) in _TYPE_WORDS:
        return _TYPE_WORDS[_bare(glued[0])], tokens[0].start() + glued.end()
    word = _bare(first)
    one_letter_ok = word not in _ONE_LETTER or first.endswith(".")
    if word in _TYPE_WORDS and len(tokens) >= 2 and one_letter_ok:
        return _TYPE_WORDS[word], tokens[1].start()
    return None, 0


def _parse_part(text: str, start: int, end: int) -> _Part:
    """The component ``text[start:end]`` (stripped, not empty), its type word and name."""
    tokens = list(re.finditer(r"\S+", text[start:end]))
    kind, offset = _type_prefix(tokens)
    first = _bare(tokens[0][0])
    street = kind is None and (first[:1].isdigit() or first in _STREET_WORDS)
    return _Part(kind, text[start + offset : end], start + offset, text[start:end], start, street)


# -- matching ------------------------------------------------------------------------------


def _match(
    name: str, level: _Level, kind: str | None, valid_elsewhere: frozenset[str], fuzzy: bool
) -> _Match:
    """``name`` against the units of ``level`` (module docstring: when a match may correct).
    Without ``fuzzy`` only a name equal once folded may be taken."""
    printed = canon(name)
    same = level.by_canon.get(printed)
    if same:
        return _Match(_of_type(same, kind), EXACT)
    if printed in valid_elsewhere:
        return _Match(None, NONE)
    folded = key(name)
    scored = _scored(folded, level)
    near = [k for k, edits in scored if _similarity(folded, k, edits) >= NEAR_MIN]
    near_names = tuple(dict.fromkeys(u.name for k in near for u in level.by_key[k]))[:3]
    close = [(k, edits) for k, edits in scored if _similarity(folded, k, edits) >= FUZZY_MIN]
    units = _chosen(printed, folded, close, scored, level)
    if units is None or not (fuzzy or key(units[0].name) == folded):
        return _Match(None, NONE, near_names)
    quality = FOLDED if key(units[0].name) == folded else FUZZY
    return _Match(_of_type(units, kind), quality)


def _of_type(units: list[Unit], kind: str | None) -> Unit:
    """Of units of one name, the one of the printed type ("thị xã" or "huyện Kỳ Anh")."""
    return next((u for u in units if u.type == kind), units[0])


def _similarity(printed: str, candidate: str, edits: float) -> float:
    """OSA similarity in percent: 100 * (1 - edits / the longer length)."""
    return 100.0 * (1.0 - edits / max(len(printed), len(candidate), 1))


def _scored(folded: str, level: _Level) -> list[tuple[str, int]]:
    """The nearest folded names under the parent with their edit distances, nearest first;
    only those with the printed digits ("Phường 12" never becomes "Phường 13")."""
    scored = process.extract(folded, level.keys, scorer=OSA.distance, limit=8)
    return [(k, int(edits)) for k, edits, _ in scored if _digits(k) == _digits(folded)]


def _chosen(
    printed: str,
    folded: str,
    close: list[tuple[str, int]],
    scored: list[tuple[str, int]],
    level: _Level,
) -> list[Unit] | None:
    """The units of the one name a garbled ``printed`` stands for, or None when it is not
    clear: the only name within :data:`FUZZY_MIN` with nothing else as few edits away, or,
    of several, the one equal once folded that is also nearer than all the others when a
    wrong diacritic counts half a wrong letter ("Quảng Binh" is "Quảng Bình", not "Quảng
    Ninh"; "Tâm Thạnh" is as near "Tân Thạnh" as "Tam Thanh": left alone)."""
    names: dict[str, list[Unit]] = {}
    for k, _ in close:
        for unit in level.by_key[k]:
            names.setdefault(unit.name, []).append(unit)
    if len(names) == 1:
        edits = close[0][1]
        rivals = [k for k, d in scored if d <= edits and k != close[0][0]]
        return None if rivals else next(iter(names.values()))

    def weighted(name: str) -> float:  # a wrong mark costs half a wrong letter
        return (OSA.distance(folded, key(name)) + OSA.distance(printed, canon(name))) / 2

    ranked = sorted(names, key=weighted)
    if len(ranked) < 2 or key(ranked[0]) != folded:
        return None
    first, second = weighted(ranked[0]), weighted(ranked[1])
    return names[ranked[0]] if first < second else None


def _best(
    part: _Part, level: _Level, kinds: frozenset[str], elsewhere: frozenset[str]
) -> tuple[_Match, str, int]:
    """The better reading of a component in ``level``, as (match, name as printed, start):
    the name after its type word, or the whole component -- a bare name may begin like a
    type word ("Quan Hoa" is no "quận Hoa"); the whole is matched fuzzily only when it has
    no type word. A tie goes to the first reading."""
    readings = []
    if part.kind in kinds:
        readings.append((part.name, part.start, part.kind, True))
    if part.kind is None or part.whole != part.name:
        readings.append((part.whole, part.whole_start, None, part.kind is None))
    best: tuple[_Match, str, int] | None = None
    for name, start, kind, fuzzy in readings:
        found = _match(name, level, kind, elsewhere, fuzzy)
        if best is None or found.quality > best[0].quality:
            best = (found, name, start)
    assert best is not None  # a component has a name or a whole
    return best


# -- the address ---------------------------------------------------------------------------


@dataclass
class _Work:
    """What one check has found so far (mutable while it runs, frozen into AddressCheck)."""

    text: str
    problems: list[str] = field(default_factory=list)
    fixes: list[tuple[int, int, str]] = field(default_factory=list)
    province: Unit | None = None
    district: Unit | None = None
    ward: Unit | None = None
    generation: str | None = None
    known: bool = False

    def take(self, match: _Match, printed: str, start: int, level_word: str) -> None:
        """Record a correction when ``match`` is not what was printed."""
        if match.unit is None or match.quality == EXACT:
            return
        new = _mended(printed, match.unit.name)
        if new != printed:
            self.fixes.append((start, start + len(printed), new))
            self.problems.append(f"{level_word} '{printed}' corrected to '{new}'")


def _mended(printed: str, name: str) -> str:
    """``name`` written over ``printed`` word by word: the words already right stay as printed
    (their tone placement too: "Hòa Binh" becomes "Hòa Bình", not "Hoà Bình"), the others
    take the printed case style -- an upper-case address stays upper case."""
    old, new = printed.split(), name.split()
    if len(old) != len(new):
        return _styled(name, printed)
    words = [o if canon(o) == canon(n) else _styled(n, o) for o, n in zip(old, new, strict=True)]
    return " ".join(words)


def _styled(name: str, printed: str) -> str:
    """``name`` in the case style of ``printed``: upper, lower, or as the list spells it."""
    if printed.isupper():
        return name.upper()
    if printed.islower():
        return name.lower()
    return name


def _not_found(level_word: str, printed: str, where: str, near: tuple[str, ...]) -> str:
    """The problem of a name not found, with the nearest valid names when there are any."""
    message = f"{level_word} '{printed}' not found" + (f" in {where}" if where else "")
    if near:
        message += " (nearest: " + ", ".join(f"'{n}'" for n in near) + ")"
    return message


def check_address(text: str) -> AddressCheck:
    """The address's units looked up (province, district or 2025 ward, ward) and OCR-garbled
    unit names mended where exactly one valid name is near (module docstring)."""
    work = _Work(unicodedata.normalize("NFC", text))
    parts = [_parse_part(work.text, a, b) for a, b in _components(work.text)]
    province = _province(work, parts[-1] if parts else None)
    if province is not None:
        _below_province(work, parts[:-1], province)
    return _result(work)


def _province(work: _Work, part: _Part | None) -> Unit | None:
    """Match the last component to a province; None (with the problem) when none."""
    if part is None or part.kind in (DISTRICT_TYPES | WARD_TYPES) - PROVINCE_TYPES:
        work.problems.append("no province at the end of the address")
        return None
    gaz = _load()
    short = _PROVINCE_SHORT.get(key(part.name)) or _PROVINCE_SHORT.get(key(part.whole))
    if short:  # "TP.HCM": an abbreviation, not an error
        match, printed, start = _Match(gaz.provinces.by_canon[canon(short)][0], EXACT), "", 0
    else:
        match, printed, start = _best(part, gaz.provinces, PROVINCE_TYPES, frozenset())
    if match.unit is None:
        street = part.street and not match.near
        problem = "no province at the end of the address" if street else ""
        work.problems.append(problem or _not_found("province", part.name, "", match.near))
        return None
    work.take(match, printed, start, "province")
    work.province = match.unit
    work.known = True
    return match.unit


def _below_province(work: _Work, parts: list[_Part], province: Unit) -> None:
    """The component before the province: a district of it (before July 2025) or a 2025 ward
    of it, whichever its type word allows and matches better (a tie: the district)."""
    if not parts:
        return
    part, gaz = parts[-1], _load()
    legacy, current = gaz.legacy.get(province.name), gaz.current.get(province.name)
    tries: list[tuple[tuple[_Match, str, int], str]] = []
    if legacy:
        tries.append((_best(part, gaz.level(legacy), DISTRICT_TYPES, gaz.district_names), "legacy"))
    if current:
        tries.append((_best(part, gaz.level(current), WARD_TYPES, gaz.ward_names), "2025"))
    found = [t for t in tries if t[0][0].unit is not None]
    if not found and part.street:  # "Số 5, phố Huế, Hà Nội": nothing between street and province
        work.problems.append("no district or ward printed before the province")
        return
    if not found:
        work.known = False
        work.problems.append(_unplaced(part, province, tries))
        return
    (match, printed, start), generation = max(found, key=lambda t: t[0][0].quality)
    work.generation = generation
    if generation == "legacy":
        work.take(match, printed, start, "district")
        work.district = match.unit
        _ward(work, parts[:-1], _namesakes(match.unit, part.kind, gaz.level(legacy)))
    else:
        work.take(match, printed, start, "ward")
        work.ward = match.unit


def _unplaced(part: _Part, province: Unit, tries: list[tuple[tuple[_Match, str, int], str]]) -> str:
    """The problem of a unit under the province that matched nothing, in the words of the
    level its type word claims (or both levels the province has, without one)."""
    generations = {generation for _, generation in tries}
    if part.kind in WARD_TYPES:
        if "2025" not in generations:  # a province with no wards of its own, only districts
            return f"ward '{part.name}' printed without its district in {province.full}"
        level, printed, where = "ward", part.name, f"{province.full} (2025 units)"
        generations = {"2025"}
    elif part.kind in DISTRICT_TYPES:
        level, printed, where, generations = "district", part.name, province.full, {"legacy"}
    else:
        level = "district or ward" if len(generations) == 2 else "district"
        printed, where = part.whole, province.full
    near = [n for (m, _, _), g in tries if g in generations for n in m.near]
    return _not_found(level, printed, where, tuple(dict.fromkeys(near))[:3])


def _namesakes(district: Unit, kind: str | None, level: _Level) -> list[Unit]:
    """The districts the matched one may be: those of its name in the province ("thị xã" and
    "huyện Kỳ Anh" both exist) -- only those of the printed type when it names one."""
    namesakes = level.by_canon[canon(district.name)]
    of_type = [d for d in namesakes if d.type == kind]
    return sorted(of_type or namesakes, key=lambda d: d is not district)


def _ward(work: _Work, parts: list[_Part], districts: list[Unit]) -> None:
    """The component before a legacy district: its ward, when it is one (not a street), in
    the first of ``districts`` that has it. A name without a type word is taken only when it
    matches without fuzz, since it may be a street; a typed one matching nothing is reported."""
    if not parts:
        return
    part, gaz = parts[-1], _load()
    typed = part.kind in WARD_TYPES
    tries = [(_best(part, gaz.level(d), WARD_TYPES, gaz.ward_names), d) for d in districts]
    (match, printed, start), district = max(tries, key=lambda t: t[0][0].quality)
    if match.unit is not None and (typed or match.quality >= FOLDED):
        work.district = district
        work.take(match, printed, start, "ward")
        work.ward = match.unit
    elif typed and not part.street:
        near = tries[0][0][0].near
        work.problems.append(_not_found("ward", part.name, districts[0].full, near))


def _result(work: _Work) -> AddressCheck:
    """Substitute the corrections (right to left, so spans stay valid) and freeze."""
    text = work.text
    for start, end, new in sorted(work.fixes, reverse=True):
        text = text[:start] + new + text[end:]
    return AddressCheck(
        text=text,
        corrected=bool(work.fixes),
        province=work.province.name if work.province else None,
        district=work.district.name if work.district else None,
        ward=work.ward.name if work.ward else None,
        problems=work.problems,
        known=work.known,
        generation=work.generation,
    )
