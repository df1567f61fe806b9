"""OCR quality and speed: plain Tesseract vs OCRmyPDF vs sohoa, side by side in one run.

Generates a corpus of single-page scans (mild / medium / hard) with ground truth, then reads
every page with

  (a) ``tesseract IMAGE - -l vie`` on the raw scan,
  (b) ``ocrmypdf -l vie --rotate-pages --deskew --clean --sidecar`` (unpaper from Debian),
  (c) sohoa's extract stage (clean-up + one Tesseract pass per page with the LSTM's
      character choices, then the second look at unsure numbers,
      ``sohoa.pipeline.reread``), and the same without the second look, and without the
      character choices,

each with the same number of worker processes and ``OMP_THREAD_LIMIT=1``, and prints the
character and word error rates per level, pages per second and peak memory per worker.
A last row reads one 600-dpi colour A4 page in a fresh process and reports its peak memory.

    python benchmarks/ocr_quality.py --pages 60 --jobs 2 [--json results.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import img2pdf
from PIL import Image
from rapidfuzz.distance import Levenshtein

from sohoa import ocr_models
from sohoa.pipeline.extract import Document, extract
from sohoa.pipeline.models import PageText
from sohoa.pipeline.settings import load_settings
from sohoa.synth import generate_corpus

LEVELS = ("mild", "medium", "hard")


@dataclass
class ToolRun:
    name: str
    texts: dict[str, str] = field(default_factory=dict)  # file name -> text read
    seconds: float = 0.0
    peak_worker_mb: float = 0.0


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize(reference), normalize(hypothesis)
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize(reference).split(), normalize(hypothesis).split()
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def any_order_wer(reference: str, hypothesis: str) -> float:
    """Word error that ignores reading order: words missing or extra, as multisets.

    CER and WER charge a reading-order choice (two columns read across rather than down)
    as if every word were wrong; this says how many words were actually misread."""
    ref, hyp = Counter(normalize(reference).split()), Counter(normalize(hypothesis).split())
    missing, extra = sum((ref - hyp).values()), sum((hyp - ref).values())
    return max(missing, extra) / max(1, sum(ref.values()))


def run_measured(argv: list[str], capture: bool = True) -> tuple[str, float]:
    """Run a program; return its stdout and the peak RSS (MiB) of it and its children."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    out, _ = proc.communicate()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (out or b"").decode("utf-8", "replace"), usage.ru_maxrss / 1024


def _plain_tesseract(path: str) -> tuple[str, str, float]:
    text, peak = run_measured(["tesseract", path, "-", "-l", "vie"])
    return path, text, peak


def _plain_tesseract_chosen_model(path: str) -> tuple[str, str, float]:
    """Plain Tesseract on the raw scan with sohoa's model(s): separates model from clean-up."""
    argv = ["tesseract", path, "-", "-l", ocr_models.default_lang()]
    if (tessdata := ocr_models.tessdata_dir()) is not None:
        argv[3:3] = ["--tessdata-dir", str(tessdata)]
    text, peak = run_measured(argv)
    return path, text, peak


