"""The object store on the local filesystem: the embedded default, one folder per key.

A key ``a/b/doc.pdf`` lives in the folder ``store/a/b/doc.pdf.~v/``; each version is a pair
of files named by its version id: ``<id>.data`` (the bytes, read-only) and ``<id>.json``
(its record: SHA-256, size, type, metadata, time, retention). The record is written last
and is what makes a version exist, so a crash leaves at most an unrecorded data file that
nothing lists. Files are written under a temporary name, fsynced and hard-linked into
place (a link never replaces an existing file), then the folder is fsynced.

Sharing without a web server of its own: :meth:`LocalObjectStore.presigned_get` signs the
key, version and expiry with a secret kept beside the store (``.share-secret``), and the
web service checks the link with :meth:`LocalObjectStore.check_shared`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

from .objects import (
    ObjectMissing,
    Retention,
    StoreBase,
    StoredObject,
    StoreUnavailable,
    check_key,
    check_metadata,
    copy_hashing,
    download_verified,
    fsync_dir,
    refuse_if_retained,
    verify,
)

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"  # `sohoa serve`'s own address
_SUFFIX = ".~v"  # marks a key's folder of versions (check_key refuses it inside keys)
_VERSION = re.compile(r"\d{20}-[0-9a-f]{8}")  # nanoseconds since 1970, then 32 random bits


class LocalObjectStore(StoreBase):
    """:class:`~sohoa.storage.objects.ObjectStore` in a folder (``SOHOA_HOME/objects``)."""

    def __init__(self, root: Path, *, public_url: str | None = None) -> None:
        self.root = root
        self.public_url = (public_url or DEFAULT_PUBLIC_URL).rstrip("/")
        self._store = root / "store"

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
        """Store ``data`` as a new version of ``key``; earlier versions stay as they were."""
        folder = self._folder(check_key(key))
        user_metadata = check_metadata(metadata)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            version_id = self._new_version(folder)
            sha256, size = self._write_data(folder, version_id, data)
            stored = StoredObject(
                key=key,
                version_id=version_id,
                sha256=sha256,
                size=size,
                content_type=content_type,
                metadata=user_metadata,
                modified=datetime.now(UTC),
                retention=retention,
            )
            _write_new(folder / f"{version_id}.json", _record(stored))
            fsync_dir(folder)
        except OSError as error:
            raise StoreUnavailable(f"{self.root}: cannot write {key} ({error.strerror})") from None
        return stored

    def delete(self, key: str, *, version_id: str | None = None) -> None:
        """Remove one version, or every version of ``key``; nothing while any is retained."""
        doomed = [self._head_or_missing(key, version_id)] if version_id else self.versions(key)
        if not doomed:
            raise ObjectMissing(f"{key}: no such object")
        for stored in doomed:
            refuse_if_retained(stored)
        folder = self._folder(key)
        for stored in doomed:
            (folder / f"{stored.version_id}.json").unlink()  # first: the version is gone
            (folder / f"{stored.version_id}.data").unlink(missing_ok=True)
        fsync_dir(folder)
        self._prune(folder)

    # -- reading ---------------------------------------------------------------------------

    def head(self, key: str, *, version_id: str | None = None) -> StoredObject | None:
        """The record of a version (default: the latest), or None."""
        folder = self._folder(check_key(key))
        if version_id is None:
            names = _version_ids(folder)
            if not names:
                return None
            version_id = names[-1]
        elif not _VERSION.fullmatch(version_id):
            return None
        return _read_record(folder / f"{version_id}.json", key)

    def get(self, key: str, *, version_id: str | None = None) -> bytes:
        """The bytes of a version (default: the latest), checked against its SHA-256."""
        stored = self._head_or_missing(key, version_id)
        data = (self._folder(key) / f"{stored.version_id}.data").read_bytes()
        verify(key, stored.version_id, stored.sha256, hashlib.sha256(data).hexdigest())
        return data

    def download(self, key: str, target: Path, *, version_id: str | None = None) -> StoredObject:
        """Copy a version to ``target``, verified, through a temporary file renamed last."""
        stored = self._head_or_missing(key, version_id)
        with open(self._folder(key) / f"{stored.version_id}.data", "rb") as source:
            return download_verified(source, target, stored)

    def versions(self, key: str) -> list[StoredObject]:
        """Every version of ``key``, oldest first."""
        folder = self._folder(check_key(key))
        records = (_read_record(folder / f"{name}.json", key) for name in _version_ids(folder))
        return [record for record in records if record is not None]

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """The latest version of every key starting with ``prefix``, folder by folder."""
        for key in self.keys(prefix):
            if (latest := self.head(key)) is not None:
                yield latest

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with ``prefix``, in key order, read from the folders alone."""
        start = self._store / prefix.rpartition("/")[0] if "/" in prefix else self._store
        relative = prefix.rpartition("/")[0] + "/" if "/" in prefix else ""
        yield from self._walk(start, relative, prefix)

    # -- sharing ---------------------------------------------------------------------------

    def presigned_get(self, key: str, expires: timedelta, *, version_id: str | None = None) -> str:
        """A link to one version (default: the latest at signing time) that the web
        service serves at ``/shared/`` to anyone until ``expires`` from now."""
        if expires <= timedelta(0):
            raise ValueError("a shared link must expire in the future")
        stored = self._head_or_missing(key, version_id)
        until = int(time.time() + expires.total_seconds())
        signature = self._signature(key, stored.version_id, until)
        query = urlencode({"version": stored.version_id, "expires": until, "signature": signature})
        return f"{self.public_url}/shared/{quote(key)}?{query}"

    def check_shared(
        self,
        key: str,
        version: str,
        expires: int | str,
        signature: str,
        *,
        now: datetime | None = None,
    ) -> bool:
        """Whether a ``/shared/`` link is one this store signed and has not expired."""
        try:
            until = int(expires)
        except ValueError:
            return False
        moment = (now or datetime.now(UTC)).timestamp()
        if moment >= until:
            return False
        return hmac.compare_digest(self._signature(key, version, until), signature)

    def ping(self) -> None:
        """StoreUnavailable unless the store's folder can be written (a NAS unmounted,
        a disk remounted read-only)."""
        try:
            self._store.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"{self.root}: {error.strerror}") from None
        if not os.access(self._store, os.W_OK | os.X_OK):
            raise StoreUnavailable(f"{self.root}: not writable")

    # -- inside ----------------------------------------------------------------------------

    def _folder(self, key: str) -> Path:
        return self._store / (key + _SUFFIX)

    def _head_or_missing(self, key: str, version_id: str | None) -> StoredObject:
        stored = self.head(key, version_id=version_id)
        if stored is None:
            which = f" (version {version_id})" if version_id else ""
            raise ObjectMissing(f"{key}{which}: no such object")
        return stored

    def _new_version(self, folder: Path) -> str:
        """A version id later than every existing one, even if the clock stepped back."""
        now = time.time_ns()
        existing = _version_ids(folder)
        if existing:
            now = max(now, int(existing[-1][:20]) + 1)
        return f"{now:020d}-{secrets.token_hex(4)}"

    def _write_data(self, folder: Path, version_id: str, data: bytes | Path) -> tuple[str, int]:
        partial = folder / f".{version_id}.data.part"
        try:
            with open(partial, "xb") as sink:
                if isinstance(data, bytes):
                    sink.write(data)
                    digest, size = hashlib.sha256(data).hexdigest(), len(data)
                else:
                    with open(data, "rb") as source:
                        digest, size = copy_hashing(source, sink)
                sink.flush()
                os.fsync(sink.fileno())
            partial.chmod(0o444)  # a version is never changed in place
            os.link(partial, folder / f"{version_id}.data")
        finally:
            partial.unlink(missing_ok=True)
        return digest, size

    def _walk(self, folder: Path, relative: str, prefix: str) -> Iterator[str]:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                continue
            path = relative + entry.name
            if entry.name.endswith(_SUFFIX):
                key = path.removesuffix(_SUFFIX)
                if key.startswith(prefix) and _version_ids(Path(entry.path)):
                    yield key
            elif (path + "/").startswith(prefix) or prefix.startswith(path + "/"):
                yield from self._walk(Path(entry.path), path + "/", prefix)

    def _prune(self, folder: Path) -> None:
        """Remove the key's folder and its parents once empty, up to the store's root."""
        while folder != self._store:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def _signature(self, key: str, version: str, until: int) -> str:
        message = f"{key}\n{version}\n{until}".encode()
        return hmac.new(self._secret(), message, hashlib.sha256).hexdigest()

    def _secret(self) -> bytes:
        """The signing secret of shared links, made on first use, readable by its owner
        only; two processes making it at once agree on whichever was linked first."""
        path = self.root / ".share-secret"
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            partial = self.root / f".share-secret.{os.getpid()}.part"
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as sink:
                sink.write(secrets.token_hex(32).encode())
                sink.flush()
                os.fsync(sink.fileno())
            try:
                os.link(partial, path)
            except FileExistsError:
                pass
            finally:
                partial.unlink()
            fsync_dir(self.root)
        return path.read_bytes().strip()


