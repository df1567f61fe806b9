"""Two facing pages on one scan: an opened booklet or folded certificate, and where to cut it.

Clerks scan a household register (an A5 booklet) or a land-use certificate (an A3 sheet
folded into four A4 pages) lying open, so one landscape image holds two portrait pages with
the fold between them. :func:`find_spread` says whether an image is such a spread and which
column to cut it at; the page stage then reads each half as a page of its own (each still
goes through :func:`clean_page`, so nothing here deskews or turns the halves).

It says "spread" only when all of these hold, on a ~100-dpi copy:

1. the paper (the image without its dark scanner borders) is landscape-shaped like two
   portrait pages side by side, and tall enough to be a page (an ID card is not);
2. the text, deskewed, leaves a vertical band free near the middle (40-60 % of the paper's
   width) over the whole height of the writing, and no ruled line runs across that band: a
   text line or a table crossing the middle means one page;
3. each half holds writing whose lines run across (a portrait page lying on its side is
   landscape-shaped too, but its lines run down: it is one page, turned later).

The cut goes through the darkest column of the band (the gutter's shadow or crease) when
there is one, else at the step between two papers of different brightness, else in the
middle of the band. Portrait images are answered from their size alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from .colour import to_grey
from .geometry import (
    analysis_ink,
    deskew,
    detect_orientation,
    estimate_skew,
    resample,
)
from .tone import MM_PER_INCH, crop_borders, mm

WORK_DPI = 100.0  # enough for letter-sized marks and line structure; ~2 Mpx for an A3 spread
ASPECT = (1.2, 1.8)  # paper width over height: two A4 or A5 pages side by side make 1.41
MIN_HEIGHT_MM = 100.0  # the smallest booklet page is taller; a scanned ID card (54 mm) is not
MIDDLE = (0.40, 0.60)  # where the fold may lie, as a share of the paper's width
MIN_GAP_MM = 5.0  # two page margins make 20-60 mm; text columns on one page 5-10 mm
WORD_GAP_MM = 1.5  # letters closer than this side by side are one word or line
MIN_WORD_MM = 3.0  # writing this wide crossing the middle joins the halves; less is a stray mark
MAX_SKEW = 5.0  # degrees searched: a booklet lies on the glass more carefully than that
MIN_MARK_PIXELS = 0.002  # letter pixels, as a share of the paper, below which nothing is written
MIN_LINES = 3  # lines of writing that make a half a page
FOLD_PERCENTILE = 90.0  # a column's paper brightness: text and specks are darker
FOLD_STRIPS = 6  # the fold must show in each of this many strips of the paper's rows
FOLD_EDGE = 0.03  # and in the top and bottom strips this high (a frame is 8-12 mm in)
FOLD_LEAN = 0.5  # degrees the fold may lean after the text's deskew
DARK_FOLD = 6.0  # grey levels a gutter's shadow or crease lies below the paper beside it
PAPER_STEP = 4.0  # grey levels between two facing papers that tell where one ends


@dataclass(frozen=True)
class Spread:
    """Where to cut a two-page scan, and in which order its halves are read."""

    x: int  # the cut column in the given image's pixels: pages image[:, :x] and image[:, x:]
    upside_down: bool  # the whole image is turned 180 degrees: its right half is read first
    cue: str  # what placed the cut: "dark" (shadow or crease), "step" (paper tone) or "gap"

    def pages(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The two halves of ``image`` (views, not copies) in reading order."""
        left, right = image[:, : self.x], image[:, self.x :]
        return (right, left) if self.upside_down else (left, right)


