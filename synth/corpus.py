"""Corpora of scanned files with exact ground truth, and scanner-feeder batches of dossiers.

Every document and every file draws from its own seeded RNG (``"{seed}-doc-{i}"``), so a
corpus is byte-identical for a seed and adding files at the end does not change earlier ones.
``ground_truth.jsonl`` holds one object per file: per-page facts (doc_type, scan level, dpi,
rotation, skew, text, line boxes in the clean page) and the CONTRACT extract objects of the
documents in it (``source``, ``pages``, ``doc_type``, ``fields``, ``text``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from .containers import FORMATS, MULTI_PAGE, SUFFIX, write_pages
from .documents import DOC_TYPES, render_document
from .fonts import use_font_set
from .model import RenderedDoc, RenderedPage
from .people import dossier_code
from .scan import LEVELS, ScanParams, apply_scan, draw_params
from .special import blank_page, separator_sheet

GROUND_TRUTH = "ground_truth.jsonl"
CARD_MIN_DPI = 200  # ID-card type is 5-7 pt: below this no one can read it


@dataclass(frozen=True, slots=True)
class FilePlan:
    name: str
    fmt: str
    level: str
    docs: tuple[int, ...]  # indexes into the corpus's document list


def doc_type_plan(
    rng: random.Random, *, n_docs: int | None, per_type: dict[str, int] | None, n_pages: int | None
) -> list[str]:
    """Which documents to make: explicit counts, or balanced rounds of all types."""
    if per_type:
        unknown = set(per_type) - set(DOC_TYPES)
        if unknown:
            raise ValueError(f"unknown doc types: {', '.join(sorted(unknown))}")
        plan = [t for t, n in per_type.items() for _ in range(n)]
        rng.shuffle(plan)
        return plan
    count = n_docs if n_docs is not None else len(DOC_TYPES)
    plan: list[str] = []
    while len(plan) < count:
        rnd = list(DOC_TYPES)
        rng.shuffle(rnd)
        plan.extend(rnd)
    return plan[:count]


def scan_doc_pages(
    pages: Sequence[RenderedPage], params: ScanParams, rng: random.Random, allow_turn: bool = True
) -> list[tuple[Image.Image, ScanParams]]:
    """Each page gets its own skew/turn/noise draw at the file's level and dpi."""
    out = []
    for page in pages:
        p = draw_params(params.level, rng, params.dpi, allow_turn=allow_turn)
        if page.kind == "separator":  # feeders rarely turn the sheet they print themselves
            p = replace(p, rotation=0)
        out.append((apply_scan(page.image, page.dpi, p, rng), p))
    return out


def page_record(number: int, page: RenderedPage, params: ScanParams) -> dict[str, Any]:
    return {
        "page": number,
        "doc_type": page.kind,
        "level": params.level,
        "dpi": params.dpi,
        "rotation": params.rotation,
        "skew": params.skew,
        "text": page.text,
        "render_dpi": page.dpi,
        "lines": [{"text": ln.text, "box": list(ln.box)} for ln in page.lines if ln.text],
        "scan": params.as_dict(),
    }


def doc_record(source: str, first_page: int, doc: RenderedDoc) -> dict[str, Any]:
    return {
        "source": source,
        "pages": list(range(first_page, first_page + len(doc.pages))),
        "doc_type": doc.doc_type,
        "fields": doc.fields,
        "text": doc.text,
    }