def _version_ids(folder: Path) -> list[str]:
    """The recorded versions in ``folder``, oldest first (ids sort by time)."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(
        name.removesuffix(".json")
        for name in names
        if name.endswith(".json") and _VERSION.fullmatch(name.removesuffix(".json"))
    )


def _record(stored: StoredObject) -> bytes:
    retention = stored.retention
    return json.dumps(
        {
            "sha256": stored.sha256,
            "size": stored.size,
            "content_type": stored.content_type,
            "metadata": stored.metadata,
            "modified": stored.modified.isoformat(),
            "retention": (
                {"mode": retention.mode, "until": retention.until.isoformat()}
                if retention
                else None
            ),
        },
        ensure_ascii=False,
        indent=1,
    ).encode()


def _read_record(path: Path, key: str) -> StoredObject | None:
    try:
        record = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    retention = record["retention"]
    return StoredObject(
        key=key,
        version_id=path.name.removesuffix(".json"),
        sha256=record["sha256"],
        size=record["size"],
        content_type=record["content_type"],
        metadata=record["metadata"],
        modified=datetime.fromisoformat(record["modified"]),
        retention=(
            Retention(retention["mode"], datetime.fromisoformat(retention["until"]))
            if retention
            else None
        ),
    )


def _write_new(path: Path, content: bytes) -> None:
    """Write ``path`` durably; it appears whole or not at all, and never replaces a file."""
    partial = path.with_name(f".{path.name}.part")
    try:
        with open(partial, "xb") as sink:
            sink.write(content)
            sink.flush()
            os.fsync(sink.fileno())
        os.link(partial, path)
    finally:
        partial.unlink(missing_ok=True)
