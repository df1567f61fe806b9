"""Reading order: two columns that Tesseract read across are read down, one after the other.

Tesseract joins words into one line across any gap it does not take for a column gutter,
and administrative documents set two blocks close side by side: the issuing authority
beside the national motto ("UBND XÃ ... CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), the husband's
details beside the wife's. Read across, one line mixes two blocks, or two people's fields.

:func:`split_columns` finds runs of at least three consecutive lines that share one wide
gap, and reads the left parts of the run, then the right parts. It is deliberately narrow,
so that what it does not recognise stays in Tesseract's order:

- a line with two or more wide gaps is a table row or a row of fields, read across;
- two lines suffice for a run without "label:" fields (a two-line header); with fields,
  three are needed, since two lines of two fields each are rows of a form;
- a run whose left parts end in ":" is labels with their values set at a tab stop;
- lines Tesseract already separated (its own blocks) are not touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .models import OcrWord

GUTTER_MM = 6.0  # wider than any space between the words of one line or one field
MIN_RUN = 3  # lines in a run with fields: two lines of "field ... field" are rows, not columns


@dataclass(frozen=True, slots=True)
class _Line:
    words: tuple[OcrWord, ...]  # left to right

    def wide_gaps(self, min_width: float) -> list[tuple[int, int]]:
        gaps = []
        for left, right in zip(self.words, self.words[1:], strict=False):
            start, end = left.left + left.width, right.left
            if end - start >= min_width:
                gaps.append((start, end))
        return gaps

    @property
    def span(self) -> tuple[int, int]:
        return self.words[0].left, max(w.left + w.width for w in self.words)

    def split(self, at: float) -> tuple[tuple[OcrWord, ...], tuple[OcrWord, ...]]:
        left = tuple(w for w in self.words if w.left + w.width / 2 < at)
        return left, self.words[len(left) :]


def split_columns(words: Iterable[OcrWord], dpi: float) -> list[OcrWord]:
    """``words`` of one upright page in reading order, each printed line numbered anew."""
    lines = _lines(words)
    min_gap = GUTTER_MM * dpi / 25.4
    ordered: list[tuple[OcrWord, ...]] = []
    i = 0
    while i < len(lines):
        end, gutter = _column_run(lines, i, min_gap)
        if gutter is None or end - i < (MIN_RUN if _has_fields(lines[i:end]) else 2):
            ordered.append(lines[i].words)
            i += 1
            continue
        middle = (gutter[0] + gutter[1]) / 2
        halves = [line.split(middle) for line in lines[i:end]]
        lefts, rights = [h[0] for h in halves if h[0]], [h[1] for h in halves if h[1]]
        if sum(part[-1].text.endswith(":") for part in lefts) * 2 >= len(lefts):
            ordered.append(lines[i].words)  # labels, values at a tab stop: read across
            i += 1
            continue
        ordered += lefts + rights
        i = end
    return [
        replace(word, block=number, paragraph=1, line=1)
        for number, line in enumerate(ordered, 1)
        for word in line
    ]


def _has_fields(lines: list[_Line]) -> bool:
    """Whether any line holds a "label: value" field (two fields side by side are a row)."""
    return any(":" in word.text for line in lines for word in line.words)


def _lines(words: Iterable[OcrWord]) -> list[_Line]:
    """Tesseract's lines in Tesseract's order, each left to right."""
    grouped: dict[tuple[int, int, int], list[OcrWord]] = {}
    for word in words:
        grouped.setdefault((word.block, word.paragraph, word.line), []).append(word)
    return [_Line(tuple(sorted(ws, key=lambda w: w.left))) for ws in grouped.values()]


def _column_run(
    lines: list[_Line], start: int, min_gap: float
) -> tuple[int, tuple[float, float] | None]:
    """End of the run of lines from ``start`` that keep one gutter free, and the gutter.

    The run starts on a line with exactly one wide gap; it goes on through lines with one
    wide gap overlapping the gutter, and through lines wholly on one side of it."""
    gaps = lines[start].wide_gaps(min_gap)
    if len(gaps) != 1:
        return start + 1, None
    low, high = gaps[0]
    end = start + 1
    while end < len(lines):
        line = lines[end]
        gaps = line.wide_gaps(min_gap)
        if len(gaps) == 1 and gaps[0][0] < high and gaps[0][1] > low:
            low, high = max(low, gaps[0][0]), min(high, gaps[0][1])
        elif gaps or not (line.span[1] <= low or line.span[0] >= high):
            break  # a table row, or a line across the gutter
        end += 1
    return end, (low, high)
