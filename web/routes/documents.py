"""The archive: search stored documents and open one -- its signed PDF inline, its
fields, its signature status (the same verification as ``sohoa verify``), its versions
and audit history -- and download it byte-identical to ``sohoa get``.

Staff (clerk, officer, admin) reach every document; a citizen only those that carry
their personal ID: their search is always filtered by it, and any other document ID is
"not found" to them (404, not 403: an ID that exists says nothing more than one that
does not). Every read and download is audited under the account's name.
"""

from __future__ import annotations

import functools
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sohoa.storage.catalog import DocumentRecord, SearchHit

from ..accounts import Principal
from ..deps import library, readable, render, require, verified
from ..labels import DOC_TYPES
from ..replies import not_found, or_404, stored_pdf
from .signin import ANY_ROLE

router = APIRouter()
Reader = Annotated[Principal, Depends(require(*ANY_ROLE))]
Staff = Annotated[Principal, Depends(require("clerk", "officer", "admin"))]
#: a date box a browser sends empty when it was left empty (``date_from=``): no filter
Day = Annotated[date | None, BeforeValidator(lambda v: v or None), Query()]


class SearchQuery:
    """The search form's fields (pages and API alike)."""

    def __init__(
        self,
        q: Annotated[str, Query(max_length=500, description="Words, names, ID numbers")] = "",
        dossier_code: Annotated[str | None, Query(max_length=64)] = None,
        id_number: Annotated[str | None, Query(max_length=20)] = None,
        doc_type: Annotated[str | None, Query(max_length=40)] = None,
        date_from: Day = None,
        date_to: Day = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    ) -> None:
        self.q = q.strip()
        self.dossier_code = dossier_code.strip() if dossier_code else None
        self.id_number = id_number.strip() if id_number else None
        self.doc_type = doc_type or None
        self.date_from, self.date_to = date_from, date_to
        self.limit, self.offset = limit, offset

    @property
    def empty(self) -> bool:
        return not (self.q or self.dossier_code or self.id_number or self.doc_type) and not (
            self.date_from or self.date_to
        )

    def filters(self) -> dict[str, Any]:
        return {
            "dossier_code": self.dossier_code,
            "id_number": self.id_number,
            "doc_type": self.doc_type,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }


Search = Annotated[SearchQuery, Depends()]


@router.get("/api/v1/documents", tags=["documents"])
def search_api(request: Request, principal: Reader, query: Search) -> dict[str, Any]:
    """Stored documents matching the words of ``q`` (with or without diacritics, any
    case) and every filter; hits as ``sohoa search --json`` prints them. A citizen's
    search is limited to documents that carry their personal ID."""
    return {"hits": [hit.to_contract() for hit in _search(request, principal, query)]}


@router.get("/api/v1/documents/{document_id}", tags=["documents"])
def document_api(document_id: str, request: Request, principal: Reader) -> dict[str, Any]:
    """The document's current version (its extract, where the signed PDF lies, its
    SHA-256) and every stored version. Audited as a read."""
    record = readable_document(request, principal, document_id)
    library(request).catalog.audit("read", record.document_id, actor=principal.username)
    return _document_json(request, record)


@router.get("/api/v1/documents/{document_id}/pdf", tags=["documents"])
def pdf_api(document_id: str, request: Request, principal: Reader) -> FileResponse:
    """The signed PDF, the very bytes ``sohoa get`` writes. Audited as a download."""
    return _pdf(request, principal, document_id, inline=False)


@router.get("/api/v1/documents/{document_id}/verification", tags=["documents"])
def verification_api(document_id: str, request: Request, principal: Reader) -> dict[str, Any]:
    """The stored signed PDF verified, as ``sohoa verify --json`` reports it."""
    record = readable_document(request, principal, document_id)
    return verified(request, record.document_id, actor=principal.username).to_json()


@router.get("/api/v1/documents/{document_id}/audit", tags=["documents"])
def audit_api(document_id: str, request: Request, principal: Staff) -> dict[str, Any]:
    """Who stored, read, downloaded, shared or corrected the document, when. Staff only."""
    record = readable_document(request, principal, document_id)
    events = library(request).catalog.audit_trail(record.document_id)
    return {"events": [_event_json(asdict(e)) for e in events]}


# -- pages ---------------------------------------------------------------------------------


@router.get("/documents", response_class=HTMLResponse, include_in_schema=False)
def search_page(request: Request, principal: Reader, query: Search) -> Response:
    if not principal.is_staff:
        return RedirectResponse("/me", 303)
    hits = [] if query.empty else _search(request, principal, query)
    context = {"query": query, "hits": hits, "doc_types": DOC_TYPES}
    return render(request, "search.html", context)


@router.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
async def document_page(document_id: str, request: Request, principal: Reader) -> Response:
    record = await run_in_threadpool(readable_document, request, principal, document_id)
    # one audited read for the page (its fields, its signature status); the PDF in its
    # frame is a read of its own (/documents/{id}/pdf)
    checked = await run_in_threadpool(
        functools.partial(verified, actor=principal.username, action=None),
        request,
        record.document_id,
    )
    await run_in_threadpool(
        library(request).catalog.audit,
        "read",
        record.document_id,
        actor=principal.username,
        detail={"page": "document"},
    )
    catalog = library(request).catalog
    versions = await run_in_threadpool(catalog.versions, record.document_id)
    events = (
        await run_in_threadpool(catalog.audit_trail, record.document_id)
        if principal.is_staff
        else []
    )
    context = {
        "record": record,
        "doc": checked,
        "versions": versions,
        "events": events,
    }
    return render(request, "document.html", context)


@router.get("/documents/{document_id}/pdf", include_in_schema=False)
def pdf_page(
    document_id: str, request: Request, principal: Reader, download: bool = False
) -> FileResponse:
    return _pdf(request, principal, document_id, inline=not download)


# -- shared by both ------------------------------------------------------------------------


def _search(request: Request, principal: Principal, query: SearchQuery) -> list[SearchHit]:
    filters = query.filters()
    if not principal.is_staff:
        if query.id_number not in (None, principal.personal_id) or not principal.personal_id:
            return []
        filters["id_number"] = principal.personal_id
    return library(request).search(query.q, limit=query.limit, offset=query.offset, **filters)


def readable_document(request: Request, principal: Principal, document_id: str) -> DocumentRecord:
    """The document, if ``principal`` may read it; else 404, as for an unknown ID."""
    lib = library(request)
    record = or_404(lambda: lib.document(document_id), document_id)
    holders = set() if principal.is_staff else lib.catalog.id_numbers(record.document_id)
    if not readable(principal, holders):
        raise not_found(document_id)
    return record


def _pdf(request: Request, principal: Principal, document_id: str, *, inline: bool) -> FileResponse:
    record = readable_document(request, principal, document_id)
    action = "read" if inline else "downloaded"
    return stored_pdf(
        lambda path: library(request).get(
            record.document_id, path, actor=principal.username, action=action
        ),
        record.document_id,
        f"{record.document_id}.pdf",
        inline=inline,
    )


def _document_json(request: Request, record: DocumentRecord) -> dict[str, Any]:
    versions = library(request).catalog.versions(record.document_id)
    out = asdict(record)
    out["stored_at"] = record.stored_at.isoformat()
    out["versions"] = [
        {
            "version": v.version,
            "sha256": v.sha256,
            "size": v.size,
            "created_at": v.created_at.isoformat(),
            "current": v.version == record.version,
        }
        for v in versions
    ]
    return out


def _event_json(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "at": event["at"].isoformat()}
