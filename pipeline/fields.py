"""Find a document's fields next to their printed labels, as its type's template says.

A template (``ocr_models/fields/<doc_type>.json``) lists, per field, the kind of value and
where to look for it: after one of its labels ("Họ và tên:") on the same line, or on the
line below when the label ends its line; the *n*-th occurrence of a label set ("the
second date of birth is the wife's"); a regular expression (a serial printed without a
label); the title lines (a form's name); a table (a household's members). A new form
needs a new template, not new code.

Labels are matched on the folded text (no diacritics, no punctuation, no spaces), fuzzily,
so OCR damage ("Ho, chü đệm, tén:") still finds them; every label of the template, and
the template's ``other_labels`` that feed no field, ends the value before it, so a value
never runs into the next field printed on the same line. Where two labels claim the same
words, the one that ends at a colon wins, then the one covering more words, then the closer
match: "Họ, chữ đệm, tên người mẹ:" is the mother's name, not the child's. Geometry (two
columns side by side) is judged on the upright page; boxes stay in the scan's pixels.

This module finds the printed text of each field and how sure the OCR was of it; turning
the text into a value (dates, digits) and checking it is :mod:`sohoa.pipeline.fieldvalues`'
business.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from rapidfuzz import fuzz

from sohoa import ocr_models

from .models import OcrWord, PageText
from .names import name_syllables
from .vntext import fold, mostly_capitals, nfc

_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_LEADERS = re.compile(r"^[\s.…:;_|/\-]*$")
#: a label of fewer folded characters than this must match exactly (and end at a colon
#: when written with one): "Số:", "Ông:" are too short to be found fuzzily
EXACT_BELOW = 6
#: at most this many lines make one value (an address wrapped over the page width)
MAX_VALUE_LINES = 3
#: kinds of value that may wrap onto the next line
WRAPPING_KINDS = frozenset({"address", "place", "name"})
#: a right column shows itself as labels at one x on this many lines, give or take this
#: share of the page's width
MIN_COLUMN_ROWS, COLUMN_X_TOLERANCE = 3, 0.04
#: a label starting right of this share of the page's width is in the right column
RIGHT_COLUMN_FROM = 0.45
#: a table's header holds at least two of its column labels this alike (rapidfuzz 0..100)
HEADER_MIN_SCORE = 80.0
#: title lines are found among the first lines of a document's first page
TITLE_LINES = 15


# --------------------------------------------------------------------------- lines


@dataclass(frozen=True, slots=True)
class Token:
    """One OCR word as the matcher sees it."""

    text: str
    key: str  # folded, letters and digits only: what labels are matched on
    confidence: float  # 0..100
    box: tuple[int, int, int, int]  # left, top, right, bottom on the original page
    x0: int = 0  # left and right on the upright page (the original may lie on its side)
    x1: int = 0
    y0: int = 0  # top and bottom on the upright page
    y1: int = 0
    alternative: str = ""  # the word's other reading, where two disagreed (OcrWord)
    variants: tuple[tuple[str, float], ...] | None = None  # as OcrWord.variants

    @property
    def colon(self) -> bool:
        return self.text.rstrip().endswith(":")


@dataclass(frozen=True, slots=True)
class Line:
    """A printed line: its page (1-based within the document) and its words in order."""

    page: int
    tokens: tuple[Token, ...]
    width: int = 0  # of the upright page, in the words' pixels

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)


def document_lines(pages: Sequence[PageText]) -> list[Line]:
    """The lines of a document's pages in reading order, words split after a colon."""
    lines: list[Line] = []
    for number, page in enumerate(pages, start=1):
        width = page.height if page.rotation in (90, 270) else page.width
        current: tuple[int, int, int] | None = None
        words: list[Token] = []
        for word in page.words:
            key = (word.block, word.paragraph, word.line)
            if key != current and words:
                lines.append(Line(number, tuple(words), width))
                words = []
            current = key
            words.extend(_tokens(word, page))
        if words:
            lines.append(Line(number, tuple(words), width))
    return lines


_AFTER_COLON = re.compile(r"(?<=:)(?=[^\s:])")  # "tên:NGUYỄN" is two tokens


