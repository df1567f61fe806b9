"""From the printed text of a document's fields to checked values with confidences.

For every field of the document type's template (:mod:`sohoa.pipeline.fields`) this turns
the text read next to its label into the CONTRACT.md value (:mod:`sohoa.pipeline.normalize`),
then checks what can be checked:

- ID numbers against their structure, and the sex and birth year they encode; dates
  against each other (:mod:`sohoa.pipeline.validate`); names against the name vocabularies
  (:mod:`sohoa.pipeline.names`); addresses against the official units
  (:mod:`sohoa.pipeline.gazetteer`);
- a value against a second printing of it on the same document: an ID card's QR code, a
  name printed again (under a signature, in a table), a CT07 citizen's own row of its
  members table, a birth date spelled out in words.

A field's confidence starts as the OCR's own (the character-weighted mean of its words'
confidences). A failed check lowers it (:data:`FAILED_CHECK`, :data:`QR_DISAGREES`,
:data:`UNUSUAL_NAME`, ...) and leaves a problem in words a clerk can act on; outside
evidence that agrees raises it (:data:`QR_CONFIRMED`, :data:`READ_TWICE`,
:data:`CORROBORATED`), never for a flagged field or a last resort's guess. The levels were
set on development corpora (seeds 31-33) and measured on unseen ones (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher
from typing import Any

from rapidfuzz import fuzz

from . import normalize, validate
from .fields import FieldSpec, Reading, Template, document_lines, load_template, read_fields
from .gazetteer import check_address
from .idcard import CardQr, card_qr
from .models import PageText
from .names import DOUBT_BELOW, NameCheck, check_name, name_syllables
from .vntext import fold, nfc

#: a value read the same in two places of the document (a CT07's field and its table row)
READ_TWICE = 0.97
#: a value that fails validation cannot be right: at most this confident
FAILED_CHECK = 0.3
#: the QR code says otherwise than an OCR reading this sure of itself: a person must look
QR_DISAGREES = 0.4
#: OCR readings at least this sure that differ from the QR code count as disagreement;
#: below it the difference is taken for OCR damage and the QR value stands
SURE_READING = 0.9
#: a value the QR code confirms, or gives where the OCR found nothing or was unsure
QR_CONFIRMED, QR_ONLY = 0.99, 0.95
#: an ID number mended (its first digit): likely right, for a person to confirm
REPAIRED = 0.7
#: an ID number read at least fairly sure whose sex/century and year digits agree with
#: the sex and birth date read apart: at least this sure
CORROBORATED, CORROBORATED_FROM = 0.9, 0.7
#: middle names that never end a name: a name ending so was cut short ("PHẠM VĂN")
MIDDLE_ONLY = frozenset({"văn", "thị"})  # as printed: Vân, Thi are given names
#: a name of three words or more, every one of which the name vocabularies know as
#: printed (or its family name, by its letters: NGUYÊN), read at least fairly sure: OCR
#: errors rarely make only name words (but AN/ÂN both are, hence the floor; and a name
#: cut short is two known words, hence three)
NAME_KNOWN, NAME_KNOWN_FROM = 0.86, 0.7
#: a name with a word no name vocabulary knows (sohoa.pipeline.names), or of one word
UNUSUAL_NAME = 0.6
#: a name word proposed or doubted by how common names are: at least this likely to be as
#: printed for no person to be asked (names.DOUBT_BELOW: a chance, not a confidence)
LIKELY_NAME = DOUBT_BELOW
#: a name whose run-together words were cut apart: likely right, but a guess (for review)
NAME_SPLIT = 0.7
#: a name whose family name is a rare one a letter from a common one (names.check_name)
RARE_FAMILY = 0.6
#: an ID number read twice with two results in digits no check covers: no surer than the
#: page stage left the word (sohoa.pipeline.reread.DISPUTED), however sure the words read
#: with it ("CCCD số") -- for a person
DISPUTED_NUMBER = 0.6
#: an address whose province, or district under it, is in no official list
UNKNOWN_PLACE = 0.5
#: folded names and addresses at least this alike (rapidfuzz ratio) agree with the QR
#: code: OCR damage, not a different value
QR_TEXT_AGREES = 85.0


@dataclass(slots=True)
class FieldValues:
    """The fields of one document, how sure each is, and what is wrong with which."""

    values: dict[str, Any] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)
    key_fields: tuple[str, ...] = ()
    readings: dict[str, Reading | None] = field(default_factory=dict)  # where each was read

    def flag(self, name: str, problem: str, cap: float = FAILED_CHECK) -> None:
        self.problems.setdefault(name, []).append(problem)
        self.confidence[name] = min(self.confidence.get(name, 0.0), cap)

    def lift(self, name: str, level: float) -> None:
        """Raise a field's confidence to ``level`` on outside evidence -- unless a check
        failed, or it was found by a last resort (a guess of where it is printed)."""
        reading = self.readings.get(name)
        if self.problems.get(name) or name not in self.confidence:
            return
        if reading is not None and reading.guess:
            return
        self.confidence[name] = max(self.confidence[name], level)


def extract_fields(doc_type: str, pages: Sequence[PageText]) -> FieldValues:
    """The CONTRACT fields of a document of ``doc_type`` read from its pages."""
    template = load_template(doc_type)
    if template is None:
        return FieldValues()
    lines = document_lines(pages)
    readings = read_fields(template, lines, _holds_value)
    result = FieldValues(
        key_fields=tuple(spec.name for spec in template.fields if spec.key), readings=readings
    )
    texts = [line.text for line in lines]
    for spec in template.fields:
        reading = readings[spec.name]
        value, confidence, name = _value(spec, reading, _sex(spec, template, readings))
        result.values[spec.name] = value
        result.confidence[spec.name] = confidence
        if reading is not None and value is None and spec.kind == "date":
            _mend_date(result, spec.name, reading)
        elif spec.kind == "date":
            _settle_date_dispute(result, spec.name)
        elif reading is not None and value is None:
            result.problems[spec.name] = [f"no {spec.kind} in {reading.text!r}"]
        elif name is not None:
            _check_name(result, spec.name, name)
            _check_name_elsewhere(result, spec.name, texts)
        elif spec.kind == "address" and value is not None:
            _check_address(result, spec.name, value)
    if doc_type == "citizen_id_card" and (card := card_qr(pages)) is not None:
        _apply_card_qr(result, card)
    _check(result, template)
    _check_against_members(result)
    for spec in template.fields:
        if spec.confirms:
            _check_second_printing(result, spec.name, spec.confirms)
    return result


#: the one digit confusion common enough to mend in the checked digits of an ID number: 1
#: and 7 -- italic and handwritten ones have a flag, sevens a bar (a look-alike of any digit
#: mended as many numbers wrong as right: docs/benchmarks.md)
_ONE_OR_SEVEN = {"1": "7", "7": "1"}


#: digits OCR reads for others in a date's day and month, where the date read is none:
#: 1/7 (italic and handwritten ones have a flag, sevens a bar), a 1 as 4, an 8 for a 0 or
#: a 3 and back ("17/83/1975", "11/40/1977")
_DATE_LOOK_ALIKES = {"1": "7", "7": "1", "4": "1", "8": "03", "0": "8", "3": "8"}


def _mend_date(result: FieldValues, name: str, reading: Reading) -> None:
    """A date read as no calendar date, proposed for a person to confirm: the second
    reading where it is one (sohoa.pipeline.reread); else mended by one look-alike digit
    in its day or month ("77/12/2000", "17/83/1975"), when exactly one such change makes a
    date; else with a separator OCR lost put back ("01 /03 1986")."""
    result.problems[name] = [f"no date in {reading.text!r}"]
    other = normalize.iso_date(reading.alternative) if reading.alternative else None
    if other is not None:
        result.values[name] = other
        result.confidence[name] = min(reading.confidence, REPAIRED)
        result.problems[name] = [f"read {reading.text!r}, no date; {reading.alternative!r} too"]
        return
    found = normalize.DIGIT_DATE.search(reading.text)
    if found is None:
        _mend_lost_separator(result, name, reading)
        return
    day, month, year = found.groups()
    dates = set()
    for part, other_part, is_day in ((day, month, True), (month, day, False)):
        for i, digit in enumerate(part):
            for look_alike in _DATE_LOOK_ALIKES.get(digit, ""):
                mended = part[:i] + look_alike + part[i + 1 :]
                d, m = (mended, other_part) if is_day else (other_part, mended)
                iso = normalize.iso_date(f"{d}/{m}/{year}")
                if iso is not None:
                    dates.add(iso)
    if len(dates) == 1:
        (result.values[name],) = dates
        result.confidence[name] = min(reading.confidence, REPAIRED)
        result.problems[name] = [f"read {found.group(0)!r}: no such date; a digit misread?"]


#: a date whose slash OCR lost, a space left in its place ("26 10/1970", "01 /03 1986")
_LOST_SEPARATOR = re.compile(
    r"(?<!\d)(\d{1,2})(?:\s*[/.\-]\s*|\s+)(\d{1,2})(?:\s*[/.\-]\s*|\s+)(\d{4})(?!\d)"
)


def _mend_lost_separator(result: FieldValues, name: str, reading: Reading) -> None:
    """A date with a slash lost: proposed, for a person to confirm."""
    found = _LOST_SEPARATOR.search(reading.text)
    iso = normalize.iso_date("/".join(found.groups())) if found else None
    if found is not None and iso is not None:
        result.values[name] = iso
        result.confidence[name] = min(reading.confidence, REPAIRED)
        result.problems[name] = [f"read {found.group(0)!r}: a separator lost?"]


def _check_second_printing(result: FieldValues, second: str, first: str) -> None:
    """A value printed twice (a birth date in digits, then in words) read alike both times
    is sure. Read otherwise, nothing is concluded: dates in words are long strings of
    syllables, and their OCR goes wrong far more often than the digits' (seeds 31-33). The
    second printing is no field of its own."""
    again = result.values.pop(second, None)
    result.confidence.pop(second, None)
    result.problems.pop(second, None)
    value = result.values.get(first)
    if again is None or value is None or result.problems.get(first):
        return
    if again == value:
        result.lift(first, READ_TWICE)


def _check_name(result: FieldValues, name: str, check: NameCheck) -> None:
    """Names with a word no name vocabulary knows, of one word or two, go to a person; so
    do names whose words OCR ran together, which were cut apart by guess. Two-word names
    exist, but far more often two words are a name whose wrapped end OCR lost ("PHAN
    QUỐC" of PHAN QUỐC MINH VIỆT): a glance costs less than a wrong name."""
    if check.unusual:
        result.flag(name, f"unusual in a name: {', '.join(check.unusual)}", cap=UNUSUAL_NAME)
    elif len(check.text.split()) < 2:
        result.flag(name, f"a name of one word: {check.text!r}", cap=UNUSUAL_NAME)
    elif len(check.text.split()) == 2:
        result.flag(name, f"a name of two words: {check.text!r} cut short?", cap=UNUSUAL_NAME)
    elif check.text.split()[-1].lower() in MIDDLE_ONLY:
        result.flag(name, f"{check.text!r} ends with a middle name: cut short?", cap=UNUSUAL_NAME)
    elif check.guessed:
        result.confidence[name] = min(result.confidence[name], NAME_SPLIT)
    elif (
        (not check.corrected or check.family_only)
        and check.likelihood >= LIKELY_NAME
        and len(check.text.split()) >= 3
        and result.confidence[name] >= NAME_KNOWN_FROM
    ):
        result.lift(name, NAME_KNOWN)
    _weigh_name(result, name, check)
    if check.rare_family is not None:
        family = check.text.split()[0]
        result.flag(name, f"{family}: a rare family name; maybe {check.rare_family}?", RARE_FAMILY)


def _weigh_name(result: FieldValues, name: str, check: NameCheck) -> None:
    """A name word chosen, or doubted, by how common names are (sohoa.pipeline.names): the
    name is at most as sure as the chance that the word is as printed; below
    :data:`LIKELY_NAME` a person is told which word to look at."""
    if not check.weighed:
        return
    result.confidence[name] = min(result.confidence[name], check.likelihood)
    if check.likelihood >= LIKELY_NAME:
        return
    words = "; ".join(
        f"{read}: maybe {likelier} -- check the marks"
        if name_syllables().knows(read)
        else f"{read} is no name word: {likelier}, the commonest of its letters?"
        for read, likelier, chance in check.weighed
        if chance < LIKELY_NAME
    )
    result.flag(name, words, cap=check.likelihood)


def _check_name_elsewhere(result: FieldValues, name: str, texts: list[str]) -> None:
    """The same name printed again elsewhere on the document (under a signature, in a
    members table) is a second reading of it: the same letters make it sure, the same
    letters with other marks ("HIỀN" / "HIẾN") make it doubtful -- and where ours has a word
    no name has ("TUẦN"), the other printing is proposed instead. Printed longer there, it
    was cut short here -- a wrapped last word OCR lost: the longer one is proposed. Printed
    there with one word fewer and the same letters, OCR cut a word in two here ("NGỮ YÊN"
    for NGUYÊN, both real words): the other printing is proposed."""
    value = result.values.get(name)
    if not isinstance(value, str):
        return
    key = fold(value)
    size = len(key.split())
    printings = []
    for text in texts:
        folded = fold(text)
        if (
            folded.startswith(key + " ")
            and _name_words(folded[len(key) :])
            and _in_the_case_of(value, text.split()[size:])  # not "HUYỀN màu" ("MẬU")
        ):
            longer = check_name(nfc(text)).text
            result.values[name] = longer.upper() if value.isupper() else longer
            result.flag(name, f"printed longer elsewhere: {text!r}", cap=UNUSUAL_NAME)
            return
        joined = _joined_printing(text, key)
        if joined is not None:
            result.values[name] = joined.upper() if value.isupper() else joined
            result.flag(name, f"printed as one word fewer elsewhere: {joined!r}", cap=UNUSUAL_NAME)
            return
        words = text.split()
        for start in range(len(words) - size + 1):
            window = " ".join(words[start : start + size])
            if fold(window) == key:
                other = check_name(normalize.clean_name(window) or window)
                if not other.unusual:  # a garbled printing ("ĐÚC") is no evidence
                    printings.append(other.text)
    unusual = any(p.startswith("unusual") for p in result.problems.get(name, []))
    if len(printings) < (1 if unusual else 2):  # a usual reading is one of them itself
        return
    others = {p.upper() for p in printings} - {value.upper()}
    if others:
        found = ", ".join(sorted(others))
        if len(others) == 1 and unusual:
            other = next(p for p in printings if p.upper() in others)  # a better reading
            result.values[name] = other.upper() if value.isupper() else other
        result.flag(name, f"printed otherwise elsewhere: {found}", cap=UNUSUAL_NAME)
    else:
        result.lift(name, READ_TWICE)


def _in_the_case_of(value: str, words: list[str]) -> bool:
    """Whether ``words`` are printed in capitals where the name ``value`` is."""
    return not value.isupper() or all(word.isupper() for word in words)


def _joined_printing(text: str, key: str) -> str | None:
    """The name ``key`` (folded, three words or more) in ``text`` with the same letters in one
    word fewer, as a usual name; None where it is not there."""
    size = len(key.split())
    if size < 3:
        return None
    squeezed = key.replace(" ", "")
    words = text.split()
    for start in range(len(words) - size + 2):
        window = " ".join(words[start : start + size - 1])
        if fold(window).replace(" ", "") == squeezed:
            other = check_name(normalize.clean_name(window) or window)
            if other.unusual or len(other.text.split()) != size - 1:
                return None  # cut apart again ("LÊTHỊ HƯƠNG"): the same name, run together
            return other.text
    return None


def _name_words(rest: str) -> bool:
    """Whether ``rest`` (folded) is one or two more words of a name, and nothing else."""
    words = rest.split()
    return 0 < len(words) <= 2 and all(w in name_syllables() for w in words)


def _check_address(result: FieldValues, name: str, address: str) -> None:
    """Unit names OCR garbled are mended from the official list; an address whose province
    (or district under it) is not found is reported and less sure."""
    check = check_address(address)
    result.values[name] = check.text
    if check.problems:
        result.problems.setdefault(name, []).extend(check.problems)
    if not check.known:
        result.confidence[name] = min(result.confidence[name], UNKNOWN_PLACE)


def _holds_value(spec: FieldSpec, text: str) -> bool:
    return normalize.value_of(spec.kind, text) is not None


def _sex(spec: FieldSpec, template: Template, readings: dict[str, Reading | None]) -> str | None:
    """Whose name a name field holds, "Nam" or "Nữ", as its template says (FieldSpec.sex):
    the first source that tells -- a sex given outright, a sex field, a personal ID
    number's sex digit. None where none does."""
    kinds = {other.name: other.kind for other in template.fields}
    for source in spec.sex:
        if source in (validate.MALE, validate.FEMALE):
            return source
        reading = readings.get(source)
        if reading is None or source not in kinds:
            continue
        value = normalize.value_of(kinds[source], reading.text)
        told = value if kinds[source] == "sex" else validate.sex_of_personal_id(str(value or ""))
        if told in (validate.MALE, validate.FEMALE):
            return told
    return None


def _value(
    spec: FieldSpec, reading: Reading | None, sex: str | None = None
) -> tuple[Any, float, NameCheck | None]:
    """A reading's value, its confidence, and for a name what the vocabularies say of it."""
    if reading is None:
        return None, 0.0, None
    if spec.kind == "members":
        return _members(reading), reading.confidence, None
    check = None
    if spec.kind == "name":
        check = check_name(normalize.clean_name(reading.text) or "", _heard(reading), sex)
        value = check.text or None
    else:
        value = normalize.value_of(spec.kind, reading.text)
    return value, (reading.confidence if value is not None else 0.0), check


def _heard(reading: Reading) -> dict[str, dict[str, float]] | None:
    """For each word of a name as read (upper case), the words the recognizer weighed
    instead and their letter's share (Reading.variants); None where its choices are
    unknown."""
    if reading.variants is None:
        return None
    heard: dict[str, dict[str, float]] = {}
    for word, variant, share in reading.variants:
        read, other = normalize.clean_name(word), normalize.clean_name(variant)
        if read and other and read != other and " " not in read + other:
            choices = heard.setdefault(read.upper(), {})
            choices[other.upper()] = max(share, choices.get(other.upper(), 0.0))
    return heard


def _members(reading: Reading) -> list[dict[str, Any]]:
    """The table's rows; where the rest of a row also gives the sex and the personal ID
    number (the members table of a CT07), those too. A member's name is weighed as a man's
    or a woman's where the row's sex or relation says ("Vợ")."""
    members = []
    for row in reading.rows:
        rest = row["relationship"]
        relation = normalize.relationship(rest)
        sex, number = normalize.parse_sex(rest), normalize.parse_digits(rest)
        member: dict[str, Any] = {
            "full_name": normalize.restored_name(
                row["full_name"], sex or normalize.relationship_sex(relation)
            ),
            "date_of_birth": normalize.iso_date(row["date_of_birth"]),
            "relationship": relation,
        }
        if sex is not None:
            member["sex"] = sex
        if number is not None:
            member["personal_id"] = number
        members.append(member)
    return members


def _check_against_members(result: FieldValues) -> None:
    """The citizen a CT07 is about is a row of its members table too: the same name, birth
    date and ID number read a second time, apart. Agreement makes both readings sure;
    a disagreement is for a person to settle."""
    members = result.values.get("members")
    name = result.values.get("full_name")
    if not members or not isinstance(name, str):
        return
    row = next((m for m in members if m["full_name"] and fold(m["full_name"]) == fold(name)), None)
    if row is None:
        return
    for field_name, row_key in (("date_of_birth", "date_of_birth"), ("personal_id", "personal_id")):
        read, again = result.values.get(field_name), row.get(row_key)
        if read is None or again is None or result.problems.get(field_name):
            continue
        if read == again:
            result.lift(field_name, READ_TWICE)
        else:
            result.flag(field_name, f"the members table says {again!r}", cap=QR_DISAGREES)
    result.lift("full_name", READ_TWICE)


# --------------------------------------------------------------------------- ID card QR


def _apply_card_qr(result: FieldValues, card: CardQr) -> None:
    """The QR code's values replace the OCR's (and the OCR's problems with them); a sure
    OCR reading that differs is flagged."""
    for name, qr_value in card.fields().items():
        read = result.values.get(name)
        sure = result.confidence.get(name, 0.0) >= SURE_READING
        result.values[name] = qr_value
        result.problems.pop(name, None)
        if read is None or _agrees(name, read, qr_value):
            result.confidence[name] = QR_CONFIRMED if read is not None else QR_ONLY
        else:
            result.confidence[name] = QR_ONLY
            if sure:  # not OCR damage: the card says two things
                result.flag(name, f"printed {read!r}, the QR code says {qr_value!r}", QR_DISAGREES)


def _agrees(name: str, read: str, qr_value: str) -> bool:
    if name in ("full_name", "place_of_residence"):
        return fuzz.ratio(fold(read), fold(qr_value)) >= QR_TEXT_AGREES
    return read == qr_value


# --------------------------------------------------------------------------- checks


#: (ID field, sex field or fixed sex, birth-date field) per document type
_ID_CHECKS: dict[str, tuple[tuple[str, str | None, str | None], ...]] = {
    "citizen_id_card": (("id_number", "sex", "date_of_birth"),),
    "birth_certificate": (("personal_id", "sex", "date_of_birth"),),
    "residence_confirmation": (("personal_id", "sex", "date_of_birth"),),
    "marriage_certificate": (
        ("husband_id_number", "=Nam", "husband_date_of_birth"),
        ("wife_id_number", "=Nữ", "wife_date_of_birth"),
    ),
    "application_form": (("applicant_id_number", "applicant_sex", "applicant_date_of_birth"),),
}
#: (birth-date field, later-date fields) per document type
_DATE_CHECKS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "citizen_id_card": (("date_of_birth", ("expiry_date",)),),
    "birth_certificate": (("date_of_birth", ("registration_date",)),),
    "residence_confirmation": (("date_of_birth", ()),),
    "application_form": (("applicant_date_of_birth", ()),),
    "marriage_certificate": (
        ("husband_date_of_birth", ("registration_date",)),
        ("wife_date_of_birth", ("registration_date",)),
    ),
}


