"""The object store and the catalog together: what storing, fetching, rebuilding and
scrubbing one signed document mean (docs/storage.md, "The library").

The object store is the source of truth; the catalog is an index of it that can be
rebuilt from it. So every write puts the objects first -- the raw scan (content-addressed,
stored once however often it comes), the signed PDF/A, then the extraction JSON -- and only
then the catalog row: a catalog row never names a missing object. Both steps are idempotent,
so a process killed between them leaves an object whose row the next delivery, or a
``sohoa catalog rebuild``, writes. While the store cannot be reached, the document waits in
the local outbox with its row and is delivered later (:meth:`Library.deliver_pending`).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy.exc import SQLAlchemyError

from sohoa.pipeline.vntext import nfc

from . import layout
from .catalog.catalog import Catalog
from .catalog.records import DocumentRecord, SearchHit, VersionRecord
from .objects import (
    ObjectMissing,
    ObjectStore,
    StorageError,
    StoredObject,
    StoreUnavailable,
    open_store,
    sha256_of,
)
from .outbox import DeliveryReport, Outbox, OutgoingObject

EXTRACTION_FORMAT = 1  # raised when the extraction JSON's shape changes
REBUILD_BATCH = 500  # documents read and recorded at a time by catalog rebuild


class DocumentNotFound(StorageError):
    """No stored document has this ID."""


class CatalogUnavailable(StorageError):
    """The catalog's database cannot be reached or refused the work."""


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """Where one stored version of a document went; ``queued``: it waits in the outbox."""

    document_id: str
    version: int
    dossier_code: str | None
    sha256: str
    storage_key: str
    queued: bool = False


@dataclass(slots=True)
class RebuildReport:
    documents: int = 0
    versions: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ScrubReport:
    """What a scrub found: every catalogued version checked against the store."""

    checked: int = 0
    missing: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.mismatched or self.orphans)


