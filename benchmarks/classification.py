"""Document-type accuracy of ``sohoa extract`` on generated scans the model never saw.

Generates an evaluation corpus (``sohoa.synth``, a seed other than training's, every type
equally, mild / medium / hard scans, one document per file), runs the whole ``extract``
pipeline on it and prints, per scan level and per type: accuracy of ``doc_type``, the
mean ``doc_type_confidence`` and the share of documents whose type is unsure enough to
send them to review (``doc_type_confidence`` below ``extract.REVIEW_DOC_TYPE``), with the
classification's own time per document beside the OCR's.

    .venv/bin/python benchmarks/classification.py --per-type 12 --jobs 2 [--workdir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sohoa.pipeline.classify import classify
from sohoa.pipeline.extract import REVIEW_DOC_TYPE, Document, extract
from sohoa.pipeline.settings import load_settings
from sohoa.synth import evaluation_corpus
from sohoa.synth.documents import DOC_TYPES

LEVELS = ("mild", "medium", "hard")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sohoa-classify-"))
    corpus = workdir / "corpus"
    truth = {
        record["file"]: (record["level"], record["documents"][0]["doc_type"])
        for record in evaluation_corpus(corpus, seed=args.seed, per_type=args.per_type)
    }
    print(f"corpus: {corpus} ({len(truth)} files), jobs={args.jobs}", file=sys.stderr)

    started = time.perf_counter()
    documents = [
        outcome
        for outcome in extract([corpus / n for n in truth], load_settings().ocr, jobs=args.jobs)
        if isinstance(outcome, Document)
    ]
    ocr_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for document in documents:
        classify(document.text)
    classify_seconds = time.perf_counter() - started

    groups: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    wrong = []
    for document in documents:
        level, doc_type = truth[Path(document.source).name]
        right = document.doc_type == doc_type
        for key in (level, doc_type, "all"):
            groups[key].append((right, document.doc_type_confidence))
        if not right:
            wrong.append((Path(document.source).name, level, doc_type, document.doc_type))
    print(f"\n{len(documents)} documents of {len(truth)} files\n")
    print("| group | documents | doc_type accuracy | mean confidence | type unsure (review) |")
    print("|---|---|---|---|---|")
    for key in (*LEVELS, *DOC_TYPES, "all"):
        rows = groups.get(key, [])
        if not rows:
            continue
        accuracy = statistics.mean(r for r, _ in rows)
        confidence = statistics.mean(c for _, c in rows)
        unsure = statistics.mean(c < REVIEW_DOC_TYPE for _, c in rows)
        print(f"| {key} | {len(rows)} | {accuracy:.3f} | {confidence:.3f} | {unsure:.3f} |")
    per_doc = 1000 * classify_seconds / max(1, len(documents))
    per_doc_ocr = 1000 * ocr_seconds / max(1, len(documents))
    print(f"\nclassification {per_doc:.1f} ms per document; extract (OCR) {per_doc_ocr:.0f} ms")
    for item in wrong:
        print("wrong:", *item)


if __name__ == "__main__":
    main()
