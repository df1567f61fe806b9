"""Corpora of scanned files with exact ground truth, and scanner-feeder batches of dossiers.

Every document and every file draws from its own seeded RNG (``"{seed}-doc-{i}"``), so a
corpus is byte-identical for a seed and adding files at the end does not change earlier ones.
``ground_truth.jsonl`` holds one object per file: per-page facts (doc_type, scan level, dpi,
rotation, skew, text, line boxes in the clean page) and the CONTRACT extract objects of the
documents in it (``source``, ``pages``, ``doc_type``, ``fields``, ``text``).
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from .containers import FORMATS, MULTI_PAGE, SUFFIX, jpeg_bytes, pdf_from_jpegs, write_pages
from .documents import DOC_TYPES, render_document
from .fonts import use_font_set
from .model import RenderedDoc, RenderedPage
from .people import dossier_code
from .scan import LEVELS, ScanParams, apply_scan, draw_params
from .special import blank_page, separator_sheet
from .spread import SPREAD_KINDS, RenderedSpread, render_spread, scan_spread, spread_truth

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
    docs: Iterable[RenderedDoc | OpenedDoc],
    params: ScanParams,
    rng: random.Random,
    blank_rate: float,
    separators: dict[int, RenderedPage] | None = None,
) -> dict[str, Any]:
    """Scan the documents' pages in order (separators and blanks in between) into one file.

    Documents may come rendered as they are asked for, and a PDF's pages are kept as
    their JPEG bytes once scanned: a 500-page batch is never held as images at once."""
    scanned = _Scanned(fmt)
    page_recs: list[dict[str, Any]] = []
    doc_recs: list[dict[str, Any]] = []
    multi = fmt in MULTI_PAGE
    blank_dpi = 0
    for d_index, doc in enumerate(docs):
        blank_dpi = blank_dpi or doc.pages[0].dpi  # the first document's
        if separators and d_index in separators:
            _add(scanned, page_recs, [separators.pop(d_index)], params, rng)
        if multi and d_index and rng.random() < blank_rate:
            _add(scanned, page_recs, [blank_page(rng, blank_dpi)], params, rng)
        if isinstance(doc, OpenedDoc):  # its two pages on one page of the file
            doc_recs.append({**doc_record(name, 0, doc.doc), "pages": [len(page_recs) + 1]})
            _add_spread(scanned, page_recs, doc.spread, params, rng)
            continue
        doc_recs.append(doc_record(name, len(page_recs) + 1, doc))
        _add(scanned, page_recs, list(doc.pages), params, rng)
    scanned.write(path)
    return {
        "file": name,
        "format": fmt,
        "level": params.level,
        "pages": page_recs,
        "documents": doc_recs,
    }


@dataclass(frozen=True, slots=True)
class OpenedDoc:
    """A document scanned lying open: its two pages on one image (:mod:`.spread`)."""

    doc: RenderedDoc
    spread: RenderedSpread

    @property
    def pages(self) -> tuple[RenderedPage, ...]:
        return self.doc.pages


def _add_spread(
    scanned: _Scanned,
    recs: list[dict[str, Any]],
    spread: RenderedSpread,
    params: ScanParams,
    rng: random.Random,
) -> None:
    scan = scan_spread(spread, params.level, rng, params.dpi)
    scanned.append(scan.image)
    record = page_record(len(recs) + 1, spread, scan.params)  # type: ignore[arg-type]
    recs.append({**record, "spread": spread_truth(spread, scan)})


class _Scanned:
    """A file's scanned pages as they are made: a PDF's as JPEG bytes (what the PDF
    embeds), other formats' as images."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.images: list[Image.Image] = []
        self.jpegs: list[bytes] = []

    def append(self, image: Image.Image) -> None:
        if self.fmt == "pdf":
            self.jpegs.append(jpeg_bytes(image))
        else:
            self.images.append(image)

    def write(self, path: Path) -> None:
        if self.fmt == "pdf":
            path.write_bytes(pdf_from_jpegs(self.jpegs))
        else:
            write_pages(path, self.images, self.fmt)


def _add(
    scanned: _Scanned,
    recs: list[dict[str, Any]],
    pages: list[RenderedPage],
    params: ScanParams,
    rng: random.Random,
) -> None:
    for page, (img, p) in zip(pages, scan_doc_pages(pages, params, rng), strict=True):
        scanned.append(img)
        recs.append(page_record(len(recs) + 1, page, p))


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
    spread_rate: float = 0.0,
) -> dict[str, Any]:
    """One scanner-feeder file: dossiers, each opened by a separator sheet with its code;
    a household register or land-use certificate scanned lying open, its two pages on one
    image, at ``spread_rate`` (its document's ``pages`` then name that one page).

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
    doc_types: list[str] = []
    separators: dict[int, RenderedPage] = {}
    codes: list[tuple[str, int, int]] = []  # code, first doc index, doc count
    agency_rng = random.Random(f"{seed}-agency")
    for d in range(n_dossiers):
        code = dossier_code(random.Random(agency_rng.random()), day, first_serial + d)
        count = rng.randint(*docs_per_dossier)
        sheet = separator_sheet(rng, render_dpi, code, symbology)
        separators[len(doc_types)] = _as_png(sheet)
        codes.append((code, len(doc_types), count))
        doc_types.extend(rng.choice(DOC_TYPES) for _ in range(count))
    params = draw_params(level, rng, dpi)
    if "citizen_id_card" in doc_types and params.dpi < CARD_MIN_DPI:
        params = replace(params, dpi=CARD_MIN_DPI)
    opened = random.Random(f"{seed}-spreads")  # its own draws: other seeds' batches as they were

    def render(i: int, doc_type: str) -> RenderedDoc | OpenedDoc:
        doc_rng = random.Random(f"{seed}-bdoc-{i}")
        if doc_type in SPREAD_KINDS and opened.random() < spread_rate:
            return OpenedDoc(*render_spread(doc_rng, render_dpi, doc_type))
        return render_document(doc_type, doc_rng, render_dpi)

    docs = (render(i, doc_type) for i, doc_type in enumerate(doc_types))  # as they are scanned
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


def _as_png(page: RenderedPage) -> RenderedPage:
    """The page with its image held as PNG bytes until it is scanned (the same pixels):
    a batch's separator sheets are drawn up front, in the order of the batch's random
    draws, and a hundred of them as images would take gigabytes."""
    buffer = io.BytesIO()
    page.image.save(buffer, format="PNG", compress_level=1)
    return replace(page, image=Image.open(buffer))
