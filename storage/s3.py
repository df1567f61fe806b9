"""The object store on S3 through the ``minio`` SDK: MinIO in production, any S3 store.

The bucket is made on first use with object lock, which turns versioning on: every put is a
new version, and a version put with a retention date cannot be deleted before it, by anyone
(COMPLIANCE) or by anyone without the right to bypass it (GOVERNANCE; sohoa never does).

Each put is one PUT request, never a multipart upload: S3 asks a checksum of every request
that writes under object lock, and minio-py sends one per part only over TLS. Sohoa sends
``x-amz-checksum-sha256`` itself, the SHA-256 it records as ``x-amz-meta-sha256``, so the
server refuses bytes damaged on the way. The cost: minio-py holds the object in memory while
it sends it (up to S3's 5 GiB for one PUT); reads stream.

Transient failures (refused or reset connections, timeouts, 5xx answers) are retried on
:attr:`S3Settings.retry_delays`, then :class:`StoreUnavailable` names the endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import string
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import quote, unquote, urlsplit

import certifi
import urllib3
from minio import Minio
from minio.error import S3Error, ServerError
from minio.helpers import MAX_PART_SIZE, MIN_PART_SIZE
from minio.retention import Retention as LockRetention
from minio.sse import Sse, SseKMS, SseS3

from sohoa.pipeline.vntext import nfc

from .objects import (
    LOCK_MODES,
    SHA256_KEY,
    ObjectMissing,
    Retention,
    RetentionError,
    StorageConfigError,
    StorageError,
    StoreBase,
    StoredObject,
    StoreUnavailable,
    check_key,
    check_metadata,
    download_verified,
    refuse_if_retained,
    sha256_of,
    verify,
)

T = TypeVar("T")
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_META = "x-amz-meta-"
# ASCII that travels in an HTTP header as it is; anything else in a metadata value is
# percent-encoded (UTF-8), "%" included, so that decoding gives back exactly what was put
_HEADER_SAFE = "".join(ch for ch in string.printable if ch not in "%\t\n\r\x0b\x0c")
_LIST_WINDOW = 32  # HEADs in flight while listing: fast on 100,000 keys, memory flat
_TRANSIENT_CODES = frozenset({"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"})


@dataclass(frozen=True, slots=True)
class S3Settings:
    """Where the S3 store is and how to talk to it (``SOHOA_S3_*``, docs/storage.md)."""

    endpoint: str  # host:port
    access_key: str
    secret_key: str = field(repr=False)
    secure: bool = True
    region: str | None = None
    bucket: str = "sohoa"
    ca_bundle: Path | None = None
    sse: str | None = None  # "S3", or "kms:KEY_ID"
    lock_mode: str = "COMPLIANCE"
    retry_delays: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0)  # seconds between tries
    connect_timeout: float = 2.0
    read_timeout: float = 60.0

    @property
    def url(self) -> str:
        """The endpoint as messages name it."""
        return f"{'https' if self.secure else 'http'}://{self.endpoint}"


def s3_settings(environ: Mapping[str, str]) -> S3Settings:
    """The S3 settings the environment gives; StorageConfigError, one line, if they
    cannot work."""
    endpoint, scheme_secure = _endpoint(environ.get("SOHOA_S3_ENDPOINT", ""))
    access_key = environ.get("SOHOA_S3_ACCESS_KEY", "")
    secret_key = environ.get("SOHOA_S3_SECRET_KEY", "")
    if not access_key or not secret_key:
        raise StorageConfigError("an S3 store needs SOHOA_S3_ACCESS_KEY and SOHOA_S3_SECRET_KEY")
    secure = _secure(environ.get("SOHOA_S3_SECURE", ""), scheme_secure)
    bucket = environ.get("SOHOA_S3_BUCKET", "").strip() or "sohoa"
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise StorageConfigError(f"SOHOA_S3_BUCKET={bucket!r} is not an S3 bucket name")
    lock_mode = environ.get("SOHOA_S3_LOCK_MODE", "").strip().upper() or "COMPLIANCE"
    if lock_mode not in LOCK_MODES:
        raise StorageConfigError(f"SOHOA_S3_LOCK_MODE={lock_mode!r}: one of {LOCK_MODES}")
    ca_bundle = Path(environ["SOHOA_S3_CA_BUNDLE"]) if environ.get("SOHOA_S3_CA_BUNDLE") else None
    if ca_bundle is not None and not ca_bundle.is_file():
        raise StorageConfigError(f"SOHOA_S3_CA_BUNDLE={ca_bundle}: no such file")
    sse = environ.get("SOHOA_S3_SSE", "").strip() or None
    _sse(sse, secure)  # checked now, not at the first put
    return S3Settings(
        endpoint=endpoint,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        region=environ.get("SOHOA_S3_REGION", "").strip() or None,
        bucket=bucket,
        ca_bundle=ca_bundle,
        sse=sse,
        lock_mode=lock_mode,
    )


def _endpoint(raw: str) -> tuple[str, bool | None]:
    """``host:port`` and, when ``raw`` is a URL, whether its scheme is https."""
    raw = raw.strip()
    parts = urlsplit(raw if "://" in raw else f"//{raw}")
    if "://" in raw and parts.scheme not in ("http", "https"):
        raise StorageConfigError(f"SOHOA_S3_ENDPOINT={raw!r}: http:// or https:// only")
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.username:
        raise StorageConfigError(f"SOHOA_S3_ENDPOINT={raw!r}: give host:port or a URL to it")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        raise StorageConfigError(f"SOHOA_S3_ENDPOINT={raw!r}: bad port") from None
    return parts.netloc, (parts.scheme == "https" if parts.scheme else None)


def _secure(raw: str, scheme_secure: bool | None) -> bool:
    value = raw.strip().lower()
    if not value:
        return True if scheme_secure is None else scheme_secure
    if value not in TRUE | FALSE:
        raise StorageConfigError(f"SOHOA_S3_SECURE={raw!r}: on or off")
    secure = value in TRUE
    if scheme_secure is not None and secure != scheme_secure:
        raise StorageConfigError(f"SOHOA_S3_SECURE={raw!r} contradicts SOHOA_S3_ENDPOINT's scheme")
    return secure


def _sse(sse: str | None, secure: bool) -> Sse | None:
    if sse is None:
        return None
    if sse.upper() == "S3":
        return SseS3()
    kind, _, key_id = sse.partition(":")
    if kind.lower() != "kms" or not key_id:
        raise StorageConfigError(f"SOHOA_S3_SSE={sse!r}: S3, or kms:KEY_ID")
    if not secure:
        raise StorageConfigError("SOHOA_S3_SSE=kms:… needs TLS (SOHOA_S3_SECURE on)")
    return SseKMS(key_id, {})


class S3ObjectStore(StoreBase):
    """:class:`~sohoa.storage.objects.ObjectStore` in an S3 bucket."""

    def __init__(self, settings: S3Settings) -> None:
        self.settings = settings
        self.bucket = settings.bucket
        self._sse = _sse(settings.sse, settings.secure)
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=settings.connect_timeout, read=settings.read_timeout),
            maxsize=_LIST_WINDOW // 2,
            cert_reqs="CERT_REQUIRED",
            ca_certs=str(settings.ca_bundle or certifi.where()),
            retries=False,  # sohoa retries, on its own bounded schedule
        )
        self.client = Minio(
            settings.endpoint,
            access_key=settings.access_key,
            secret_key=settings.secret_key,
            secure=settings.secure,
            region=settings.region,
            http_client=http,
        )
        self._ready = False
        self._locking = False

    # -- writing ---------------------------------------------------------------------------

    def put(
        self,
        key: str,
        data: bytes | Path,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        retention: Retention | None = None,
    ) -> StoredObject:
        """Store ``data`` as a new version of ``key``, with its SHA-256 as metadata."""
        check_key(key)
        headers = {
            name: quote(value, safe=_HEADER_SAFE)
            for name, value in check_metadata(metadata).items()
        }
        sha256, size = sha256_of(data)
        if size > MAX_PART_SIZE:
            raise ValueError(f"{key}: {size} bytes; one S3 PUT holds at most 5 GiB")
        headers[SHA256_KEY] = sha256
        headers["x-amz-sdk-checksum-algorithm"] = "SHA256"
        headers["x-amz-checksum-sha256"] = base64.b64encode(bytes.fromhex(sha256)).decode()
        self._ensure()
        if retention is not None and not self._locking:
            raise RetentionError(f"bucket {self.bucket} at {self.settings.url} has no object lock")

        def upload() -> str | None:
            with _open(data) as stream:
                return self.client.put_object(
                    self.bucket,
                    key,
                    stream,
                    size,
                    content_type=content_type,
                    metadata=headers,
                    sse=self._sse,
                    part_size=max(size, MIN_PART_SIZE),  # one PUT: see the module's docstring
                    retention=_lock(retention),
                ).version_id

        version_id = self._call(upload, subject=key)
        if version_id is None:
            raise StorageConfigError(f"bucket {self.bucket} at {self.settings.url}: no versions")
        return self._head_or_missing(key, version_id)

    def delete(self, key: str, *, version_id: str | None = None) -> None:
        """Remove one version, or every version of ``key``; nothing while any is retained."""
        if version_id is not None:
            doomed = [self._head_or_missing(key, version_id)]
            markers: list[str] = []
        else:
            doomed = self.versions(key)
            markers = [entry.version_id for entry in self._entries(key) if entry.is_delete_marker]
            if not doomed and not markers:
                raise ObjectMissing(f"{key}: no such object")
        for stored in doomed:
            refuse_if_retained(stored)
        for version in [stored.version_id for stored in doomed] + markers:
            self._remove(key, version)

    # -- reading ---------------------------------------------------------------------------

    def head(self, key: str, *, version_id: str | None = None) -> StoredObject | None:
        """The record of a version (default: the latest), or None."""
        check_key(key)
        self._ensure()
        try:
            found = self._call(
                lambda: self.client.stat_object(self.bucket, key, version_id=version_id)
            )
        except S3Error as error:
            if _not_found(error, version_id):
                return None
            raise _storage_error(error, key) from None
        return _stored(key, found.metadata or {})

    def get(self, key: str, *, version_id: str | None = None) -> bytes:
        """The bytes of a version (default: the latest), checked against its SHA-256."""

        def fetch(response: urllib3.BaseHTTPResponse, stored: StoredObject) -> bytes:
            data = response.read()
            verify(key, stored.version_id, stored.sha256, _sha256(data))
            return data

        return self._reading(key, version_id, fetch)

    def download(self, key: str, target: Path, *, version_id: str | None = None) -> StoredObject:
        """Stream a version to ``target``, verified, through a temporary file renamed last."""
        return self._reading(
            key, version_id, lambda response, stored: download_verified(response, target, stored)
        )

    def versions(self, key: str) -> list[StoredObject]:
        """Every version of ``key``, oldest first (S3 lists them newest first)."""
        found = [
            self.head(key, version_id=entry.version_id)
            for entry in reversed(self._entries(key))
            if not entry.is_delete_marker
        ]
        return [stored for stored in found if stored is not None]

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """The latest version of every key under ``prefix``, in key order: the listing is
        read a page at a time and each key's metadata asked by a window of HEADs."""
        window: deque[Future[StoredObject | None]] = deque()
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="sohoa-s3-list") as pool:
            try:
                for key in self._keys(prefix):
                    window.append(pool.submit(self.head, key))
                    if len(window) >= _LIST_WINDOW and (stored := window.popleft().result()):
                        yield stored
                while window:
                    if stored := window.popleft().result():
                        yield stored
            finally:
                for pending in window:
                    pending.cancel()

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every current key under ``prefix``, in key order, from the listing alone (no
        request a key: a catalog rebuild reads each object anyway)."""
        return self._keys(prefix)

    # -- sharing ---------------------------------------------------------------------------

    def presigned_get(self, key: str, expires: timedelta, *, version_id: str | None = None) -> str:
        """A URL that GETs one version (default: the latest now) until ``expires`` from
        now; S3 signatures last at most 7 days."""
        if not timedelta(seconds=1) <= expires <= timedelta(days=7):
            raise ValueError("an S3 presigned URL lasts from 1 second to 7 days")
        stored = self._head_or_missing(key, version_id)
        return self._call(
            lambda: self.client.presigned_get_object(
                self.bucket, key, expires=expires, version_id=stored.version_id
            ),
            subject=key,
        )

    def ping(self) -> None:
        """StoreUnavailable unless the endpoint answers (after the retries); the bucket is
        made if it is missing."""
        self._ensure()
        self._call(lambda: self.client.bucket_exists(self.bucket), subject=self.bucket)

    # -- inside ----------------------------------------------------------------------------

    def _ensure(self) -> None:
        """Make the bucket with object lock if it is missing; refuse one without versions."""
        if self._ready:
            return
        if not self._call(lambda: self.client.bucket_exists(self.bucket), subject=self.bucket):
            try:
                self._call(
                    lambda: self.client.make_bucket(
                        self.bucket, location=self.settings.region, object_lock=True
                    )
                )
            except S3Error as error:
                if error.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise _storage_error(error, self.bucket) from None
        versioning = self._call(
            lambda: self.client.get_bucket_versioning(self.bucket), subject=self.bucket
        )
        if versioning.status != "Enabled":
            raise StorageConfigError(
                f"bucket {self.bucket} at {self.settings.url} keeps no versions; "
                "enable versioning, or let sohoa make the bucket"
            )
        try:
            self._call(lambda: self.client.get_object_lock_config(self.bucket))
            self._locking = True
        except S3Error:
            self._locking = False  # versions kept, but no retention possible
        self._ready = True

    def _call(self, action: Callable[[], T], *, subject: str | None = None) -> T:
        """``action()``, tried again after each of the retry delays while it fails for a
        reason that may pass; then StoreUnavailable. Any other refusal of the server
        becomes a one-line StorageError about ``subject``; without one, the S3Error is
        the caller's to read (a missing key is an answer, not an error)."""
        delays = self.settings.retry_delays
        for attempt in range(len(delays) + 1):
            try:
                return action()
            except S3Error as error:
                if not _transient(error):
                    if subject is None:
                        raise
                    raise _storage_error(error, subject) from None
                if attempt == len(delays):
                    raise self._unavailable(attempt + 1, error) from None
            except Exception as error:
                if not _transient(error):
                    raise
                if attempt == len(delays):
                    raise self._unavailable(attempt + 1, error) from None
            time.sleep(delays[attempt])
        raise AssertionError("unreachable")  # the loop returns or raises

    def _unavailable(self, tries: int, error: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            f"S3 store {self.settings.url} unreachable after {tries} tries: {_reason(error)}"
        )

    def _reading(
        self,
        key: str,
        version_id: str | None,
        consume: Callable[[urllib3.BaseHTTPResponse, StoredObject], T],
    ) -> T:
        """One GET whose headers give the record and whose body ``consume`` reads: what is
        checked is the version read, even if another is put meanwhile."""
        check_key(key)
        self._ensure()

        def attempt() -> T:
            response = self.client.get_object(self.bucket, key, version_id=version_id)
            try:
                return consume(response, _stored(key, response.headers))
            finally:
                response.close()
                response.release_conn()

        try:
            return self._call(attempt)
        except S3Error as error:
            if _not_found(error, version_id):
                which = f" (version {version_id})" if version_id else ""
                raise ObjectMissing(f"{key}{which}: no such object") from None
            raise _storage_error(error, key) from None

    def _head_or_missing(self, key: str, version_id: str | None) -> StoredObject:
        stored = self.head(key, version_id=version_id)
        if stored is None:
            which = f" (version {version_id})" if version_id else ""
            raise ObjectMissing(f"{key}{which}: no such object")
        return stored

    def _entries(self, key: str) -> list:
        """The listing's entries for exactly ``key``: versions and delete markers."""
        self._ensure()
        entries = self._call(
            lambda: list(
                self.client.list_objects(
                    self.bucket, prefix=key, recursive=True, include_version=True
                )
            ),
            subject=key,
        )
        return [entry for entry in entries if entry.object_name == key]

    def _keys(self, prefix: str) -> Iterator[str]:
        """Every current key under ``prefix``, page by page; a listing that fails is asked
        again from the last key seen, on the retry schedule (reset by each key read)."""
        self._ensure()
        delays = self.settings.retry_delays
        last: str | None = None
        failures = 0
        while True:
            try:
                for entry in self.client.list_objects(
                    self.bucket, prefix=prefix or None, recursive=True, start_after=last
                ):
                    last, failures = entry.object_name, 0
                    yield entry.object_name
                return
            except Exception as error:
                if isinstance(error, S3Error) and not _transient(error):
                    raise _storage_error(error, prefix or self.bucket) from None
                if not _transient(error):
                    raise
                if failures == len(delays):
                    raise self._unavailable(failures + 1, error) from None
                time.sleep(delays[failures])
                failures += 1

    def _remove(self, key: str, version_id: str) -> None:
        self._call(
            lambda: self.client.remove_object(self.bucket, key, version_id=version_id),
            subject=key,
        )


