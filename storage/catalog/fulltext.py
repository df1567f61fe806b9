"""Each database's full-text index: how a document's folded texts are written into it,
and how a query matches and ranks against it.

SQLite: the FTS5 table ``search_fts`` (rowid = ``search_rows.id``), ranked by bm25 with
column weights. PostgreSQL: ``search_rows.tsv`` (setweight A/B/B/C over the ``simple``
configuration), ranked by ts_rank_cd, and a trigram fallback on folded names for words
OCR misread by a letter. The catalog keeps the index in step by calling ``write`` and
``erase`` in the same transaction as the document's rows.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Select,
    column,
    func,
    insert,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.orm import Session

from sohoa.storage.catalog.indexing import SearchTexts
from sohoa.storage.catalog.models import FieldRow, SearchRow
from sohoa.storage.catalog.query import fts5_match, tsquery

#: bm25 column weights (names, addresses, fields, body): a name match outweighs the
#: same word found only in the OCR text
BM25_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
#: PostgreSQL's pg_trgm.word_similarity_threshold for the fuzzy fallback on names:
#: "nguyen thi hong nhunh" against "nguyen thi hong nhung" scores 0.87
FUZZY_THRESHOLD = 0.6
#: the fallback needs this many letters: short queries are near anything
FUZZY_MIN_LETTERS = 8


class FullText(Protocol):
    """One database's full-text index."""

    def write(self, session: Session, row_id: int, texts: SearchTexts) -> None: ...

    def write_new(self, session: Session, texts: list[tuple[str, SearchTexts]]) -> None: ...

    def erase(self, session: Session) -> None: ...

    def match(
        self, stmt: Select[Any], words: tuple[str, ...], *, prefix: bool = True
    ) -> Ranked: ...

    def bound(self, stmt: Select[Any], most: int) -> Select[Any]: ...

    def fuzzy(
        self, session: Session, stmt: Select[Any], words: tuple[str, ...]
    ) -> Ranked | None: ...


Ranked = tuple[Select[Any], ColumnElement[float]]
"""A select narrowed to the documents a query finds, and their score (higher is better)."""


def for_dialect(name: str) -> FullText:
    """The full-text index of the database named ``name`` (SQLAlchemy dialect name)."""
    return PostgresFullText() if name == "postgresql" else SqliteFullText()


_FTS = table("search_fts", column("rowid"))


class SqliteFullText:
    """FTS5, tokenizer ``unicode61 remove_diacritics 2`` over already folded text."""

    def write(self, session: Session, row_id: int, texts: SearchTexts) -> None:
        session.execute(text("DELETE FROM search_fts WHERE rowid = :id"), {"id": row_id})
        session.execute(
            text(
                "INSERT INTO search_fts (rowid, names, addresses, fields, body) "
                "VALUES (:id, :names, :addresses, :fields, :body)"
            ),
            {"id": row_id, **texts.__dict__},
        )

    def write_new(self, session: Session, texts: list[tuple[str, SearchTexts]]) -> None:
        """Documents new to the catalog: their ``search_rows`` (ids returned in order)
        and FTS5 rows, each in one multi-row statement."""
        rows = SearchRow.__table__
        ids = (
            session.connection()
            .execute(
                insert(rows).returning(rows.c.id, sort_by_parameter_order=True),
                [{"document_id": doc_id} for doc_id, _ in texts],
            )
            .scalars()
            .all()
        )
        session.execute(
            text(
                "INSERT INTO search_fts (rowid, names, addresses, fields, body) "
                "VALUES (:id, :names, :addresses, :fields, :body)"
            ),
            [{"id": row_id, **t.__dict__} for row_id, (_, t) in zip(ids, texts, strict=True)],
        )

    def erase(self, session: Session) -> None:
        session.execute(text("DELETE FROM search_fts"))

    def match(self, stmt: Select[Any], words: tuple[str, ...], *, prefix: bool = True) -> Ranked:
        """Every word (the last also as a prefix, with ``prefix``); bm25 with column
        weights, negated."""
        fts = literal_column("search_fts")
        stmt = stmt.join(_FTS, _FTS.c.rowid == SearchRow.id).where(
            fts.op("MATCH")(fts5_match(words, prefix=prefix))
        )
        return stmt, -func.bm25(fts, *BM25_WEIGHTS)

    def bound(self, stmt: Select[Any], most: int) -> Select[Any]:
        """The newest ``most`` matches: FTS5 walks its rowids backwards and stops."""
        return stmt.order_by(_FTS.c.rowid.desc()).limit(most)

    def fuzzy(self, session: Session, stmt: Select[Any], words: tuple[str, ...]) -> Ranked | None:
        """None: SQLite has no trigram similarity; a misread letter finds nothing."""
        return None


