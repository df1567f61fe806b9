"""Signing in through a national SSO (VNeID or any OpenID Connect provider).

The protocol is Authlib's: its httpx client builds the authorization request (code flow,
PKCE with S256) and exchanges the code; the ID token's signature is checked with joserfc
against the provider's published keys (JWKS), and its claims (``iss``, ``aud``, ``azp``,
``exp``, ``iat``, ``nonce``, ``at_hash``) by Authlib's :class:`CodeIDToken`. The
provider's endpoints come from its discovery document, kept an hour; its keys are
fetched again when a token names a key not yet seen (the provider rotated them).

Between the redirect to the provider and the callback, the ``state``, ``nonce`` and PKCE
verifier (and where to go next) travel in one short-lived cookie, encrypted and
authenticated with a key derived from the app's secret (Fernet: AES-CBC and HMAC-SHA256,
with its time of making inside), sent only to the callback's path: no server-side store,
no session middleware. A callback whose ``state`` is not that cookie's is refused, so a
code obtained by someone else cannot be pushed into a visitor's browser (login CSRF).

Which account an identity signs in to is decided by web/routes/oidc.py (docs/web.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.oidc.core import CodeIDToken
from cryptography.fernet import Fernet, InvalidToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

with warnings.catch_warnings():
    # Authlib 1.9 prefers httpx2 and warns when it falls back to httpx, the HTTP client the
    # rest of this project (FastAPI's TestClient included) is on; the fallback is wanted
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

log = logging.getLogger("sohoa.web.oidc")

FLOW_COOKIE = "sohoa_oidc"
CALLBACK_PATH = "/auth/oidc/callback"
#: the flow cookie is sent to the callback only
FLOW_COOKIE_PATH = "/auth/oidc/"
#: how long a visitor may take at the provider, from the redirect to the callback
FLOW_SECONDS = 600
#: the ID token signatures accepted: asymmetric only (RS256 is the one every provider has)
ALGORITHMS = ("RS256", "PS256", "ES256")
METADATA_SECONDS = 3600
LEEWAY_SECONDS = 60  # clock skew between this server and the provider
TIMEOUT_SECONDS = 10.0
DEFAULT_NAME = "Định danh điện tử (SSO)"
_PERSONAL_ID = re.compile(r"[0-9]{12}")  # ASCII digits: \d would take "١٢٣…" too
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


class OidcError(Exception):
    """A sign-in through the SSO that cannot go on: ``status`` and the one sentence the
    visitor reads; ``reason`` is for the log only."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.message, self.reason = status, message, reason


UNREACHABLE = "Không kết nối được với hệ thống định danh (SSO); xin thử lại sau."
NOT_VERIFIED = "Không xác thực được danh tính do hệ thống định danh gửi về; xin thử lại."


@dataclass(frozen=True)
class OidcSettings:
    """The SSO this server signs in through, from the environment (docs/web.md)."""

    issuer: str
    client_id: str
    client_secret: str | None = None  # None: a public client, PKCE alone
    scopes: str = "openid profile"
    #: the claim carrying the citizen's 12-digit personal identification number
    id_claim: str = "personal_id"
    display_name: str = DEFAULT_NAME  # the sign-in button reads "Đăng nhập bằng …"
    #: where the provider sends the browser back is this + CALLBACK_PATH; None: the
    #: address the visitor reached this server at
    public_url: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> OidcSettings | None:
        """None when ``SOHOA_OIDC_ISSUER`` is unset: no SSO, local accounts only."""
        issuer = environ.get("SOHOA_OIDC_ISSUER", "").strip()
        if not issuer:
            return None
        _check_url(issuer, "SOHOA_OIDC_ISSUER")
        if len(issuer) > 255:
            raise ValueError("SOHOA_OIDC_ISSUER is longer than 255 characters")
        client_id = environ.get("SOHOA_OIDC_CLIENT_ID", "").strip()
        if not client_id:
            raise ValueError("SOHOA_OIDC_ISSUER is set but SOHOA_OIDC_CLIENT_ID is not")
        scopes = environ.get("SOHOA_OIDC_SCOPES", "").strip() or "openid profile"
        if "openid" not in scopes.split():
            scopes = f"openid {scopes}"
        return cls(
            issuer=issuer,
            client_id=client_id,
            client_secret=environ.get("SOHOA_OIDC_CLIENT_SECRET", "").strip() or None,
            scopes=scopes,
            id_claim=environ.get("SOHOA_OIDC_ID_CLAIM", "").strip() or "personal_id",
            display_name=environ.get("SOHOA_OIDC_NAME", "").strip() or DEFAULT_NAME,
            public_url=environ.get("SOHOA_PUBLIC_URL", "").strip().rstrip("/") or None,
        )


