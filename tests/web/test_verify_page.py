"""``sohoa serve``'s public verification: the page a signed document's QR code opens, and
its JSON twin, on a real local store and SQLite catalog with a document signed by the
development CA -- what ``sohoa verify`` says of the stored bytes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import jsonschema
import pytest
from fastapi.testclient import TestClient

from sohoa.storage.catalog import Catalog
from sohoa.storage.library import Library
from sohoa.web.app import PUBLIC, create_app

from ..signed import dev_signed_blank
from .webdata import free_port, serve

SOHOA = str(Path(sys.executable).with_name("sohoa"))
DOCUMENT_ID = "20261207-0123456789abcdef"
SCHEMA = json.loads(
    (Path(__file__).parents[1] / "data" / "contract" / "verify.schema.json").read_text()
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SOHOA_HOME holding one signed, stored birth certificate."""
    home = tmp_path_factory.mktemp("home")
    signed = dev_signed_blank(home, tmp_path_factory.mktemp("pdf") / "signed.pdf")
    extract = {
        "source": "scan-0001.tif",
        "pages": [1],
        "doc_type": "birth_certificate",
        "doc_type_confidence": 0.98,
        "fields": {"full_name": "NGUYỄN THỊ HỒNG NHUNG", "date_of_birth": "1995-03-12"},
        "field_confidence": {"full_name": 0.93, "date_of_birth": 0.99},
        "needs_review": False,
        "text": "GIẤY KHAI SINH",
    }
    with Library.open(home, environ={}) as library:
        library.store_document(signed, extract, document_id=DOCUMENT_ID)
    return home


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(home), raise_server_exceptions=False) as client:
        yield client


def test_healthz_says_ok_when_store_and_catalog_answer(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_the_public_page_shows_signer_time_level_validity_and_hash(
    client: TestClient, home: Path
) -> None:
    with Catalog.open(f"sqlite:///{home / 'catalog.sqlite'}") as catalog:
        stored = catalog.document(DOCUMENT_ID)
    assert stored is not None
    page = client.get(f"/verify/{DOCUMENT_ID}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Hợp lệ" in html and stored.sha256 in html and "B-B" in html
    assert "sohoa TEST signer" in html  # the development CA's signer
    with Catalog.open(f"sqlite:///{home / 'catalog.sqlite'}") as catalog:
        trail = catalog.audit_trail(DOCUMENT_ID)
    assert any(e.action == "read" and e.actor == PUBLIC for e in trail)


def test_the_api_answers_as_sohoa_verify_does(client: TestClient) -> None:
    body = client.get(f"/api/v1/verify/{DOCUMENT_ID}").json()
    report = {key: body[key] for key in ("file", "valid", "signatures")}
    jsonschema.validate(report, SCHEMA)
    assert body["valid"] and body["document_id"] == DOCUMENT_ID and len(body["sha256"]) == 64
    (signature,) = body["signatures"]
    assert signature["intact"] and signature["trusted"] and signature["level"] == "B-B"


def test_an_unknown_document_is_a_sentence_not_a_stack_trace(client: TestClient) -> None:
    page = client.get("/verify/20261207-ffffffffffffffff")
    assert page.status_code == 404
    assert "Không có văn bản" in page.text and "Traceback" not in page.text
    api = client.get("/api/v1/verify/20261207-ffffffffffffffff")
    assert api.status_code == 404 and "Không có văn bản" in api.json()["detail"]


def test_the_openapi_schema_lists_the_json_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/verify/{document_id}" in paths and "/healthz" in paths
    assert "/verify/{document_id}" not in paths  # the HTML page is not API


def test_the_stored_pdf_sent_back_is_that_document_intact(
    client: TestClient, home: Path, tmp_path: Path
) -> None:
    with Library.open(home, environ={}) as library:
        library.get(DOCUMENT_ID, tmp_path / "mine.pdf")
    mine = (tmp_path / "mine.pdf").read_bytes()
    sent = {"file": ("mine.pdf", mine, "application/pdf")}
    body = client.post(f"/api/v1/verify/{DOCUMENT_ID}", files=sent).json()
    assert (body["same_document"], body["version"], body["current"]) == (True, 1, True)
    assert body["verification"]["valid"]
    page = client.post(f"/verify/{DOCUMENT_ID}", files=sent)
    assert page.status_code == 200 and "đúng là văn bản này, phiên bản 1 (hiện hành)" in page.text


def test_a_changed_copy_is_not_that_document(client: TestClient, home: Path, tmp_path) -> None:
    with Library.open(home, environ={}) as library:
        library.get(DOCUMENT_ID, tmp_path / "mine.pdf")
    mine = (tmp_path / "mine.pdf").read_bytes()
    changed = mine.replace(b" 595 842", b" 596 842", 1)  # the page made wider: a signed byte
    sent = {"file": ("changed.pdf", changed, "application/pdf")}
    body = client.post(f"/api/v1/verify/{DOCUMENT_ID}", files=sent).json()
    assert not body["same_document"] and body["version"] is None
    assert not body["verification"]["valid"]
    assert not body["verification"]["signatures"][0]["intact"]
    page = client.post(f"/verify/{DOCUMENT_ID}", files=sent)
    assert "không phải là văn bản này" in page.text


def test_what_is_not_a_pdf_is_refused_in_a_sentence(client: TestClient) -> None:
    sent = {"file": ("photo.jpg", b"\xff\xd8\xff\xe0 not a pdf", "image/jpeg")}
    api = client.post(f"/api/v1/verify/{DOCUMENT_ID}", files=sent)
    assert api.status_code == 415 and "không phải là tệp PDF" in api.json()["detail"]
    page = client.post(f"/verify/{DOCUMENT_ID}", files=sent)
    assert page.status_code == 415 and "Traceback" not in page.text


def test_sohoa_serve_answers_over_real_http(home: Path) -> None:
    """The console script's server, on a free port: /healthz, then the verify page the
    stamp's QR code points to."""
    with serve(home, free_port()) as live:
        assert httpx.get(f"{live.url}/healthz").json() == {"status": "ok"}
        page = httpx.get(f"{live.url}/verify/{DOCUMENT_ID}", timeout=30)
        assert page.status_code == 200 and "Hợp lệ" in page.text
