"""Disaster recovery: the whole catalog rebuilt from the object store alone (issue #5:
100,000 documents in at most 5 minutes), on SQLite and on PostgreSQL.

Stores N documents' objects the way ``Library.store_document`` lays them out (a signed PDF
with its metadata and retention, an extraction JSON with a realistic Vietnamese extract:
names, ID numbers, addresses, dates, OCR-like text), in the local store, two processes at
once; then times ``Library.rebuild_catalog`` into an empty catalog of each database and
checks what came back: every document catalogued, its SHA-256 the stored one's, and a
sample of searches by name finding their document. A rebuild reads each extraction JSON and
asks only for the signed PDF's record (one HEAD), so the signed PDFs here are 1 KB stand-ins
(their bytes are never read). ``--s3-documents M`` also runs it against moto's S3 server.

    python benchmarks/rebuild.py --documents 100000 --workdir /tmp/rebuild \\
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432] [--s3-documents 2000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path

from sqlalchemy import create_engine, text

from sohoa.pipeline.vntext import fold
from sohoa.storage import layout
from sohoa.storage.catalog import Catalog
from sohoa.storage.library import Library, catalog_row, document_objects
from sohoa.storage.localfs import LocalObjectStore
from sohoa.storage.objects import ObjectStore, sha256_of
from sohoa.storage.outbox import Outbox
from sohoa.synth.people import dossier_code, random_person

DOC_TYPES = ("birth_certificate", "citizen_id_card", "residence_confirmation", "application_form")
T0 = datetime(2025, 6, 2, 7, 30, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--s3-documents", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-local", action="store_true", help="only the S3 run")
    args = parser.parse_args()
    root = args.workdir / f"objects-{args.documents}-{args.seed}"
    print("| store | catalog | documents | store load s | rebuild s | documents/s | checked |")
    print("|---|---|---|---|---|---|---|")
    if not args.skip_local:
        load_s = _populate(root, args.documents, args.seed)
        store = LocalObjectStore(root)
        sqlite_url = f"sqlite:///{args.workdir / 'rebuild.sqlite'}"
        for label, url in (("SQLite", sqlite_url), ("PostgreSQL", _fresh_pg(args.pg_url))):
            _remove_sqlite(args.workdir / "rebuild.sqlite")
            _measure("local", label, store, url, args, load_s)
    if args.s3_documents:
        _s3(args)


def _populate(root: Path, documents: int, seed: int) -> float:
    """The store's objects for ``documents`` documents, made once (two processes)."""
    done = root / ".populated"
    if done.exists():
        return float(done.read_text())
    started = time.perf_counter()
    halves = [(root, seed, 0, documents // 2), (root, seed, documents // 2, documents)]
    with Pool(2) as pool:
        pool.starmap(_store_range, halves)
    seconds = time.perf_counter() - started
    done.write_text(f"{seconds:.1f}")
    return seconds


def _store_range(root: Path, seed: int, start: int, stop: int) -> None:
    store = LocalObjectStore(root)
    _store_documents(store, seed, start, stop)


def _store_documents(store: ObjectStore, seed: int, start: int, stop: int) -> None:
    for number in range(start, stop):
        rng = random.Random(f"{seed}-{number}")
        signed = b"%PDF-1.7\n% a signed PDF/A's stand-in " + f"{number:09d}".encode() + b"\n" * 1000
        extract = synthetic_extract(rng)
        when = T0 + timedelta(seconds=number)
        document_id = f"bench-{number:09d}"
        dossier = dossier_code(rng, when.date())
        sha256, size = sha256_of(signed)
        key = layout.signed_key(document_id, dossier)
        row = catalog_row(extract, document_id, dossier, 1, sha256, size, when, key)
        for item in document_objects(signed, row, None, {}):
            store.put(
                item.key,
                item.data,
                content_type=item.content_type,
                metadata=item.metadata,
                retention=item.retention,
            )


def synthetic_extract(rng: random.Random) -> dict:
    """An extract object of a generated person, as ``sohoa extract`` would print it."""
    person = random_person(rng)
    doc_type = rng.choice(DOC_TYPES)
    residence = person.residence.text()
    fields = {
        "full_name": person.full_name.upper(),
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex,
        "personal_id": person.id_number,
        "place_of_residence": residence,
    }
    text = (
        f"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
        f"Họ và tên: {fields['full_name']} Ngày sinh: {person.date_of_birth:%d/%m/%Y} "
        f"Giới tính: {person.sex} Số định danh cá nhân: {person.id_number} "
        f"Nơi thường trú: {residence} Quê quán: {person.origin.text(short=True)}"
    )
    return {
        "source": "scan.tif",
        "pages": [1],
        "doc_type": doc_type,
        "fields": fields,
        "field_confidence": {name: 0.95 for name in fields},
        "needs_review": False,
        "text": text,
    }


def _measure(
    store_label: str, label: str, store: ObjectStore, url: str, args, load_s: float
) -> None:
    catalog = Catalog.open(url)
    with Library(store, catalog, Outbox(args.workdir / "outbox"), environ={}) as library:
        started = time.perf_counter()
        report = library.rebuild_catalog()
        seconds = time.perf_counter() - started
        checked = _check(library, report.documents, args.seed)
    print(
        f"| {store_label} | {label} | {report.documents:,} | {load_s:.0f} | {seconds:.0f} |"
        f" {report.documents / seconds:,.0f} | {checked} |",
        flush=True,
    )
    if report.problems:
        print(f"{len(report.problems)} problems, e.g. {report.problems[0]}", file=sys.stderr)


def _check(library: Library, documents: int, seed: int) -> str:
    """All catalogued with the stored SHA-256; 100 sampled names found by a search (a
    page of 20 people of exactly that name counts: there are more namesakes than a page)."""
    assert library.catalog.count() == documents, library.catalog.count()
    sample = random.Random(seed).sample(range(documents), min(100, documents))
    found = 0
    for number in sample:
        record = library.catalog.document(f"bench-{number:09d}")
        assert record is not None
        stored = library.store.head(record.storage_key, version_id=record.storage_version)
        assert stored is not None and stored.sha256 == record.sha256
        hits = library.search(fold(record.fields["full_name"]), limit=20)
        namesakes = len(hits) == 20 and all(hit.match == "name" for hit in hits)
        found += namesakes or any(hit.document_id == record.document_id for hit in hits)
    return f"{documents:,} SHA-256 equal; {found}/{len(sample)} names found (or 20 namesakes)"


def _fresh_pg(server: str) -> str:
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS sohoa_rebuild_bench"))
        connection.execute(text("CREATE DATABASE sohoa_rebuild_bench"))
    admin.dispose()
    return f"{server}/sohoa_rebuild_bench"


def _remove_sqlite(path: Path) -> None:
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        name.unlink(missing_ok=True)


def _s3(args) -> None:
    """The same on moto's S3 server over HTTP: a smaller count, the rate extrapolated."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "storage"))
    from s3_server import free_port, moto_settings, start_moto  # the tests' S3 server

    from sohoa.storage.s3 import S3ObjectStore

    port = free_port()
    server = start_moto(port)
    try:
        store = S3ObjectStore(moto_settings(f"127.0.0.1:{port}"))
        started = time.perf_counter()
        _store_documents(store, args.seed, 0, args.s3_documents)
        load_s = time.perf_counter() - started
        _remove_sqlite(args.workdir / "rebuild-s3.sqlite")
        url = f"sqlite:///{args.workdir / 'rebuild-s3.sqlite'}"
        _measure("S3 (moto)", "SQLite", store, url, args, load_s)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
