"""Object store throughput: put, get and download of signed-PDF-sized objects, on the local
store and on an S3 server over HTTP (moto's, in this process; ``--endpoint`` for a real
MinIO), median of ``--runs``; and small puts a second (an extraction JSON's size).

    python benchmarks/storage.py [--runs 5] [--small 500] [--endpoint host:port --access-key K
        --secret-key S]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sohoa.storage.localfs import LocalObjectStore
from sohoa.storage.objects import ObjectStore
from sohoa.storage.s3 import S3ObjectStore, S3Settings

SIZES = {"1 MB": 1 << 20, "20 MB": 20 << 20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--endpoint", help="a real S3 store (host:port) instead of moto")
    parser.add_argument("--access-key", default=os.environ.get("SOHOA_TEST_S3_ACCESS_KEY", ""))
    parser.add_argument("--secret-key", default=os.environ.get("SOHOA_TEST_S3_SECRET_KEY", ""))
    args = parser.parse_args()
    print("| store | object | put MB/s | get MB/s | download MB/s |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="sohoa-storage-") as tmp:
        folder = Path(tmp)
        local = LocalObjectStore(folder / "objects")
        small_rates = {"local": _measure("local", local, folder, args)}
        server = None
        if args.endpoint:
            settings = S3Settings(
                endpoint=args.endpoint,
                access_key=args.access_key,
                secret_key=args.secret_key,
                secure=False,
                bucket=f"sohoa-bench-{uuid.uuid4().hex[:12]}",
            )
            label = "S3 (MinIO)"
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "storage"))
            from s3_server import free_port, moto_settings, start_moto  # the tests' S3 server

            port = free_port()
            server = start_moto(port)
            settings, label = moto_settings(f"127.0.0.1:{port}"), "S3 (moto)"
        try:
            small_rates[label] = _measure(label, S3ObjectStore(settings), folder, args)
        finally:
            if server is not None:
                server.stop()
    print()
    for label, rate in small_rates.items():
        print(f"{label}: {rate:,.0f} puts/s of 2 KB objects with metadata")


def _measure(label: str, store: ObjectStore, folder: Path, args: argparse.Namespace) -> float:
    for name, size in SIZES.items():
        put, get, download = _throughput(store, folder, size, args.runs)
        print(f"| {label} | {name} | {put:,.0f} | {get:,.0f} | {download:,.0f} |")
    body = b"{" + b'"x": 1, ' * 250 + b"}"
    started = time.perf_counter()
    for number in range(args.small):
        store.put(f"small/{number:06d}.json", body, metadata={"document-id": f"{number}"})
    return args.small / (time.perf_counter() - started)


def _throughput(store: ObjectStore, folder: Path, size: int, runs: int) -> list[float]:
    """MB/s of put (from a file), get (bytes, verified) and download (to a file, verified)."""
    source = folder / f"{size}.bin"
    source.write_bytes(os.urandom(size))  # incompressible, as a PDF of JPEGs is
    key = f"bench/{uuid.uuid4().hex}.pdf"
    target = folder / "copy.pdf"
    seconds = [
        _median(lambda: store.put(key, source, content_type="application/pdf"), runs),
        _median(lambda: store.get(key), runs),
        _median(lambda: store.download(key, target), runs),
    ]
    return [size / 1e6 / s for s in seconds]


def _median(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    main()