def _tokens(word: OcrWord, page: PageText) -> list[Token]:
    """The word, or its parts when a colon sits inside it ("tên:NGUYỄN")."""
    text = nfc(word.text)
    parts = [p for p in _AFTER_COLON.split(text) if p]
    box = (word.left, word.top, word.left + word.width, word.top + word.height)
    left, top, right, bottom = _upright(box, page)
    alternative = nfc(word.alternative) if len(parts) == 1 else ""
    variants = _part_variants(word.variants, parts)
    tokens = []
    for part, heard in zip(parts, variants, strict=True):
        width = round((right - left) * len(part) / max(1, len(text)))
        key = _NOT_ALNUM.sub("", fold(part))
        tokens.append(
            Token(
                part,
                key,
                word.confidence,
                box,
                left,
                left + width,
                top,
                bottom,
                alternative=alternative,
                variants=heard,
            )
        )
        left += width
    return tokens


def _part_variants(
    variants: tuple[tuple[str, float], ...] | None, parts: list[str]
) -> list[tuple[tuple[str, float], ...] | None]:
    """A word's variants (OcrWord.variants) shared out to its parts: each goes to the part
    it changes."""
    if variants is None:
        return [None] * len(parts)
    if len(parts) == 1:
        return [tuple((nfc(v), share) for v, share in variants)]
    shared: list[list[tuple[str, float]]] = [[] for _ in parts]
    for variant, share in variants:
        pieces = [p for p in _AFTER_COLON.split(nfc(variant)) if p]
        if len(pieces) != len(parts):
            continue
        for index, (piece, part) in enumerate(zip(pieces, parts, strict=True)):
            if piece != part:
                shared[index].append((piece, share))
    return [tuple(found) for found in shared]


def _upright(box: tuple[int, int, int, int], page: PageText) -> tuple[int, int, int, int]:
    """A box of the original page once the page is turned upright (``page.rotation``
    degrees clockwise): where columns and lines are told apart."""
    left, top, right, bottom = box
    if page.rotation == 90:
        return page.height - bottom, left, page.height - top, right
    if page.rotation == 180:
        return page.width - right, page.height - bottom, page.width - left, page.height - top
    if page.rotation == 270:
        return top, page.width - right, bottom, page.width - left
    return box


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True, slots=True)
class Finder:
    """One way to find a field: ``how`` is "label", "set", "pattern", "title", "table" or
    "capitals"."""

    how: str
    label: str = ""  # label text ("label"), or label-set name ("set")
    nth: int = 1  # which occurrence of the set
    spec: Any = None  # the regex, the title starts, or the table description
    at_most: float = 1.0  # a last resort's readings are no surer than this


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: str  # normalizer kind: name, date, sex, text, address, personal_id, ...
    key: bool  # a key field of CONTRACT.md: it decides whether a person must look
    finders: tuple[Finder, ...]
    confirms: str | None = None  # a second printing of that field, read to check it
    #: whose name it is, for a name: "Nam" or "Nữ", or the fields that tell (a sex field,
    #: a personal ID number), the first that does -- names are weighed by sex
    sex: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    doc_type: str
    fields: tuple[FieldSpec, ...]
    label_sets: dict[str, tuple[str, ...]]
    labels: tuple[str, ...]  # every label the template knows: each one ends a value
    columns: bool = False  # fields may be printed in two columns side by side


@cache
def load_template(doc_type: str) -> Template | None:
    """The template of ``doc_type`` from ``ocr_models/fields``, or None (``unknown``)."""
    path = ocr_models.field_templates_dir() / f"{doc_type}.json"
    if not path.is_file():
        return None
    return parse_template(doc_type, json.loads(path.read_text("utf-8")))


def parse_template(doc_type: str, raw: dict[str, Any]) -> Template:
    """A template from its JSON form (see the files in ``ocr_models/fields``)."""
    label_sets = {
        name: tuple(nfc(t) for t in texts) for name, texts in raw.get("label_sets", {}).items()
    }
    fields = tuple(
        FieldSpec(
            name,
            spec["kind"],
            bool(spec.get("key")),
            tuple(_finder(f, label_sets) for f in spec["find"]),
            spec.get("confirms"),
            _sex_sources(spec.get("sex", ())),
        )
        for name, spec in raw["fields"].items()
    )
    labels: dict[str, None] = {}
    for texts in label_sets.values():
        labels.update(dict.fromkeys(texts))
    for spec in fields:
        labels.update({f.label: None for f in spec.finders if f.how == "label"})
    labels.update(dict.fromkeys(nfc(t) for t in raw.get("other_labels", [])))
    return Template(doc_type, fields, label_sets, tuple(labels), bool(raw.get("columns")))


