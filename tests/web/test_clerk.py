"""The clerk's journey (issue #7), server side: a scanned batch uploaded, run by the real
``sohoa process`` (a subprocess: real OCR, the development CA, the local store and
SQLite), its progress read, the document it set aside reviewed beside its page image,
corrected and approved -- signed, stored, the correction audited under the clerk's name.
Then who may do it, and what an upload may be."""

from __future__ import annotations

import html
import io
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from sohoa.synth.corpus import generate_batch
from sohoa.web.app import create_app
from sohoa.web.batches import Batch, Batches, BatchSettings
from sohoa.web.corrections import kinds

from .webdata import make_home, sign_in

CLERK = "van.thu"


@pytest.fixture(scope="module")
def clerk_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("clerk-home"), tmp_path_factory.mktemp("work"))


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three pages: a separator sheet, an application form the pipeline is unsure of (its
    birth date misread: the ID number's year digits disagree), a birth certificate."""
    path = tmp_path_factory.mktemp("scans") / "batch.pdf"
    truth = generate_batch(path, seed=3, n_dossiers=1, docs_per_dossier=(2, 2))
    assert [d["doc_type"] for d in truth["documents"]] == [
        "application_form",
        "birth_certificate",
    ]
    return path


def client(home: Path, monkeypatch: pytest.MonkeyPatch, **environ: str) -> TestClient:
    monkeypatch.setenv("SOHOA_BATCH_JOBS", "2")
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    app = create_app(home)
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False)


