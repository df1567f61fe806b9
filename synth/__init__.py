"""Synthetic scans of Vietnamese administrative documents with exact ground truth.

Public API::

    generate_corpus(out_dir, *, seed, n_docs=None, per_type=None, n_pages=None,
                    levels=LEVELS, formats=FORMATS, dpi=None,
                    font_set="standard") -> list[dict]
    generate_batch(out_path, *, seed, n_dossiers=3, level="mild", fmt="pdf") -> dict
    render_document(doc_type, rng, dpi=300) -> RenderedDoc        # one clean document
    draw_params(level, rng, dpi=None) / apply_scan(image, src_dpi, params, rng)
    write_pages(path, images, fmt)                                   # png/jpeg/tiff/tiff-g4/pdf
    separator_sheet(rng, dpi, code) / blank_page(rng, dpi)
    render_spread(rng, dpi, kind=None) -> (RenderedDoc, RenderedSpread)  # two facing pages
    scan_spread(spread, level, rng, dpi=None, upside_down=None) -> ScannedSpread

CLI: ``python -m sohoa.synth corpus OUT --seed 1 --pages 60``.
"""

from .containers import FORMATS, write_pages
from .corpus import GROUND_TRUTH, evaluation_corpus, generate_batch, generate_corpus
from .documents import DOC_TYPES, render_document
from .model import RenderedDoc, RenderedPage
from .scan import LEVELS, ScanParams, apply_scan, draw_params
from .special import blank_page, separator_sheet
from .spread import RenderedSpread, ScannedSpread, render_spread, scan_spread, spread_truth

__all__ = [
    "DOC_TYPES",
    "FORMATS",
    "GROUND_TRUTH",
    "LEVELS",
    "RenderedDoc",
    "RenderedPage",
    "RenderedSpread",
    "ScanParams",
    "ScannedSpread",
    "apply_scan",
    "blank_page",
    "draw_params",
    "evaluation_corpus",
    "generate_batch",
    "generate_corpus",
    "render_document",
    "render_spread",
    "scan_spread",
    "separator_sheet",
    "spread_truth",
    "write_pages",
]