def _check(result: FieldValues, template: Template) -> None:
    values = result.values
    for id_field, sex_field, born_field in _ID_CHECKS.get(template.doc_type, ()):
        sex = sex_field[1:] if sex_field and sex_field[0] == "=" else values.get(sex_field or "")
        born = _date(values.get(born_field or ""))
        number = values.get(id_field) or _one_digit_too_many(result, id_field, sex, born)
        if number is None:
            continue
        sure_born = None if born_field and _year_in_dispute(result, born_field) else born
        number = _settled_dispute(result, id_field, number, sex, sure_born)
        if born_field:
            born = _birth_year_settled(result, born_field, id_field, number, sex) or born
        if born is None and born_field:
            born = _date_with_year_from_id_number(result, born_field, number, sex)
        problems = validate.check_id_number(number, sex=sex, born=born)
        repaired = _mended_id_number(number, sex, born) if problems else None
        if repaired is not None:
            problems = [f"read {number}: one digit mended so that every check passes"]
            values[id_field] = number = repaired
            result.confidence[id_field] = min(result.confidence[id_field], REPAIRED)
        if problems and born is not None and born_field:
            _year_from_id_number(result, id_field, born_field, number, sex, born)
        for problem in problems:
            result.flag(id_field, problem)
        if _number_in_dispute(result, id_field):
            result.confidence[id_field] = min(result.confidence[id_field], DISPUTED_NUMBER)
        sure_enough = result.confidence[id_field] >= CORROBORATED_FROM
        if not problems and len(number) == 12 and sex and born and sure_enough:
            # its sex/century and year digits agree with two fields read apart; the birth
            # date's year with it (its day and month are not in the number, but on seeds
            # 31-33 lifting it too accepted 24 more key fields, all right)
            result.lift(id_field, CORROBORATED)
            if not _date_in_dispute(result, born_field):  # the number holds no day, month
                result.lift(born_field, CORROBORATED)
    for born_field, later_fields in _DATE_CHECKS.get(template.doc_type, ()):
        born = _date(values.get(born_field))
        later = [(name, _date(values.get(name))) for name in later_fields]
        for problem in validate.check_dates(born, *later):
            culprit = next((n for n, _ in later if n in problem), born_field)
            result.flag(culprit, problem)
    if template.doc_type == "citizen_id_card":
        _check_card_expiry(result)


