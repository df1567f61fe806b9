"""Two-page spreads: found and cut at the fold on generated booklet scans, and the pages that
look like one (landscape, turned, blank, a separator, a card, a wide list) left whole.

Every image comes from the synth with a fixed seed, at 150-200 dpi to keep the file fast.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from sohoa.pipeline.preprocess import Spread, find_spread, to_grey
from sohoa.pipeline.preprocess.geometry import analysis_ink, has_text, text_ink
from sohoa.synth import (
    apply_scan,
    blank_page,
    draw_params,
    render_document,
    separator_sheet,
)
from sohoa.synth.spread import (
    ScannedSpread,
    canvas_to_scan,
    landscape_list,
    render_spread,
    scan_spread,
    two_column_page,
)

FOLD_MM = 3.0  # a cut guided by the gutter's shadow or crease lies this close to the fold

# seed, kind, scan level, dpi, how the fold shows, upside down
SPREADS = [
    (1, "household_register", "mild", 200, "shadow", False),
    (2, "household_register", "medium", 150, "line", True),
    (3, "household_register", "hard", 150, "shadow+line", False),
    (4, "household_register", "medium", 150, "plain", False),
    (5, "land_use_certificate", "mild", 150, "line", False),
    (6, "land_use_certificate", "medium", 150, "shadow", True),
    (7, "land_use_certificate", "hard", 150, "plain", False),
]


def _bgr(image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image)[..., ::-1])


@cache
def _spread(seed: int, kind: str, level: str, dpi: int, gutter: str, upside_down: bool):
    rng = random.Random(f"spread-{seed}")
    _, spread = render_spread(rng, dpi, kind, gutter)
    scanned = scan_spread(spread, level, rng, dpi, upside_down)
    return spread, scanned, _bgr(scanned.image)


def _page_columns(spread, scanned: ScannedSpread) -> list[tuple[float, float]]:
    """The leftmost and rightmost scan column of each page's printed lines, in reading
    order (the left page's first)."""
    matrix = canvas_to_scan(spread, scanned.params, scanned.image.size)
    split = len(spread.pages[0].lines)
    out = []
    for lines in (spread.lines[:split], spread.lines[split:]):
        corners = np.array(
            [(x, y, 1.0) for line in lines for x in line.box[::2] for y in line.box[1::2]]
        )
        xs = (matrix @ corners.T)[0]
        out.append((float(xs.min()), float(xs.max())))
    return out


@pytest.mark.parametrize(("seed", "kind", "level", "dpi", "gutter", "upside_down"), SPREADS)
def test_a_spread_is_cut_at_its_fold(
    seed: int, kind: str, level: str, dpi: int, gutter: str, upside_down: bool
) -> None:
    spread, scanned, image = _spread(seed, kind, level, dpi, gutter, upside_down)
    found = find_spread(image, dpi)
    assert found is not None
    assert found.upside_down is upside_down
    if gutter != "plain":  # a fold that shows is cut through; a plain one in the gap
        assert abs(found.x - scanned.fold_x) <= FOLD_MM * dpi / 25.4
        assert found.cue == "dark"
    # every printed line stays whole, on its own page's side of the cut
    first, second = _page_columns(spread, scanned)
    if upside_down:
        first, second = second, first  # on the scan, the first page is on the right
    assert first[1] < found.x < second[0]


def test_the_halves_are_pages_in_reading_order() -> None:
    *_, image = _spread(*SPREADS[1])  # upside down: the right half comes first
    found = find_spread(image, 150)
    assert found is not None and found.upside_down
    first, second = found.pages(image)
    assert np.shares_memory(first, image[:, found.x :])
    assert first.shape[1] + second.shape[1] == image.shape[1]
    for half in (first, second):
        ink, dpi = analysis_ink(to_grey(half), 150)
        assert has_text(text_ink(ink, dpi), dpi)
        height, width = half.shape[:2]
        assert 1.2 < height / width < 1.7  # portrait, like a page


def _document(doc_type: str, seed: int):
    return render_document(doc_type, random.Random(f"doc-{seed}"), 150).pages[0]


# name: the clean page, scan level, scan dpi, the turn the scan shows (clockwise degrees)
NOT_SPREADS = {
    "portrait page": (lambda: _document("application_form", 1), "mild", 150, 0),
    "portrait page turned 90": (lambda: _document("birth_certificate", 2), "mild", 150, 90),
    "register page turned 270": (lambda: _document("household_register", 3), "medium", 150, 270),
    "two columns": (lambda: two_column_page(random.Random(4), 150), "mild", 150, 0),
    "two columns turned 90": (lambda: two_column_page(random.Random(5), 150), "medium", 150, 90),
    "blank turned 90": (lambda: blank_page(random.Random(6), 150), "medium", 150, 90),
    "separator": (lambda: separator_sheet(random.Random(7), 150, "H29-0007"), "mild", 150, 0),
    "separator turned 270": (
        lambda: separator_sheet(random.Random(8), 150, "H29-0008", "qr"),
        "mild",
        150,
        270,
    ),
    "card cut out": (lambda: _document("citizen_id_card", 13), "mild", 200, 0),
    "card on the bed turned 90": (lambda: _document("citizen_id_card", 10), "mild", 200, 90),
    "wide list": (lambda: landscape_list(random.Random(11), 150), "mild", 150, 0),
    "wide list upside down": (lambda: landscape_list(random.Random(12), 150), "medium", 150, 180),
}


@pytest.mark.parametrize("name", NOT_SPREADS)
def test_one_page_is_not_split(name: str) -> None:
    make, level, dpi, turn = NOT_SPREADS[name]
    page = make()
    rng = random.Random(name)
    params = replace(draw_params(level, rng, dpi, allow_turn=False), rotation=turn)
    image = _bgr(apply_scan(page.image, page.dpi, params, rng))
    assert find_spread(image, dpi) is None


def test_the_cut_is_cheap() -> None:
    _, _, image = _spread(*SPREADS[0])
    find_spread(image, 200)  # warm the caches
    started = time.perf_counter()
    assert find_spread(image, 200) is not None
    # ~40 ms on a quiet core; leave room for a loaded test machine
    assert time.perf_counter() - started < 0.5
    portrait = np.full((3508, 2480), 255, np.uint8)
    started = time.perf_counter()
    assert find_spread(portrait, 300) is None  # answered from the size alone
    assert time.perf_counter() - started < 0.001


def test_pages_gives_the_halves_in_reading_order() -> None:
    image = np.arange(2 * 10).reshape(2, 10)
    left, right = Spread(x=4, upside_down=False, cue="gap").pages(image)
    assert left.shape == (2, 4) and right.shape == (2, 6) and left[0, 0] == 0
    first, second = Spread(x=4, upside_down=True, cue="gap").pages(image)
    assert first.shape == (2, 6) and second.shape == (2, 4)
