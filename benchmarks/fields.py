"""Field extraction on generated scans that neither training nor development saw.

Generates an evaluation corpus (``sohoa.synth``, seed 2027 unless told otherwise: the
classifier was trained on seed 1, the templates were developed on seeds 31 and 32), every
document type equally, mild / medium / hard scans, one document per file. Reads every page
once (the page stage of ``sohoa extract``), then times the document stage (classification,
field finding, normalization, checks) separately, and prints:

- doc-type accuracy;
- exact-match accuracy of every key field (CONTRACT.md: ID numbers, names, birth dates),
  per scan level and per document type, and of every field per type;
- the precision of auto-accepted key fields: of the key fields of documents with
  ``needs_review`` false, the share that is exactly right;
- the share of documents sent to review, per level;
- ID cards whose QR code was read: how often ``id_number`` is right;
- the trade-off of the review threshold: auto-accepted precision and the share sent to
  review had ``REVIEW_FIELD`` been each of several values;
- the document stage's time against the page stage's.

    .venv/bin/python benchmarks/fields.py --per-type 12 --jobs 2 [--workdir DIR] [--fonts unseen]

With ``--workdir``, the corpus and the pages read are kept there and reused.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from sohoa.pipeline import intake
from sohoa.pipeline.extract import REVIEW_FIELD, Document, documents_of_file, needs_review
from sohoa.pipeline.fields import load_template
from sohoa.pipeline.idcard import card_qr
from sohoa.pipeline.models import PageText
from sohoa.pipeline.ocr import OcrSettings
from sohoa.pipeline.runner import PageFailure, read_pages
from sohoa.pipeline.settings import load_settings
from sohoa.synth import evaluation_corpus
from sohoa.synth.documents import DOC_TYPES
from sohoa.synth.fonts import FONT_SETS

LEVELS = ("mild", "medium", "hard")
THRESHOLDS = (0.60, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--fonts",
        choices=tuple(FONT_SETS),
        default="standard",
        help="typefaces of the corpus; 'unseen': faces nothing was developed on",
    )
    parser.add_argument(
        "--no-second-look",
        action="store_true",
        help="read unsure numbers once only (the page stage before sohoa.pipeline.reread)",
    )
    parser.add_argument("--show-wrong", action="store_true", help="list every wrong key field")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sohoa-fields-"))
    corpus = workdir / "corpus"
    records = evaluation_corpus(corpus, seed=args.seed, per_type=args.per_type, font_set=args.fonts)
    ocr = replace(load_settings().ocr, second_look=not args.no_second_look)
    cache = workdir / ("pages-one-look.pkl" if args.no_second_look else "pages.pkl")
    pages, page_seconds = read_corpus(corpus, records, cache, ocr, args.jobs)
    started = time.perf_counter()
    documents = {r["file"]: documents_of_file(r["file"], pages.get(r["file"], [])) for r in records}
    document_seconds = time.perf_counter() - started
    report(records, documents, pages, args.show_wrong)
    operating_points(records, documents)
    n_pages = sum(len(p) for p in pages.values())
    print(
        f"\npage stage (OCR, {args.jobs} processes): {page_seconds:.1f} s wall for {n_pages} pages"
        f" ({1000 * page_seconds / max(1, n_pages):.0f} ms a page);"
        f" document stage (classify + fields, 1 process): {document_seconds:.2f} s"
        f" ({1000 * document_seconds / max(1, len(records)):.1f} ms a document,"
        f" {100 * document_seconds / max(1e-9, page_seconds * args.jobs):.2f} % of the"
        " page stage's CPU time)"
    )


def read_corpus(
    corpus: Path, records: list[dict], cache: Path, ocr: OcrSettings, jobs: int
) -> tuple[dict[str, list[PageText]], float]:
    """Every page of the corpus read once (cached in ``cache`` with the time it took)."""
    if cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    refs = [ref for r in records for ref in intake.list_pages(corpus / r["file"])]
    pages: dict[str, list[PageText]] = defaultdict(list)
    started = time.perf_counter()
    for outcome in read_pages(refs, ocr, jobs):
        if isinstance(outcome, PageFailure):
            print(f"page failed: {outcome.ref} {outcome.message}", file=sys.stderr)
            continue
        pages[Path(outcome.ref.path).name].append(outcome)
    seconds = time.perf_counter() - started
    with cache.open("wb") as fh:
        pickle.dump((dict(pages), seconds), fh)
    return dict(pages), seconds


def report(
    records: list[dict],
    documents: dict[str, list[Document]],
    pages: dict[str, list[PageText]],
    show_wrong: bool,
) -> None:
    key_right: dict[str, list[bool]] = defaultdict(list)  # level / type / "all" -> per field
    field_right: dict[tuple[str, str], list[bool]] = defaultdict(list)
    accepted: list[bool] = []
    review: dict[str, list[bool]] = defaultdict(list)
    type_right: dict[str, list[bool]] = defaultdict(list)
    qr_ids: list[bool] = []
    wrong: list[tuple] = []
    for record in records:
        truth = record["documents"][0]
        level, doc_type = record["level"], truth["doc_type"]
        found = documents[record["file"]]
        document = found[0] if found else None
        type_right[level].append(document is not None and document.doc_type == doc_type)
        type_right["all"].append(type_right[level][-1])
        review[level].append(document is None or document.needs_review)
        review["all"].append(review[level][-1])
        template = load_template(doc_type)
        keys = {spec.name for spec in template.fields if spec.key} if template else set()
        for name, expected in truth["fields"].items():
            got = document.fields.get(name) if document else None
            right = got == expected
            field_right[(doc_type, name)].append(right)
            if name not in keys:
                continue
            for group in (level, doc_type, "all"):
                key_right[group].append(right)
            if document is not None and not document.needs_review:
                accepted.append(right)
            if not right:
                accepted_wrong = document is not None and not document.needs_review
                wrong.append((record["file"], level, name, expected, got, accepted_wrong))
        if doc_type == "citizen_id_card" and card_qr(pages.get(record["file"], [])):
            qr_ids.append(
                document is not None
                and document.fields.get("id_number") == truth["fields"]["id_number"]
            )
    print(f"{len(records)} documents\n")
    print(
        "| group | documents | doc_type accuracy | key fields | key fields exact | sent to review |"
    )
    print("|---|---|---|---|---|---|")
    for group in (*LEVELS, "all"):
        print(
            f"| {group} | {len(type_right[group])} | {_share(type_right[group])} |"
            f" {len(key_right[group])} | {_share(key_right[group])} | {_share(review[group])} |"
        )
    print("\n| doc_type | key fields | key fields exact |")
    print("|---|---|---|")
    for doc_type in DOC_TYPES:
        if key_right[doc_type]:
            print(f"| {doc_type} | {len(key_right[doc_type])} | {_share(key_right[doc_type])} |")
    print(
        f"\nauto-accepted key fields (needs_review false): {len(accepted)},"
        f" exactly right: {_share(accepted)}"
    )
    print(f"ID cards with a legible QR code: {len(qr_ids)}, id_number right: {_share(qr_ids)}")
    print("\n| doc_type | field | exact |")
    print("|---|---|---|")
    for (doc_type, name), rights in field_right.items():
        print(f"| {doc_type} | {name} | {_share(rights)} ({sum(rights)}/{len(rights)}) |")
    if show_wrong:
        for *item, accepted_wrong in wrong:
            print("wrong:", *item, "(AUTO-ACCEPTED)" if accepted_wrong else "(to review)")


def operating_points(records: list[dict], documents: dict[str, list[Document]]) -> None:
    """Precision of auto-accepted key fields and review shares for other thresholds."""
    print("\n| REVIEW_FIELD | auto-accepted key fields | exactly right |", end=" ")
    print(" | ".join(f"review {level}" for level in LEVELS), "|")
    print("|---|---|---|" + "---|" * len(LEVELS))
    for threshold in THRESHOLDS:
        accepted: list[bool] = []
        review: dict[str, list[bool]] = defaultdict(list)
        for record in records:
            found = documents[record["file"]]
            if not found:
                continue
            document, truth = found[0], record["documents"][0]["fields"]
            unsure = needs_review(document, threshold)
            review[record["level"]].append(unsure)
            if not unsure:
                accepted += [document.fields.get(k) == truth.get(k) for k in document.key_fields]
        mark = " (in use)" if threshold == REVIEW_FIELD else ""
        shares = " | ".join(_share(review[level]) for level in LEVELS)
        print(f"| {threshold:.2f}{mark} | {len(accepted)} | {_share(accepted)} | {shares} |")


def _share(values: list[bool]) -> str:
    return f"{100 * sum(values) / len(values):.1f} %" if values else "-"


if __name__ == "__main__":
    main()
