"""The object store's promises, checked the same way on the local store and on S3 (moto
over HTTP; a real MinIO too when ``SOHOA_TEST_S3_ENDPOINT`` is set)."""

from __future__ import annotations

import hashlib
import io
import os
import time
import unicodedata
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from minio.commonconfig import ENABLED
from minio.versioningconfig import VersioningConfig

from sohoa.storage.objects import (
    IntegrityError,
    ObjectMissing,
    Retention,
    RetentionError,
    StorageConfigError,
)
from sohoa.storage.s3 import S3ObjectStore

from .s3_server import moto_settings

NAME = "Nguyễn Thị Ánh Tuyết"  # NFC; the tests put it decomposed too


def test_put_get_round_trip(object_store):
    data = os.urandom(70_000)
    stored = object_store.put("a/scan.pdf", data, content_type="application/pdf")
    assert object_store.get("a/scan.pdf") == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.size, stored.content_type) == (len(data), "application/pdf")
    assert object_store.head("a/scan.pdf") == stored
    assert stored.modified.tzinfo is not None


def test_vietnamese_metadata_comes_back_in_nfc(object_store):
    decomposed = unicodedata.normalize("NFD", NAME)
    metadata = {"ho-ten": decomposed, "ghi-chu": "Hộ khẩu số 12/3, 100% khớp", "ascii": "a b"}
    stored = object_store.put("meta.json", b"{}", metadata=metadata)
    expected = {"ho-ten": NAME, "ghi-chu": "Hộ khẩu số 12/3, 100% khớp", "ascii": "a b"}
    assert stored.metadata == expected
    assert object_store.head("meta.json").metadata == expected
    assert [found.metadata for found in object_store.list("meta")] == [expected]


def test_metadata_names_are_checked(object_store):
    for name in ("Ho_Ten", "sha256", "họ-tên"):
        with pytest.raises(ValueError, match="metadata name"):
            object_store.put("x", b"1", metadata={name: "v"})


def test_every_put_is_a_new_version(object_store):
    first = object_store.put("signed/d1/doc.pdf", b"first")
    second = object_store.put("signed/d1/doc.pdf", b"second")
    assert first.version_id != second.version_id
    assert [v.version_id for v in object_store.versions("signed/d1/doc.pdf")] == [
        first.version_id,
        second.version_id,
    ]
    assert object_store.get("signed/d1/doc.pdf") == b"second"
    assert object_store.get("signed/d1/doc.pdf", version_id=first.version_id) == b"first"
    assert object_store.head("signed/d1/doc.pdf", version_id=first.version_id) == first


def test_put_if_absent_stores_the_same_bytes_once(object_store, tmp_path):
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(b"\xff\xd8 a scan")
    first = object_store.put_if_absent("scans/k.jpg", scan, content_type="image/jpeg")
    again = object_store.put_if_absent("scans/k.jpg", b"\xff\xd8 a scan")
    assert again == first
    assert len(object_store.versions("scans/k.jpg")) == 1
    other = object_store.put_if_absent("scans/k.jpg", b"other bytes")
    assert other.version_id != first.version_id


def test_retention_refuses_delete_and_allows_a_correction(object_store):
    until = datetime.now(UTC) + timedelta(minutes=2)  # short: a real MinIO bucket empties
    kept = object_store.put("signed/d2/doc.pdf", b"v1", retention=Retention("COMPLIANCE", until))
    assert kept.retention is not None and kept.retention.mode == "COMPLIANCE"
    assert abs(kept.retention.until - until) < timedelta(seconds=1)
    with pytest.raises(RetentionError, match="retained until"):
        object_store.delete("signed/d2/doc.pdf", version_id=kept.version_id)
    with pytest.raises(RetentionError):
        object_store.delete("signed/d2/doc.pdf")
    correction = object_store.put("signed/d2/doc.pdf", b"v2")
    assert object_store.get("signed/d2/doc.pdf") == b"v2"
    assert object_store.get("signed/d2/doc.pdf", version_id=kept.version_id) == b"v1"
    assert [v.version_id for v in object_store.versions("signed/d2/doc.pdf")] == [
        kept.version_id,
        correction.version_id,
    ]


