"""The clerks' journey: upload a scanned batch, watch it go through ``sohoa process``,
then look at what the machine was unsure of, correct it and approve -- the document is
then signed and stored like any other, the corrections audited under the clerk's name.

Clerks and admins only (officers and citizens: 403), pages and API alike. A batch runs
in a subprocess (web/batches.py), one at a time; a review is
:func:`sohoa.pipeline.review.approve`, the very code of ``sohoa review approve``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hmac
import io
import logging
import re
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import pikepdf
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sohoa.pipeline.dossier import parse_dossier_code
from sohoa.pipeline.review import ReviewError, Waiting, approve, queue, waiting
from sohoa.storage.library import Library, StoredDocument
from sohoa.storage.objects import StorageError

from .. import corrections, uploads
from ..accounts import Principal
from ..batches import DONE, FAILED, QUEUED, RUNNING, Batch, Batches, BatchSettings
from ..deps import library, render, require
from ..security import check_csrf, csrf_seed, csrf_token
from .documents import DOC_TYPES

log = logging.getLogger("sohoa.web")
Clerk = Annotated[Principal, Depends(require("clerk", "admin"))]
#: how a batch stands, as the page says it
STATES = {
    QUEUED: "Đang chờ đến lượt",
    RUNNING: "Đang xử lý",
    DONE: "Đã xong",
    FAILED: "Bị lỗi",
}
#: the batches the upload page lists, the newest
PAGE_BATCHES = 50
#: the batch page reloads itself this often (seconds) while its batch is not done
REFRESH_SECONDS = 3
_DOCUMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
#: the multipart form of ``POST /api/v1/batches``, for the OpenAPI schema (the body is
#: read as it streams, not by FastAPI)
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "A multi-page TIFF or PDF, or several JPEG/PNG pages",
                        },
                        "dossier_code": {
                            "type": "string",
                            "maxLength": 64,
                            "description": "The dossier code of a batch that is one dossier",
                        },
                    },
                }
            }
        },
    }
}


@asynccontextmanager
async def running_batches(app: FastAPI) -> AsyncIterator[None]:
    """The batch runner for the app's lifetime: started with it, stopped (a batch running
    is stopped too, and resumed at the next start) with it."""
    batches = Batches(home_of(app), BatchSettings.from_environ())
    app.state.batches = batches
    batches.start()
    try:
        yield
    finally:
        await run_in_threadpool(batches.stop)


router = APIRouter(lifespan=running_batches)


def home_of(app: FastAPI) -> Path:
    """The app's ``SOHOA_HOME`` (set by the app's lifespan, which runs before this
    router's)."""
    return app.state.home


def batches(request: Request) -> Batches:
    return request.app.state.batches


# -- the JSON API --------------------------------------------------------------------------


@router.get("/api/v1/batches", tags=["batches"])
def batches_api(
    request: Request, principal: Clerk, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, Any]:
    """The batches uploaded, the newest first (``limit`` of them), with their progress."""
    store = batches(request)
    return {"batches": [b.to_json(store.home) for b in store.all()[:limit]]}


@router.post("/api/v1/batches", tags=["batches"], status_code=202, openapi_extra=_UPLOAD_BODY)
async def upload_api(request: Request, principal: Clerk) -> JSONResponse:
    """A batch to process (multipart: ``files``, optional ``dossier_code``; the
    ``X-CSRF-Token`` header). Queued: 202 with the batch, ``Location`` its address."""
    batch = await _upload(request, principal)
    body = await run_in_threadpool(batch.to_json, batches(request).home)
    location = f"/api/v1/batches/{batch.batch_id}"
    return JSONResponse(body, status_code=202, headers={"Location": location})


@router.get("/api/v1/batches/{batch_id}", tags=["batches"])
def batch_api(batch_id: str, request: Request, principal: Clerk) -> dict[str, Any]:
    """How the batch stands: ``state`` (queued, running, done, failed), pages done of
    ``pages_total``, documents ``stored`` and set aside for ``review``, ``errors``."""
    return _batch(request, batch_id).to_json(batches(request).home)


@router.get("/api/v1/review", tags=["review"])
def review_api(request: Request, principal: Clerk) -> dict[str, Any]:
    """The documents waiting for a clerk, oldest first, with the fields to check."""
    return {"documents": [_summary(entry) for entry in queue(home_of(request.app))]}