_TSV = literal_column("search_rows.tsv", TSVECTOR)


class PostgresFullText:
    """A maintained tsvector on ``search_rows`` and trigram similarity on names."""

    def write(self, session: Session, row_id: int, texts: SearchTexts) -> None:
        session.execute(
            text(
                "UPDATE search_rows SET tsv = "
                "setweight(to_tsvector('simple', :names), 'A') || "
                "setweight(to_tsvector('simple', :addresses), 'B') || "
                "setweight(to_tsvector('simple', :fields), 'B') || "
                "setweight(to_tsvector('simple', :body), 'C') "
                "WHERE id = :id"
            ),
            {"id": row_id, **texts.__dict__},
        )

    def write_new(self, session: Session, texts: list[tuple[str, SearchTexts]]) -> None:
        """Documents new to the catalog: their ``search_rows`` with the tsvector made
        by the server, in one statement over arrays (``unnest``)."""
        session.execute(
            text(
                "INSERT INTO search_rows (document_id, tsv) "
                "SELECT d, setweight(to_tsvector('simple', n), 'A') || "
                "setweight(to_tsvector('simple', a), 'B') || "
                "setweight(to_tsvector('simple', f), 'B') || "
                "setweight(to_tsvector('simple', b), 'C') "
                "FROM unnest(CAST(:d AS text[]), CAST(:n AS text[]), CAST(:a AS text[]), "
                "CAST(:f AS text[]), CAST(:b AS text[])) AS u(d, n, a, f, b)"
            ),
            {
                "d": [doc_id for doc_id, _ in texts],
                "n": [t.names for _, t in texts],
                "a": [t.addresses for _, t in texts],
                "f": [t.fields for _, t in texts],
                "b": [t.body for _, t in texts],
            },
        )

    def erase(self, session: Session) -> None:
        """Nothing: the tsvector lives on ``search_rows`` and goes with its rows."""

    def match(self, stmt: Select[Any], words: tuple[str, ...], *, prefix: bool = True) -> Ranked:
        """Every word (the last also as a prefix, with ``prefix``), ranked by ts_rank_cd
        over A/B/C weights."""
        query = _tsquery(words, prefix=prefix)
        return stmt.where(_matches(query)), func.ts_rank_cd(_TSV, query)

    def bound(self, stmt: Select[Any], most: int) -> Select[Any]:
        """The first ``most`` matches found (no order: ordering them would mean
        reading every match)."""
        return stmt.limit(most)

    def fuzzy(self, session: Session, stmt: Select[Any], words: tuple[str, ...]) -> Ranked | None:
        """The documents ``match`` misses with a name the words resemble (trigram word
        similarity at least ``FUZZY_THRESHOLD``), the closest first: a name OCR
        misread by a letter, or a clerk's typo. Served by the trigram GIN index."""
        phrase = " ".join(words)
        if sum(ch.isalpha() for ch in phrase) < FUZZY_MIN_LETTERS:
            return None
        session.execute(
            text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true)"),
            {"t": str(FUZZY_THRESHOLD)},
        )
        near = select(FieldRow.document_id).where(
            FieldRow.kind == "name", literal(phrase).op("<%")(FieldRow.folded)
        )
        similarity = (
            select(func.max(func.word_similarity(phrase, FieldRow.folded)))
            .where(FieldRow.document_id == SearchRow.document_id, FieldRow.kind == "name")
            .scalar_subquery()
        )
        stmt = stmt.where(SearchRow.document_id.in_(near), ~_matches(_tsquery(words)))
        return stmt, similarity


def _matches(query: ColumnElement[Any]) -> ColumnElement[bool]:
    return _TSV.op("@@", is_comparison=True)(query)


def _tsquery(words: tuple[str, ...], *, prefix: bool = True) -> ColumnElement[Any]:
    return func.to_tsquery(literal("simple", REGCONFIG), tsquery(words, prefix=prefix))
