"""Accounts and sessions: Argon2id hashes, sign-in through the form and the API, roles
checked by the server on every route, sessions that end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.storage.catalog import Catalog
from sohoa.storage.catalog.models import Account, WebSession
from sohoa.web.accounts import AccountError, Accounts

from .webdata import NHUNG_ID, PASSWORD, sign_in

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def _catalog(home: Path) -> Catalog:
    return Catalog.open(f"sqlite:///{home / 'catalog.sqlite'}")


def test_passwords_are_kept_as_argon2id_hashes_and_sessions_as_token_hashes(
    web: TestClient, web_home: Path
) -> None:
    sign_in(web, "can.bo")
    token = web.cookies["sohoa_session"]
    with _catalog(web_home) as catalog, Session(catalog.engine) as session:
        stored = session.scalars(select(Account.password_hash)).all()
        sessions = session.scalars(select(WebSession.token_hash)).all()
    assert stored and all(h.startswith("$argon2id$") for h in stored)
    assert all(PASSWORD not in h for h in stored)
    assert token not in sessions and len(sessions[0]) == 64


def test_sign_in_through_the_form_lands_on_the_roles_page(web: TestClient) -> None:
    form = web.get("/login")
    csrf = _field(form.text, "csrf_token")
    answer = web.post(
        "/login",
        data={"username": "nhung", "password": PASSWORD, "csrf_token": csrf, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/me"
    cookie = answer.headers["set-cookie"]
    assert "sohoa_session=" in cookie
    assert all(flag in cookie.lower() for flag in ("httponly", "secure", "samesite=lax"))
    me = web.get("/api/v1/me").json()
    assert me == {
        "username": "nhung",
        "role": "citizen",
        "display_name": "Nguyễn Thị Hồng Nhung",
        "personal_id": NHUNG_ID,
    }


def test_a_wrong_password_or_unknown_name_is_one_sentence_and_no_session(
    web: TestClient,
) -> None:
    for name, password in (("can.bo", "sai mật khẩu rồi"), ("không.có", PASSWORD)):
        answer = web.post("/api/v1/session", json={"username": name, "password": password})
        assert answer.status_code == 401
        assert answer.json() == {"detail": "Tên đăng nhập hoặc mật khẩu không đúng."}
        assert "sohoa_session" not in answer.cookies


def test_next_after_sign_in_stays_on_this_site(web: TestClient) -> None:
    csrf = _field(web.get("/login").text, "csrf_token")
    answer = web.post(
        "/login",
        data={
            "username": "can.bo",
            "password": PASSWORD,
            "csrf_token": csrf,
            "next": "//evil.example/phish",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/documents"


def test_a_page_asks_for_sign_in_and_returns_there(web: TestClient) -> None:
    answer = web.get("/documents?q=nhung", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fdocuments%3Fq%3Dnhung"
    assert web.get("/api/v1/documents").status_code == 401


@pytest.mark.parametrize(
    ("username", "allowed", "refused"),
    [
        ("nhung", ["/me", "/api/v1/shares"], ["/admin/accounts", "/api/v1/accounts"]),
        ("can.bo", ["/documents", "/api/v1/documents/doc-binh-card/audit"], ["/me"]),
        ("van.thu", ["/documents"], ["/admin/accounts", "/api/v1/shares"]),
        ("quan.tri", ["/admin/accounts", "/api/v1/accounts", "/documents"], ["/me"]),
    ],
)
def test_each_role_reaches_its_own_pages_only(
    web: TestClient, username: str, allowed: list[str], refused: list[str]
) -> None:
    sign_in(web, username)
    for path in allowed:
        assert web.get(path).status_code == 200, path
    for path in refused:
        answer = web.get(path)
        assert answer.status_code == 403, path
        assert "Traceback" not in answer.text


def test_a_citizen_cannot_read_staff_only_history(web: TestClient) -> None:
    sign_in(web, "nhung")
    assert web.get("/api/v1/documents/doc-nhung-birth/audit").status_code == 403


def test_signing_out_ends_the_session_on_the_server(web: TestClient) -> None:
    csrf = sign_in(web, "can.bo")
    token = web.cookies["sohoa_session"]
    assert web.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    # the old cookie, replayed, opens nothing
    web.cookies.set("sohoa_session", token, domain="testserver")
    assert web.get("/api/v1/me").status_code == 401


def test_a_disabled_account_is_signed_out_everywhere(web: TestClient, web_home: Path) -> None:
    with _catalog(web_home) as catalog:
        Accounts(catalog).add("tam.thoi", "officer", "Tạm Thời", password=PASSWORD)
    sign_in(web, "tam.thoi")
    assert web.get("/api/v1/me").status_code == 200
    with _catalog(web_home) as catalog:
        Accounts(catalog).disable("tam.thoi")
    assert web.get("/api/v1/me").status_code == 401
    refused = web.post("/api/v1/session", json={"username": "tam.thoi", "password": PASSWORD})
    assert refused.status_code == 401


def test_admin_adds_an_account_that_then_signs_in(web: TestClient) -> None:
    csrf = sign_in(web, "quan.tri")
    body = {
        "username": "can.bo.moi",
        "role": "officer",
        "display_name": "Cán Bộ Mới",
        "password": "một mật khẩu dài",
    }
    assert web.post("/api/v1/accounts", json=body).status_code == 403  # no CSRF token
    added = web.post("/api/v1/accounts", json=body, headers={"X-CSRF-Token": csrf})
    assert added.status_code == 201 and added.json()["role"] == "officer"
    again = web.post("/api/v1/accounts", json=body, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 400 and "exists" in again.json()["detail"]
    sign_in(web, "can.bo.moi", "một mật khẩu dài")
    assert web.get("/api/v1/me").json()["role"] == "officer"


def test_accounts_refuse_what_would_be_unsafe(web_home: Path) -> None:
    with _catalog(web_home) as catalog:
        accounts = Accounts(catalog)
        with pytest.raises(AccountError, match="10 characters"):
            accounts.add("ngan", "officer", "Ngắn", password="short")
        with pytest.raises(AccountError, match="personal_id"):
            accounts.add("cong.dan", "citizen", "Công Dân", password=PASSWORD)
        with pytest.raises(AccountError, match="role"):
            accounts.add("ai.do", "root", "Ai Đó", password=PASSWORD)


def test_sohoa_account_add_makes_an_account_from_the_command_line(tmp_path: Path) -> None:
    env = {"SOHOA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    added = subprocess.run(
        [SOHOA, "account", "add", "can.bo.2", "--role", "officer", "--password-stdin"],
        input="mật khẩu dòng lệnh\n",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    with _catalog(tmp_path) as catalog:
        assert Accounts(catalog).authenticate("can.bo.2", "mật khẩu dòng lệnh") is not None
    bad = subprocess.run(
        [SOHOA, "account", "add", "x", "--role", "citizen", "--password-stdin"],
        input="mật khẩu dòng lệnh\n",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("sohoa: error: ")
    assert "Traceback" not in bad.stderr


def _field(html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
