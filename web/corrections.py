"""A clerk's corrections to a waiting document, as the review form sends them: only the
fields of the document's type (its template, ``ocr_models/fields``), each value read
as the pipeline reads that kind of value (``pipeline/normalize.py``: a date written
24/07/1984 is stored 1984-07-24, an area 1.250,5 is 1250.5) and checked where a check
exists (``pipeline/validate.py``: an ID number's length and province code, a date not
yet come). A value that fails is said back in a sentence, and nothing is stored.

What :func:`sohoa.pipeline.review.approve` is given: the fields the clerk changed, and
the fields that were flagged, as confirmed -- a person looked at them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import HTTPException

from sohoa.pipeline import normalize, validate
from sohoa.pipeline.fields import load_template
from sohoa.pipeline.models import shown_value
from sohoa.pipeline.review import Waiting
from sohoa.pipeline.vntext import nfc

#: a form's input of field ``name`` is named ``field.<name>``
PREFIX = "field."
#: a field holding a list (a household's members): shown, not edited here
READ_ONLY_KINDS = frozenset({"members"})

#: what a Vietnamese clerk calls each field of CONTRACT.md
FIELD_LABELS = {
    "form_title": "Tên mẫu đơn",
    "applicant_name": "Họ, chữ đệm, tên người yêu cầu",
    "applicant_id_number": "Số CMND/CCCD người yêu cầu",
    "applicant_date_of_birth": "Ngày sinh người yêu cầu",
    "applicant_sex": "Giới tính người yêu cầu",
    "full_name": "Họ, chữ đệm, tên",
    "date_of_birth": "Ngày sinh",
    "date_of_birth_in_words": "Ngày sinh (bằng chữ)",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "nationality": "Quốc tịch",
    "place_of_birth": "Nơi sinh",
    "place_of_origin": "Quê quán",
    "place_of_residence": "Nơi thường trú",
    "personal_id": "Số định danh cá nhân",
    "id_number": "Số định danh cá nhân",
    "mother_name": "Họ, chữ đệm, tên người mẹ",
    "father_name": "Họ, chữ đệm, tên người cha",
    "registration_number": "Số đăng ký",
    "registration_date": "Ngày đăng ký",
    "expiry_date": "Có giá trị đến",
    "register_number": "Số sổ hộ khẩu",
    "household_head_name": "Họ, chữ đệm, tên chủ hộ",
    "permanent_address": "Địa chỉ thường trú",
    "permanent_residence": "Nơi thường trú",
    "current_residence": "Nơi ở hiện tại",
    "relationship_to_head": "Quan hệ với chủ hộ",
    "members": "Những người trong hộ",
    "owner_name": "Người sử dụng đất",
    "parcel_number": "Thửa đất số",
    "map_sheet_number": "Tờ bản đồ số",
    "parcel_address": "Địa chỉ thửa đất",
    "area_m2": "Diện tích (m²)",
    "certificate_serial": "Số phát hành giấy chứng nhận",
    "husband_name": "Họ, chữ đệm, tên người chồng",
    "husband_date_of_birth": "Ngày sinh người chồng",
    "husband_id_number": "Số giấy tờ tùy thân người chồng",
    "wife_name": "Họ, chữ đệm, tên người vợ",
    "wife_date_of_birth": "Ngày sinh người vợ",
    "wife_id_number": "Số giấy tờ tùy thân người vợ",
}

#: why a field is flagged (``Waiting.unsure``, the checks of pipeline/validate.py and
#: fieldvalues.py), in Vietnamese; a reason matching none is shown as written
_REASONS = [
    (re.compile(r"not read"), "chưa đọc được"),
    (re.compile(r"confidence (\d)\.(\d+)"), r"độ tin cậy \1,\2"),
    (
        re.compile(r"digits 5-6 \((\d+)\) are not the birth year (\d+)"),
        r"chữ số thứ 5-6 (\1) không khớp năm sinh \2",
    ),
    (
        re.compile(r"digit 4 \((\d)\) says (\S+), the document says (\S+)"),
        r"chữ số thứ 4 (\1) chỉ giới tính \2, giấy tờ ghi \3",
    ),
    (
        re.compile(r"digit 4 \((\d)\) says born (\d+)-(\d+), not (\d+)"),
        r"chữ số thứ 4 (\1) chỉ năm sinh \2–\3, không phải \4",
    ),
    (
        re.compile(r"digit 4 \((\d)\) says born (\d+)-(\d+): not yet"),
        r"chữ số thứ 4 (\1) chỉ năm sinh \2–\3: chưa đến",
    ),
    (
        re.compile(r"(\d+) is no province code of a personal ID number"),
        r"\1 không phải mã tỉnh của số định danh cá nhân",
    ),
    (
        re.compile(r"a personal ID number has 12 digits, not (.+)"),
        r"số định danh cá nhân có 12 chữ số, không phải \1",
    ),
    (
        re.compile(r"read (\d+): one digit mended so that every check passes"),
        r"đọc được \1: đã sửa một chữ số cho khớp mọi phép kiểm tra",
    ),
    (re.compile(r"born (\S+), after today"), r"ngày sinh \1 ở sau hôm nay"),
    (re.compile(r"(\w+) (\S+) is before the birth (\S+)"), r"\1 \2 ở trước ngày sinh \3"),
]


def reason(text: str) -> str:
    """``Waiting.unsure``'s reasons (``; ``-joined), each in Vietnamese where known."""
    said = []
    for part in text.split("; "):
        for pattern, vietnamese in _REASONS:
            if pattern.fullmatch(part):
                part = pattern.sub(vietnamese, part)
                break
        said.append(part)
    return "; ".join(said)


