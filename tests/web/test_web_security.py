"""CSRF tokens on every form and API call that changes something, rate limits on sign-in
and on the public verification, upload limits, security headers, and errors that reach
users as one sentence, never a stack trace."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sohoa.storage.library import Library
from sohoa.web.app import create_app
from sohoa.web.security import WebSettings

from .webdata import PASSWORD, sign_in


@pytest.fixture
def strict(web_home: Path) -> Iterator[TestClient]:
    """The app with low limits: 3 failed sign-ins an account, 5 public requests a minute."""
    settings = WebSettings(
        secret=b"k" * 32, login_failures_per_account=3, public_requests_per_minute=5
    )
    app = create_app(web_home, settings)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert found, "the page has no CSRF field"
    return found[1]


def test_the_sign_in_form_needs_its_own_pre_session_token(web: TestClient) -> None:
    data = {"username": "can.bo", "password": PASSWORD}
    assert web.post("/login", data=data).status_code == 403  # no token at all
    other = TestClient(web.app, base_url="https://testserver")
    forged = _csrf(other.get("/login").text)  # a token of another browser's cookie
    web.get("/login")
    answer = web.post("/login", data={**data, "csrf_token": forged}, follow_redirects=False)
    assert answer.status_code == 403 and "sohoa_session" not in answer.cookies
    assert "biểu mẫu không hợp lệ" in answer.text


def test_forms_and_api_calls_that_change_things_need_the_sessions_token(web: TestClient) -> None:
    token = sign_in(web, "nhung")
    share = {"hours": 1}
    url = "/api/v1/documents/doc-nhung-birth/shares"
    assert web.post(url, json=share).status_code == 403
    assert web.post(url, json=share, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert web.post(url, json=share, headers={"X-CSRF-Token": token}).status_code == 201
    form = {"document_id": "doc-nhung-birth", "hours": "1"}
    assert web.post("/me/shares", data=form).status_code == 403
    assert web.post("/logout", data={}, follow_redirects=False).status_code == 403
    # a token from before signing in (the login page's) is not this session's
    anonymous = TestClient(web.app, base_url="https://testserver")
    stale = _csrf(anonymous.get("/login").text)
    assert web.post("/me/shares", data={**form, "csrf_token": stale}).status_code == 403
    assert web.post("/me/shares", data={**form, "csrf_token": token}).status_code == 200


def test_failed_sign_ins_are_limited_then_even_the_right_password_waits(
    strict: TestClient,
) -> None:
    wrong = {"username": "can.bo", "password": "không phải mật khẩu"}
    for _ in range(3):
        assert strict.post("/api/v1/session", json=wrong).status_code == 401
    limited = strict.post("/api/v1/session", json={"username": "can.bo", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert limited.json() == {"detail": "Quá nhiều yêu cầu; xin thử lại sau ít phút."}
    # another account from the same address is not locked out by these failures
    assert (
        strict.post("/api/v1/session", json={"username": "nhung", "password": PASSWORD}).status_code
        == 200
    )
    page = strict.post("/login", data={**wrong, "csrf_token": _csrf(strict.get("/login").text)})
    assert page.status_code == 429 and "Quá nhiều yêu cầu" in page.text


def test_successful_sign_ins_are_not_limited(strict: TestClient) -> None:
    for _ in range(6):
        sign_in(strict, "can.bo")


def test_the_public_verification_is_rate_limited_per_address(strict: TestClient) -> None:
    codes = [strict.get("/api/v1/verify/doc-nhung-birth").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert strict.get("/verify/doc-nhung-birth").status_code == 429
    assert strict.get("/s/whatever").status_code == 429
    # signed-in routes are not the public budget
    sign_in(strict, "can.bo")
    assert strict.get("/api/v1/documents/doc-nhung-birth").status_code == 200


def test_uploads_are_limited_in_type_and_size(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "/api/v1/verify/doc-nhung-birth"
    jpeg = web.post(url, files={"file": ("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100)})
    assert jpeg.status_code == 415 and jpeg.json() == {
        "detail": "Tệp gửi lên không phải là tệp PDF."
    }
    empty = web.post(url, files={"file": ("a.pdf", b"")})
    assert empty.status_code == 400
    monkeypatch.setattr("sohoa.web.replies.MAX_UPLOAD_BYTES", 1024)
    monkeypatch.setattr("sohoa.web.replies.received_pdf.__defaults__", (1024,))
    big = web.post(url, files={"file": ("a.pdf", b"%PDF-1.7\n" + b"0" * 4096)})
    assert big.status_code == 413 and "Tệp quá lớn" in big.json()["detail"]


def test_every_answer_carries_the_security_headers(web: TestClient) -> None:
    for path in ("/login", "/verify/doc-nhung-birth", "/api/v1/verify/nope", "/healthz"):
        headers = web.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'self'" in headers["content-security-policy"]


def test_a_crash_is_one_sentence_and_no_stack_trace(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(web, "can.bo")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internal detail /srv/sohoa/catalog.sqlite")

    monkeypatch.setattr(Library, "search", broken)
    api = web.get("/api/v1/documents", params={"q": "nhung"})
    assert api.status_code == 500
    assert api.json() == {"detail": "Đã có lỗi phía máy chủ; xin thử lại sau."}
    page = web.get("/documents", params={"q": "nhung"})
    assert page.status_code == 500 and "Đã có lỗi phía máy chủ" in page.text
    for answer in (api, page):
        assert "Traceback" not in answer.text and "secret internal detail" not in answer.text


def test_a_validation_error_does_not_echo_the_password(web: TestClient) -> None:
    answer = web.post("/api/v1/session", json={"username": "can.bo", "password": ["bí mật"]})
    assert answer.status_code == 422 and "bí mật" not in answer.text
