"""Where each kind of object goes, what it says about itself, and how long it is kept."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from sohoa.storage.layout import (
    PDF,
    document_id_of,
    extraction_key,
    retention_for,
    scan_key,
    scan_metadata,
    signed_key,
    signed_metadata,
    signed_record,
)
from sohoa.storage.objects import StorageConfigError

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def test_keys():
    sha = hashlib.sha256(b"scan").hexdigest()
    assert scan_key(sha, ".JPG") == f"scans/sha256/{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    assert signed_key("DOC-7", "H29.13-240315-0012") == "signed/H29.13-240315-0012/DOC-7.pdf"
    assert signed_key("DOC-7", None) == "signed/no-dossier/DOC-7.pdf"
    assert signed_key("DOC-7", "HS/2024/7") == "signed/HS%2F2024%2F7/DOC-7.pdf"
    assert extraction_key("DOC-7") == "extractions/DOC-7.json"
    assert document_id_of(signed_key("Đơn 1", None)) == "Đơn 1"
    for bad in (
        lambda: scan_key("abc"),
        lambda: scan_key(sha, "jpg"),
        lambda: signed_key("..", None),
    ):
        with pytest.raises(ValueError):
            bad()


def test_the_same_scan_ingested_twice_is_stored_once(object_store):
    scan = b"%PDF-1.4 scanned at the one-stop shop"
    key = scan_key(hashlib.sha256(scan).hexdigest(), ".pdf")
    metadata = scan_metadata("Giấy khai sinh - Lê Văn Tám.pdf", NOW)
    first = object_store.put_if_absent(key, scan, content_type=PDF, metadata=metadata)
    again = object_store.put_if_absent(key, scan, content_type=PDF, metadata=metadata)
    assert again.version_id == first.version_id
    assert len(object_store.versions(key)) == 1
    assert first.metadata["original-name"] == "Giấy khai sinh - Lê Văn Tám.pdf"


def test_a_catalog_row_comes_back_from_the_signed_object_alone(object_store):
    scan_sha = hashlib.sha256(b"scan").hexdigest()
    key = signed_key("KS-0001", "Hồ sơ 12")
    metadata = signed_metadata("KS-0001", "Hồ sơ 12", "birth_certificate", NOW, scan_sha)
    object_store.put(key, b"%PDF signed", content_type=PDF, metadata=metadata)
    (found,) = object_store.list("signed/")
    record = signed_record(found)
    assert (record.document_id, record.dossier_code) == ("KS-0001", "Hồ sơ 12")
    assert (record.doc_type, record.created, record.scan_sha256) == (
        "birth_certificate",
        NOW,
        scan_sha,
    )
    assert record.sha256 == hashlib.sha256(b"%PDF signed").hexdigest()
    assert (record.key, record.version_id) == (key, found.version_id)


def test_retention_by_document_type():
    birth = retention_for("birth_certificate", NOW, {})
    assert birth is not None and birth.mode == "COMPLIANCE"
    assert birth.until == NOW.replace(year=2101)
    assert retention_for("id_card", NOW, {}).until == NOW.replace(year=2046)
    environ = {"SOHOA_RETENTION_YEARS": "10", "SOHOA_RETENTION_YEARS_ID_CARD": "5"}
    assert retention_for("id_card", NOW, environ).until.year == 2031
    assert retention_for("marriage_certificate", NOW, environ).until.year == 2036
    assert retention_for("id_card", NOW, {"SOHOA_RETENTION_YEARS_ID_CARD": "0"}) is None
    governed = retention_for("id_card", NOW, {"SOHOA_S3_LOCK_MODE": "GOVERNANCE"})
    assert governed.mode == "GOVERNANCE"
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert retention_for("id_card", leap, {}).until == datetime(2048, 2, 29, tzinfo=UTC)
    assert retention_for("other", leap, {"SOHOA_RETENTION_YEARS": "1"}).until.day == 28


@pytest.mark.parametrize(
    "environ",
    [
        {"SOHOA_RETENTION_YEARS": "ten"},
        {"SOHOA_RETENTION_YEARS_ID_CARD": "-1"},
        {"SOHOA_S3_LOCK_MODE": "forever"},
    ],
)
def test_retention_settings_that_cannot_work(environ):
    with pytest.raises(StorageConfigError):
        retention_for("id_card", NOW, environ)
