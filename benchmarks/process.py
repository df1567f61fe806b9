"""``sohoa process`` end to end against plain Tesseract and OCRmyPDF (issue #6).

Generates a scanner batch of about ``--pages`` pages (``sohoa.synth``: dossiers behind
separator sheets, 3-4 documents each, mild scanner damage, fixed seed), then runs, side
by side in one run and with the same number of processes (``--jobs``, each Tesseract on
one thread: ``OMP_THREAD_LIMIT=1``):

- plain Tesseract: ``tesseract IMAGE - -l LANG`` on every page's image (taken out of the
  PDF with ``pdfimages``, not timed), ``--jobs`` at once (``xargs -P``), the same model
  sohoa reads with -- the OCR alone, nothing cleaned, cut, signed or stored;
- OCRmyPDF: ``ocrmypdf --output-type pdfa --jobs N -l LANG`` on the batch PDF (a PDF/A
  with a text layer; no document cut, extracted, signed or stored);
- ``sohoa process --jobs N`` into a fresh ``SOHOA_HOME``: clean-up, OCR, separators and
  documents, fields, PDF/A, PAdES signature, local store and SQLite catalog;
- ``sohoa process`` again on a batch of a quarter of the pages: its peak memory beside
  the full batch's says whether memory grows with the batch;
- with ``--large N``: ``sohoa process`` on a batch of about N pages too (500: the issue's
  memory bound);
- with ``--kills N``: ``sohoa process`` into another fresh home, ``kill -9`` of its process
  group at N random moments (fixed seed) of the runs that resume it, then a last run to
  the end; its documents are compared with the uninterrupted run's: lost, duplicated
  (catalogued more than once), and IDs that differ.

Prints a markdown table: pages, seconds, pages/s, the ratio to plain Tesseract, and the
peak of each command's process tree's summed memory (proportional set sizes, sampled from
/proc: ``ocr_quality.sampled_peak_mib``); then
where sohoa's time went (its report's ``seconds``: how busy the workers were) and the
kill-and-resume outcome.

    python benchmarks/process.py --pages 200 --jobs 2 --kills 10 --workdir /tmp/process-bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ocr_quality import sampled_peak_mib

from sohoa import ocr_models
from sohoa.synth.corpus import generate_batch

SOHOA = str(Path(sys.executable).with_name("sohoa"))
#: documents a dossier; with its separator about 4.5 pages a dossier
DOCS_PER_DOSSIER = (3, 4)


def make_batch(path: Path, pages: int, seed: int) -> int:
    """A batch of about ``pages`` pages at ``path``; how many it has."""
    if not path.exists():
        generate_batch(
            path,
            seed=seed,
            n_dossiers=max(1, round(pages / 4.5)),
            docs_per_dossier=DOCS_PER_DOSSIER,
        )
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(
        next(line.split()[-1] for line in out.stdout.splitlines() if line.startswith("Pages:"))
    )


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak MiB of the process tree) of one command."""
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        started = time.perf_counter()
        peak = sampled_peak_mib(argv, interval_s=0.05)
        return time.perf_counter() - started, peak
    finally:
        os.environ.clear()
        os.environ.update(saved)


def plain_tesseract(batch: Path, workdir: Path, jobs: int) -> tuple[float, float]:
    images = workdir / "images"
    shutil.rmtree(images, ignore_errors=True)
    images.mkdir()
    subprocess.run(["pdfimages", "-all", str(batch), str(images / "p")], check=True)
    tessdata = ocr_models.tessdata_dir()
    options = f"--tessdata-dir {tessdata} " if tessdata else ""
    script = (
        f"ls {images}/* | xargs -P {jobs} -I{{}} "
        f"sh -c 'tesseract {{}} - {options}-l {ocr_models.default_lang()} > /dev/null 2>&1'"
    )
    return timed(["sh", "-c", script])


def ocrmypdf(batch: Path, workdir: Path, jobs: int) -> tuple[float, float]:
    tessdata = ocr_models.tessdata_dir()
    env = {"TESSDATA_PREFIX": str(tessdata)} if tessdata else {}
    argv = [
        "ocrmypdf",
        "--output-type",
        "pdfa",
        "--jobs",
        str(jobs),
        "-l",
        ocr_models.default_lang(),
        "--quiet",
        str(batch),
        str(workdir / "ocrmypdf.pdf"),
    ]
    return timed(argv, env)


