"""The catalog of stored documents: metadata, versions, full-text search and the
append-only audit log, on SQLite (embedded) or PostgreSQL (``SOHOA_DATABASE_URL``).
See docs/catalog.md."""

from __future__ import annotations

from sohoa.storage.catalog.catalog import ACTIONS, Catalog
from sohoa.storage.catalog.database import URL_VARIABLE, catalog_url, head_revision
from sohoa.storage.catalog.records import AuditEvent, DocumentRecord, SearchHit, VersionRecord
from sohoa.storage.catalog.writes import CatalogConflict

__all__ = [
    "ACTIONS",
    "URL_VARIABLE",
    "AuditEvent",
    "Catalog",
    "CatalogConflict",
    "DocumentRecord",
    "SearchHit",
    "VersionRecord",
    "catalog_url",
    "head_revision",
]
