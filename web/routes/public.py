"""What anyone may open without signing in: the verification page a signed document's
stamp QR code points to (and its JSON twin; a PDF sent to it is compared with the stored
versions), and the share links citizens hand to other offices. Rate-limited per
address."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..deps import library, render, shares, verified
from ..replies import or_404, received_pdf, stored_pdf
from ..security import client_address, too_many
from ..shares import Share
from ..verification import Comparison, StoredVerification, compare_with_stored

PUBLIC = "public:verify"  # who the audit log says read a document through the public page


def _rate_limited(request: Request) -> None:
    limiter = request.app.state.public_limiter
    if not limiter.hit(client_address(request)):
        raise too_many(limiter.window)


router = APIRouter(dependencies=[Depends(_rate_limited)])


@router.get("/api/v1/verify/{document_id}", tags=["verification"])
def verify_api(document_id: str, request: Request) -> dict[str, Any]:
    """The stored document's signatures, as ``sohoa verify --json`` reports them, with
    its ID, type, version and the SHA-256 of the stored signed PDF. Public."""
    return _verified(request, document_id).to_json()


@router.get("/verify/{document_id}", response_class=HTMLResponse, include_in_schema=False)
def verify_page(document_id: str, request: Request) -> Response:
    return render(request, "verify.html", {"doc": _verified(request, document_id)})


@router.post("/api/v1/verify/{document_id}", tags=["verification"])
async def compare_api(
    document_id: str, request: Request, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """Whether the PDF sent is the stored document: the version whose bytes it is
    (``same_document``, ``version``, ``current``), and what its own signatures say
    (``verification``, as ``sohoa verify``). Public; at most 50 MiB."""
    return (await _compared(request, document_id, file)).to_json()


@router.post("/verify/{document_id}", response_class=HTMLResponse, include_in_schema=False)
async def compare_page(
    document_id: str, request: Request, file: Annotated[UploadFile, File()]
) -> Response:
    checked = await run_in_threadpool(_verified, request, document_id)
    compared = await _compared(request, document_id, file)
    context = {"doc": checked, "compared": compared, "name": file.filename or "tệp"}
    return render(request, "verify.html", context)


@router.get("/s/{token}", response_class=HTMLResponse, include_in_schema=False)
def shared_page(token: str, request: Request) -> Response:
    """The page a share link opens: what the document is, until when, and its PDF."""
    share = _live_share(request, token)
    record = or_404(lambda: library(request).document(share.document_id), share.document_id)
    library(request).catalog.audit(
        "read", share.document_id, actor=_share_actor(share), detail={"version": share.version}
    )
    return render(request, "shared.html", {"share": share, "record": record, "token": token})


@router.get("/s/{token}/pdf", include_in_schema=False)
def shared_pdf(token: str, request: Request) -> FileResponse:
    """The shared version's signed PDF, as stored; audited as downloaded by the link."""
    share = _live_share(request, token)
    return stored_pdf(
        lambda path: library(request).get_version(
            share.document_id, share.version, path, actor=_share_actor(share), action="downloaded"
        ),
        share.document_id,
        f"{share.document_id}.pdf",
        inline=False,
    )


def _live_share(request: Request, token: str) -> Share:
    share = shares(request).live(token)
    if share is None:
        raise HTTPException(404, "Liên kết chia sẻ không tồn tại, đã hết hạn hoặc đã bị thu hồi.")
    return share


def _share_actor(share: Share) -> str:
    return f"share:{share.share_id}"


def _verified(request: Request, document_id: str) -> StoredVerification:
    return verified(request, document_id, actor=PUBLIC)


async def _compared(request: Request, document_id: str, upload: UploadFile) -> Comparison:
    with tempfile.TemporaryDirectory(prefix="sohoa-compare-") as folder:
        path = Path(folder) / "sent.pdf"
        sha256 = await received_pdf(upload, path)
        state = request.app.state
        # the store, the catalog and pyHanko block: off the event loop
        return await run_in_threadpool(
            or_404,
            lambda: compare_with_stored(
                state.library, state.trust_roots, document_id, path, sha256
            ),
            document_id,
        )
