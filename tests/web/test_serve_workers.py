"""``sohoa serve --workers 2``: two processes behind one port share the home's sessions
(the database) and its secret key (CSRF tokens), so a client's requests may land on
either and still be the same signed-in session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .webdata import PASSWORD

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def test_two_processes_share_sessions_and_csrf_tokens(web_home: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [SOHOA, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env={**os.environ, "SOHOA_HOME": str(web_home)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (
                tmp_path / "serve.log"
            ).read_text()
            time.sleep(0.3)
        signed = httpx.post(
            f"{url}/api/v1/session", json={"username": "nhung", "password": PASSWORD}
        )
        headers = {
            "Cookie": f"sohoa_session={signed.cookies['sohoa_session']}",
            "X-CSRF-Token": signed.json()["csrf_token"],
        }
        with httpx.Client(base_url=url, headers=headers) as client:
            # a new connection each: the kernel hands them to either process
            answers = [httpx.get(f"{url}/api/v1/me", headers=headers) for _ in range(12)]
            assert {a.status_code for a in answers} == {200}
            made = [
                client.post("/api/v1/documents/doc-nhung-birth/shares", json={"hours": 1})
                for _ in range(4)
            ]
            assert [m.status_code for m in made] == [201] * 4
        pids = {
            line.split("[")[1].split("]")[0]
            for line in (tmp_path / "serve.log").read_text().splitlines()
            if "Started server process" in line
        }
        assert len(pids) == 2
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
