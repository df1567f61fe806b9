"""A person's whole name looked up exactly: an index on the folded values of name fields.

A search for "nguyen thi hong nhung" must put the documents of NGUYỄN THỊ HỒNG NHUNG
first. The full-text index only knows that a document holds each of those words
somewhere -- a parent's, a witness's, the OCR text's -- and, at 200,000 documents, ranked
the person's own documents outside the first 20 for four name searches in five
(docs/benchmarks.md). This index answers "whose name is exactly this" with one probe.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NAMES_ONLY = sa.text("kind = 'name'")


def upgrade() -> None:
    op.create_index(
        "ix_fields_name_folded",
        "fields",
        ["folded"],
        sqlite_where=_NAMES_ONLY,
        postgresql_where=_NAMES_ONLY,
    )


def downgrade() -> None:
    op.drop_index("ix_fields_name_folded", table_name="fields")
