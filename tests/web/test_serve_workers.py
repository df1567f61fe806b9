"""``sohoa serve --workers 2``: two processes behind one port share the home's sessions
(the database) and its secret key (CSRF tokens), so a client's requests may land on
either and still be the same signed-in session."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from .webdata import PASSWORD, free_port, serve

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def test_two_processes_share_sessions_and_csrf_tokens(web_home: Path, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serve(web_home, free_port(), workers=2, log=log) as live:
        signed = httpx.post(
            f"{live.url}/api/v1/session", json={"username": "nhung", "password": PASSWORD}
        )
        headers = {
            "Cookie": f"sohoa_session={signed.cookies['sohoa_session']}",
            "X-CSRF-Token": signed.json()["csrf_token"],
        }
        # a new connection each: the kernel hands them to either process
        answers = [httpx.get(f"{live.url}/api/v1/me", headers=headers) for _ in range(12)]
        assert {a.status_code for a in answers} == {200}
        url = f"{live.url}/api/v1/documents/doc-nhung-birth/shares"
        made = [httpx.post(url, json={"hours": 1}, headers=headers) for _ in range(4)]
        assert [m.status_code for m in made] == [201] * 4
        started = [
            line for line in log.read_text().splitlines() if "Started server process" in line
        ]
        assert len(started) == 2