def generate_corpus(
    out_dir: str | Path,
    *,
    seed: int,
    n_docs: int | None = None,
    per_type: dict[str, int] | None = None,
    n_pages: int | None = None,
    levels: Iterable[str] = LEVELS,
    formats: Iterable[str] = FORMATS,
    dpi: int | None = None,
    multi_doc_rate: float = 0.2,
    blank_rate: float = 0.05,
    font_set: str = "standard",
) -> list[dict[str, Any]]:
    """Write scanned files and ``ground_truth.jsonl`` into ``out_dir``; return the records.

    Size by ``per_type`` counts, ``n_docs`` documents, or at least ``n_pages`` pages
    (default: one document of each type). ``dpi`` forces a scan resolution (e.g. 600).
    ``font_set`` names the typefaces (``fonts.FONT_SETS``): ``unseen`` for faces that
    nothing was developed on."""
    levels, formats = tuple(levels), tuple(formats)
    bad = [lv for lv in levels if lv not in LEVELS] + [f for f in formats if f not in FORMATS]
    if bad or not levels or not formats:
        raise ValueError(f"bad levels/formats: {bad or 'empty'}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    master = random.Random(f"{seed}-plan")
    types = doc_type_plan(master, n_docs=n_docs, per_type=per_type, n_pages=n_pages)
    render_dpi = max(300, dpi or 0)
    records: list[dict[str, Any]] = []
    pages_done = 0
    i = 0
    k = 0
    by_pages = bool(n_pages) and not per_type and n_docs is None

    def more() -> bool:
        return pages_done < n_pages if by_pages else i < len(types)  # type: ignore[operator]

    while more():
        if i >= len(types):  # by pages: keep going with another balanced round
            types += doc_type_plan(master, n_docs=len(DOC_TYPES), per_type=None, n_pages=None)
        frng = random.Random(f"{seed}-file-{k}")
        fmt = frng.choice(formats)
        level = frng.choice(levels)
        want = 1
        if fmt in MULTI_PAGE and frng.random() < multi_doc_rate:
            want = frng.choice([2, 2, 3])
        with use_font_set(font_set):
            docs = [
                render_document(t, random.Random(f"{seed}-doc-{i + j}"), render_dpi)
                for j, t in enumerate(types[i : i + want])
            ]
        i += len(docs)
        if fmt not in MULTI_PAGE and len(docs[0].pages) > 1:
            fmt = next((f for f in formats if f in MULTI_PAGE), "tiff")
        name = f"scan-{k:04d}{SUFFIX[fmt]}"
        params = draw_params(level, frng, dpi)
        if any(d.doc_type == "citizen_id_card" for d in docs) and params.dpi < CARD_MIN_DPI:
            params = replace(params, dpi=CARD_MIN_DPI)
        record = _assemble(out / name, name, fmt, docs, params, frng, blank_rate)
        records.append(record)
        pages_done += len(record["pages"])
        k += 1
    with open(out / GROUND_TRUTH, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return records


def evaluation_corpus(
    out_dir: str | Path, *, seed: int, per_type: int, font_set: str = "standard"
) -> list[dict[str, Any]]:
    """The records of a benchmark's corpus in ``out_dir``, generated unless it is there:
    ``per_type`` documents of every type, one per file, every scan level, no blank pages
    and no file holding several documents -- so each file's truth is one document."""
    out = Path(out_dir)
    truth = out / GROUND_TRUTH
    if not truth.exists():
        from .documents import DOC_TYPES

        generate_corpus(
            out,
            seed=seed,
            per_type=dict.fromkeys(DOC_TYPES, per_type),
            multi_doc_rate=0.0,
            blank_rate=0.0,
            font_set=font_set,
        )
    return [json.loads(line) for line in truth.read_text("utf-8").splitlines()]


def _assemble(
    path: Path,
    name: str,
    fmt: str,
    docs: list[RenderedDoc],
    params: ScanParams,
    rng: random.Random,
    blank_rate: float,
    separators: dict[int, RenderedPage] | None = None,
) -> dict[str, Any]:
    """Scan the documents' pages in order (separators and blanks in between) into one file."""
    images: list[Image.Image] = []
    page_recs: list[dict[str, Any]] = []
    doc_recs: list[dict[str, Any]] = []
    multi = fmt in MULTI_PAGE
    for d_index, doc in enumerate(docs):
        if separators and d_index in separators:
            _add(images, page_recs, [separators[d_index]], params, rng)
        if multi and d_index and rng.random() < blank_rate:
            _add(images, page_recs, [blank_page(rng, docs[0].pages[0].dpi)], params, rng)
        doc_recs.append(doc_record(name, len(images) + 1, doc))
        _add(images, page_recs, list(doc.pages), params, rng)
    write_pages(path, images, fmt)
    return {
        "file": name,
        "format": fmt,
        "level": params.level,
        "pages": page_recs,
        "documents": doc_recs,
    }


def _add(
    images: list[Image.Image],
    recs: list[dict[str, Any]],
    pages: list[RenderedPage],
    params: ScanParams,
    rng: random.Random,
) -> None:
    for page, (img, p) in zip(pages, scan_doc_pages(pages, params, rng), strict=True):
        images.append(img)
        recs.append(page_record(len(images), page, p))


def generate_batch(
    out_path: str | Path,
    *,
    seed: int,
    n_dossiers: int = 3,
    docs_per_dossier: tuple[int, int] = (1, 3),
    level: str = "mild",
    fmt: str = "pdf",
    dpi: int | None = None,
    symbology: str | None = None,
    blank_rate: float = 0.0,
) -> dict[str, Any]:
    """One scanner-feeder file: dossiers, each opened by a separator sheet with its code.

    Returns the ground-truth record (also written beside the file as ``<name>.gt.json``):
    the corpus record plus ``dossiers`` [{code, separator_page, pages, documents}] and a
    ``dossier_code`` on every document."""
    if fmt not in MULTI_PAGE:
        raise ValueError(f"a batch needs a multi-page format ({', '.join(MULTI_PAGE)})")
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}-batch")
    render_dpi = max(300, dpi or 0)
    day = date(2024, 1, 2) + timedelta(days=rng.randrange(650))
    first_serial = rng.randrange(1, 500)
    docs: list[RenderedDoc] = []
    separators: dict[int, RenderedPage] = {}
    codes: list[tuple[str, int, int]] = []  # code, first doc index, doc count
    agency_rng = random.Random(f"{seed}-agency")
    for d in range(n_dossiers):
        code = dossier_code(random.Random(agency_rng.random()), day, first_serial + d)
        count = rng.randint(*docs_per_dossier)
        separators[len(docs)] = separator_sheet(rng, render_dpi, code, symbology)
        codes.append((code, len(docs), count))
        for _ in range(count):
            doc_type = rng.choice(DOC_TYPES)
            docs.append(
                render_document(doc_type, random.Random(f"{seed}-bdoc-{len(docs)}"), render_dpi)
            )
    params = draw_params(level, rng, dpi)
    if any(doc.doc_type == "citizen_id_card" for doc in docs) and params.dpi < CARD_MIN_DPI:
        params = replace(params, dpi=CARD_MIN_DPI)
    record = _assemble(path, path.name, fmt, docs, params, rng, blank_rate, separators)
    dossiers = []
    for code, start, count in codes:
        members = record["documents"][start : start + count]
        for m in members:
            m["dossier_code"] = code
        sep_page = members[0]["pages"][0] - 1
        while record["pages"][sep_page - 1]["doc_type"] != "separator":
            sep_page -= 1  # a blank page may sit between
        last = members[-1]["pages"][-1]
        dossiers.append(
            {
                "code": code,
                "separator_page": sep_page,
                "pages": list(range(sep_page, last + 1)),
                "documents": list(range(start, start + count)),
            }
        )
    record["dossiers"] = dossiers
    path.with_name(path.name + ".gt.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return record
