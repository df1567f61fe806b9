"""Searching the catalog: filters, exact lookups and ranked full text in one select.

Exact parts (ID numbers, dossier codes, doc_type, the key-date range) narrow the
candidates through their indexes; words are matched by the database's full-text index
(``fulltext``) and ranked, names first. Ties break on ``document_id``, so a search
returns the same page twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, literal_column, select
from sqlalchemy.orm import Session

from sohoa.pipeline.vntext import nfc
from sohoa.storage.catalog.fulltext import FullText
from sohoa.storage.catalog.indexing import PHRASE_WORDS, phrase_token
from sohoa.storage.catalog.models import Document, FieldRow, IdNumber, Phrase, SearchRow
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


#: added to a named person's documents' scores: they rank above every text match
NAME_SCORE = 1000.0
#: a name held by at most this many documents is listed by their IDs where filters
#: must be checked (the commonest full names are held by ~1,200 documents in a million)
NAMESAKES_LISTED = 5000


def ranked(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    words: tuple[str, ...],
    limit: int,
    offset: int,
) -> list[Row]:
    """Words: first the documents of the person they name, if a run of them is someone's
    whole name (:func:`named`); else those of people of that family and given name
    (:func:`family_and_given`), then the full-text matches (:func:`by_words`)."""
    wanted = limit + offset
    if first := named(session, fulltext, stmt, words, wanted):
        # the person the query names was found: documents where its words stand apart
        # (a parent's name, an address) would only add strangers, and ranking a million
        # documents' words to find them costs more than the whole name lookup
        return first[offset:wanted]
    kin = family_and_given(session, stmt, words, wanted)
    if len(kin) >= wanted:
        return kin[offset:wanted]
    if not kin:
        return by_words(session, fulltext, stmt, words, limit, offset)
    # a few: "pho hue" may be Phó Thị Huệ or a street; the text matches follow them
    seen = {row.document_id for row in kin}
    rest = by_words(session, fulltext, stmt, words, wanted, 0)
    return (kin + [row for row in rest if row.document_id not in seen])[offset:wanted]


def named(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    words: tuple[str, ...],
    limit: int,
) -> list[Row]:
    """The documents whose name field is exactly the longest run of ``words`` that is
    anybody's whole name (one probe of the name index a run, longest first), the
    newest days first (:func:`_theirs`); the other words, if any, must match their
    full text ("nguyen thi hong nhung hai ba trung") -- where none of that person's
    documents holds them, the next run is tried. The full-text index alone cannot tell
    the person's own documents from those where each word stands somewhere else -- a
    parent's name, an address."""
    for length in range(min(len(words), PHRASE_WORDS), 1, -1):
        for start in range(len(words) - length + 1):
            phrase = " ".join(words[start : start + length])
            holders = select(FieldRow.document_id).where(
                FieldRow.kind == "name", FieldRow.folded == phrase
            )
            if session.scalar(holders.limit(1)) is None:
                continue
            others = words[:start] + words[start + length :]
            found = _theirs(session, fulltext, stmt, holders, phrase, others, limit)
            if found or not others:
                return [replace(row, match="name", score=NAME_SCORE + row.score) for row in found]
            # "vu xuan duc hai phong": Vũ Xuân Đức Hải exists, but not in Phong
    return []


def family_and_given(
    session: Session, stmt: Select[Any], words: tuple[str, ...], limit: int
) -> list[Row]:
    """The documents of people whose family name is the first word and whose given name
    begins with the last ("nguyen nhu": Nguyễn Thị Như, Nguyễn Văn Nhuận, Nguyễn Thị
    Hồng Nhung), any words between standing in the name too ("nguyen thi nhu"): one
    range scan of the name-key index (migration 0003), in the order of the names --
    the given name typed whole comes first ("nguyen an" before "nguyen anh") -- then of
    ``document_id``."""
    if len(words) < 2:
        return []
    low = f"{words[0]} {words[-1]}"
    high = low[:-1] + chr(ord(low[-1]) + 1)
    keyed = stmt.join(FieldRow, FieldRow.document_id == Document.document_id).where(
        FieldRow.name_key >= low, FieldRow.name_key < high
    )
    for word in words[1:-1]:
        keyed = keyed.where((" " + FieldRow.folded + " ").contains(f" {word} "))
    # a document holding two such names comes twice: read enough rows for the page
    found = session.execute(
        keyed.with_only_columns(Document.document_id)
        .order_by(FieldRow.name_key, FieldRow.document_id)
        .limit(min(limit, RANKED) * 2)
    )
    ids = list(dict.fromkeys(doc_id for (doc_id,) in found))[:limit]
    return _fetch(session, [(doc_id, NAME_SCORE) for doc_id in ids], "name")


