"""A small OpenID Connect provider for the SSO tests, over real HTTP on 127.0.0.1.

A Starlette app served by uvicorn in a thread: discovery, JWKS (an RSA key made at
start), an authorization endpoint that signs in :attr:`Provider.user` at once (no login
page) and redirects back with a code, a token endpoint that checks the client's secret,
the code (once), the redirect URI and the PKCE verifier (S256) and issues an RS256 ID
token, and a userinfo endpoint. :class:`Misbehaviour` makes it answer wrongly, for the
tests that the service refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "sohoa-test"
CLIENT_SECRET = "sohoa-test-secret-0123456789"
REDIRECT_URI = "https://testserver/auth/oidc/callback"


@dataclass
class User:
    """Who "signs in" at the provider: ``sub`` and the claims of their ID token."""

    sub: str
    claims: dict[str, Any] = field(default_factory=dict)
    #: these claims only at the userinfo endpoint, not in the ID token
    userinfo_only: dict[str, Any] = field(default_factory=dict)


@dataclass
class Misbehaviour:
    """How the provider answers wrongly (all off by default)."""

    deny: bool = False  # the authorization endpoint answers error=access_denied
    nonce: str | None = None  # the ID token carries this nonce, not the request's
    audience: str | None = None  # the ID token is for this client
    azp: str | None = None  # the ID token's authorized party (azp claim)
    issuer: str | None = None  # the ID token says it is from this issuer
    lifetime: int = 300  # seconds; negative: the ID token has expired
    other_key: bool = False  # signed by a key not in the JWKS (with the JWKS key's kid)
    reuse_codes: bool = False  # a code may be exchanged again (for the replay test)


@dataclass
class _Grant:
    user: User
    redirect_uri: str
    challenge: str
    nonce: str | None
    used: bool = False


class Provider:
    """The provider; :meth:`start` it, set :attr:`user` (and :attr:`misbehaviour`)."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig"})
        self.user = User("sub-0")
        self.misbehaviour = Misbehaviour()
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, User] = {}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.issuer = ""

    def reset(self, user: User) -> None:
        self.user, self.misbehaviour = user, Misbehaviour()
        self.authorize_requests.clear()
        self.token_requests.clear()

    # -- serving ---------------------------------------------------------------------------

    def start(self) -> Provider:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test OpenID Connect provider did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo),
            ]
        )

    # -- endpoints -------------------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.authorize_requests.append(params)
        if (
            params.get("client_id") != CLIENT_ID
            or params.get("redirect_uri") != REDIRECT_URI
            or params.get("response_type") != "code"
            or "openid" not in params.get("scope", "").split()
            or params.get("code_challenge_method") != "S256"
            or not params.get("code_challenge")
        ):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        back: dict[str, str] = {"state": params.get("state", ""), "iss": self.issuer}
        if self.misbehaviour.deny:
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            self._grants[code] = _Grant(
                self.user, params["redirect_uri"], params["code_challenge"], params.get("nonce")
            )
            back["code"] = code
        return RedirectResponse(f"{params['redirect_uri']}?{urlencode(back)}", 302)

    async def token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_requests.append(form)
        if not self._client_authenticated(request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self._grants.get(form.get("code", ""))
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or (grant.used and not self.misbehaviour.reuse_codes)
            or form.get("redirect_uri") != grant.redirect_uri
            or _s256(form.get("code_verifier", "")) != grant.challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        grant.used = True
        access_token = secrets.token_urlsafe(24)
        self._access[access_token] = grant.user
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant),
            }
        )

    async def userinfo(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user = self._access.get(token) if scheme.lower() == "bearer" else None
        if user is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({"sub": user.sub, **user.claims, **user.userinfo_only})

    # -- helpers ---------------------------------------------------------------------------

    def _client_authenticated(self, request: Request) -> bool:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
        return unquote(client_id) == CLIENT_ID and unquote(secret) == CLIENT_SECRET

    def _id_token(self, grant: _Grant) -> str:
        bad = self.misbehaviour
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": bad.issuer or self.issuer,
            "sub": grant.user.sub,
            "aud": bad.audience or CLIENT_ID,
            "iat": now if bad.lifetime > 0 else now + 2 * bad.lifetime,
            "exp": now + bad.lifetime,
            **grant.user.claims,
        }
        if bad.azp is not None:
            claims["azp"] = bad.azp
        if grant.nonce is not None or bad.nonce is not None:
            claims["nonce"] = bad.nonce or grant.nonce
        key = self.other_key if bad.other_key else self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