@dataclass(frozen=True)
class Flow:
    """One sign-in under way: what the callback must find again (the flow cookie)."""

    state: str
    nonce: str
    verifier: str  # PKCE's code_verifier
    redirect_uri: str
    next: str  # a local path


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    issuer: str
    subject: str
    name: str
    personal_id: str | None  # the 12 digits, when the provider sent them well-formed


class RelyingParty:
    """This server as the provider's client: the redirect, the callback's checks."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._jwks: dict[str, Any] | None = None
        self._spent: dict[str, float] = {}  # state: until when it would still be accepted

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> RelyingParty | None:
        settings = OidcSettings.from_environ(environ)
        return None if settings is None else cls(settings)

    @property
    def display_name(self) -> str:
        return self.settings.display_name

    def redirect_uri(self, base_url: str) -> str:
        """The callback's address: under ``SOHOA_PUBLIC_URL`` if set, else under
        ``base_url`` (the address the visitor reached, through the proxy's headers)."""
        return (self.settings.public_url or base_url.rstrip("/")) + CALLBACK_PATH

    # -- the redirect ----------------------------------------------------------------------

    async def begin(self, redirect_uri: str, next: str) -> tuple[str, Flow]:
        """The provider's authorization URL to send the browser to, and the flow to keep."""
        metadata = await self.metadata()
        flow = Flow(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(48),
            redirect_uri=redirect_uri,
            next=next,
        )
        async with self._client(metadata, redirect_uri) as client:
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=flow.state,
                code_verifier=flow.verifier,
                nonce=flow.nonce,
            )
        return url, flow

    # -- the callback ----------------------------------------------------------------------

    def spend(self, state: str) -> bool:
        """Whether ``state`` is seen at the callback for the first time (in this process;
        the provider's codes are single-use besides): a flow cookie and its callback URL,
        copied, cannot be played again."""
        now = time.monotonic()
        while self._spent:  # in order of expiry: all live the same time, kept as they came
            oldest = next(iter(self._spent))
            if self._spent[oldest] > now:
                break
            del self._spent[oldest]
        if state in self._spent:
            return False
        self._spent[state] = now + FLOW_SECONDS
        return True

    async def identity(self, flow: Flow, code: str) -> Identity:
        """Exchange ``code`` (with the PKCE verifier) for tokens, verify the ID token, and
        read who signed in; the userinfo endpoint is asked only for a personal ID the ID
        token lacks."""
        metadata = await self.metadata()
        async with self._client(metadata, flow.redirect_uri) as client:
            try:
                token = await client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=flow.verifier,
                    redirect_uri=flow.redirect_uri,
                )
            except OAuthError as error:  # the provider refused the code (used, expired…)
                raise OidcError(401, NOT_VERIFIED, f"token endpoint: {error}") from None
            except httpx.HTTPError as error:
                raise OidcError(502, UNREACHABLE, f"token endpoint: {error!r}") from None
            except ValueError as error:  # its text may quote the request, the secret too
                raise OidcError(502, UNREACHABLE, f"token endpoint: {type(error)}") from None
            claims = await self._verified(token, flow.nonce)
            if len(claims["sub"]) > 255:  # what the accounts table keeps of it
                raise OidcError(401, NOT_VERIFIED, "sub longer than 255 characters")
            if self.settings.id_claim not in claims and metadata.get("userinfo_endpoint"):
                claims = {**await self._userinfo(client, metadata, claims["sub"]), **claims}
        return Identity(
            issuer=self.settings.issuer,
            subject=claims["sub"],
            name=_name(claims),
            personal_id=_personal_id(claims.get(self.settings.id_claim)),
        )

    async def _verified(self, token: Mapping[str, Any], nonce: str) -> dict[str, Any]:
        """The ID token's claims, if its signature is the provider's and it was issued to
        this client, for this sign-in, and has not expired."""
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError(401, NOT_VERIFIED, "no id_token in the token response")
        try:
            try:
                decoded = jwt.decode(id_token, await self._keys(), algorithms=ALGORITHMS)
            except InvalidKeyIdError:  # a key not seen yet: the provider rotated its keys
                decoded = jwt.decode(id_token, await self._keys(force=True), algorithms=ALGORITHMS)
            options = {
                "iss": {"essential": True, "value": self.settings.issuer},
                "aud": {"essential": True, "value": self.settings.client_id},
                "sub": {"essential": True},
                "nonce": {"essential": True},
            }
            params = {"nonce": nonce, "client_id": self.settings.client_id}
            if isinstance(token.get("access_token"), str):
                params["access_token"] = token["access_token"]
            claims = CodeIDToken(decoded.claims, decoded.header, options, params)
            claims.validate(leeway=LEEWAY_SECONDS)
        except JoseError as error:
            raise OidcError(401, NOT_VERIFIED, f"id_token: {error!r}") from None
        return dict(claims)

    async def _userinfo(
        self, client: AsyncOAuth2Client, metadata: Mapping[str, Any], subject: str
    ) -> dict[str, Any]:
        try:
            response = await client.get(metadata["userinfo_endpoint"])
            response.raise_for_status()
            info = response.json()
        except (httpx.HTTPError, ValueError, OAuthError) as error:
            raise OidcError(502, UNREACHABLE, f"userinfo: {error!r}") from None
        if not isinstance(info, dict) or info.get("sub") != subject:
            # OpenID Connect Core 5.3.2: a userinfo answer for someone else is discarded
            raise OidcError(401, NOT_VERIFIED, "userinfo: not the ID token's subject")
        return info

    # -- the provider's metadata and keys --------------------------------------------------

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (kept an hour), its endpoints checked."""
        if self._metadata is not None and time.monotonic() - self._metadata_at < METADATA_SECONDS:
            return self._metadata
        issuer = self.settings.issuer
        found = await self._get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        try:
            if found.get("issuer") != issuer:  # OpenID Connect Discovery 4.3
                raise ValueError(f"discovery names issuer {found.get('issuer')!r}")
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                _check_url(found.get(name), name)
            if found.get("userinfo_endpoint") is not None:
                _check_url(found["userinfo_endpoint"], "userinfo_endpoint")
        except ValueError as error:
            raise OidcError(502, UNREACHABLE, f"discovery: {error}") from None
        if self._metadata is None or found["jwks_uri"] != self._metadata["jwks_uri"]:
            self._jwks = None
        self._metadata, self._metadata_at = found, time.monotonic()
        return found

    async def _keys(self, force: bool = False) -> KeySet:
        if self._jwks is None or force:
            self._jwks = await self._get_json((await self.metadata())["jwks_uri"])
        try:
            return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]
        except (JoseError, KeyError, TypeError, ValueError) as error:
            raise OidcError(502, UNREACHABLE, f"jwks: {error!r}") from None

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with AsyncOAuth2Client(timeout=TIMEOUT_SECONDS) as client:
                response = await client.request("GET", url, withhold_token=True)
                response.raise_for_status()
                found = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise OidcError(502, UNREACHABLE, f"{url}: {error!r}") from None
        if not isinstance(found, dict):
            raise OidcError(502, UNREACHABLE, f"{url}: not a JSON object")
        return found

    def _client(self, metadata: Mapping[str, Any], redirect_uri: str) -> AsyncOAuth2Client:
        secret = self.settings.client_secret
        supported = metadata.get("token_endpoint_auth_methods_supported") or []
        if secret is None:
            method = "none"
        elif "client_secret_basic" not in supported and "client_secret_post" in supported:
            method = "client_secret_post"
        else:
            method = "client_secret_basic"  # the default of OpenID Connect Discovery
        return AsyncOAuth2Client(
            client_id=self.settings.client_id,
            client_secret=secret,
            token_endpoint_auth_method=method,
            scope=self.settings.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=TIMEOUT_SECONDS,
        )


# -- the flow cookie -------------------------------------------------------------------------


def seal(flow: Flow, secret: bytes, *, at: float | None = None) -> str:
    """The flow as the cookie's value: encrypted, authenticated, dated (``at``: a
    timestamp other than now, for tests)."""
    data = json.dumps(asdict(flow), separators=(",", ":")).encode()
    fernet = _fernet(secret)
    token = fernet.encrypt(data) if at is None else fernet.encrypt_at_time(data, int(at))
    return token.decode().rstrip("=")  # a cookie value that needs no quotes


def unseal(value: str | None, secret: bytes) -> Flow | None:
    """The flow, if ``value`` was sealed with ``secret`` less than :data:`FLOW_SECONDS`
    ago; None for anything else (absent, altered, expired, another server's)."""
    if not value:
        return None
    try:
        token = value.encode() + b"=" * (-len(value) % 4)
        data = json.loads(_fernet(secret).decrypt(token, ttl=FLOW_SECONDS))
        return Flow(**data)
    except (InvalidToken, ValueError, TypeError):
        return None


def _fernet(secret: bytes) -> Fernet:
    key = hmac.new(secret, b"sohoa:oidc-flow-cookie", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


# -- claims ----------------------------------------------------------------------------------


def sso_username(issuer: str, subject: str) -> str:
    """The username of the citizen account an SSO identity made: stable, and saying
    nothing of the subject (some providers use the personal ID as ``sub``)."""
    return "sso-" + hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:20]


def _personal_id(value: object) -> str | None:
    """Only a string of 12 digits (a number would have lost its leading zeros)."""
    if isinstance(value, str) and _PERSONAL_ID.fullmatch(value.strip()):
        return value.strip()
    return None


def _name(claims: Mapping[str, Any]) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = (claims.get(k) for k in ("family_name", "middle_name", "given_name"))
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return name.strip()[:200]


def _check_url(url: object, name: str) -> None:
    """HTTPS, or plain HTTP to this machine only (a development provider)."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or not parts.hostname:
        raise ValueError(f"{name} is not a URL: {url!r}")
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        raise ValueError(f"{name} must be an https:// URL: {url!r}")
