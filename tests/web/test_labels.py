"""How pages word things: Vietnamese names of types, fields and audit actions, dates
day first, times in Vietnam's time, a correction's audit row as a sentence."""

from __future__ import annotations

from datetime import UTC, datetime

from sohoa.web.labels import audit_detail, holders, local_time, shown


def test_times_are_vietnams_and_dates_day_first() -> None:
    assert local_time(datetime(2026, 12, 7, 20, 30, tzinfo=UTC)) == "08/12/2026 03:30"
    assert local_time("2026-12-07T03:13:57+00:00") == "07/12/2026 10:13"
    assert local_time(None) == "—"
    assert shown("1995-03-12") == "12/03/1995"
    assert shown("001095012345") == "001095012345" and shown(None) == "—"


def test_a_correction_reads_as_a_sentence() -> None:
    detail = {
        "review": True,
        "fields": {"applicant_date_of_birth": ["1987-05-10", "1967-05-10"]},
        "confirmed": ["applicant_id_number"],
    }
    assert audit_detail("corrected", detail) == (
        "Ngày sinh người yêu cầu: 10/05/1987 → 10/05/1967; xác nhận Số CMND/CCCD người yêu cầu"
    )
    stored = {"version": 2, "sha256": "ab" * 32}
    assert audit_detail("stored", stored) == "phiên bản 2"


def test_a_marriage_certificate_is_both_spouses() -> None:
    fields = {"husband_name": "TRẦN VĂN BÌNH", "wife_name": "NGUYỄN THỊ HỒNG NHUNG"}
    assert holders("marriage_certificate", fields) == "TRẦN VĂN BÌNH – NGUYỄN THỊ HỒNG NHUNG"
    assert holders("birth_certificate", {"full_name": None}) == ""
