"""Form lines, table rules and dotted leaders: ink that is not text.

Vietnamese forms print a label, then a row of dots to write on ("Họ và tên: ..........").
Tesseract reads the dots as punctuation, merges them with the value typed over them and
often loses the value. Table rules and underlines break its line finding. This stage finds
both kinds of non-text ink on the binary page (ink = 255) and returns a mask to erase.

The danger is the diacritics: an acute, a tilde or a dot below (dấu nặng) is also a small
mark near a letter. A leader dot is told apart by its company, not its size alone: it lies
in a long, straight, evenly filled row of marks of one size, and it has no letter just above
it (a dot below hangs under a letter, the lower dot of a colon has the upper one above it).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .tone import mm

_RULE_MIN_MM = 8.0  # longer than any stroke of a title letter, shorter than any form line
_RULE_MAX_THICK_MM = 0.8  # a stroke repaired across a removed line up to this thick
_DOT_MAX_HEIGHT_MM = 0.8
_DOT_MAX_WIDTH_MM = 1.6  # dashes and ellipsis dots too
_DOT_MAX_GAP_MM = 2.2  # pitch of "." and "…" at 10-14 pt, with room
_LEADER_MIN_DOTS = 5
_LEADER_MIN_MM = 5.0
_LETTER_CLEARANCE_MM = 0.5  # a letter this close above a dot makes it a dot below
_MARK_CLEARANCE_MM = 1.6  # a mark this close above a dot makes it a colon
_GUTTER_MM = 5.0  # words of one line are closer than this; form columns are farther apart
_WORD_GAP_MM = 20.0  # a typed word (or two) between two groups of leader dots
_BROKEN_MIN_DOTS = 6
_PICTURE_MIN_MM = 8.0  # taller than a 20-pt capital with its stacked diacritics
_SOLID_FILL = 0.3  # ink share of its box above which a mark is a picture, not a stroke
_STROKE_MIN_WIDTH_MM = 12.0
_STROKE_MIN_HEIGHT_MM = 1.5
_STROKE_MAX_FILL = 0.12


def find_rules(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Mask of long straight horizontal and vertical lines (ink = 255 in, mask 255 out)."""
    length = mm(dpi, _RULE_MIN_MM)
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    )
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length))
    )
    return cv2.bitwise_or(horizontal, vertical)


def _repair_strokes(ink: np.ndarray, rules: np.ndarray, dpi: float) -> np.ndarray:
    """Bridge letter strokes that a removed line cut through (only inside the line's band)."""
    reach = mm(dpi, _RULE_MAX_THICK_MM) + 2
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, reach))
    )
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, 1))
    )
    bridged = cv2.bitwise_or(vertical, horizontal)
    return cv2.bitwise_or(ink, cv2.bitwise_and(bridged, rules))


@dataclass(frozen=True)
class _Marks:
    """Connected components of an ink mask, as column arrays indexed by label."""

    labels: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    left: np.ndarray
    top: np.ndarray
    widths: np.ndarray
    heights: np.ndarray
    areas: np.ndarray

    @classmethod
    def of(cls, ink: np.ndarray) -> _Marks:
        _, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
        return cls(labels, centroids[:, 0], centroids[:, 1], *(stats[:, i] for i in range(5)))

    @property
    def bottoms(self) -> np.ndarray:
        return self.top + self.heights


