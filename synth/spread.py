"""Booklet spreads: two facing pages scanned as one landscape image, with exact ground truth.

Clerks scan a household register (an A5 booklet) or a land-use certificate (an A3 sheet
folded into four A4 pages) lying open on the glass, so one image holds two portrait pages
side by side. Where they meet, the fold shows as a soft shadow band (the paper bends away
from the glass), a thin dark crease, both, or nothing but the step between two papers of a
slightly different brightness; a booklet's cover may show round its pages.

:func:`render_spread` typesets the two pages and lays them out (:func:`lay_spread`);
:func:`scan_spread` degrades the spread as :func:`scan.apply_scan` does any page (never a
quarter turn: a spread lies landscape on the glass, sometimes upside down) and says where the
fold landed in the scan; :func:`spread_truth` is what its ground-truth record adds to a
corpus page record: the fold and each page's text and lines.

Also here, the look-alikes a spread detector must leave whole: a landscape one-page list whose
table runs across the middle (:func:`landscape_list`) and a portrait page set in two columns
(:func:`two_column_page`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import cv2
import numpy as np
from PIL import Image

from .canvas import MM_PER_INCH, Page, TextLine
from .doc_civil import finish
from .doc_forms import FILLER
from .doc_land import land_use_back_page, land_use_certificate
from .doc_residence import household_register
from .elements import (
    admin_header,
    choose_style,
    new_page,
    place_date,
    signature_block,
    sub_flow,
    title,
)
from .flow import Flow
from .model import RenderedDoc, RenderedPage
from .people import random_date, random_household, random_person
from .places import random_address
from .scan import ScanParams, apply_scan, draw_params

SPREAD_KINDS = ("household_register", "land_use_certificate")
GUTTERS = ("shadow", "line", "shadow+line", "plain")
BOOKLET_SCALE = 148 / 210  # a register's A5 page: an A4 page typeset that much smaller
COVERS = ((48, 70, 120), (120, 40, 40), (70, 60, 55))  # blue, red, brown booklet covers
UPSIDE_DOWN_RATE = 0.15  # spreads laid on the glass the wrong way round
MAX_SKEW = 3.0  # degrees: a spread fills the glass; hard scans of single pages go to 8


@dataclass(frozen=True, slots=True)
class RenderedSpread:
    """Two facing pages on one clean landscape canvas.

    Each of ``pages`` is a page as laid on the canvas (scaled to the booklet's size), its
    lines in its own pixels; ``offsets`` are their top-left corners on the canvas. ``lines``,
    ``text`` and ``kind`` make a spread usable wherever a :class:`RenderedPage` is scanned
    and recorded (:func:`corpus.page_record`)."""

    image: Image.Image
    pages: tuple[RenderedPage, RenderedPage]  # left, right
    offsets: tuple[tuple[int, int], tuple[int, int]]
    fold_x: int  # the fold's column on the canvas
    gutter: str  # how the fold shows: one of GUTTERS
    kind: str
    dpi: int

    @property
    def lines(self) -> tuple[TextLine, ...]:
        """Both pages' lines in canvas pixels, the left page's first."""
        return tuple(
            TextLine(
                line.text, (line.box[0] + x, line.box[1] + y, line.box[2] + x, line.box[3] + y)
            )
            for page, (x, y) in zip(self.pages, self.offsets, strict=True)
            for line in page.lines
        )

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)


@dataclass(frozen=True, slots=True)
class ScannedSpread:
    """A spread as the scanner delivered it."""

    image: Image.Image
    params: ScanParams
    fold_x: float  # where the fold crosses the scan's middle row, in scan pixels
    upside_down: bool  # the scan shows the spread turned 180 degrees: its right half first


def render_spread(
    rng: random.Random, dpi: int, kind: str | None = None, gutter: str | None = None
) -> tuple[RenderedDoc, RenderedSpread]:
    """A document of ``kind`` (drawn from :data:`SPREAD_KINDS` if not given) typeset on two
    pages, and the spread of those two pages, its fold drawn as ``gutter`` (one of
    :data:`GUTTERS`, drawn if not given). The document's pages are the typeset pages (before
    the booklet's scaling); its fields are the CONTRACT extract's."""
    kind = kind or rng.choice(SPREAD_KINDS)
    if kind == "household_register":
        doc = household_register(rng, dpi, two_pages=True)
        left, right = doc.pages
        cover = rng.random() < 0.5
        spread = lay_spread(left, right, rng, scale=BOOKLET_SCALE, cover=cover, gutter=gutter)
    elif kind == "land_use_certificate":
        certificate = land_use_certificate(rng, dpi)
        left = certificate.pages[0]
        right = land_use_back_page(rng, dpi, certificate.fields, paper=left.image.getpixel((5, 5)))
        doc = RenderedDoc(certificate.doc_type, certificate.fields, (left, right))
        spread = lay_spread(left, right, rng, gutter=gutter)
    else:
        raise ValueError(f"unknown spread kind {kind!r}; one of {', '.join(SPREAD_KINDS)}")
    return doc, spread


def lay_spread(
    left: RenderedPage,
    right: RenderedPage,
    rng: random.Random,
    *,
    scale: float = 1.0,
    cover: bool = False,
    gutter: str | None = None,
) -> RenderedSpread:
    """Put two pages side by side, meeting at the fold, and draw the fold.

    ``scale`` shrinks both pages (a booklet's pages are smaller than the A4 they were typeset
    on); ``cover`` shows a booklet's cover a few millimetres round them, the right page a
    little higher or lower than the left; ``gutter`` says how the fold shows (drawn from
    :data:`GUTTERS` if not given). The pages differ in brightness by up to 6 %."""
    dpi = left.dpi
    halves = (_scaled(left, scale), _scaled(right, scale))
    width, height = halves[0].image.size
    px = dpi / MM_PER_INCH
    rim = round(rng.uniform(2, 5) * px) if cover else 0
    drop = round(rng.uniform(-1, 1) * px) if cover else 0
    background = rng.choice(COVERS) if cover else (250, 250, 250)
    canvas = Image.new("RGB", (2 * width + 2 * rim, height + 2 * rim + abs(drop)), background)
    offsets = ((rim, rim + max(0, -drop)), (rim + width, rim + max(0, drop)))
    for half, corner in zip(halves, offsets, strict=True):
        canvas.paste(_dimmed(half.image, rng.uniform(0.94, 1.0)), corner)
    fold = rim + width
    drawn = rng.choices(GUTTERS, weights=(4, 2, 3, 2))[0]  # drawn either way: same seed, same page
    gutter = gutter or drawn
    if gutter not in GUTTERS:
        raise ValueError(f"unknown gutter {gutter!r}; one of {', '.join(GUTTERS)}")
    image = _draw_gutter(canvas, fold, gutter, px, rng)
    return RenderedSpread(image, halves, offsets, fold, gutter, left.kind, dpi)


def scan_spread(
    spread: RenderedSpread,
    level: str,
    rng: random.Random,
    dpi: int | None = None,
    upside_down: bool | None = None,
) -> ScannedSpread:
    """Scan a spread at ``level`` (:func:`scan.draw_params`); ``upside_down`` turns it 180
    degrees (drawn, rarely, when not given). The spread is never turned a quarter, and its
    skew is at most :data:`MAX_SKEW`: a booklet as wide as the glass cannot lie far askew."""
    params = draw_params(level, rng, dpi, allow_turn=False)
    if upside_down is None:
        upside_down = rng.random() < UPSIDE_DOWN_RATE
    skew = max(-MAX_SKEW, min(MAX_SKEW, params.skew))
    params = replace(params, rotation=180 if upside_down else 0, skew=skew)
    image = apply_scan(spread.image, spread.dpi, params, rng)
    return ScannedSpread(image, params, fold_in_scan(spread, params, image.size), upside_down)


def canvas_to_scan(spread: RenderedSpread, params: ScanParams, size: tuple[int, int]) -> np.ndarray:
    """The 2x3 affine map of a point on the clean canvas onto the scan (``size``: the scan's
    width and height): :func:`scan.apply_scan`'s resampling, skew about the centre, turn."""
    width, height = size
    scale = np.diag([width / spread.image.width, height / spread.image.height, 1.0])
    skew = np.vstack(
        [cv2.getRotationMatrix2D((width / 2, height / 2), params.skew, 1.0), [0.0, 0.0, 1.0]]
    )
    turn = np.eye(3)
    if params.rotation == 180:
        turn = np.array([[-1.0, 0.0, width], [0.0, -1.0, height], [0.0, 0.0, 1.0]])
    return (turn @ skew @ scale)[:2]


def fold_in_scan(spread: RenderedSpread, params: ScanParams, size: tuple[int, int]) -> float:
    """Where the fold crosses the middle row of the scan (``size``: the scan's width and
    height)."""
    matrix = canvas_to_scan(spread, params, size)
    (x0, y0), (x1, y1) = (
        matrix @ np.array([spread.fold_x, y, 1.0]) for y in (0.0, spread.image.height)
    )
    return float(x0 + (x1 - x0) * (size[1] / 2 - y0) / (y1 - y0))


def spread_truth(spread: RenderedSpread, scanned: ScannedSpread) -> dict[str, Any]:
    """What a scanned spread's ground-truth record (:func:`corpus.page_record` of the spread,
    which holds both pages' text and lines) adds under ``"spread"``: the fold in the scan,
    whether the scan is upside down, how the fold shows, and each page's text and lines (in
    the clean canvas's pixels), left page first."""
    canvas_lines = spread.lines
    split = len(spread.pages[0].lines)
    halves = (canvas_lines[:split], canvas_lines[split:])
    return {
        "fold_x": round(scanned.fold_x, 1),
        "upside_down": scanned.upside_down,
        "gutter": spread.gutter,
        "pages": [
            {
                "text": page.text,
                "lines": [{"text": ln.text, "box": list(ln.box)} for ln in lines if ln.text],
            }
            for page, lines in zip(spread.pages, halves, strict=True)
        ],
    }


def landscape_list(rng: random.Random, dpi: int) -> RenderedPage:
    """A one-page landscape A4 document: a ward's list of residents, its wide ruled table
    running across the middle of the sheet (kind "unknown")."""
    style = choose_style(rng)
    page = Page(round(297 / MM_PER_INCH * dpi), round(210 / MM_PER_INCH * dpi), dpi, rng)
    flow = Flow(
        page,
        style.family,
        style.size_pt,
        page.px(style.margin_left_mm),
        page.width - page.px(style.margin_right_mm),
        page.px(style.margin_top_mm) + round(style.size_pt * dpi / 72),
        style.leading,
    )
    members = random_household(rng, rng.choice([4, 5, 6, 7, 8]))
    addr = members[0].person.residence
    when = random_date(rng, date(2021, 1, 1), date(2025, 10, 31))
    ward = f"UBND {addr.ward.upper()}"
    admin_header(flow, [addr.district.upper(), ward], f"Số: {rng.randint(1, 999)}/DS", None)
    title(flow, ["DANH SÁCH NHÂN KHẨU THƯỜNG TRÚ"], scale=rng.uniform(1.2, 1.4))
    rows = [
        [
            str(i + 1),
            m.person.full_name.upper(),
            m.person.date_of_birth.strftime("%d/%m/%Y"),
            m.person.sex,
            m.person.id_number,
            m.person.residence.text(),
            m.relationship,
        ]
        for i, m in enumerate(members)
    ]
    flow.table(
        ["TT", "Họ và tên", "Ngày sinh", "Giới tính", "Số ĐDCN", "Nơi thường trú", "Quan hệ"],
        rows,
        [0.5, 2.6, 1.4, 1.0, 1.8, 5.2, 1.2],
        ["center", "left", "center", "center", "center", "left", "left"],
    )
    flow.text(place_date(rng, addr, when), "italic", 1.0, "right")
    signature_block(
        flow,
        ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        random_person(rng).full_name,
        seal_texts=(f"{ward} * {addr.district.upper()} *", "UBND"),
    )
    return finish(page, "unknown")


def two_column_page(rng: random.Random, dpi: int) -> RenderedPage:
    """A portrait A4 notice whose body runs in two columns under a full-width title."""
    page, flow = new_page(rng, dpi, choose_style(rng))
    flow.size_pt *= 0.9  # columns are narrow: a size smaller
    title(flow, ["THÔNG BÁO", "Về việc thực hiện thủ tục hành chính"], scale=1.3)
    gap = page.px(rng.uniform(6, 12))
    middle = (flow.x0 + flow.x1) // 2
    fill = {"year": rng.randint(2020, 2025), "district": random_address(rng).district}
    top = flow.y
    for x0, x1 in ((flow.x0, middle - gap // 2), (middle + gap // 2, flow.x1)):
        column = sub_flow(flow, x0, x1, top)
        while column.y < page.height - page.px(40):
            column.paragraph(" ".join(s.format(**fill) for s in rng.sample(FILLER, 2)), indent_mm=6)
    return finish(page, "unknown")


def _scaled(page: RenderedPage, scale: float) -> RenderedPage:
    """The page and its line boxes shrunk by ``scale`` (same dpi: a smaller sheet)."""
    if scale == 1.0:
        return page
    width, height = (round(side * scale) for side in page.image.size)
    image = page.image.resize((width, height), Image.Resampling.LANCZOS)
    lines = tuple(
        TextLine(line.text, tuple(round(v * scale) for v in line.box))  # type: ignore[arg-type]
        for line in page.lines
    )
    return RenderedPage(image, lines, page.kind, page.dpi)


def _dimmed(image: Image.Image, factor: float) -> Image.Image:
    if factor >= 1.0:
        return image
    return image.point(lambda v: round(v * factor))


def _draw_gutter(
    canvas: Image.Image, fold: int, gutter: str, px: float, rng: random.Random
) -> Image.Image:
    """Darken the canvas along the fold: a shadow band falling off on either side at its
    own rate (the paper bends away from the glass more on one side), a thin crease, or both.

    The band's depth changes a little from top to bottom, as a booklet lies flatter at one
    end; "plain" draws nothing (a sheet pressed flat: only the pages' brightness step)."""
    if gutter == "plain":
        return canvas
    arr = np.asarray(canvas, dtype=np.float32)
    height, width = arr.shape[:2]
    reach = round(40 * px)
    x0, x1 = max(0, fold - reach), min(width, fold + reach)
    xs = np.arange(x0, x1, dtype=np.float32) + 0.5 - fold
    darkness = np.zeros(x1 - x0, np.float32)
    if "shadow" in gutter:
        spread_left, spread_right = rng.uniform(1.5, 9) * px, rng.uniform(1.5, 9) * px
        scale = np.where(xs < 0, spread_left, spread_right)
        darkness += rng.uniform(0.1, 0.45) * np.exp(-np.abs(xs) / scale)
    if "line" in gutter:
        half = max(0.5, rng.uniform(0.1, 0.4) * px)
        darkness += rng.uniform(0.3, 0.7) * (np.abs(xs) <= half)
    tilt = rng.uniform(-0.25, 0.25)
    along = 1 + tilt * np.linspace(-1, 1, height, dtype=np.float32)
    field = 1 - np.clip(along[:, None] * darkness[None, :], 0, 0.9)
    arr[:, x0:x1] *= field[..., None]
    return Image.fromarray(arr.round().astype(np.uint8), "RGB")