def test_delete_without_retention(object_store):
    first = object_store.put("tmp/a.txt", b"1")
    object_store.put("tmp/a.txt", b"2")
    object_store.delete("tmp/a.txt", version_id=first.version_id)
    assert [v.sha256 for v in object_store.versions("tmp/a.txt")] == [
        hashlib.sha256(b"2").hexdigest()
    ]
    object_store.delete("tmp/a.txt")
    assert object_store.head("tmp/a.txt") is None
    assert object_store.versions("tmp/a.txt") == []
    with pytest.raises(ObjectMissing):
        object_store.delete("tmp/a.txt")


def test_missing_objects(object_store):
    assert object_store.head("nowhere") is None
    assert object_store.versions("nowhere") == []
    with pytest.raises(ObjectMissing, match="nowhere: no such object"):
        object_store.get("nowhere")
    object_store.put("here", b"1")
    assert object_store.head("here", version_id="00000000000000000000-00000000") is None


def test_keys_that_cannot_be_stored(object_store):
    for key in ("", "../etc/passwd", "a//b", ".share-secret", "a/b.~v/c", "a\\b", "tab\tkey"):
        with pytest.raises(ValueError, match="object key"):
            object_store.put(key, b"1")


def test_download_streams_to_the_target_atomically(object_store, tmp_path):
    source = tmp_path / "big.pdf"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    stored = object_store.put("big.pdf", source)
    target = tmp_path / "out" / "copy.pdf"
    assert object_store.download("big.pdf", target) == stored
    assert target.read_bytes() == source.read_bytes()
    assert sorted(path.name for path in target.parent.iterdir()) == ["copy.pdf"]
    target.write_bytes(b"kept")
    with pytest.raises(ObjectMissing):
        object_store.download("absent.pdf", target)
    assert target.read_bytes() == b"kept"


def test_list_gives_the_latest_version_under_a_prefix(object_store):
    object_store.put("signed/A/1.pdf", b"old", metadata={"doc-type": "birth_certificate"})
    latest = object_store.put("signed/A/1.pdf", b"new", metadata={"doc-type": "id_card"})
    object_store.put("signed/A/2.pdf", b"2")
    object_store.put("signed/AB/3.pdf", b"3")
    object_store.put("extractions/1.json", b"{}")
    under_a = list(object_store.list("signed/A/"))
    assert [found.key for found in under_a] == ["signed/A/1.pdf", "signed/A/2.pdf"]
    assert under_a[0] == latest
    assert {found.key for found in object_store.list("signed/A")} == {
        "signed/A/1.pdf",
        "signed/A/2.pdf",
        "signed/AB/3.pdf",
    }
    assert len(list(object_store.list())) == 4
    assert list(object_store.list("nothing/")) == []
    # the keys alone, from the listing (what a catalog rebuild walks)
    assert list(object_store.keys("signed/A")) == [
        "signed/A/1.pdf",
        "signed/A/2.pdf",
        "signed/AB/3.pdf",
    ]
    assert list(object_store.keys()) == [f.key for f in object_store.list()]


def test_s3_presigned_url_gets_the_bytes_over_http(s3_store):
    s3_store.put("share/giay-khai-sinh.pdf", b"%PDF-1.7 signed")
    url = s3_store.presigned_get("share/giay-khai-sinh.pdf", timedelta(minutes=5))
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == b"%PDF-1.7 signed"
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["300"]
    s3_store.put("share/giay-khai-sinh.pdf", b"a correction")
    with urllib.request.urlopen(url, timeout=5) as response:  # the version signed for
        assert response.read() == b"%PDF-1.7 signed"


@pytest.mark.skipif(
    not os.environ.get("SOHOA_TEST_S3_ENDPOINT"),
    reason="moto serves presigned URLs after they expire (checked); a real MinIO does not",
)
def test_minio_presigned_url_expires():
    from .conftest import minio_store

    store = minio_store()
    store.put("share/x.pdf", b"1")
    url = store.presigned_get("share/x.pdf", timedelta(seconds=1))
    time.sleep(2.5)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 403


