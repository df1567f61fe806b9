"""Which store the environment chooses, and the one-line errors of settings that cannot work."""

from __future__ import annotations

import time

import pytest

from sohoa.pipeline.errors import ExitCode
from sohoa.storage.localfs import LocalObjectStore
from sohoa.storage.objects import StorageConfigError, StoreUnavailable, open_store
from sohoa.storage.s3 import S3ObjectStore, s3_settings

from .s3_server import free_port, moto_settings

KEYS = {"SOHOA_S3_ACCESS_KEY": "sohoa", "SOHOA_S3_SECRET_KEY": "secret"}


def test_local_store_without_an_endpoint(tmp_path):
    store = open_store(tmp_path, {"SOHOA_PUBLIC_URL": "https://hoso.example.vn/"})
    assert isinstance(store, LocalObjectStore)
    assert store.root == tmp_path / "objects"
    assert store.public_url == "https://hoso.example.vn"


def test_s3_store_from_the_environment(tmp_path):
    store = open_store(tmp_path, {"SOHOA_S3_ENDPOINT": "http://minio:9000", **KEYS})
    assert isinstance(store, S3ObjectStore)
    settings = store.settings
    assert (settings.endpoint, settings.secure, settings.bucket) == ("minio:9000", False, "sohoa")
    assert settings.lock_mode == "COMPLIANCE"
    assert "secret" not in repr(settings)


@pytest.mark.parametrize(
    ("changes", "secure"),
    [
        ({"SOHOA_S3_ENDPOINT": "minio.local:9000"}, True),
        ({"SOHOA_S3_ENDPOINT": "https://minio.local"}, True),
        ({"SOHOA_S3_ENDPOINT": "minio.local:9000", "SOHOA_S3_SECURE": "off"}, False),
    ],
)
def test_tls_follows_the_endpoint_unless_told(changes, secure):
    assert s3_settings({**KEYS, **changes}).secure is secure


def test_the_rest_of_the_settings():
    settings = s3_settings(
        {
            **KEYS,
            "SOHOA_S3_ENDPOINT": "s3.hcm.example.vn",
            "SOHOA_S3_REGION": "vn-south-1",
            "SOHOA_S3_BUCKET": "hoso-quan-1",
            "SOHOA_S3_SSE": "kms:sohoa-key",
            "SOHOA_S3_LOCK_MODE": "governance",
        }
    )
    assert (settings.region, settings.bucket) == ("vn-south-1", "hoso-quan-1")
    assert (settings.sse, settings.lock_mode) == ("kms:sohoa-key", "GOVERNANCE")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SOHOA_S3_ENDPOINT": "minio:9000"}, "SOHOA_S3_ACCESS_KEY and SOHOA_S3_SECRET_KEY"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "ftp://minio"}, "http:// or https:// only"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "http://minio:9000/sohoa"}, "host:port or a URL"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "minio:port"}, "bad port"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "minio", "SOHOA_S3_SECURE": "maybe"}, "on or off"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "https://minio", "SOHOA_S3_SECURE": "0"}, "contradicts"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "minio", "SOHOA_S3_BUCKET": "Hồ_Sơ"}, "bucket name"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "minio", "SOHOA_S3_LOCK_MODE": "strict"}, "one of"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "minio", "SOHOA_S3_SSE": "aes"}, "S3, or kms:KEY_ID"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "http://minio", "SOHOA_S3_SSE": "kms:k"}, "needs TLS"),
        ({**KEYS, "SOHOA_S3_ENDPOINT": "minio", "SOHOA_S3_CA_BUNDLE": "/no/ca.pem"}, "no such"),
    ],
)
def test_settings_that_cannot_work(tmp_path, environ, message):
    with pytest.raises(StorageConfigError, match=message) as refused:
        open_store(tmp_path, environ)
    assert "\n" not in str(refused.value)
    assert refused.value.exit_code == ExitCode.usage


def test_an_endpoint_nobody_answers_fails_fast_naming_it():
    port = free_port()  # nothing listens there
    store = S3ObjectStore(moto_settings(f"127.0.0.1:{port}", retry_delays=(0.05, 0.1)))
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as down:
        store.ping()
    assert time.monotonic() - started < 2
    assert str(down.value) == (
        f"S3 store http://127.0.0.1:{port} unreachable after 3 tries: Connection refused"
    )
