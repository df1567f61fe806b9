"""Which OCR model reads our documents best: Tesseract models and options, and a neural line reader.

Reads the same generated scans (``sohoa.synth``, fixed seed, mild / medium / hard) with each
candidate -- Debian's ``vie`` (tessdata_fast), tessdata_best ``vie`` from the npm package
``@tesseract.js-data/vie``, ``vie+eng``, the administrative user-words list, other page
segmentation modes -- through sohoa's own Tesseract wrapper (one TSV pass per page, text from
its lines, exactly as the OCR stage does) and prints CER, WER and seconds per page per level.

``--lines`` compares, line by line, Tesseract's reading with the neural CTC recognizer of the
``asterocr`` package run on the same line crops (ground-truth line boxes), overall and on the
lines Tesseract was least sure of. asterocr may live in another virtual environment: pass
its interpreter with ``--aster-python``.

    scripts/install-ocr-models.sh --bench          # unpack every candidate model first
    python benchmarks/ocr_models.py --per-level 15 --jobs 2 [--cleaned] [--lines] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from rapidfuzz.distance import Levenshtein

from sohoa import ocr_models
from sohoa.pipeline import tesseract
from sohoa.pipeline.ocr import text_lines

ROOT = Path(__file__).resolve().parent.parent
BENCH_TESSDATA = ROOT / "ocr_models" / "tessdata-bench"
RESULTS = ROOT / "benchmarks" / "results" / "ocr_models"
LEVELS = ("mild", "medium", "hard")


@dataclass(frozen=True, slots=True)
class PageCase:
    image: str
    level: str
    dpi: float
    text: str
    lines: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (text, box) in clean-page pixels
    skew: float = 0.0  # degrees the scan turned the content counter-clockwise
    scale: float = 1.0  # scan pixels per clean-page pixel


@dataclass
class Score:
    edits: int = 0
    chars: int = 0
    word_edits: int = 0
    words: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, reference: str, hypothesis: str, seconds: float = 0.0) -> None:
        ref, hyp = normalize(reference), normalize(hypothesis)
        self.edits += Levenshtein.distance(ref, hyp)
        self.chars += len(ref)
        self.word_edits += Levenshtein.distance(ref.split(), hyp.split())
        self.words += len(ref.split())
        self.seconds.append(seconds)

    def row(self) -> dict[str, float]:
        return {
            "cer": self.edits / max(1, self.chars),
            "wer": self.word_edits / max(1, self.words),
            "s_per_page": statistics.fmean(self.seconds) if self.seconds else 0.0,
            "n": len(self.seconds),
        }


def normalize(text: str) -> str:
    """NFC with all whitespace runs collapsed to one space, as CONTRACT strings are."""
    return " ".join(unicodedata.normalize("NFC", text).split())


# --- candidates ---------------------------------------------------------------------------


def candidates() -> dict[str, tesseract.TesseractConfig]:
    """Every configuration measured; names say model + options."""
    best = str(BENCH_TESSDATA / "4.0.0_best_int")
    legacy_pack = str(BENCH_TESSDATA / "4.0.0")
    words, patterns = str(ocr_models.user_words_path()), str(ocr_models.user_patterns_path())
    base = tesseract.TesseractConfig(lang="vie", psm=3)
    best_cfg = replace(base, tessdata_dir=best)
    return {
        "debian-vie": base,
        "best-vie": best_cfg,
        "pack400-vie": replace(base, tessdata_dir=legacy_pack),
        "debian-vie+eng": replace(base, lang="vie+eng"),
        "best-vie+eng": replace(best_cfg, lang="vie+eng"),
        "best-vie+words": replace(best_cfg, user_words=words, user_patterns=patterns),
        "best-vie+words-only": replace(
            best_cfg,
            user_words=words,
            user_patterns=patterns,
            variables=(("load_system_dawg", "0"), ("load_freq_dawg", "0")),
        ),
        "debian-vie+words": replace(base, user_words=words, user_patterns=patterns),
        "best-vie-psm4": replace(best_cfg, psm=4),
        "best-vie-psm6": replace(best_cfg, psm=6),
        "best-vie-pis": replace(best_cfg, variables=(("preserve_interword_spaces", "1"),)),
    }


# --- corpus -------------------------------------------------------------------------------


def synth_corpus(out_dir: Path, per_level: int, seed: int) -> list[PageCase]:
    """Generate (once) ``per_level`` pages of each scan level with one seed, and load them.

    Each level is its own corpus with the same seed, so the levels hold the same documents
    and differ only in how badly they were scanned. PDF and bitonal G4 files are left out:
    the model choice should not depend on a PDF renderer or a binarisation.
    """
    cases: list[PageCase] = []
    for level in LEVELS:
        folder = out_dir / level
        if not (folder / "ground_truth.jsonl").exists():
            from sohoa.synth.corpus import generate_corpus

            generate_corpus(
                folder,
                seed=seed,
                n_pages=per_level,
                levels=(level,),
                formats=("png", "jpeg", "tiff"),
            )
        cases += load_corpus(folder)
    return cases


def load_corpus(folder: Path) -> list[PageCase]:
    """Pages listed in ``ground_truth.jsonl``: synth's records (one per scanned file, pages
    inside; each page is written upright as PNG once) or flat page records with ``image``."""
    cases = []
    for raw in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        rec = json.loads(raw)
        if "image" in rec:
            cases.append(_flat_case(folder, rec))
            continue
        for page in rec["pages"]:
            if page["doc_type"] in ("separator", "blank") or not page["text"].strip():
                continue
            cases.append(_synth_case(folder, rec["file"], page))
    return cases


def _flat_case(folder: Path, rec: dict) -> PageCase:
    lines = tuple((ln["text"], tuple(ln["box"])) for ln in rec.get("lines", []))
    return PageCase(str(folder / rec["image"]), rec["level"], float(rec["dpi"]), rec["text"], lines)


def _synth_case(folder: Path, file: str, page: dict) -> PageCase:
    """Undo the scan's quarter turn (known, lossless) but not its skew: reading a skewed
    page is part of each model's job; finding which way is up belongs to the clean-up."""
    target = folder / "pages" / f"{Path(file).stem}-p{page['page']}.png"
    if not target.exists():
        target.parent.mkdir(exist_ok=True)
        with Image.open(folder / file) as img:
            img.seek(page["page"] - 1)
            arr = np.asarray(img.convert("RGB"))
        arr = np.rot90(arr, k=-(page["rotation"] // 90))
        cv2.imwrite(str(target), np.ascontiguousarray(arr[..., ::-1]))
    lines = tuple((ln["text"], tuple(ln["box"])) for ln in page["lines"] if ln["text"].strip())
    return PageCase(
        str(target),
        page["level"],
        float(page["dpi"]),
        page["text"],
        lines,
        skew=float(page["skew"]),
        scale=page["dpi"] / page["render_dpi"],
    )


def cleaned_corpus(cases: list[PageCase], out_dir: Path, jobs: int) -> list[PageCase]:
    """The same pages after ``sohoa.pipeline.preprocess.clean_page`` (what production reads)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(_clean_one, cases, [out_dir] * len(cases)))


def _clean_one(case: PageCase, out_dir: Path) -> PageCase:
    from sohoa.pipeline import preprocess

    target = out_dir / (Path(case.image).stem + ".png")
    image = cv2.imread(case.image, cv2.IMREAD_UNCHANGED)
    cleaned = preprocess.clean_page(image, case.dpi, preprocess.CleanOptions())
    cv2.imwrite(str(target), cleaned.image)
    return replace(case, image=str(target), dpi=cleaned.dpi, lines=())


# --- Tesseract runs -----------------------------------------------------------------------


def read_one(case: PageCase, config: tesseract.TesseractConfig) -> tuple[str, float, list]:
    """One page through sohoa's wrapper: (text, seconds, words)."""
    image = cv2.imread(case.image, cv2.IMREAD_UNCHANGED)
    started = time.perf_counter()
    words = tesseract.recognize(image, case.dpi, config)
    return "\n".join(text_lines(words)), time.perf_counter() - started, words


def _read_text(case: PageCase, config: tesseract.TesseractConfig) -> tuple[str, float]:
    text, seconds, _ = read_one(case, config)
    return text, seconds


def score_models(
    cases: list[PageCase], names: list[str], jobs: int
) -> dict[str, dict[str, dict[str, float]]]:
    """model -> level -> {cer, wer, s_per_page, n}."""
    configs = candidates()
    table: dict[str, dict[str, dict[str, float]]] = {}
    with ProcessPoolExecutor(jobs) as pool:
        for name in names:
            scores: dict[str, Score] = defaultdict(Score)
            results = pool.map(_read_text, cases, [configs[name]] * len(cases))
            for case, (text, seconds) in zip(cases, results, strict=True):
                scores[case.level].add(case.text, text, seconds)
                scores["all"].add(case.text, text, seconds)
            table[name] = {level: score.row() for level, score in scores.items()}
            print_row(name, table[name])
    return table


def print_row(name: str, row: dict[str, dict[str, float]]) -> None:
    cells = []
    for level in (*LEVELS, "all"):
        if level in row:
            r = row[level]
            cells.append(f"{100 * r['cer']:6.2f} {100 * r['wer']:6.2f} {r['s_per_page']:5.1f}")
        else:
            cells.append(" " * 19)
    print(f"{name:22s} | " + " | ".join(cells), flush=True)


def print_header(title: str) -> None:
    print(f"\n{title}")
    heads = " | ".join(f"{lvl + ' CER% WER% s/p':>19s}" for lvl in (*LEVELS, "all"))
    print(f"{'model':22s} | {heads}")


# --- neural second opinion on lines -------------------------------------------------------

_ASTER_SCRIPT = r"""
import json, sys
from pathlib import Path
import numpy as np
from PIL import Image
from asterocr import AsterOCR
ocr = AsterOCR(enable_telemetry=False)
MAX_ASPECT = 30  # the ONNX graph's positional encoding holds 256 steps = 1024 px at height 32

def read(img):
    w, h = img.size
    if w <= MAX_ASPECT * h:
        return ocr.predict(img)
    ink = (np.asarray(img.convert("L")) < 128).sum(axis=0)
    lo, hi = w // 3, 2 * w // 3
    cut = lo + int(np.argmin(np.convolve(ink[lo:hi], np.ones(max(3, h // 3)), "same")))
    return (read(img.crop((0, 0, cut, h))) + " " + read(img.crop((cut, 0, w, h)))).strip()

for path in sorted(Path(sys.argv[1]).glob("*.png")):
    text = read(Image.open(path).convert("RGB"))
    print(json.dumps({"crop": path.name, "text": text}, ensure_ascii=False))
"""


def deskewed(image: np.ndarray, skew: float) -> np.ndarray:
    """The scan turned back by its known skew, so clean-page boxes (scaled) fit it again."""
    if abs(skew) < 1e-3:
        return image
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -skew, 1.0)
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def line_crops(cases: list[PageCase], config: tesseract.TesseractConfig, crop_dir: Path) -> list:
    """Crop every ground-truth line (with a margin), read it with Tesseract (psm 7)."""
    records = []
    line_config = replace(config, psm=7)
    for page_no, case in enumerate(cases):
        image = deskewed(cv2.imread(case.image, cv2.IMREAD_COLOR), case.skew)
        height, width = image.shape[:2]
        for line_no, (text, box) in enumerate(case.lines):
            left, top, right, bottom = (round(v * case.scale) for v in box)
            pad = max(2, (bottom - top) // 4)
            crop = image[
                max(0, top - pad) : min(height, bottom + pad),
                max(0, left - pad) : min(width, right + pad),
            ]
            if crop.size == 0:
                continue
            name = f"{page_no:04d}-{line_no:03d}.png"
            cv2.imwrite(str(crop_dir / name), crop)
            words = tesseract.recognize(crop, case.dpi, line_config)
            conf = statistics.fmean(w.confidence for w in words) if words else 0.0
            reading = " ".join(w.text for w in words)
            records.append(
                {
                    "crop": name,
                    "level": case.level,
                    "truth": text,
                    "tesseract": reading,
                    "conf": conf,
                }
            )
    return records


def compare_lines(cases: list[PageCase], model: str, aster_python: str) -> dict[str, dict]:
    """Line CER of Tesseract vs asterocr on the same crops; also on Tesseract's weakest lines."""
    config = candidates()[model]
    with tempfile.TemporaryDirectory() as tmp:
        crop_dir = Path(tmp)
        started = time.perf_counter()
        records = line_crops(cases, config, crop_dir)
        tess_s = time.perf_counter() - started
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
        started = time.perf_counter()
        out = subprocess.run(
            [aster_python, "-c", _ASTER_SCRIPT, str(crop_dir)],
            capture_output=True,
            text=True,
            env=env,
        )
        if out.returncode:
            raise RuntimeError(f"asterocr failed: {out.stderr[-2000:]}")
        aster_s = time.perf_counter() - started
    aster = {r["crop"]: r["text"] for r in map(json.loads, out.stdout.splitlines())}
    summary: dict[str, dict] = {}
    groups: dict[str, list] = defaultdict(list)
    for rec in records:
        rec["aster"] = aster.get(rec["crop"], "")
        groups[rec["level"]].append(rec)
        groups["all"].append(rec)
        if rec["conf"] < 80:
            groups[f"{rec['level']} conf<80"].append(rec)
            groups["all conf<80"].append(rec)
    for group, recs in groups.items():
        tess, neural, best_of = Score(), Score(), Score()
        for rec in recs:
            tess.add(rec["truth"], rec["tesseract"])
            neural.add(rec["truth"], rec["aster"])
            pick = rec["aster"] if rec["conf"] < 80 else rec["tesseract"]
            best_of.add(rec["truth"], pick)
        summary[group] = {
            "lines": len(recs),
            "tesseract_cer": tess.row()["cer"],
            "aster_cer": neural.row()["cer"],
            "switch_below_80_cer": best_of.row()["cer"],
        }
    summary["_seconds_per_line"] = {
        "tesseract": tess_s / max(1, len(records)),
        "aster": aster_s / max(1, len(records)),
    }
    return summary


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, help="a folder with ground_truth.jsonl to read instead"
    )
    parser.add_argument("--per-level", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--models", default=",".join(candidates()))
    parser.add_argument("--cleaned-models", default="debian-vie,best-vie,best-vie+eng")
    parser.add_argument(
        "--cleaned", action="store_true", help="also read preprocess.clean_page output"
    )
    parser.add_argument("--lines", action="store_true", help="Tesseract vs asterocr on line crops")
    parser.add_argument("--line-model", default="best-vie")
    parser.add_argument("--aster-python", default=sys.executable)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    os.environ["OMP_THREAD_LIMIT"] = "1"  # inherited by the workers and their Tesseracts

    if args.corpus:
        cases = load_corpus(args.corpus)
    else:
        cases = synth_corpus(RESULTS / f"corpus-seed{args.seed}", args.per_level, args.seed)
    print(
        f"{len(cases)} pages: "
        + ", ".join(
            f"{lvl} {sum(c.level == lvl for c in cases)}"
            for lvl in sorted({c.level for c in cases})
        )
    )
    report: dict[str, object] = {"pages": len(cases)}

    print_header("plain pages")
    report["plain"] = score_models(cases, [m for m in args.models.split(",") if m], args.jobs)
    if args.cleaned:
        folder = (args.corpus or RESULTS / f"corpus-seed{args.seed}") / "cleaned"
        cleaned = cleaned_corpus(cases, folder, args.jobs)
        print_header("cleaned pages (preprocess.clean_page)")
        report["cleaned"] = score_models(cleaned, args.cleaned_models.split(","), args.jobs)
    if args.lines:
        summary = compare_lines(cases, args.line_model, args.aster_python)
        report["lines"] = summary
        print(f"\nline crops (ground-truth boxes), {args.line_model} psm 7 vs asterocr: CER %")
        for group, row in sorted(summary.items()):
            if group.startswith("_"):
                print(f"  seconds/line: {row}")
                continue
            print(
                f"  {group:18s} n={row['lines']:4d}  tesseract {100 * row['tesseract_cer']:6.2f}"
                f"  asterocr {100 * row['aster_cer']:6.2f}"
                f"  asterocr-if-conf<80 {100 * row['switch_below_80_cer']:6.2f}"
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
