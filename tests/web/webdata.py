"""What the web service's tests share: a SOHOA_HOME -- signed documents of two citizens
stored in the local store and SQLite catalog, and an account of each role -- and
``sohoa serve`` started over a home on a free port (the journeys' server too).

Nhung (personal ID 001095012345) has a birth certificate; Bình (079088001122) an ID
card; both are on their marriage certificate; a CT07 belongs to someone else. The
documents are blank pages signed by the development CA: what is tested here is who may
read what, not OCR.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from sohoa.storage.library import Library
from sohoa.web.accounts import Accounts

from ..signed import dev_signed_blank

SOHOA = str(Path(sys.executable).with_name("sohoa"))
NHUNG_ID, BINH_ID, OTHER_ID = "001095012345", "079088001122", "036099004455"
PASSWORD = "mật khẩu thử 2026"
DOSSIER = "000.00.15.H26-251124-0001"
ACCOUNTS = {  # username: (role, display name, personal ID)
    "can.bo": ("officer", "Lê Văn Cán Bộ", None),
    "van.thu": ("clerk", "Phạm Thị Văn Thư", None),
    "quan.tri": ("admin", "Quản Trị", None),
    "nhung": ("citizen", "Nguyễn Thị Hồng Nhung", NHUNG_ID),
    "binh": ("citizen", "Trần Văn Bình", BINH_ID),
}


def _extract(doc_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": "scan-0001.tif",
        "pages": [1],
        "doc_type": doc_type,
        "doc_type_confidence": 0.98,
        "fields": fields,
        "field_confidence": dict.fromkeys(fields, 0.95),
        "needs_review": False,
        "text": " ".join(str(v) for v in fields.values()),
    }


DOCUMENTS = {
    "doc-nhung-birth": _extract(
        "birth_certificate",
        {
            "full_name": "NGUYỄN THỊ HỒNG NHUNG",
            "date_of_birth": "1995-03-12",
            "personal_id": NHUNG_ID,
            "registration_date": "1995-04-02",
        },
    ),
    "doc-binh-card": _extract(
        "citizen_id_card",
        {"id_number": BINH_ID, "full_name": "TRẦN VĂN BÌNH", "date_of_birth": "1988-07-21"},
    ),
    "doc-marriage": _extract(
        "marriage_certificate",
        {
            "husband_name": "TRẦN VĂN BÌNH",
            "husband_id_number": BINH_ID,
            "wife_name": "NGUYỄN THỊ HỒNG NHUNG",
            "wife_id_number": NHUNG_ID,
            "registration_date": "2020-10-10",
        },
    ),
    "doc-other-ct07": _extract(
        "residence_confirmation",
        {"full_name": "ĐỖ MINH KHOA", "personal_id": OTHER_ID, "date_of_birth": "1999-01-05"},
    ),
}


def make_home(home: Path, work: Path, environ: Mapping[str, str] | None = None) -> Path:
    """``home`` with :data:`DOCUMENTS` signed and stored (the birth certificate in
    dossier :data:`DOSSIER`) and :data:`ACCOUNTS` made, all with :data:`PASSWORD`."""
    with Library.open(home, environ=environ or {}) as library:
        for document_id, extract in DOCUMENTS.items():
            signed = dev_signed_blank(home, work / f"{document_id}.pdf")
            dossier = DOSSIER if document_id == "doc-nhung-birth" else None
            library.store_document(signed, extract, document_id=document_id, dossier_code=dossier)
        accounts = Accounts(library.catalog)
        for username, (role, name, personal_id) in ACCOUNTS.items():
            accounts.add(username, role, name, password=PASSWORD, personal_id=personal_id)
    return home


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in through the API; returns the session's CSRF token."""
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class LiveServer:
    """``sohoa serve`` running in a subprocess."""

    url: str  # http://127.0.0.1:<port>, no trailing slash
    home: Path
    log: Path  # its stdout and stderr
    process: subprocess.Popen[bytes]


def server_environment(
    home: Path, public_url: str, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The server's environment: this one without any ``SOHOA_*`` setting (so that a
    developer's own MinIO, database or signing key is not used), then ``environ``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    env.update(environ or {})
    env.update(SOHOA_HOME=str(home), SOHOA_PUBLIC_URL=public_url)
    return env


@contextmanager
def serve(
    home: Path,
    port: int,
    *,
    environ: Mapping[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 60.0,
    workers: int = 1,
) -> Iterator[LiveServer]:
    """``sohoa serve --host 127.0.0.1 --port <port> [--workers N]`` over ``home``, once
    ``/healthz`` answers 200; terminated (its process group) when the block ends. Its
    output goes to ``log`` (default: beside the home). Fails with the end of that log
    where the server exits or does not answer within ``timeout`` seconds."""
    url = f"http://127.0.0.1:{port}"
    log = log or home.with_name(home.name + "-server.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [SOHOA, "serve", "--host", "127.0.0.1", "--port", str(port)]
            + (["--workers", str(workers)] if workers > 1 else []),
            env=server_environment(home, url, environ),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its worker processes go with it
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"sohoa serve did not answer on {url}:\n{tail}")
            time.sleep(0.1)
        yield LiveServer(url, home, log, process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
