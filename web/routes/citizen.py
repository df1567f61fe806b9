"""A citizen's own documents, and the share links they give other offices.

"Their own": the documents whose personal ID numbers (``Catalog.id_numbers``: the
holder's, either spouse's, the applicant's) include the account's personal ID. Not
their household's: a household register lists its members by name and date of birth,
not by ID number, and matching by name would hand a citizen a namesake's papers; a
member reaches the register through the head of household, or an office shares it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from ..accounts import Principal
from ..deps import library, render, require, settings, shares
from ..labels import doc_type_label, holders
from ..security import check_csrf, set_cookie
from ..shares import LONGEST, Share
from .documents import readable_document

router = APIRouter()
Citizen = Annotated[Principal, Depends(require("citizen"))]
#: the lifetimes the page offers, in hours
LIFETIMES = {1: "1 giờ", 24: "1 ngày", 72: "3 ngày", 168: "7 ngày", 720: "30 ngày"}
NEW_LINK_COOKIE = "sohoa_new_link"


class ShareRequest(BaseModel):
    hours: int = Field(72, ge=1, le=int(LONGEST.total_seconds() // 3600))


@router.post(
    "/api/v1/documents/{document_id}/shares",
    tags=["sharing"],
    status_code=201,
    dependencies=[Depends(check_csrf)],
)
def share_api(
    document_id: str, body: ShareRequest, request: Request, principal: Citizen
) -> dict[str, Any]:
    """A link another office may open, until it expires or is revoked, to download this
    version of one of your documents. The ``url`` is shown this once."""
    share, token = _share(request, principal, document_id, body.hours)
    return {**share.to_json(), "url": _link(request, token)}


@router.get("/api/v1/shares", tags=["sharing"])
def shares_api(request: Request, principal: Citizen) -> dict[str, Any]:
    """Your share links, newest first (their URLs are not kept, only their IDs)."""
    return {"shares": [s.to_json() for s in shares(request).of_owner(principal.username)]}


@router.delete(
    "/api/v1/shares/{share_id}",
    tags=["sharing"],
    dependencies=[Depends(check_csrf)],
)
def revoke_api(share_id: str, request: Request, principal: Citizen) -> dict[str, Any]:
    """Revoke one of your links: it opens nothing from now on."""
    return _revoke(request, principal, share_id).to_json()


@router.get("/me", response_class=HTMLResponse, include_in_schema=False)
def my_page(request: Request, principal: Citizen) -> Response:
    new_link = request.cookies.get(NEW_LINK_COOKIE)
    response = _page(request, principal, new_link)
    if new_link:
        response.delete_cookie(NEW_LINK_COOKIE, path="/me")
    return response


@router.post(
    "/me/shares",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(check_csrf)],
)
def share_form(
    request: Request,
    principal: Citizen,
    document_id: Annotated[str, Form(max_length=64)],
    hours: Annotated[int, Form(ge=1, le=720)],
) -> Response:
    share, token = _share(request, principal, document_id, hours)
    # shown once on /me after a redirect (a reload must not make a second link): the
    # token waits in a cookie of a minute that only /me reads, then drops
    response = RedirectResponse("/me", 303)
    fresh = f"{share.share_id}.{token}"
    set_cookie(response, settings(request), NEW_LINK_COOKIE, fresh, max_age=60, path="/me")
    return response


@router.post(
    "/me/shares/{share_id}/revoke",
    include_in_schema=False,
    dependencies=[Depends(check_csrf)],
)
def revoke_form(share_id: str, request: Request, principal: Citizen) -> Response:
    _revoke(request, principal, share_id)
    return RedirectResponse("/me", 303)


def _page(request: Request, principal: Principal, new_link: str | None = None) -> Response:
    mine = library(request).search("", id_number=principal.personal_id, limit=100)
    links = shares(request).of_owner(principal.username)
    share_id, _, token = (new_link or "").partition(".")
    fresh = next((s for s in links if s.share_id == share_id and s.live()), None)
    context = {
        "documents": mine,
        "titles": {d.document_id: _title(d.doc_type, d.fields) for d in mine},
        "links": links,
        "new_link": (fresh, _link(request, token)) if fresh and token else None,
        "lifetimes": LIFETIMES,
    }
    return render(request, "me.html", context)


def _title(doc_type: str, fields: dict[str, Any]) -> str:
    names = holders(doc_type, fields)
    return f"{doc_type_label(doc_type)} — {names}" if names else doc_type_label(doc_type)


def _share(
    request: Request, principal: Principal, document_id: str, hours: int
) -> tuple[Share, str]:
    """A new link to the document's current version, audited; and its token."""
    record = readable_document(request, principal, document_id)
    share, token = shares(request).create(
        principal.username, record.document_id, record.version, timedelta(hours=hours)
    )
    detail = {"share_id": share.share_id, "version": share.version, "hours": hours}
    library(request).catalog.audit(
        "shared", record.document_id, actor=principal.username, detail=detail
    )
    return share, token


def _link(request: Request, token: str) -> str:
    return str(request.url_for("shared_page", token=token))


def _revoke(request: Request, principal: Principal, share_id: str) -> Share:
    share = shares(request).revoke(principal.username, share_id)
    if share is None:
        raise HTTPException(404, "Không có liên kết chia sẻ này.")
    detail = {"share_id": share.share_id}
    library(request).catalog.audit(
        "revoked", share.document_id, actor=principal.username, detail=detail
    )
    return share
