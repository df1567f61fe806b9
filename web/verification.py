"""What the public verification page and its API say of a stored document: the signed
PDF's signatures as ``sohoa verify`` reports them, checked on the bytes the store holds
(their SHA-256 checked against the catalog's by :meth:`Library.get`)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sohoa.signing.pades import VerificationError, verification_report, verify
from sohoa.storage.library import Library


@dataclass(frozen=True, slots=True)
class StoredVerification:
    """A stored document's signed PDF, verified."""

    document_id: str
    doc_type: str
    version: int
    sha256: str
    report: dict[str, Any]  # CONTRACT.md's ``sohoa verify --json`` object

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])

    @property
    def last_signature(self) -> dict[str, Any] | None:
        signatures = self.report["signatures"]
        return signatures[-1] if signatures else None

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "doc_type": self.doc_type,
            "version": self.version,
            "sha256": self.sha256,
            **self.report,
        }


def verify_stored(
    library: Library,
    trust_roots: list[Path],
    document_id: str,
    *,
    actor: str,
    action: str | None = "read",
) -> StoredVerification:
    """Download the document's current signed PDF (hash-checked; audited as ``action``
    by ``actor``) and verify it. Raises
    :class:`~sohoa.storage.library.DocumentNotFound` for an unknown ID."""
    with tempfile.TemporaryDirectory(prefix="sohoa-verify-") as folder:
        path = Path(folder) / "signed.pdf"
        record = library.get(document_id, path, actor=actor, action=action)
        report = verification_report(path, verify(path, trust_roots))
    report["file"] = f"{record.document_id}.pdf"
    return StoredVerification(
        record.document_id, record.doc_type, record.version, record.sha256, report
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """Whether a PDF someone holds is a stored document: which version its bytes are (by
    SHA-256), and what its own signatures say."""

    document_id: str
    sha256: str  # of the file compared
    version: int | None  # the stored version with these very bytes; None: none has them
    current: bool  # that version is the document's latest
    report: dict[str, Any] | None  # its signatures (None: not a PDF that could be read)

    @property
    def same(self) -> bool:
        return self.version is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "sha256": self.sha256,
            "same_document": self.same,
            "version": self.version,
            "current": self.current,
            "verification": self.report,
        }


def compare_with_stored(
    library: Library, trust_roots: list[Path], document_id: str, pdf: Path, sha256: str
) -> Comparison:
    """Compare ``pdf`` (its SHA-256 already taken while it was received) with every stored
    version of ``document_id``, and verify its signatures. Raises
    :class:`~sohoa.storage.library.DocumentNotFound` for an unknown ID."""
    library.document(document_id)  # unknown: DocumentNotFound
    versions = library.catalog.versions(document_id)
    match = next((v for v in versions if v.sha256 == sha256), None)
    try:
        report: dict[str, Any] | None = verification_report(pdf, verify(pdf, trust_roots))
    except (OSError, VerificationError):
        report = None
    return Comparison(
        document_id,
        sha256,
        match.version if match else None,
        bool(match) and match.version == versions[-1].version,
        report,
    )
