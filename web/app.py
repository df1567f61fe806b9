"""The FastAPI application: one app, the CLI's library and signing code underneath.

Routes live in ``web/routes`` by kind of user (docs/web.md lists them): the public
verification page and share links, sign-in, the archive, citizens' sharing, accounts.
Here: the app's lifetime (one library, the accounts and share links over its database,
the trust roots, the rate limiters), the response headers every answer carries, and how
errors reach users -- one sentence, JSON under ``/api/``, a page elsewhere (a page that
needs a sign-in sends the browser to the form), never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from anyio import to_thread
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from sohoa.signing.pades import configured_trust_roots
from sohoa.storage.library import Library

from .accounts import Accounts
from .deps import render
from .oidc import RelyingParty
from .routes import admin, citizen, clerk, documents, oidc, public, signin
from .security import RateLimiter, SecurityHeaders, WebSettings
from .shares import Shares

log = logging.getLogger("sohoa.web")
THREADS = 16
PUBLIC = public.PUBLIC


def create_app(home: Path, settings: WebSettings | None = None) -> FastAPI:
    """The service over the library of ``home`` (``SOHOA_HOME``; MinIO and PostgreSQL where
    the environment names them, as for the CLI)."""
    web = settings or WebSettings.from_environ(home)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the thread pool that runs the blocking routes (catalog, store, pyHanko): 16,
        # not anyio's 40 -- on a few cores more threads only add SQLite connections and
        # malloc arenas, each holding memory of its own
        to_thread.current_default_thread_limiter().total_tokens = THREADS
        with Library.open(home) as library:
            app.state.home = home
            app.state.library = library
            app.state.accounts = Accounts(library.catalog)
            app.state.shares = Shares(library.catalog)
            app.state.trust_roots = configured_trust_roots(home)
            yield

    app = FastAPI(
        title="sohoa",
        summary="Signed, searchable dossiers of the one-stop-shop office",
        lifespan=lifespan,
    )
    app.state.web = web
    app.state.oidc = RelyingParty.from_environ()  # None: no SSO (docs/web.md)
    app.state.public_limiter = RateLimiter(web.public_requests_per_minute, 60)
    app.state.login_limiters = (
        RateLimiter(web.login_failures_per_address, 15 * 60),
        RateLimiter(web.login_failures_per_account, 15 * 60),
    )
    app.add_middleware(SecurityHeaders)
    _answers(app)
    app.get("/healthz", tags=["service"])(healthz)
    for module in (public, signin, oidc, documents, citizen, admin, clerk):
        app.include_router(module.router)
    return app


def app_from_environment() -> FastAPI:
    """The app over ``SOHOA_HOME``: what each process of ``sohoa serve --workers N``
    imports."""
    from sohoa.pipeline.settings import load_settings

    return create_app(load_settings().home)


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


def _answers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail), error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": _plain(error)}, status_code=422)
        return _error(request, 400, "Yêu cầu không hợp lệ; xin kiểm tra lại các ô đã điền.")

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> Response:
        log.exception("%s %s", request.method, request.url.path)
        return _error(request, 500, "Đã có lỗi phía máy chủ; xin thử lại sau.")


def _error(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", 303)
    response = render(request, "error.html", {"message": message}, status_code=status)
    response.headers.update(headers or {})
    return response


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _plain(error: RequestValidationError) -> list[dict[str, object]]:
    """FastAPI's validation errors without the input echoed back (a password field)."""
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in error.errors()]
