"""Writing a document version into the catalog, inside the caller's transaction.

Everything a document contributes (its row, pages, flattened fields, ID numbers, the
full-text entry) is replaced together when a newer version becomes current, so that
search never sees half of a correction.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sohoa.pipeline.vntext import nfc
from sohoa.storage.catalog import indexing
from sohoa.storage.catalog.fulltext import FullText
from sohoa.storage.catalog.models import (
    Document,
    Dossier,
    FieldRow,
    IdNumber,
    Page,
    Phrase,
    SearchRow,
    Version,
)
from sohoa.storage.catalog.records import DocumentRecord


class CatalogConflict(ValueError):
    """The same document version was recorded before with a different signed PDF."""


def normalized(record: DocumentRecord) -> DocumentRecord:
    """``record`` with every string in NFC at the catalog's boundary (field values and
    names also whitespace-collapsed, as the contract prints them; the OCR text keeps its
    line breaks)."""
    if record.version < 1:
        raise ValueError(f"version {record.version}: versions count from 1")
    if record.stored_at.tzinfo is None:
        raise ValueError("stored_at must be an aware datetime")
    return replace(
        record,
        document_id=nfc(record.document_id),
        dossier_code=nfc(record.dossier_code) if record.dossier_code else None,
        doc_type=nfc(record.doc_type),
        source=nfc(record.source),
        fields=_nfc_tree(record.fields),
        field_confidence={nfc(k): v for k, v in record.field_confidence.items()},
        text=unicodedata.normalize("NFC", record.text),
    )


def _nfc_tree(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc(str(k)): _nfc_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc_tree(v) for v in value]
    return value


def existing_version(session: Session, document_id: str, version: int) -> Version | None:
    """The stored row of that version, if any."""
    return session.get(Version, (document_id, version))


def remember_places(session: Session, phrases: list[str]) -> None:
    """Add place phrases to the list of known ones (``Phrase``); known ones stay."""
    unique = sorted(set(phrases))
    for start in range(0, len(unique), _PHRASES_A_STATEMENT):
        session.execute(
            _dialect(session)
            .insert(Phrase)
            .values([{"phrase": p} for p in unique[start : start + _PHRASES_A_STATEMENT]])
            .on_conflict_do_nothing(index_elements=["phrase"])
        )


#: one bound value a phrase: below SQLite's 32,766 variables a statement
_PHRASES_A_STATEMENT = 5000


def _dialect(session: Session) -> Any:
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


def make_current(session: Session, fulltext: FullText, record: DocumentRecord) -> None:
    """Make ``record`` the document's current version: its row and everything derived."""
    flat = indexing.flatten(record.fields, record.field_confidence)
    document = session.get(Document, record.document_id)
    if document is None:
        document = Document(document_id=record.document_id)
        session.add(document)
    _fill(document, record, flat)
    session.flush()
    _replace_rows(session, record, flat)
    remember_places(session, indexing.places(flat))
    fulltext.write(
        session, _search_row(session, record.document_id), indexing.search_texts(flat, record.text)
    )


def _fill(document: Document, record: DocumentRecord, flat: list[indexing.FlatField]) -> None:
    document.dossier_code = record.dossier_code
    document.doc_type = record.doc_type
    document.current_version = record.version
    document.source = record.source
    document.pages = list(record.pages)
    document.fields = record.fields
    document.field_confidence = record.field_confidence
    document.needs_review = record.needs_review
    document.text = record.text
    document.key_date = indexing.key_date(flat)
    document.stored_at = record.stored_at


def _replace_rows(session: Session, record: DocumentRecord, flat: list[indexing.FlatField]) -> None:
    """Pages, fields and ID numbers, deleted and written anew (a few dozen rows)."""
    doc_id = record.document_id
    for model in (Page, FieldRow, IdNumber):
        session.execute(delete(model).where(model.document_id == doc_id))
    if record.pages:
        session.execute(
            insert(Page),
            [
                {"document_id": doc_id, "position": i, "source_page": page}
                for i, page in enumerate(record.pages, start=1)
            ],
        )
    if flat:
        session.execute(insert(FieldRow), [{"document_id": doc_id, **row.__dict__} for row in flat])
    ids = indexing.id_numbers(flat)
    if ids:
        session.execute(
            insert(IdNumber),
            [{"document_id": doc_id, "id_number": n, "field": f} for n, f in sorted(ids)],
        )


def _search_row(session: Session, document_id: str) -> int:
    """The document's integer key in the full-text index, made on first use."""
    row_id = session.scalar(select(SearchRow.id).where(SearchRow.document_id == document_id))
    if row_id is None:
        row = SearchRow(document_id=document_id)
        session.add(row)
        session.flush()
        row_id = row.id
    return row_id


