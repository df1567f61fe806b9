"""A real S3 server for the storage tests: moto's, over HTTP, in a thread of the process."""

from __future__ import annotations

import dataclasses
import logging
import socket
import uuid

from moto.server import ThreadedMotoServer

from sohoa.storage.s3 import S3Settings

FAST_RETRIES = (0.01, 0.02)  # the schedule production uses is seconds; tests need not wait


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_moto(port: int) -> ThreadedMotoServer:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def moto_settings(endpoint: str, **changes) -> S3Settings:
    """Settings for a fresh bucket of its own on the moto server at ``endpoint``."""
    settings = S3Settings(
        endpoint=endpoint,
        access_key="testing",
        secret_key="testing",
        secure=False,
        region="us-east-1",
        bucket=f"sohoa-test-{uuid.uuid4().hex[:16]}",
        retry_delays=FAST_RETRIES,
    )
    return dataclasses.replace(settings, **changes)
