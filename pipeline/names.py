"""People's names as OCR reads them, put back the way they are printed, or flagged.

Vietnamese names are drawn from small vocabularies: a family name from a short list (a
hundred cover nearly everyone) and middle and given names from a few hundred syllables
(``ocr_models/validation/family_names.txt``, ``name_syllables.txt``). That makes the
common OCR mistakes safe to undo:

- mixed case inside a name printed in capitals ("NGUYỄN VăN AN"): most letters are
  capitals, so the name was printed so;
- a wrong tone or vowel mark ("NGUYÊN", "TRẠNG"): a word that is not in the vocabulary
  but folds like exactly one word of it is that word; a long family name one letter away
  from exactly one family name ("MGUYÊN") too; a first word further gone ("HÀNG",
  "MSUYẾN") is guessed as the commonest family name nearest to it, for a person to confirm;
- words run together ("THANHMINH"): cut where every piece is a name word;
- a name word split in two ("NG UYÊN", "NGỮ YÊN"): joined;
- OCR marks before a name ("I NGUYỄN VĂN AN" from a table's rule): a word of one or two
  letters that is no family name, before one that is, is dropped; so is a last word of
  one letter, and one of two that is no name word ("QUÂN SM"); and where words that are no
  name's stand before a family name that begins the last four words or fewer (a garbled
  label, marks), the name is those last words -- a guess, for a person to confirm.

- a word that folds like several ("TUẦN": Tuấn, Tuân): the likeliest of them among real
  names (``name_counts.tsv``) in that place -- middle name or given name -- and for that
  sex, where the document says whose name it is, proposed with the chance that it is the
  one (:attr:`NameCheck.likelihood`).

A word known as printed can still be a misreading of another: weighing how common each
is against how likely OCR was to read it so -- where the recognizer hesitated between
marks (``heard``), by its hesitation; else at the rate :data:`UNHEARD_SLIP` or
:data:`MARK_SLIP` -- where the chance that it is what was printed is below
:data:`DOUBT_BELOW` it is reported ("THẠNH" as a middle name, beside Thanh: 0.09), and the
field stage is no surer of the name. A word with its tone mark placed the old way
("THUỲ") is the vocabulary's word as printed. A word that is none of these is reported as
unusual: the name may be right, but a person should look.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from sohoa import ocr_models

from .validate import FEMALE, MALE
from .vntext import fold, nfc, same_spelling, spelling_key

#: the chance that OCR prints a name syllable as one particular other name syllable of
#: the same letters (Tiến as Tiền). Measured on generated documents: of 971 such
#: neighbours of the name words printed, 15 were read instead (seeds 2033, 2040-2042: 8
#: of 634; 2035 and 2044: 7 of 337)
MARK_SLIP = 0.015
#: the same chance where the recognizer's own choices are known and it did not weigh the
#: other word's letters at all: 6 of those last 7 slips (seeds 2035, 2044) it did not
UNHEARD_SLIP = 0.013
#: a name word is doubted below this chance of being what was printed. A chance, not an
#: OCR confidence: stricter than the review threshold (0.85). On seeds 2035 and 2044 it
#: sent one more document of 192 to review than 0.85 did, and caught a wife's "TRÌNH"
#: (0.89); 0.95 sent 7 % more of the mild ones. 2.8 % of the source's own names of three
#: words would be doubted (2.3 % at 0.85)
DOUBT_BELOW = 0.9


#: the family names that cover nine citizens in ten or so (ocr_models/validation/
#: family_names.txt lists them commonest first): a two-letter word is guessed as one of them
COMMON_FAMILY_NAMES = 30
#: the family names carried by one citizen in a hundred or more each (Nguyễn to Dương)
COMMONEST_FAMILY_NAMES = 15
#: OCR's marks at a word's edges: no name word holds them ("-Khánh", "THƯ.")
_EDGE_MARKS = "-–—_.,;:!?'\"“”‘’`|/\\()[]"
#: the most words a name has here: a value longer than that that ends in a name holds marks
#: or a label's words before it
MAX_NAME_WORDS = 4


#: a name word known as printed, whose chance of being what was printed is below this, is
#: replaced by the likelier word of its letters (the name still goes to a person)
PROPOSE_BELOW = 0.5


@dataclass(frozen=True, slots=True)
class NameCheck:
    text: str  # the name, restored
    unusual: tuple[str, ...]  # words no name vocabulary knows, as printed
    corrected: bool  # a word was changed
    guessed: bool  # words run together cut apart, or a mark before the name dropped:
    # likely right, but a guess a person should confirm
    #: words weighed by how common names are: (as read, the commonest of its letters, the
    #: chance that the word now in the name was printed)
    weighed: tuple[tuple[str, str, float], ...] = ()
    likelihood: float = 1.0  # the lowest of those chances
    #: the only change was to the family name's marks or split letters (NGUYÊN -> NGUYỄN):
    #: a hundred family names cover nearly everyone, so that one is safe
    family_only: bool = False
    #: a rare family name as read, one letter from a common one: that one ("VI": Vũ)
    rare_family: str | None = None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A hand-kept list of name words, looked up as printed and folded."""

    words: frozenset[str]  # lower case, marks as printed
    folded: dict[str, str | None]  # folded -> the word; None where two fold alike
    #: vntext.spelling_key of every word: a word with its tone mark placed the old way or
    #: the new ("Thuỳ", "Hoà") is the vocabulary's word, spelled as printed
    spellings: frozenset[tuple[str, tuple[str, ...]]] = frozenset()
    ranked: tuple[str, ...] = ()  # the words as the file lists them (family names: commonest first)

    def knows(self, word: str) -> bool:
        """Whether ``word`` is one of the vocabulary's, in either tone mark placement."""
        return word.lower() in self.words or spelling_key(word) in self.spellings

    def __contains__(self, folded: str) -> bool:
        return folded in self.folded