def sohoa_process(batch: Path, home: Path, jobs: int) -> tuple[float, float]:
    """A fresh home; its report at ``home``/report.json."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    report = str(home / "report.json")
    argv = [SOHOA, "process", str(batch), "--jobs", str(jobs), "--report", report]
    return timed(argv, {"SOHOA_HOME": str(home)})


def where_time_went(home: Path, jobs: int) -> str:
    seconds = json.loads((home / "report.json").read_text())["seconds"]
    wall, pages, documents = seconds["wall"], seconds["page_stage"], seconds["document_stage"]
    return (
        f"sohoa process: {wall:.1f} s wall; page stage {pages:.1f} s over {jobs} workers "
        f"({pages / (jobs * wall):.0%} busy); per-document stages {documents:.1f} s in the "
        "main process, beside them"
    )


def kill_and_resume(
    batch: Path, workdir: Path, jobs: int, kills: int, took: float, reference: Path
) -> str:
    """kill -9 at ``kills`` random moments, resume to the end, compare with ``reference``
    (the uninterrupted run's home)."""
    home = workdir / "home-killed"
    shutil.rmtree(home, ignore_errors=True)
    env = dict(os.environ, SOHOA_HOME=str(home))
    argv = [SOHOA, "process", str(batch), "--jobs", str(jobs)]
    rng = random.Random(kills)
    started = time.perf_counter()
    killed = 0  # runs killed, not ended by themselves first
    for _ in range(kills):
        run = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            # about took / kills apart on average: the kills fall all through the batch
            run.wait(timeout=rng.uniform(1.0, 2 * took / kills))
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
            killed += 1
    report_file = home / "report.json"
    subprocess.run([*argv, "--report", str(report_file)], env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    scrub = subprocess.run([SOHOA, "scrub", "--json"], env=env, capture_output=True, text=True)
    catalogued = json.loads(scrub.stdout)["checked"]

    report = json.loads(report_file.read_text())
    mine = _documents(report)
    theirs = _documents(json.loads((reference / "report.json").read_text()))
    lost = len(set(theirs) - set(mine))
    other = sum(1 for key in mine if key in theirs and mine[key] != theirs[key])
    return (
        f"{kills} runs, {killed} of them killed, then one to the end ({seconds:.0f} s in all): "
        f"{len(mine)} documents ({len(theirs)} uninterrupted), {lost} lost, "
        f"{catalogued - report['stored']} duplicated in the catalog, {other} different, "
        f"{len(set(mine) - set(theirs))} IDs the uninterrupted run does not have"
    )


def _documents(report: dict) -> dict[str, tuple]:
    """A batch report's documents, stored and set aside: ID -> (dossier, type, pages)."""
    return {
        d["document_id"]: (d["dossier_code"], d["doc_type"], tuple(d["pages"]))
        for d in report["stored_documents"] + report["review"]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sohoa-process-bench"))
    parser.add_argument("--kills", type=int, default=0, help="kill -9 and resume N times")
    parser.add_argument(
        "--large", type=int, default=0, help="also a batch of about this many pages (memory)"
    )
    parser.add_argument(
        "--without-ocrmypdf", action="store_true", help="its row takes 20+ minutes on 200 pages"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    batch = args.workdir / f"batch-{args.pages}.pdf"
    small = args.workdir / f"batch-{args.pages // 4}.pdf"
    pages = make_batch(batch, args.pages, args.seed)
    small_pages = make_batch(small, args.pages // 4, args.seed + 1)
    print(f"{pages} pages ({small_pages} in the small batch), --jobs {args.jobs}\n")
    print("| command | pages | seconds | pages/s | vs plain Tesseract | peak memory (MiB) |")
    print("|---|---|---|---|---|---|", flush=True)
    runs = [
        (
            "plain Tesseract (OCR only)",
            pages,
            lambda: plain_tesseract(batch, args.workdir, args.jobs),
        ),
        ("OCRmyPDF --output-type pdfa", pages, lambda: ocrmypdf(batch, args.workdir, args.jobs)),
        (
            "sohoa process (signed, stored)",
            pages,
            lambda: sohoa_process(batch, args.workdir / "home", args.jobs),
        ),
        (
            "sohoa process, a quarter of the pages",
            small_pages,
            lambda: sohoa_process(small, args.workdir / "home-small", args.jobs),
        ),
    ]
    if args.without_ocrmypdf:
        runs = [run for run in runs if not run[0].startswith("OCRmyPDF")]
    if args.large:
        large = args.workdir / f"batch-{args.large}.pdf"
        large_pages = make_batch(large, args.large, args.seed + 2)
        runs.append(
            (
                "sohoa process, the large batch",
                large_pages,
                lambda: sohoa_process(large, args.workdir / "home-large", args.jobs),
            )
        )
    base = 0.0
    took = 0.0
    for name, count, run in runs:  # each row as soon as it is measured
        seconds, peak = run()
        if name.startswith("sohoa process (signed"):
            took = seconds
        rate = count / seconds
        base = base or rate
        print(
            f"| {name} | {count} | {seconds:.1f} | {rate:.3f} | {rate / base:.2f}x | {peak:.0f} |"
        )
        print(flush=True, end="")
    print()
    print(where_time_went(args.workdir / "home", args.jobs))
    if args.kills:
        home = args.workdir / "home"
        print(kill_and_resume(batch, args.workdir, args.jobs, args.kills, took, home))


if __name__ == "__main__":
    main()