def _theirs(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    holders: Select[Any],
    phrase: str,
    others: tuple[str, ...],
    limit: int,
) -> list[Row]:
    """The named person's documents that the filters allow and that hold the query's
    other words. Alone, the name's documents in the order of their IDs, last first --
    a document ID begins with the day it was stored, so the newest days come first --
    read from the name index in that order (``ix_fields_name_folded`` holds the ID):
    only the page's documents are read, where sorting ~1,200 namesakes by their time
    of storing read each one's row (p95 57 ms at a million with cold caches); with
    filters, in the same order, each namesake's document read to check them. With
    other words, the full-text index is asked for the name's token and those words
    ("zznguyenthanhphong" "zznamdinh"): two short lists to intersect, where the words
    "nam" and "dinh" stand in six documents in ten."""
    if others:
        return by_words(
            session, fulltext, stmt, (phrase_token(phrase), *others), limit, 0, fuzzy=False
        )
    if stmt.whereclause is None:
        newest = holders.order_by(FieldRow.document_id.desc()).limit(limit * 2)
        ids = list(dict.fromkeys(session.scalars(newest)))[:limit]  # a register's head twice
        return _fetch(session, [(doc_id, 1.0) for doc_id in ids], "name")
    # filters (a type, a year): every namesake's document is read to check them -- by
    # their IDs, which a planner given the subquery may not do (it walked every document)
    ids = session.scalars(holders.limit(NAMESAKES_LISTED + 1)).all()
    listed = ids if len(ids) <= NAMESAKES_LISTED else holders
    theirs = stmt.where(Document.document_id.in_(listed)).order_by(Document.document_id.desc())
    return _rows(session, theirs.add_columns(literal(1.0)).limit(limit), "name")


def phrased(session: Session, words: tuple[str, ...]) -> tuple[str, ...]:
    """``words`` with each run of them that is a known place (``Phrase``: "pho hue",
    "hai ba trung") replaced by its phrase token, longest runs first: one probe of the
    phrases' primary key for all the runs."""
    runs = {
        " ".join(words[start : start + length]): (start, length)
        for length in range(min(len(words), PHRASE_WORDS), 1, -1)
        for start in range(len(words) - length + 1)
    }
    if not runs:
        return words
    known = set(session.scalars(select(Phrase.phrase).where(Phrase.phrase.in_(list(runs)))))
    terms: list[str | None] = list(words)
    for run, (start, length) in runs.items():  # longest first, then leftmost
        if run in known and all(
            t == w for t, w in zip(terms[start : start + length], run.split(), strict=True)
        ):
            terms[start : start + length] = [phrase_token(run), *[None] * (length - 1)]
    return tuple(t for t in terms if t is not None)


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
    before the page is full, the fuzzy fallback's (PostgreSQL only) follow. Runs of
    words that name a known place are asked for as the place's token (:func:`phrased`).

    Two steps: the full-text index gives at most ``RANKED`` matching documents and
    their scores (only keys and scores: no document row is read or sorted), then the
    page of the best of them is read. Where more than ``RANKED`` documents match, the
    others are not ranked (a page beyond ``RANKED`` is empty): type more words."""
    stmt = stmt.join(SearchRow, SearchRow.document_id == Document.document_id)
    # nothing to filter: the full-text index alone, no document row read for each match
    indexed = select(SearchRow.document_id) if stmt.whereclause is None else stmt
    terms = phrased(session, words)
    rows, matched = _filled(session, fulltext, indexed, terms, limit, offset)
    if not rows and terms != words:
        # the words name a known place, but no document holds it as a place: they may
        # stand apart, or in the OCR text only
        rows, matched = _filled(session, fulltext, indexed, words, limit, offset)
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


def _filled(
    session: Session,
    fulltext: FullText,
    stmt: Select[Any],
    terms: tuple[str, ...],
    limit: int,
    offset: int,
) -> tuple[list[Row], Select[Any]]:
    """The page of documents holding every term, whole terms first: where those leave
    the first page short, it is filled with the last term taken as typed so far. (A
    prefix walks every word it begins, with no prefix index: "trung*" cost 80 ms a
    query at a million documents, "trung" 7 ms.)"""
    rows, matched = _matching(session, fulltext, stmt, terms, limit, offset, prefix=offset > 0)
    if offset == 0 and len(rows) < limit:
        seen = {row.document_id for row in rows}
        started, matched = _matching(session, fulltext, stmt, terms, limit, 0, prefix=True)
        rows += [row for row in started if row.document_id not in seen][: limit - len(rows)]
    return rows, matched


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
        matched.with_only_columns(SearchRow.document_id, score.label("score")), RANKED
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
