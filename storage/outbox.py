"""The local outbox: where finished work waits while the object store cannot be reached.

A batch must not lose a signed document because MinIO is restarting. When a put fails with
:class:`StoreUnavailable`, the caller enqueues the objects (and what its catalog needs, the
payload) here, under ``SOHOA_HOME/outbox``; a later :meth:`Outbox.deliver` stores them and
hands the stored versions to the caller's callback, which writes the catalog rows; only then
is the entry removed. A process that dies at any point loses nothing: an entry is a folder
built under a temporary name, its files and manifest fsynced, then renamed into place; it is
removed only after its callback returned, and a redelivery of objects already stored finds
them as the latest versions and stores nothing again (the callback must be idempotent).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from .objects import (
    ObjectStore,
    Retention,
    StorageError,
    StoredObject,
    StoreUnavailable,
    check_key,
    check_metadata,
    fsync_dir,
    sha256_of,
    verify,
)

MANIFEST = "manifest.json"
_ENTRY_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


class OutgoingObject(NamedTuple):
    """One object an entry will put: a plain tuple works as well."""

    key: str
    data: bytes | Path
    content_type: str = "application/octet-stream"
    metadata: Mapping[str, str] | None = None
    retention: Retention | None = None
    #: the bytes' SHA-256 where known already (a scan's: its key is made of it)
    sha256: str | None = None


Delivered = Callable[[dict[str, Any], list[StoredObject]], None]


@dataclass(slots=True)
class DeliveryReport:
    """What one :meth:`Outbox.deliver` did: entries stored, entries that failed (one line
    each: they stay for the next time), and entries not tried once the store went away."""

    delivered: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    left: int = 0

    def summary(self) -> str:
        """One line for the log."""
        line = f"outbox: {len(self.delivered)} delivered, {len(self.failed)} failed"
        return line + (f", {self.left} left for later" if self.left else "")


class Outbox:
    """Entries waiting for the object store, each a folder under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def enqueue(
        self,
        entry_id: str,
        objects: Sequence[OutgoingObject | tuple],
        payload: Mapping[str, Any],
    ) -> None:
        """Keep copies of ``objects`` and the ``payload`` until :meth:`deliver`; the entry
        exists whole, fsynced, or not at all."""
        if not _ENTRY_ID.fullmatch(entry_id):
            raise ValueError(f"outbox entry id {entry_id!r}: use [A-Za-z0-9_.-]")
        target = self.folder / entry_id
        if target.exists():
            raise StorageError(f"outbox: entry {entry_id} is already queued")
        self.folder.mkdir(parents=True, exist_ok=True)
        building = self.folder / f".incoming-{entry_id}-{secrets.token_hex(4)}"
        building.mkdir()
        try:
            described = [
                _copy_in(building, index, OutgoingObject(*item))
                for index, item in enumerate(objects)
            ]
            manifest = {
                "entry_id": entry_id,
                "enqueued": datetime.now(UTC).isoformat(),
                "enqueued_ns": time.time_ns(),
                "objects": described,
                "payload": dict(payload),
            }
            _write_synced(building / MANIFEST, json.dumps(manifest, ensure_ascii=False).encode())
            fsync_dir(building)
            building.rename(target)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        fsync_dir(self.folder)

    def pending(self) -> list[str]:
        """The entries waiting, oldest first."""
        try:
            entries = [path for path in self.folder.iterdir() if not path.name.startswith(".")]
        except FileNotFoundError:
            return []
        dated = []
        for entry in entries:
            try:
                manifest = json.loads((entry / MANIFEST).read_bytes())
            except (OSError, ValueError):
                continue  # not an entry sohoa wrote
            dated.append((manifest["enqueued_ns"], entry.name))
        return [name for _, name in sorted(dated)]

    def deliver(self, store: ObjectStore, on_delivered: Delivered) -> DeliveryReport:
        """Put every pending entry's objects, oldest entry first, call ``on_delivered``
        with its payload and stored versions, then remove it. An entry that fails stays;
        once the store is unreachable, the rest wait for the next time."""
        report = DeliveryReport()
        pending = self.pending()
        for position, entry_id in enumerate(pending):
            try:
                self._deliver(store, entry_id, on_delivered)
            except StoreUnavailable as error:
                report.failed.append((entry_id, str(error)))
                report.left = len(pending) - position - 1
                break
            except Exception as error:  # the callback's too: the entry stays, the rest go on
                report.failed.append((entry_id, _one_line(error)))
                continue
            report.delivered.append(entry_id)
        return report

    def _deliver(self, store: ObjectStore, entry_id: str, on_delivered: Delivered) -> None:
        entry = self.folder / entry_id
        manifest = json.loads((entry / MANIFEST).read_bytes())
        stored = [_put(store, entry / item["file"], item) for item in manifest["objects"]]
        on_delivered(manifest["payload"], stored)
        done = self.folder / f".delivered-{entry_id}-{secrets.token_hex(4)}"
        entry.rename(done)  # one step: the entry is pending or gone, never half-removed
        fsync_dir(self.folder)
        shutil.rmtree(done)


def _copy_in(building: Path, index: int, item: OutgoingObject) -> dict[str, Any]:
    """Copy one object's bytes into the entry; its manifest line."""
    check_key(item.key)
    name = f"{index}.bin"
    if isinstance(item.data, bytes):
        _write_synced(building / name, item.data)
    else:
        shutil.copyfile(item.data, building / name)
        with open(building / name, "rb+") as copied:
            os.fsync(copied.fileno())
    sha256, size = sha256_of(building / name)
    retention = item.retention
    return {
        "file": name,
        "key": item.key,
        "content_type": item.content_type,
        "metadata": check_metadata(item.metadata),
        "retention": (
            {"mode": retention.mode, "until": retention.until.isoformat()} if retention else None
        ),
        "sha256": sha256,
        "size": size,
    }


def _put(store: ObjectStore, path: Path, item: Mapping[str, Any]) -> StoredObject:
    """Store one queued object unless the store's latest version of its key already holds
    these bytes (an earlier delivery that died before removing the entry)."""
    verify(item["key"], "queued", item["sha256"], sha256_of(path)[0])
    retention = item["retention"]
    return store.put_if_absent(
        item["key"],
        path,
        content_type=item["content_type"],
        metadata=item["metadata"],
        retention=(
            Retention(retention["mode"], datetime.fromisoformat(retention["until"]))
            if retention
            else None
        ),
    )


def _write_synced(path: Path, content: bytes) -> None:
    with open(path, "xb") as sink:
        sink.write(content)
        sink.flush()
        os.fsync(sink.fileno())


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if isinstance(error, StorageError) else f"{type(error).__name__}: {text}"