class Approval(BaseModel):
    """Corrected fields (``name: value``; empty or null: the field is empty)."""

    fields: dict[str, str | None] = Field(default_factory=dict)


@router.post(
    "/api/v1/review/{document_id}",
    tags=["review"],
    dependencies=[Depends(check_csrf)],
    response_model=None,
)
async def approve_api(
    document_id: str, approval: Approval, request: Request, principal: Clerk
) -> dict[str, Any] | JSONResponse:
    """Correct the fields and approve: the document is signed and stored. A value that
    cannot be right: 422, ``errors`` by field, nothing stored."""
    sent = {corrections.PREFIX + k: v or "" for k, v in approval.fields.items()}
    outcome = await run_in_threadpool(_approve, request, principal, document_id, sent)
    if isinstance(outcome, dict):
        return JSONResponse({"detail": _invalid(outcome), "errors": outcome}, status_code=422)
    return {
        "document_id": outcome.document_id,
        "version": outcome.version,
        "sha256": outcome.sha256,
        "queued": outcome.queued,
    }


# -- pages ---------------------------------------------------------------------------------


@router.get("/batches", response_class=HTMLResponse, include_in_schema=False)
def batches_page(request: Request, principal: Clerk) -> Response:
    store = batches(request)
    context = {
        "batches": [b.to_json(store.home) for b in store.all()[:PAGE_BATCHES]],
        "states": STATES,
        "max_mb": uploads.megabytes(store.settings.max_bytes),
    }
    return render(request, "clerk_batches.html", context)


@router.post("/batches", include_in_schema=False)
async def upload_page(request: Request, principal: Clerk) -> Response:
    batch = await _upload(request, principal)
    return RedirectResponse(f"/batches/{batch.batch_id}", 303)


@router.get("/batches/{batch_id}", response_class=HTMLResponse, include_in_schema=False)
def batch_page(batch_id: str, request: Request, principal: Clerk) -> Response:
    batch = _batch(request, batch_id).to_json(batches(request).home)
    context = {"batch": batch, "states": STATES, "doc_types": DOC_TYPES}
    response = render(request, "clerk_batch.html", context)
    if batch["state"] in (QUEUED, RUNNING):
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_queue_page(request: Request, principal: Clerk) -> Response:
    documents = [_summary(entry) for entry in queue(home_of(request.app))]
    context = {"documents": documents, "doc_types": DOC_TYPES, "labels": corrections.FIELD_LABELS}
    return render(request, "review_queue.html", context)


@router.get("/review/{document_id}", response_class=HTMLResponse, include_in_schema=False)
def review_page(document_id: str, request: Request, principal: Clerk) -> Response:
    return _review_form(request, _waiting(request, document_id))


@router.get("/review/{document_id}/page/{number}.png", include_in_schema=False)
def review_page_image(
    document_id: str, number: int, request: Request, principal: Clerk
) -> Response:
    """Page ``number`` of the waiting document's archive copy, the fields to check
    outlined in red (pipeline/reviewsheet.py)."""
    from sohoa.pipeline.reviewsheet import page_image

    entry = _waiting(request, document_id)
    if not 1 <= number <= _page_count(entry):
        raise HTTPException(404, f"Văn bản {entry.document_id} không có trang {number}.")
    image = page_image(entry, number)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return Response(out.getvalue(), media_type="image/png")


@router.post(
    "/review/{document_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(check_csrf)],
)
async def approve_page(document_id: str, request: Request, principal: Clerk) -> Response:
    form = await request.form()
    sent = {
        k: v for k, v in form.items() if k.startswith(corrections.PREFIX) and isinstance(v, str)
    }
    outcome = await run_in_threadpool(_approve, request, principal, document_id, sent)
    if isinstance(outcome, dict):
        entry = await run_in_threadpool(_waiting, request, document_id)
        return _review_form(request, entry, sent, outcome, status_code=422)
    if outcome.queued:
        message = (
            f"Văn bản {outcome.document_id} đã được ký; kho lưu trữ chưa trả lời nên văn bản "
            "đang chờ được lưu vào kho."
        )
        return render(request, "error.html", {"message": message}, status_code=202)
    return RedirectResponse(f"/documents/{outcome.document_id}", 303)


# -- shared by both ------------------------------------------------------------------------


