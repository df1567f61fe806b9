"""What goes where in the object store, what each kind of object says about itself, and how
long it is kept (docs/storage.md, "Layout").

- ``scans/sha256/<aa>/<bb>/<sha256><ext>``: a raw scan, named by its content, so the same
  scan ingested twice is stored once (``put_if_absent``); two levels of fan-out keep any
  folder of the local store small.
- ``signed/<dossier code or "no-dossier">/<document id>.pdf``: a signed PDF/A; a correction
  is a new version of the same key, the retained versions before it kept.
- ``extractions/<document id>.json``: the extraction's JSON, everything the catalog holds
  beyond what the signed object's own metadata says.

A signed object's metadata alone rebuilds its catalog row (:func:`signed_record`): the
document id, dossier code, document type, creation time and the scan it came from; its
SHA-256 is the store's own record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from sohoa.pipeline.vntext import nfc

from .objects import LOCK_MODES, Retention, StorageConfigError, StoredObject

NO_DOSSIER = "no-dossier"
PDF = "application/pdf"
JSON = "application/json"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EXTENSION = re.compile(r"(\.[a-z0-9]{1,8})?")

#: civil-status records are kept for a lifetime; anything else for the default
CIVIL_STATUS = frozenset({"birth_certificate", "marriage_certificate", "household_register"})
CIVIL_STATUS_YEARS = 75
DEFAULT_YEARS = 20


def scan_key(sha256: str, extension: str = "") -> str:
    """The key of a raw scan whose bytes have this SHA-256 (``extension``: ".pdf", ".jpg")."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a hex SHA-256: {sha256!r}")
    extension = extension.lower()
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"not a file extension: {extension!r}")
    return f"scans/sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}{extension}"


def signed_key(document_id: str, dossier_code: str | None) -> str:
    """The key of a document's signed PDF/A, grouped by its dossier."""
    dossier = segment(dossier_code) if dossier_code else NO_DOSSIER
    return f"signed/{dossier}/{segment(document_id)}.pdf"


def extraction_key(document_id: str) -> str:
    """The key of a document's extraction JSON."""
    return f"extractions/{segment(document_id)}.json"


def segment(text: str) -> str:
    """``text`` as one key segment: NFC, then percent-encoded outside ``A-Za-z0-9_.-~`` (a
    dossier code "H29.13-240315/0012" cannot make a folder of its own); reversible."""
    encoded = quote(nfc(text), safe="")
    if not encoded or encoded.startswith("."):
        raise ValueError(f"{text!r} cannot name a key segment")
    return encoded


# -- metadata ------------------------------------------------------------------------------


def scan_metadata(original_name: str, received: datetime) -> dict[str, str]:
    """What a raw scan carries: the file name it came under, when it was received."""
    return {"original-name": nfc(original_name), "received": _instant(received)}


def signed_metadata(
    document_id: str,
    dossier_code: str | None,
    doc_type: str,
    created: datetime,
    scan_sha256: str | None = None,
) -> dict[str, str]:
    """What a signed PDF/A carries: enough to rebuild its catalog row from the store."""
    metadata = {
        "document-id": nfc(document_id),
        "doc-type": doc_type,
        "created": _instant(created),
    }
    if dossier_code:
        metadata["dossier-code"] = nfc(dossier_code)
    if scan_sha256:
        metadata["scan-sha256"] = scan_sha256
    return metadata


def extraction_metadata(document_id: str, doc_type: str, created: datetime) -> dict[str, str]:
    """What an extraction JSON carries: whose it is, of what type, when it was made."""
    return {"document-id": nfc(document_id), "doc-type": doc_type, "created": _instant(created)}


@dataclass(frozen=True, slots=True)
class SignedRecord:
    """A signed document as its object in the store describes it."""

    document_id: str
    dossier_code: str | None
    doc_type: str
    created: datetime
    sha256: str
    scan_sha256: str | None
    key: str
    version_id: str


def signed_record(stored: StoredObject) -> SignedRecord:
    """The catalog row a signed object's metadata gives back (rebuilding from the store)."""
    metadata = stored.metadata
    try:
        return SignedRecord(
            document_id=metadata["document-id"],
            dossier_code=metadata.get("dossier-code") or None,
            doc_type=metadata["doc-type"],
            created=datetime.fromisoformat(metadata["created"]),
            sha256=stored.sha256,
            scan_sha256=metadata.get("scan-sha256"),
            key=stored.key,
            version_id=stored.version_id,
        )
    except (KeyError, ValueError) as error:
        raise ValueError(f"{stored.key}: not a signed object's metadata ({error})") from None


def document_id_of(key: str) -> str:
    """The document id a ``signed/`` or ``extractions/`` key names."""
    name = key.rsplit("/", 1)[-1]
    return unquote(name.rsplit(".", 1)[0])


def _instant(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a stored time must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# -- retention -----------------------------------------------------------------------------


def retention_for(doc_type: str, now: datetime, environ: Mapping[str, str]) -> Retention | None:
    """How long a document of ``doc_type`` is kept unchanged from ``now``: 75 years for
    civil-status records (a life), 20 for the rest, unless ``SOHOA_RETENTION_YEARS_<TYPE>``
    or ``SOHOA_RETENTION_YEARS`` says otherwise; 0 years: no retention. The mode is
    ``SOHOA_S3_LOCK_MODE``'s (COMPLIANCE unless GOVERNANCE)."""
    per_type = f"SOHOA_RETENTION_YEARS_{doc_type.upper()}"
    default = CIVIL_STATUS_YEARS if doc_type in CIVIL_STATUS else DEFAULT_YEARS
    years = _years(environ, per_type, _years(environ, "SOHOA_RETENTION_YEARS", default))
    if years == 0:
        return None
    mode = environ.get("SOHOA_S3_LOCK_MODE", "").strip().upper() or "COMPLIANCE"
    if mode not in LOCK_MODES:
        raise StorageConfigError(f"SOHOA_S3_LOCK_MODE={mode!r}: one of {LOCK_MODES}")
    return Retention(mode, _years_later(now, years))


def _years(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > 1000:
        raise StorageConfigError(f"{name}={raw!r}: a whole number of years, 0 for none")
    return int(raw)


def _years_later(now: datetime, years: int) -> datetime:
    """The same calendar day ``years`` later (29 February: the 28th)."""
    if now.tzinfo is None:
        raise ValueError("retention is counted from a timezone-aware time")
    now = now.astimezone(UTC)
    try:
        return now.replace(year=now.year + years)
    except ValueError:
        return now.replace(year=now.year + years, day=28)
