"""Realistic catalog entries for the catalog's tests: one dossier's worth of Vietnamese
civil documents, as ``sohoa process`` would record them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sohoa.storage.catalog import DocumentRecord

DOSSIER_A = "000.00.15.H26-251124-0001"
DOSSIER_B = "000.00.15.H26-251124-0002"
NHUNG = "NGUYỄN THỊ HỒNG NHUNG"
DUC = "TRẦN VĂN ĐỨC"
NHUNG_ID = "001195012345"
DUC_ID = "001090004567"
OLD_CARD = "012345678"
PHO_HUE = "Số 12, ngõ 34, phố Huế, phường Phố Huế, quận Hai Bà Trưng, Hà Nội"
_T0 = datetime(2025, 11, 24, 8, 30, tzinfo=UTC)


def record(
    document_id: str,
    doc_type: str,
    fields: dict[str, Any],
    text: str,
    *,
    dossier: str | None = DOSSIER_A,
    version: int = 1,
    minute: int = 0,
) -> DocumentRecord:
    """A stored document version; its sha256 stands for the signed PDF's."""
    digest = hashlib.sha256(f"{document_id}/{version}/{fields}".encode()).hexdigest()
    return DocumentRecord(
        document_id=document_id,
        version=version,
        dossier_code=dossier,
        doc_type=doc_type,
        source=f"scan-{document_id}.tif",
        pages=[1, 2] if doc_type == "household_register" else [1],
        fields=fields,
        field_confidence={name: 0.95 for name in fields},
        needs_review=any(value is None for value in fields.values()),
        text=text,
        sha256=digest,
        storage_key=f"documents/{document_id}/v{version}.pdf",
        storage_version=f"ver-{version}",
        size=48_000 + version,
        stored_at=_T0 + timedelta(minutes=minute),
    )


BIRTH = record(
    "doc-birth",
    "birth_certificate",
    {
        "full_name": NHUNG,
        "date_of_birth": "1995-03-12",
        "sex": "Nữ",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "place_of_birth": "Bệnh viện Phụ sản Hà Nội",
        "place_of_origin": "xã Đông La, huyện Đông Hưng, tỉnh Thái Bình",
        "personal_id": NHUNG_ID,
        "mother_name": "TRẦN THỊ LAN",
        "father_name": "NGUYỄN VĂN HÙNG",
        "registration_number": "125/1995",
        "registration_date": "1995-03-20",
    },
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc GIẤY KHAI SINH "
    f"Họ, chữ đệm, tên: {NHUNG} Ngày, tháng, năm sinh: 12/03/1995 Giới tính: Nữ",
    minute=1,
)
ID_CARD = record(
    "doc-idcard",
    "citizen_id_card",
    {
        "id_number": DUC_ID,
        "full_name": DUC,
        "date_of_birth": "1990-07-01",
        "sex": "Nam",
        "nationality": "Việt Nam",
        "place_of_origin": "Thái Bình",
        "place_of_residence": PHO_HUE,
        "expiry_date": "2030-07-01",
    },
    f"CĂN CƯỚC CÔNG DÂN Số / No.: {DUC_ID} Họ và tên / Full name: {DUC} "
    f"Nơi thường trú / Place of residence: {PHO_HUE}",
    minute=2,
)
MARRIAGE = record(
    "doc-marriage",
    "marriage_certificate",
    {
        "husband_name": DUC,
        "husband_date_of_birth": "1990-07-01",
        "husband_id_number": DUC_ID,
        "wife_name": NHUNG,
        "wife_date_of_birth": "1995-03-12",
        "wife_id_number": NHUNG_ID,
        "registration_number": "38/2020",
        "registration_date": "2020-10-10",
    },
    f"GIẤY CHỨNG NHẬN KẾT HÔN Họ, chữ đệm, tên chồng: {DUC} Họ, chữ đệm, tên vợ: {NHUNG}",
    dossier=DOSSIER_B,
    minute=3,
)
HOUSEHOLD = record(
    "doc-household",
    "household_register",
    {
        "register_number": "0123456",
        "household_head_name": "LÊ VĂN NAM",
        "permanent_address": "Thôn Đông, xã Yên Viên, huyện Gia Lâm, Hà Nội",
        "members": [
            {"full_name": "LÊ VĂN NAM", "date_of_birth": "1970-05-05", "relationship": "Chủ hộ"},
            {"full_name": "PHẠM THỊ MAI", "date_of_birth": "1972-09-09", "relationship": "Vợ"},
            {"full_name": "LÊ MINH KHOA", "date_of_birth": "2001-01-15", "relationship": "Con"},
        ],
    },
    "SỔ HỘ KHẨU Họ và tên chủ hộ: LÊ VĂN NAM Nơi thường trú: Thôn Đông, xã Yên Viên",
    dossier=DOSSIER_B,
    minute=4,
)
APPLICATION = record(
    "doc-application",
    "application_form",
    {
        "form_title": "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "applicant_name": "PHẠM THỊ MAI",
        "applicant_id_number": OLD_CARD,
    },
    # her name only in the OCR text: a witness, not a field
    "TỜ KHAI ĐĂNG KÝ KHAI SINH Kính gửi: UBND phường Phố Huế. Người yêu cầu: PHẠM THỊ MAI. "
    f"Người làm chứng: {NHUNG}, cư trú tại phường Phố Huế.",
    minute=5,
)
LAND = record(
    "doc-land",
    "land_use_certificate",
    {
        "owner_name": "HOÀNG VĂN ĐỨC",
        "parcel_number": "215",
        "map_sheet_number": "12",
        "parcel_address": "phường Phố Huế, quận Hai Bà Trưng, Hà Nội",
        "area_m2": 65.5,
        "certificate_serial": "CS 123456",
    },
    "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
    dossier=None,
    minute=6,
)
RESIDENCE = record(
    "doc-residence",
    "residence_confirmation",
    {
        "full_name": "ĐỖ THỊ THU HÀ",
        "date_of_birth": "1988-12-30",
        "sex": "Nữ",
        "personal_id": "034188009876",
        "permanent_residence": "Số 5, đường Lê Lợi, phường Bến Thành, Quận 1, TP. Hồ Chí Minh",
        "current_residence": None,
        "household_head_name": "ĐỖ VĂN TÙNG",
        "relationship_to_head": "Con",
    },
    "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ Họ, chữ đệm và tên: ĐỖ THỊ THU HÀ",
    minute=7,
)
UNKNOWN = record(
    "doc-unknown",
    "unknown",
    {},
    "BIÊN NHẬN HỒ SƠ Ngày 24 tháng 11 năm 2025. Cán bộ tiếp nhận ký tên.",
    minute=8,
)

ALL = (BIRTH, ID_CARD, MARRIAGE, HOUSEHOLD, APPLICATION, LAND, RESIDENCE, UNKNOWN)
