"""Accounts, sessions and share links of ``sohoa serve`` (issue #7).

They live in the catalog's database because they must be as durable and as shared as
it: every server process behind the proxy sees the same sessions, and a share link
names a catalogued document. New tables only; nothing existing is rewritten.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def _account_fk() -> sa.ForeignKey:
    return sa.ForeignKey("accounts.username", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("username", sa.String(100), primary_key=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("personal_id", sa.String(12)),
        sa.Column("oidc_issuer", sa.String(255)),
        sa.Column("oidc_subject", sa.String(255)),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
    )
    op.create_index("ix_accounts_personal_id", "accounts", ["personal_id"])
    op.create_index("ux_accounts_oidc", "accounts", ["oidc_issuer", "oidc_subject"], unique=True)
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(100), _account_fk(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
    )
    op.create_index("ix_web_sessions_username", "web_sessions", ["username"])
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])
    op.create_table(
        "share_links",
        sa.Column("share_id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(100), _account_fk(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("revoked_at", _TIME),
    )
    op.create_index("ix_share_links_document_id", "share_links", ["document_id"])
    op.create_index("ix_share_links_owner", "share_links", ["owner"])


def downgrade() -> None:
    for table in ("share_links", "web_sessions", "accounts"):
        op.drop_table(table)
