"""Searching the catalog: filters, exact lookups and ranked full text in one select.

Exact parts (ID numbers, dossier codes, doc_type, the key-date range) narrow the
candidates through their indexes; words are matched by the database's full-text index
(``fulltext``) and ranked, names first. Ties break on ``document_id``, so a search
returns the same page twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, literal_column, select
from sqlalchemy.orm import Session

from sohoa.pipeline.vntext import nfc
from sohoa.storage.catalog.fulltext import FullText
from sohoa.storage.catalog.indexing import fast_fold
from sohoa.storage.catalog.models import Document, FieldRow, IdNumber, SearchRow
from sohoa.storage.catalog.query import WORD, ParsedQuery


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


def candidates(parsed: ParsedQuery, filters: Filters, *, words_first: bool = False) -> Select[Any]:
    """The documents every exact part of the query and every filter allows.

    ``words_first`` (SQLite with words): doc_type and the key-date range are written
    so that SQLite cannot use their index (``+column``, SQLite's idiom): the planner then
    walks the full-text matches and checks each document, instead of probing the FTS5
    index once for each of the thousands of documents of a type and year."""
    stmt = select(*_COLUMNS)
    for condition in _conditions(parsed, filters, words_first):
        stmt = stmt.where(condition)
    return stmt


def _unindexed(column: Any, words_first: bool) -> Any:
    if not words_first:
        return column
    return literal_column(f"+{column.table.name}.{column.name}", column.type)


def _conditions(
    parsed: ParsedQuery, filters: Filters, words_first: bool = False
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    ids = [*parsed.id_numbers, *([nfc(filters.id_number)] if filters.id_number else [])]
    for number in ids:
        holders = select(IdNumber.document_id).where(IdNumber.id_number == number)
        conditions.append(Document.document_id.in_(holders))
    for code in parsed.dossier_codes:
        conditions.append(Document.dossier_code.in_({code, code.upper()}))
    if filters.dossier_code:
        conditions.append(Document.dossier_code == nfc(filters.dossier_code))
    doc_type = _unindexed(Document.doc_type, words_first)
    key_date = _unindexed(Document.key_date, words_first)
    if filters.doc_type:
        conditions.append(doc_type == filters.doc_type)
    if filters.date_from:
        conditions.append(key_date >= filters.date_from)
    if filters.date_to:
        conditions.append(key_date <= filters.date_to)
    return conditions


def exact(session: Session, stmt: Select[Any], limit: int, offset: int) -> list[Row]:
    """No words: the candidates, newest first."""
    stmt = stmt.order_by(Document.stored_at.desc(), Document.document_id)
    return _rows(session, stmt.add_columns(literal(1.0)).limit(limit).offset(offset), "exact")


#: how many text matches a query ranks at most: the newest ``RANKED`` documents that
#: contain every word (on PostgreSQL the first found). A word in 40 % of a million
#: documents ("nguyen") would otherwise rank 400,000 rows to show 20.
RANKED = 1000


#: how many words a person's whole name has at most ("Tôn Nữ Thị Thu Hà" has five)
NAME_WORDS = 6
#: added to a named person's documents' scores: they rank above every text match
NAME_SCORE = 1000.0
#: a name held by at most this many documents: those are read and checked directly
NAMESAKES_READ = 500


def ranked(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    words: tuple[str, ...],
    limit: int,
    offset: int,
) -> list[Row]:
    """Words: first the documents of the person they name, if a run of them is someone's
    whole name (:func:`named`), then the full-text matches (:func:`by_words`)."""
    wanted = limit + offset
    if first := named(session, fulltext, stmt, words, wanted):
        # the person the query names was found: documents where its words stand apart
        # (a parent's name, an address) would only add strangers, and ranking a million
        # documents' words to find them costs more than the whole name lookup
        return first[offset:wanted]
    return by_words(session, fulltext, stmt, words, limit, offset)


def named(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    words: tuple[str, ...],
    limit: int,
) -> list[Row]:
    """The documents whose name field is exactly the longest run of ``words`` that is
    anybody's whole name (one probe of the name index a run, longest first), newest
    first; the other words, if any, must match their full text ("nguyen thi hong nhung
    hai ba trung"). The full-text index alone cannot tell the person's own documents
    from those where each word stands somewhere else -- a parent's name, an address."""
    for length in range(min(len(words), NAME_WORDS), 1, -1):
        for start in range(len(words) - length + 1):
            phrase = " ".join(words[start : start + length])
            holders = select(FieldRow.document_id).where(
                FieldRow.kind == "name", FieldRow.folded == phrase
            )
            if session.scalar(holders.limit(1)) is None:
                continue
            others = words[:start] + words[start + length :]
            found = _theirs(session, fulltext, stmt, holders, others, limit)
            return [replace(row, match="name", score=NAME_SCORE + row.score) for row in found]
    return []


def _theirs(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    holders: Select[Any],
    others: tuple[str, ...],
    limit: int,
) -> list[Row]:
    """The named person's documents that the filters allow and that hold the query's
    other words. Most names are held by few documents: those are read and their words
    checked here, which is quicker than asking the full-text index for a short or
    common word ("an" of "Nghệ An" begins a tenth of all words); a name held by more
    than ``NAMESAKES_READ`` documents is left to the full-text index."""
    ids = session.scalars(holders.limit(NAMESAKES_READ + 1)).all()
    # the IDs themselves, not the subquery: a planner may otherwise walk every document
    # newest first, asking the subquery of each
    theirs = stmt.where(Document.document_id.in_(ids if len(ids) <= NAMESAKES_READ else holders))
    if not others:
        return exact(session, theirs, limit, 0)
    if len(ids) > NAMESAKES_READ:  # a very common name: the full-text index, not Python
        return by_words(session, fulltext, theirs, others, limit, 0, fuzzy=False)
    read = theirs.add_columns(Document.text, Document.stored_at)
    kept = [row for row in session.execute(read) if _holds(row, others)]
    kept.sort(key=lambda row: (-row.stored_at.timestamp(), row.document_id))
    return [Row(r[0], r[1], r[2], r[3], 1.0, "name") for r in kept[:limit]]


def _holds(row: Any, words: tuple[str, ...]) -> bool:
    """Whether a document's fields and text hold every word (the last also as the start
    of a word), as the full-text index would say."""
    values = " ".join(_values(row.fields))
    held = set(WORD.findall(fast_fold(f"{values} {row.text}")))
    *whole, last = words
    return all(word in held for word in whole) and any(w.startswith(last) for w in held)


def _values(fields: Any) -> Iterator[str]:
    if isinstance(fields, dict):
        for value in fields.values():
            yield from _values(value)
    elif isinstance(fields, list):
        for value in fields:
            yield from _values(value)
    elif fields is not None:
        yield str(fields)


def by_words(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    words: tuple[str, ...],
    limit: int,
    offset: int,
    *,
    fuzzy: bool = True,
) -> list[Row]:
    """Words: the candidates that contain every word, best first; where those run out
    before the page is full, the fuzzy fallback's (PostgreSQL only) follow.

    Two steps: the full-text index gives at most ``RANKED`` matching documents and
    their scores (only keys and scores: no document row is read or sorted), then the
    page of the best of them is read. Where more than ``RANKED`` documents match, the
    others are not ranked (a page beyond ``RANKED`` is empty): type more words."""
    stmt = stmt.join(SearchRow, SearchRow.document_id == Document.document_id)
    rows, matched = _matching(session, fulltext, stmt, words, limit, offset, prefix=offset > 0)
    if offset == 0 and len(rows) < limit:
        # the whole words came first (a prefix of the last word without a prefix index
        # walks every word it begins: "trung*" cost 80 ms a query at a million, "trung"
        # 7 ms); the page is filled with the last word taken as typed so far
        seen = {row.document_id for row in rows}
        started, matched = _matching(session, fulltext, stmt, words, limit, 0, prefix=True)
        rows += [row for row in started if row.document_id not in seen][: limit - len(rows)]
    if len(rows) == limit or not fuzzy:
        return rows
    nearby = fulltext.fuzzy(session, stmt, words)
    if nearby is None:
        return rows
    found = offset + len(rows) if rows else _count(session, matched)
    near, similarity = nearby
    return rows + _page(
        session, near, similarity, limit - len(rows), max(0, offset - found), "fuzzy"
    )


def _matching(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    words: tuple[str, ...],
    limit: int,
    offset: int,
    *,
    prefix: bool,
) -> tuple[list[Row], Select[Any]]:
    """The page of the best documents holding every word (the last one also as the
    start of a word where ``prefix``), and the select of all that match."""
    matched, score = fulltext.match(stmt, words, prefix=prefix)
    bounded = fulltext.bound(
        matched.with_only_columns(Document.document_id, score.label("score")), RANKED
    ).subquery()
    best = (
        select(bounded.c.document_id, bounded.c.score)
        .order_by(bounded.c.score.desc(), bounded.c.document_id)
        .limit(limit)
        .offset(offset)
    )
    return _fetch(session, list(session.execute(best)), "text"), matched


def _fetch(session: Session, scored: list[Any], match: str) -> list[Row]:
    """The page's documents, in the order of ``scored`` ((document_id, score) pairs)."""
    if not scored:
        return []
    ids = [doc_id for doc_id, _ in scored]
    found = {
        row[0]: row
        for row in session.execute(select(*_COLUMNS).where(Document.document_id.in_(ids)))
    }
    return [
        Row(doc_id, found[doc_id][1], found[doc_id][2], found[doc_id][3], float(score), match)
        for doc_id, score in scored
        if doc_id in found
    ]


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