def _stored(key: str, headers: Mapping[str, str]) -> StoredObject:
    """A version's record from its HEAD or GET response headers."""
    lowered = {name.lower(): value for name, value in headers.items()}
    metadata = {
        name.removeprefix(_META): nfc(unquote(value))
        for name, value in lowered.items()
        if name.startswith(_META)
    }
    mode = lowered.get("x-amz-object-lock-mode")
    until = lowered.get("x-amz-object-lock-retain-until-date")
    return StoredObject(
        key=key,
        version_id=lowered.get("x-amz-version-id", "null"),
        sha256=metadata.pop(SHA256_KEY, ""),
        size=int(lowered.get("content-length", 0)),
        content_type=lowered.get("content-type", "application/octet-stream"),
        metadata=metadata,
        modified=parsedate_to_datetime(lowered["last-modified"]),
        retention=Retention(mode, datetime.fromisoformat(until)) if mode and until else None,
    )


def _lock(retention: Retention | None) -> LockRetention | None:
    return LockRetention(retention.mode, retention.until) if retention else None


def _open(data: bytes | Path) -> BinaryIO:
    return io.BytesIO(data) if isinstance(data, bytes) else open(data, "rb")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _transient(error: Exception) -> bool:
    """Whether trying again may help: the network, a timeout, the server's 5xx."""
    if isinstance(error, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError):
        return True
    if isinstance(error, ServerError):
        return True
    if isinstance(error, S3Error):
        return error.code in _TRANSIENT_CODES or error.response.status >= 500
    return False


def _reason(error: Exception) -> str:
    """One line on why a try failed: urllib3 nests the OS's words inside its own."""
    text = str(error)
    errno_words = re.search(r"\[Errno -?\d+\] ([^')\]]+)", text)
    if errno_words:
        return errno_words.group(1)
    return " ".join(text.split())[:160] or type(error).__name__


def _not_found(error: S3Error, version_id: str | None) -> bool:
    status = error.response.status if error.response is not None else 0
    return (
        status in (404, 405)
        or error.code in ("NoSuchKey", "NoSuchVersion", "NoSuchObject")
        or (version_id is not None and error.code == "InvalidArgument")
    )


def _storage_error(error: S3Error, subject: str) -> Exception:
    """An S3 refusal as a one-line sohoa error; object lock's refusals as RetentionError."""
    message = f"{subject}: {error.code}: {error.message}"
    if error.code == "AccessDenied" and "WORM" in (error.message or "").upper():
        return RetentionError(message)
    return StoreUnavailable(message) if _transient(error) else StorageError(message)
