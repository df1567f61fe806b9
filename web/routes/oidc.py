"""Signing in through the national SSO (OpenID Connect; web/oidc.py has the protocol).

Which account an identity signs in to: the account linked to its (issuer, subject),
with that account's role; else, if the provider vouches for a well-formed 12-digit
personal ID, a new citizen account with that ID, linked to the identity. Staff accounts
are never made here, only linked by an administrator. Anything else is refused with one
sentence on the sign-in page, without a session. A success starts a session exactly as
a password does (signin.open_session, signin.give_session).
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..accounts import AccountError, Accounts, Principal
from ..deps import accounts, render, settings
from ..oidc import (
    CALLBACK_PATH,
    FLOW_COOKIE,
    FLOW_COOKIE_PATH,
    FLOW_SECONDS,
    Identity,
    OidcError,
    RelyingParty,
    seal,
    sso_username,
    unseal,
)
from .signin import HOME_OF, give_session, local_path, open_session

log = logging.getLogger("sohoa.web.oidc")
router = APIRouter(include_in_schema=False)

EXPIRED = "Phiên đăng nhập qua hệ thống định danh đã hết hạn hoặc không hợp lệ; xin đăng nhập lại."
CANCELLED = "Đăng nhập qua hệ thống định danh không thành công hoặc đã bị huỷ; xin thử lại."
NO_ID = (
    "Danh tính này không có số định danh cá nhân và chưa gắn với tài khoản nào; "
    "xin liên hệ bộ phận một cửa."
)
REFUSED = "Tài khoản gắn với danh tính này đã bị khoá; xin liên hệ bộ phận một cửa."
Param = Annotated[str | None, Query(max_length=4096)]


@router.get("/login/oidc")
async def start(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    """To the provider's sign-in, the flow kept in a cookie for the callback."""
    party = _party(request)
    try:
        url, flow = await party.begin(party.redirect_uri(str(request.base_url)), local_path(next))
    except OidcError as error:
        return _refused(request, party, error, local_path(next))
    response = RedirectResponse(url, 303)
    response.set_cookie(
        FLOW_COOKIE,
        seal(flow, settings(request).secret),
        max_age=FLOW_SECONDS,
        path=FLOW_COOKIE_PATH,
        secure=settings(request).secure_cookies,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(CALLBACK_PATH)
async def callback(
    request: Request,
    code: Param = None,
    state: Param = None,
    error: Param = None,
    iss: Param = None,
) -> Response:
    """Back from the provider: the flow's checks, the account, the session."""
    party = _party(request)
    flow = unseal(request.cookies.get(FLOW_COOKIE), settings(request).secret)
    try:
        if flow is None:
            raise OidcError(400, EXPIRED, "no flow cookie, or an altered or expired one")
        if not hmac.compare_digest((state or "").encode(), flow.state.encode()):
            raise OidcError(400, EXPIRED, "state is not the flow cookie's")
        if not party.spend(flow.state):
            raise OidcError(400, EXPIRED, "the flow's callback came a second time")
        if iss is not None and iss != party.settings.issuer:  # RFC 9207: mix-up
            raise OidcError(401, CANCELLED, f"iss {iss!r} is not the configured issuer")
        if error is not None or not code:
            raise OidcError(401, CANCELLED, f"the provider answered error={error!r}")
        identity = await party.identity(flow, code)
        principal = await run_in_threadpool(_account, accounts(request), identity)
    except OidcError as refused:
        log.warning("oidc sign-in refused (%s): %s", refused.status, refused.reason)
        response = _refused(request, party, refused, flow.next if flow else "/")
        _drop_flow(request, response)
        return response
    log.info("oidc sign-in: %s (%s)", principal.username, principal.role)
    target = local_path(flow.next)
    response = RedirectResponse(HOME_OF[principal.role] if target == "/" else target, 303)
    give_session(request, response, await open_session(request, principal))
    _drop_flow(request, response)
    return response


def _account(accounts: Accounts, identity: Identity) -> Principal:
    """The account ``identity`` signs in to (module docstring); OidcError if none."""
    linked = accounts.by_oidc(identity.issuer, identity.subject)
    if linked is not None:
        return linked
    username = sso_username(identity.issuer, identity.subject)  # logged, not the sub itself
    if identity.personal_id is None:
        raise OidcError(403, NO_ID, f"{username}: not linked, and no personal ID")
    try:
        made = accounts.add(
            username,
            "citizen",
            identity.name,
            personal_id=identity.personal_id,
            oidc=(identity.issuer, identity.subject),
        )
    except AccountError as error:
        # the same identity's first sign-in in another tab made it an instant ago; or
        # the account linked to it is disabled (by_oidc does not return it)
        again = accounts.by_oidc(identity.issuer, identity.subject)
        if again is not None:
            return again
        raise OidcError(403, REFUSED, f"{username}: {error}") from None
    log.info("oidc: citizen account %s made for an SSO identity", username)
    return made


def _party(request: Request) -> RelyingParty:
    party: RelyingParty | None = getattr(request.app.state, "oidc", None)
    if party is None:  # no SSO configured: these routes do not exist
        raise HTTPException(404, "Không có trang này.")
    return party


def _refused(request: Request, party: RelyingParty, error: OidcError, next: str) -> Response:
    """The sign-in page, with the sentence, and the SSO button to try again."""
    context = {"next": next, "error": error.message, "oidc": party.display_name}
    return render(request, "login.html", context, status_code=error.status)


def _drop_flow(request: Request, response: Response) -> None:
    """A flow is used once, whatever its outcome."""
    response.delete_cookie(
        FLOW_COOKIE,
        path=FLOW_COOKIE_PATH,
        secure=settings(request).secure_cookies,
        httponly=True,
        samesite="lax",
    )