def record_batch(
    session: Session,
    fulltext: FullText,
    records: list[DocumentRecord],
    action: str | None,
) -> list[DocumentRecord]:
    """Record normalized ``records`` in the caller's transaction; the new versions, in
    order. The same semantics as one ``record_document`` each, many at a time: known
    versions are skipped (another sha256 raises before anything is written), a version
    newer than the document's current one becomes current, and documents new to the
    catalog are written with one multi-row insert per table."""
    fresh = _unknown(session, records)
    if not fresh:
        return []
    ids = list({r.document_id for r in fresh})
    current = dict(
        session.execute(
            select(Document.document_id, Document.current_version).where(
                Document.document_id.in_(ids)
            )
        ).all()
    )
    newest: dict[str, DocumentRecord] = {}
    for record in fresh:
        best = newest.get(record.document_id)
        if best is None or record.version > best.version:
            newest[record.document_id] = record
    codes = {}
    for record in fresh:
        if record.dossier_code and record.dossier_code not in codes:
            codes[record.dossier_code] = record.stored_at
    if codes:
        session.connection().execute(
            _dialect(session)
            .insert(Dossier.__table__)
            .on_conflict_do_nothing(index_elements=["code"]),
            [{"code": code, "created_at": at} for code, at in codes.items()],
        )
    new_documents = []
    for doc_id, record in newest.items():
        known = current.get(doc_id)
        if known is None:
            new_documents.append(record)
        elif record.version > known:  # a correction: replace the few rows it owns
            make_current(session, fulltext, record)
    if new_documents:
        _insert_new(session, fulltext, new_documents)
    bulk_insert(
        session,
        Version.__table__,
        [
            {
                "document_id": r.document_id,
                "version": r.version,
                "storage_key": r.storage_key,
                "storage_version": r.storage_version,
                "sha256": r.sha256,
                "size": r.size,
                "created_at": r.stored_at,
            }
            for r in fresh
        ],
    )
    return fresh


def _unknown(session: Session, records: list[DocumentRecord]) -> list[DocumentRecord]:
    """The records whose version is not stored yet (each once); raises
    ``CatalogConflict`` for a stored (or repeated) version with another sha256."""
    stored: dict[tuple[str, int], str] = {}
    ids = list({r.document_id for r in records})
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Version.document_id, Version.version, Version.sha256).where(
                Version.document_id.in_(ids[start : start + 500])
            )
        )
        stored.update({(doc_id, version): sha for doc_id, version, sha in rows})
    fresh: dict[tuple[str, int], DocumentRecord] = {}
    for record in records:
        key = (record.document_id, record.version)
        known = stored.get(key) or (fresh[key].sha256 if key in fresh else None)
        if known is not None and known != record.sha256:
            raise CatalogConflict(
                f"{record.document_id} version {record.version} is stored with sha256 "
                f"{known}, not {record.sha256}"
            )
        if known is None:
            fresh[key] = record
    return list(fresh.values())


def _insert_new(session: Session, fulltext: FullText, records: list[DocumentRecord]) -> None:
    """Documents the catalog has never seen: every table in one multi-row insert."""
    documents, pages, fields, ids, texts, places = [], [], [], [], [], []
    for record in records:
        doc_id = record.document_id
        flat = indexing.flatten(record.fields, record.field_confidence)
        documents.append(
            {
                "document_id": doc_id,
                "dossier_code": record.dossier_code,
                "doc_type": record.doc_type,
                "current_version": record.version,
                "source": record.source,
                "pages": list(record.pages),
                "fields": record.fields,
                "field_confidence": record.field_confidence,
                "needs_review": record.needs_review,
                "text": record.text,
                "key_date": indexing.key_date(flat),
                "stored_at": record.stored_at,
            }
        )
        pages.extend(
            {"document_id": doc_id, "position": i, "source_page": page}
            for i, page in enumerate(record.pages, start=1)
        )
        fields.extend({"document_id": doc_id, **row.__dict__} for row in flat)
        ids.extend(
            {"document_id": doc_id, "id_number": n, "field": f}
            for n, f in sorted(indexing.id_numbers(flat))
        )
        texts.append((doc_id, indexing.search_texts(flat, record.text)))
        places.extend(indexing.places(flat))
    for model, rows in ((Document, documents), (Page, pages), (FieldRow, fields), (IdNumber, ids)):
        bulk_insert(session, model.__table__, rows)
    remember_places(session, places)
    fulltext.write_new(session, texts)


def bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` at the driver's speed:
    values through the columns' own SQLAlchemy bind processors (JSON, UTC times,
    booleans as each database stores them), then PostgreSQL's COPY or SQLite's
    ``executemany`` on the raw connection, in the session's transaction. SQLAlchemy's
    per-row parameter handling cost more than the database did."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    processors = [_bind_processor(table.c[name].type, dialect) for name in names]
    values = [
        tuple(
            row[name] if proc is None or row[name] is None else proc(row[name])
            for name, proc in zip(names, processors, strict=True)
        )
        for row in rows
    ]
    cursor = connection.connection.driver_connection.cursor()
    try:
        columns = ", ".join(names)
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join("?" for _ in names)
            cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", values)
    finally:
        cursor.close()


def _bind_processor(column_type: Any, dialect: Any) -> Any:
    """How SQLAlchemy turns a Python value of ``column_type`` into what ``dialect``'s
    driver takes (public API: the type's implementation for the dialect, then its bind
    processor; the variant types pick theirs)."""
    return column_type.dialect_impl(dialect).bind_processor(dialect)