class Library:
    """Stored documents: ``store`` them, ``get`` them back byte for byte, ``search`` the
    catalog, ``share`` a link, ``rebuild_catalog`` from the store, ``scrub`` the store."""

    def __init__(
        self,
        store: ObjectStore,
        catalog: Catalog,
        outbox: Outbox,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.store, self.catalog, self.outbox = store, catalog, outbox
        self._environ = environ

    @classmethod
    def open(cls, home: Path, environ: Mapping[str, str] = os.environ) -> Library:
        """The deployment's library: its store (``SOHOA_S3_*`` or ``home/objects``), its
        catalog (``SOHOA_DATABASE_URL`` or ``home/catalog.sqlite``), ``home/outbox``."""
        store = open_store(home, environ)
        with catalog_errors():
            catalog = Catalog.for_home(home, environ)
        return cls(store, catalog, Outbox(home / "outbox"), environ)

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- storing ---------------------------------------------------------------------------

    def store_document(
        self,
        signed_pdf: Path,
        extract: Mapping[str, Any],
        *,
        document_id: str | None = None,
        dossier_code: str | None = None,
        scan: Path | ScanFile | Sequence[Path | ScanFile] | None = None,
        kept_scans: Sequence[str] = (),
        actor: str = "sohoa",
        signed_sha256: str | None = None,
    ) -> StoredDocument:
        """Store a signed PDF/A with its extract object (CONTRACT.md's shape) and the scan
        it came from (the files, in page order, of a document that runs over several
        single-page scans; or ``kept_scans``, the SHA-256s :meth:`keep_scans` gave for
        them earlier); a ``document_id`` already stored gets a new version (a
        correction). ``signed_sha256``: the signed PDF's, where the caller took it
        already (not read again here).
        While the store, or the catalog's database, cannot be reached, what could not be
        written waits in the outbox (``queued``)."""
        current = self.catalog.document(document_id) if document_id else None  # a new ID: none
        document_id = nfc(document_id) if document_id else new_document_id()
        dossier_code = nfc(dossier_code) if dossier_code else None
        now = datetime.now(UTC)
        version = current.version + 1 if current else 1
        if signed_sha256 is None:
            sha256, size = sha256_of(signed_pdf)
        else:
            sha256, size = signed_sha256, signed_pdf.stat().st_size
        key = layout.signed_key(document_id, dossier_code)
        row = catalog_row(extract, document_id, dossier_code, version, sha256, size, now, key)
        objects = document_objects(signed_pdf, row, scan, self._environ, kept_scans)
        try:
            stored = [self._put(item) for item in objects]
            self._record(row, next(s for s in stored if s.key == key), actor)
        except (StoreUnavailable, SQLAlchemyError):
            # redelivered objects already stored are found, not stored again (outbox.py)
            entry = f"{document_id}.v{version}"
            self.outbox.enqueue(entry, objects, {"row": row, "actor": actor})
            return StoredDocument(document_id, version, dossier_code, sha256, key, queued=True)
        return StoredDocument(document_id, version, dossier_code, sha256, key)

    def keep_scans(self, scans: Sequence[Path | ScanFile]) -> list[str]:
        """Store raw scans now, by content, for a document to be stored later (one set
        aside for review: its scan may be gone when a clerk approves it); their SHA-256s,
        for ``store_document(kept_scans=...)``. Raises :class:`StoreUnavailable`."""
        now = datetime.now(UTC)
        return [self._put(raw).sha256 for raw in (scan_object(path, now) for path in scans)]

    def _put(self, item: OutgoingObject) -> StoredObject:
        """Scans by content (stored once); the signed PDF and extraction as new versions."""
        options = {
            "content_type": item.content_type,
            "metadata": item.metadata,
            "retention": item.retention,
        }
        if item.key.startswith("scans/"):
            return self.store.put_if_absent(item.key, item.data, sha256=item.sha256, **options)
        return self.store.put(item.key, item.data, **options)

    def _record(self, row: Mapping[str, Any], signed: StoredObject, actor: str) -> None:
        """The catalog row, after its objects: the stored version's ID and hash."""
        if signed.sha256 != row["sha256"]:
            raise StorageError(
                f"{signed.key}: stored with sha256 {signed.sha256}, not {row['sha256']}"
            )
        self.catalog.record_document(_document_record(row, signed.version_id), actor=actor)

    def deliver_pending(self) -> DeliveryReport:
        """Store what waits in the outbox and write its catalog rows."""

        def delivered(payload: dict[str, Any], stored: list[StoredObject]) -> None:
            signed = next(s for s in stored if s.key == payload["row"]["storage_key"])
            self._record(payload["row"], signed, payload["actor"])

        return self.outbox.deliver(self.store, delivered)

    # -- reading ---------------------------------------------------------------------------

    def recover(self, document_id: str, *, actor: str = "sohoa") -> bool:
        """Whether ``document_id`` is stored whole -- catalogued, waiting in the outbox, or
        found in the store and catalogued now (a process killed after its objects and
        before its row, as ``catalog rebuild`` would find it). False: nothing of it is
        stored but perhaps an orphaned signed PDF version (``sohoa scrub`` lists those),
        and it may be stored again under the same ID."""
        if self.catalog.document(document_id) is not None:
            return True
        if any(entry.startswith(f"{document_id}.v") for entry in self.outbox.pending()):
            return True
        extraction = layout.extraction_key(document_id)
        if self.store.head(extraction) is None:
            return False
        rows = self._rows_of(extraction)
        self.catalog.record_documents([_document_record(r, v) for r, v in rows], actor=actor)
        return True

    def get(
        self,
        document_id: str,
        target: Path,
        *,
        actor: str = "sohoa",
        action: str | None = "read",
    ) -> DocumentRecord:
        """Write the document's signed PDF (its current version) to ``target``: the bytes
        that were stored, checked against the store's and the catalog's SHA-256; audited
        as ``action`` (``read``; the web service says ``downloaded``; None: the caller
        audits the request that this get is part of)."""
        record = self.document(document_id)
        self._download(record, target)
        if action is not None:
            self.catalog.audit(action, record.document_id, actor=actor)
        return record

    def get_version(
        self,
        document_id: str,
        version: int,
        target: Path,
        *,
        actor: str = "sohoa",
        action: str = "read",
    ) -> VersionRecord:
        """As :meth:`get`, for one stored version (a share link names the version that
        was shared, not whatever is current when it is opened)."""
        stored = self.catalog.versions(document_id)
        record = next((v for v in stored if v.version == version), None)
        if record is None:
            raise DocumentNotFound(f"no version {version} of stored document {nfc(document_id)!r}")
        self._download(record, target)
        detail = {"version": version}
        self.catalog.audit(action, record.document_id, actor=actor, detail=detail)
        return record

    def _download(self, record: DocumentRecord | VersionRecord, target: Path) -> None:
        try:
            stored = self.store.download(
                record.storage_key, target, version_id=record.storage_version
            )
        except ObjectMissing:
            raise ObjectMissing(
                f"{record.document_id}: catalogued, but its signed PDF is missing from the"
                " store (run sohoa scrub)"
            ) from None
        if stored.sha256 != record.sha256:
            target.unlink(missing_ok=True)
            raise StorageError(
                f"{record.document_id}: the store holds sha256 {stored.sha256}, the catalog"
                f" {record.sha256} (run sohoa scrub)"
            )

    def document(self, document_id: str) -> DocumentRecord:
        record = self.catalog.document(document_id)
        if record is None:
            raise DocumentNotFound(f"no stored document {nfc(document_id)!r}")
        return record

    def search(self, query: str = "", **filters: Any) -> list[SearchHit]:
        return self.catalog.search(query, **filters)

    def share(self, document_id: str, expires: timedelta, *, actor: str = "sohoa") -> str:
        """A link to the signed PDF that anyone may open until it expires (a citizen hands
        it to another office); audited as ``shared``."""
        record = self.document(document_id)
        url = self.store.presigned_get(
            record.storage_key, expires, version_id=record.storage_version
        )
        detail = {"expires_in_s": int(expires.total_seconds()), "version": record.version}
        self.catalog.audit("shared", record.document_id, actor=actor, detail=detail)
        return url

    # -- recovery --------------------------------------------------------------------------

    def rebuild_catalog(self, *, actor: str = "rebuild", threads: int = 8) -> RebuildReport:
        """The catalog made again from the store alone: every version of every extraction
        JSON, matched by SHA-256 to the signed PDF version it describes. The store is read
        by ``threads`` at once (a network store answers each request slowly, many at
        once quickly) and the rows are written in batches; memory stays flat."""
        self.catalog.clear(actor=actor)
        report = RebuildReport()
        with ThreadPoolExecutor(threads) as pool:
            for batch in _batched(self.store.keys("extractions/"), REBUILD_BATCH):
                records = []
                for key, outcome in zip(batch, pool.map(self._try_rows_of, batch), strict=True):
                    if isinstance(outcome, str):
                        report.problems.append(f"{key}: {outcome}")
                        continue
                    records += [_document_record(row, v) for row, v in outcome]
                    report.documents += 1
                report.versions += len(records)
                self.catalog.record_documents(records, actor=actor, action="rebuilt")
        return report

    def _try_rows_of(self, extraction: str) -> list[tuple[dict[str, Any], str]] | str:
        try:
            return self._rows_of(extraction)
        except (StorageError, ValueError, KeyError) as error:
            return str(error)

    def _rows_of(self, extraction: str) -> list[tuple[dict[str, Any], str]]:
        """The catalog rows of one document: each extraction version and its signed PDF.
        Usually one of each, read with one GET and one HEAD; a corrected document's
        earlier versions are listed only when its latest extraction says there are some
        (each stored version writes one extraction version)."""
        latest = json.loads(self.store.get(extraction))
        bodies = [latest]
        if int(latest["version"]) > 1:
            bodies = [
                json.loads(self.store.get(extraction, version_id=v.version_id))
                for v in self.store.versions(extraction)
            ]
        key = latest["signed"]["key"]
        newest = self.store.head(key)
        by_sha = {newest.sha256: newest} if newest else {}
        if len(bodies) > 1 or latest["signed"]["sha256"] not in by_sha:
            by_sha = {s.sha256: s for s in self.store.versions(key)}
        rows = []
        for body in bodies:
            signed = by_sha.get(body["signed"]["sha256"])
            if signed is None:
                wanted = body["signed"]["sha256"]
                raise ObjectMissing(f"its signed PDF {key} (sha256 {wanted}) is missing")
            rows.append((_row_of_body(body, signed), signed.version_id))
        return rows

    def scrub(self) -> ScrubReport:
        """Every catalogued version of every signed PDF: there, and its bytes' SHA-256
        what the catalog says (read in full: a store's own record could be stale); and
        every signed object in the store catalogued (the rest are orphans)."""
        report = ScrubReport()
        catalogued: set[tuple[str, str]] = set()
        for record in self.catalog.iter_documents():
            for version in self.catalog.versions(record.document_id):
                catalogued.add((version.storage_key, version.storage_version))
                report.checked += 1
                self._check(version.storage_key, version.storage_version, version.sha256, report)
        for key in self.store.keys("signed/"):
            for version in self.store.versions(key):
                if (version.key, version.version_id) not in catalogued:
                    report.orphans.append(f"{version.key} version {version.version_id}")
        return report

    def _check(self, key: str, version_id: str, sha256: str, report: ScrubReport) -> None:
        where = f"{key} version {version_id}"
        try:
            data = self.store.get(key, version_id=version_id)
        except ObjectMissing:
            report.missing.append(where)
            return
        except StorageError as error:  # IntegrityError: the bytes are not what was stored
            report.mismatched.append(f"{where}: {error}")
            return
        actual, _ = sha256_of(data)
        if actual != sha256:
            report.mismatched.append(f"{where}: sha256 {actual}, catalogued {sha256}")


@contextmanager
def catalog_errors() -> Iterator[None]:
    """The database's errors as one line for the user (a PostgreSQL server that is down,
    a locked SQLite file), the URL's password left out."""
    try:
        yield
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise CatalogUnavailable(f"catalog: {reason}") from None


def document_objects(
    signed_pdf: Path | bytes,
    row: Mapping[str, Any],
    scan: Path | ScanFile | Sequence[Path | ScanFile] | None,
    environ: Mapping[str, str],
    kept_scans: Sequence[str] = (),
) -> list[OutgoingObject]:
    """What one document puts, in order: the scans (not those kept already), the signed
    PDF, the extraction -- whose JSON names the signed PDF by its SHA-256 (its version
    ID is not known until it is stored, which may be later, from the outbox)."""
    document_id, dossier_code = row["document_id"], row["dossier_code"]
    doc_type, now = row["doc_type"], datetime.fromisoformat(row["stored_at"])
    scans = [scan] if isinstance(scan, Path | ScanFile) else list(scan or ())
    raw = [scan_object(path, now) for path in scans]
    # one scan's SHA-256, or several, comma-separated in page order
    scan_sha = ",".join([*kept_scans, *(item.sha256 for item in raw if item.sha256)]) or None
    metadata = layout.signed_metadata(document_id, dossier_code, doc_type, now, scan_sha)
    signed = OutgoingObject(
        row["storage_key"],
        signed_pdf,
        layout.PDF,
        {**metadata, "version": str(row["version"])},
        layout.retention_for(doc_type, now, environ),
    )
    body = {
        "format": EXTRACTION_FORMAT,
        "document_id": document_id,
        "version": row["version"],
        "dossier_code": dossier_code,
        "stored_at": row["stored_at"],
        "signed": {"key": signed.key, "sha256": row["sha256"]},
        "scan_sha256": scan_sha,
        "extract": _extract_of(row),
    }
    extraction = OutgoingObject(
        layout.extraction_key(document_id),
        json.dumps(body, ensure_ascii=False, sort_keys=True).encode(),
        layout.JSON,
        layout.extraction_metadata(document_id, doc_type, now),
    )
    return [*raw, signed, extraction]


class ScanFile(NamedTuple):
    """A raw scan whose SHA-256 the caller has already (a batch's file, hashed once for
    all the documents cut from it): not read again to store each of them."""

    path: Path
    sha256: str


def scan_object(scan: Path | ScanFile, received: datetime) -> OutgoingObject:
    """A raw scan as stored: by its content's SHA-256, under the name it came with."""
    path, sha = scan if isinstance(scan, ScanFile) else (scan, sha256_of(scan)[0])
    return OutgoingObject(
        layout.scan_key(sha, path.suffix),
        path,
        "application/octet-stream",
        layout.scan_metadata(path.name, received),
        sha256=sha,
    )


def _batched(items: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def new_document_id() -> str:
    """A document ID: the day it was stored and 64 random bits, e.g.
    ``20261206-8f3a2b1c9d0e4f56`` (sortable by day, unguessable)."""
    return f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(8)}"


def catalog_row(
    extract: Mapping[str, Any],
    document_id: str,
    dossier_code: str | None,
    version: int,
    sha256: str,
    size: int,
    now: datetime,
    storage_key: str,
) -> dict[str, Any]:
    """A catalog row as JSON (it may wait in the outbox), all but the store's version ID."""
    return {
        "document_id": document_id,
        "version": version,
        "dossier_code": dossier_code,
        "doc_type": str(extract.get("doc_type") or "unknown"),
        "source": str(extract.get("source") or ""),
        "pages": list(extract.get("pages") or []),
        "fields": dict(extract.get("fields") or {}),
        "field_confidence": dict(extract.get("field_confidence") or {}),
        "needs_review": bool(extract.get("needs_review", False)),
        "text": str(extract.get("text") or ""),
        "sha256": sha256,
        "storage_key": storage_key,
        "size": size,
        "stored_at": now.isoformat(),
    }


def _extract_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The extract object (CONTRACT.md's shape) a catalog row holds."""
    keys = ("source", "pages", "doc_type", "fields", "field_confidence", "needs_review", "text")
    return {key: row[key] for key in keys}


def _row_of_body(body: Mapping[str, Any], signed: StoredObject) -> dict[str, Any]:
    stored_at = datetime.fromisoformat(body["stored_at"])
    return catalog_row(
        body["extract"],
        body["document_id"],
        body.get("dossier_code"),
        int(body["version"]),
        signed.sha256,
        signed.size,
        stored_at,
        signed.key,
    )


def _document_record(row: Mapping[str, Any], storage_version: str) -> DocumentRecord:
    values = dict(row)
    values["stored_at"] = datetime.fromisoformat(values["stored_at"])
    return DocumentRecord(storage_version=storage_version, **values)
