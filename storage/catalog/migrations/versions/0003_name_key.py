"""Family name + given name, the given name maybe half typed: "nguyen nhu".

Officers often search a person by family name and the start of the given name. The
full-text index can only intersect the documents holding "nguyen" (four in ten) with
those holding a word that begins "nhu": 300 ms a query at a million documents on
SQLite, 130 ms on PostgreSQL (docs/benchmarks.md), and the person's documents ranked
anywhere. ``fields.name_key`` ("nguyen nhung" for NGUYỄN THỊ HỒNG NHUNG, name fields
only; ``indexing.name_key``) with a partial B-tree answers it with one range scan.

Existing name rows are filled in from ``folded`` by the same Python function that
fills new ones, in batches by ``id`` (keyset), so both databases hold identical keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sohoa.storage.catalog.coltypes import NameKey
from sohoa.storage.catalog.indexing import name_key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_KEYED = sa.text("name_key IS NOT NULL")
#: name rows read and updated at a time
_BATCH = 20_000


def upgrade() -> None:
    op.add_column("fields", sa.Column("name_key", NameKey))
    _fill_existing()
    op.create_index(
        "ix_fields_name_key",
        "fields",
        ["name_key", "document_id"],
        sqlite_where=_KEYED,
        postgresql_where=_KEYED,
    )


def downgrade() -> None:
    op.drop_index("ix_fields_name_key", table_name="fields")
    op.drop_column("fields", "name_key")


def _fill_existing() -> None:
    fields = sa.table(
        "fields", sa.column("id"), sa.column("kind"), sa.column("folded"), sa.column("name_key")
    )
    update = (
        sa.update(fields)
        .where(fields.c.id == sa.bindparam("row_id"))
        .values(name_key=sa.bindparam("key"))
    )
    connection = op.get_bind()
    last = 0
    while True:
        batch = connection.execute(
            sa.select(fields.c.id, fields.c.folded)
            .where(fields.c.id > last, fields.c.kind == "name")
            .order_by(fields.c.id)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        keyed = [{"row_id": i, "key": name_key(f)} for i, f in batch]
        keyed = [row for row in keyed if row["key"] is not None]
        if keyed:
            connection.execute(update, keyed)
        last = batch[-1][0]
