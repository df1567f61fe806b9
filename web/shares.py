"""Share links: a citizen lets another office download one version of one of their
documents for a while, and can take it back.

Unlike ``sohoa share`` (the object store's presigned URL, which no one can revoke
before it expires), a share link is served by ``sohoa serve`` itself: every use is
checked against this table (expired? revoked?) and audited. The link carries a random
token (256 bits) and nothing else; the database keeps its SHA-256. It names one document
and one version: nothing in the request can point it anywhere else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sohoa.storage.catalog import Catalog
from sohoa.storage.catalog.models import ShareLink

from .accounts import token_hash

#: how long a link may live: long enough for another office to act on a dossier
LONGEST = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Share:
    """One share link, without its secret token."""

    share_id: str
    document_id: str
    version: int
    owner: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def live(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and (now or datetime.now(UTC)) < self.expires_at

    def to_json(self) -> dict[str, object]:
        return {
            "share_id": self.share_id,
            "document_id": self.document_id,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
            "live": self.live(),
        }


class Shares:
    """Share links over the catalog's database."""

    def __init__(self, catalog: Catalog) -> None:
        self._read, self._write = catalog.engine, catalog.writer

    def create(
        self, owner: str, document_id: str, version: int, lifetime: timedelta
    ) -> tuple[Share, str]:
        """A new link; returns it and its token (shown once, never stored)."""
        if not timedelta(0) < lifetime <= LONGEST:
            raise ValueError(f"a share link lives more than 0 and at most {LONGEST.days} days")
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        row = ShareLink(
            share_id=secrets.token_hex(8),
            token_hash=token_hash(token),
            document_id=document_id,
            version=version,
            owner=owner,
            created_at=now,
            expires_at=now + lifetime,
            revoked_at=None,
        )
        with Session(self._write) as session, session.begin():
            session.add(row)
            share = _share(row)
        return share, token

    def of_owner(self, owner: str) -> list[Share]:
        """The owner's links, newest first, live or not."""
        stmt = (
            select(ShareLink).where(ShareLink.owner == owner).order_by(ShareLink.created_at.desc())
        )
        with Session(self._read) as session:
            return [_share(row) for row in session.scalars(stmt)]

    def revoke(self, owner: str, share_id: str) -> Share | None:
        """Revoke the owner's link (None: the owner has no such link)."""
        with Session(self._write) as session, session.begin():
            row = session.get(ShareLink, share_id)
            if row is None or row.owner != owner:
                return None
            if row.revoked_at is None:
                session.execute(
                    update(ShareLink)
                    .where(ShareLink.share_id == share_id)
                    .values(revoked_at=datetime.now(UTC))
                )
                session.refresh(row)
            return _share(row)

    def live(self, token: str) -> Share | None:
        """The link the token opens, if it is neither expired nor revoked."""
        stmt = select(ShareLink).where(ShareLink.token_hash == token_hash(token))
        with Session(self._read) as session:
            row = session.scalars(stmt).first()
            share = None if row is None else _share(row)
        return share if share is not None and share.live() else None


def _share(row: ShareLink) -> Share:
    return Share(
        row.share_id,
        row.document_id,
        row.version,
        row.owner,
        row.created_at,
        row.expires_at,
        row.revoked_at,
    )