async def _upload(request: Request, principal: Principal) -> Batch:
    """The upload streamed into a new batch's folder, then queued."""
    store = batches(request)
    batch_id, incoming = await run_in_threadpool(store.incoming)
    try:
        received = await uploads.receive(
            request, incoming / "files", store.settings, _csrf_valid(request)
        )
        code = _dossier_code(received.fields.get("dossier_code", ""))
    except BaseException:
        await run_in_threadpool(shutil.rmtree, incoming, True)
        raise
    meta = {"uploaded_by": principal.username, "dossier_code": code, "files": received.files}
    batch = await run_in_threadpool(store.add, batch_id, incoming, meta)
    log.info("batch %s: %d files from %s", batch_id, len(received.files), principal.username)
    return batch


def _csrf_valid(request: Request) -> Callable[[str], bool]:
    """Whether a token is this session's (security.check_csrf's test, for a body read as
    it streams)."""
    seed = csrf_seed(request)
    expected = None if seed is None else csrf_token(request.app.state.web.secret, seed)
    return lambda sent: expected is not None and bool(sent) and hmac.compare_digest(sent, expected)


def _dossier_code(text: str) -> str | None:
    if not text.strip():
        return None
    parsed = parse_dossier_code(text)
    if parsed is None:
        raise HTTPException(
            400,
            f"«{text.strip()[:64]}» không phải mã hồ sơ (dạng cơ quan-yymmdd-số thứ tự, "
            "ví dụ 000.00.15.H26-251124-0001).",
        )
    return parsed.code


def _batch(request: Request, batch_id: str) -> Batch:
    batch = batches(request).get(batch_id)
    if batch is None:
        raise HTTPException(404, f"Không có lô quét mã {batch_id[:40]}.")
    return batch


def _waiting(request: Request, document_id: str) -> Waiting:
    missing = HTTPException(404, f"Không có văn bản mã {document_id[:100]} đang chờ kiểm tra.")
    if not _DOCUMENT_ID.fullmatch(document_id):
        raise missing
    try:
        return waiting(home_of(request.app), document_id)
    except ReviewError:
        raise missing from None


def _page_count(entry: Waiting) -> int:
    with pikepdf.open(entry.archive) as pdf:
        return len(pdf.pages)


def _summary(entry: Waiting) -> dict[str, Any]:
    e = entry.extract
    return {
        "document_id": entry.document_id,
        "doc_type": e.get("doc_type"),
        "dossier_code": e.get("dossier_code"),
        "source": Path(e.get("source", "")).name,
        "pages": e.get("pages", []),
        "unsure": entry.unsure(),
    }


def _review_form(
    request: Request,
    entry: Waiting,
    sent: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    e = entry.extract
    context = {
        "entry": entry,
        "extract": e,
        "source": Path(e.get("source", "")).name,
        "pages": range(1, _page_count(entry) + 1),
        "rows": corrections.rows(entry, sent, errors or {}),
        "error": _invalid(errors) if errors else None,
        "doc_types": DOC_TYPES,
    }
    return render(request, "review.html", context, status_code=status_code)


def _invalid(errors: dict[str, str]) -> str:
    return f"Chưa lưu: {len(errors)} ô có giá trị không hợp lệ; xin sửa các ô được đánh dấu."


def _approve(
    request: Request, principal: Principal, document_id: str, sent: dict[str, str]
) -> StoredDocument | dict[str, str]:
    """The corrections checked, then the document approved -- signed and stored, the
    corrections audited under the clerk's name; or the errors by field, nothing done.
    One approval of a document at a time (a lock file: any server process)."""
    from sohoa.pipeline.settings import load_settings
    from sohoa.signing.config import open_office_signer
    from sohoa.signing.pades import SigningError

    home = home_of(request.app)
    with _approving(home):
        entry = _waiting(request, document_id)
        made, errors = corrections.changes(entry, sent)
        if errors:
            return errors
        lib: Library = library(request)
        try:
            signing = load_settings().signing  # the signing the CLI's environment gives
            with open_office_signer(signing, home) as office:
                return approve(
                    home,
                    entry.document_id,
                    made,
                    library=lib,
                    office=office,
                    actor=principal.username,
                )
        except SigningError as error:
            log.error("%s: %s", document_id, error)
            raise HTTPException(503, "Chưa ký được văn bản; xin báo quản trị viên.") from None
        except StorageError as error:
            log.error("%s: %s", document_id, error)
            raise HTTPException(503, "Kho lưu trữ chưa trả lời; xin thử lại sau.") from None


@contextlib.contextmanager
def _approving(home: Path) -> Iterator[None]:
    folder = home / "review"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".approving.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
