"""Checks a value must pass before a person is spared looking at it.

Each check returns the problems it found, in words a clerk can act on; an empty list means
the value is plausible. They say nothing of whether a value is the one printed -- that is
the OCR's and the cross-checks' business -- only whether it can be right at all.

The 12-digit personal identification number (số định danh cá nhân, Circular 07/2016/TT-BCA):
3 digits of the province where the birth was registered, 1 digit for sex and century
(0/1: male/female born 1900-1999, 2/3: 2000-2099, 4/5: 2100-2199, ...), 2 digits of the
birth year, 6 serial digits. Old ID cards (CMND) carry 9 digits.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache

from sohoa import ocr_models

MALE, FEMALE = "Nam", "Nữ"


@cache
def id_province_codes() -> dict[str, str]:
    """Code -> province name of the 63 codes a personal ID number may begin with."""
    path = ocr_models.id_province_codes_path()
    return dict(json.loads(path.read_text("utf-8"))["codes"])


def birth_year(number: str) -> int:
    """The birth year a 12-digit personal ID number encodes: the century from digit 4,
    the year within it from digits 5-6."""
    return 1900 + 100 * (int(number[3]) // 2) + int(number[4:6])


def sex_of_personal_id(number: str) -> str | None:
    """The sex a 12-digit personal ID number encodes (digit 4: even a man, odd a woman)."""
    if len(number) != 12 or not number.isdigit():
        return None
    return FEMALE if int(number[3]) % 2 else MALE


def check_personal_id(
    number: str, *, sex: str | None = None, born: date | None = None
) -> list[str]:
    """Problems of a 12-digit personal ID number, alone and against ``sex`` and ``born``."""
    if len(number) != 12 or not number.isdigit():
        return [f"a personal ID number has 12 digits, not {number!r}"]
    problems = []
    if number[:3] not in id_province_codes():
        problems.append(f"{number[:3]} is no province code of a personal ID number")
    digit = int(number[3])
    century = birth_year(number) - int(number[4:6])
    if century > date.today().year:
        problems.append(f"digit 4 ({digit}) says born {century}-{century + 99}: not yet")
    printed_sex = sex_of_personal_id(number)
    if sex in (MALE, FEMALE) and sex != printed_sex:
        problems.append(f"digit 4 ({digit}) says {printed_sex}, the document says {sex}")
    if born is not None:
        if not century <= born.year < century + 100:
            problems.append(
                f"digit 4 ({digit}) says born {century}-{century + 99}, not {born.year}"
            )
        if number[4:6] != f"{born.year % 100:02d}":
            problems.append(f"digits 5-6 ({number[4:6]}) are not the birth year {born.year}")
    return problems


def check_old_id_number(number: str) -> list[str]:
    """Problems of an old (CMND) ID card number: 9 digits."""
    if len(number) != 9 or not number.isdigit():
        return [f"an old ID card number has 9 digits, not {number!r}"]
    return []


def check_id_number(number: str, *, sex: str | None = None, born: date | None = None) -> list[str]:
    """A personal ID number (12 digits) or an old ID card number (9): what CONTRACT.md's
    ``id_number``, ``personal_id`` and the spouses' and applicant's numbers may hold."""
    if len(number) == 9:
        return check_old_id_number(number)
    return check_personal_id(number, sex=sex, born=born)


def check_dates(
    born: date | None, *later: tuple[str, date | None], today: date | None = None
) -> list[str]:
    """Birth not in the future, and every ``(name, date)`` of ``later`` (registration,
    expiry) after the birth; registration dates not in the future either."""
    today = today or date.today()
    problems = []
    if born is not None and born > today:
        problems.append(f"born {born.isoformat()}, after today")
    for name, when in later:
        if when is None:
            continue
        if born is not None and when < born:
            problems.append(f"{name} {when.isoformat()} is before the birth {born.isoformat()}")
        if name != "expiry_date" and when > today:
            problems.append(f"{name} {when.isoformat()} is after today")
    return problems


#: ages at which an ID card runs out: 25, 40 and 60 (Law on Citizen Identification 2014,
#: art. 21), and 14 for cards of children (Law on Identification 2023, art. 21); the card
#: is valid until that birthday
CARD_RENEWAL_AGES = frozenset({14, 25, 40, 60})


def check_card_expiry(born: date, expiry: date) -> list[str]:
    """An ID card's expiry date is a birthday of its holder at a renewal age: problems
    where the two dates read disagree (one of them is misread)."""
    birthday = (born.month, born.day)
    if (expiry.month, expiry.day) != birthday and not (birthday == (2, 29) and expiry.month == 3):
        return [
            f"expires {expiry.isoformat()}, not on the birthday {born.day:02d}/{born.month:02d}"
        ]
    if expiry.year - born.year not in CARD_RENEWAL_AGES:
        return [f"expires at age {expiry.year - born.year}, no renewal age (14, 25, 40, 60)"]
    return []
