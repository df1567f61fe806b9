"""The FastAPI application: one app, the CLI's library and signing code underneath.

Routes so far (issue #7 grows this): ``GET /healthz`` (store and catalog reachable),
``GET /openapi.json`` (the JSON API's schema), the public verification page
``GET /verify/{document_id}`` that a signed document's stamp QR code points to, and its
JSON twin ``GET /api/v1/verify/{document_id}``; ``POST`` to either with a PDF says
whether that file is the document, intact. Errors are one sentence to the user, never a
stack trace.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from sohoa.signing.pades import configured_trust_roots
from sohoa.storage.library import DocumentNotFound, Library
from sohoa.storage.objects import StorageError

from .verification import Comparison, StoredVerification, compare_with_stored, verify_stored

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
PUBLIC = "public:verify"  # who the audit log says read a document through the public page
#: the largest PDF the public page takes to compare: a signed dossier document is well
#: under 10 MB (a 4-page scan at 300 dpi, JPEG)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024
log = logging.getLogger("sohoa.web")


def create_app(home: Path) -> FastAPI:
    """The service over the library of ``home`` (``SOHOA_HOME``; MinIO and PostgreSQL where
    the environment names them, as for the CLI)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with Library.open(home) as library:
            app.state.library = library
            app.state.trust_roots = configured_trust_roots(home)
            yield

    app = FastAPI(
        title="sohoa",
        summary="Signed, searchable dossiers of the one-stop-shop office",
        lifespan=lifespan,
    )
    _routes(app)
    return app


def _routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["service"])
    def healthz(request: Request) -> JSONResponse:
        """200 ``{"status": "ok"}`` when the object store and the catalog answer."""
        library: Library = request.app.state.library
        try:
            library.catalog.ping()
            library.store.head("healthz")
        except Exception as error:  # any failure to reach either: not healthy
            log.warning("healthz: %s", error)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/api/v1/verify/{document_id}", tags=["verification"])
    def verify_api(document_id: str, request: Request) -> dict[str, Any]:
        """The stored document's signatures, as ``sohoa verify --json`` reports them, with
        its ID, type, version and the SHA-256 of the stored signed PDF. Public."""
        return _verified(request, document_id).to_json()

    @app.get("/verify/{document_id}", response_class=HTMLResponse, include_in_schema=False)
    def verify_page(document_id: str, request: Request) -> HTMLResponse:
        try:
            checked = _verified(request, document_id)
        except HTTPException as error:
            return _error_page(request, error.status_code, str(error.detail))
        return TEMPLATES.TemplateResponse(request, "verify.html", {"doc": checked})

    @app.post("/api/v1/verify/{document_id}", tags=["verification"])
    async def compare_api(
        document_id: str, request: Request, file: Annotated[UploadFile, File()]
    ) -> dict[str, Any]:
        """Whether the PDF sent is the stored document: the version whose bytes it is
        (``same_document``, ``version``, ``current``), and what its own signatures say
        (``verification``, as ``sohoa verify``). Public; at most 50 MiB."""
        return (await _compared(request, document_id, file)).to_json()

    @app.post("/verify/{document_id}", response_class=HTMLResponse, include_in_schema=False)
    async def compare_page(
        document_id: str, request: Request, file: Annotated[UploadFile, File()]
    ) -> HTMLResponse:
        try:
            checked = await run_in_threadpool(_verified, request, document_id)
            compared = await _compared(request, document_id, file)
        except HTTPException as error:
            return _error_page(request, error.status_code, str(error.detail))
        context = {"doc": checked, "compared": compared, "name": file.filename or "tệp"}
        return TEMPLATES.TemplateResponse(request, "verify.html", context)


def _verified(request: Request, document_id: str) -> StoredVerification:
    try:
        return verify_stored(
            request.app.state.library, request.app.state.trust_roots, document_id, actor=PUBLIC
        )
    except DocumentNotFound:
        raise _not_found(document_id) from None
    except StorageError as error:
        log.error("verify %s: %s", document_id, error)
        raise HTTPException(503, "Kho lưu trữ chưa trả lời; xin thử lại sau.") from None


async def _compared(request: Request, document_id: str, upload: UploadFile) -> Comparison:
    with tempfile.TemporaryDirectory(prefix="sohoa-compare-") as folder:
        path = Path(folder) / "sent.pdf"
        sha256 = await _received(upload, path)
        state = request.app.state
        try:  # the store, the catalog and pyHanko block: off the event loop
            return await run_in_threadpool(
                compare_with_stored, state.library, state.trust_roots, document_id, path, sha256
            )
        except DocumentNotFound:
            raise _not_found(document_id) from None


async def _received(upload: UploadFile, path: Path) -> str:
    """The upload written to ``path`` as it comes, hashed on the way; refused past
    :data:`MAX_UPLOAD_BYTES` (413) or when it does not start as a PDF does (415)."""
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            if size == 0 and not chunk.startswith(b"%PDF-"):
                raise HTTPException(415, "Tệp gửi lên không phải là tệp PDF.")
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise HTTPException(413, "Tệp quá lớn (tối đa 50 MB).")
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise HTTPException(400, "Tệp gửi lên trống.")
    return digest.hexdigest()


def _not_found(document_id: str) -> HTTPException:
    return HTTPException(404, f"Không có văn bản mã {document_id}.")


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"message": message}, status_code=status
    )
