"""The catalog's tables, as SQLAlchemy 2 typed declarative models.

The schema itself is made by the hand-written migration in ``migrations/versions``; these
models must agree with it (a test compares them). What the models cannot say portably
lives only in the migration: the SQLite FTS5 table ``search_fts``, PostgreSQL's
``search_rows.tsv`` column with its GIN index, the trigram index on names, and the
triggers that keep ``audit_log`` append-only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sohoa.storage.catalog.coltypes import BigId, Json, NameKey, UtcDateTime

#: document ids are caller-supplied strings (UUID, ULID); 64 leaves room for prefixes
ID_LEN = 64


class Base(DeclarativeBase):
    """The catalog's declarative base."""


class Dossier(Base):
    """A dossier (hồ sơ), known by the code on its separator sheet."""

    __tablename__ = "dossiers"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Document(Base):
    """A document's current version: its extract and the date it is about.

    ``key_date`` is what ``search(date_from=, date_to=)`` filters: the registration date
    where the document has one, else the date of birth (see ``indexing.key_date``).
    """

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_doc_type_key_date", "doc_type", "key_date"),
        Index("ix_documents_key_date", "key_date"),
    )

    document_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    dossier_code: Mapped[str | None] = mapped_column(
        ForeignKey("dossiers.code"), index=True, default=None
    )
    doc_type: Mapped[str] = mapped_column(String(40))
    current_version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    pages: Mapped[list[int]] = mapped_column(Json)
    fields: Mapped[dict[str, Any]] = mapped_column(Json)
    field_confidence: Mapped[dict[str, float]] = mapped_column(Json)
    needs_review: Mapped[bool] = mapped_column(Boolean, index=True)
    text: Mapped[str] = mapped_column(Text)
    key_date: Mapped[date | None] = mapped_column(Date, default=None)
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class Page(Base):
    """A page of a document: its place in the document and its number in the source."""

    __tablename__ = "pages"

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.document_id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_page: Mapped[int] = mapped_column(Integer)


class FieldRow(Base):
    """One field value, flattened: ``members`` of a household register becomes rows
    ``members.full_name`` etc. with ``item`` = the member's index. ``folded`` is the
    value as search compares it (``vntext.fold``); ``kind`` is name, address, id, date
    or other, and says which search column the value feeds."""

    __tablename__ = "fields"
    __table_args__ = (
        # whose name is exactly this (migrations 0002, 0004): one probe lists a person's
        # documents
        Index(
            "ix_fields_name_folded",
            "folded",
            "document_id",
            sqlite_where=sql_text("kind = 'name'"),
            postgresql_where=sql_text("kind = 'name'"),
        ),
        # family name + given name, the given name maybe half typed (migration 0003):
        # one range scan, covering (no table row read to know the document)
        Index(
            "ix_fields_name_key",
            "name_key",
            "document_id",
            sqlite_where=sql_text("name_key IS NOT NULL"),
            postgresql_where=sql_text("name_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.document_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    item: Mapped[int | None] = mapped_column(Integer, default=None)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str | None] = mapped_column(Text, default=None)
    folded: Mapped[str | None] = mapped_column(Text, default=None)
    date_value: Mapped[date | None] = mapped_column(Date, index=True, default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    #: name fields only: "family given", folded (``indexing.name_key``); bytewise order
    #: on PostgreSQL too, so that a prefix is one contiguous range of the index
    name_key: Mapped[str | None] = mapped_column(NameKey, default=None)


class IdNumber(Base):
    """Any person's ID number in a document (id_number, personal_id, the spouses',
    the applicant's): one indexed column, so a lookup is one index probe."""

    __tablename__ = "id_numbers"

    id_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.document_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    field: Mapped[str] = mapped_column(String(100), primary_key=True)


class Version(Base):
    """One stored version of a document's signed PDF."""

    __tablename__ = "versions"

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.document_id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    storage_key: Mapped[str] = mapped_column(Text)
    storage_version: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Phrase(Base):
    """A place phrase some document's address holds ("hai ba trung", "pho hue"): what a
    query's words are read against, so that "pho hue hai ba trung" is searched as the
    tokens of "pho hue" and "hai ba trung" (``indexing.place_phrases``, migration
    0004). Kept when no document holds it any more: a stale phrase costs a probe."""

    __tablename__ = "phrases"

    phrase: Mapped[str] = mapped_column(String(200), primary_key=True)


class SearchRow(Base):
    """A document's integer key for the full-text index: FTS5 addresses rows by an
    integer rowid, and a string primary key has none that survives VACUUM. On
    PostgreSQL the row also carries the ``tsv`` column (migration only)."""

    __tablename__ = "search_rows"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.document_id", ondelete="CASCADE"), unique=True
    )


class AuditLog(Base):
    """Append-only: who (``actor``) did what (``action``) to which document, when.

    ``document_id`` is no foreign key on purpose: the log outlives ``Catalog.clear()``
    and must keep naming documents that are no longer catalogued. Database triggers
    refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[str | None] = mapped_column(String(ID_LEN), index=True, default=None)
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)


class Account(Base):
    """Someone who signs in to ``sohoa serve``: a clerk, officer, citizen or admin.

    ``password_hash`` is an Argon2id hash (None for an account that signs in only through
    OpenID Connect); ``oidc_issuer``/``oidc_subject`` name the SSO identity it is linked
    to. ``personal_id`` is a citizen's 12-digit personal identification number: the
    documents they may see are those that carry it (web/docs).
    """

    __tablename__ = "accounts"
    __table_args__ = (Index("ux_accounts_oidc", "oidc_issuer", "oidc_subject", unique=True),)

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    display_name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str | None] = mapped_column(Text, default=None)
    personal_id: Mapped[str | None] = mapped_column(String(12), index=True, default=None)
    oidc_issuer: Mapped[str | None] = mapped_column(String(255), default=None)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), default=None)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebSession(Base):
    """A signed-in browser or API client. Only the SHA-256 of the cookie's token is
    kept: a copy of the database does not let anyone sign in as the session's owner."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(
        ForeignKey("accounts.username", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class ShareLink(Base):
    """A time-limited link a citizen made to one version of one of their documents.

    ``share_id`` names the link in lists and in revocation; the link's secret token is
    kept only as its SHA-256. ``document_id`` is no foreign key, as in the audit log: a
    catalog rebuild empties ``documents`` and must not drop who shared what.
    """

    __tablename__ = "share_links"

    share_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    document_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    version: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(
        ForeignKey("accounts.username", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