def test_local_shared_link_checks_key_version_expiry_and_signature(local_store):
    stored = local_store.put("signed/HS-01/doc 1.pdf", b"%PDF")
    url = local_store.presigned_get("signed/HS-01/doc 1.pdf", timedelta(hours=1))
    parts = urlsplit(url)
    assert url.startswith("http://127.0.0.1:8000/shared/signed/HS-01/doc%201.pdf?")
    key = unquote(parts.path.removeprefix("/shared/"))
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    version, expires, signature = query["version"], query["expires"], query["signature"]
    assert version == stored.version_id
    assert local_store.check_shared(key, version, expires, signature)
    later = datetime.now(UTC) + timedelta(hours=1, seconds=1)
    assert not local_store.check_shared(key, version, expires, signature, now=later)
    assert not local_store.check_shared("signed/HS-01/doc 2.pdf", version, expires, signature)
    assert not local_store.check_shared(key, version, str(int(expires) + 3600), signature)
    assert not local_store.check_shared(key, "0" * 20 + "-00000000", expires, signature)
    assert not local_store.check_shared(key, version, expires, "0" * 64)
    assert not local_store.check_shared(key, version, "soon", signature)
    secret = local_store.root / ".share-secret"
    assert secret.stat().st_mode & 0o777 == 0o600


def test_local_read_catches_a_flipped_byte(local_store, tmp_path):
    stored = local_store.put("scans/a.jpg", b"\xff\xd8 the scan as received")
    data_file = local_store.root / "store" / "scans" / "a.jpg.~v" / f"{stored.version_id}.data"
    data_file.chmod(0o644)  # the store keeps versions read-only; a disk fault does not ask
    damaged = bytearray(data_file.read_bytes())
    damaged[5] ^= 0x01
    data_file.write_bytes(bytes(damaged))
    with pytest.raises(IntegrityError, match="differs from the recorded"):
        local_store.get("scans/a.jpg")
    target = tmp_path / "a.jpg"
    with pytest.raises(IntegrityError):
        local_store.download("scans/a.jpg", target)
    assert not target.exists()
    assert list(tmp_path.glob(".a.jpg*")) == []


def test_s3_read_checks_the_recorded_sha256(s3_store):
    """moto cannot damage an object in place, so the object is written past the store with
    a recorded SHA-256 that is not its bytes' (what a damaged copy would read as)."""
    s3_store.ping()  # makes the bucket
    client, bucket = s3_store.client, s3_store.bucket
    wrong = hashlib.sha256(b"what was meant").hexdigest()
    client.put_object(
        bucket, "bad.pdf", io.BytesIO(b"what is there"), 13, metadata={"sha256": wrong}
    )
    client.put_object(bucket, "foreign.pdf", io.BytesIO(b"no digest"), 9)
    with pytest.raises(IntegrityError, match="differs from the recorded"):
        s3_store.get("bad.pdf")
    with pytest.raises(IntegrityError, match="no SHA-256 recorded"):
        s3_store.get("foreign.pdf")


def test_s3_put_of_a_file_and_its_record(s3_store, tmp_path: Path):
    source = tmp_path / "twenty.bin"
    source.write_bytes(os.urandom(6 * 1024 * 1024))  # over minio's part size: still one PUT
    stored = s3_store.put("big/six.bin", source)
    assert stored.size == source.stat().st_size
    assert s3_store.get("big/six.bin") == source.read_bytes()


def test_s3_bucket_without_object_lock_or_versions(moto_endpoint):
    """A bucket made by hand: without versions sohoa refuses it, without object lock it
    keeps versions but refuses a retention it could not keep."""
    plain = S3ObjectStore(moto_settings(moto_endpoint))
    plain.client.make_bucket(plain.bucket)
    with pytest.raises(StorageConfigError, match="keeps no versions"):
        plain.put("a.pdf", b"1")
    versioned = S3ObjectStore(moto_settings(moto_endpoint))
    versioned.client.make_bucket(versioned.bucket)
    versioned.client.set_bucket_versioning(versioned.bucket, VersioningConfig(ENABLED))
    until = datetime.now(UTC) + timedelta(minutes=2)
    with pytest.raises(RetentionError, match="has no object lock"):
        versioned.put("a.pdf", b"1", retention=Retention("COMPLIANCE", until))
    assert versioned.put("a.pdf", b"1").version_id != "null"


def test_s3_server_side_encryption(moto_endpoint):
    store = S3ObjectStore(moto_settings(moto_endpoint, sse="S3"))
    store.put("sse.pdf", b"encrypted at rest")
    assert store.get("sse.pdf") == b"encrypted at rest"
    found = store.client.stat_object(store.bucket, "sse.pdf")
    assert found.metadata["x-amz-server-side-encryption"] == "AES256"
