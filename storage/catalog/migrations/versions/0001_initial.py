"""The catalog's first schema: dossiers, documents, pages, fields, ID numbers, versions,
the append-only audit log, and each database's full-text machinery.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON()
_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def _doc_fk() -> sa.ForeignKey:
    """A new foreign key to documents each time: a ForeignKey belongs to one column."""
    return sa.ForeignKey("documents.document_id", ondelete="CASCADE")


def upgrade() -> None:
    _tables()
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_search()
        _postgresql_append_only()
    else:
        _sqlite_search()
        _sqlite_append_only()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse()")
    else:
        op.execute("DROP TABLE IF EXISTS search_fts")
    for table in (
        "audit_log",
        "search_rows",
        "versions",
        "id_numbers",
        "fields",
        "pages",
        "documents",
        "dossiers",
    ):
        op.drop_table(table)


def _tables() -> None:
    op.create_table(
        "dossiers",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("created_at", _TIME, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("dossier_code", sa.String(64), sa.ForeignKey("dossiers.code")),
        sa.Column("doc_type", sa.String(40), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("pages", _JSON, nullable=False),
        sa.Column("fields", _JSON, nullable=False),
        sa.Column("field_confidence", _JSON, nullable=False),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("key_date", sa.Date),
        sa.Column("stored_at", _TIME, nullable=False),
    )
    op.create_index("ix_documents_dossier_code", "documents", ["dossier_code"])
    op.create_index("ix_documents_doc_type_key_date", "documents", ["doc_type", "key_date"])
    op.create_index("ix_documents_key_date", "documents", ["key_date"])
    op.create_index("ix_documents_needs_review", "documents", ["needs_review"])
    op.create_index("ix_documents_stored_at", "documents", ["stored_at"])
    op.create_table(
        "pages",
        sa.Column("document_id", sa.String(64), _doc_fk(), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("source_page", sa.Integer, nullable=False),
    )
    op.create_table(
        "fields",
        sa.Column("id", _BIGID, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(64), _doc_fk(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("item", sa.Integer),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.Text),
        sa.Column("folded", sa.Text),
        sa.Column("date_value", sa.Date),
        sa.Column("confidence", sa.Float),
    )
    op.create_index("ix_fields_document_id", "fields", ["document_id"])
    op.create_index("ix_fields_date_value", "fields", ["date_value"])
    op.create_table(
        "id_numbers",
        sa.Column("id_number", sa.String(20), primary_key=True),
        sa.Column("document_id", sa.String(64), _doc_fk(), primary_key=True),
        sa.Column("field", sa.String(100), primary_key=True),
    )
    op.create_index("ix_id_numbers_document_id", "id_numbers", ["document_id"])
    op.create_table(
        "versions",
        sa.Column("document_id", sa.String(64), _doc_fk(), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("storage_key", sa.Text, nullable=False),
        sa.Column("storage_version", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
    )
    op.create_index("ix_versions_sha256", "versions", ["sha256"])
    op.create_table(
        "search_rows",
        sa.Column("id", _BIGID, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(64), _doc_fk(), nullable=False, unique=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", _BIGID, primary_key=True, autoincrement=True),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("document_id", sa.String(64)),
        sa.Column("detail", _JSON),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_document_id", "audit_log", ["document_id"])


def _sqlite_search() -> None:
    """FTS5 over the folded texts; rowid = search_rows.id. The catalog writes it in the
    same transaction as the document (no triggers: the folding happens in Python)."""
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "names, addresses, fields, body, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )


def _postgresql_search() -> None:
    """A maintained tsvector (simple config over folded text; A names, B addresses and
    fields, C OCR text) with a GIN index, and trigram GIN on folded names."""
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.add_column(
        "search_rows",
        sa.Column("tsv", postgresql.TSVECTOR, nullable=False, server_default=""),
    )
    op.execute("CREATE INDEX ix_search_rows_tsv ON search_rows USING gin (tsv)")
    op.execute(
        "CREATE INDEX ix_fields_name_trgm ON fields USING gin (folded gin_trgm_ops) "
        "WHERE kind = 'name'"
    )


def _postgresql_append_only() -> None:
    op.execute(
        """
        CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()"
    )


def _sqlite_append_only() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {event} refused'); END"
        )