def _sex_sources(raw: str | list[str]) -> tuple[str, ...]:
    return (nfc(raw),) if isinstance(raw, str) else tuple(nfc(item) for item in raw)


def _finder(raw: str | dict[str, Any], label_sets: dict[str, tuple[str, ...]]) -> Finder:
    if isinstance(raw, dict):
        options = dict(raw)
        at_most = float(options.pop("at_most", 1.0))
        ((how, spec),) = options.items()
        if how not in ("pattern", "title", "table", "capitals"):
            raise ValueError(f"unknown finder {how!r}")
        return Finder(how, spec=spec, at_most=at_most)
    if raw.startswith("@"):
        name, _, nth = raw[1:].partition("#")
        if name not in label_sets:
            raise ValueError(f"unknown label set {name!r}")
        return Finder("set", name, int(nth or 1))
    return Finder("label", nfc(raw))


# --------------------------------------------------------------------------- labels


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """A label found on a line: tokens ``start`` .. ``end`` (exclusive) of ``lines[line]``."""

    label: str
    line: int
    start: int
    end: int
    score: float
    colon: bool

    @property
    def rank(self) -> tuple[bool, int, float, int]:
        """Which of two overlapping labels holds the words: the one ending at a colon, then
        the one covering more words, then the closer match ("Họ và tên:" read exactly is
        not "Họ và tên vợ:" read with one word missing), then the longer."""
        return (self.colon, self.end - self.start, self.score, len(_label_key(self.label)))


@cache
def _label_key(label: str) -> str:
    return _NOT_ALNUM.sub("", fold(label))


@cache
def _label_shape(label: str) -> tuple[bool, bool]:
    """Whether a label has several words, and whether it is written in sentence case."""
    words = label.split()
    return len(words) >= 2, not any(mostly_capitals(word) for word in words)


def find_labels(lines: Sequence[Line], labels: Iterable[str]) -> list[LabelMatch]:
    """Every label occurrence, overlaps resolved, in reading order."""
    keyed = [(label, _label_key(label)) for label in labels]
    chosen: list[LabelMatch] = []
    for index, line in enumerate(lines):
        candidates = [
            m for label, key in keyed if key for m in _matches_on_line(index, line, label, key)
        ]
        taken: list[LabelMatch] = []
        for match in sorted(candidates, key=lambda m: m.rank, reverse=True):
            if all(match.end <= t.start or match.start >= t.end for t in taken):
                taken.append(match)
        chosen.extend(sorted(taken, key=lambda m: m.start))
    return chosen


def _matches_on_line(index: int, line: Line, label: str, key: str) -> Iterable[LabelMatch]:
    tokens = line.tokens
    exact = len(key) < EXACT_BELOW
    # a short label must show its colon ("Số:"), unless it is of two words or more and
    # begins its line ("Chủ hộ Đặng Văn Quyết": the colon lost to the scan)
    needs_colon = exact and label.rstrip().endswith(":")
    several_words, sentence_case = _label_shape(label)
    threshold = 100.0 if exact else (85.0 if len(key) >= 12 else 88.0)
    start = 0
    while start < len(tokens):
        if not tokens[start].key or tokens[start].key[0] != key[0]:
            start += 1
            continue
        best: tuple[float, int] | None = None
        joined = ""
        for end in range(start, len(tokens)):
            if sentence_case and end > start and _runs_into_capitals(tokens[start], tokens[end]):
                break
            joined += tokens[end].key
            if len(joined) > len(key) * 1.3 + 2:
                break
            score = 100.0 if joined == key else (0.0 if exact else fuzz.ratio(joined, key))
            if score >= threshold and (best is None or score > best[0]):
                best = (score, end + 1)
        if best is None:
            start += 1
            continue
        score, end = best
        colon = tokens[end - 1].colon or (end < len(tokens) and tokens[end].text == ":")
        if needs_colon and not colon and not (several_words and start == 0 and end < len(tokens)):
            start += 1
            continue
        if end < len(tokens) and tokens[end].text == ":":
            end += 1
        yield LabelMatch(label, index, start, end, score, colon)
        start = end


