"""The FastAPI application: one app, the CLI's library and signing code underneath.

Routes so far (issue #7 grows this): ``GET /healthz`` (store and catalog reachable),
``GET /openapi.json`` (the JSON API's schema), the public verification page
``GET /verify/{document_id}`` that a signed document's stamp QR code points to, and its
JSON twin ``GET /api/v1/verify/{document_id}``. Errors are one sentence to the user,
never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from sohoa.signing.pades import configured_trust_roots
from sohoa.storage.library import DocumentNotFound, Library
from sohoa.storage.objects import StorageError

from .verification import verify_stored

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
PUBLIC = "public:verify"  # who the audit log says read a document through the public page
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


def _verified(request: Request, document_id: str) -> Any:
    try:
        return verify_stored(
            request.app.state.library, request.app.state.trust_roots, document_id, actor=PUBLIC
        )
    except DocumentNotFound:
        raise HTTPException(404, f"Không có văn bản mã {document_id}.") from None
    except StorageError as error:
        log.error("verify %s: %s", document_id, error)
        raise HTTPException(503, "Kho lưu trữ chưa trả lời; xin thử lại sau.") from None


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"message": message}, status_code=status
    )
