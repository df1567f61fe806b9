"""Signing in and out: the form (pages) and ``/api/v1/session`` (scripts and the load
benchmark), both over :class:`~sohoa.web.accounts.Accounts`. Failed attempts are
counted per address and per account and refused past the limit (429), before the
password is even checked; a success always starts a new session token (no fixation)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..accounts import Principal
from ..deps import accounts, render, require, settings, signed_in
from ..security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    client_address,
    csrf_token,
    set_cookie,
    too_many,
)

router = APIRouter()
ANY_ROLE = ("clerk", "officer", "citizen", "admin")
#: where each role lands after signing in
HOME_OF = {"citizen": "/me", "clerk": "/review", "officer": "/documents", "admin": "/documents"}


class Credentials(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class SessionInfo(BaseModel):
    username: str
    role: str
    display_name: str
    csrf_token: str


@router.get("/", include_in_schema=False)
async def home(principal: Annotated[Principal | None, Depends(signed_in)]) -> Response:
    return RedirectResponse("/login" if principal is None else HOME_OF[principal.role], 303)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": local_path(next), "oidc": _oidc_name(request)})


@router.post(
    "/login",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(check_csrf)],
)
async def login_form(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    try:
        principal = await _authenticated(request, username, password)
    except HTTPException as refused:
        context = {"next": local_path(next), "error": refused.detail, "username": username}
        context["oidc"] = _oidc_name(request)
        response = render(request, "login.html", context, status_code=refused.status_code)
        response.headers.update(refused.headers or {})
        return response
    target = local_path(next)
    response = RedirectResponse(HOME_OF[principal.role] if target == "/" else target, 303)
    give_session(request, response, await open_session(request, principal))
    return response


@router.post("/logout", include_in_schema=False, dependencies=[Depends(check_csrf)])
async def logout_form(request: Request) -> Response:
    response = RedirectResponse("/login", 303)
    await end_session(request, response)
    return response


@router.post("/api/v1/session", tags=["session"])
async def login_api(credentials: Credentials, request: Request) -> JSONResponse:
    """Sign in with a local account: the session cookie is set, and the CSRF token that
    requests changing anything must send as ``X-CSRF-Token`` is returned."""
    principal = await _authenticated(request, credentials.username, credentials.password)
    token = await open_session(request, principal)
    info = SessionInfo(
        username=principal.username,
        role=principal.role,
        display_name=principal.display_name,
        csrf_token=csrf_token(settings(request).secret, token),
    )
    response = JSONResponse(info.model_dump())
    give_session(request, response, token)
    return response


@router.delete(
    "/api/v1/session", tags=["session"], status_code=204, dependencies=[Depends(check_csrf)]
)
async def logout_api(request: Request) -> Response:
    """Sign out: the session ends on the server, the cookie is cleared."""
    response = Response(status_code=204)
    await end_session(request, response)
    return response


@router.get("/api/v1/me", tags=["session"])
def me(principal: Annotated[Principal, Depends(require(*ANY_ROLE))]) -> dict[str, Any]:
    """The signed-in account."""
    return principal.to_json()


async def open_session(request: Request, principal: Principal) -> str:
    """A new session for ``principal``; its token (also the seed of the session's CSRF
    token). Password and SSO sign-in alike."""
    lifetime = settings(request).session_lifetime
    return await run_in_threadpool(accounts(request).open_session, principal.username, lifetime)


def give_session(request: Request, response: Response, token: str) -> None:
    """The session's cookie on ``response``; the pre-session CSRF cookie dropped."""
    web = settings(request)
    max_age = int(web.session_lifetime.total_seconds())
    set_cookie(response, web, SESSION_COOKIE, token, max_age=max_age)
    response.delete_cookie(CSRF_COOKIE, path="/")


async def end_session(request: Request, response: Response) -> None:
    if token := request.cookies.get(SESSION_COOKIE):
        await run_in_threadpool(accounts(request).close_session, token)
    web = settings(request)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=web.secure_cookies, httponly=True)


async def _authenticated(request: Request, username: str, password: str) -> Principal:
    """The account, or 401; 429 once this address (or this address for this account)
    has failed too often in 15 minutes."""
    name = username.strip().lower()
    address = client_address(request)
    per_address, per_account = request.app.state.login_limiters
    keys = (per_address, address), (per_account, f"{address}|{name}")
    if not all(limiter.allowed(key) for limiter, key in keys):
        raise too_many(per_account.window)
    principal = await run_in_threadpool(accounts(request).authenticate, name, password)
    if principal is None:
        for limiter, key in keys:
            limiter.hit(key)
        raise HTTPException(401, "Tên đăng nhập hoặc mật khẩu không đúng.")
    return principal


def local_path(target: str) -> str:
    """Only a path on this site: ``next=https://evil.example`` goes home instead."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _oidc_name(request: Request) -> str | None:
    oidc = getattr(request.app.state, "oidc", None)
    return None if oidc is None else oidc.display_name
