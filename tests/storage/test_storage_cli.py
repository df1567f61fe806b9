"""``sohoa get``, ``search``, ``share``, ``scrub``, ``catalog rebuild`` and ``deliver`` as a
user runs them: a real process on the embedded defaults (the local store and SQLite in
SOHOA_HOME), one-line errors and CONTRACT.md's exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sohoa.storage.library import Library

from ..signed import dev_signed_blank

SOHOA = str(Path(sys.executable).with_name("sohoa"))
NAME = "NGUYỄN THỊ HỒNG NHUNG"
DOSSIER = "000.00.15.H26-251124-0001"


def sohoa(*args: str | Path, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    environ |= {"SOHOA_HOME": str(home), "SOHOA_ACTOR": "clerk-3", **env}
    return subprocess.run(
        [SOHOA, *map(str, args)], env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def stored(tmp_path) -> tuple[Path, Path, str]:
    """A home with one signed birth certificate stored: (home, the signed PDF, its ID)."""
    home = tmp_path / "home"
    signed = dev_signed_blank(home, tmp_path / "signed.pdf")
    extract = {
        "source": "scan-0001.tif",
        "pages": [1],
        "doc_type": "birth_certificate",
        "fields": {"full_name": NAME, "date_of_birth": "1995-03-12", "personal_id": "001195012345"},
        "field_confidence": {"full_name": 0.95},
        "needs_review": False,
        "text": f"GIẤY KHAI SINH Họ, chữ đệm, tên: {NAME}",
    }
    with Library.open(home, {}) as library:
        document = library.store_document(signed, extract, dossier_code=DOSSIER)
    return home, signed, document.document_id


def test_search_then_get_the_signed_pdf_byte_for_byte(stored, tmp_path) -> None:
    home, signed, document_id = stored
    found = sohoa("search", "nguyen thi hong nhung", "--json", home=home)
    assert found.returncode == 0, found.stderr
    (hit,) = [json.loads(line) for line in found.stdout.splitlines()]
    assert hit["document_id"] == document_id and hit["doc_type"] == "birth_certificate"
    assert hit["dossier_code"] == DOSSIER and hit["fields"]["full_name"] == NAME
    by_id = sohoa("search", "001195012345", home=home)
    assert by_id.stdout.split()[0] == document_id
    out = tmp_path / "copy.pdf"
    got = sohoa("get", document_id, "-o", out, home=home)
    assert got.returncode == 0, got.stderr
    assert out.read_bytes() == signed.read_bytes()
    piped = subprocess.run(
        [SOHOA, "get", document_id, "-o", "-"],
        env={**os.environ, "SOHOA_HOME": str(home)},
        capture_output=True,
    )
    assert piped.stdout == signed.read_bytes()
    with Library.open(home, {}) as library:
        actors = [(e.action, e.actor) for e in library.catalog.audit_trail(document_id)]
    assert ("read", "clerk-3") in actors


def test_scrub_and_rebuild_from_the_command_line(stored) -> None:
    home, _, document_id = stored
    clean = sohoa("scrub", "--json", home=home)
    assert clean.returncode == 0 and json.loads(clean.stdout)["checked"] == 1
    (home / "catalog.sqlite").unlink()  # the catalog lost; the store is the truth
    for stale in home.glob("catalog.sqlite-*"):
        stale.unlink()
    rebuilt = sohoa("catalog", "rebuild", home=home)
    assert rebuilt.returncode == 0 and "1 documents, 1 versions" in rebuilt.stdout
    assert sohoa("search", "NGUYEN", home=home).stdout.split()[0] == document_id
    (data,) = (home / "objects").rglob("*.pdf.~v/*.data")
    data.chmod(0o644)
    data.write_bytes(data.read_bytes()[:-10] + b"tampered!!")
    broken = sohoa("scrub", home=home)
    assert broken.returncode == 1 and "mismatched: signed/" in broken.stdout


def test_user_errors_are_one_line(stored, tmp_path) -> None:
    home, _, document_id = stored
    missing = sohoa("get", "no-such-id", home=home)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "sohoa: error: no stored document 'no-such-id'"
    down = sohoa(
        "search",
        "x",
        home=home,
        SOHOA_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/none",
    )
    assert down.returncode == 1 and len(down.stderr.strip().splitlines()) == 1
    assert down.stderr.startswith("sohoa: error: catalog:")
    link = sohoa("share", document_id, "--hours", "2", home=home)
    assert link.returncode == 0 and "/shared/signed/" in link.stdout
    assert sohoa("deliver", home=home).stdout.strip() == "outbox: 0 delivered, 0 failed"
