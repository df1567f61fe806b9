"""A top-to-bottom text flow inside one column of a page: lines, paragraphs, fields, tables.

The flow owns a baseline cursor and one typographic style (font family, size, leading);
templates call it in reading order, which makes the recorded ground truth come out in
reading order too.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import ImageFont

from .canvas import BLACK, HAND_BLUE, Page, Span, TextLine, wrap
from .fonts import FontFamily

LEADER_MODES = ("none", "after", "gap", "over")


@dataclass(slots=True)
class Flow:
    page: Page
    family: FontFamily
    size_pt: float
    x0: int
    x1: int
    y: int  # baseline of the next line
    leading: float = 1.45
    leader_mode: str = "after"
    hand_family: FontFamily | None = None  # a second face for pen-filled values
    value_upper: bool = False

    # -------------------------------------------------------------- basics

    def font(self, style: str = "regular", scale: float = 1.0) -> ImageFont.FreeTypeFont:
        return self.page.font(self.family, style, self.size_pt * scale)

    @property
    def line_height(self) -> int:
        return round(self.size_pt * self.page.dpi / 72 * self.leading)

    def skip(self, lines: float = 1.0) -> None:
        self.y += round(self.line_height * lines)

    def skip_mm(self, mm: float) -> None:
        self.y += self.page.px(mm)

    def line(self, spans: list[Span], align: str = "left", advance: float = 1.0) -> TextLine:
        width = self._spans_width(spans)
        if align == "center":
            x = (self.x0 + self.x1 - width) // 2
        elif align == "right":
            x = self.x1 - width
        else:
            x = self.x0
        out = self.page.write(x, self.y, spans)
        self.skip(advance)
        return out

    def text(
        self,
        text: str,
        style: str = "regular",
        scale: float = 1.0,
        align: str = "left",
        underline: float = 0.0,
        fill=BLACK,
        advance: float = 1.0,
    ) -> TextLine:
        """One line of text; ``underline`` > 0 rules that fraction of its width beneath it."""
        font = self.font(style, scale)
        out = self.line([Span(text, font, fill)], align, advance=0)
        if underline > 0 and out.text:
            left, _, right, _ = out.box
            w = round((right - left) * underline)
            cx = (left + right) // 2
            y = self.y + round(font.size * 0.28)
            self.page.hrule(cx - w // 2, cx + w // 2, y, width=max(1, font.size // 14))
        self.skip(advance)
        return out

    def paragraph(
        self,
        text: str,
        style: str = "regular",
        indent_mm: float = 0.0,
        align: str = "left",
        scale: float = 1.0,
    ) -> list[TextLine]:
        font = self.font(style, scale)
        indent = self.page.px(indent_mm)
        width = self.x1 - self.x0
        out = []
        for i, chunk in enumerate(wrap(text, font, width - indent, width)):
            x = self.x0 + (indent if i == 0 else 0)
            if align == "center":
                x = (self.x0 + self.x1 - self.page.measure(chunk, font)) // 2
            out.append(self.page.write(x, self.y, [Span(chunk, font)]))
            self.skip()
        return out

    def _spans_width(self, spans: list[Span]) -> int:
        total = 0
        for i, s in enumerate(spans):
            if i:
                total += self.page.measure(" ", s.font)
            total += self.page.measure(s.text, s.font)
        return total

    # -------------------------------------------------------------- forms

    def value_span(self, value: str, style: str = "regular", hand: bool = False) -> Span:
        if hand and self.hand_family is not None:
            font = self.page.font(self.hand_family, "italic", self.size_pt * 1.12)
            return Span(value, font, HAND_BLUE, hand=True)
        return Span(value, self.font(style))

    def field(
        self,
        label: str,
        value: str,
        *,
        style: str = "regular",
        hand: bool = False,
        indent_mm: float = 0.0,
        x0: int | None = None,
        x1: int | None = None,
        advance: bool = True,
    ) -> list[TextLine]:
        """``Label: value`` with the document's dotted-leader habit, wrapped at spaces."""
        x0 = self.x0 if x0 is None else x0
        x1 = self.x1 if x1 is None else x1
        lab_font = self.font()
        probe = self.value_span(value, style, hand)
        vfont = probe.font
        space = self.page.measure(" ", lab_font)
        label_w = self.page.measure(label, lab_font)
        start = x0 + label_w + space
        mode = self.leader_mode
        gap = round(vfont.size * self.page.rng.uniform(0.8, 2.5)) if mode == "gap" else 0
        first_w = x1 - start - gap
        rest_w = x1 - x0 - self.page.px(indent_mm) - gap
        words = value.split()
        if words and self.page.measure(words[0], vfont) > first_w:
            chunks = ["", *wrap(value, vfont, rest_w, rest_w)]
        else:
            chunks = wrap(value, vfont, first_w, rest_w)
        out: list[TextLine] = []
        for i, chunk in enumerate(chunks):
            vx = (start if i == 0 else x0 + self.page.px(indent_mm)) + gap
            spans = [Span(label, lab_font)] if i == 0 else []
            if chunk:
                spans.append(Span(chunk, vfont, probe.fill, x=vx, hand=probe.hand))
            if mode == "over":
                self.page.leaders(vx - gap, x1, self.y, lab_font, fill=(120, 120, 120))
            elif mode == "gap" and chunk:
                self.page.leaders(vx - gap, vx - space // 2, self.y, lab_font)
            written = self.page.write(x0, self.y, spans)
            if mode in ("after", "gap"):
                end = written.box[2] + space if chunk else vx - gap
                self.page.leaders(end, x1, self.y, lab_font)
            out.append(written)
            if advance or i < len(chunks) - 1:
                self.skip()
        return out

    def fields_inline(
        self, pairs: list[tuple[str, str]], *, style: str = "regular", hand: bool = False
    ) -> TextLine:
        """Several short fields on one printed line at even tab stops (one ground-truth line)."""
        lab_font = self.font()
        space = self.page.measure(" ", lab_font)
        col = (self.x1 - self.x0) // len(pairs)
        spans: list[Span] = []
        ends: list[tuple[int, int]] = []
        for i, (label, value) in enumerate(pairs):
            lx = self.x0 + i * col
            spans.append(Span(label, lab_font, x=lx))
            v = self.value_span(value, style, hand)
            vx = lx + self.page.measure(label, lab_font) + space
            spans.append(Span(v.text, v.font, v.fill, x=vx, hand=v.hand))
            ends.append((vx + self.page.measure(v.text, v.font) + space, lx + col - space))
        out = self.page.write(self.x0, self.y, spans)
        if self.leader_mode != "none":
            for a, b in ends:
                self.page.leaders(a, b, self.y, lab_font)
        self.skip()
        return out

    def table(
        self,
        headers: list[str],
        rows: list[list[str]],
        fracs: list[float],
        aligns: list[str] | None = None,
        min_pt: float = 7.0,
    ) -> list[TextLine]:
        """A ruled table, one printed line per row; the font shrinks until every cell fits."""
        total = self.x1 - self.x0
        norm = sum(fracs)
        widths = [round(total * f / norm) for f in fracs]
        aligns = aligns or ["left"] * len(headers)
        size = self.size_pt
        while True:
            body = self.page.font(self.family, "regular", size)
            head = self.page.font(self.family, "bold", size)
            pad = round(body.size * 0.4)
            fits = all(
                self.page.measure(cell, f) <= w - 2 * pad
                for line, f in [(headers, head)] + [(r, body) for r in rows]
                for cell, w in zip(line, widths, strict=True)
            )
            if fits or size <= min_pt:
                break
            size -= 0.5
        row_h = round(body.size * 1.9)
        top = self.y - round(body.size * 1.1)
        xs = [self.x0]
        for w in widths:
            xs.append(xs[-1] + w)
        out: list[TextLine] = []
        for r, cells in enumerate([headers, *rows]):
            font = head if r == 0 else body
            base = top + r * row_h + round(row_h * 0.68)
            spans = []
            for cell, a, left, w in zip(cells, aligns, xs[:-1], widths, strict=True):
                cw = self.page.measure(cell, font)
                align = "center" if r == 0 else a
                x = left + pad if align == "left" else left + (w - cw) // 2
                spans.append(Span(cell, font, x=x))
            out.append(self.page.write(self.x0, base, spans))
        bottom = top + row_h * (len(rows) + 1)
        lw = max(1, body.size // 16)
        for r in range(len(rows) + 2):
            self.page.hrule(self.x0, xs[-1], top + r * row_h, width=lw)
        for x in xs:
            self.page.draw.line([(x, top), (x, bottom)], fill=BLACK, width=lw)
        self.y = bottom + round(body.size * 1.6)
        return out