@dataclass(frozen=True, slots=True)
class Row:
    """One field as the review form shows it."""

    name: str
    label: str
    value: str  # as the input holds it
    editable: bool
    why: str | None  # flagged: why, in words
    error: str | None = None  # what was wrong with the value sent


def kinds(doc_type: str) -> dict[str, str]:
    """Each field of the type's template and its kind of value (none: ``unknown``)."""
    template = load_template(doc_type)
    return {} if template is None else {spec.name: spec.kind for spec in template.fields}


def rows(
    entry: Waiting, sent: Mapping[str, str] | None = None, errors: Mapping[str, str] = {}
) -> list[Row]:
    """The document's fields, flagged ones with why; with ``sent``, the values as the
    clerk sent them (a form said back with its errors)."""
    extract = entry.extract
    field_kinds = kinds(extract.get("doc_type", ""))
    unsure = entry.unsure()
    out = []
    for name, value in extract.get("fields", {}).items():
        editable = field_kinds.get(name, "text") not in READ_ONLY_KINDS
        shown = sent.get(PREFIX + name) if sent is not None and editable else None
        out.append(
            Row(
                name,
                FIELD_LABELS.get(name, name),
                shown if shown is not None else form_value(value),
                editable,
                reason(unsure[name]) if name in unsure else None,
                errors.get(name),
            )
        )
    return out


def form_value(value: Any) -> str:
    """A stored value as an input shows it: a date 1984-07-24 as 24/07/1984."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    if isinstance(value, str) and (day := _ISO.fullmatch(value)):
        return f"{day[3]}/{day[2]}/{day[1]}"
    return shown_value(value) if isinstance(value, list) else str(value)


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def changes(entry: Waiting, sent: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the corrections to approve with, the errors by field): a field changed, or
    flagged and confirmed. A field the document's type does not have is refused (400)."""
    fields = entry.extract.get("fields", {})
    field_kinds = kinds(entry.extract.get("doc_type", ""))
    for key in sent:
        name = key.removeprefix(PREFIX)
        if key.startswith(PREFIX) and (
            name not in fields or field_kinds.get(name, "text") in READ_ONLY_KINDS
        ):
            raise HTTPException(400, f"Văn bản này không có ô «{name[:60]}» để sửa.")
    unsure = entry.unsure()
    made: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, before in fields.items():
        kind = field_kinds.get(name, "text")
        text = sent.get(PREFIX + name)
        if text is None or kind in READ_ONLY_KINDS:
            continue
        try:
            value = checked(name, kind, text)
        except ValueError as error:
            errors[name] = str(error)
            continue
        if value != before or name in unsure:
            made[name] = value
    return made, errors


def checked(name: str, kind: str, text: str) -> Any:
    """The value of ``text`` as a field of ``kind`` stores it; ValueError with the reason
    in Vietnamese where it cannot be one. Empty: the field is empty."""
    text = nfc(text)
    if not text:
        return None
    if kind == "date":
        iso = normalize.iso_date(text)
        if iso is None or not re.search(r"\d", text):
            raise ValueError(
                f"«{text}» không phải một ngày; xin ghi ngày/tháng/năm, ví dụ 24/07/1984."
            )
        if validate.check_dates(None, (name, date.fromisoformat(iso))):
            raise ValueError(f"Ngày {form_value(iso)} chưa đến.")
        return iso
    if kind == "sex":
        sex = normalize.parse_sex(text)
        if sex is None or len(text.split()) > 1:
            raise ValueError("Giới tính ghi «Nam» hoặc «Nữ».")
        return sex
    if kind in ("personal_id", "id_number"):
        return _id_number(text, (12,) if kind == "personal_id" else (12, 9))
    if kind == "area":
        area = normalize.parse_area(text)
        if area is None or re.search(r"[^\d.,\s m²]", text):
            raise ValueError(
                f"«{text}» không phải một diện tích; xin ghi số mét vuông, ví dụ 120,5."
            )
        return area
    if kind == "number" and not re.search(r"\d", text):
        raise ValueError(f"«{text}» không có chữ số nào.")
    return text


def _id_number(text: str, lengths: tuple[int, ...]) -> str:
    number = re.sub(r"[\s.]", "", text)
    if not number.isdigit() or len(number) not in lengths:
        counted = sum(ch.isdigit() for ch in number)
        if lengths == (12,):
            wanted = "Số định danh cá nhân có đúng 12 chữ số"
        else:
            wanted = "Số định danh cá nhân có 12 chữ số, số chứng minh nhân dân cũ 9"
        if not number.isdigit():
            raise ValueError(f"{wanted}; «{text}» có cả ký tự khác chữ số.")
        raise ValueError(f"{wanted}; «{text}» có {counted} chữ số.")
    if len(number) == 12 and validate.check_personal_id(number):
        if number[:3] not in validate.id_province_codes():
            raise ValueError(
                f"«{number}»: {number[:3]} không phải mã tỉnh của số định danh cá nhân."
            )
        raise ValueError(f"«{number}»: chữ số thứ 4 ({number[3]}) chỉ một năm sinh chưa đến.")
    return number
