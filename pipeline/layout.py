"""Reading order: blocks set side by side, which Tesseract read across, are read down.

Tesseract joins words into one line across any gap it does not take for a column gutter,
and administrative documents set blocks close side by side: the issuing authority beside
the national motto ("UBND XÃ ... CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), the husband's details
beside the wife's, and at the foot the signers ("Chồng", "Vợ", "TM. ỦY BAN NHÂN DÂN"), each
with a signature and a name below. Read across, one line mixes two blocks.

:func:`split_columns` finds runs of consecutive lines that keep the wide gaps of the run's
first line free (its gutters), and reads the run column after column. It is deliberately
narrow, so that what it does not recognise stays in Tesseract's order:

- a line with a wide gap of its own, outside the gutters, ends a run (a table row);
- two columns: two lines suffice without "label:" fields (a two-line header); with fields,
  three are needed, since two lines of two fields each are rows of a form; most lines
  must hold words on both sides (text beside a photo or an emblem is one block); a run
  whose left parts end in ":" is labels with their values set at a tab stop;
- three columns or more: no "label:" fields, and at most half the lines filling two
  columns or more (the signers' titles and names), else it is a table, read by rows;
- every column opens with a word read with confidence (not a photo's noise or a rule's
  end), and words read unsurely (a signature taken for letters) neither narrow a gutter
  nor fill a column;
- lines Tesseract already separated (its own blocks) are not touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .models import OcrWord

GUTTER_MM = 6.0  # wider than any space between the words of one line or one field
LAYOUT_MIN_CONFIDENCE = 45.0  # see _Line.solid
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
    def solid(self) -> tuple[OcrWord, ...]:
        """The words sure enough to close a gutter or fill a column: what Tesseract read
        into a signature or a seal at low confidence must not. (Every word opens gaps:
        a real word read unsurely must not leave a hole in its line.)"""
        return tuple(w for w in self.words if w.confidence >= LAYOUT_MIN_CONFIDENCE)

    def split_at(self, middles: list[float]) -> list[tuple[OcrWord, ...]]:
        """The line's words in the columns between ``middles`` (ascending), by word centre."""
        parts: list[list[OcrWord]] = [[] for _ in range(len(middles) + 1)]
        for word in self.words:
            centre = word.left + word.width / 2
            parts[sum(centre >= middle for middle in middles)].append(word)
        return [tuple(part) for part in parts]


def split_columns(words: Iterable[OcrWord], dpi: float) -> list[OcrWord]:
    """``words`` of one upright page in reading order, each printed line numbered anew."""
    lines = _lines(words)
    min_gap = GUTTER_MM * dpi / 25.4
    ordered: list[tuple[OcrWord, ...]] = []
    i = 0
    while i < len(lines):
        end, gutters = _column_run(lines, i, min_gap)
        columns = _read_down(lines[i:end], gutters)
        if columns is None:
            ordered.append(lines[i].words)
            i += 1
            continue
        ordered += columns
        i = end
    return [
        replace(word, block=number, paragraph=1, line=1)
        for number, line in enumerate(ordered, 1)
        for word in line
    ]


def _read_down(
    run: list[_Line], gutters: list[tuple[float, float]]
) -> list[tuple[OcrWord, ...]] | None:
    """The parts of ``run``'s lines column after column (in Tesseract's line order within
    each); None when the run is to be read across (see the module's rules)."""
    if not gutters or len(run) < 2:
        return None
    middles = [(low + high) / 2 for low, high in gutters]
    parts = [line.split_at(middles) for line in run]
    if len(gutters) == 1:
        if len(run) < (MIN_RUN if _has_fields(run) else 2):
            return None
        if sum(_columns_filled(line, middles) == 2 for line in run) * 2 < len(run):
            return None  # text beside a photo or an emblem, not two blocks side by side
        lefts = [part[0] for part in parts if part[0]]
        if sum(left[-1].text.endswith(":") for left in lefts) * 2 >= len(lefts):
            return None  # labels, values at a tab stop: read across
    elif _has_fields(run):
        return None  # rows of "label: value" fields, read across
    elif sum(_columns_filled(line, middles) >= 2 for line in run) * 2 > len(run):
        return None  # most lines fill several columns: a table, read row by row
    if not all(any(_is_wordlike(w) for w in part) for part in parts[0]):
        return None  # columns open with words: not rule remains, edge marks, a photo's noise
    return [
        line_parts[column]
        for column in range(len(gutters) + 1)
        for line_parts in parts
        if line_parts[column]
    ]


def _columns_filled(line: _Line, middles: list[float]) -> int:
    """How many columns ``line``'s words fall into (sure words of two letters or more)."""
    words = [w for w in line.words if _is_wordlike(w)]
    return len({sum(w.left + w.width / 2 >= m for m in middles) for w in words})


def _is_wordlike(word: OcrWord) -> bool:
    """Two letters or digits, read with some confidence."""
    return word.confidence >= LAYOUT_MIN_CONFIDENCE and sum(ch.isalnum() for ch in word.text) >= 2


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
) -> tuple[int, list[tuple[float, float]]]:
    """End of the run of lines from ``start`` that keep its gutters free, and the gutters.

    The gutters are the wide gaps of the first line. The run goes on through every line
    whose wide gaps all fall in gutters and whose words leave each gutter at least half its
    minimum width: a word reaching into a gutter narrows it (a longer name under a short
    title), one across it ends the run."""
    gutters = lines[start].wide_gaps(min_gap)
    if not gutters:
        return start + 1, []
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if any(
            not any(gap_start < high and gap_end > low for low, high in gutters)
            for gap_start, gap_end in line.wide_gaps(min_gap)
        ):
            break  # a gap of its own: a table row or a row of fields, read across
        narrowed = _narrow(gutters, line, min_gap / 2)
        if narrowed is None:
            break
        gutters = narrowed
        end += 1
    return end, gutters


def _narrow(
    gutters: list[tuple[float, float]], line: _Line, min_width: float
) -> list[tuple[float, float]] | None:
    """``gutters`` less the room ``line``'s words take in them; None if one closes.

    Between two columns, a line with words on one side only must keep out of the gutter
    (a form's longer line, or a sentence across it); among three or more (signers) a name
    is centred under its title and may reach into a gutter on its one side."""
    if not line.solid:
        return gutters
    centres = [word.left + word.width / 2 for word in line.solid]
    narrowed = []
    for low, high in gutters:
        middle = (low + high) / 2
        both_sides = min(centres) < middle < max(centres)
        for word, centre in zip(line.solid, centres, strict=True):
            left, right = word.left, word.left + word.width
            if left < high and right > low:  # the word reaches into the gutter
                if not both_sides and len(gutters) == 1:
                    return None
                if centre < middle:
                    low = max(low, right)
                else:
                    high = min(high, left)
        if high - low < min_width:
            return None
        narrowed.append((low, high))
    return narrowed
