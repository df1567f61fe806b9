"""The parts every Vietnamese administrative paper shares (Decree 30/2020/NĐ-CP layout):
national motto header, issuing-authority block, number, place-and-date line, title, and the
signature block with its red seal and blue signature.

A :class:`DocStyle` is drawn once per document (typeface, size, leading, margins, how the
form's dotted leaders are filled) so that documents of one type still differ in looks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from .canvas import Page, Span
from .flow import LEADER_MODES, Flow
from .fonts import FontFamily, pick_family
from .marks import seal, signature
from .places import Address, place_of_issue
from .wording import long_date

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
PAPERS = ((255, 255, 255), (252, 252, 248), (250, 250, 252))


@dataclass(frozen=True, slots=True)
class DocStyle:
    family: FontFamily
    hand_family: FontFamily | None  # a pen-filled look for values, when set
    size_pt: float
    leading: float
    margin_left_mm: float
    margin_right_mm: float
    margin_top_mm: float
    leader_mode: str
    paper: tuple[int, int, int]


def choose_style(rng: random.Random, *, form: bool = False) -> DocStyle:
    """``form``: a pre-printed form that is filled in, so leaders are likely."""
    family = pick_family(rng)
    hand = None
    if form and rng.random() < 0.3:
        others = [f for f in (pick_family(rng) for _ in range(4)) if f != family]
        hand = others[0] if others else family
    modes = ("after", "gap", "over", "none") if form else LEADER_MODES
    weights = (4, 3, 1.5, 1.5) if form else (1, 1, 0.5, 5)
    return DocStyle(
        family=family,
        hand_family=hand,
        size_pt=rng.uniform(11.0, 13.5),
        leading=rng.uniform(1.35, 1.75),
        margin_left_mm=rng.uniform(20, 32),
        margin_right_mm=rng.uniform(14, 22),
        margin_top_mm=rng.uniform(12, 24),
        leader_mode=rng.choices(modes, weights=weights)[0],
        paper=rng.choice(PAPERS),
    )


def new_page(
    rng: random.Random, dpi: int, style: DocStyle, paper: tuple[int, int, int] | None = None
) -> tuple[Page, Flow]:
    page = Page.a4(dpi, rng, paper or style.paper)
    flow = Flow(
        page=page,
        family=style.family,
        size_pt=style.size_pt,
        x0=page.px(style.margin_left_mm),
        x1=page.width - page.px(style.margin_right_mm),
        y=page.px(style.margin_top_mm) + round(style.size_pt * dpi / 72),
        leading=style.leading,
        leader_mode=style.leader_mode,
        hand_family=style.hand_family,
    )
    return page, flow


def sub_flow(flow: Flow, x0: int, x1: int, y: int | None = None) -> Flow:
    return Flow(
        flow.page,
        flow.family,
        flow.size_pt,
        x0,
        x1,
        flow.y if y is None else y,
        flow.leading,
        flow.leader_mode,
        flow.hand_family,
    )


def place_date(rng: random.Random, addr: Address, when: date) -> str:
    return f"{place_of_issue(addr)}, {long_date(when, pad=rng.random() < 0.3)}"


def admin_header(
    flow: Flow, authority: list[str], number: str | None, place_and_date: str | None
) -> None:
    """Authority block top-left, motto top-right, then the place-and-date line on the right.

    Reading order is the left block, then the right one, as a reader (and Tesseract's
    column finder) takes two side-by-side blocks."""
    rng = flow.page.rng
    split = flow.x0 + round((flow.x1 - flow.x0) * rng.uniform(0.36, 0.42))
    left = sub_flow(flow, flow.x0 - flow.page.px(8), split)
    right = sub_flow(flow, split + flow.page.px(2), flow.x1 + flow.page.px(6))
    scale = _fit_scale(right, MOTTO_1, "bold", 0.98)
    for i, line in enumerate(authority):
        last = i == len(authority) - 1
        s = min(scale, _fit_scale(left, line, "bold" if last else "regular", 0.98))
        left.text(line, "bold" if last else "regular", s, "center", underline=0.35 if last else 0.0)
    if number:
        left.skip(0.2)
        left.text(number, "regular", scale, "center")
    right.text(MOTTO_1, "bold", scale, "center")
    right.text(MOTTO_2, "bold", scale * 1.05, "center", underline=1.0)
    if place_and_date:
        right.skip(0.4)
        right.text(place_and_date, "italic", 1.0, "center")
    flow.y = max(left.y, right.y) + round(flow.line_height * 0.5)


def motto_centered(flow: Flow) -> None:
    scale = _fit_scale(flow, MOTTO_1, "bold", 0.9)
    flow.text(MOTTO_1, "bold", scale, "center")
    flow.text(MOTTO_2, "bold", scale * 1.05, "center", underline=1.0)
    flow.skip(0.3)


def title(flow: Flow, lines: list[str], scale: float = 1.3) -> None:
    for line in lines:
        s = min(scale, _fit_scale(flow, line, "bold", 0.95))
        flow.text(line, "bold", s, "center", advance=1.1 * s)
    flow.skip(0.3)


def _fit_scale(flow: Flow, text: str, style: str, share: float) -> float:
    width = flow.page.measure(text, flow.font(style))
    room = (flow.x1 - flow.x0) * share
    return min(1.0, room / max(1, width))


def signature_block(
    flow: Flow,
    titles: list[str],
    name: str,
    *,
    seal_texts: tuple[str, str] | None,
    note: str | None = None,
    x_center: int | None = None,
    sign: bool = True,
    half_frac: float = 0.24,
) -> None:
    """Signer's title (bold), maybe an italic note, a blue signature, the name, and the seal
    overlapping the left part of the signature and the name as a real stamp does."""
    page, rng = flow.page, flow.page.rng
    cx = x_center or flow.x0 + round((flow.x1 - flow.x0) * rng.uniform(0.68, 0.76))
    half = round((flow.x1 - flow.x0) * half_frac)
    col = sub_flow(flow, cx - half, cx + half)
    for t in titles:
        col.text(t, "bold", 0.98, "center")
    if note:
        col.text(note, "italic", 0.92, "center")
    gap = page.px(rng.uniform(16, 24))
    top = col.y - col.line_height // 2
    col.y += gap
    name_scale = min(1.0, _fit_scale(col, name, "bold", 1.0))
    name_line = col.line([Span(name, col.font("bold", name_scale))], "center")
    if sign:
        w, h = page.px(rng.uniform(30, 45)), round(gap * 0.9)
        scribble = signature(rng, w, h, pen=max(2, page.px(0.35)))
        page.blend_multiply(scribble, cx - w // 2 + page.px(rng.uniform(-4, 6)), top)
    if seal_texts is not None:
        radius = page.px(rng.uniform(16, 20))
        scx = cx - page.px(rng.uniform(10, 22))
        scy = name_line.box[1] - round(radius * rng.uniform(0.55, 0.85))
        img = seal(rng, radius, seal_texts[0], seal_texts[1], flow.family.bold)
        page.blend_multiply(img, scx - img.width // 2, scy - img.height // 2)
    flow.y = max(flow.y, col.y)


def seal_texts_for(authority: str, addr: Address) -> tuple[str, str]:
    """Ring and centre text of a commune-level seal."""
    district = addr.district.upper().replace("THÀNH PHỐ", "TP").replace("HUYỆN", "H.")
    prov = addr.province.full.upper().replace("THÀNH PHỐ", "TP").replace("TỈNH ", "")
    body = authority.replace("UBND ", "ỦY BAN NHÂN DÂN ")
    return f"{body} * {district} * {prov} *", "UBND" if "UBND" in authority else "CÔNG AN"
