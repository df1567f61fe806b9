"""``python -m sohoa.synth``: write a synthetic corpus, a feeder batch, or one document."""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from .containers import FORMATS, MULTI_PAGE
from .corpus import generate_batch, generate_corpus
from .documents import DOC_TYPES, render_document
from .fonts import FONT_SETS, use_font_set
from .scan import LEVELS, apply_scan, draw_params


def _csv(choices: tuple[str, ...]):
    def parse(text: str) -> tuple[str, ...]:
        items = tuple(t.strip() for t in text.split(",") if t.strip())
        bad = [t for t in items if t not in choices]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(choices)}")
        return items

    return parse


def _span(text: str) -> tuple[int, int]:
    low, _, high = text.partition(",")
    return int(low), int(high or low)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m sohoa.synth", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("corpus", help="scanned files + ground_truth.jsonl")
    c.add_argument("out", type=Path)
    c.add_argument("--seed", type=int, default=1)
    size = c.add_mutually_exclusive_group()
    size.add_argument("--pages", type=int, help="at least this many pages")
    size.add_argument("--docs", type=int, help="exactly this many documents")
    c.add_argument("--levels", type=_csv(LEVELS), default=LEVELS)
    c.add_argument("--formats", type=_csv(FORMATS), default=FORMATS)
    c.add_argument("--dpi", type=int, help="force a scan resolution (e.g. 600)")
    c.add_argument("--fonts", choices=FONT_SETS, default="standard", help="typefaces to use")
    b = sub.add_parser("batch", help="one feeder file of dossiers behind separator sheets")
    b.add_argument("out", type=Path)
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--dossiers", type=int, default=3)
    b.add_argument("--level", choices=LEVELS, default="mild")
    b.add_argument("--format", choices=MULTI_PAGE, default="pdf")
    b.add_argument(
        "--docs-per-dossier", type=_span, default=(1, 3), help="MIN,MAX documents a dossier"
    )
    b.add_argument(
        "--spread-rate",
        type=float,
        default=0.0,
        help="share of household registers and land-use certificates scanned lying open (0-1)",
    )
    p = sub.add_parser("page", help="one document as PNG (clean, or scanned at --level)")
    p.add_argument("doc_type", choices=DOC_TYPES)
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--level", choices=LEVELS)
    p.add_argument("--fonts", choices=FONT_SETS, default="standard", help="typefaces to use")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    t0 = time.perf_counter()
    if args.command == "corpus":
        recs = generate_corpus(
            args.out,
            seed=args.seed,
            n_pages=args.pages,
            n_docs=args.docs,
            levels=args.levels,
            formats=args.formats,
            dpi=args.dpi,
            font_set=args.fonts,
        )
        pages = sum(len(r["pages"]) for r in recs)
        docs = sum(len(r["documents"]) for r in recs)
        print(
            f"{len(recs)} files, {docs} documents, {pages} pages in {args.out} "
            f"({time.perf_counter() - t0:.1f} s)"
        )
    elif args.command == "batch":
        rec = generate_batch(
            args.out,
            seed=args.seed,
            n_dossiers=args.dossiers,
            level=args.level,
            fmt=args.format,
            docs_per_dossier=args.docs_per_dossier,
            spread_rate=args.spread_rate,
        )
        print(
            f"{args.out}: {len(rec['pages'])} pages, {len(rec['dossiers'])} dossiers "
            f"({', '.join(d['code'] for d in rec['dossiers'])})"
        )
    else:
        rng = random.Random(args.seed)
        with use_font_set(args.fonts):
            doc = render_document(args.doc_type, rng, 300)
        for n, page in enumerate(doc.pages, 1):
            img = page.image
            if args.level:
                img = apply_scan(img, page.dpi, draw_params(args.level, rng), rng)
            out = args.out if len(doc.pages) == 1 else args.out.with_stem(f"{args.out.stem}-{n}")
            img.save(out, dpi=img.info.get("dpi", (page.dpi, page.dpi)))
            print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
