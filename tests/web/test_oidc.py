"""Signing in through a national SSO (OpenID Connect), against a provider over real HTTP
(oidc_provider.py): the browser's redirects are followed by hand, the app's with the
TestClient and the provider's with httpx."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from sohoa.web.accounts import AccountError
from sohoa.web.app import create_app
from sohoa.web.oidc import (
    FLOW_COOKIE,
    NOT_VERIFIED,
    UNREACHABLE,
    OidcSettings,
    seal,
    sso_username,
    unseal,
)
from sohoa.web.routes.oidc import CANCELLED, EXPIRED, NO_ID, REFUSED
from sohoa.web.security import SESSION_COOKIE

from .oidc_provider import CLIENT_ID, CLIENT_SECRET, Misbehaviour, Provider, User
from .webdata import BINH_ID, NHUNG_ID

OIDC_VARIABLES = (
    "SOHOA_OIDC_ISSUER",
    "SOHOA_OIDC_CLIENT_ID",
    "SOHOA_OIDC_CLIENT_SECRET",
    "SOHOA_OIDC_SCOPES",
    "SOHOA_OIDC_ID_CLAIM",
    "SOHOA_OIDC_NAME",
    "SOHOA_PUBLIC_URL",
)
NHUNG = User("vneid-nhung", {"name": "Nguyễn Thị Hồng Nhung", "personal_id": NHUNG_ID})


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def sso_app(web_home: Path, provider: Provider) -> Iterator[TestClient]:
    """The app with SSO through :func:`provider`, made once for the module."""
    with pytest.MonkeyPatch.context() as env:
        for name in OIDC_VARIABLES:
            env.delenv(name, raising=False)
        env.setenv("SOHOA_OIDC_ISSUER", provider.issuer)
        env.setenv("SOHOA_OIDC_CLIENT_ID", CLIENT_ID)
        env.setenv("SOHOA_OIDC_CLIENT_SECRET", CLIENT_SECRET)
        app = create_app(web_home)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def sso(sso_app: TestClient, provider: Provider) -> TestClient:
    """:func:`sso_app` without cookies, Nhung signing in at the provider."""
    sso_app.cookies.clear()
    provider.reset(NHUNG)
    return sso_app


def to_provider(client: TestClient, next: str = "/") -> str:
    """Start the sign-in; the callback URL the provider sends the browser back to."""
    start = client.get("/login/oidc", params={"next": next}, follow_redirects=False)
    assert start.status_code == 303, start.text
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    callback = at_provider.headers["location"]
    assert callback.startswith("https://testserver/auth/oidc/callback?")
    return callback


def sso_sign_in(client: TestClient, next: str = "/") -> httpx.Response:
    return client.get(to_provider(client, next), follow_redirects=False)


def assert_refused(response: httpx.Response, status: int, sentence: str) -> None:
    """One sentence on the sign-in page, no session, the flow cookie dropped."""
    assert response.status_code == status, response.text
    assert sentence in response.text
    assert "Traceback" not in response.text
    assert SESSION_COOKIE not in response.cookies
    assert not any(SESSION_COOKIE in h for h in response.headers.get_list("set-cookie"))


def sso_accounts(client: TestClient) -> set[str]:
    return {p.username for p in client.app.state.accounts.all() if p.username.startswith("sso-")}


def test_a_new_citizen_signs_in_and_reads_their_documents(
    sso: TestClient, provider: Provider
) -> None:
    signed = sso_sign_in(sso)
    assert signed.status_code == 303 and signed.headers["location"] == "/me"
    assert SESSION_COOKIE in signed.cookies
    me = sso.get("/api/v1/me").json()
    assert me == {
        "username": sso_username(provider.issuer, "vneid-nhung"),
        "role": "citizen",
        "display_name": "Nguyễn Thị Hồng Nhung",
        "personal_id": NHUNG_ID,
    }
    hits = sso.get("/api/v1/documents").json()["hits"]
    assert {hit["document_id"] for hit in hits} == {"doc-nhung-birth", "doc-marriage"}
    assert sso.get("/api/v1/documents/doc-binh-card").status_code == 404
    # the protocol as asked of the provider: code flow, PKCE S256, state, nonce
    (asked,) = provider.authorize_requests
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert asked["state"] and asked["nonce"] and asked["scope"] == "openid profile"
    (exchanged,) = provider.token_requests
    assert len(exchanged["code_verifier"]) >= 43
    assert exchanged["redirect_uri"] == "https://testserver/auth/oidc/callback"


def test_a_second_sign_in_reuses_the_account_and_goes_next(
    sso: TestClient, provider: Provider
) -> None:
    provider.reset(User("vneid-nhung-2", {"name": "Nhung", "personal_id": NHUNG_ID}))
    assert sso_sign_in(sso).status_code == 303
    before = sso_accounts(sso)
    sso.cookies.clear()
    again = sso_sign_in(sso, next="/documents/doc-nhung-birth")
    assert again.headers["location"] == "/documents/doc-nhung-birth"
    assert sso_accounts(sso) == before
    assert sso.get("/api/v1/me").json()["username"] == sso_username(
        provider.issuer, "vneid-nhung-2"
    )
    sso.cookies.clear()
    assert sso_sign_in(sso, next="https://evil.example/").headers["location"] == "/me"


def test_the_personal_id_may_come_from_userinfo(sso: TestClient, provider: Provider) -> None:
    provider.reset(
        User("vneid-binh", userinfo_only={"name": "Trần Văn Bình", "personal_id": BINH_ID})
    )
    assert sso_sign_in(sso).status_code == 303
    me = sso.get("/api/v1/me").json()
    assert me["personal_id"] == BINH_ID and me["display_name"] == "Trần Văn Bình"


def test_a_linked_staff_account_signs_in_with_its_role(sso: TestClient, provider: Provider) -> None:
    accounts = sso.app.state.accounts
    accounts.add("can.bo.sso", "officer", "Cán Bộ SSO", oidc=(provider.issuer, "vneid-officer"))
    provider.reset(User("vneid-officer", {"name": "Ai Đó", "personal_id": NHUNG_ID}))
    signed = sso_sign_in(sso)
    assert signed.status_code == 303 and signed.headers["location"] == "/documents"
    me = sso.get("/api/v1/me").json()
    assert (me["username"], me["role"]) == ("can.bo.sso", "officer")


def test_an_existing_staff_account_linked_later_signs_in_through_sso(
    sso: TestClient, provider: Provider
) -> None:
    accounts = sso.app.state.accounts
    accounts.add("van.thu.2", "clerk", "Văn Thư Hai", password="mật khẩu văn thư")
    accounts.link_oidc("van.thu.2", provider.issuer, "vneid-clerk")  # `sohoa account link`
    with pytest.raises(AccountError, match="another account"):
        accounts.link_oidc("can.bo", provider.issuer, "vneid-clerk")
    provider.reset(User("vneid-clerk", {"name": "Văn Thư Hai"}))
    assert sso_sign_in(sso).status_code == 303
    me = sso.get("/api/v1/me").json()
    assert (me["username"], me["role"]) == ("van.thu.2", "clerk")


@pytest.mark.parametrize(
    "claims",
    [
        {"name": "Không Số"},
        {"name": "Số Ngắn", "personal_id": "00109501234"},
        {"name": "Số Là Số", "personal_id": 1095012345},
        {"name": "Chữ", "personal_id": "00109501234x"},
        {"name": "Số Ả Rập", "personal_id": "٠٠١٠٩٥٠١٢٣٤٥"},
    ],
    ids=["none", "11-digits", "a-number", "not-digits", "not-ascii-digits"],
)
def test_an_unlinked_identity_without_a_personal_id_is_refused(
    sso: TestClient, provider: Provider, claims: dict[str, object]
) -> None:
    provider.reset(User("vneid-nobody", claims))
    before = sso_accounts(sso)
    assert_refused(sso_sign_in(sso), 403, NO_ID)
    assert sso_accounts(sso) == before


def test_a_disabled_sso_account_is_refused(sso: TestClient, provider: Provider) -> None:
    provider.reset(User("vneid-disabled", {"name": "Khoá", "personal_id": NHUNG_ID}))
    assert sso_sign_in(sso).status_code == 303
    sso.app.state.accounts.disable(sso_username(provider.issuer, "vneid-disabled"))
    sso.cookies.clear()
    assert_refused(sso_sign_in(sso), 403, REFUSED)


@pytest.mark.parametrize(
    ("misbehaviour", "status", "sentence"),
    [
        (Misbehaviour(deny=True), 401, CANCELLED),
        (Misbehaviour(nonce="another-nonce"), 401, NOT_VERIFIED),
        (Misbehaviour(audience="another-client"), 401, NOT_VERIFIED),
        (Misbehaviour(audience="another-client", azp=CLIENT_ID), 401, NOT_VERIFIED),
        (Misbehaviour(issuer="https://sso.example"), 401, NOT_VERIFIED),
        (Misbehaviour(lifetime=-600), 401, NOT_VERIFIED),
        (Misbehaviour(other_key=True), 401, NOT_VERIFIED),
    ],
    ids=["access-denied", "nonce", "audience", "audience-azp", "issuer", "expired", "other-key"],
)
def test_a_provider_answering_wrongly_is_refused(
    sso: TestClient,
    provider: Provider,
    misbehaviour: Misbehaviour,
    status: int,
    sentence: str,
    request: pytest.FixtureRequest,
) -> None:
    sub = f"vneid-wrong-{request.node.callspec.id}"
    provider.reset(User(sub, {"name": "Sai", "personal_id": NHUNG_ID}))
    provider.misbehaviour = misbehaviour
    assert_refused(sso_sign_in(sso), status, sentence)
    assert sso_username(provider.issuer, sub) not in sso_accounts(sso)


def test_the_flow_cookie_is_short_lived_httponly_secure_lax_and_opaque(sso: TestClient) -> None:
    start = sso.get("/login/oidc", follow_redirects=False)
    (cookie,) = [h for h in start.headers.get_list("set-cookie") if h.startswith(FLOW_COOKIE)]
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/auth/oidc/", "max-age=600"} <= flags
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    assert state not in cookie


def test_a_callback_without_its_own_flow_cookie_is_refused(
    sso: TestClient, provider: Provider
) -> None:
    secret = sso.app.state.web.secret
    callback = to_provider(sso)
    flow = unseal(sso.cookies.get(FLOW_COOKIE), secret)
    assert flow is not None
    forged = {
        "none": None,
        "altered": seal(flow, secret)[:-4] + "AAAA",
        "another key": seal(flow, b"another server's secret key, 32b"),
        "expired": seal(flow, secret, at=time.time() - 11 * 60),
        "another state": seal(replace(flow, state="x" * 43), secret),
    }
    for name, value in forged.items():
        sso.cookies.clear()
        sent = {} if value is None else {"Cookie": f"{FLOW_COOKIE}={value}"}
        response = sso.get(callback, headers=sent, follow_redirects=False)
        assert response.status_code == 400, name
        assert_refused(response, 400, EXPIRED)
    assert provider.token_requests == []  # refused before the code was ever used


def test_a_used_flow_cannot_be_replayed(sso: TestClient, provider: Provider) -> None:
    provider.misbehaviour.reuse_codes = True  # even if the provider took the code again
    callback = to_provider(sso)
    cookie = sso.cookies.get(FLOW_COOKIE)
    assert sso.get(callback, follow_redirects=False).status_code == 303
    sso.cookies.clear()
    replayed = sso.get(
        callback, headers={"Cookie": f"{FLOW_COOKIE}={cookie}"}, follow_redirects=False
    )
    assert_refused(replayed, 400, EXPIRED)


def test_without_an_issuer_there_is_no_sso(web_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OIDC_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with TestClient(create_app(web_home), base_url="https://testserver") as client:
        page = client.get("/login")
        assert page.status_code == 200 and "/login/oidc" not in page.text
        assert client.get("/login/oidc", follow_redirects=False).status_code == 404
        assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404


def test_the_login_page_offers_the_sso(sso: TestClient) -> None:
    page = sso.get("/login?next=/me")
    assert re.search(r'href="/login/oidc\?next=(%2F|/)me"', page.text)
    assert "Định danh điện tử (SSO)" in page.text


def test_an_unreachable_provider_is_one_sentence(
    web_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("SOHOA_OIDC_ISSUER", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SOHOA_OIDC_CLIENT_ID", CLIENT_ID)
    with TestClient(create_app(web_home), base_url="https://testserver") as client:
        response = client.get("/login/oidc", follow_redirects=False)
    assert_refused(response, 502, UNREACHABLE)


def test_settings_from_the_environment() -> None:
    assert OidcSettings.from_environ({}) is None
    settings = OidcSettings.from_environ(
        {"SOHOA_OIDC_ISSUER": "https://sso.example", "SOHOA_OIDC_CLIENT_ID": "sohoa"}
    )
    assert settings is not None
    assert (settings.scopes, settings.id_claim, settings.client_secret) == (
        "openid profile",
        "personal_id",
        None,
    )
    assert settings.display_name == "Định danh điện tử (SSO)"
    with pytest.raises(ValueError, match="https"):
        OidcSettings.from_environ(
            {"SOHOA_OIDC_ISSUER": "http://sso.example", "SOHOA_OIDC_CLIENT_ID": "sohoa"}
        )
    with pytest.raises(ValueError, match="CLIENT_ID"):
        OidcSettings.from_environ({"SOHOA_OIDC_ISSUER": "https://sso.example"})
