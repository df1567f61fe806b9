"""The officers' archive: search by dossier code, personal ID, name with or without
diacritics, type and date range; a document's fields, signature status, versions and
audit history; the signed PDF byte-identical to ``sohoa get``."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from .webdata import BINH_ID, DOSSIER, NHUNG_ID, sign_in

SOHOA = str(Path(sys.executable).with_name("sohoa"))
SCHEMA = json.loads(
    (Path(__file__).parents[1] / "data" / "contract" / "verify.schema.json").read_text()
)


@pytest.fixture
def officer(web: TestClient) -> TestClient:
    sign_in(web, "can.bo")
    return web


def _found(client: TestClient, **params: str) -> list[str]:
    answer = client.get("/api/v1/documents", params=params)
    assert answer.status_code == 200, answer.text
    return sorted(hit["document_id"] for hit in answer.json()["hits"])


def test_search_by_dossier_code_and_personal_id(officer: TestClient) -> None:
    assert _found(officer, dossier_code=DOSSIER) == ["doc-nhung-birth"]
    assert _found(officer, id_number=BINH_ID) == ["doc-binh-card", "doc-marriage"]
    assert _found(officer, q=NHUNG_ID) == ["doc-marriage", "doc-nhung-birth"]


@pytest.mark.parametrize(
    "name", ["Nguyễn Thị Hồng Nhung", "nguyen thi hong nhung", "NGUYEN HONG NHUNG"]
)
def test_search_by_name_with_or_without_diacritics(officer: TestClient, name: str) -> None:
    assert _found(officer, q=name) == ["doc-marriage", "doc-nhung-birth"]


def test_search_by_type_and_date_range(officer: TestClient) -> None:
    assert _found(officer, q="nhung", doc_type="birth_certificate") == ["doc-nhung-birth"]
    # key date: the registration date where there is one (1995-04-02, 2020-10-10)
    assert _found(officer, date_from="2020-01-01", date_to="2020-12-31") == ["doc-marriage"]
    assert _found(officer, q="nhung", date_to="2000-01-01") == ["doc-nhung-birth"]


def test_the_hits_are_the_contracts_search_objects(officer: TestClient) -> None:
    hit = officer.get("/api/v1/documents", params={"dossier_code": DOSSIER}).json()["hits"][0]
    assert {"document_id", "doc_type", "dossier_code", "fields"} <= hit.keys()
    assert hit["fields"]["full_name"] == "NGUYỄN THỊ HỒNG NHUNG"


def test_the_search_page_shows_the_hits_in_vietnamese(officer: TestClient) -> None:
    page = officer.get("/documents", params={"q": "tran van binh"})
    assert page.status_code == 200
    assert "2 kết quả" in page.text and "TRẦN VĂN BÌNH" in page.text
    assert 'href="/documents/doc-binh-card"' in page.text


def test_the_search_form_as_a_browser_sends_it(officer: TestClient) -> None:
    """Empty boxes come as empty parameters (``date_from=``): no filter, not an error."""
    form = {"q": "binh", "dossier_code": "", "id_number": "", "doc_type": ""}
    page = officer.get("/documents", params={**form, "date_from": "", "date_to": ""})
    assert page.status_code == 200 and "2 kết quả" in page.text


def test_a_bad_search_parameter_is_refused_not_crashed(officer: TestClient) -> None:
    answer = officer.get("/api/v1/documents", params={"date_from": "hôm qua", "limit": "0"})
    assert answer.status_code == 422
    assert {tuple(e["loc"]) for e in answer.json()["detail"]} == {
        ("query", "date_from"),
        ("query", "limit"),
    }
    page = officer.get("/documents", params={"date_from": "hôm qua"})
    assert page.status_code == 400 and "Yêu cầu không hợp lệ" in page.text


def test_the_document_page_shows_pdf_fields_signature_versions_and_history(
    officer: TestClient,
) -> None:
    page = officer.get("/documents/doc-marriage")
    assert page.status_code == 200
    text = page.text
    assert '<iframe class="pdf" src="/documents/doc-marriage/pdf"' in text
    assert "<dt>Họ, chữ đệm, tên người vợ</dt><dd>NGUYỄN THỊ HỒNG NHUNG</dd>" in text
    assert "<dt>Ngày đăng ký</dt><dd>10/10/2020</dd>" in text  # dates as papers print them
    assert "<strong>TRẦN VĂN BÌNH – NGUYỄN THỊ HỒNG NHUNG</strong>" in text
    signer = officer.get("/api/v1/documents/doc-marriage/verification").json()["signatures"][0]
    assert 'id="signature-status"><strong>Hợp lệ:' in text
    assert f"<dd>{signer['signer']}</dd>" in text and f"<dd>{signer['level']}</dd>" in text
    assert "1 (hiện hành)" in text
    assert 'id="audit"' in text and 'data-action="stored">lưu<' in text


def test_the_verification_is_sohoa_verify_s_object(officer: TestClient) -> None:
    report = officer.get("/api/v1/documents/doc-binh-card/verification").json()
    jsonschema.validate(report, SCHEMA)
    assert report["valid"] is True and report["document_id"] == "doc-binh-card"


def test_download_is_byte_identical_to_sohoa_get_and_audited(
    officer: TestClient, web_home: Path, tmp_path: Path
) -> None:
    answer = officer.get("/api/v1/documents/doc-nhung-birth/pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'attachment; filename="doc-nhung-birth.pdf"'
    got = subprocess.run(
        [SOHOA, "get", "doc-nhung-birth", "-o", str(tmp_path / "cli.pdf")],
        env={"SOHOA_HOME": str(web_home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert got.returncode == 0, got.stderr
    assert answer.content == (tmp_path / "cli.pdf").read_bytes()
    document = officer.get("/api/v1/documents/doc-nhung-birth").json()
    assert hashlib.sha256(answer.content).hexdigest() == document["sha256"]
    assert [v["version"] for v in document["versions"]] == [1]
    events = officer.get("/api/v1/documents/doc-nhung-birth/audit").json()["events"]
    assert ("can.bo", "downloaded") in {(e["actor"], e["action"]) for e in events}
    assert ("can.bo", "read") in {(e["actor"], e["action"]) for e in events}


def test_an_inline_view_is_inline(officer: TestClient) -> None:
    answer = officer.get("/documents/doc-binh-card/pdf")
    assert answer.headers["content-disposition"].startswith("inline;")
    assert answer.content.startswith(b"%PDF-")


def test_an_unknown_document_is_one_sentence(officer: TestClient) -> None:
    assert officer.get("/api/v1/documents/nope").json() == {"detail": "Không có văn bản mã nope."}
    page = officer.get("/documents/nope")
    assert page.status_code == 404 and "Không có văn bản mã nope." in page.text
