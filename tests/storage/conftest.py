"""What the object store tests share: a real S3 server over HTTP, and a store of each kind.

The S3 server is moto's, in a thread of the test process (versions, object lock, retention
and presigned URLs, spoken over real HTTP by the minio SDK). With ``SOHOA_TEST_S3_ENDPOINT``
(and ``SOHOA_TEST_S3_ACCESS_KEY``, ``SOHOA_TEST_S3_SECRET_KEY``) set, the same tests also run
against that store, a real MinIO.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator

import pytest

from sohoa.storage.localfs import LocalObjectStore
from sohoa.storage.objects import ObjectStore
from sohoa.storage.s3 import S3ObjectStore, s3_settings

from .s3_server import FAST_RETRIES, free_port, moto_settings, start_moto

BACKENDS = ["local", "s3"] + (["minio"] if os.environ.get("SOHOA_TEST_S3_ENDPOINT") else [])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """``host:port`` of an S3 server running for the whole session."""
    port = free_port()
    server = start_moto(port)
    yield f"127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_store(moto_endpoint) -> S3ObjectStore:
    return S3ObjectStore(moto_settings(moto_endpoint))


@pytest.fixture
def local_store(tmp_path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects")


@pytest.fixture(params=BACKENDS)
def object_store(request, tmp_path) -> ObjectStore:
    """A store of each kind, empty; the behavioural tests run once against each."""
    if request.param == "local":
        return LocalObjectStore(tmp_path / "objects")
    if request.param == "s3":
        return S3ObjectStore(moto_settings(request.getfixturevalue("moto_endpoint")))
    return minio_store()


def minio_store() -> S3ObjectStore:
    """A fresh bucket on the real MinIO that ``SOHOA_TEST_S3_*`` names."""
    settings = s3_settings(
        {
            "SOHOA_S3_ENDPOINT": os.environ["SOHOA_TEST_S3_ENDPOINT"],
            "SOHOA_S3_ACCESS_KEY": os.environ.get("SOHOA_TEST_S3_ACCESS_KEY", ""),
            "SOHOA_S3_SECRET_KEY": os.environ.get("SOHOA_TEST_S3_SECRET_KEY", ""),
            "SOHOA_S3_BUCKET": f"sohoa-test-{uuid.uuid4().hex[:16]}",
        }
    )
    return S3ObjectStore(dataclasses.replace(settings, retry_delays=FAST_RETRIES))