def find_spread(image: np.ndarray, dpi: float) -> Spread | None:
    """The cut of a two-page spread (uint8 grey or BGR ``image`` at ``dpi``), or None when the
    image is one page: portrait, blank, a card, a page lying on its side, or a landscape page
    whose lines or rules run across the middle. ``x`` is a column of ``image`` itself.

    A portrait image costs nothing; a 300-dpi landscape one about a sixth of what
    :func:`clean_page` takes on it (on a busy 2-core machine: 45 ms for an A4-sized scan,
    100 ms for an A3 one)."""
    height, width = image.shape[:2]
    if not _landscape(width, height) or height / dpi * MM_PER_INCH < MIN_HEIGHT_MM:
        return None
    # grey first: averaging one channel down costs half as much as three (~17 ms for an A3
    # spread at 300 dpi, the largest single cost here)
    grey = resample(to_grey(image), min(1.0, WORK_DPI / dpi))
    small_dpi = dpi * grey.shape[1] / width
    paper, _ = crop_borders(grey, small_dpi)
    box = _paper_box(grey, paper)
    if box is None:
        return None
    left, top, right, bottom = box
    ink, ink_dpi = analysis_ink(paper[top:bottom, left:right], small_dpi)
    text, marks = _text_and_letters(ink, ink_dpi)
    if np.count_nonzero(marks) < MIN_MARK_PIXELS * ink.size:
        return None  # blank, or a separator's code and nothing else
    skew = estimate_skew(marks, MAX_SKEW)
    if skew:  # one warp of the three masks as one image's channels: a third of the cost
        ink, text, marks = cv2.split(deskew(cv2.merge([ink, text, marks]), skew, border=0))
    rows = _writing_rows(marks)
    if rows is None:
        return None
    gap = _gutter(marks[rows[0] : rows[1]], ink_dpi)
    if gap is None or _ruled_across(ink[rows[0] : rows[1]], gap, ink_dpi):
        return None
    if not (_has_lines(marks[:, : gap[0]], ink_dpi) and _has_lines(marks[:, gap[1] :], ink_dpi)):
        return None
    turn = detect_orientation(text)
    if turn not in (0, 180):
        return None  # the lines run down: one page lying on its side
    band = grey[top:bottom, left:right]
    if skew:
        band = deskew(band, skew)
    fold, cue = _fold(band, gap, ink_dpi)
    x = round((left + fold) * width / grey.shape[1])
    return Spread(x=x, upside_down=turn == 180, cue=cue)


def _landscape(width: int, height: int) -> bool:
    """Whether the image may hold two portrait pages side by side, borders and all."""
    return height > 0 and ASPECT[0] * 0.9 <= width / height <= ASPECT[1] * 1.15


