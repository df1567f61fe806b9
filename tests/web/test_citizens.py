"""Citizens see exactly the documents that carry their personal ID -- not another's, by
ID, by search or by a guessed link -- and share one through a link that expires, can be
revoked, and opens that one document only."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from sohoa.storage.catalog import Catalog
from sohoa.storage.catalog.models import ShareLink

from .webdata import BINH_ID, NHUNG_ID, OTHER_ID, sign_in

Signed = tuple[TestClient, str]  # a client signed in, and its CSRF token


@pytest.fixture
def nhung(web: TestClient) -> Signed:
    return web, sign_in(web, "nhung")


def _ids(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return sorted(hit["document_id"] for hit in answer.json()["hits"])


def test_a_citizen_sees_exactly_the_documents_carrying_their_id(nhung: Signed) -> None:
    client, _ = nhung
    assert _ids(client.get("/api/v1/documents")) == ["doc-marriage", "doc-nhung-birth"]
    page = client.get("/me")
    assert "doc-nhung-birth" in page.text and "doc-marriage" in page.text
    assert "doc-binh-card" not in page.text and "doc-other-ct07" not in page.text


@pytest.mark.parametrize(
    "params",
    [
        {"q": "tran van binh"},
        {"id_number": BINH_ID},
        {"q": OTHER_ID},
        {"q": "do minh khoa"},
        {"doc_type": "residence_confirmation"},
        {"id_number": OTHER_ID, "q": "khoa"},
    ],
)
def test_search_never_reaches_another_citizens_documents(
    nhung: Signed, params: dict[str, str]
) -> None:
    client, _ = nhung
    found = _ids(client.get("/api/v1/documents", params=params))
    assert "doc-binh-card" not in found and "doc-other-ct07" not in found
    if params.get("q") == "tran van binh":  # the marriage certificate is hers too
        assert found == ["doc-marriage"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/documents/doc-binh-card",
        "/api/v1/documents/doc-binh-card/pdf",
        "/api/v1/documents/doc-other-ct07/verification",
        "/documents/doc-binh-card",
        "/documents/doc-other-ct07/pdf?download=1",
    ],
)
def test_another_citizens_document_by_id_is_not_found(nhung: Signed, path: str) -> None:
    client, _ = nhung
    answer = client.get(path)
    assert answer.status_code == 404
    assert b"%PDF" not in answer.content and "TRẦN VĂN BÌNH" not in answer.text


def test_a_citizen_cannot_share_anothers_document(nhung: Signed) -> None:
    client, csrf = nhung
    answer = client.post(
        "/api/v1/documents/doc-binh-card/shares", json={"hours": 1}, headers={"X-CSRF-Token": csrf}
    )
    assert answer.status_code == 404


def test_download_own_document(nhung: Signed, web_home: Path) -> None:
    client, _ = nhung
    pdf = client.get("/documents/doc-nhung-birth/pdf?download=1")
    assert pdf.status_code == 200 and pdf.headers["content-disposition"].startswith("attachment")
    with Catalog.open(f"sqlite:///{web_home / 'catalog.sqlite'}") as catalog:
        record = catalog.document("doc-nhung-birth")
        trail = catalog.audit_trail("doc-nhung-birth")
    assert record is not None and hashlib.sha256(pdf.content).hexdigest() == record.sha256
    assert ("nhung", "downloaded") in {(e.actor, e.action) for e in trail}


def test_share_link_opens_that_document_for_anyone_until_revoked(
    web: TestClient, web_home: Path
) -> None:
    csrf = sign_in(web, "nhung")
    made = web.post(
        "/api/v1/documents/doc-marriage/shares", json={"hours": 72}, headers={"X-CSRF-Token": csrf}
    )
    assert made.status_code == 201, made.text
    share = made.json()
    assert share["live"] and share["version"] == 1
    expires = datetime.fromisoformat(share["expires_at"])
    assert timedelta(hours=71) < expires - datetime.now(UTC) <= timedelta(hours=72)
    url = share["url"]
    assert re.fullmatch(r"https://testserver/s/[A-Za-z0-9_-]{43}", url)
    path = url.removeprefix("https://testserver")

    web.cookies.clear()  # another office: no account at all
    opened = web.get(path)
    assert opened.status_code == 200 and "doc-marriage" in opened.text
    pdf = web.get(path + "/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    # the link cannot be widened: it names no document, and opens nothing else
    assert web.get(path + "/../doc-nhung-birth").status_code == 404
    assert web.get("/api/v1/documents/doc-nhung-birth").status_code == 401

    csrf = sign_in(web, "nhung")
    listed = web.get("/api/v1/shares").json()["shares"]
    assert [s["share_id"] for s in listed] == [share["share_id"]]
    assert "url" not in listed[0]  # the token is not kept
    revoked = web.delete(f"/api/v1/shares/{share['share_id']}", headers={"X-CSRF-Token": csrf})
    assert revoked.status_code == 200 and revoked.json()["live"] is False
    web.cookies.clear()
    assert web.get(path).status_code == 404 and web.get(path + "/pdf").status_code == 404

    with Catalog.open(f"sqlite:///{web_home / 'catalog.sqlite'}") as catalog:
        trail = [(e.actor, e.action) for e in catalog.audit_trail("doc-marriage")]
    share_actor = f"share:{share['share_id']}"
    assert ("nhung", "shared") in trail and ("nhung", "revoked") in trail
    assert (share_actor, "read") in trail and (share_actor, "downloaded") in trail


def test_an_expired_link_is_refused(web: TestClient, web_home: Path) -> None:
    csrf = sign_in(web, "binh")
    share = web.post(
        "/api/v1/documents/doc-binh-card/shares", json={"hours": 1}, headers={"X-CSRF-Token": csrf}
    ).json()
    path = share["url"].removeprefix("https://testserver")
    assert web.get(path).status_code == 200
    expired = (
        update(ShareLink)
        .where(ShareLink.share_id == share["share_id"])
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    with (
        Catalog.open(f"sqlite:///{web_home / 'catalog.sqlite'}") as catalog,
        Session(catalog.writer) as session,
        session.begin(),
    ):
        session.execute(expired)
    assert web.get(path).status_code == 404 and web.get(path + "/pdf").status_code == 404


def test_a_guessed_link_opens_nothing(web: TestClient) -> None:
    for token in ("a" * 43, "doc-nhung-birth", "1", "%2e%2e"):
        answer = web.get(f"/s/{token}")
        assert answer.status_code == 404
        assert "Liên kết chia sẻ không tồn tại" in answer.text


def test_only_the_owner_revokes_a_link(web: TestClient) -> None:
    csrf = sign_in(web, "nhung")
    share = web.post(
        "/api/v1/documents/doc-marriage/shares", json={"hours": 2}, headers={"X-CSRF-Token": csrf}
    ).json()
    csrf = sign_in(web, "binh")  # his marriage too, but not his link
    refused = web.delete(f"/api/v1/shares/{share['share_id']}", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 404
    assert web.get(share["url"].removeprefix("https://testserver")).status_code == 200


def test_the_page_form_makes_and_revokes_a_link(web: TestClient) -> None:
    sign_in(web, "nhung")
    page = web.get("/me").text
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert csrf
    made = web.post(
        "/me/shares",
        data={"document_id": "doc-nhung-birth", "hours": "24", "csrf_token": csrf[1]},
    )
    assert made.status_code == 200 and "Đã tạo liên kết chia sẻ" in made.text
    link = re.search(r"<code>(https://testserver/s/[^<]+)</code>", made.text)
    assert link
    share_id = re.search(r'action="/me/shares/([0-9a-f]+)/revoke"', made.text)
    assert share_id
    gone = web.post(f"/me/shares/{share_id[1]}/revoke", data={"csrf_token": csrf[1]})
    assert gone.status_code == 200 and "đã thu hồi" in gone.text
    assert web.get(link[1].removeprefix("https://testserver")).status_code == 404


def test_a_citizens_id_is_what_binds_not_the_name(web: TestClient) -> None:
    sign_in(web, "binh")
    assert _ids(web.get("/api/v1/documents")) == ["doc-binh-card", "doc-marriage"]
    assert NHUNG_ID not in web.get("/api/v1/me").text
