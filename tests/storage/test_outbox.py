"""The outbox: a batch goes on while the store is down, and nothing it finished is lost."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from sohoa.storage.layout import PDF, signed_key, signed_metadata
from sohoa.storage.objects import Retention, StoredObject, StoreUnavailable
from sohoa.storage.outbox import Outbox, OutgoingObject
from sohoa.storage.s3 import S3ObjectStore

from .s3_server import free_port, moto_settings, start_moto

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def signed(number: int) -> tuple[str, OutgoingObject, dict]:
    """A signed document of the batch: its entry id, its object, its catalog payload."""
    document_id = f"KS-{number:04d}"
    key = signed_key(document_id, "HS-2026-001")
    metadata = signed_metadata(document_id, "HS-2026-001", "birth_certificate", NOW)
    retention = Retention("COMPLIANCE", datetime.now(UTC) + timedelta(minutes=5))
    data = f"%PDF signed {number}".encode()
    payload = {"document_id": document_id, "họ_tên": "Trần Thị Bích"}
    return document_id, OutgoingObject(key, data, PDF, metadata, retention), payload


def test_the_store_down_mid_batch_then_back(tmp_path):
    """The server stops after two documents: the third fails after the bounded retries
    and waits in the outbox; a server started again on the same port receives it. (moto's
    server keeps its buckets in the process, so the bucket outlives the restart, as a
    MinIO's does on its disks.)"""
    port = free_port()
    server = start_moto(port)
    store = S3ObjectStore(moto_settings(f"127.0.0.1:{port}", retry_delays=(0.05, 0.1, 0.2)))
    outbox = Outbox(tmp_path / "outbox")
    stored_now: list[StoredObject] = []
    for number in (1, 2, 3):
        entry_id, item, payload = signed(number)
        if number == 3:
            server.stop()
        started = time.monotonic()
        try:
            stored_now.append(store.put(item.key, item.data, metadata=item.metadata))
        except StoreUnavailable as down:
            assert "unreachable after 4 tries" in str(down)
            assert 0.35 <= time.monotonic() - started < 2  # the schedule, and no more
            outbox.enqueue(entry_id, [item], payload)
    assert [stored.key.rsplit("/", 1)[1] for stored in stored_now] == ["KS-0001.pdf", "KS-0002.pdf"]
    assert outbox.pending() == ["KS-0003"]

    started = time.monotonic()
    report = outbox.deliver(store, lambda payload, stored: pytest.fail("store is down"))
    assert report.delivered == [] and report.failed[0][0] == "KS-0003"
    assert "Connection refused" in report.failed[0][1]
    assert time.monotonic() - started < 2
    assert outbox.pending() == ["KS-0003"]

    server = start_moto(port)
    try:
        catalog: list[tuple[dict, list[StoredObject]]] = []
        report = outbox.deliver(store, lambda payload, stored: catalog.append((payload, stored)))
        assert (report.delivered, report.failed) == (["KS-0003"], [])
        ((payload, (stored,)),) = catalog
        assert payload == {"document_id": "KS-0003", "họ_tên": "Trần Thị Bích"}
        assert store.get(stored.key) == b"%PDF signed 3"
        assert stored.retention is not None and stored.metadata["document-id"] == "KS-0003"
        assert outbox.pending() == []
        assert list((tmp_path / "outbox").iterdir()) == []
    finally:
        server.stop()


def test_an_entry_stays_until_its_callback_succeeds(local_store, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    for number in (1, 2):
        entry_id, item, payload = signed(number)
        outbox.enqueue(entry_id, [item], payload)
    source = tmp_path / "extraction.json"
    source.write_text('{"họ_tên": "Trần Thị Bích"}', encoding="utf-8")
    outbox.enqueue("KS-0003", [("extractions/KS-0003.json", source, "application/json")], {})
    source.unlink()  # the outbox keeps its own copy
    assert outbox.pending() == ["KS-0001", "KS-0002", "KS-0003"]

    def catalog_down(payload, stored):
        if payload.get("document_id") == "KS-0002":
            raise RuntimeError("catalog locked")

    report = outbox.deliver(local_store, catalog_down)
    assert report.delivered == ["KS-0001", "KS-0003"]
    assert report.failed == [("KS-0002", "RuntimeError: catalog locked")]
    assert report.summary() == "outbox: 2 delivered, 1 failed"
    assert outbox.pending() == ["KS-0002"]
    assert local_store.get("extractions/KS-0003.json").decode() == '{"họ_tên": "Trần Thị Bích"}'

    delivered: list[list[StoredObject]] = []
    report = outbox.deliver(local_store, lambda payload, stored: delivered.append(stored))
    assert report.delivered == ["KS-0002"] and outbox.pending() == []
    key = signed_key("KS-0002", "HS-2026-001")
    assert len(local_store.versions(key)) == 1  # stored the first time, not again
    assert delivered[0][0].version_id == local_store.head(key).version_id


def test_enqueue_is_whole_or_nothing(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    entry_id, item, payload = signed(1)
    outbox.enqueue(entry_id, [item], payload)
    with pytest.raises(Exception, match="already queued"):
        outbox.enqueue(entry_id, [item], payload)
    with pytest.raises(FileNotFoundError):
        outbox.enqueue("KS-0009", [item, ("a/b.pdf", tmp_path / "missing.pdf")], payload)
    with pytest.raises(ValueError, match="entry id"):
        outbox.enqueue("../escape", [item], payload)
    assert sorted(path.name for path in (tmp_path / "outbox").iterdir()) == ["KS-0001"]
    assert outbox.pending() == ["KS-0001"]


def test_a_damaged_queued_copy_is_not_stored(local_store, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    entry_id, item, payload = signed(1)
    outbox.enqueue(entry_id, [item], payload)
    (tmp_path / "outbox" / entry_id / "0.bin").write_bytes(b"damaged")
    report = outbox.deliver(local_store, lambda payload, stored: None)
    assert report.failed and "differs from the recorded" in report.failed[0][1]
    assert local_store.head(item.key) is None
    assert outbox.pending() == [entry_id]
