"""Searching the catalog: filters, exact lookups and ranked full text in one select.

Exact parts (ID numbers, dossier codes, doc_type, the key-date range) narrow the
candidates through their indexes; words are matched by the database's full-text index
(``fulltext``) and ranked, names first. Ties break on ``document_id``, so a search
returns the same page twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.orm import Session

from sohoa.pipeline.vntext import nfc
from sohoa.storage.catalog.fulltext import FullText
from sohoa.storage.catalog.models import Document, IdNumber, SearchRow
from sohoa.storage.catalog.query import ParsedQuery


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides its words."""

    dossier_code: str | None = None
    id_number: str | None = None
    doc_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Row:
    """One hit as the database returns it, before its snippet."""

    document_id: str
    doc_type: str
    dossier_code: str | None
    fields: dict[str, Any]
    score: float
    match: str


_COLUMNS = (Document.document_id, Document.doc_type, Document.dossier_code, Document.fields)


def candidates(parsed: ParsedQuery, filters: Filters) -> Select[Any]:
    """The documents every exact part of the query and every filter allows."""
    stmt = select(*_COLUMNS)
    for condition in _conditions(parsed, filters):
        stmt = stmt.where(condition)
    return stmt


def _conditions(parsed: ParsedQuery, filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    ids = [*parsed.id_numbers, *([nfc(filters.id_number)] if filters.id_number else [])]
    for number in ids:
        holders = select(IdNumber.document_id).where(IdNumber.id_number == number)
        conditions.append(Document.document_id.in_(holders))
    for code in parsed.dossier_codes:
        conditions.append(Document.dossier_code.in_({code, code.upper()}))
    if filters.dossier_code:
        conditions.append(Document.dossier_code == nfc(filters.dossier_code))
    if filters.doc_type:
        conditions.append(Document.doc_type == filters.doc_type)
    if filters.date_from:
        conditions.append(Document.key_date >= filters.date_from)
    if filters.date_to:
        conditions.append(Document.key_date <= filters.date_to)
    return conditions


def exact(session: Session, stmt: Select[Any], limit: int, offset: int) -> list[Row]:
    """No words: the candidates, newest first."""
    stmt = stmt.order_by(Document.stored_at.desc(), Document.document_id)
    return _rows(session, stmt.add_columns(literal(1.0)).limit(limit).offset(offset), "exact")


def ranked(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    words: tuple[str, ...],
    limit: int,
    offset: int,
) -> list[Row]:
    """Words: the candidates that contain every word, best first; where those run out
    before the page is full, the fuzzy fallback's (PostgreSQL only) follow."""
    stmt = stmt.join(SearchRow, SearchRow.document_id == Document.document_id)
    matched, score = fulltext.match(stmt, words)
    rows = _page(session, matched, score, limit, offset, "text")
    if len(rows) == limit:
        return rows
    fuzzy = fulltext.fuzzy(session, stmt, words)
    if fuzzy is None:
        return rows
    found = offset + len(rows) if rows else _count(session, matched)
    near, similarity = fuzzy
    return rows + _page(
        session, near, similarity, limit - len(rows), max(0, offset - found), "fuzzy"
    )


def _page(
    session: Session,
    stmt: Select[Any],
    score: ColumnElement[float],
    limit: int,
    offset: int,
    match: str,
) -> list[Row]:
    score = score.label("score")
    stmt = stmt.add_columns(score).order_by(score.desc(), Document.document_id)
    return _rows(session, stmt.limit(limit).offset(offset), match)


def _count(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _rows(session: Session, stmt: Select[Any], match: str) -> list[Row]:
    return [
        Row(doc_id, doc_type, dossier, fields, float(score), match)
        for doc_id, doc_type, dossier, fields, score in session.execute(stmt)
    ]
