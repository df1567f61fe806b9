"""The library: a signed PDF stored with its extract, found, fetched byte for byte, shared,
corrected, queued while the store is down, rebuilt from the store, scrubbed -- on the
local store and on an S3 server over HTTP, with a SQLite catalog (PostgreSQL's is tested
in test_catalog.py)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import create_engine, text

from sohoa.signing.devca import development_signer
from sohoa.signing.pades import load_signer, sign, verify
from sohoa.storage import layout
from sohoa.storage.catalog import Catalog
from sohoa.storage.library import DocumentNotFound, Library
from sohoa.storage.localfs import LocalObjectStore
from sohoa.storage.outbox import Outbox
from sohoa.storage.s3 import S3ObjectStore

from ..postgres import fresh_database
from .s3_server import free_port, moto_settings, start_moto

NHUNG = "NGUYỄN THỊ HỒNG NHUNG"
DOSSIER = "000.00.15.H26-251124-0001"


def _extract(name: str = NHUNG, personal_id: str = "001195012345") -> dict:
    """An extract object as ``sohoa extract --json`` prints it."""
    return {
        "source": "scan-0001.tif",
        "pages": [1],
        "doc_type": "birth_certificate",
        "doc_type_confidence": 0.98,
        "fields": {"full_name": name, "date_of_birth": "1995-03-12", "personal_id": personal_id},
        "field_confidence": {"full_name": 0.93, "date_of_birth": 0.99, "personal_id": 0.97},
        "needs_review": False,
        "text": f"GIẤY KHAI SINH Họ, chữ đệm, tên: {name} Nơi sinh: Bệnh viện Phụ sản Hà Nội",
    }


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> tuple[Path, Path]:
    """A signed archive-like PDF and the development CA's root that verifies it."""
    folder = tmp_path_factory.mktemp("signed")
    dev = development_signer(folder / "home")
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(folder / "doc.pdf")
    out = sign(folder / "doc.pdf", folder / "signed.pdf", load_signer(dev.pkcs12, dev.passphrase))
    return out, dev.root_certificate


