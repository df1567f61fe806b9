"""The one interface every object store of sohoa offers, and the types it speaks.

Two backends implement :class:`ObjectStore`: the local filesystem (sohoa.storage.localfs,
the embedded default) and any S3-compatible store through the ``minio`` SDK
(sohoa.storage.s3, MinIO in production). Callers code against this module only; which
backend they get is the deployment's choice, read once by :func:`open_store`.

Both keep the same promises (docs/storage.md): every put is a new version, never an
overwrite; the SHA-256 of the bytes is recorded with each version and checked on every read;
a retained version cannot be deleted before its date; nothing half-written is ever visible
under its key.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Protocol

from sohoa.pipeline.errors import ExitCode, SohoaError
from sohoa.pipeline.vntext import nfc

CHUNK = 1 << 20  # bytes read at a time when hashing or streaming: memory stays flat
LOCK_MODES = ("COMPLIANCE", "GOVERNANCE")
SHA256_KEY = "sha256"  # the user-metadata name under which the bytes' digest is kept


class StorageError(SohoaError):
    """Base of the object store's errors; ``str(error)`` is one line for the user."""


class StorageConfigError(StorageError):
    """Storage settings that cannot work: a malformed endpoint, half the credentials."""

    exit_code = ExitCode.usage


class StoreUnavailable(StorageError):
    """The store cannot be reached, after the retries: the caller queues to the outbox."""


class IntegrityError(StorageError):
    """An object's bytes do not match the SHA-256 recorded when it was stored."""


class RetentionError(StorageError):
    """Refused: the object is under retention (or the store cannot keep one)."""


class ObjectMissing(StorageError):
    """No such key, or no such version of it."""