def _check_card_expiry(result: FieldValues) -> None:
    """An ID card runs out on a birthday of its holder (validate.check_card_expiry): an
    expiry date that agrees is a second printing of the birth date's day and month, and
    its year is the birth year plus a renewal age; one that disagrees means that one of
    the two was misread -- the birth date too, unless its QR code confirmed it."""
    born, expiry = (
        _date(result.values.get("date_of_birth")),
        _date(result.values.get("expiry_date")),
    )
    if born is None or expiry is None or result.problems.get("expiry_date"):
        return
    problems = validate.check_card_expiry(born, expiry)
    if not problems:
        if result.confidence["expiry_date"] >= CORROBORATED_FROM:
            result.lift("date_of_birth", CORROBORATED)
        return
    result.flag("expiry_date", problems[0])
    if result.confidence["date_of_birth"] < QR_CONFIRMED:
        result.flag("date_of_birth", problems[0])


def _settled_dispute(
    result: FieldValues, id_field: str, number: str, sex: str | None, born: date | None
) -> str:
    """A personal ID number read twice with different results (sohoa.pipeline.reread) whose
    readings differ only in the digits the checks cover -- province, sex and century, birth
    year -- and of which exactly one passes them against the birth date (and sex) read apart:
    that one, no longer in dispute (:data:`CORROBORATED_FROM`, so that the checks then
    corroborate it). The serial was read alike twice. Where the readings differ in the
    serial, nothing here can tell, and the number stays disputed."""
    reading = result.readings.get(id_field)
    if reading is None or not reading.alternative or born is None:
        return number
    if normalize.parse_digits(reading.text, (12,)) != number:
        return number  # not the value as read (mended, or the QR code's)
    other = normalize.parse_digits(reading.alternative, (11, 12, 13)) or ""
    if not _differ_only_in_checked_digits(number, other):
        return number
    passing = [n for n in (number, other) if not validate.check_personal_id(n, sex=sex, born=born)]
    if len(passing) != 1:
        return number
    (settled,) = passing
    result.values[id_field] = settled
    result.confidence[id_field] = max(result.confidence[id_field], CORROBORATED_FROM)
    result.readings[id_field] = replace(reading, alternative="")  # no longer in dispute
    return settled