def _load(path: Path) -> Vocabulary:
    words: set[str] = set()
    ranked: dict[str, None] = {}
    folded: dict[str, str | None] = {}
    for line in path.read_text("utf-8").splitlines():
        for word in nfc(line.split("#", 1)[0]).split():
            words.add(word.lower())
            ranked[word] = None
            key = fold(word)
            folded[key] = word if folded.get(key, word) == word else None
    spellings = frozenset(spelling_key(w) for w in words)
    return Vocabulary(frozenset(words), folded, spellings, tuple(ranked))


@cache
def family_names() -> Vocabulary:
    return _load(ocr_models.family_names_path())


@cache
def name_syllables() -> Vocabulary:
    return _load(ocr_models.name_syllables_path())


def _vocabulary(kind: str) -> Vocabulary:
    return family_names() if kind == "family" else name_syllables()


def restore_name(name: str) -> str:
    """``name`` in its printed case with the mistakes above undone."""
    return check_name(name).text


def check_name(
    name: str, heard: Mapping[str, Mapping[str, float]] | None = None, sex: str | None = None
) -> NameCheck:
    """``name`` restored, and the words that remain unusual. ``heard``: for each word as
    read (upper case), the words the recognizer weighed instead with their letter's share
    (OcrWord.variants); None where its choices are unknown. ``sex``: "Nam" or "Nữ" where
    the document says whose name it is."""
    words = [  # words without a cased letter are OCR marks ("ˆ"), not part of a name
        w.strip(_EDGE_MARKS) for w in name.split() if any(ch.isupper() or ch.islower() for ch in w)
    ]
    words, guessed = _join_split_words(words)  # "NG UYÊN", "HO ÀNG", "NGỮ YÊN"
    if _mark_before_name(words):
        words, guessed = words[1:], True  # a table rule read as "I", a stamp as "CA"
    named = _after_other_words(words)
    if named is not None:  # "KI CA NGUYÊN PHƯƠNG CHI", a garbled label before a name
        words, guessed = named, True
    if len(words) > 2 and len(words[-1]) == 1:
        words, guessed = words[:-1], True  # no name word has one letter: a mark after it
    while len(words) > 3 and len(words[-1]) <= 2 and not _is_name_word(words[-1]):
        words, guessed = words[:-1], True  # "TRẦN ĐÌNH QUÂN SM": a stamp's edge after it
    letters = [ch for word in words for ch in word if ch.isalpha()]
    upper = bool(letters) and sum(ch.isupper() for ch in letters) >= 0.6 * len(letters)
    if upper:
        words = [word.upper() for word in words]
    sex = sex or _sex_by_middle(words)
    out: list[str] = []
    unusual: list[str] = []
    weighed: list[tuple[str, str, float]] = []
    likelihood = 1.0
    rare_family = None
    corrected = guessed
    family_changed = given_changed = False
    for index, word in enumerate(words):
        role = "family" if index == 0 else "given" if index == len(words) - 1 else "middle"
        fixed = _restore_word(word, "family" if index == 0 else "given")
        if fixed is None and role == "middle":  # a mother's family name ("Lê Nguyễn Anh")
            fixed = _restore_word(word, "family")
        choices = None if heard is None else heard.get(word.upper(), {})
        known = fixed == [word]
        weight = _weigh(word, role, known=known, heard=choices, sex=sex)
        if weight is not None:
            likeliest, chance = weight
            weighed.append((word, likeliest.upper() if upper else likeliest, chance))
            likelihood = min(likelihood, chance)
            # a name word as read, but less likely printed than the other: the other is
            # proposed (THỦY read with a grave accent weighed at 0.27: Thùy, the commoner
            # middle name), its chance kept low for a person to look
            fixed = [likeliest] if known and chance < PROPOSE_BELOW else fixed or [likeliest]
        if index == 0 and fixed is not None and len(fixed) == 1:  # as read, or restored
            rare_family = _common_family_near(fixed[0], choices)  # "VĨ", as Vi: maybe Vũ
        if fixed is None and index == 0 and len(words) >= 3:
            nearest = _nearest_family_name(word)  # "HÀNG MINH VIỆT": a guess
            if nearest:
                fixed, guessed = [nearest], True
        if fixed is None:
            unusual.append(word)
            out.append(word)
            continue
        parts = [p.upper() if upper else p for p in fixed]
        changed = parts != [word]
        family_changed |= changed and index == 0 and len(parts) == 1
        given_changed |= changed and index > 0
        corrected |= changed
        guessed |= len(parts) > 1
        out.extend(parts)
    family_only = family_changed and not (given_changed or guessed or unusual or weighed)
    if rare_family is not None and upper:
        rare_family = rare_family.upper()
    return NameCheck(
        " ".join(out),
        tuple(unusual),
        corrected,
        guessed,
        tuple(weighed),
        likelihood,
        family_only,
        rare_family,
    )


