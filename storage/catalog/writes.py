"""Writing a document version into the catalog, inside the caller's transaction.

Everything a document contributes (its row, pages, flattened fields, ID numbers, the
full-text entry) is replaced together when a newer version becomes current, so that
search never sees half of a correction.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, insert, select
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


def add_version(session: Session, record: DocumentRecord) -> None:
    """The version row: where this version's signed PDF lies."""
    session.add(
        Version(
            document_id=record.document_id,
            version=record.version,
            storage_key=record.storage_key,
            storage_version=record.storage_version,
            sha256=record.sha256,
            size=record.size,
            created_at=record.stored_at,
        )
    )


def ensure_dossier(session: Session, code: str, record: DocumentRecord) -> None:
    """The dossier's row, made once; concurrent writers may race to make it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(Dossier)
        .values(code=code, created_at=record.stored_at)
        .on_conflict_do_nothing(index_elements=["code"])
    )


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