def _ocrmypdf(path: str) -> tuple[str, str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        sidecar, pdf = Path(tmp) / "out.txt", Path(tmp) / "out.pdf"
        if _is_multi_page_tiff(path):  # OCRmyPDF takes one image per file; it says use img2pdf
            wrapped = Path(tmp) / "in.pdf"
            wrapped.write_bytes(img2pdf.convert(path))
            path_in = str(wrapped)
        else:
            path_in = path
        argv = [
            "ocrmypdf",
            "-q",
            "-l",
            "vie",
            "--rotate-pages",
            "--deskew",
            "--clean",
            "--jobs",
            "1",
            "--sidecar",
            str(sidecar),
            path_in,
            str(pdf),
        ]
        _, peak = run_measured(argv, capture=False)
        text = sidecar.read_text("utf-8") if sidecar.exists() else ""
    return path, text, peak


def _is_multi_page_tiff(path: str) -> bool:
    with Image.open(path) as image:
        return getattr(image, "n_frames", 1) > 1


def run_external(
    name: str, worker: Callable[[str], tuple[str, str, float]], files: list[Path], jobs: int
) -> ToolRun:
    run = ToolRun(name)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path, text, peak in pool.map(worker, [str(f) for f in files]):
            run.texts[Path(path).name] = text
            run.peak_worker_mb = max(run.peak_worker_mb, peak)
    run.seconds = time.perf_counter() - started
    return run


def run_sohoa(
    files: list[Path], jobs: int, second_look: bool = True, choices: bool = True
) -> ToolRun:
    off = [] if second_look else ["SOHOA_SECOND_LOOK=0"]
    off += [] if choices else ["SOHOA_OCR_CHOICES=0"]
    run = ToolRun(", ".join(["sohoa extract", *off]))
    ocr = load_settings().ocr
    settings = dataclasses.replace(
        ocr,
        second_look=second_look,
        tesseract=dataclasses.replace(ocr.tesseract, choices=choices),
    )
    peaks: list[float] = []

    def on_page(outcome: object) -> None:
        if isinstance(outcome, PageText):
            peaks.append(outcome.peak_rss_mb)

    started = time.perf_counter()
    for outcome in extract(files, settings, jobs=jobs, on_page=on_page):
        if isinstance(outcome, Document):
            run.texts[Path(outcome.source).name] = outcome.text
    run.seconds = time.perf_counter() - started
    run.peak_worker_mb = max(peaks, default=0.0)
    return run


def _tree_memory_kib(pid: int) -> int:
    """Memory of a process and all its descendants now, from /proc, in KiB: the sum of
    their proportional set sizes (PSS: a page shared by n processes counts 1/n in each).
    Not their RSS: a child forked to run a program (Tesseract, jpegtran) shares all its
    parent's pages until it execs, and the sum of RSS counted them twice (a 1,180 MiB
    "peak" of a 520-page batch whose processes never held more than 960 MiB)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue  # it ended between two reads
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
        stack += [int(child) for child in children]
    return total


def sampled_peak_mib(argv: list[str], interval_s: float = 0.01) -> float:
    """Run a command; return the peak of its process tree's summed memory (PSS, MiB).

    Sampled, not from getrusage: a child's ru_maxrss keeps the RSS it had when forked from
    a large parent (before exec), and a worker plus its Tesseract are two processes alive
    at once, whose peaks add up."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_memory_kib(proc.pid))
        time.sleep(interval_s)
    if proc.returncode:
        raise RuntimeError(f"{argv[0]} failed: {proc.stderr.read().decode()[-500:]}")
    return peak / 1024


def peak_memory_600dpi(workdir: Path) -> float:
    """Peak MiB of one fresh ``sohoa extract`` (Python and its Tesseract together) reading
    a 600-dpi colour A4 scan."""
    page_dir = workdir / "600dpi"
    generate_corpus(
        page_dir,
        seed=600,
        per_type={"birth_certificate": 1},
        levels=("mild",),
        dpi=600,
        formats=("png",),
    )
    files = sorted(p for p in page_dir.iterdir() if p.suffix == ".png")
    sohoa = Path(sys.executable).with_name("sohoa")
    return sampled_peak_mib([str(sohoa), "extract", "--jobs", "1", *map(str, files)])


@dataclass(frozen=True)
class Truth:
    level: str
    text: str  # all pages of the file, in order
    pages: int


def load_truth(corpus: Path) -> dict[str, Truth]:
    """File name -> its scan level, ground-truth text and page count."""
    truth = {}
    for line in (corpus / "ground_truth.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        text = "\n".join(page["text"] for page in record["pages"])
        truth[record["file"]] = Truth(record["level"], text, len(record["pages"]))
    return truth


def report(truth: dict[str, Truth], runs: list[ToolRun], mem600: float | None) -> dict:
    rows = {}
    pages = sum(t.pages for t in truth.values())
    print(f"\n{len(truth)} files, {pages} pages; CER / WER in %, mean over files\n")
    header = "| tool | " + " | ".join(f"CER {lv}" for lv in LEVELS)
    print(header + " | CER all | WER all | WER any order | pages/s | peak MiB/worker |")
    print("|---" * (len(LEVELS) + 6) + "|")
    for run in runs:
        by_level: dict[str, list[float]] = defaultdict(list)
        wers, bag = [], []
        for name, t in truth.items():
            hyp = run.texts.get(name, "")
            by_level[t.level].append(cer(t.text, hyp))
            wers.append(wer(t.text, hyp))
            bag.append(any_order_wer(t.text, hyp))
        all_cer = [c for values in by_level.values() for c in values]
        row = {
            **{f"cer_{lv}": 100 * statistics.mean(by_level[lv]) for lv in LEVELS if by_level[lv]},
            "cer_all": 100 * statistics.mean(all_cer),
            "wer_all": 100 * statistics.mean(wers),
            "wer_any_order": 100 * statistics.mean(bag),
            "pages_per_s": pages / run.seconds,
            "peak_worker_mb": run.peak_worker_mb,
        }
        rows[run.name] = row
        cells = [f"{row.get(f'cer_{lv}', float('nan')):.2f}" for lv in LEVELS]
        print(
            f"| {run.name} | "
            + " | ".join(cells)
            + f" | {row['cer_all']:.2f} | {row['wer_all']:.2f} | {row['wer_any_order']:.2f}"
            f" | {row['pages_per_s']:.3f}"
            f" | {row['peak_worker_mb']:.0f} |"
        )
    if mem600 is not None:
        print(f"\nsohoa, one 600-dpi colour A4 page in a fresh process: peak {mem600:.0f} MiB")
        rows["sohoa_600dpi_peak_mb"] = mem600
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60, help="pages, spread over the levels")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    parser.add_argument(
        "--report-only", action="store_true", help="recompute the table from WORKDIR/runs.json"
    )
    args = parser.parse_args()
    if args.report_only:
        saved = json.loads((args.workdir / "runs.json").read_text("utf-8"))
        runs = [ToolRun(**run) for run in saved["runs"]]
        rows = report(load_truth(args.workdir / "corpus"), runs, saved.get("mem600"))
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2))
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    corpus = workdir / "corpus"
    if not (corpus / "ground_truth.jsonl").exists():
        generate_corpus(
            corpus,
            seed=args.seed,
            n_pages=args.pages,
            levels=LEVELS,
            formats=("png", "jpeg", "tiff"),
            multi_doc_rate=0.0,  # one document per file: its text is the file's text
            blank_rate=0.0,
        )
    truth = load_truth(corpus)
    files = [corpus / name for name in truth]
    print(f"corpus: {corpus} ({len(files)} pages), jobs={args.jobs}", file=sys.stderr)

    runs = [run_external("tesseract (plain, Debian vie)", _plain_tesseract, files, args.jobs)]
    if ocr_models.tessdata_dir() is not None:
        runs.append(
            run_external(
                "tesseract (plain, sohoa model)", _plain_tesseract_chosen_model, files, args.jobs
            )
        )
    if not args.skip_ocrmypdf and shutil.which("ocrmypdf"):
        runs.append(run_external("ocrmypdf --clean --deskew", _ocrmypdf, files, args.jobs))
    runs.append(run_sohoa(files, args.jobs, second_look=False))
    runs.append(run_sohoa(files, args.jobs, choices=False))
    runs.append(run_sohoa(files, args.jobs))
    mem600 = peak_memory_600dpi(workdir)
    saved = {"runs": [dataclasses.asdict(run) for run in runs], "mem600": mem600}
    (workdir / "runs.json").write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    rows = report(truth, runs, mem600)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