def _birth_year_settled(
    result: FieldValues, born_field: str, id_field: str, number: str, sex: str | None
) -> date | None:
    """A birth date read twice as two dates that differ only in the year ("16/04/1968",
    "16/04/1966"), of which exactly one has the year of the personal ID number -- a number
    that passes its checks and whose year digits were not themselves in dispute: that one,
    the dispute settled (:data:`CORROBORATED_FROM`). None where nothing was settled."""
    reading, id_reading = result.readings.get(born_field), result.readings.get(id_field)
    born, other = _date(result.values.get(born_field)), _other_date(result, born_field)
    if reading is None or born is None or id_reading is None:
        return None
    if other is None or (other.month, other.day) != (born.month, born.day):
        return None
    if len(number) != 12 or validate.check_personal_id(number, sex=sex):
        return None
    other_number = (
        normalize.parse_digits(id_reading.alternative, (12,)) if id_reading.alternative else None
    )
    if other_number is not None and other_number[3:6] != number[3:6]:
        return None  # the number's year digits are in dispute too
    year = validate.birth_year(number)
    matching = [d for d in (born, other) if d.year == year]
    if len(matching) != 1:
        return None
    (settled,) = matching
    result.values[born_field] = settled.isoformat()
    result.confidence[born_field] = max(result.confidence[born_field], CORROBORATED_FROM)
    result.readings[born_field] = replace(reading, alternative="")  # no longer in dispute
    return settled


