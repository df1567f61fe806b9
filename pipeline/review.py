"""The clerks' review queue: documents ``sohoa process`` was unsure of, waiting unsigned.

Each waits in ``SOHOA_HOME/review/<document ID>/``: ``archive.pdf`` (the PDF/A copy,
its text layer included, not signed) and ``extract.json`` (the extract object with
``document_id`` and ``dossier_code``). A clerk lists them, looks at the fields beside
the page, corrects what is wrong and approves: the document is then signed, stamped
and stored like any other, under the ID it already had, and each correction -- the
value read and the value set, and who set it -- goes to the audit log.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SohoaError
from .vntext import nfc

if TYPE_CHECKING:
    from sohoa.signing.config import OfficeSigner


class ReviewError(SohoaError):
    """A document that is not in the queue, or a correction that cannot be made."""


#: what a waiting document's raw scans are (``Waiting.scans``)
SCANS = "scans.json"


@dataclass(frozen=True, slots=True)
class Waiting:
    """One document in the queue."""

    folder: Path
    extract: dict[str, Any]

    @property
    def document_id(self) -> str:
        return str(self.extract["document_id"])

    @property
    def archive(self) -> Path:
        return self.folder / "archive.pdf"

    def scans(self) -> tuple[list[Path], list[str]]:
        """Its raw scans: (files to store with it, SHA-256s of those stored already).
        ``sohoa process`` stores them when it sets the document aside (``scans.json``:
        ``{"sha256": [...]}``), or, where the store could not be reached then, names the
        files (``{"paths": [...]}``), stored with the document if they are still there."""
        try:
            kept = json.loads((self.folder / SCANS).read_text("utf-8"))
        except FileNotFoundError:
            return [], []
        files = [Path(path) for path in kept.get("paths", []) if Path(path).is_file()]
        return files, list(kept.get("sha256", []))

    def unsure(self) -> dict[str, str]:
        """Why each field needs a look: what the checks found, or a low confidence."""
        from .extract import REVIEW_FIELD  # late: the model-laden module

        why = {name: "; ".join(p) for name, p in self.extract.get("problems", {}).items() if p}
        for name, value in self.extract.get("fields", {}).items():
            confidence = self.extract.get("field_confidence", {}).get(name)
            if name in why:
                continue
            if value is None:
                why[name] = "not read"
            elif confidence is not None and confidence < REVIEW_FIELD:
                why[name] = f"confidence {confidence:.2f}"
        return why


def queue(home: Path) -> Iterator[Waiting]:
    """The documents waiting, oldest first."""
    folder = home / "review"
    if not folder.is_dir():
        return
    entries = [f for f in folder.iterdir() if f.is_dir() and not f.name.startswith(".")]
    for entry in sorted(entries, key=lambda f: f.stat().st_mtime):
        yield waiting(home, entry.name)


def waiting(home: Path, document_id: str) -> Waiting:
    folder = home / "review" / document_id
    try:
        extract = json.loads((folder / "extract.json").read_text("utf-8"))
    except FileNotFoundError:
        raise ReviewError(f"{document_id}: not waiting for review") from None
    return Waiting(folder, extract)


def corrected(
    extract: Mapping[str, Any], changes: Mapping[str, str | float | None]
) -> dict[str, Any]:
    """The extract with ``changes`` made (text NFC, whitespace collapsed; "" or None: the
    field is empty; a number, an area, as it is), reviewed: no longer ``needs_review``,
    each changed field's confidence 1.0 (a person read it) and its problems cleared."""
    fields = dict(extract.get("fields", {}))
    confidence = dict(extract.get("field_confidence", {}))
    problems = dict(extract.get("problems", {}))
    for name, value in changes.items():
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise ReviewError(f"{extract['document_id']}: no field {name!r} (fields: {known})")
        if isinstance(value, str):
            value = " ".join(nfc(value).split()) or None
        fields[name] = value
        confidence[name] = 1.0
        problems.pop(name, None)
    return {
        **extract,
        "fields": fields,
        "field_confidence": confidence,
        "problems": problems,
        "needs_review": False,
    }


def approve(
    home: Path,
    document_id: str,
    changes: Mapping[str, str | float | None],
    *,
    library: Any,
    office: OfficeSigner,
    actor: str,
) -> Any:
    """Sign and store a reviewed document with ``changes`` made; its corrections audited.
    The queue's entry goes once the document is stored."""
    entry = waiting(home, document_id)
    extract = corrected(entry.extract, changes)
    with tempfile.TemporaryDirectory(prefix="sohoa-review-") as folder:
        signed = Path(folder) / "signed.pdf"
        office.sign(
            entry.archive, signed, stamp=office.stamp_on_last_page(entry.archive, document_id)
        )
        contract = {k: v for k, v in extract.items() if k not in ("document_id", "dossier_code")}
        files, kept = entry.scans()
        stored = library.store_document(
            signed,
            contract,
            document_id=document_id,
            dossier_code=extract.get("dossier_code"),
            scan=files,
            kept_scans=kept,
            actor=actor,
        )
    before = entry.extract.get("fields", {})
    changed = {
        k: [before.get(k), extract["fields"][k]]
        for k in changes
        if before.get(k) != extract["fields"][k]
    }
    confirmed = sorted(k for k in changes if k not in changed)
    # audited now even when the store was down and the document waits in the outbox:
    # the correction was made, by this person, now (the log names documents by ID and
    # needs none catalogued); before, a queued approval's corrections were never logged
    if changed or confirmed:
        detail = {"review": True, "fields": changed, "confirmed": confirmed}
        library.catalog.audit("corrected", document_id, actor=actor, detail=detail)
    shutil.rmtree(entry.folder)
    return stored
