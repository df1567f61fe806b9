"""The catalog: what sohoa stored, where, and how to find it again.

One ``Catalog`` object per process wraps an engine (SQLite under ``SOHOA_HOME`` or
PostgreSQL); every method runs in its own short transaction, so a long-lived object
holds no locks between calls.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sohoa.pipeline.vntext import nfc
from sohoa.storage.catalog import database, fulltext, search, writes
from sohoa.storage.catalog.models import (
    AuditLog,
    Document,
    Dossier,
    FieldRow,
    IdNumber,
    Page,
    SearchRow,
    Version,
)
from sohoa.storage.catalog.query import parse
from sohoa.storage.catalog.records import AuditEvent, DocumentRecord, SearchHit, VersionRecord
from sohoa.storage.catalog.snippet import snippet

#: what the audit log records
ACTIONS = frozenset({"stored", "read", "downloaded", "corrected", "shared", "revoked", "rebuilt"})


class Catalog:
    """The catalog of stored documents; open it with ``open`` or ``for_home``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = database.writer(engine)
        self._fulltext = fulltext.for_dialect(engine.dialect.name)

    @classmethod
    def open(cls, url: str) -> Catalog:
        """The catalog at ``url``, its schema created or migrated to the newest."""
        engine = database.make_engine(url)
        try:
            database.migrate(engine)
        except Exception:
            engine.dispose()
            raise
        return cls(engine)

    @classmethod
    def for_home(cls, home: Path, environ: Mapping[str, str] = os.environ) -> Catalog:
        """The deployment's catalog: ``SOHOA_DATABASE_URL``, else SQLite in ``home``."""
        if not environ.get(database.URL_VARIABLE, "").strip():
            home.mkdir(parents=True, exist_ok=True)
        return cls.open(database.catalog_url(home, environ))

    @property
    def engine(self) -> Engine:
        """The engine readers use; other stores in the same database (the web service's
        accounts) share it rather than open a second pool."""
        return self._engine

    @property
    def writer(self) -> Engine:
        """The engine writers use (on SQLite it takes the write lock up front)."""
        return self._writer

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def schema_revision(self) -> str | None:
        """The migration the database is at."""
        return database.current_revision(self._engine)

    def record_document(
        self, record: DocumentRecord, *, actor: str = "sohoa", action: str | None = None
    ) -> bool:
        """Store a document version; True if it was new.

        Idempotent: the same ``document_id`` and ``version`` again changes nothing and
        returns False (a different sha256 for it raises ``CatalogConflict``). A version
        newer than the current one becomes current; an older one (a rebuild meeting
        versions out of order) is only listed in ``versions``. Audited as ``action``:
        by default ``stored``, or ``corrected`` for versions after the first
        (``catalog rebuild`` passes ``rebuilt``).
        """
        _check_action(action)
        record = writes.normalized(record)
        try:
            # one write path for one record and for many (``record_documents``)
            return self._write_batch([record], nfc(actor), action) == 1
        except IntegrityError:
            if self._known(record):  # a concurrent writer stored the same version
                return False
            raise

    def record_documents(
        self,
        records: Iterable[DocumentRecord],
        *,
        actor: str = "sohoa",
        action: str | None = None,
        batch: int = 1000,
    ) -> int:
        """Store many document versions, ``batch`` to a transaction; how many were new.

        The same semantics as ``record_document`` for each (idempotent per
        ``document_id`` and ``version``, a newer version becomes current, a known
        version with another sha256 raises ``CatalogConflict``), with multi-row inserts:
        for loading a million documents or a ``catalog rebuild``. Each new version gets
        its own audit row (the log says who stored what), inserted with the batch. A
        conflict rolls back its own batch only; earlier batches stay committed.
        """
        _check_action(action)
        actor = nfc(actor)
        stored = 0
        chunk: list[DocumentRecord] = []
        for record in records:
            chunk.append(writes.normalized(record))
            if len(chunk) >= max(1, batch):
                stored += self._record_batch(chunk, actor, action)
                chunk = []
        if chunk:
            stored += self._record_batch(chunk, actor, action)
        return stored

    def _record_batch(self, records: list[DocumentRecord], actor: str, action: str | None) -> int:
        try:
            return self._write_batch(records, actor, action)
        except IntegrityError:
            # a concurrent writer stored some of them first: one at a time, idempotently
            return sum(self.record_document(r, actor=actor, action=action) for r in records)

    def _write_batch(self, records: list[DocumentRecord], actor: str, action: str | None) -> int:
        """Normalized ``records`` in one transaction, with an audit row for each new
        version; how many were new."""
        with Session(self._writer) as session, session.begin():
            fresh = writes.record_batch(session, self._fulltext, records, action)
            if fresh:
                now = datetime.now(UTC)
                writes.bulk_insert(
                    session,
                    AuditLog.__table__,
                    [
                        {
                            "at": now,
                            "actor": actor,
                            "action": _action(action, r),
                            "document_id": r.document_id,
                            "detail": {"version": r.version, "sha256": r.sha256},
                        }
                        for r in fresh
                    ],
                )
            return len(fresh)

    def _known(self, record: DocumentRecord, session: Session | None = None) -> bool:
        """Whether this version is stored; raises if it is, with another PDF."""
        if session is None:
            with Session(self._engine) as fresh:
                return self._known(record, fresh)
        row = writes.existing_version(session, record.document_id, record.version)
        if row is None:
            return False
        if row.sha256 != record.sha256:
            raise writes.CatalogConflict(
                f"{record.document_id} version {record.version} is stored with sha256 "
                f"{row.sha256}, not {record.sha256}"
            )
        return True

    def document(self, document_id: str) -> DocumentRecord | None:
        """The document's current version, or None if it is not catalogued."""
        with Session(self._engine) as session:
            row = session.execute(_current().where(Document.document_id == nfc(document_id)))
            found = row.first()
        return None if found is None else _record(*found)

    def id_numbers(self, document_id: str) -> set[str]:
        """The personal ID numbers the document's current version carries (the holder's,
        the spouses', the applicant's): whose document it is."""
        stmt = select(IdNumber.id_number).where(IdNumber.document_id == nfc(document_id))
        with Session(self._engine) as session:
            return set(session.scalars(stmt))

    def versions(self, document_id: str) -> list[VersionRecord]:
        """Every stored version of the document, oldest first."""
        stmt = (
            select(Version).where(Version.document_id == nfc(document_id)).order_by(Version.version)
        )
        with Session(self._engine) as session:
            return [_version(v) for v in session.scalars(stmt)]

    def search(
        self,
        query: str = "",
        *,
        dossier_code: str | None = None,
        id_number: str | None = None,
        doc_type: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Documents matching ``query`` and every filter; see docs/catalog.md.

        ``date_from``/``date_to`` (inclusive) filter the document's key date: its
        registration date, else its date of birth; documents with neither are left out
        of a date-filtered search.
        """
        if limit <= 0:
            return []
        parsed = parse(query)
        filters = search.Filters(dossier_code, id_number, doc_type, date_from, date_to)
        words_first = bool(parsed.words) and self.dialect == "sqlite"
        stmt = search.candidates(parsed, filters, words_first=words_first)
        with Session(self._engine) as session, session.begin():
            if parsed.words:
                rows = search.ranked(
                    session, self._fulltext, stmt, parsed.words, limit, max(0, offset)
                )
            else:
                rows = search.exact(session, stmt, limit, max(0, offset))
            texts = self._texts(session, [r.document_id for r in rows]) if parsed.words else {}
        return [
            SearchHit(
                r.document_id,
                r.doc_type,
                r.dossier_code,
                r.fields,
                r.score,
                r.match,
                snippet(texts.get(r.document_id, ""), parsed.words),
            )
            for r in rows
        ]

    @staticmethod
    def _texts(session: Session, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        stmt = select(Document.document_id, Document.text).where(Document.document_id.in_(ids))
        return {doc_id: text for doc_id, text in session.execute(stmt)}

    def iter_documents(self, batch: int = 1000) -> Iterator[DocumentRecord]:
        """Every document's current version, in ``document_id`` order, read ``batch``
        at a time in short transactions (keyset paging): a scrub or rebuild over a
        million documents holds no long read transaction open."""
        after = ""
        while True:
            stmt = _current().where(Document.document_id > after)
            stmt = stmt.order_by(Document.document_id).limit(batch)
            with Session(self._engine) as session:
                page = [_record(*row) for row in session.execute(stmt)]
            yield from page
            if len(page) < batch:
                return
            after = page[-1].document_id

    def audit(
        self,
        action: str,
        document_id: str | None,
        *,
        actor: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one row to the audit log (``action`` one of ``ACTIONS``)."""
        with Session(self._writer) as session, session.begin():
            doc_id = None if document_id is None else nfc(document_id)
            self._audit(session, action, doc_id, nfc(actor), detail)

    @staticmethod
    def _audit(
        session: Session,
        action: str,
        document_id: str | None,
        actor: str,
        detail: dict[str, Any] | None,
    ) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; one of {sorted(ACTIONS)}")
        session.execute(
            insert(AuditLog).values(
                at=datetime.now(UTC),
                actor=actor,
                action=action,
                document_id=document_id,
                detail=detail,
            )
        )

    def audit_trail(self, document_id: str) -> list[AuditEvent]:
        """The audit log's rows about the document, oldest first."""
        stmt = (
            select(AuditLog).where(AuditLog.document_id == nfc(document_id)).order_by(AuditLog.id)
        )
        with Session(self._engine) as session:
            return [
                AuditEvent(e.id, e.at, e.actor, e.action, e.document_id, e.detail or {})
                for e in session.scalars(stmt)
            ]

    def count(self) -> int:
        """How many documents are catalogued."""
        with Session(self._engine) as session:
            return session.scalar(select(func.count()).select_from(Document)) or 0

    def clear(self, *, actor: str = "sohoa") -> None:
        """Empty the catalog before ``catalog rebuild`` refills it from the object store.

        The audit log is kept: it is append-only, and the history of who read, shared or
        corrected a document must survive a rebuild of the index. The clearing itself
        is audited (``rebuilt``, no document, with how many documents were dropped).
        """
        with Session(self._writer) as session, session.begin():
            dropped = session.scalar(select(func.count()).select_from(Document)) or 0
            self._fulltext.erase(session)
            for model in (SearchRow, IdNumber, FieldRow, Page, Version, Document, Dossier):
                session.execute(delete(model))
            detail = {"step": "cleared", "documents": dropped}
            self._audit(session, "rebuilt", None, nfc(actor), detail)

    def ping(self) -> None:
        """Raise if the database cannot be reached (for ``/healthz``)."""
        with self._engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        """Close the catalog's connections."""
        self._engine.dispose()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _check_action(action: str | None) -> None:
    if action is not None and action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {sorted(ACTIONS)}")


def _action(action: str | None, record: DocumentRecord) -> str:
    """What the audit log says a new version was: the caller's word, else ``stored`` for
    version 1 and ``corrected`` after."""
    if action is not None:
        return action
    return "stored" if record.version == 1 else "corrected"


def _current() -> Any:
    """Documents joined with their current version's row."""
    return select(Document, Version).join(
        Version,
        (Version.document_id == Document.document_id)
        & (Version.version == Document.current_version),
    )


def _record(document: Document, version: Version) -> DocumentRecord:
    return DocumentRecord(
        document_id=document.document_id,
        version=version.version,
        dossier_code=document.dossier_code,
        doc_type=document.doc_type,
        source=document.source,
        pages=list(document.pages),
        fields=document.fields,
        field_confidence=document.field_confidence,
        needs_review=document.needs_review,
        text=document.text,
        sha256=version.sha256,
        storage_key=version.storage_key,
        storage_version=version.storage_version,
        size=version.size,
        stored_at=document.stored_at,
    )


def _version(row: Version) -> VersionRecord:
    return VersionRecord(
        row.document_id,
        row.version,
        row.storage_key,
        row.storage_version,
        row.sha256,
        row.size,
        row.created_at,
    )
