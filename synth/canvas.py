"""A page being typeset, and the flow that writes lines on it while recording ground truth.

Every printed line goes through :meth:`Page.write`, which draws its spans on one baseline and
records the line's text (spans joined by single spaces) and pixel box. Decorations that are
not document text -- dotted leaders, rules, seals, scribbles -- are drawn with the plain
drawing calls and never recorded, so the recorded text is exactly what a reader should
transcribe.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFont

from .fonts import FontFamily, load

MM_PER_INCH = 25.4
BLACK = (20, 20, 20)
HAND_BLUE = (28, 45, 140)


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom in clean-page pixels


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text in one font; ``x`` pins it to a column, else it follows the previous
    span after one space. ``hand`` jitters words like a pen-filled form."""

    text: str
    font: ImageFont.FreeTypeFont
    fill: tuple[int, int, int] = BLACK
    x: int | None = None
    hand: bool = False


@dataclass(slots=True)
class Page:
    width: int
    height: int
    dpi: int
    rng: random.Random
    paper: tuple[int, int, int] = (255, 255, 255)
    image: Image.Image = field(init=False)
    draw: ImageDraw.ImageDraw = field(init=False)
    lines: list[TextLine] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.image = Image.new("RGB", (self.width, self.height), self.paper)
        self.draw = ImageDraw.Draw(self.image)

    @classmethod
    def a4(
        cls, dpi: int, rng: random.Random, paper: tuple[int, int, int] = (255, 255, 255)
    ) -> Page:
        return cls(round(210 / MM_PER_INCH * dpi), round(297 / MM_PER_INCH * dpi), dpi, rng, paper)

    def px(self, mm: float) -> int:
        return round(mm / MM_PER_INCH * self.dpi)

    def font(self, family: FontFamily, style: str, size_pt: float) -> ImageFont.FreeTypeFont:
        return load(family.path(style), max(6, round(size_pt * self.dpi / 72)))

    # ------------------------------------------------------------------ text

    def measure(self, text: str, font: ImageFont.FreeTypeFont) -> int:
        return round(font.getlength(text))

    def write(self, x: int, baseline: int, spans: list[Span], record: bool = True) -> TextLine:
        """Draw spans left to right on one baseline; return (and record) the printed line."""
        boxes: list[tuple[int, int, int, int]] = []
        texts: list[str] = []
        cursor = x
        for span in spans:
            text = unicodedata.normalize("NFC", " ".join(span.text.split()))
            if not text:
                continue
            start = span.x if span.x is not None else cursor
            if span.x is None and texts:
                start += self.measure(" ", span.font)
            if span.hand:
                box, cursor = self._hand(start, baseline, text, span)
            else:
                self.draw.text((start, baseline), text, font=span.font, fill=span.fill, anchor="ls")
                box = self.draw.textbbox((start, baseline), text, font=span.font, anchor="ls")
                cursor = start + self.measure(text, span.font)
            boxes.append(tuple(int(v) for v in box))  # type: ignore[arg-type]
            texts.append(text)
        if not boxes:
            return TextLine("", (x, baseline, x, baseline))
        line = TextLine(
            " ".join(texts),
            (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            ),
        )
        if record:
            self.lines.append(line)
        return line

    def _hand(self, x: int, baseline: int, text: str, span: Span) -> tuple[tuple, int]:
        """Words placed with a small wobble of baseline and spacing, as if written by hand."""
        size = span.font.size
        left, top, right, bottom = x, baseline, x, baseline
        cursor = x
        for word in text.split(" "):
            dy = round(self.rng.uniform(-0.06, 0.06) * size)
            self.draw.text(
                (cursor, baseline + dy), word, font=span.font, fill=span.fill, anchor="ls"
            )
            b = self.draw.textbbox((cursor, baseline + dy), word, font=span.font, anchor="ls")
            left, top = min(left, b[0]), min(top, b[1])
            right, bottom = max(right, b[2]), max(bottom, b[3])
            cursor += self.measure(word + " ", span.font) + round(self.rng.uniform(0, 0.12) * size)
        return (left, top, right, bottom), cursor - self.measure(" ", span.font)

    def leaders(
        self,
        x0: int,
        x1: int,
        baseline: int,
        font: ImageFont.FreeTypeFont,
        fill: tuple[int, int, int] = (70, 70, 70),
    ) -> None:
        """A dotted leader from x0 to x1: pre-printed form dots, never document text."""
        dot = max(1.0, font.getlength("."))
        count = int((x1 - x0) // dot)
        if count >= 2:
            self.draw.text((x0, baseline), "." * count, font=font, fill=fill, anchor="ls")

    def hrule(self, x0: int, x1: int, y: int, width: int = 1, fill=BLACK) -> None:
        self.draw.line([(x0, y), (x1, y)], fill=fill, width=max(1, width))

    def blend_multiply(self, layer: Image.Image, x: int, y: int) -> None:
        """Lay an RGBA ink layer over the page like ink on paper (darken, never lighten)."""
        import numpy as np

        w, h = layer.size
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        if x1 <= x0 or y1 <= y0:
            return
        region = self.image.crop((x0, y0, x1, y1))
        base = np.asarray(region, dtype=np.float32)
        ink = np.asarray(layer.crop((x0 - x, y0 - y, x1 - x, y1 - y)), dtype=np.float32)
        alpha = ink[..., 3:4] / 255.0
        mixed = base * (1 - alpha) + base * ink[..., :3] / 255.0 * alpha
        self.image.paste(Image.fromarray(mixed.round().astype(np.uint8)), (x0, y0))


def wrap(text: str, font: ImageFont.FreeTypeFont, first: int, rest: int) -> list[str]:
    """Greedy word wrap: the first line has ``first`` pixels, later ones ``rest``.
    Lines split only at spaces, so joining them with one space gives the text back."""
    words = text.split()
    lines: list[str] = []
    current = ""
    width = first
    for word in words:
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
            width = rest
        else:
            current = trial
    if current or not lines:
        lines.append(current)
    return lines
