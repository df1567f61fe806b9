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


def find_dotted_leaders(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Mask of the dots (or dashes) of leader rows, sparing diacritics and colons."""
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    areas = stats[:, cv2.CC_STAT_AREA]
    small = (
        (heights <= mm(dpi, _DOT_MAX_HEIGHT_MM))
        & (widths <= mm(dpi, _DOT_MAX_WIDTH_MM))
        & (areas >= mm(dpi, 0.15) ** 2)  # a speck of noise is not a dot, at 200+ dpi
    )
    small[0] = False
    candidates = np.flatnonzero(small)
    if len(candidates) < _LEADER_MIN_DOTS:
        return np.zeros_like(ink)

    # rows of marks: draw the candidates on a half-size map, close the gaps along the row
    factor = 2
    rows = np.zeros((ink.shape[0] // factor + 1, ink.shape[1] // factor + 1), np.uint8)
    for label in candidates:
        x, y, w, h = stats[label, :4] // factor
        rows[y : y + max(1, h), x : x + max(1, w)] = 255
    gap = max(1, mm(dpi, _DOT_MAX_GAP_MM) // factor)
    rows = cv2.morphologyEx(rows, cv2.MORPH_CLOSE, np.ones((1, gap), np.uint8))
    row_count, row_labels, row_stats, _ = cv2.connectedComponentsWithStats(rows, connectivity=8)
    cx = np.clip((centroids[candidates, 0] / factor).astype(int), 0, rows.shape[1] - 1)
    cy = np.clip((centroids[candidates, 1] / factor).astype(int), 0, rows.shape[0] - 1)
    row_of = row_labels[cy, cx]
    members = np.bincount(row_of, minlength=row_count)
    long_enough = row_stats[:, cv2.CC_STAT_WIDTH] * factor >= mm(dpi, _LEADER_MIN_MM)
    flat = row_stats[:, cv2.CC_STAT_HEIGHT] * factor <= 2 * mm(dpi, _DOT_MAX_HEIGHT_MM)

    leader = np.zeros(count, bool)
    for row in np.flatnonzero((members >= _LEADER_MIN_DOTS) & long_enough & flat):
        dots = candidates[row_of == row]
        # one size: a leader is one glyph repeated; diacritics in a text line vary
        median_h, median_area = np.median(heights[dots]), np.median(areas[dots])
        bottoms = stats[dots, cv2.CC_STAT_TOP] + heights[dots]
        same = (
            (np.abs(heights[dots] - median_h) <= max(1.0, 0.3 * median_h))
            & (np.abs(areas[dots] - median_area) <= 0.5 * median_area)
            # on one baseline: a dot below (dấu nặng) hangs lower than the leader's dots
            & (np.abs(bottoms - np.median(bottoms)) <= max(1.0, 0.5 * median_h))
        )
        if np.count_nonzero(same) < _LEADER_MIN_DOTS:
            continue
        # evenly filled: marks cover the row's length at the leader's pitch
        xs = np.sort(centroids[dots[same], 0])
        pitches = np.diff(xs)
        if len(pitches) and np.median(pitches) > mm(dpi, _DOT_MAX_GAP_MM):
            continue
        leader[dots[same]] = True
    if not leader.any():
        return np.zeros_like(ink)

    mask = (leader.astype(np.uint8) * 255)[labels]
    # spare a mark with a letter just above it (a dot below, dấu nặng) or a mark of its own
    # kind a little higher (the lower dot of a colon); `above` looks up from each pixel
    marks = ((small & ~leader).astype(np.uint8) * 255)[labels]
    letters = cv2.bitwise_and(ink, cv2.bitwise_not(cv2.bitwise_or(marks, mask)))
    near = _look_up(letters, mm(dpi, _LETTER_CLEARANCE_MM))
    near = cv2.bitwise_or(near, _look_up(marks, mm(dpi, _MARK_CLEARANCE_MM)))
    for label in np.flatnonzero(leader):
        x, y, w, h = stats[label, :4]
        if near[y, x : x + w].any():
            mask[y : y + h, x : x + w][labels[y : y + h, x : x + w] == label] = 0
    return mask


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


def find_non_text(ink: np.ndarray, dpi: float, leaders: bool = True) -> np.ndarray:
    """Mask of rule and leader ink to erase (255), letters crossing a rule spared."""
    rules = find_rules(ink, dpi)
    kept = cv2.bitwise_and(ink, cv2.bitwise_not(rules))
    if rules.any():
        kept = _repair_strokes(kept, rules, dpi)
    if leaders:
        kept = cv2.bitwise_and(kept, cv2.bitwise_not(find_dotted_leaders(kept, dpi)))
    return cv2.bitwise_and(ink, cv2.bitwise_not(kept))


def remove_rules(
    page: np.ndarray, ink: np.ndarray, dpi: float, leaders: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Erase rules (and dotted leaders) from ``page`` (white = 255); returns (page, ink).

    ``page`` may be the binary or the flattened grey page; ``ink`` is its ink mask (255)
    and is returned without the erased ink. Above 250 dpi the search runs on a copy
    reduced by two (a dot is still 2-3 pixels there) and four times fewer pixels; the
    erase mask is brought back and limited to the page's own ink.
    """
    factor = 2 if dpi >= 250 else 1
    erased = find_non_text(_pool(ink, factor), dpi / factor, leaders)
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