def find_dotted_leaders(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Mask of the dots (or dashes) of leader rows, sparing diacritics and colons.

    Two passes: rows of dots at the leader's pitch (the empty part of a leader), then rows
    broken by the words typed over a leader, where only a few dots show in each word gap.
    """
    marks = _Marks.of(ink)
    small = (
        (marks.heights <= mm(dpi, _DOT_MAX_HEIGHT_MM))
        & (marks.widths <= mm(dpi, _DOT_MAX_WIDTH_MM))
        & (marks.areas >= mm(dpi, 0.15) ** 2)  # a speck of noise is not a dot, at 200+ dpi
    )
    small[0] = False
    candidates = np.flatnonzero(small)
    if len(candidates) < _LEADER_MIN_DOTS:
        return np.zeros_like(ink)
    pitch = mm(dpi, _DOT_MAX_GAP_MM)
    leader = np.zeros(len(small), bool)
    for dots in _rows(marks, candidates, ink.shape, pitch, dpi):
        same = dots[_one_glyph_on_one_baseline(marks, dots)]
        if len(same) < _LEADER_MIN_DOTS or np.median(np.diff(np.sort(marks.cx[same]))) > pitch:
            continue  # a leader fills its row evenly at its pitch
        leader[same] = True
        # the same dots between the words typed over the leader, in the line's span
        left, right = _line_span(ink, marks, same, dpi)
        others = candidates[~leader[candidates]]
        others = others[(marks.cx[others] >= left) & (marks.cx[others] <= right)]
        leader[others[_fits(marks, others, same)]] = True
    remaining = candidates[~leader[candidates]]
    for dots in _rows(marks, remaining, ink.shape, mm(dpi, _WORD_GAP_MM), dpi):
        same = dots[_one_glyph_on_one_baseline(marks, dots)]
        if len(same) >= _BROKEN_MIN_DOTS and _paired_fraction(marks.cx[same], pitch) >= 0.7:
            leader[same] = True
    if not leader.any():
        return np.zeros_like(ink)
    return _spare_diacritics_and_colons(ink, marks, small, leader, dpi)


def _rows(
    marks: _Marks, candidates: np.ndarray, shape: tuple[int, ...], gap: int, dpi: float
) -> list[np.ndarray]:
    """Groups of candidate marks that line up along a row with gaps up to ``gap`` pixels,
    the groups long and flat enough to be a leader."""
    factor = 2  # on a half-size map: cheaper, and a dot still covers a cell
    rows = np.zeros((shape[0] // factor + 1, shape[1] // factor + 1), np.uint8)
    for label in candidates:  # every cell the mark touches, so its centroid's cell is inside
        x, y = marks.left[label], marks.top[label]
        x_end, y_end = x + marks.widths[label] - 1, y + marks.heights[label] - 1
        rows[y // factor : y_end // factor + 1, x // factor : x_end // factor + 1] = 255
    rows = cv2.morphologyEx(rows, cv2.MORPH_CLOSE, np.ones((1, max(1, gap // factor)), np.uint8))
    row_count, row_labels, row_stats, _ = cv2.connectedComponentsWithStats(rows, connectivity=8)
    cx = np.clip((marks.cx[candidates] / factor).astype(int), 0, rows.shape[1] - 1)
    cy = np.clip((marks.cy[candidates] / factor).astype(int), 0, rows.shape[0] - 1)
    row_of = row_labels[cy, cx]
    members = np.bincount(row_of, minlength=row_count)
    long_enough = row_stats[:, cv2.CC_STAT_WIDTH] * factor >= mm(dpi, _LEADER_MIN_MM)
    flat = row_stats[:, cv2.CC_STAT_HEIGHT] * factor <= 2 * mm(dpi, _DOT_MAX_HEIGHT_MM)
    keep = (members >= _LEADER_MIN_DOTS) & long_enough & flat
    keep[0] = False
    return [candidates[row_of == row] for row in np.flatnonzero(keep)]


def _paired_fraction(xs: np.ndarray, pitch: int) -> float:
    """Share of marks with a neighbour within ``pitch``: leader dots come at least in pairs
    between words; full stops and dots below stand alone."""
    xs = np.sort(xs)
    gaps = np.diff(xs) <= pitch
    paired = np.zeros(len(xs), bool)
    paired[:-1] |= gaps
    paired[1:] |= gaps
    return float(paired.mean()) if len(xs) else 0.0


def _spare_diacritics_and_colons(
    ink: np.ndarray, marks: _Marks, small: np.ndarray, leader: np.ndarray, dpi: float
) -> np.ndarray:
    """The erase mask of the leader marks, less any with a letter just above it (a dot
    below, dấu nặng) or a mark of its own kind a little higher (the lower dot of a colon)."""
    mask = (leader.astype(np.uint8) * 255)[marks.labels]
    others = ((small & ~leader).astype(np.uint8) * 255)[marks.labels]
    letters = cv2.bitwise_and(ink, cv2.bitwise_not(cv2.bitwise_or(others, mask)))
    near = _look_up(letters, mm(dpi, _LETTER_CLEARANCE_MM))
    near = cv2.bitwise_or(near, _look_up(others, mm(dpi, _MARK_CLEARANCE_MM)))
    for label in np.flatnonzero(leader):
        x, y, w, h = marks.left[label], marks.top[label], marks.widths[label], marks.heights[label]
        if near[y, x : x + w].any():
            box = mask[y : y + h, x : x + w]
            box[marks.labels[y : y + h, x : x + w] == label] = 0
    return mask


def _baseline(xs: np.ndarray, bottoms: np.ndarray) -> tuple[float, float]:
    """Least-squares line ``bottom = a + b x`` (a residual skew of 0.1 degree still moves a
    long leader's baseline by pixels, more than a dot is tall)."""
    if len(xs) < 2 or np.ptp(xs) == 0:
        return float(np.median(bottoms)), 0.0
    slope, intercept = np.polyfit(xs.astype(float), bottoms.astype(float), 1)
    return float(intercept), float(slope)


def _fits(marks: _Marks, labels: np.ndarray, model: np.ndarray) -> np.ndarray:
    """Which ``labels`` have the size of the ``model`` marks and sit on their baseline.

    One size because a leader is one glyph repeated (diacritics vary); one baseline because
    a dot below (dấu nặng) hangs lower than the leader's dots."""
    height, area = np.median(marks.heights[model]), np.median(marks.areas[model])
    intercept, slope = _baseline(marks.cx[model], marks.bottoms[model])
    expected = intercept + slope * marks.cx[labels]
    return (
        (np.abs(marks.heights[labels] - height) <= max(1.0, 0.3 * height))
        & (np.abs(marks.areas[labels] - area) <= 0.5 * area)
        & (np.abs(marks.bottoms[labels] - expected) <= max(1.0, 0.5 * height))
    )


def _one_glyph_on_one_baseline(marks: _Marks, dots: np.ndarray) -> np.ndarray:
    """Mask of ``dots`` that agree with the row's median size and fitted baseline."""
    height, area = np.median(marks.heights[dots]), np.median(marks.areas[dots])
    sized = (np.abs(marks.heights[dots] - height) <= max(1.0, 0.3 * height)) & (
        np.abs(marks.areas[dots] - area) <= 0.5 * area
    )
    if np.count_nonzero(sized) < 2:
        return sized
    return _fits(marks, dots, dots[sized])


def _line_span(ink: np.ndarray, marks: _Marks, dots: np.ndarray, dpi: float) -> tuple[int, int]:
    """Left and right end of the text line a leader row belongs to: the ink of the row's
    band joined across gaps narrower than a column gutter."""
    top = max(0, int(marks.top[dots].min()) - mm(dpi, 3.0))
    bottom = int(marks.bottoms[dots].max()) + 1
    band = (ink[top:bottom].max(axis=0) > 0).astype(np.uint8)[None, :] * 255
    joined = cv2.morphologyEx(band, cv2.MORPH_CLOSE, np.ones((1, mm(dpi, _GUTTER_MM)), np.uint8))
    joined = joined[0] > 0
    left = int(marks.left[dots].min())
    right = int((marks.left[dots] + marks.widths[dots]).max()) - 1
    while left > 0 and joined[left - 1]:
        left -= 1
    while right < len(joined) - 1 and joined[right + 1]:
        right += 1
    return left, right


def _look_up(mask: np.ndarray, reach: int) -> np.ndarray:
    """255 where ``mask`` has ink within ``reach`` pixels above (same column)."""
    kernel = np.ones((reach + 1, 1), np.uint8)
    return cv2.dilate(mask, kernel, anchor=(0, reach))


def _pool(ink: np.ndarray, factor: int) -> np.ndarray:
    """Reduce an ink mask by ``factor`` keeping every stroke (a cell is ink if any pixel is)."""
    if factor == 1:
        return ink
    size = (ink.shape[1] // factor, ink.shape[0] // factor)
    reduced = cv2.resize(ink[: size[1] * factor, : size[0] * factor], size, cv2.INTER_AREA)
    return cv2.threshold(reduced, 0, 255, cv2.THRESH_BINARY)[1]


def find_pictures(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Mask of marks taller than any printed letter: what is left of a signature, an ID
    photo, an emblem, a QR code. Tesseract reads them as "—Õ ~", "ZZ^", at a cost: the
    second network of ``vie_fast+vie`` is tried on every such unsure "word".

    A mark that fills much of its box (a photo, an emblem, a QR code) goes with its box,
    where its lighter parts lie; a thin one (a signature's stroke) goes by its own pixels.
    """
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights, widths = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    fill = stats[:, cv2.CC_STAT_AREA] / np.maximum(1, heights * widths)
    tall = heights > mm(dpi, _PICTURE_MIN_MM)
    # a flatter signature: a long thin stroke, where letters joined into a word fill more
    tall |= (
        (widths > mm(dpi, _STROKE_MIN_WIDTH_MM))
        & (heights > mm(dpi, _STROKE_MIN_HEIGHT_MM))
        & (fill < _STROKE_MAX_FILL)
    )
    tall[0] = False
    if not tall.any():
        return np.zeros_like(ink)
    mask = (tall.astype(np.uint8) * 255)[labels]
    solid = tall & (fill > _SOLID_FILL)
    for label in np.flatnonzero(solid):
        x, y, w, h = stats[label, :4]
        mask[y : y + h, x : x + w] = 255
    return mask


def find_non_text(
    ink: np.ndarray, dpi: float, leaders: bool = True, pictures: bool = True
) -> np.ndarray:
    """Mask of rule, leader and picture ink to erase (255), letters crossing a rule spared."""
    rules = find_rules(ink, dpi)
    kept = cv2.bitwise_and(ink, cv2.bitwise_not(rules))
    if rules.any():
        kept = _repair_strokes(kept, rules, dpi)
    if leaders:
        kept = cv2.bitwise_and(kept, cv2.bitwise_not(find_dotted_leaders(kept, dpi)))
    if pictures:
        kept = cv2.bitwise_and(kept, cv2.bitwise_not(find_pictures(kept, dpi)))
    return cv2.bitwise_and(ink, cv2.bitwise_not(kept))


def remove_rules(
    page: np.ndarray, ink: np.ndarray, dpi: float, leaders: bool = True, pictures: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Erase rules (and dotted leaders) from ``page`` (white = 255); returns (page, ink).

    ``page`` may be the binary or the flattened grey page; ``ink`` is its ink mask (255)
    and is returned without the erased ink. Above 250 dpi the search runs on a copy
    reduced by two (a dot is still 2-3 pixels there) and four times fewer pixels; the
    erase mask is brought back and limited to the page's own ink.
    """
    factor = 2 if dpi >= 250 else 1
    erased = find_non_text(_pool(ink, factor), dpi / factor, leaders, pictures)
    if not erased.any():
        return page, ink
    if factor > 1:
        erased = cv2.resize(erased, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
        erased = cv2.copyMakeBorder(
            erased,
            0,
            ink.shape[0] - erased.shape[0],
            0,
            ink.shape[1] - erased.shape[1],
            cv2.BORDER_CONSTANT,
            value=0,
        )
    # the anti-aliased (grey) or ragged (binary) rim of a line lies just outside the mask
    erased = cv2.dilate(erased, np.ones((3, 3), np.uint8))
    erased = cv2.bitwise_and(erased, cv2.bitwise_or(ink, erased))
    page = page.copy()
    page[erased > 0] = 255
    return page, cv2.bitwise_and(ink, cv2.bitwise_not(erased))