def _paper_box(grey: np.ndarray, paper: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(left, top, right, bottom)`` of the paper: the image less the rows and columns that
    :func:`crop_borders` mostly whitened (scanner lid, bed, a booklet's cover), if the paper
    is spread-shaped; else None."""
    border = paper != grey
    columns = np.flatnonzero(border.mean(axis=0) < 0.5)
    rows = np.flatnonzero(border.mean(axis=1) < 0.5)
    if len(columns) < 2 or len(rows) < 2:
        return None
    left, right, top, bottom = columns[0], columns[-1] + 1, rows[0], rows[-1] + 1
    if not ASPECT[0] <= (right - left) / (bottom - top) <= ASPECT[1]:
        return None
    return int(left), int(top), int(right), int(bottom)


def _text_and_letters(ink: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """The writing in ``ink``, and its marks that can be letters.

    The writing is every mark up to 8 mm across except thin upright slivers (a gutter's
    crease or shadow edge broken up by noise) and marks within 5 mm of the paper's edge
    (what is left of a scanner border): rules, frames, seals, signatures and pictures are
    larger, so they go too (the cheap half of :func:`geometry.text_ink`). Its diacritics
    and dots tell which way up the lines are. The letters are the marks of it at least
    0.8 mm across, which paper grain and specks are not: they say where the writing is."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x, y, w, h = (stats[:, i] for i in range(4))
    size = np.maximum(w, h)
    sliver = (h >= 4 * w) & (w <= dpi * 0.6 / MM_PER_INCH) & (h >= dpi * 1.0 / MM_PER_INCH)
    margin = mm(dpi, 5.0)
    inside = (x >= margin) & (y >= margin)
    inside &= (x + w <= ink.shape[1] - margin) & (y + h <= ink.shape[0] - margin)
    writing = inside & ~sliver & (size <= dpi * 8.0 / MM_PER_INCH)
    writing[0] = False
    letters = writing & (size >= dpi * 0.8 / MM_PER_INCH)
    kind = (writing.astype(np.uint8) + letters)[labels]  # 0 none, 1 writing, 2 also a letter
    return (kind > 0).view(np.uint8) * np.uint8(255), (kind > 1).view(np.uint8) * np.uint8(255)


def _writing_rows(marks: np.ndarray) -> tuple[int, int] | None:
    """The rows from the first to the last line of writing (``(top, bottom)``), or None."""
    rows = np.flatnonzero(np.count_nonzero(marks, axis=1) >= 2)
    if len(rows) < 2:
        return None
    return int(rows[0]), int(rows[-1]) + 1


def _gutter(marks: np.ndarray, dpi: float) -> tuple[int, int] | None:
    """The widest run of columns free of writing whose middle lies in :data:`MIDDLE` of the
    width, as ``(start, stop)``; None when there is none at least :data:`MIN_GAP_MM` wide.

    Writing is letters in words: a mark with no other within :data:`WORD_GAP_MM` beside it,
    on a strip less than :data:`MIN_WORD_MM` wide, blocks nothing (what noise leaves of a
    crease, a speck, a stray dot), while a line of writing crossing the middle does."""
    width = marks.shape[1]
    # only the middle half can hold a gap centred in MIDDLE: two margins are < 25 % wide
    lo, hi = width // 4, width - width // 4
    reach = mm(dpi, WORD_GAP_MM)
    words = cv2.dilate(marks[:, lo:hi], np.ones((1, 2 * reach + 1), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(words, connectivity=8)
    wide = stats[:, cv2.CC_STAT_WIDTH] - 2 * reach >= dpi * MIN_WORD_MM / MM_PER_INCH
    wide[0] = False
    written = np.ones(width, bool)
    written[lo:hi] = np.count_nonzero(wide[labels] & (marks[:, lo:hi] > 0), axis=0) > 0
    best: tuple[int, int] | None = None
    for start, stop in _runs(~written):
        if not MIDDLE[0] * width <= (start + stop) / 2 <= MIDDLE[1] * width:
            continue
        if best is None or stop - start > best[1] - best[0]:
            best = (start, stop)
    if best is None or best[1] - best[0] < dpi * MIN_GAP_MM / MM_PER_INCH:
        return None
    return best


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of True in a 1-D boolean array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _ruled_across(ink: np.ndarray, gap: tuple[int, int], dpi: float) -> bool:
    """Whether a horizontal rule (a table's, a form's) runs right across the gap: the two
    "pages" are one sheet's table, not two pages meeting at a fold."""
    reach = mm(dpi, 8.0)
    rules = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, 1))
    )
    start, stop = gap
    crossing = np.count_nonzero(rules[:, start:stop], axis=1) >= 0.9 * (stop - start)
    return bool(crossing.any())


def _has_lines(marks: np.ndarray, dpi: float) -> bool:
    """Whether one half holds writing: at least :data:`MIN_LINES` bands of letter rows (a
    page's worth of lines; a stray mark or two is not a page). The marks are letter-sized
    already, so counting their lines does what :func:`geometry.has_text`'s neighbour search
    does, for a tenth of its ~20 ms per half."""
    profile = np.count_nonzero(marks, axis=1) >= max(2, marks.shape[1] * 0.01)
    starts = np.count_nonzero(np.diff(profile.astype(np.int8)) == 1) + int(profile[0])
    return starts >= MIN_LINES


def _fold(band: np.ndarray, gap: tuple[int, int], dpi: float) -> tuple[int, str]:
    """The column where the fold crosses the middle row of the (deskewed) grey paper
    ``band``, inside ``gap``, and what shows it.

    A fold runs the paper's full height, so it is looked for in a thin strip of rows at the
    paper's top, one at its bottom and :data:`FOLD_STRIPS` strips between, along a line
    allowed to lean a little (the skew estimated from the text is good to a few tenths of a
    degree, and a crease is a pixel wide): first as a valley of the columns' paper brightness
    (the gutter's shadow, a crease), then as a step in paper tone (two sheets of different
    brightness). A certificate's frame line beside the fold stops short of the sheet's top
    and bottom, so it does not show in the edge strips. Failing both, the cut goes through
    the gap's middle."""
    start, stop = gap
    columns = band[::2, start:stop]  # every other row is enough
    edge = max(2, round(len(columns) * FOLD_EDGE))
    bounds = np.linspace(edge, len(columns) - edge, FOLD_STRIPS + 1).round().astype(int)
    bounds = [0, *bounds.tolist(), len(columns)]
    profiles = [
        np.percentile(columns[top:bottom], FOLD_PERCENTILE, axis=0)
        for top, bottom in pairwise(bounds)
    ]
    # where each strip lies, from -0.5 (top) to 0.5 (bottom) of the height
    offsets = (np.array(bounds[:-1]) + np.array(bounds[1:])) / 2 / len(columns) - 0.5
    drift = max(1, round(len(band) * np.tan(np.radians(FOLD_LEAN))))
    x, depth = _along_fold(np.array([_valley_depth(p) for p in profiles]), offsets, drift)
    if depth >= DARK_FOLD:
        return start + x, "dark"
    reach = max(2, mm(dpi, 2.0))
    if stop - start > 2 * reach:
        steps = np.array([_steps(p, reach) for p in profiles])
        x, step = _along_fold(steps, offsets, drift)
        if step >= PAPER_STEP:
            return start + x, "step"
    return (start + stop) // 2, "gap"


def _along_fold(cues: np.ndarray, offsets: np.ndarray, drift: int) -> tuple[int, float]:
    """The strongest line through a cue shown in every strip (``cues``: strips x columns;
    ``offsets``: where each strip lies, -0.5 to 0.5 of the height): the column where it
    crosses the middle and the cue's strength there, its weakest strip's. The line may lean
    by up to ``drift`` columns over the height."""
    width = cues.shape[1]
    padded = np.pad(cues, ((0, 0), (drift, drift)))
    best, where = -1.0, width // 2
    for lean in range(-drift, drift + 1):
        shifts = np.round(lean * offsets).astype(int) + drift
        along = np.min([padded[k, s : s + width] for k, s in enumerate(shifts)], axis=0)
        x = int(np.argmax(along))
        if along[x] > best:
            best, where = float(along[x]), x
    return where, best


def _valley_depth(profile: np.ndarray) -> np.ndarray:
    """How far each column of a brightness profile lies below the brightest column on its
    left and on its right (0 on a slope: a shading gradient is no valley), smoothed over
    three columns (a crease split between two columns counts whole)."""
    profile = np.convolve(np.pad(profile, 1, mode="edge"), np.ones(3) / 3, "valid")
    left = np.maximum.accumulate(profile)
    right = np.maximum.accumulate(profile[::-1])[::-1]
    return np.minimum(left, right) - profile


def _steps(profile: np.ndarray, reach: int) -> np.ndarray:
    """How much the paper's brightness changes at each column: the difference of the medians
    of the ``reach`` columns before and after it (medians: a thin frame line is no step)."""
    medians = np.median(np.lib.stride_tricks.sliding_window_view(profile, reach), axis=1)
    steps = np.zeros(len(profile))
    steps[reach : len(profile) - reach + 1] = np.abs(medians[reach:] - medians[:-reach])
    return steps
