"""Who may sign in to ``sohoa serve``, and the sessions they hold.

Accounts live in the catalog's database (migration 0005), so every server process behind
the proxy sees the same accounts and sessions. Local passwords are Argon2id hashes
(argon2-cffi, the reference implementation's binding, with its RFC 9106 defaults);
accounts linked to an OpenID Connect identity may have none. A session is a random
token in a cookie; the database keeps only its SHA-256, and the account's role is read
at every request, so disabling an account or changing its role takes effect at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sohoa.pipeline.vntext import nfc
from sohoa.storage.catalog import Catalog
from sohoa.storage.catalog.models import Account, WebSession

#: what each role may do is decided in web/authz.py; these are the names
ROLES = ("clerk", "officer", "citizen", "admin")
#: staff read every document; a citizen only the documents that carry their ID number
STAFF = frozenset({"clerk", "officer", "admin"})
MIN_PASSWORD = 10
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,99}")
_PERSONAL_ID = re.compile(r"[0-9]{12}")  # ASCII digits: \d takes Arabic-Indic ones too


class AccountError(ValueError):
    """An account that cannot be made as asked (a taken name, a bad role or ID)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in account, as every route sees it."""

    username: str
    role: str
    display_name: str
    personal_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    def to_json(self) -> dict[str, str | None]:
        return {
            "username": self.username,
            "role": self.role,
            "display_name": self.display_name,
            "personal_id": self.personal_id,
        }


class Accounts:
    """Accounts and sessions over the catalog's database."""

    def __init__(self, catalog: Catalog, hasher: PasswordHasher | None = None) -> None:
        self._read, self._write = catalog.engine, catalog.writer
        self._hasher = hasher or PasswordHasher()
        # verified against when the username is unknown, so that a wrong name costs the
        # same time as a wrong password (no probing which accounts exist)
        self._decoy = self._hasher.hash(secrets.token_hex(16))

    # -- accounts --------------------------------------------------------------------------

    def add(
        self,
        username: str,
        role: str,
        display_name: str,
        *,
        password: str | None = None,
        personal_id: str | None = None,
        oidc: tuple[str, str] | None = None,
    ) -> Principal:
        """A new account. A citizen must have a 12-digit ``personal_id``; ``oidc`` is the
        (issuer, subject) of the SSO identity it signs in with."""
        username = _checked_username(username)
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if personal_id is not None and not _PERSONAL_ID.fullmatch(personal_id):
            raise AccountError("personal_id must be 12 digits")
        if role == "citizen" and personal_id is None:
            raise AccountError("a citizen's account needs their 12-digit personal_id")
        if password is None and oidc is None:
            raise AccountError("an account needs a password or an OpenID Connect identity")
        row = Account(
            username=username,
            role=role,
            display_name=nfc(display_name).strip() or username,
            password_hash=None if password is None else self._hash(password),
            personal_id=personal_id,
            oidc_issuer=oidc[0] if oidc else None,
            oidc_subject=oidc[1] if oidc else None,
            disabled=False,
            created_at=datetime.now(UTC),
        )
        try:
            with Session(self._write) as session, session.begin():
                session.add(row)
                added = _principal(row)
        except IntegrityError:
            raise AccountError(f"account {username!r} (or its SSO identity) exists") from None
        return added

    def set_password(self, username: str, password: str) -> None:
        with Session(self._write) as session, session.begin():
            changed = session.execute(
                update(Account)
                .where(Account.username == username)
                .values(password_hash=self._hash(password))
            ).rowcount
        if not changed:
            raise AccountError(f"no account {username!r}")

    def link_oidc(self, username: str, issuer: str, subject: str) -> None:
        """Let an existing account (a member of staff) sign in through the SSO identity
        (issuer, subject): staff are never made from an SSO sign-in, only linked."""
        try:
            with Session(self._write) as session, session.begin():
                changed = session.execute(
                    update(Account)
                    .where(Account.username == username)
                    .values(oidc_issuer=issuer, oidc_subject=subject)
                ).rowcount
        except IntegrityError:
            raise AccountError("that SSO identity is linked to another account") from None
        if not changed:
            raise AccountError(f"no account {username!r}")

    def disable(self, username: str) -> None:
        """Sign the account out everywhere and refuse it from now on."""
        with Session(self._write) as session, session.begin():
            session.execute(
                update(Account).where(Account.username == username).values(disabled=True)
            )
            session.execute(delete(WebSession).where(WebSession.username == username))

    def get(self, username: str) -> Principal | None:
        with Session(self._read) as session:
            row = session.get(Account, username)
            return None if row is None or row.disabled else _principal(row)

    def by_oidc(self, issuer: str, subject: str) -> Principal | None:
        stmt = select(Account).where(Account.oidc_issuer == issuer, Account.oidc_subject == subject)
        with Session(self._read) as session:
            row = session.scalars(stmt).first()
            return None if row is None or row.disabled else _principal(row)

    def all(self) -> list[Principal]:
        with Session(self._read) as session:
            rows = session.scalars(select(Account).order_by(Account.role, Account.username))
            return [_principal(row) for row in rows if not row.disabled]

    def authenticate(self, username: str, password: str) -> Principal | None:
        """The account if ``password`` is its password; None otherwise, in about the same
        time whether or not the account exists."""
        with Session(self._read) as session:
            row = session.get(Account, username.strip().lower())
            stored = None if row is None or row.disabled else row.password_hash
            principal = None if stored is None else _principal(row)
        try:
            self._hasher.verify(stored or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return None
        if principal is None:
            return None
        if stored and self._hasher.check_needs_rehash(stored):
            self.set_password(principal.username, password)
        return principal

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        return self._hasher.hash(password)

    # -- sessions --------------------------------------------------------------------------

    def open_session(self, username: str, lifetime: timedelta) -> str:
        """A new session for ``username``; the token is the cookie's value."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        row = WebSession(
            token_hash=token_hash(token),
            username=username,
            created_at=now,
            expires_at=now + lifetime,
        )
        with Session(self._write) as session, session.begin():
            session.add(row)
            # the expired sessions of this account go as a new one comes: the table
            # holds at most the live sessions plus those of accounts not seen since
            session.execute(
                delete(WebSession).where(
                    WebSession.username == username, WebSession.expires_at < now
                )
            )
        return token

    def session(self, token: str) -> Principal | None:
        """Whose the session is, if it is live and its account not disabled. Asked at
        every request: one indexed lookup, the columns only (no ORM objects)."""
        stmt = (
            select(Account.username, Account.role, Account.display_name, Account.personal_id)
            .join(WebSession, WebSession.username == Account.username)
            .where(WebSession.token_hash == token_hash(token))
            .where(WebSession.expires_at > datetime.now(UTC))
            .where(Account.disabled.is_(False))
        )
        with self._read.connect() as connection:
            row = connection.execute(stmt).first()
        return None if row is None else Principal(*row)

    def close_session(self, token: str) -> None:
        with Session(self._write) as session, session.begin():
            session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def token_hash(token: str) -> str:
    """What the database keeps of a secret token (session or share link)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _checked_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise AccountError(
            "a username is 2-100 characters: a-z, 0-9, '.', '_', '@', '-' (not first)"
        )
    return name


def _principal(row: Account) -> Principal:
    return Principal(row.username, row.role, row.display_name, row.personal_id)