def wait_done(web: TestClient, batch_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = web.get(f"/api/v1/batches/{batch_id}").json()
        if batch["state"] in ("done", "failed"):
            return batch
        time.sleep(0.5)
    raise AssertionError(f"batch {batch_id} not done in {timeout} s: {batch}")


def test_a_clerk_uploads_watches_reviews_corrects_and_approves(
    clerk_home: Path, scans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.monotonic()
    with client(clerk_home, monkeypatch) as web:
        token = sign_in(web, CLERK)
        form = web.get("/batches")
        assert form.status_code == 200 and 'id="upload-form"' in form.text
        assert token in form.text  # the form carries the session's CSRF token
        sent = web.post(
            "/batches",
            data={"csrf_token": token, "dossier_code": ""},
            files=[("files", ("lô quét 1.pdf", scans.read_bytes(), "application/pdf"))],
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        batch_id = sent.headers["location"].removeprefix("/batches/")
        page = web.get(f"/batches/{batch_id}")
        assert page.status_code == 200 and 'id="batch-state"' in page.text
        if 'data-state="running"' in page.text or 'data-state="queued"' in page.text:
            assert page.headers["refresh"] == "3"  # it reloads itself while not done

        batch = wait_done(web, batch_id)
        assert batch["state"] == "done", batch
        assert batch["exit_code"] == 0 and batch["errors"] == []
        assert (batch["pages_done"], batch["pages_total"]) == (3, 3)
        assert [d["doc_type"] for d in batch["stored"]] == ["birth_certificate"]
        (set_aside,) = batch["review"]
        assert set_aside["doc_type"] == "application_form" and set_aside["waiting"]
        assert batch["uploaded_by"] == CLERK and batch["files"][0]["name"] == "lô quét 1.pdf"
        document_id = set_aside["document_id"]
        done = web.get(f"/batches/{batch_id}")
        assert "refresh" not in done.headers and f'href="/review/{document_id}"' in done.text
        listed = web.get("/api/v1/batches").json()["batches"]
        assert [b["batch_id"] for b in listed] == [batch_id]

        queue = web.get("/review")
        assert queue.status_code == 200 and f'href="/review/{document_id}"' in queue.text
        (waiting,) = web.get("/api/v1/review").json()["documents"]
        assert waiting["document_id"] == document_id and waiting["unsure"]

        review = web.get(f"/review/{document_id}")
        assert review.status_code == 200
        field_kinds = kinds("application_form")
        id_field = next(n for n, k in field_kinds.items() if k in ("personal_id", "id_number"))
        born_field = next(n for n, k in field_kinds.items() if k == "date")
        assert id_field in waiting["unsure"]
        assert f'id="row-{id_field}"' in review.text and "field unsure" in review.text
        assert f'name="field.{id_field}"' in review.text and "Cần kiểm tra:" in review.text
        assert f'src="/review/{document_id}/page/1.png"' in review.text

        image = web.get(f"/review/{document_id}/page/1.png")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        pixels = np.asarray(Image.open(io.BytesIO(image.content)).convert("RGB"), dtype=int)
        red = (pixels[..., 0] > 150) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80)
        assert red.sum() > 100  # the field to check outlined
        assert web.get(f"/review/{document_id}/page/2.png").status_code == 404

        # a value that cannot be right is said back, nothing stored
        wrong = web.post(
            f"/review/{document_id}",
            data={"csrf_token": token, f"field.{id_field}": "06806707316"},
        )
        assert wrong.status_code == 422
        assert "có 11 chữ số" in wrong.text and f'id="error-{id_field}"' in wrong.text
        assert 'value="06806707316"' in wrong.text  # what the clerk typed, kept
        assert web.get(f"/api/v1/documents/{document_id}").status_code == 404
        assert web.get(f"/review/{document_id}").status_code == 200

        # the form as a browser sends it: every field as shown, the birth date corrected
        found = re.findall(r'name="(field\.\w+)" value="([^"]*)"', review.text)
        shown = {name: html.unescape(value) for name, value in found}
        assert id_field in {name.removeprefix("field.") for name in shown}
        approved = web.post(
            f"/review/{document_id}",
            data={**shown, "csrf_token": token, f"field.{born_field}": "10/05/1967"},
            follow_redirects=False,
        )
        assert approved.status_code == 303, approved.text
        assert approved.headers["location"] == f"/documents/{document_id}"

        stored = web.get(f"/api/v1/documents/{document_id}").json()
        assert stored["fields"][born_field] == "1967-05-10"
        assert stored["needs_review"] is False
        verified = web.get(f"/api/v1/documents/{document_id}/verification").json()
        assert verified["valid"], verified
        events = web.get(f"/api/v1/documents/{document_id}/audit").json()["events"]
        (correction,) = [e for e in events if e["action"] == "corrected"]
        assert correction["actor"] == CLERK
        assert correction["detail"]["fields"][born_field][1] == "1967-05-10"
        assert id_field in correction["detail"]["confirmed"]  # flagged, looked at, kept
        page = web.get(f"/documents/{document_id}")
        assert page.status_code == 200 and "corrected" in page.text and CLERK in page.text

        assert web.get(f"/review/{document_id}").status_code == 404
        assert web.get("/api/v1/review").json()["documents"] == []
        after = web.get(f"/api/v1/batches/{batch_id}").json()
        assert after["review"][0]["waiting"] is False
    with client(clerk_home, monkeypatch) as again:  # a restarted server still lists it
        sign_in(again, CLERK)
        (listed,) = again.get("/api/v1/batches").json()["batches"]
        assert listed["batch_id"] == batch_id and listed["state"] == "done"
    assert time.monotonic() - started < 120


# -- who may, and what an upload may be ----------------------------------------------------


@pytest.mark.parametrize("username", ["can.bo", "nhung"])
def test_officers_and_citizens_may_not(web: TestClient, username: str) -> None:
    token = sign_in(web, username)
    for path in ("/batches", "/review", "/review/x", "/api/v1/batches", "/api/v1/review"):
        assert web.get(path).status_code == 403, path
    refused = web.post(
        "/api/v1/batches",
        headers={"X-CSRF-Token": token},
        files=[("files", ("a.pdf", b"%PDF-1.4\n", "application/pdf"))],
    )
    assert refused.status_code == 403
    assert web.post("/review/x", data={"csrf_token": token}).status_code == 403


def test_signed_out_is_sent_to_sign_in(web: TestClient) -> None:
    page = web.get("/batches", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert web.get("/api/v1/batches").status_code == 401


def test_an_upload_without_the_csrf_token_is_refused(web: TestClient, web_home: Path) -> None:
    sign_in(web, CLERK)
    pdf = [("files", ("a.pdf", b"%PDF-1.4\n" + b"0" * 5000, "application/pdf"))]
    assert web.post("/api/v1/batches", files=pdf).status_code == 403
    wrong = web.post("/api/v1/batches", files=pdf, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    form = web.post("/batches", data={"dossier_code": ""}, files=pdf)
    assert form.status_code == 403 and "tải lại trang" in form.text
    assert _batches(web_home) == []


def test_the_token_must_come_before_the_files(web: TestClient, web_home: Path) -> None:
    token = sign_in(web, CLERK)
    body = (
        b"--b\r\n"
        b'Content-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n'
        b"%PDF-1.4\n\r\n"
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b"\r\n--b--\r\n"
    )
    sent = web.post(
        "/batches", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert sent.status_code == 403
    cut_short = web.post(  # the closing boundary never comes
        "/api/v1/batches",
        content=body[: body.index(b"%PDF") + 9],
        headers={"Content-Type": "multipart/form-data; boundary=b", "X-CSRF-Token": token},
    )
    assert cut_short.status_code == 400 and "không trọn vẹn" in cut_short.json()["detail"]
    assert _batches(web_home) == []


def test_what_is_not_a_scan_is_refused_in_a_sentence(web: TestClient, web_home: Path) -> None:
    token = sign_in(web, CLERK)
    files = [
        ("files", ("p1.png", _png(), "image/png")),
        ("files", ("ghi chú.txt", "không phải ảnh".encode() * 100, "text/plain")),
    ]
    refused = web.post("/api/v1/batches", headers={"X-CSRF-Token": token}, files=files)
    assert refused.status_code == 415
    assert refused.json() == {
        "detail": "Tệp «ghi chú.txt» không phải ảnh quét (JPEG, PNG, TIFF) hay PDF."
    }
    zip_file = [("files", ("scan.pdf", b"PK\x03\x04" + b"\0" * 2000, "application/pdf"))]
    page = web.post("/batches", data={"csrf_token": token}, files=zip_file)
    assert page.status_code == 415 and "không phải ảnh quét" in page.text
    nothing = web.post("/api/v1/batches", headers={"X-CSRF-Token": token}, data={"x": "1"})
    assert nothing.status_code in (400, 415)
    plain = web.post("/api/v1/batches", headers={"X-CSRF-Token": token}, json={"files": []})
    assert plain.status_code == 415
    code = web.post(
        "/api/v1/batches",
        headers={"X-CSRF-Token": token},
        data={"dossier_code": "HS-123"},
        files=[("files", ("p1.png", _png(), "image/png"))],
    )
    assert code.status_code == 400 and "không phải mã hồ sơ" in code.json()["detail"]
    assert _batches(web_home) == []


def test_an_upload_over_the_limit_is_refused(
    web_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with client(web_home, monkeypatch, SOHOA_UPLOAD_MAX_MB="0.1") as web:  # 104,857 bytes
        token = sign_in(web, CLERK)
        big = b"%PDF-1.4\n" + b"0" * 1_300_000
        said = web.post(  # the request's length says it: refused before it is read
            "/api/v1/batches",
            headers={"X-CSRF-Token": token},
            files=[("files", ("big.pdf", big, "application/pdf"))],
        )
        assert said.status_code == 413
        assert said.json() == {"detail": "Lô quét quá lớn (tối đa 0,1 MB)."}

        def chunked() -> Iterator[bytes]:  # no length: counted as it comes
            yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.pdf"\r\n'
            yield b"\r\n%PDF-1.4\n"
            for _ in range(40):
                yield b"0" * 8192
            yield b"\r\n--b--\r\n"

        counted = web.post(
            "/api/v1/batches",
            content=chunked(),
            headers={"X-CSRF-Token": token, "Content-Type": "multipart/form-data; boundary=b"},
        )
        assert counted.status_code == 413 and "quá lớn" in counted.json()["detail"]
    assert _batches(web_home) == []


# -- a waiting document made by hand: the form's checks, without OCR -----------------------


def _set_aside(home: Path, document_id: str) -> None:
    folder = home / "review" / document_id
    folder.mkdir(parents=True)
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(folder / "archive.pdf")
    fields = {
        "id_number": "079088001122",
        "full_name": "TRẦN VĂN BÌNH",
        "date_of_birth": "1988-07-21",
        "sex": None,
        "nationality": "Việt Nam",
        "place_of_origin": None,
        "place_of_residence": None,
        "expiry_date": None,
    }
    extract = {
        "source": "/scans/the.pdf",
        "pages": [1],
        "doc_type": "citizen_id_card",
        "doc_type_confidence": 0.97,
        "fields": fields,
        "field_confidence": {**dict.fromkeys(fields, 0.95), "full_name": 0.5},
        "needs_review": True,
        "text": "",
        "problems": {},
        "document_id": document_id,
        "dossier_code": None,
    }
    (folder / "extract.json").write_text(json.dumps(extract, ensure_ascii=False))


def test_the_review_form_takes_only_fields_of_the_type_and_values_that_can_be(
    web: TestClient, web_home: Path
) -> None:
    document_id = "20261207-00000000000000aa"
    _set_aside(web_home, document_id)
    token = sign_in(web, CLERK)
    page = web.get(f"/review/{document_id}")
    assert page.status_code == 200
    assert "độ tin cậy 0,50" in page.text  # why the name is flagged, in Vietnamese
    assert 'value="21/07/1988"' in page.text  # a date as a clerk writes it
    assert web.get(f"/review/{document_id}/page/1.png").headers["content-type"] == "image/png"
    unknown = web.post(
        f"/review/{document_id}", data={"csrf_token": token, "field.owner_name": "X"}
    )
    assert unknown.status_code == 400 and "không có ô" in unknown.text
    no_token = web.post(f"/review/{document_id}", data={"field.full_name": "TRẦN VĂN BÌNH"})
    assert no_token.status_code == 403
    bad = {
        "field.id_number": "079088001I22",
        "field.date_of_birth": "31/02/1988",
        "field.sex": "không rõ",
        "field.expiry_date": "21/07/2048",  # an expiry to come: right
    }
    said = web.post(
        f"/api/v1/review/{document_id}",
        headers={"X-CSRF-Token": token},
        json={"fields": {k.removeprefix("field."): v for k, v in bad.items()}},
    )
    assert said.status_code == 422
    assert set(said.json()["errors"]) == {"id_number", "date_of_birth", "sex"}
    assert web.get(f"/review/{document_id}").status_code == 200  # still waiting
    province = web.post(
        f"/review/{document_id}", data={"csrf_token": token, "field.id_number": "999088001122"}
    )
    assert province.status_code == 422 and "không phải mã tỉnh" in province.text
    done = web.post(
        f"/api/v1/review/{document_id}",
        headers={"X-CSRF-Token": token},
        json={"fields": {"sex": "nam", "full_name": "Trần  Văn Bình"}},
    )
    assert done.status_code == 200, done.text
    stored = web.get(f"/api/v1/documents/{document_id}").json()
    assert stored["fields"]["sex"] == "Nam" and stored["fields"]["full_name"] == "Trần Văn Bình"
    (event,) = [
        e
        for e in web.get(f"/api/v1/documents/{document_id}/audit").json()["events"]
        if e["action"] == "corrected"
    ]
    assert event["detail"]["fields"] == {
        "sex": [None, "Nam"],
        "full_name": ["TRẦN VĂN BÌNH", "Trần Văn Bình"],
    }


# -- the runner: one batch at a time, stopped with the service, resumed after --------------


def test_a_batch_stopped_with_the_service_runs_again_when_it_starts(tmp_path: Path) -> None:
    """A stand-in for ``sohoa process``: the first run hangs (stopped with the service),
    the second finishes; the runner passes the batch's files and options."""
    fake = tmp_path / "fake_sohoa.py"
    fake.write_text(
        "import json, pathlib, sys, time\n"
        "marker = pathlib.Path(sys.argv[0]).with_name('ran-once')\n"
        "if not marker.exists():\n"
        "    marker.touch(); time.sleep(60)\n"
        "print(json.dumps(sys.argv[1:]))\n"
    )
    home = tmp_path / "home"
    settings = BatchSettings(jobs=1)
    runner = Batches(home, settings, command=[sys.executable, str(fake)])
    batch_id, incoming = runner.incoming()
    (incoming / "files" / "001-p.png").write_bytes(_png())
    files = [{"name": "p.png", "stored": "001-p.png", "size": 1}]
    meta = {"uploaded_by": CLERK, "dossier_code": "000.00.15.H26-251124-0001", "files": files}
    runner.add(batch_id, incoming, meta)
    runner.start()
    _until(lambda: (tmp_path / "ran-once").exists())
    runner.stop()
    assert _batch(runner, batch_id).state == "running"  # not finished: to run again
    again = Batches(home, settings, command=[sys.executable, str(fake)])
    again.start()
    try:
        _until(lambda: _batch(again, batch_id).finished is not None)
    finally:
        again.stop()
    batch = _batch(again, batch_id)
    assert batch.state == "done" and batch.started and batch.started["attempt"] == 2
    assert batch.started["pages"] == 1
    (args,) = [
        json.loads(line) for line in (batch.folder / "output.jsonl").read_text().splitlines()
    ]
    assert args[0] == "process" and args[1].endswith("/files/001-p.png")
    assert args[-2:] == ["--dossier", "000.00.15.H26-251124-0001"]


def test_scans_dropped_into_the_consume_folder_become_batches(tmp_path: Path) -> None:
    """Each file a batch, each folder a batch of its files (named as a dossier code: that
    dossier), once unchanged for the settling time; what holds no scan is set aside."""
    fake = tmp_path / "fake_sohoa.py"
    fake.write_text("import json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    consume = tmp_path / "consume"
    dossier = consume / "000.00.15.H26-251124-0001"
    dossier.mkdir(parents=True)
    (dossier / "p-2.png").write_bytes(_png())
    (dossier / "p-10.png").write_bytes(_png())
    (consume / "lô 2.png").write_bytes(_png())
    (consume / "notes.txt").write_text("không phải ảnh")
    settings = BatchSettings(consume=consume, settle_seconds=0.2)
    runner = Batches(tmp_path / "home", settings, command=[sys.executable, str(fake)])
    assert runner.consume_once() == 0  # first seen: it may still be being copied
    time.sleep(0.3)
    assert runner.consume_once() == 2
    assert sorted(p.name for p in consume.iterdir()) == [".refused"]
    by_name = {b.meta["files"][0]["name"]: b for b in runner.all()}
    assert set(by_name) == {"000.00.15.H26-251124-0001/p-2.png", "lô 2.png"}
    folder = by_name["000.00.15.H26-251124-0001/p-2.png"]
    assert [f["stored"] for f in folder.meta["files"]] == ["001-p-2.png", "002-p-10.png"]
    assert folder.meta["dossier_code"] == "000.00.15.H26-251124-0001"
    assert folder.meta["uploaded_by"] == "consume" and folder.state == "queued"
    assert by_name["lô 2.png"].meta["dossier_code"] is None


def _batch(runner: Batches, batch_id: str) -> Batch:
    batch = runner.get(batch_id)
    assert batch is not None
    return batch


def _until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _batches(home: Path) -> list[str]:
    folder = home / "batches"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (64, 64), 255).save(out, format="PNG")
    return out.getvalue()