def _sex_by_middle(words: list[str]) -> str | None:
    """A woman's name where a middle word is Thị, a man's where it is Văn (as
    ocr_models/build_name_counts.py tells the sex of the names it counts)."""
    middle = {fold(word) for word in words[1:-1]}
    if "thi" in middle and "van" not in middle:
        return FEMALE
    if "van" in middle and "thi" not in middle:
        return MALE
    return None


def _weigh(
    word: str,
    role: str,
    known: bool,
    heard: Mapping[str, float] | None = None,
    sex: str | None = None,
) -> tuple[str, float] | None:
    """For a middle or given name word whose letters several name words share: the
    likeliest of them in that role and the chance that it was printed, where the word as
    read is none of them; where it is one, the likeliest other and the chance that the word
    as read was printed, if that is below :data:`DOUBT_BELOW`. None when nothing casts
    doubt.

    How likely each word is: how common it is in that role (``name_counts.tsv``), times
    how likely OCR was to read it as it did -- where the recognizer weighed the word's
    letters otherwise (``heard``: the word with one letter swapped -> that letter's share,
    sohoa.pipeline.tesseract), that share's odds; where it did not, :data:`UNHEARD_SLIP`;
    where nothing is known of its choices (``heard`` None), :data:`MARK_SLIP`."""
    if role == "family" or (role == "middle" and word.lower() in family_names().words):
        return None  # a family name as a middle name (a mother's: "Lê Nguyễn Anh") is no slip
    group = _fold_groups().get(fold(word), ())
    if len(group) < 2:
        return None
    read = word.lower()
    if known:  # the same word with its tone mark placed otherwise is no rival ("Thuỳ")
        read = next((w for w in group if same_spelling(w, read)), read)
        group = tuple(w for w in group if w == read or not same_spelling(w, read))
        if len(group) < 2:
            return None
    shares = {nfc(k).lower(): v for k, v in (heard or {}).items()}
    slip = MARK_SLIP if heard is None else UNHEARD_SLIP
    weight = {}
    for candidate in group:
        if candidate == read:
            odds = 1 - slip
        elif candidate in shares:
            odds = shares[candidate] / max(1e-3, 1 - shares[candidate])
        else:
            odds = slip
        weight[candidate] = _count(candidate, role, sex) * odds
    total = sum(weight.values())
    if not known:
        likeliest = max(group, key=lambda w: (weight[w], w))
        return likeliest.capitalize(), weight[likeliest] / total
    chance = weight[read] / total
    rival = max((w for w in group if w != read), key=lambda w: (weight[w], w))
    return (rival.capitalize(), chance) if chance < DOUBT_BELOW else None


