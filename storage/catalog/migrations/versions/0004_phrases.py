"""Names and places as phrases: one full-text token each, and the list of known places.

The words of names and places are few and shared: "nam" and "dinh" stand in six
documents in ten, "ho chi minh" in one in six, so a search for "pho hue hai ba trung"
or "nguyen thanh phong nam dinh" made both full-text engines intersect hundreds of
thousands of entries (100-380 ms at a million documents, docs/benchmarks.md). Each name
and each address part of two words or more is now also one token ("zzhaibatrung",
``indexing.phrase_token``), and ``phrases`` lists the known place phrases, so a query's
words can be read as the places they name. The name index also holds the document ID
(no table row read to list a name's documents).

Existing documents get their tokens from their own folded texts -- SQLite's FTS5 table
keeps them; on PostgreSQL from ``fields`` -- by the same functions that index new ones,
in batches by key: at a million documents 188 s on SQLite (0003 before it: 40 s), 394 s
for both on PostgreSQL, where a ``VACUUM ANALYZE`` should follow (the rewritten rows
leave dead tuples; search times were 2-4x higher until it ran).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

from sohoa.storage.catalog.indexing import (
    PHRASE_MARK,
    name_phrases,
    phrase_token,
    place_phrases,
    with_phrase_tokens,
)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_NAMES_ONLY = sa.text("kind = 'name'")
_BATCH = 10_000
_TOKEN = re.compile(rf" ?\b{PHRASE_MARK}\w+")


def upgrade() -> None:
    op.create_table("phrases", sa.Column("phrase", sa.String(200), primary_key=True))
    _name_index(["folded", "document_id"])
    if op.get_bind().dialect.name == "postgresql":
        _tokens_postgresql()
    else:
        _tokens_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE search_rows SET tsv = ts_delete(tsv, ARRAY("
            f"SELECT lexeme FROM unnest(tsv) WHERE lexeme LIKE '{PHRASE_MARK}%'))"
        )
    else:
        _rewrite_sqlite(lambda names, addresses: (_TOKEN.sub("", names), _TOKEN.sub("", addresses)))
    _name_index(["folded"])
    op.drop_table("phrases")


def _name_index(columns: list[str]) -> None:
    op.drop_index("ix_fields_name_folded", table_name="fields")
    op.create_index(
        "ix_fields_name_folded",
        "fields",
        columns,
        sqlite_where=_NAMES_ONLY,
        postgresql_where=_NAMES_ONLY,
    )


def _tokens_sqlite() -> None:
    known: set[str] = set()

    def tokens(names: str, addresses: str) -> tuple[str, str]:
        places = place_phrases(addresses.split(" ; "))
        known.update(places)
        return (
            with_phrase_tokens(names, name_phrases(names.split(" ; "))),
            with_phrase_tokens(addresses, places),
        )

    _rewrite_sqlite(tokens)
    _remember(known)
    # rewriting every row leaves each word's entries spread over old and new segments
    # ("nguyen" alone: 24 -> 66 ms a query at a million documents until merged)
    op.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    op.execute("ANALYZE ix_fields_name_key")  # the planner's statistics of 0003's index


def _rewrite_sqlite(change: Any) -> None:
    """``change(names, addresses)`` applied to every row of the FTS5 table."""
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT rowid, names, addresses FROM search_fts WHERE rowid > :last "
                "ORDER BY rowid LIMIT :n"
            ),
            {"last": last, "n": _BATCH},
        ).all()
        if not rows:
            return
        changed = []
        for row_id, names, addresses in rows:
            new = change(names or "", addresses or "")
            if new != (names or "", addresses or ""):
                changed.append({"id": row_id, "names": new[0], "addresses": new[1]})
        if changed:
            connection.execute(
                sa.text(
                    "UPDATE search_fts SET names = :names, addresses = :addresses WHERE rowid = :id"
                ),
                changed,
            )
        last = rows[-1][0]


def _tokens_postgresql() -> None:
    """From the name and address rows of ``fields``, a range of document IDs at a time
    (both walk their indexes on ``document_id``)."""
    connection = op.get_bind()
    known: set[str] = set()
    last = ""
    while True:
        bound = connection.execute(
            sa.text(
                "SELECT document_id FROM documents WHERE document_id > :last "
                "ORDER BY document_id OFFSET :n LIMIT 1"
            ),
            {"last": last, "n": _BATCH - 1},
        ).scalar()
        found: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"name": [], "address": []})
        rows = connection.execute(
            sa.text(
                "SELECT document_id, kind, folded FROM fields WHERE document_id > :last "
                + ("AND document_id <= :bound " if bound is not None else "")
                + "AND kind IN ('name', 'address') AND folded IS NOT NULL"
            ),
            {"last": last, "bound": bound},
        )
        for doc_id, kind, folded in rows:
            found[doc_id][kind].append(folded)
        changed = []
        for doc_id, texts in found.items():
            places = place_phrases(texts["address"])
            known.update(places)
            changed.append(
                {
                    "d": doc_id,
                    "names": " ".join(map(phrase_token, name_phrases(texts["name"]))),
                    "addresses": " ".join(map(phrase_token, places)),
                }
            )
        if changed:
            connection.execute(
                sa.text(
                    "UPDATE search_rows SET tsv = tsv || "
                    "setweight(to_tsvector('simple', :names), 'A') || "
                    "setweight(to_tsvector('simple', :addresses), 'B') WHERE document_id = :d"
                ),
                changed,
            )
        if bound is None:
            break
        last = bound
    _remember(known)
    # the updated tsvectors wait in the GIN index's pending list, which every search
    # then reads in full (address searches 30 -> 115 ms at a million) until a VACUUM;
    # VACUUM cannot run in the migration's transaction, these two can
    op.execute("SELECT gin_clean_pending_list('ix_search_rows_tsv')")
    op.execute("ANALYZE search_rows, fields")


def _remember(places: set[str]) -> None:
    """The known places, 5,000 a statement (SQLite binds at most 32,766 values)."""
    dialect = postgresql if op.get_bind().dialect.name == "postgresql" else sqlite
    phrases = sa.table("phrases", sa.column("phrase"))
    ordered = sorted(places)
    for start in range(0, len(ordered), 5000):
        op.get_bind().execute(
            dialect.insert(phrases)
            .values([{"phrase": p} for p in ordered[start : start + 5000]])
            .on_conflict_do_nothing(index_elements=["phrase"])
        )
