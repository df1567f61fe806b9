"""``sohoa process`` end to end on a generated scanner batch: the console script in a
subprocess, with real OCR, signing (the development CA), the local store and SQLite."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from sohoa.pipeline.reviewsheet import PANEL_WIDTH
from sohoa.synth.corpus import generate_batch

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def sohoa(*args: str | Path, home: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SOHOA_HOME=str(home), SOHOA_ACTOR="clerk:test")
    return subprocess.run(
        [SOHOA, *map(str, args)], env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Two dossiers behind their separator sheets, five documents, one PDF."""
    folder = tmp_path_factory.mktemp("batch")
    record = generate_batch(folder / "batch.pdf", seed=3, n_dossiers=2)
    return folder / "batch.pdf", record


@pytest.fixture(scope="module")
def processed(batch: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> tuple:
    path, _ = batch
    home = tmp_path_factory.mktemp("home")
    started = time.monotonic()
    result = sohoa("process", path, "--json", "--jobs", "2", home=home)
    assert result.returncode == 0, result.stderr
    took = time.monotonic() - started
    return home, [json.loads(line) for line in result.stdout.splitlines()], result.stderr, took


def _what(objects: list[dict]) -> list[tuple]:
    return sorted((o["dossier_code"], o["doc_type"], tuple(o["pages"])) for o in objects)


def test_dossiers_and_documents_as_the_batch_holds_them(batch, processed) -> None:
    _, truth = batch
    home, stored, stderr, _ = processed
    expected = {(d["dossier_code"], d["doc_type"], tuple(d["pages"])) for d in truth["documents"]}
    review = [json.loads((f / "extract.json").read_text()) for f in (home / "review").iterdir()]
    assert set(_what(stored)) | set(_what(review)) == expected
    assert all(not o["needs_review"] for o in stored) and all(o["needs_review"] for o in review)
    assert f"2 dossiers, {len(expected)} documents" in " ".join(stderr.split())
    for o in stored:
        assert o["storage_key"].startswith(f"signed/{o['dossier_code']}/")
        assert len(o["sha256"]) == 64


def test_a_stored_document_comes_back_signed_and_found(processed, tmp_path) -> None:
    home, stored, _, _ = processed
    first = stored[0]
    got = sohoa("get", first["document_id"], "-o", tmp_path / "got.pdf", home=home)
    assert got.returncode == 0, got.stderr
    verified = sohoa("verify", tmp_path / "got.pdf", "--json", home=home)
    (report,) = [json.loads(line) for line in verified.stdout.splitlines()]
    assert report["valid"], report
    found = sohoa("search", first["dossier_code"], "--json", home=home)
    ids = {json.loads(line)["document_id"] for line in found.stdout.splitlines()}
    assert first["document_id"] in ids


def test_running_it_again_resumes_and_stores_nothing_twice(batch, processed) -> None:
    path, _ = batch
    home, stored, _, _ = processed
    report_file = home / "again.json"
    again = sohoa("process", path, "--json", "--jobs", "2", "--report", report_file, home=home)
    assert again.returncode == 0, again.stderr
    objects = [json.loads(line) for line in again.stdout.splitlines()]
    assert [o["document_id"] for o in objects] == [o["document_id"] for o in stored]
    report = json.loads(report_file.read_text())
    assert report["resumed"] == report["documents"] == 5
    assert report["pages_read"] == 0  # every page was finished: none is read again
    codes = {o["dossier_code"] for o in stored}
    listed = set()
    for code in codes:
        found = sohoa("search", code, "--json", home=home)
        listed |= {json.loads(line)["document_id"] for line in found.stdout.splitlines()}
    assert listed == {o["document_id"] for o in stored}  # no second copy of any


def test_killed_at_random_points_then_run_again_gives_the_same_documents(
    batch, processed, tmp_path
) -> None:
    """kill -9 of the whole process group: once right after the first document is stored,
    then at random moments of the runs that resume it; the last run finishes the batch.
    The same documents under the same IDs as the uninterrupted run, each stored once,
    every stored object intact."""
    path, _ = batch
    _, uninterrupted, _, took = processed
    home = tmp_path / "home"
    _run_killed(path, home, after_first_document=True)
    rng = random.Random(6)
    for _ in range(3):
        _run_killed(path, home, after_seconds=rng.uniform(1.0, took))
    report_file = tmp_path / "report.json"
    again = sohoa("process", path, "--json", "--jobs", "2", "--report", report_file, home=home)
    assert again.returncode == 0, again.stderr
    report = json.loads(report_file.read_text())
    assert report["resumed"] >= 1 and report["pages_read"] < 7  # the finished not read again
    objects = [json.loads(line) for line in again.stdout.splitlines()]
    assert _what(objects) == _what(uninterrupted)
    for o in objects:  # a document found again after the kill is printed whole too
        assert len(o["sha256"]) == 64 and o["storage_key"].endswith(f"{o['document_id']}.pdf")
    assert sorted(o["document_id"] for o in objects) == sorted(
        o["document_id"] for o in uninterrupted
    )
    scrub = sohoa("scrub", "--json", home=home)
    report = json.loads(scrub.stdout)
    assert report["checked"] == len(objects) and not report["missing"] and not report["mismatched"]


def _run_killed(
    path: Path, home: Path, *, after_first_document: bool = False, after_seconds: float = 0
) -> None:
    """Run the batch and kill -9 its process group (workers included) at that moment."""
    run = subprocess.Popen(
        [SOHOA, "process", str(path), "--json", "--jobs", "2"],
        env=dict(os.environ, SOHOA_HOME=str(home)),
        stdout=subprocess.PIPE if after_first_document else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    if after_first_document:
        assert run.stdout is not None
        assert run.stdout.readline(), "it ended before any document was stored"
    else:
        with contextlib.suppress(subprocess.TimeoutExpired):
            run.wait(timeout=after_seconds)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    time.sleep(0.2)


def test_a_folder_of_one_file_a_page_is_cut_as_the_same_batch_in_one_pdf(tmp_path) -> None:
    """A batch's pages as single JPEG files (a scanner that saves each page as a file):
    the same dossier and documents, a household register of two pages made of two files."""
    path = tmp_path / "batch.pdf"
    truth = generate_batch(path, seed=12, n_dossiers=1, docs_per_dossier=(2, 3))
    assert [d["pages"] for d in truth["documents"]] == [[2, 3], [4]]
    folder = tmp_path / "scans"
    folder.mkdir()
    # the JPEG bytes the PDF embeds, one file a page: p-000.jpg is page 1
    subprocess.run(["pdfimages", "-j", str(path), str(folder / "p")], check=True)
    home = tmp_path / "home"
    result = sohoa("process", folder, "--json", "--jobs", "2", home=home)
    assert result.returncode == 0, result.stderr
    stored = [json.loads(line) for line in result.stdout.splitlines()]
    waiting = home / "review"
    review = [json.loads((f / "extract.json").read_text()) for f in waiting.glob("*/")]

    def files(document: dict) -> list[str]:
        parts = document.get("parts") or [document]
        return [Path(part["source"]).name for part in parts for _ in part["pages"]]

    found = sorted((o["dossier_code"], o["doc_type"], *files(o)) for o in stored + review)
    expected = sorted(
        (d["dossier_code"], d["doc_type"], *(f"p-{n - 1:03d}.jpg" for n in d["pages"]))
        for d in truth["documents"]
    )
    assert found == expected
    (register,) = [o for o in stored + review if o["doc_type"] == "household_register"]
    assert register["source"] == str(folder / "p-001.jpg") and register["pages"] == [1]
    assert register["parts"] == [
        {"source": str(folder / name), "pages": [1]} for name in ("p-001.jpg", "p-002.jpg")
    ]


def test_a_household_register_scanned_lying_open_is_read_as_its_two_pages(tmp_path) -> None:
    """A batch page holding a booklet's two facing pages (a spread): one document of that
    one page of the file, its archive copy of two pages, its fields as printed; a re-run
    finds both pages finished."""
    path = tmp_path / "batch.pdf"
    truth = generate_batch(path, seed=12, n_dossiers=1, docs_per_dossier=(2, 3), spread_rate=1)
    assert "spread" in truth["pages"][1]  # page 2: the register, lying open
    home = tmp_path / "home"
    result = sohoa("process", path, "--json", "--jobs", "2", home=home)
    assert result.returncode == 0, result.stderr
    (register,) = [json.loads(line) for line in result.stdout.splitlines()]
    printed = truth["documents"][0]["fields"]
    assert (register["doc_type"], register["pages"]) == ("household_register", [2])
    for name in ("register_number", "household_head_name"):
        assert register["fields"][name] == printed[name]
    assert len(register["fields"]["members"]) == len(printed["members"])
    got = sohoa("get", register["document_id"], "-o", tmp_path / "r.pdf", home=home)
    assert got.returncode == 0, got.stderr
    with pikepdf.open(tmp_path / "r.pdf") as pdf:
        assert len(pdf.pages) == 2
    report_file = tmp_path / "again.json"
    again = sohoa("process", path, "--jobs", "2", "--report", report_file, home=home)
    assert again.returncode == 0, again.stderr
    assert json.loads(report_file.read_text())["pages_read"] == 0


def test_a_clerk_reviews_corrects_and_approves(batch, tmp_path) -> None:
    """The document set aside is listed with what to check; approved with a correction,
    it is signed, stored with the corrected field, found, and the audit log says who
    changed what; the batch then counts it as stored."""
    path, _ = batch
    home = tmp_path / "home"
    first = sohoa("process", path, "--jobs", "2", home=home)
    assert first.returncode == 0, first.stderr
    listed = sohoa("review", "list", "--json", home=home)
    (waiting,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert waiting["unsure"], "nothing said to check"
    field = next(iter(waiting["unsure"]))
    sheet = tmp_path / "sheet.png"
    shown = sohoa("review", "show", waiting["document_id"], "--image", sheet, home=home)
    assert f"{field}:" in shown.stdout and "<-" in shown.stdout
    with Image.open(sheet) as image:  # the page, and beside it the fields, the flagged red
        pixels = np.asarray(image.convert("RGB"), dtype=int)
    panel = pixels[:, -PANEL_WIDTH:]
    red = (panel[..., 0] > 150) & (panel[..., 1] < 80) & (panel[..., 2] < 80)
    assert pixels.shape[1] > PANEL_WIDTH + 500 and red.sum() > 100
    approved = sohoa(
        "review", "approve", waiting["document_id"], "--set", f"{field}=Nguyễn Văn Đúng",
        home=home,
    )  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    assert sohoa("review", "list", home=home).stdout == ""
    got = sohoa("get", waiting["document_id"], "-o", tmp_path / "r.pdf", home=home)
    assert got.returncode == 0, got.stderr
    (report,) = [
        json.loads(line)
        for line in sohoa("verify", tmp_path / "r.pdf", "--json", home=home).stdout.splitlines()
    ]
    assert report["valid"]
    found = sohoa("search", "nguyen van dung", "--json", home=home)
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert hits and hits[0]["document_id"] == waiting["document_id"]
    assert hits[0]["fields"][field] == "Nguyễn Văn Đúng"
    from sohoa.storage.catalog import Catalog

    with Catalog.open(f"sqlite:///{home / 'catalog.sqlite'}") as catalog:
        trail = catalog.audit_trail(waiting["document_id"])
    (correction,) = [e for e in trail if e.action == "corrected"]
    assert correction.actor == "clerk:test"
    assert correction.detail["fields"][field][1] == "Nguyễn Văn Đúng"
    from sohoa.storage import layout
    from sohoa.storage.library import Library

    with Library.open(home) as library:  # the raw scan, kept when it was set aside
        body = json.loads(library.store.get(layout.extraction_key(waiting["document_id"])))
    assert body["scan_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    again = sohoa("process", path, "--jobs", "2", home=home)
    assert "0 to review" in again.stderr


def test_review_refuses_what_it_cannot_do(tmp_path) -> None:
    home = tmp_path / "home"
    missing = sohoa("review", "approve", "20261206-0000000000000000", home=home)
    assert missing.returncode == 1
    assert (
        missing.stderr.strip() == "sohoa: error: 20261206-0000000000000000: not waiting for review"
    )
    bad = sohoa("review", "approve", "x", "--set", "no-equals-sign", home=home)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