def _differ_only_in_checked_digits(number: str, other: str) -> bool:
    """Whether every difference between two readings of a 12-digit number (a digit read
    otherwise, one more, one fewer) lies in its first six digits."""
    if len(number) != 12 or number == other:
        return False
    edits = SequenceMatcher(None, number, other, autojunk=False).get_opcodes()
    return all(i2 <= 6 for tag, _i1, i2, _j1, _j2 in edits if tag != "equal")


def _other_date(result: FieldValues, name: str) -> date | None:
    """The calendar date the other reading of a disputed date makes (sohoa.pipeline.reread);
    None where it makes none, or where the date was read alike twice."""
    reading = result.readings.get(name)
    if reading is None or not reading.alternative:
        return None
    found = normalize.DIGIT_DATE.search(reading.alternative)
    return _date(normalize.iso_date(found.group(0))) if found else None


def _settle_date_dispute(result: FieldValues, name: str) -> None:
    """A date read twice with different results where the other reading is no calendar
    date ("29/70/1978", "714/12/1978" beside "14/12/1978"): the digits in dispute were
    read one way each time, and one way makes no date -- the dispute is settled, the date
    no longer doubtful for that reason (:data:`CORROBORATED_FROM`)."""
    reading = result.readings.get(name)
    if reading is None or not reading.alternative or result.values.get(name) is None:
        return
    if _other_date(result, name) is None:
        result.confidence[name] = max(result.confidence[name], CORROBORATED_FROM)


