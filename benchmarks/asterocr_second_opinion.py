"""asterocr as a second opinion inside the pipeline: re-read Tesseract's unsure lines.

For every page of the quality corpus (``benchmarks/ocr_quality.py --workdir W`` made it):
clean-up, one Tesseract pass, reading order, as ``sohoa extract``; then the lines whose mean
word confidence is below a threshold are cropped from the flattened grey page and read by
asterocr instead. Prints CER per level for no re-reading and thresholds 80, 90, all lines.
Needs ``asterocr`` in this environment (``.venv/bin/pip install asterocr``; the weights ship
in its wheel). Results in docs/ocr-models.md.

    .venv/bin/python benchmarks/asterocr_second_opinion.py [CORPUS_DIR]
"""

from __future__ import annotations

import os
import sys
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ocr_quality import cer, load_truth

_ocr = None


def read_file(path):
    global _ocr
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import cv2

    cv2.setNumThreads(1)
    from PIL import Image

    from sohoa.pipeline import intake, layout, preprocess, tesseract
    from sohoa.pipeline.settings import load_settings

    if _ocr is None:
        from asterocr import AsterOCR

        _ocr = AsterOCR(enable_telemetry=False)
    cfg = load_settings().ocr.tesseract
    out = {T: [] for T in ("base", 80, 90, 101)}
    for ref in intake.list_pages(path):
        lp = intake.load_page(ref)
        c = preprocess.clean_page(lp.image, lp.dpi)
        if c.blank:
            continue
        g = preprocess.clean_page(lp.image, lp.dpi, preprocess.CleanOptions(binarize=False)).image
        words = layout.split_columns(tesseract.recognize(c.image, c.dpi, cfg), c.dpi)
        groups = {}
        for w in words:
            groups.setdefault((w.block, w.paragraph, w.line), []).append(w)
        lines = []
        for ws in groups.values():
            text = " ".join(w.text for w in ws)
            conf = sum(w.confidence * len(w.text) for w in ws) / max(
                1, sum(len(w.text) for w in ws)
            )
            x0 = min(w.left for w in ws)
            y0 = min(w.top for w in ws)
            x1 = max(w.left + w.width for w in ws)
            y1 = max(w.top + w.height for w in ws)
            pad = max(2, (y1 - y0) // 4)
            crop = g[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
            lines.append((text, conf, crop))
        for T in out:
            page = []
            for text, conf, crop in lines:
                if T != "base" and conf < T and crop.size and len(text) >= 2:
                    try:
                        alt = _read(_ocr, Image.fromarray(crop).convert("RGB"))
                    except Exception:
                        alt = text
                    page.append(alt or text)
                else:
                    page.append(text)
            out[T].append("\n".join(page))
    return path, {str(T): "\n".join(v) for T, v in out.items()}


def _read(ocr, img):
    w, h = img.size
    if w <= 30 * h:
        return ocr.predict(img)
    cut = w // 2
    return (
        _read(ocr, img.crop((0, 0, cut, h))) + " " + _read(ocr, img.crop((cut, 0, w, h)))
    ).strip()


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/quality/corpus")
    truth = load_truth(root)
    names = sorted(truth)
    with get_context("spawn").Pool(2) as pool:
        res = dict(pool.map(read_file, [str(root / n) for n in names]))
    for T in ("base", "80", "90", "101"):
        by = {}
        for n in names:
            by.setdefault(truth[n].level, []).append(cer(truth[n].text, res[str(root / n)][T]))
        allc = [c for v in by.values() for c in v]
        print(
            T,
            {k: round(100 * sum(v) / len(v), 2) for k, v in sorted(by.items())},
            "all",
            round(100 * sum(allc) / len(allc), 2),
            flush=True,
        )