def _runs_into_capitals(first: Token, token: Token) -> bool:
    """A label in sentence case, begun so, does not go on in capitals: those are its value
    ("Họ, chữ đệm, tên NGUYỄN" is no "Họ, chữ đệm, tên người mẹ" read fuzzily)."""
    return mostly_capitals(token.text) and not mostly_capitals(first.text)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Reading:
    """The printed text of a field, where it was and how sure the OCR was of it."""

    text: str
    confidence: float  # 0..1: character-weighted mean of the words' confidences
    page: int  # 1-based within the document
    box: tuple[int, int, int, int]  # left, top, right, bottom on that page
    rows: tuple[dict[str, str], ...] = field(default=())  # a table's rows, by column
    guess: bool = False  # found by a last resort (``at_most``): where it is, is a guess
    #: the text as the other readings of its disputed words make it ("" when none was)
    alternative: str = ""
    #: (word, the word with one letter swapped, that letter's share) where the recognizer
    #: hesitated (OcrWord.variants); None where it said nothing of its choices
    variants: tuple[tuple[str, str, float], ...] | None = None


Accept = Callable[[FieldSpec, str], bool]


def read_fields(
    template: Template, lines: Sequence[Line], accept: Accept = lambda spec, text: True
) -> dict[str, Reading | None]:
    """The printed text of every field of ``template`` (None where nothing was found).

    ``accept`` says whether a text holds a value of the field's kind; where it does not,
    the next place is tried (the value continued on the line below, another occurrence of
    the label, the field's next finder) -- and if none holds one, the first text a label
    led to is returned all the same, for a person to see what was printed there."""
    matches = find_labels(lines, template.labels)
    if template.columns and (down := read_down(lines, matches)) is not None:
        lines, matches = down, find_labels(down, template.labels)
    return {
        spec.name: _read_field(spec, template, lines, matches, accept) for spec in template.fields
    }


def _read_field(
    spec: FieldSpec,
    template: Template,
    lines: Sequence[Line],
    matches: list[LabelMatch],
    accept: Accept,
) -> Reading | None:
    """The first place a finder points at that holds a value; failing that, the first text
    a label led to (printed there but unreadable as a value: a person should see it)."""
    unreadable: Reading | None = None
    for finder in spec.finders:
        if finder.how in ("label", "set"):
            for hit in _label_hits(finder, template, lines, matches):
                for reading in _values_after(hit, lines, matches, spec.kind):
                    if accept(spec, reading.text):
                        return reading
                    unreadable = unreadable or reading
            continue
        if finder.how == "pattern":
            reading = _by_pattern(finder.spec, lines)
        elif finder.how == "title":
            reading = _title(finder.spec, lines)
        elif finder.how == "capitals":
            reading = _capitals_line(finder.spec, lines)
        else:
            reading = _table(finder.spec, lines)
        if reading is not None and (finder.how == "table" or accept(spec, reading.text)):
            if finder.at_most < 1.0:
                reading = replace(
                    reading, confidence=min(reading.confidence, finder.at_most), guess=True
                )
            return reading
    return unreadable


def _label_hits(
    finder: Finder, template: Template, lines: Sequence[Line], matches: list[LabelMatch]
) -> list[LabelMatch]:
    """The occurrences of a finder's label to read after, in the order to try them."""
    if finder.how == "label":  # as a field's label (with its colon) before a mention of it
        return sorted((m for m in matches if m.label == finder.label), key=lambda m: not m.colon)
    labels = set(template.label_sets[finder.label])
    hits = [m for m in matches if m.label in labels]
    if template.columns:  # the left column's occurrence before the right one's
        hits.sort(key=lambda m: (_in_right_column(m, lines), m.line))
    return hits[finder.nth - 1 : finder.nth]


def _in_right_column(match: LabelMatch, lines: Sequence[Line]) -> bool:
    """Whether a label starts right of the middle of its line's page."""
    line = lines[match.line]
    return line.tokens[match.start].x0 > line.width * RIGHT_COLUMN_FROM


