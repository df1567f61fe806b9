"""What routes share: the library and stores the app opened, who is signed in, what their
role allows, and page rendering with the CSRF token in hand.

Authorization is checked here, on the server, for every route that names a role; pages
and API alike. A route that takes a document ID and serves a citizen must also ask
:func:`readable` (a citizen reads only documents that carry their personal ID).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sohoa.storage.library import Library

from . import labels
from .accounts import Accounts, Principal
from .replies import or_404
from .security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    WebSettings,
    csrf_seed,
    csrf_token,
    set_cookie,
)
from .shares import Shares
from .verification import StoredVerification, verify_stored

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
TEMPLATES.env.filters.update(
    doc_type=labels.doc_type_label,
    field=labels.field_label,
    action=labels.action_label,
    local_time=labels.local_time,
)
TEMPLATES.env.globals.update(
    holders=labels.holders, shown=labels.shown, audit_detail=labels.audit_detail
)


def library(request: Request) -> Library:
    return request.app.state.library


def accounts(request: Request) -> Accounts:
    return request.app.state.accounts


def shares(request: Request) -> Shares:
    return request.app.state.shares


def settings(request: Request) -> WebSettings:
    return request.app.state.web


async def signed_in(request: Request) -> Principal | None:
    """The session's account, or None (no cookie, expired, signed out, disabled)."""
    if "principal" not in request.scope.get("state", {}):
        token = request.cookies.get(SESSION_COOKIE)
        found = None if not token else await run_in_threadpool(accounts(request).session, token)
        request.state.principal = found
    return request.state.principal


def require(*roles: str) -> Callable[..., Any]:
    """A dependency: the signed-in account, if its role is one of ``roles``; else 401
    (not signed in: pages redirect to the sign-in form) or 403."""

    async def dependency(
        principal: Annotated[Principal | None, Depends(signed_in)],
    ) -> Principal:
        if principal is None:
            raise HTTPException(401, "Xin đăng nhập.")
        if principal.role not in roles:
            raise HTTPException(403, "Tài khoản của bạn không có quyền xem trang này.")
        return principal

    return dependency


def readable(principal: Principal, holders: set[str]) -> bool:
    """Whether ``principal`` may read a document: staff any; a citizen one that carries
    their personal ID (``holders``: the document's ID numbers, ``Catalog.id_numbers``)."""
    if principal.is_staff:
        return True
    return principal.personal_id is not None and principal.personal_id in holders


def verified(
    request: Request, document_id: str, *, actor: str, action: str | None = "read"
) -> StoredVerification:
    """The stored document's signed PDF verified (``verify_stored``), its download
    audited as ``action`` by ``actor``; unknown: a 404 sentence, no store: 503."""
    state = request.app.state
    return or_404(
        lambda: verify_stored(
            state.library, state.trust_roots, document_id, actor=actor, action=action
        ),
        document_id,
    )


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A page, with who is signed in and the CSRF token its forms must carry (made here,
    with a pre-session cookie, for a visitor who has neither session nor token yet)."""
    seed = csrf_seed(request)
    new_seed = None if seed else secrets.token_urlsafe(32)
    token = csrf_token(settings(request).secret, seed or new_seed or "")
    context = {"principal": request.scope.get("state", {}).get("principal"), **context}
    response = TEMPLATES.TemplateResponse(
        request, template, {**context, "csrf_token": token}, status_code=status_code
    )
    if new_seed:
        set_cookie(response, settings(request), CSRF_COOKIE, new_seed, max_age=None)
    return response
