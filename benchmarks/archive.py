"""The archive PDF against OCRmyPDF's PDF/A of the same scans: bytes, fidelity, time.

Generates scans (``sohoa.synth``, every document type, mild / medium / hard, the formats
scanners write: JPEG, PNG, TIFF incl. G4, scanned PDF), reads each page once with sohoa's
page stage (timed: the OCR time the archive is measured against), builds sohoa's archive
PDF/A from those words (timed: the page worker's encoding of the scan, made while it is
decoded, ``OcrSettings.archive_images``, and the build), signs it as ``sohoa process``
will (ECDSA B-B by the development CA, a visible stamp with its QR code; timed), and runs
``ocrmypdf --output-type pdfa --optimize 1 -l vie`` on the same file. For every page it
takes the SSIM of the image each PDF stores against the scan as sohoa loaded it (grey).
Prints bytes per page, SSIM and milliseconds per page, per scan format, side by side.

    python benchmarks/archive.py --per-type 3 --seed 2060 [--workdir DIR] [--skip-ocrmypdf]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pikepdf

from sohoa.pipeline import intake
from sohoa.pipeline.archive import (
    MAX_DPI,
    ArchiveInfo,
    build_archive,
    pdfa_problems,
    word_boxes,
)
from sohoa.pipeline.models import PageText
from sohoa.pipeline.ocr import read_page
from sohoa.pipeline.settings import load_settings
from sohoa.signing.devca import development_signer
from sohoa.signing.pades import load_signer, sign
from sohoa.signing.stamp import Stamp, free_box
from sohoa.synth import evaluation_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2060)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sohoa-archive-"))
    records = evaluation_corpus(workdir / "corpus", seed=args.seed, per_type=args.per_type)
    ocrmypdf = not args.skip_ocrmypdf and shutil.which("ocrmypdf") is not None
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    development = development_signer(workdir / "home")
    signer = load_signer(development.pkcs12, development.passphrase)
    _warm_up(signer, workdir / "warm-up")
    for record in records:
        path = workdir / "corpus" / record["file"]
        row = _measure(path, workdir / "out", ocrmypdf, signer)
        rows[_format(path, record)].append(row)
        rows["all"].append(row)
    _print(rows, ocrmypdf)


SIGNER, OFFICE = "sohoa TEST signer", "Bộ phận một cửa"


def _warm_up(signer: object, folder: Path) -> None:
    """One signature of a blank page before the timed ones: what a signing process does
    once (the stamp's font cut for its signer and office, the room its signatures need,
    pyHanko's imports) is not a page's cost in a batch of thousands."""
    folder.mkdir(parents=True, exist_ok=True)
    blank = pikepdf.new()
    blank.add_blank_page()
    blank.save(folder / "blank.pdf")
    stamp = Stamp(SIGNER, OFFICE, "http://127.0.0.1:8000/verify/warm-up", (300, 50, 540, 116))
    sign(folder / "blank.pdf", folder / "signed.pdf", signer, stamp=stamp)  # type: ignore[arg-type]


def _format(path: Path, record: dict) -> str:
    kind = intake.sniff(str(path)).value
    return f"{kind} ({record['format']})" if record.get("format") else kind


def _measure(path: Path, out_dir: Path, ocrmypdf: bool, signer: object) -> dict[str, float]:
    settings = replace(load_settings().ocr, archive_images=True)
    refs = intake.list_pages(str(path))
    started = time.perf_counter()
    pages = [page for ref in refs for page in read_page(ref, settings)]
    # the page worker's encoding of the scan is the archive's, not the OCR's, time
    encoding_seconds = sum(page.timings.get("archive_image", 0.0) for page in pages)
    ocr_seconds = time.perf_counter() - started - encoding_seconds
    ours = out_dir / f"{path.stem}.sohoa.pdf"
    started = time.perf_counter()
    build_archive(pages, ArchiveInfo(path.stem, "benchmark"), ours)
    build_seconds = time.perf_counter() - started + encoding_seconds
    if problems := pdfa_problems(ours):
        print(f"{path.name}: {problems}", file=sys.stderr)
    signed = out_dir / f"{path.stem}.signed.pdf"
    started = time.perf_counter()
    url = f"http://127.0.0.1:8000/verify/{path.stem}"
    box = free_box(*word_boxes(pages[-1]))  # where the OCR found no word
    stamp = Stamp(SIGNER, OFFICE, url, box)
    sign(ours, signed, signer, stamp=stamp)  # type: ignore[arg-type]
    sign_seconds = time.perf_counter() - started
    scans = [intake.load_page(ref).image for ref in refs]
    row = {
        "pages": len(pages),
        "ocr_ms": 1000 * ocr_seconds / len(pages),
        "build_ms": 1000 * build_seconds / len(pages),
        "sign_ms": 1000 * sign_seconds / len(pages),
        "bytes": ours.stat().st_size / len(pages),
        "ssim": min(_ssim_pdf(ours, scans, [p.dpi for p in pages])),
    }
    if ocrmypdf:
        theirs = out_dir / f"{path.stem}.ocrmypdf.pdf"
        started = time.perf_counter()
        done = _run_ocrmypdf(path, theirs)
        row["ocrmypdf_ms"] = 1000 * (time.perf_counter() - started) / len(pages)
        if done:
            row["ocrmypdf_bytes"] = theirs.stat().st_size / len(pages)
            their_ssims = _ssim_pdf(theirs, scans, [p.dpi for p in pages])
            row["ocrmypdf_ssim"] = min(their_ssims)
            row["matched_bytes"] = _bytes_at(ours, pages, scans, their_ssims) / len(pages)
    return row


def _bytes_at(
    ours: Path, pages: list[PageText], scans: list[np.ndarray], targets: list[float]
) -> float:
    """sohoa's file at OCRmyPDF's fidelity: each page JPEG re-encoded at the lowest quality
    whose SSIM reaches that of OCRmyPDF's page (the same encoder sohoa uses), in place of
    the image sohoa stored; pages stored losslessly (a JPEG file's own data, G4) stay."""
    total = float(ours.stat().st_size)
    for page, scan, target in zip(pages, scans, targets, strict=True):
        stored = page.archive_image or b""
        if not stored.startswith(b"\xff\xd8") or _lossless(stored, scan, page.dpi):
            continue  # G4, or a JPEG's own data passed through: lossless against the scan
        image = scan
        if page.dpi > MAX_DPI:
            factor = MAX_DPI / page.dpi
            image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        low, high = 10, 100
        while low < high:  # the lowest quality that reaches the target
            middle = (low + high) // 2
            if ssim(grey, _decoded(_jpeg(image, middle))) >= target:
                high = middle
            else:
                low = middle + 1
        total += len(_jpeg(image, low)) - len(stored)
    return total


def _lossless(stored: bytes, scan: np.ndarray, dpi: float) -> bool:
    """The stored JPEG is the scan's own data (a JPEG file's, a scanned PDF's)."""
    if dpi > MAX_DPI:
        return False
    decoded = cv2.imdecode(np.frombuffer(stored, np.uint8), cv2.IMREAD_UNCHANGED)
    return decoded is not None and decoded.shape == scan.shape and np.array_equal(decoded, scan)


def _jpeg(image: np.ndarray, quality: int) -> bytes:
    params = [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1]
    return cv2.imencode(".jpg", image, params)[1].tobytes()


def _decoded(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)


def _run_ocrmypdf(path: Path, out: Path) -> bool:
    argv = ["ocrmypdf", "-q", "-l", "vie", "--output-type", "pdfa", "--optimize", "1"]
    argv += ["--rotate-pages", "--jobs", "1", str(path), str(out)]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:  # a multi-page TIFF: OCRmyPDF asks for img2pdf first
        print(f"ocrmypdf {path.name}: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    return done.returncode == 0


def _ssim_pdf(pdf_path: Path, scans: list[np.ndarray], dpis: list[float]) -> list[float]:
    """SSIM of each page's stored image (the largest on the page, decoded by pikepdf)
    against the scan as sohoa loaded it, the scan brought to the stored image's size: the
    fidelity of what is kept, apart from any viewer's resampling."""
    scores = []
    with pikepdf.open(pdf_path) as pdf:
        for page, scan in zip(pdf.pages, scans, strict=True):
            stored = _largest_image(page)
            grey = scan if scan.ndim == 2 else cv2.cvtColor(scan, cv2.COLOR_BGR2GRAY)
            if stored.shape != grey.shape:
                stored = _unturned(stored, grey.shape)
            if stored.shape != grey.shape:  # stored smaller (a finer scan reduced)
                grey = cv2.resize(grey, stored.shape[::-1], interpolation=cv2.INTER_AREA)
            scores.append(ssim(grey, stored))
    return scores


def _largest_image(page: pikepdf.Page) -> np.ndarray:
    images = [pikepdf.PdfImage(x) for x in page.get_images().values()]
    best = max(images, key=lambda i: i.width * i.height)
    return np.asarray(best.as_pil_image().convert("L"))


def _unturned(stored: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    for turns in (1, 2, 3):
        candidate = np.rot90(stored, turns)
        if candidate.shape == shape:
            return candidate
    return stored


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean structural similarity of two grey images (Wang et al. 2004, Gaussian 11x11,
    sigma 1.5, K1 0.01, K2 0.03, L 255)."""
    x, y = a.astype(np.float64), b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(image: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(image, (11, 11), 1.5)

    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    index = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(index.mean())


def _print(rows: dict[str, list[dict[str, float]]], ocrmypdf: bool) -> None:
    print(
        "| scans | files | pages | KB/page sohoa | KB/page OCRmyPDF | SSIM min sohoa |"
        " SSIM min OCRmyPDF | KB/page sohoa at OCRmyPDF's SSIM | OCR ms/page |"
        " archive ms/page | sign ms/page | (archive + sign) / OCR |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for group in sorted(rows, key=lambda g: (g == "all", g)):
        items = rows[group]
        pages = sum(r["pages"] for r in items)

        def per_page(key: str, items: list[dict[str, float]] = items, pages: int = pages) -> float:
            return sum(r[key] * r["pages"] for r in items if key in r) / pages

        theirs = [r for r in items if "ocrmypdf_bytes" in r]
        their_pages = sum(r["pages"] for r in theirs)
        their_bytes = sum(r["ocrmypdf_bytes"] * r["pages"] for r in theirs)
        their_kb = f"{their_bytes / their_pages / 1024:.0f}" if theirs else "-"
        their_ssim = f"{min(r['ocrmypdf_ssim'] for r in theirs):.3f}" if theirs else "-"
        matched = sum(r["matched_bytes"] * r["pages"] for r in theirs)
        matched_kb = f"{matched / their_pages / 1024:.0f}" if theirs else "-"
        ocr, build, signing = per_page("ocr_ms"), per_page("build_ms"), per_page("sign_ms")
        print(
            f"| {group} | {len(items)} | {pages} | {per_page('bytes') / 1024:.0f} | {their_kb} |"
            f" {min(r['ssim'] for r in items):.3f} | {their_ssim} | {matched_kb} |"
            f" {ocr:.0f} | {build:.0f} |"
            f" {signing:.0f} | {100 * (build + signing) / ocr:.1f} % |"
        )
    if ocrmypdf:
        times = [r["ocrmypdf_ms"] for r in rows["all"] if "ocrmypdf_ms" in r]
        print(f"\nOCRmyPDF (its own OCR included): {statistics.mean(times):.0f} ms a page")


if __name__ == "__main__":
    main()