def _values_after(
    hit: LabelMatch, lines: Sequence[Line], matches: list[LabelMatch], kind: str
) -> Iterator[Reading]:
    """Where the value of a label may be, most likely first: the words after it up to the
    next label; those and the line below (a value wrapped, "CCCD số" / "0790..."). When
    the label ends its line: words printed beside it that OCR put in a line of their own
    (a value handwritten a little off the label's baseline), then the line below alone
    (the ID card's name)."""
    multiline = kind in WRAPPING_KINDS
    starts = _label_starts(matches)
    line = lines[hit.line]
    stop = min((s for s in starts.get(hit.line, ()) if s >= hit.end), default=len(line.tokens))
    tokens = list(line.tokens[hit.end : stop])
    if not hit.colon:  # a label tail OCR garbled: "Họ và tên / Fu11 nane: X"
        colon_at = next((i for i, t in enumerate(tokens[:3]) if t.colon), None)
        if colon_at is not None:
            tokens = tokens[colon_at + 1 :]
    below = _line_below(hit.line, lines, starts)
    if _is_empty(tokens):
        beside = _beside(hit, lines, starts)
        if beside and (reading := _reading(beside, line.page)) is not None:
            yield reading
        if below:
            reading = _reading(
                _with_continuation(below, lines, hit.line + 2, starts, multiline), line.page
            )
            if reading is not None:
                yield reading
        return
    reading = _reading(
        _with_continuation(tokens, lines, hit.line + 1, starts, multiline), line.page
    )
    if reading is not None:
        yield reading
    if below and not multiline:
        reading = _reading(tokens + below, line.page)
        if reading is not None:
            yield reading


def _beside(hit: LabelMatch, lines: Sequence[Line], starts: dict[int, list[int]]) -> list[Token]:
    """The words of another OCR line printed right of the label on the same printed line
    (its middle within the label's height), up to that line's first label."""
    label = lines[hit.line].tokens[hit.start : hit.end]
    top, bottom = min(t.y0 for t in label), max(t.y1 for t in label)
    right = max(t.x1 for t in label)
    page = lines[hit.line].page
    for index, line in enumerate(lines):
        if index == hit.line or line.page != page or 0 in starts.get(index, ()):
            continue
        middle = (min(t.y0 for t in line.tokens) + max(t.y1 for t in line.tokens)) / 2
        if top <= middle <= bottom and line.tokens[0].x0 >= right:
            stop = min(starts.get(index, ()), default=len(line.tokens))
            return list(line.tokens[:stop])
    return []


def _line_below(index: int, lines: Sequence[Line], starts: dict[int, list[int]]) -> list[Token]:
    """The words of the next line of the same page up to its first label; none when the
    line begins with a label of its own."""
    below = index + 1
    if below >= len(lines) or lines[below].page != lines[index].page:
        return []
    if 0 in starts.get(below, ()):
        return []
    stop = min(starts.get(below, ()), default=len(lines[below].tokens))
    return list(lines[below].tokens[:stop])


def _with_continuation(
    tokens: list[Token],
    lines: Sequence[Line],
    below: int,
    starts: dict[int, list[int]],
    multiline: bool,
) -> list[Token]:
    if not multiline or not tokens:
        return tokens
    page = lines[below - 1].page
    return tokens + _continuation(tokens, lines, below, page, starts)


def _continuation(
    tokens: list[Token], lines: Sequence[Line], below: int, page: int, starts: dict[int, list[int]]
) -> list[Token]:
    """Lines a value wraps onto, up to MAX_VALUE_LINES in all: an address until it names its
    province; a name in capitals onto a line of nothing but capitals ("PHẠM VĂN" / "MINH")."""
    extra: list[Token] = []
    is_name = all(t.text.isupper() for t in tokens if any(ch.isalpha() for ch in t.text))
    for index in range(below, min(below + MAX_VALUE_LINES - 1, len(lines))):
        line = lines[index]
        if line.page != page or index in starts:
            break
        text = " ".join(t.text for t in tokens + extra)
        if is_name:
            if not _capitals_only(line.tokens):
                break
        elif ends_with_province(text):
            break
        extra.extend(line.tokens)
        if is_name:
            break  # a name wraps once at most
    return extra