def _date_in_dispute(result: FieldValues, name: str) -> bool:
    """Whether a date was read twice as two calendar dates (sohoa.pipeline.reread)."""
    other = _other_date(result, name)
    return other is not None and other != _date(result.values.get(name))


def _number_in_dispute(result: FieldValues, id_field: str) -> bool:
    """Whether an ID number was read twice as two different numbers and is still so."""
    reading = result.readings.get(id_field)
    if reading is None or not reading.alternative:
        return False
    other = normalize.parse_digits(reading.alternative, (9, 12))
    return other is not None and other != result.values.get(id_field)


def _year_in_dispute(result: FieldValues, name: str) -> bool:
    """Whether a date was read twice as two calendar dates of different years."""
    value, other = _date(result.values.get(name)), _other_date(result, name)
    return value is not None and other is not None and other.year != value.year


def _one_digit_too_many(
    result: FieldValues, id_field: str, sex: str | None, born: date | None
) -> str | None:
    """A personal ID number read with 13 digits (a stroke read as one more digit): the one
    12-digit number, of those left by dropping a digit, that passes every check -- taken
    as a repair for a person to confirm; None when none or several do."""
    reading = result.readings.get(id_field)
    digits = re.sub(r"\D", "", reading.text) if reading is not None else ""
    if len(digits) != 13 or sex is None or born is None:
        return None
    passing = {
        candidate
        for i in range(13)
        if not validate.check_personal_id(
            candidate := digits[:i] + digits[i + 1 :], sex=sex, born=born
        )
    }
    if len(passing) != 1:
        return None
    (number,) = passing
    result.values[id_field] = number
    result.problems[id_field] = [f"read with 13 digits ({digits}): one dropped"]
    result.confidence[id_field] = min(reading.confidence, REPAIRED)
    return number