@cache
def _fold_groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for word in sorted(name_syllables().words):
        groups.setdefault(fold(word), []).append(word)
    return {key: tuple(words) for key, words in groups.items()}


@cache
def _counts() -> dict[str, tuple[int, ...]]:
    """syllable -> times a middle name and the given name among real names: of everyone,
    then of women (middle, given) and of men (middle, given) -- the columns of
    ``name_counts.tsv``."""
    counts = {}
    for line in ocr_models.name_counts_path().read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, *numbers = line.split("\t")
            counts[nfc(word)] = tuple(int(n) for n in numbers)
    return counts


#: the columns of a role in _counts(): everyone, women, men
_COLUMNS = {"middle": (0, 2, 3), "given": (1, 4, 5)}


def _count(word: str, role: str, sex: str | None = None) -> float:
    """How often ``word`` is a name in ``role`` among real names, plus one (a word never
    seen is rare, not impossible); for a man's or a woman's name (``sex`` "Nam" or "Nữ"),
    times the share of that sex among the names the word is in, by sex (Jeffreys'
    half-counts where few are known: Chí, once a man's given name, is a woman's at 0.25)."""
    everyone, women, men = _COLUMNS[role]
    counts = _counts().get(word, (0,) * 6)
    weight = 1.0 + counts[everyone]
    if sex not in (MALE, FEMALE):
        return weight
    own = counts[women] if sex == FEMALE else counts[men]
    return weight * (own + 0.5) / (counts[women] + counts[men] + 1.0)


def _join_split_words(words: list[str]) -> tuple[list[str], bool]:
    """Name words OCR cut in two, joined: two neighbours that make one name word together
    where either is none on its own. Returns the words and whether a join was a guess."""
    out = list(words)
    joined_any = False
    index = 0
    while index < len(out) - 1 and len(out) > 2:
        kind = "family" if index == 0 else "given"
        whole = _restore_word(out[index] + out[index + 1], kind)
        broken = (
            _restore_word(out[index], kind) is None
            or _restore_word(out[index + 1], "given") is None
        )
        if whole is not None and len(whole) == 1 and broken:
            # a guess only where one piece is a name word of its own ("HO ÀNG": Hồ);
            # two pieces that are none ("NGỮ YỄN" of NGUYỄN) can only be one word
            joined_any |= _restore_word(out[index], kind) is not None or (
                _restore_word(out[index + 1], "given") is not None
            )
            out[index : index + 2] = [out[index] + out[index + 1]]
        else:
            index += 1
    return out, joined_any


def _after_other_words(words: list[str]) -> list[str] | None:
    """The name that ends a value, from a family name on, where a word before it is none of
    a name's -- marks ("KI CA NGUYÊN PHƯƠNG CHI") or a garbled label ("... Đạt Bá NGUYÊN
    MINH LINH"). None where every word could be a name's ("NGUYỄN TRẦN THỊ MINH THƯ": two
    family names, a father's and a mother's)."""
    for start in range(1, len(words) - 2):
        tail = words[start:]
        if len(tail) > MAX_NAME_WORDS or _restore_word(tail[0], "family") is None:
            continue
        if not all(_is_name_word(word) for word in words[:start]):
            return tail
    return None


def _is_name_word(word: str) -> bool:
    return _restore_word(word, "family") is not None or _restore_word(word, "given") is not None


def _mark_before_name(words: list[str]) -> bool:
    """A word of one or two letters, no family name, before a family name."""
    return (
        len(words) > 2
        and len(words[0]) <= 2
        and _restore_word(words[0], "family") is None
        and _restore_word(words[1], "family") is not None
    )


def _restore_word(word: str, kind: str) -> list[str] | None:
    """The word as it must be printed (several if they were run together), or None."""
    single = _known_or_like(word, kind)
    return [single] if single is not None else _segment(word, kind)


def _segment(word: str, kind: str) -> list[str] | None:
    """Name words run together ("THANHMINH", "NGUYỄNDIỆUHẠNH"): the cut into the fewest
    words the vocabulary knows, words known as printed before words known up to their
    marks, a cut before an inner capital ("ThanhAnh") before any other."""
    best: tuple[tuple[int, int, int], list[str]] | None = None
    for cut in range(2, len(word) - 1):
        head, tail = word[:cut], word[cut:]
        first = _known_or_like(head, kind)
        if first is None:
            continue
        whole = _known_or_like(tail, "given")
        rest = [whole] if whole else (_segment(tail, "given") if len(tail) >= 4 else None)
        if not rest:
            continue
        parts = [first, *rest]
        inexact = sum(
            p.lower() != w.lower() for p, w in zip(parts, _pieces(word, parts), strict=True)
        )
        camel = 0 if word[cut].isupper() and not word.isupper() else 1
        score = (len(parts), inexact, camel)
        if best is None or score < best[0]:
            best = (score, parts)
    return best[1] if best else None