def _capitals_only(tokens: Sequence[Token]) -> bool:
    """Up to three words in capitals that may end a name (not a seal's "TỤ"), beside
    leader dots and a stray colon OCR made of them ("._ ĐUNG :", "NAM:")."""
    words = [t.text.strip(".,;:") for t in tokens if not _LEADERS.match(t.text)]
    return 0 < len(words) <= 3 and all(
        w.isalpha() and w.isupper() and fold(w) in name_syllables() for w in words
    )


def read_down(lines: Sequence[Line], matches: list[LabelMatch]) -> list[Line] | None:
    """Lines of a two-column field block read down each column, or None if there is none.

    OCR reads two columns of "label: value" fields across, and their rows do not line up
    when a value wraps in one column and not in the other. The right column shows itself
    as labels that begin at the same x on several lines; every line of the block around
    them that no word crosses at that x is cut there, left parts first.
    """
    right_starts = [(m.line, lines[m.line].tokens[m.start].x0) for m in matches if m.start > 0]
    if len(right_starts) < MIN_COLUMN_ROWS:
        return None
    xs = sorted(x for _, x in right_starts)
    median = xs[len(xs) // 2]
    spread = max(t.x1 for line in lines for t in line.tokens) * COLUMN_X_TOLERANCE
    rows = [i for i, x in right_starts if abs(x - median) <= spread]
    if len(set(rows)) < MIN_COLUMN_ROWS:
        return None
    gutter = min(x for i, x in right_starts if i in rows) - spread / 2
    page = lines[rows[0]].page
    first, last = min(rows), max(rows)
    while first > 0 and _fits_columns(lines[first - 1], gutter, page):
        first -= 1
    while last + 1 < len(lines) and _fits_columns(lines[last + 1], gutter, page):
        last += 1
    block = lines[first : last + 1]
    left = [replace(ln, tokens=tuple(t for t in ln.tokens if t.x0 < gutter)) for ln in block]
    right = [replace(ln, tokens=tuple(t for t in ln.tokens if t.x0 >= gutter)) for ln in block]
    columns = [ln for ln in left + right if ln.tokens]
    return [*lines[:first], *columns, *lines[last + 1 :]]


def _fits_columns(line: Line, gutter: float, page: int) -> bool:
    return line.page == page and not any(t.x0 < gutter < t.x1 for t in line.tokens)


def _label_starts(matches: list[LabelMatch]) -> dict[int, list[int]]:
    starts: dict[int, list[int]] = {}
    for m in matches:
        starts.setdefault(m.line, []).append(m.start)
    return starts


def _is_empty(tokens: Sequence[Token]) -> bool:
    return all(_LEADERS.match(t.text) for t in tokens)


def _reading(tokens: Sequence[Token], page: int) -> Reading | None:
    tokens = [t for t in tokens if not _LEADERS.match(t.text)]
    if not tokens:
        return None
    chars = sum(len(t.text) for t in tokens)
    confidence = sum(t.confidence * len(t.text) for t in tokens) / max(1, chars) / 100
    box = (
        min(t.box[0] for t in tokens),
        min(t.box[1] for t in tokens),
        max(t.box[2] for t in tokens),
        max(t.box[3] for t in tokens),
    )
    alternative = (
        " ".join(t.alternative or t.text for t in tokens)
        if any(t.alternative for t in tokens)
        else ""
    )
    variants = (
        None
        if any(t.variants is None for t in tokens)
        else tuple((t.text, v, share) for t in tokens for v, share in t.variants or ())
    )
    return Reading(
        " ".join(t.text for t in tokens),
        confidence,
        page,
        box,
        alternative=alternative,
        variants=variants,
    )


@cache
def _province_keys() -> tuple[str, ...]:
    from .validate import id_province_codes

    return tuple(sorted({fold(name) for name in id_province_codes().values()}, key=len))


def ends_with_province(text: str) -> bool:
    """Whether an address is complete: its last part names a province (or a city)."""
    tail = fold(text).rstrip(" .;,").rsplit(",", 1)[-1]
    return any(tail.endswith(key) for key in _province_keys())


def _by_pattern(spec: str | dict[str, Any], lines: Sequence[Line]) -> Reading | None:
    """The ``nth`` text (1-based, default the first) matching the regex on the document's
    lines, with the words it covers: a value printed without a label, or whose label OCR
    lost (the card's second date is its expiry)."""
    regex = re.compile(spec if isinstance(spec, str) else spec["regex"])
    nth = 1 if isinstance(spec, str) else int(spec.get("nth", 1))
    seen = 0
    for line in lines:
        offsets, pos = [], 0
        for token in line.tokens:
            offsets.append((pos, pos + len(token.text)))
            pos += len(token.text) + 1
        for found in regex.finditer(line.text):
            covered = [
                t
                for t, (a, b) in zip(line.tokens, offsets, strict=True)
                if a < found.end() and b > found.start()
            ]
            reading = _reading(covered, line.page)
            if reading is None:
                continue
            seen += 1
            if seen == nth:
                other = regex.search(reading.alternative) if reading.alternative else None
                return Reading(
                    found.group(0),
                    reading.confidence,
                    line.page,
                    reading.box,
                    alternative=other.group(0) if other else "",
                    variants=reading.variants,
                )
    return None


def _title(starts: list[str], lines: Sequence[Line]) -> Reading | None:
    """A title in capitals that begins with one of ``starts``, with the capital lines that
    continue it ("ĐƠN ĐỀ NGHỊ CẤP GIẤY CHỨNG NHẬN / QUYỀN SỬ DỤNG ĐẤT ...")."""
    keys = [fold(s) for s in starts]
    for index, line in enumerate(lines[:TITLE_LINES]):
        text = line.text
        if not mostly_capitals(text) or not any(fold(text).startswith(k + " ") for k in keys):
            continue
        tokens = list(line.tokens)
        for follower in lines[index + 1 : index + MAX_VALUE_LINES]:
            if follower.page != line.page or not mostly_capitals(follower.text):
                break
            if ":" in follower.text:  # "Kính gửi: ..." opens the body
                break
            tokens += follower.tokens
        return _reading(tokens, line.page)
    return None


def _capitals_line(spec: dict[str, Any], lines: Sequence[Line]) -> Reading | None:
    """The first line of ``min_words`` to ``max_words`` words of letters, all capitals,
    holding none of the ``exclude`` phrases: a name printed where OCR lost its label."""
    excluded = [fold(e) for e in spec.get("exclude", ())]
    for line in lines:
        words = line.text.split()
        if not spec["min_words"] <= len(words) <= spec["max_words"]:
            continue
        if not all(w.isalpha() and w.isupper() for w in words):
            continue
        if any(e in fold(line.text) for e in excluded):
            continue
        return _reading(line.tokens, line.page)
    return None


_ROW = re.compile(
    r"^[\W_]*(?:(?P<n>\d{1,2})[\W_]+)?(?P<name>[^\W\d_].+?)\s+"
    r"(?P<date>\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4})\s*(?P<rest>.*)$"
)


def _table(spec: dict[str, Any], lines: Sequence[Line]) -> Reading | None:
    """Rows under a header line holding the ``header`` labels: "n NAME dd/mm/yyyy rest"."""
    header_keys = [_label_key(h) for h in spec["header"]]
    rows: list[dict[str, str]] = []
    tokens: list[Token] = []
    page = 1
    index = 0
    while index < len(lines):
        joined = "".join(t.key for t in lines[index].tokens)
        if sum(fuzz.partial_ratio(k, joined) >= HEADER_MIN_SCORE for k in header_keys) >= 2:
            misses = 0
            page = lines[index].page
            for line in lines[index + 1 :]:
                found = _ROW.match(line.text)
                if found is None:
                    misses += 1
                    if misses > 1 and rows:
                        break
                    continue
                misses = 0
                name_col, date_col, rest_col = spec["columns"]
                rows.append(
                    {
                        name_col: found["name"],
                        date_col: found["date"],
                        rest_col: found["rest"],
                    }
                )
                tokens.extend(line.tokens)
            if rows:
                break
        index += 1
    if not rows:
        return None
    reading = _reading(tokens, page)
    assert reading is not None
    return replace(reading, rows=tuple(rows))
