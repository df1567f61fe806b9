"""The QR code on the front of a chip ID card (CCCD 2021, Căn cước 2024).

It carries, separated by ``|``: the 12-digit personal ID number, the old 9-digit ID number
(or nothing), the full name, the birth date (``ddmmyyyy``), the sex, the place of
residence and the card's issue date. Its Reed-Solomon error correction makes a decoded
payload far more trustworthy than the OCR of 5-pt print on a guilloche background, so
where it is legible it is the authority for those fields (see
:mod:`sohoa.pipeline.fieldvalues`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from .models import PageText
from .vntext import nfc

_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True, slots=True)
class CardQr:
    """The fields a card's QR code carries, as the card prints them."""

    id_number: str
    old_id_number: str | None
    full_name: str  # upper case, as printed on the card
    date_of_birth: date
    sex: str
    place_of_residence: str
    issue_date: date | None

    def fields(self) -> dict[str, str]:
        """CONTRACT field name -> value, for the fields a card's front also prints."""
        return {
            "id_number": self.id_number,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "place_of_residence": self.place_of_residence,
        }


def parse_card_qr(payload: str) -> CardQr | None:
    """The card's fields from a QR payload, or None when it is not a card's."""
    parts = [nfc(p) for p in payload.split("|")]
    if len(parts) < 7 or not (len(parts[0]) == 12 and _DIGITS.match(parts[0])):
        return None
    old = parts[1] if len(parts[1]) == 9 and _DIGITS.match(parts[1]) else None
    born = _ddmmyyyy(parts[3])
    sex = {"nam": "Nam", "nữ": "Nữ"}.get(parts[4].lower())
    if born is None or sex is None or not parts[2]:
        return None
    return CardQr(
        id_number=parts[0],
        old_id_number=old,
        full_name=parts[2].upper(),
        date_of_birth=born,
        sex=sex,
        place_of_residence=parts[5],
        issue_date=_ddmmyyyy(parts[6]),
    )


def card_qr(pages: Iterable[PageText]) -> CardQr | None:
    """The first ID-card QR code read on the pages, if any."""
    for page in pages:
        for code in page.barcodes:
            if code.format == "QRCode" and (card := parse_card_qr(code.text)) is not None:
                return card
    return None


def _ddmmyyyy(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%d%m%Y").date()
    except ValueError:
        return None