@pytest.fixture(params=["local", "s3", "s3+postgresql"])
def library(request, tmp_path) -> Library:
    """A library on each object store, its catalog on SQLite -- and once on PostgreSQL,
    as deployments run it."""
    if request.param == "local":
        store = LocalObjectStore(tmp_path / "objects")
    else:
        store = S3ObjectStore(moto_settings(request.getfixturevalue("moto_endpoint")))
    if request.param.endswith("postgresql"):
        catalog = Catalog.open(request.getfixturevalue("pg_url"))
    else:
        catalog = Catalog.open(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    with Library(store, catalog, Outbox(tmp_path / "outbox"), environ={}) as opened:
        yield opened


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_stored_found_without_diacritics_and_returned_byte_for_byte(
    library, signed, tmp_path
) -> None:
    pdf, root = signed
    scan = tmp_path / "scan-0001.tif"
    scan.write_bytes(b"II*\x00 a scanner's TIFF")
    stored = library.store_document(pdf, _extract(), dossier_code=DOSSIER, scan=scan)
    assert not stored.queued and stored.version == 1 and stored.sha256 == _sha(pdf)
    (hit,) = library.search("nguyen thi hong nhung")
    assert hit.document_id == stored.document_id and hit.fields["full_name"] == NHUNG
    assert [h.document_id for h in library.search(dossier_code=DOSSIER)] == [stored.document_id]
    back = tmp_path / "back.pdf"
    library.get(stored.document_id, back, actor="officer-7")
    assert back.read_bytes() == pdf.read_bytes()
    (report,) = verify(back, [root])
    assert report.intact and report.trusted
    trail = library.catalog.audit_trail(stored.document_id)
    assert [(e.action, e.actor) for e in trail] == [("stored", "sohoa"), ("read", "officer-7")]
    scans = list(library.store.list("scans/"))
    assert [s.sha256 for s in scans] == [_sha(scan)]  # kept as received, by its content


def test_the_same_scan_twice_is_stored_once(library, signed, tmp_path) -> None:
    pdf, _ = signed
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(b"\xff\xd8 one scan, two documents cut from it")
    library.store_document(pdf, _extract(), scan=scan)
    library.store_document(pdf, _extract("TRẦN VĂN ĐỨC", "001090004567"), scan=scan)
    (only,) = list(library.store.list("scans/"))
    assert len(library.store.versions(only.key)) == 1
    assert library.catalog.count() == 2


def test_a_document_over_several_scans_keeps_each(library, signed, tmp_path) -> None:
    """A document cut from two single-page image files stores both, named in page order
    by the extraction and the signed PDF's metadata."""
    pdf, _ = signed
    scans = [tmp_path / "p-001.jpg", tmp_path / "p-002.jpg"]
    for number, scan in enumerate(scans, 1):
        scan.write_bytes(b"\xff\xd8 page %d" % number)
    stored = library.store_document(pdf, _extract(), scan=scans)
    hashes = [_sha(scan) for scan in scans]
    assert sorted(o.key for o in library.store.list("scans/")) == sorted(
        layout.scan_key(h, ".jpg") for h in hashes
    )
    extraction = json.loads(library.store.get(layout.extraction_key(stored.document_id)))
    assert extraction["scan_sha256"] == ",".join(hashes)


def test_a_correction_is_a_new_version_and_the_first_is_kept(library, signed, tmp_path) -> None:
    pdf, _ = signed
    first = library.store_document(pdf, _extract("NGUYỄN THỊ HỒNG NHUG"), dossier_code=DOSSIER)
    corrected_pdf = tmp_path / "corrected.pdf"
    corrected_pdf.write_bytes(pdf.read_bytes() + b"\n% corrected copy\n")
    second = library.store_document(
        corrected_pdf, _extract(), document_id=first.document_id, dossier_code=DOSSIER
    )
    assert (second.version, second.storage_key) == (2, first.storage_key)
    back = tmp_path / "back.pdf"
    library.get(first.document_id, back)
    assert back.read_bytes() == corrected_pdf.read_bytes()
    assert [v.sha256 for v in library.catalog.versions(first.document_id)] == [
        _sha(pdf),
        _sha(corrected_pdf),
    ]
    assert [v.sha256 for v in library.store.versions(first.storage_key)] == [
        _sha(pdf),
        _sha(corrected_pdf),
    ]
    assert library.search("nguyen thi hong nhung")[0].document_id == first.document_id
    actions = [e.action for e in library.catalog.audit_trail(first.document_id)]
    assert actions[:2] == ["stored", "corrected"]


def test_a_shared_link_returns_the_signed_pdf(library, signed) -> None:
    pdf, _ = signed
    stored = library.store_document(pdf, _extract())
    url = library.share(stored.document_id, timedelta(hours=1), actor="citizen")
    if isinstance(library.store, LocalObjectStore):  # served by `sohoa serve`: check its parts
        query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
        version, expires = query["version"], int(query["expires"])
        assert library.store.check_shared(stored.storage_key, version, expires, query["signature"])
        assert not library.store.check_shared(
            stored.storage_key, version, expires + 1, query["signature"]
        )
    else:
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.read() == pdf.read_bytes()
    assert library.catalog.audit_trail(stored.document_id)[-1].action == "shared"


def test_unknown_document(library, tmp_path) -> None:
    with pytest.raises(DocumentNotFound, match="no stored document 'nope'"):
        library.get("nope", tmp_path / "x.pdf")


def test_rebuilt_from_the_store_alone(library, signed, tmp_path) -> None:
    pdf, _ = signed
    nhung = library.store_document(pdf, _extract(), dossier_code=DOSSIER)
    duc = library.store_document(pdf, _extract("TRẦN VĂN ĐỨC", "001090004567"))
    corrected = tmp_path / "v2.pdf"
    corrected.write_bytes(pdf.read_bytes() + b"\n% v2\n")
    library.store_document(
        corrected, _extract(), document_id=nhung.document_id, dossier_code=DOSSIER
    )
    before = {d.document_id: d for d in library.catalog.iter_documents()}
    report = library.rebuild_catalog()
    assert (report.documents, report.versions, report.problems) == (2, 3, [])
    after = {d.document_id: d for d in library.catalog.iter_documents()}
    assert after == before
    assert len(library.catalog.versions(nhung.document_id)) == 2
    assert library.search("tran van duc")[0].document_id == duc.document_id
    assert library.scrub().clean


def test_scrub_finds_a_corrupted_and_a_missing_object_on_disk(signed, tmp_path) -> None:
    pdf, _ = signed
    store = LocalObjectStore(tmp_path / "objects")
    catalog = Catalog.open(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    with Library(store, catalog, Outbox(tmp_path / "outbox"), environ={}) as library:
        damaged = library.store_document(pdf, _extract())
        lost = library.store_document(pdf, _extract("TRẦN VĂN ĐỨC", "001090004567"))
        assert library.scrub().clean
        (data,) = (tmp_path / "objects").rglob(f"{damaged.document_id}.pdf.~v/*.data")
        data.chmod(0o644)
        flipped = bytearray(data.read_bytes())
        flipped[len(flipped) // 2] ^= 0x01  # one bit, as a failing disk would
        data.write_bytes(bytes(flipped))
        (gone,) = (tmp_path / "objects").rglob(f"{lost.document_id}.pdf.~v/*.json")
        gone.unlink()
        report = library.scrub()
        assert report.checked == 2 and not report.clean
        assert [m.split(" ")[0] for m in report.mismatched] == [damaged.storage_key]
        assert [m.split(" ")[0] for m in report.missing] == [lost.storage_key]


KILLED = """
import os, sys
from pathlib import Path
from sohoa.storage.library import Library
home, pdf = Path(sys.argv[1]), Path(sys.argv[2])
library = Library.open(home, {})
def die(*args, **kwargs):
    os._exit(137)  # killed between the objects and the catalog row
library.catalog.record_document = die
library.store_document(pdf, {"doc_type": "birth_certificate", "fields": {"full_name": "LÊ THỊ MAI"},
                             "text": "GIẤY KHAI SINH LÊ THỊ MAI"}, document_id="killed-1")
"""


def test_a_process_killed_between_object_and_row_loses_nothing(signed, tmp_path) -> None:
    pdf, _ = signed
    home = tmp_path / "home"
    died = subprocess.run([sys.executable, "-c", KILLED, str(home), str(pdf)], check=False)
    assert died.returncode == 137
    with Library.open(home, {}) as library:
        assert library.catalog.count() == 0  # no row naming a missing object: no row at all
        report = library.scrub()
        assert [o.split(" ")[0] for o in report.orphans] == [layout.signed_key("killed-1", None)]
        library.rebuild_catalog()
        assert library.search("le thi mai")[0].document_id == "killed-1"
        assert library.scrub().clean
        library.get("killed-1", tmp_path / "back.pdf")
        assert (tmp_path / "back.pdf").read_bytes() == pdf.read_bytes()


def test_while_the_store_is_down_documents_wait_in_the_outbox(signed, tmp_path) -> None:
    pdf, _ = signed
    port = free_port()
    server = start_moto(port)
    store = S3ObjectStore(moto_settings(f"127.0.0.1:{port}"))
    catalog = Catalog.open(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    with Library(store, catalog, Outbox(tmp_path / "outbox"), environ={}) as library:
        before = library.store_document(pdf, _extract(), dossier_code=DOSSIER)
        server.stop()
        queued = library.store_document(pdf, _extract("TRẦN VĂN ĐỨC", "001090004567"))
        assert queued.queued and library.catalog.document(queued.document_id) is None
        assert library.deliver_pending().left == 0 and library.outbox.pending()  # still down
        server = start_moto(port)  # back (moto keeps its buckets in this process)
        try:
            report = library.deliver_pending()
            assert report.delivered == [f"{queued.document_id}.v1"] and not report.failed
            assert library.outbox.pending() == []
            assert library.search("tran van duc")[0].document_id == queued.document_id
            back = tmp_path / "back.pdf"
            library.get(queued.document_id, back)
            assert back.read_bytes() == pdf.read_bytes()
            assert library.catalog.document(before.document_id) is not None
        finally:
            server.stop()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this test's own, dropped at its end."""
    with fresh_database("sohoa_library") as url:
        yield url


def _allow_connections(url: str, allowed: bool) -> None:
    """Open or close a database to new connections, ending the open ones: from the
    catalog's side, the server is down."""
    server, name = url.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {str(allowed).lower()}"))
        if not allowed:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
    admin.dispose()


def test_while_the_catalog_database_is_down_rows_wait_in_the_outbox(
    signed, pg_url, tmp_path
) -> None:
    pdf, _ = signed
    store = LocalObjectStore(tmp_path / "objects")
    with Library(store, Catalog.open(pg_url), Outbox(tmp_path / "outbox"), environ={}) as library:
        _allow_connections(pg_url, False)
        queued = library.store_document(pdf, _extract(), dossier_code=DOSSIER)
        assert queued.queued and library.outbox.pending() == [f"{queued.document_id}.v1"]
        assert store.head(queued.storage_key) is not None  # the objects are in the store
        _allow_connections(pg_url, True)
        report = library.deliver_pending()
        assert report.delivered == [f"{queued.document_id}.v1"], report.failed
        assert len(store.versions(queued.storage_key)) == 1  # found again, not stored twice
        assert library.search("nguyen thi hong nhung")[0].document_id == queued.document_id
        assert library.scrub().clean