def _date_with_year_from_id_number(
    result: FieldValues, born_field: str, number: str, sex: str | None
) -> date | None:
    """A birth date read with an impossible year ("22/07/4991": a 1 read as 4) whose last two
    digits are the ID number's year digits: the year the ID number gives, proposed."""
    reading = result.readings.get(born_field)
    found = normalize.DIGIT_DATE.search(reading.text) if reading is not None else None
    if found is None or len(number) != 12 or validate.check_personal_id(number, sex=sex):
        return None
    day, month, year_read = found.groups()
    if year_read[2:] != number[4:6]:
        return None
    year = validate.birth_year(number)
    iso = normalize.iso_date(f"{day}/{month}/{year}")
    if iso is None:
        return None
    result.values[born_field] = iso
    result.confidence[born_field] = min(reading.confidence, REPAIRED)
    result.problems[born_field] = [f"read {found.group(0)!r}: the ID number says born in {year}"]
    return date.fromisoformat(iso)


def _year_from_id_number(
    result: FieldValues, id_field: str, born_field: str, number: str, sex: str | None, born: date
) -> None:
    """The ID number and the birth date disagree on the year by one digit (1969 printed,
    1989 read): the surer reading's year is proposed for the other -- the date's, from the
    ID number's century and year digits, when the number is the surer and passes every
    other check. Both stay flagged for a person."""
    if len(number) != 12 or validate.check_personal_id(number, sex=sex):
        return
    year = validate.birth_year(number)
    differing = sum(a != b for a, b in zip(str(year), str(born.year), strict=True))
    surer = result.confidence[id_field] > result.confidence[born_field]
    if differing != 1 or not (surer or _heard_year(result.readings.get(born_field), year)):
        return
    try:
        proposed = born.replace(year=year)
    except ValueError:  # 29 February
        return
    result.values[born_field] = proposed.isoformat()
    result.flag(born_field, f"read {born.isoformat()}; the ID number says born in {year}")


def _heard_year(reading: Reading | None, year: int) -> bool:
    """Whether the recognizer weighed ``year`` for the date's year (OcrWord.variants): a
    date read 1964 at 0.95, the recognizer hesitating over 1984, the ID number's year."""
    return reading is not None and any(
        str(year) in alternative for _, alternative, _ in reading.variants or ()
    )


def _mended_id_number(number: str, sex: str | None, born: date | None) -> str | None:
    """A personal ID number that fails its checks, mended by one digit when exactly one
    mending passes every check: its first digit to 0 (every province code begins with 0;
    OCR reads it as a "2" from a stray mark), or a 1/7 swap in the six digits the checks
    cover (province, sex and century, birth year) -- with the sex and birth date to check."""
    if len(number) != 12:
        return None
    tries = {"0" + number[1:]} if number[0] != "0" else set()
    if sex is not None and born is not None:
        for i in range(6):
            if number[i] in _ONE_OR_SEVEN:
                tries.add(number[:i] + _ONE_OR_SEVEN[number[i]] + number[i + 1 :])
    passing = [n for n in tries if not validate.check_personal_id(n, sex=sex, born=born)]
    return passing[0] if len(passing) == 1 else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