def _pieces(word: str, parts: list[str]) -> list[str]:
    """``word`` cut where ``parts`` end (parts keep their lengths when restored)."""
    out, at = [], 0
    for part in parts:
        out.append(word[at : at + len(part)])
        at += len(part)
    return out


def _known_or_like(word: str, kind: str) -> str | None:
    """The word as printed if the vocabulary knows it, else the word it folds like."""
    if _vocabulary(kind).knows(word):
        return word
    return _like(word, kind)


def _like(word: str, kind: str) -> str | None:
    """The vocabulary word ``word`` folds like; for a family name of five letters or more,
    the only one a single letter away once the letter shapes OCR splits are joined again
    ("MGLIYÊN": "LI" is a "U")."""
    vocabulary = _vocabulary(kind).folded
    key = fold(word)
    if key in vocabulary:
        return vocabulary[key]
    if kind != "family" or len(key) < 5:
        return None
    for variant in _joined_shapes(key):
        near = [w for k, w in vocabulary.items() if w and Levenshtein.distance(variant, k) <= 1]
        if len(near) == 1:
            return near[0]
    return None


def _nearest_family_name(word: str) -> str | None:
    """For the first word of a name of three words or more that no family name folds like:
    the commonest family name nearest to it, a letter away (two from six letters up) --
    "HÀNG" Hoàng (before Đặng), "OÀNG" Hoàng, "MSUYẾN" Nguyễn, "Binh" Đinh. A guess, for a
    person to confirm: nearly every citizen's name begins with one of a hundred family
    names, so the guess is right far more often than the word as read."""
    key, read = fold(word), word.lower()
    if len(key) < 2 or not key.isalpha():
        return None
    reach = 2 if len(key) >= 6 else 1
    ranked = family_names().ranked
    if len(key) == 2:  # "BỖ": the marks must be right, and the name one of the commoner
        ranked = ranked[:COMMON_FAMILY_NAMES]
    shapes = _joined_shapes(key)

    def distance(name: str) -> tuple[int, int]:
        folded = min(Levenshtein.distance(shape, fold(name)) for shape in shapes)
        return folded, Levenshtein.distance(read, name.lower())  # marks break ties: BỖ Đỗ

    name = min(ranked, key=distance)  # the commonest of the nearest (min keeps the first)
    folded, marked = distance(name)
    if folded > reach or (len(key) == 2 and marked > 1):
        return None
    return name


def _common_family_near(word: str, heard: Mapping[str, float] | None) -> str | None:
    """For a family name beyond the commonest (:data:`COMMON_FAMILY_NAMES`): one of the
    :data:`COMMONEST_FAMILY_NAMES` a letter or a mark away from it ("VI": Vũ; "LÃ": Lê),
    where the recognizer weighed that one's letters too, or its choices are unknown
    (``heard`` None). Each of those names is carried by one citizen in a hundred or more,
    each rare one by a few in a thousand at most: a common name the recognizer hesitated
    over is about as likely as the rare one read right, and a person should look (field
    seed 2051 accepted "VĨ HẢI NGÂN", restored as Vi, for VŨ HẢI NGÂN: VŨ at 0.28). Where
    it did not hesitate, the rare name stands (Tô, Lò: four documents of four seeds)."""
    ranked = family_names().ranked
    if any(same_spelling(word.lower(), n.lower()) for n in ranked[:COMMON_FAMILY_NAMES]):
        return None
    key = fold(word)
    near = [n for n in ranked[:COMMONEST_FAMILY_NAMES] if Levenshtein.distance(key, fold(n)) <= 1]
    if heard is not None:
        weighed = {nfc(other).lower() for other in heard}
        near = [n for n in near if n.lower() in weighed]
    return near[0] if near else None


def _joined_shapes(key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((key, *(key.replace(a, b) for a, b in _SPLIT_SHAPES))))


#: letters OCR reads as two (handwriting, blur): "u" as "li" or "ii", "m" as "rn", "d" as "cl"
_SPLIT_SHAPES = (("li", "u"), ("ii", "u"), ("rn", "m"), ("cl", "d"))
