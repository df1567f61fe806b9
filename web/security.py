"""What protects the service's users beyond sign-in: its settings, CSRF tokens, cookie
flags, rate limits and response headers.

CSRF: a form that changes something carries a token, ``HMAC(secret, seed)``, where the
seed is the session's token (signed in) or a random pre-session cookie (the sign-in form
itself, against login CSRF). A cross-site page can make the browser send the cookies but
can read neither the seed nor the token, so it cannot forge the field. JSON API calls
send the token in ``X-CSRF-Token`` (``POST /api/v1/session`` returns it).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi import HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "sohoa_session"
CSRF_COOKIE = "sohoa_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class WebSettings:
    """``sohoa serve``'s settings, from the environment (docs/web.md)."""

    secret: bytes
    session_lifetime: timedelta = timedelta(hours=8)
    #: False only for a development server reached over plain HTTP from another host;
    #: browsers keep Secure cookies on http://localhost and http://127.0.0.1
    secure_cookies: bool = True
    login_failures_per_account: int = 10  # in 15 minutes, from one address
    login_failures_per_address: int = 50  # in 15 minutes, whatever the account
    public_requests_per_minute: int = 60  # the verification page and share links, per address

    @classmethod
    def from_environ(cls, home: Path, environ: Mapping[str, str] = os.environ) -> WebSettings:
        hours = float(environ.get("SOHOA_SESSION_HOURS", "8"))
        return cls(
            secret=_secret(home, environ),
            session_lifetime=timedelta(hours=hours),
            secure_cookies=environ.get("SOHOA_COOKIE_SECURE", "1") != "0",
            public_requests_per_minute=int(environ.get("SOHOA_PUBLIC_RATE", "60")),
        )


def _secret(home: Path, environ: Mapping[str, str]) -> bytes:
    """``SOHOA_SECRET_KEY``, else a random key kept in ``home/web-secret.key`` (0600),
    made by whichever server process starts first."""
    if key := environ.get("SOHOA_SECRET_KEY", "").strip():
        return key.encode()
    path = home / "web-secret.key"
    home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it this instant
            if len(data := path.read_bytes()) == 32:
                return data
            time.sleep(0.01)
        raise RuntimeError(f"{path}: not a 32-byte key; delete it to make a new one") from None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


# -- CSRF ----------------------------------------------------------------------------------


def csrf_seed(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE)


def csrf_token(secret: bytes, seed: str) -> str:
    return hmac.new(secret, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request without the token of its own session."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    seed = csrf_seed(request)
    expected = None if seed is None else csrf_token(request.app.state.web.secret, seed)
    if not sent or expected is None or not hmac.compare_digest(sent, expected):
        raise HTTPException(
            403, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; xin tải lại trang."
        )


# -- cookies -------------------------------------------------------------------------------


def set_cookie(
    response: Response,
    settings: WebSettings,
    name: str,
    value: str,
    *,
    max_age: int | None,
    path: str = "/",
) -> None:
    """A cookie no script can read, sent only over HTTPS (but to localhost), and not on
    cross-site sub-requests or form posts."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


# -- rate limits ---------------------------------------------------------------------------


class RateLimiter:
    """At most ``limit`` events a key within ``window`` seconds (a sliding window).

    In memory, per server process: behind a proxy with several processes each counts its
    own, so the proxy's own limit (nginx ``limit_req``) is the outer bound (docs/web.md).
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allowed(self, key: str) -> bool:
        """Whether one more event may happen now, without counting it."""
        with self._lock:
            return len(self._recent(key, time.monotonic())) < self.limit

    def hit(self, key: str) -> bool:
        """Count one event; False if it is over the limit (then it is not counted)."""
        now = time.monotonic()
        with self._lock:
            events = self._recent(key, now)
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 100_000:  # a flood of addresses: forget the idle ones
                self._forget_idle(now)
            return True

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]:
            del self._events[key]


def too_many(retry_after: float) -> HTTPException:
    return HTTPException(
        429,
        "Quá nhiều yêu cầu; xin thử lại sau ít phút.",
        headers={"Retry-After": str(max(1, round(retry_after)))},
    )


def client_address(request: Request) -> str:
    """The client's address (uvicorn puts the proxy's ``X-Forwarded-For`` here)."""
    return request.client.host if request.client else "unknown"


#: sent with every response: no MIME sniffing, no framing by other sites, no referrer
#: (a share link's token is in its URL), scripts and styles only from the page itself
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
    ),
}


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every answer, and ``Cache-Control:
    no-store`` where a cookie came or goes. Plain ASGI, not ``@app.middleware("http")``,
    which wraps every response body in a stream of its own (a download's too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_cookie = any(name == b"cookie" for name, _ in scope.get("headers", ()))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if sent_cookie or "set-cookie" in headers:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)
