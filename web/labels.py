"""What the pages call things: document types, fields and audit actions as a Vietnamese
officer names them, whose document it is, and times in Vietnam's time (UTC+7, no
daylight saving) written day first. Registered on the templates in :mod:`.deps`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sohoa.pipeline.models import shown_value

from .corrections import FIELD_LABELS

VIETNAM = timezone(timedelta(hours=7), "ICT")

#: document types as CONTRACT.md names them, with what a Vietnamese officer calls them
DOC_TYPES = {
    "citizen_id_card": "Căn cước công dân",
    "birth_certificate": "Giấy khai sinh",
    "marriage_certificate": "Giấy chứng nhận kết hôn",
    "residence_confirmation": "Xác nhận thông tin cư trú (CT07)",
    "household_register": "Sổ hộ khẩu",
    "land_use_certificate": "Giấy chứng nhận quyền sử dụng đất",
    "application_form": "Tờ khai / đơn",
    "unknown": "Chưa xác định",
}
AUDIT_ACTIONS = {
    "stored": "lưu",
    "read": "xem",
    "downloaded": "tải về",
    "corrected": "sửa thông tin",
    "shared": "chia sẻ",
    "revoked": "thu hồi liên kết",
    "rebuilt": "dựng lại danh mục",
}
#: whose document it is, by type: the fields naming its holders
HOLDER_FIELDS = {
    "marriage_certificate": ("husband_name", "wife_name"),
    "household_register": ("household_head_name",),
    "land_use_certificate": ("owner_name",),
    "application_form": ("applicant_name",),
}


def doc_type_label(doc_type: str) -> str:
    return DOC_TYPES.get(doc_type, doc_type)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " "))


def action_label(action: str) -> str:
    return AUDIT_ACTIONS.get(action, action)


def holders(doc_type: str, fields: dict[str, Any]) -> str:
    """The names a result is listed by: both spouses of a marriage certificate."""
    names = [fields.get(f) for f in HOLDER_FIELDS.get(doc_type, ("full_name",))]
    return " – ".join(n for n in names if isinstance(n, str) and n)


def local_time(value: datetime | str | None) -> str:
    """``07/12/2026 10:13`` in Vietnam's time, from a datetime or an ISO 8601 string."""
    if not value:
        return "—"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def shown(value: object) -> str:
    """A field's value for a person: an ISO date as Vietnamese papers print it
    (``12/03/1995``), else as :func:`~sohoa.pipeline.models.shown_value` shows it."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.strptime(value, "%Y-%m-%d").strftime("%d/%m/%Y")
        except ValueError:
            pass
    return shown_value(value)


def audit_detail(action: str, detail: dict[str, Any]) -> str:
    """An audit row's detail as a sentence: what a correction changed (field: read →
    set), which version was stored or shared, for how long; not its hashes."""
    parts = []
    for name, (read, written) in (detail.get("fields") or {}).items():
        parts.append(f"{field_label(name)}: {shown(read)} → {shown(written)}")
    if confirmed := detail.get("confirmed"):
        parts.append("xác nhận " + ", ".join(field_label(n) for n in confirmed))
    if "version" in detail:
        parts.append(f"phiên bản {detail['version']}")
    if "hours" in detail:
        parts.append(f"{detail['hours']} giờ")
    if detail.get("page") == "document":
        parts.append("trang văn bản")
    if "share_id" in detail and action != "shared":
        parts.append(f"liên kết {detail['share_id']}")
    return "; ".join(parts)
