"""The catalog's values as the rest of sohoa sees them: plain frozen dataclasses.

They keep the ORM out of callers' hands (no lazy loads after a session closed, no
accidental writes through a mapped object) and they are what the CLI and the HTTP API
turn into JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DocumentRecord:
    """One stored version of a document: its extract (contract shape) and where its
    signed PDF lies. ``version`` counts from 1; a correction stores version 2, 3, ..."""

    document_id: str
    version: int
    dossier_code: str | None
    doc_type: str
    source: str
    pages: list[int]
    fields: dict[str, Any]
    field_confidence: dict[str, float]
    needs_review: bool
    text: str
    sha256: str
    storage_key: str
    storage_version: str
    size: int
    stored_at: datetime


@dataclass(frozen=True)
class VersionRecord:
    """One stored version of a document's signed PDF, as the object store keeps it."""

    document_id: str
    version: int
    storage_key: str
    storage_version: str
    sha256: str
    size: int
    created_at: datetime


@dataclass(frozen=True)
class SearchHit:
    """One document a search found. ``match`` says how: ``exact`` (ID number, dossier
    code or filters only), ``text`` (every word found) or ``fuzzy`` (PostgreSQL's
    trigram fallback on names; its ``score`` is the similarity, 0..1, not a text rank)."""

    document_id: str
    doc_type: str
    dossier_code: str | None
    fields: dict[str, Any]
    score: float
    match: str = "text"
    snippet: str | None = None

    def to_contract(self) -> dict[str, Any]:
        """The object ``sohoa search --json`` prints for this hit."""
        out: dict[str, Any] = {
            "document_id": self.document_id,
            "doc_type": self.doc_type,
            "dossier_code": self.dossier_code,
            "fields": self.fields,
            "score": round(self.score, 6),
            "match": self.match,
        }
        if self.snippet is not None:
            out["snippet"] = self.snippet
        return out


@dataclass(frozen=True)
class AuditEvent:
    """One row of the append-only audit log: who did what to which document, when."""

    id: int
    at: datetime
    actor: str
    action: str
    document_id: str | None
    detail: dict[str, Any] = field(default_factory=dict)
