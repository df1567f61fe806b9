"""How routes answer in the cases they share: a stored PDF sent from a temporary folder,
an unknown document or a store that does not answer as one Vietnamese sentence, an
upload received as a PDF within limits."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fastapi import HTTPException, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from sohoa.storage.library import DocumentNotFound
from sohoa.storage.objects import StorageError

#: the largest PDF taken from a visitor: a signed dossier document is well under 10 MB
#: (a 4-page scan at 300 dpi, JPEG)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024
T = TypeVar("T")
log = logging.getLogger("sohoa.web")


def not_found(document_id: str) -> HTTPException:
    return HTTPException(404, f"Không có văn bản mã {document_id}.")


def or_404(call: Callable[[], T], document_id: str) -> T:
    """``call()``; an unknown document is a 404 sentence, a store that does not answer a
    503 sentence."""
    try:
        return call()
    except DocumentNotFound:
        raise not_found(document_id) from None
    except StorageError as error:
        log.error("%s: %s", document_id, error)
        raise HTTPException(503, "Kho lưu trữ chưa trả lời; xin thử lại sau.") from None


def stored_pdf(
    fetch: Callable[[Path], object], document_id: str, name: str, *, inline: bool
) -> FileResponse:
    """``fetch(path)`` writes a stored PDF (hash-checked, audited) into a temporary
    folder; it is sent, then the folder removed."""
    folder = tempfile.TemporaryDirectory(prefix="sohoa-pdf-")
    path = Path(folder.name) / "signed.pdf"
    try:
        or_404(lambda: fetch(path), document_id)
    except BaseException:
        folder.cleanup()
        raise
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=name,
        content_disposition_type="inline" if inline else "attachment",
        background=BackgroundTask(folder.cleanup),
    )


async def received_pdf(upload: UploadFile, path: Path, limit: int = MAX_UPLOAD_BYTES) -> str:
    """The upload written to ``path`` as it comes, hashed on the way; refused past
    ``limit`` (413) or when it does not start as a PDF does (415)."""
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            if size == 0 and not chunk.startswith(b"%PDF-"):
                raise HTTPException(415, "Tệp gửi lên không phải là tệp PDF.")
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"Tệp quá lớn (tối đa {limit // 2**20} MB).")
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise HTTPException(400, "Tệp gửi lên trống.")
    return digest.hexdigest()
