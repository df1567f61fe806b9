"""PAdES signatures per second: B-B and B-LTA, 1-page and 20-page archive PDFs, RSA-2048 and
ECDSA P-256, against the offline test PKI served over HTTP on this machine.

The documents are archive copies of scan-sized pages (a 300-dpi A4 JPEG of about 400 KB
each, noise that compresses as a scan does), so the signer hashes what it would in
production. "stamped": with the visible stamp the pipeline puts on the last page. B-LTA
includes the round trips to the local timestamp authority (twice: the signature's
timestamp and the document timestamp) and to the OCSP responder and CRLs; a real TSA over
a network adds its own latency. One process; each case signed ``--runs`` times after one
warm-up signature.

    python benchmarks/signing.py [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image

from sohoa.signing.pades import sign
from sohoa.signing.stamp import Stamp
from sohoa.signing.testpki import serve_test_pki

PAGE_PIXELS = (2480, 3508)  # A4 at 300 dpi
STAMP_BOX = (340.0, 12.0, 580.0, 78.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sohoa-signing-") as tmp:
        folder = Path(tmp)
        documents = {pages: _document(folder / f"doc-{pages}.pdf", pages) for pages in (1, 20)}
        print("| key | level | pages | MB | signatures/s | ms a signature | ms a page |")
        print("|---|---|---|---|---|---|---|")
        for algorithm in ("rsa", "ecdsa"):
            with serve_test_pki(folder / algorithm, algorithm) as pki:
                root = pki.root_pem(folder / algorithm)
                for level, stamped in (("B-B", False), ("B-B", True), ("B-LTA", False)):
                    for pages, document in documents.items():
                        out = folder / "out.pdf"
                        seconds = _time(pki, root, level, stamped, document, out, args.runs)
                        size = document.stat().st_size / 1e6
                        name = f"{level}, stamped" if stamped else level
                        print(
                            f"| {'RSA-2048' if algorithm == 'rsa' else 'ECDSA P-256'} | {name}"
                            f" | {pages} | {size:.1f} | {1 / seconds:.1f} | {1000 * seconds:.0f}"
                            f" | {1000 * seconds / pages:.1f} |"
                        )


def _time(
    pki, root: Path, level: str, stamped: bool, document: Path, out: Path, runs: int
) -> float:
    signer = pki.signer()
    options = {"level": level, "tsa_url": pki.tsa_url if level != "B-B" else None}
    if stamped:  # as the pipeline stamps: Vietnamese text and a QR code, on the last page
        url = "https://sohoa.example/verify/0a1b2c3d"
        options["stamp"] = Stamp("Nguyễn Văn Bình", "UBND phường Hàng Bạc", url, STAMP_BOX)
    sign(document, out, signer, trust_roots=[root], **options)  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        sign(document, out, signer, trust_roots=[root], **options)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _document(path: Path, pages: int) -> Path:
    """``pages`` A4 pages, each a 300-dpi JPEG of scan-like noise, as an archive has."""
    rng = np.random.default_rng(7)
    pdf = pikepdf.new()
    for _ in range(pages):
        grain = rng.normal(235, 14, (PAGE_PIXELS[1] // 8, PAGE_PIXELS[0] // 8, 3))
        paper = np.clip(np.kron(grain, np.ones((8, 8, 1))), 0, 255).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(paper).save(buffer, format="JPEG", quality=75)
        page = pdf.add_blank_page(page_size=(595.3, 841.9))
        image = pikepdf.Stream(
            pdf,
            buffer.getvalue(),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=PAGE_PIXELS[0],
            Height=PAGE_PIXELS[1],
            ColorSpace=pikepdf.Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 595.3 0 0 841.9 0 0 cm /Im0 Do Q")
    pdf.save(path)
    return path


if __name__ == "__main__":
    main()