@dataclass(frozen=True, slots=True)
class Retention:
    """Until when a version must be kept unchanged, and how strictly (S3 object lock)."""

    mode: str  # "COMPLIANCE": nobody may shorten it; "GOVERNANCE": a privileged user may
    until: datetime  # aware, UTC

    def __post_init__(self) -> None:
        if self.mode not in LOCK_MODES:
            raise ValueError(f"unknown retention mode {self.mode!r}: one of {LOCK_MODES}")
        if self.until.tzinfo is None:
            raise ValueError("a retention date must be timezone-aware")
        object.__setattr__(self, "until", self.until.astimezone(UTC))

    def holds(self, now: datetime | None = None) -> bool:
        """Whether the version is still protected at ``now`` (default: this instant)."""
        return (now or datetime.now(UTC)) < self.until


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One version of one key, as the store keeps it."""

    key: str
    version_id: str
    sha256: str  # hex, of the bytes
    size: int
    content_type: str
    metadata: dict[str, str]  # user metadata, NFC Unicode values, without "sha256"
    modified: datetime
    retention: Retention | None


class ObjectStore(Protocol):
    """What sohoa asks of an object store; see docs/storage.md for the guarantees."""

    def put(
        self,
        key: str,
        data: bytes | Path,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        retention: Retention | None = None,
    ) -> StoredObject: ...

    def put_if_absent(
        self,
        key: str,
        data: bytes | Path,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        retention: Retention | None = None,
        sha256: str | None = None,
    ) -> StoredObject: ...

    def get(self, key: str, *, version_id: str | None = None) -> bytes: ...

    def download(
        self, key: str, target: Path, *, version_id: str | None = None
    ) -> StoredObject: ...

    def head(self, key: str, *, version_id: str | None = None) -> StoredObject | None: ...

    def versions(self, key: str) -> list[StoredObject]: ...

    def list(self, prefix: str = "") -> Iterator[StoredObject]: ...

    def keys(self, prefix: str = "") -> Iterator[str]: ...

    def delete(self, key: str, *, version_id: str | None = None) -> None: ...

    def presigned_get(
        self, key: str, expires: timedelta, *, version_id: str | None = None
    ) -> str: ...

    def ping(self) -> None: ...


class StoreBase:
    """What both backends do alike, from their own ``head`` and ``put``."""

    def put_if_absent(
        self: ObjectStore,
        key: str,
        data: bytes | Path,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        retention: Retention | None = None,
        sha256: str | None = None,
    ) -> StoredObject:
        """The latest version of ``key`` if it already holds these bytes, else :meth:`put`.
        ``sha256``: the bytes' hash where the caller has it already (a content-addressed
        key is made from it), so that they are not read once more to compare."""
        latest = self.head(key)
        if latest is not None and latest.sha256 == (sha256 or sha256_of(data)[0]):
            return latest
        return self.put(
            key, data, content_type=content_type, metadata=metadata, retention=retention
        )


def open_store(home: Path, environ: Mapping[str, str] = os.environ) -> ObjectStore:
    """The deployment's store: S3 when ``SOHOA_S3_ENDPOINT`` is set, else the local one
    under ``home / "objects"``. Nothing is contacted yet: a store that is down shows at
    the first call, where the caller can still queue its work to the outbox."""
    if environ.get("SOHOA_S3_ENDPOINT", "").strip():
        from .s3 import S3ObjectStore, s3_settings  # late: the two import this module

        return S3ObjectStore(s3_settings(environ))
    from .localfs import LocalObjectStore

    return LocalObjectStore(home / "objects", public_url=environ.get("SOHOA_PUBLIC_URL"))


# -- what both backends check the same way -------------------------------------------------

_META_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_KEY_MAX = 900  # S3 allows 1024 bytes
_SEGMENT_MAX = 240  # a folder or file name of the local store, with its suffix, in NAME_MAX


def check_key(key: str) -> str:
    """``key`` if it is a key both backends can hold the same way, else ValueError.

    Keys are paths of plain segments: no empty, "." or ".." segment (the local store maps
    them to folders), no segment starting with "." (its own files) or too long for a file
    name, no control characters.
    """
    if not key or len(key.encode()) > _KEY_MAX:
        raise ValueError(f"object key {key!r}: empty or longer than {_KEY_MAX} bytes")
    if unicodedata.normalize("NFC", key) != key:
        raise ValueError(f"object key {key!r}: not in Unicode NFC")
    if any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in key):
        raise ValueError(f"object key {key!r}: control character or backslash")
    for segment in key.split("/"):
        if not segment or segment.startswith(".") or segment.endswith(".~v"):
            raise ValueError(f"object key {key!r}: segment {segment!r} is not allowed")
        if len(segment.encode()) > _SEGMENT_MAX:
            raise ValueError(f"object key {key!r}: a segment longer than {_SEGMENT_MAX} bytes")
    return key


def check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """User metadata as the stores keep it: lower-case ASCII names of letters, digits and
    hyphens (what survives every HTTP proxy as an ``x-amz-meta-`` header), NFC values."""
    checked: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        if not _META_NAME.fullmatch(name) or name == SHA256_KEY:
            raise ValueError(f"metadata name {name!r}: use [a-z0-9-], not {SHA256_KEY!r}")
        checked[name] = nfc(str(value))
    return checked


def sha256_of(data: bytes | Path) -> tuple[str, int]:
    """The hex SHA-256 and the size of ``data``, a file read in chunks."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest(), len(data)
    digest, size = hashlib.sha256(), 0
    with open(data, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def copy_hashing(source: BinaryIO, target: BinaryIO) -> tuple[str, int]:
    """Copy ``source`` to ``target`` in chunks; the hex SHA-256 and size of what passed."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def verify(key: str, version_id: str, recorded: str, actual: str) -> None:
    """IntegrityError unless the digest of what was read is the one recorded."""
    if not recorded:
        raise IntegrityError(f"{key} (version {version_id}): no SHA-256 recorded to check")
    if actual != recorded:
        raise IntegrityError(
            f"{key} (version {version_id}): SHA-256 {actual[:16]}… differs from the "
            f"recorded {recorded[:16]}…"
        )


def refuse_if_retained(stored: StoredObject) -> None:
    """RetentionError while ``stored`` is under retention, in either mode: sohoa never
    bypasses GOVERNANCE itself (an administrator may, with the store's own tools)."""
    retention = stored.retention
    if retention is not None and retention.holds():
        raise RetentionError(
            f"{stored.key} (version {stored.version_id}): retained until "
            f"{retention.until:%Y-%m-%d} ({retention.mode})"
        )


def fsync_dir(folder: Path) -> None:
    """Make a rename or link in ``folder`` durable (POSIX: the entry lives in the folder)."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def download_verified(source: BinaryIO, target: Path, stored: StoredObject) -> StoredObject:
    """Stream ``source`` into a temporary file beside ``target``, check its SHA-256 against
    ``stored``'s, then rename it into place: ``target`` is never a partial or wrong copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with open(partial, "wb") as sink:
            digest, _size = copy_hashing(source, sink)
            sink.flush()
            os.fsync(sink.fileno())
        verify(stored.key, stored.version_id, stored.sha256, digest)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    fsync_dir(target.parent)
    return stored
