"""Where the page is: resolution, orientation and skew, and the transform that undoes them.

Every geometric change is an affine map from the image before it to the image after it.
The clean-up composes them as 3x3 matrices so that the OCR stage can map a word box on the
cleaned page back to the original scan with one 2x3 matrix (:attr:`CleanedPage.to_original`).

Orientation and skew are judged on a small (about 150 dpi) ink mask, not on the full page:
they need line structure, not detail, and the small copy makes both cost milliseconds.
"""

from __future__ import annotations

import cv2
import numpy as np

ANALYSIS_DPI = 150.0  # enough for diacritics to stay separate marks; ~2 Mpx for A4
A4_LONG_INCHES = 11.69
DPI_RANGE = (50.0, 3000.0)  # a tag outside this is garbage, not a scan setting
MAX_PAGE_INCHES = 17.5  # A3 (16.5 in) is the largest sheet a dossier holds
_MAX_POINTS = 40_000  # ink pixels for the fine skew search; more adds time, not accuracy
_COARSE_POINTS = 12_000  # enough to find the peak within half a degree


def plausible_dpi(dpi: float, width: int, height: int) -> float:
    """``dpi`` when it is believable for a sheet of paper, else an A4 estimate from the size.

    Cameras and some encoders tag 72 or 96 dpi on a 3000-pixel page (a 40-inch "sheet");
    that is a screen default, not a scan setting, so the long side is taken to be A4's.
    """
    if DPI_RANGE[0] <= dpi <= DPI_RANGE[1] and max(width, height) / dpi <= MAX_PAGE_INCHES:
        return float(dpi)
    return float(min(max(max(width, height) / A4_LONG_INCHES, 100.0), 1200.0))


def working_scale(dpi: float, target_dpi: float, min_dpi: float) -> float:
    """The factor that brings a scan to the resolution the OCR works at.

    Pages above ``target_dpi`` are reduced (Tesseract gains nothing past ~300 dpi and the
    clean-up's cost grows with the pixel count); pages below ``min_dpi`` are enlarged to
    ``target_dpi``, because Tesseract's LSTM reads small x-heights poorly. In between, the
    page keeps its pixels: resampling costs time and blurs strokes for no gain.
    """
    if dpi > target_dpi * 1.1 or dpi < min_dpi:
        return target_dpi / dpi
    return 1.0


def resample(image: np.ndarray, scale: float) -> np.ndarray:
    """Resize by ``scale``: area averaging when reducing (no aliasing), cubic when enlarging.

    OpenCV averages areas fast only for a whole-number factor (6 ms against 120 ms for a
    600-dpi colour page), so a reduction takes the largest whole factor by area averaging
    and the rest (less than two) by linear interpolation, where aliasing cannot arise yet.
    """
    if scale == 1.0:
        return image
    if scale > 1.0:
        return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    whole = int(1.0 / scale + 1e-6)
    if whole >= 2:
        image = cv2.resize(image, None, fx=1 / whole, fy=1 / whole, interpolation=cv2.INTER_AREA)
    rest = scale * whole
    if abs(rest - 1.0) < 1e-6:
        return image
    return cv2.resize(image, None, fx=rest, fy=rest, interpolation=cv2.INTER_LINEAR)


def scale_matrix(sx: float, sy: float | None = None) -> np.ndarray:
    """3x3 matrix of a scaling about the origin (pixel corners, as cv2.resize maps them)."""
    sy = sx if sy is None else sy
    return np.array([[sx, 0.0, 0.0], [0.0, sy, 0.0], [0.0, 0.0, 1.0]])


def translation_matrix(dx: float, dy: float) -> np.ndarray:
    """3x3 matrix of a shift by ``(dx, dy)`` pixels (a crop is a shift by minus its corner)."""
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def analysis_ink(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, float]:
    """A small ink mask (ink 255) of the page and its resolution, for layout decisions.

    The background is flattened by a coarse closing before Otsu so that a shadow or yellow
    paper does not turn into "ink"; the result is only looked at, never shown to the OCR.
    """
    scale = min(1.0, ANALYSIS_DPI / dpi)
    small = resample(grey, scale)
    size = max(3, round(dpi * scale * 0.12) | 1)  # ~3 mm: wider than any stroke
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    flat = cv2.divide(small, background, scale=255)
    _, ink = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if np.count_nonzero(flat < 200) < 0.001 * flat.size:
        ink[:] = 0  # Otsu on a blank page splits paper grain; there is no ink at all
    return ink, dpi * scale


def text_ink(ink: np.ndarray, dpi: float) -> np.ndarray:
    """``ink`` without what is not text: straight lines longer than 8 mm (frames, table
    rules, scanner-lid edges), marks taller than 8 mm or wider than 25 mm (seals, logos,
    signatures, photos) and anything within 8 mm of the image edge (a tenth of a small one).

    Those are as sharp along one axis as across it, so they outvote the text lines in the
    quarter-turn test: on 60 generated scans, 14 upright or turned pages were turned the
    wrong way with them and none without."""
    reach = max(3, round(dpi * 8 / 25.4))
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, 1))
    )
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, reach))
    )
    lines = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    text = cv2.bitwise_and(ink, cv2.bitwise_not(lines))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    large = (stats[:, cv2.CC_STAT_HEIGHT] > reach) | (stats[:, cv2.CC_STAT_WIDTH] > dpi * 25 / 25.4)
    large[0] = False
    text[large[labels]] = 0
    # the remains of a scanner border's gradient line up along the edges; a small image (a
    # cropped card) gives up at most a tenth of its side
    margin = max(1, min(reach, min(text.shape) // 10))
    text[:margin], text[-margin:], text[:, :margin], text[:, -margin:] = 0, 0, 0, 0
    return text


def has_text(ink: np.ndarray, dpi: float, min_marks: int = 20) -> bool:
    """Whether an ink mask holds writing: at least ``min_marks`` marks of letter height
    (1-8 mm across), most of them with a neighbour on their line within two letter sizes.

    Paper grain and noise on a blank page also leave letter-sized marks (thousands, on a
    page with a dark border), but scattered; letters come in lines, along either axis
    since the page may lie turned."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    size = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    marks = stats[1:][(size >= dpi * 1.0 / 25.4) & (size <= dpi * 8.0 / 25.4)]
    if len(marks) < min_marks:
        return False
    x, y, w, h = (marks[:, i].astype(np.int64) for i in range(4))
    needed = max(min_marks, -(-len(marks) // 2))
    return _lined_up(x, w, y, h, needed) >= needed or _lined_up(y, h, x, w, needed) >= needed


def _lined_up(
    along: np.ndarray, length: np.ndarray, across: np.ndarray, size: np.ndarray, enough: int
) -> int:
    """How many marks (counting stops at ``enough``) have a next mark along the axis within
    two sizes, with one of their edges across the axis (a baseline or a top line) level
    with its own."""
    order = np.argsort(along)
    along, length, across, size = along[order], length[order], across[order], size[order]
    end, near_edge, far_edge = along + length, across, across + size
    count = 0
    for k in range(len(along)):
        reach = np.searchsorted(along, end[k] + 2 * size[k], side="right")
        tolerance = 0.3 * size[k]
        nxt = slice(k + 1, reach)
        if np.any(
            (np.abs(near_edge[nxt] - near_edge[k]) <= tolerance)
            | (np.abs(far_edge[nxt] - far_edge[k]) <= tolerance)
        ):
            count += 1
            if count >= enough:
                break
    return count


def _ink_points(ink: np.ndarray, limit: int = _MAX_POINTS) -> np.ndarray:
    """(x, y) float32 coordinates of ink pixels, evenly thinned to at most ``limit``."""
    ys, xs = np.nonzero(ink)
    step = max(1, -(-len(xs) // limit))
    return np.stack([xs[::step], ys[::step]], axis=1).astype(np.float32)


def _profile_energy(points: np.ndarray, angles_deg: np.ndarray) -> np.ndarray:
    """Sum of squared bin counts of the projection of ``points`` across lines at each angle.

    For a page whose text lines rise by ``a`` degrees to the right, ``y cos a + x sin a`` is
    constant along a line, so the projection is sharpest (highest energy) at ``a``.
    """
    x, y = points[:, 0], points[:, 1]
    energies = np.empty(len(angles_deg))
    for i, angle in enumerate(np.radians(angles_deg)):
        offsets = y * np.cos(angle) + x * np.sin(angle)
        bins = np.round(offsets - offsets.min()).astype(np.int64)
        counts = np.bincount(bins).astype(np.float64)
        energies[i] = float(np.dot(counts, counts))
    return energies


def _coarse_angle(points: np.ndarray, max_angle: float) -> tuple[float, float]:
    """The sharpest projection on a half-degree grid, from a thinned point set.

    Energies are divided by the squared point count so that two searches over different
    point sets (rows against columns) compare.
    """
    step = max(1, -(-len(points) // _COARSE_POINTS))
    sample = points[::step]
    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    energies = _profile_energy(sample, coarse)
    i = int(np.argmax(energies))
    return float(coarse[i]), float(energies[i]) / len(sample) ** 2


def _best_angle(points: np.ndarray, max_angle: float) -> tuple[float, float]:
    """Coarse-to-fine search of the sharpest projection; returns (angle, energy)."""
    best, _ = _coarse_angle(points, max_angle)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    energies = _profile_energy(points, fine)
    i = int(np.argmax(energies))
    angle = float(fine[i])
    if 0 < i < len(fine) - 1:  # parabola through the peak and its neighbours
        left, mid, right = energies[i - 1], energies[i], energies[i + 1]
        denominator = left - 2 * mid + right
        if denominator < 0:
            angle += 0.05 * 0.5 * (left - right) / denominator
    return angle, float(energies[i])


def estimate_skew(ink: np.ndarray, max_angle: float = 10.0) -> float:
    """The angle (degrees, counter-clockwise positive: lines rise to the right) of the text.

    Projection-profile search over ink pixels, coarse (0.5 degree) then fine (0.05 degree)
    with a parabolic peak fit; precise to about 0.1 degree at 150 dpi on a page of text.
    Returns 0.0 when there is too little ink to tell.
    """
    points = _ink_points(ink)
    if len(points) < 200:
        return 0.0
    angle, _ = _best_angle(points, max_angle)
    return round(angle, 2)


def _upside_down_score(ink: np.ndarray, strips: int = 4) -> float:
    """> 0 when more ink lies above the x-height band of the lines than below it.

    Latin script, and Vietnamese far more so, puts ascenders, capitals and nearly all
    diacritics above the x-height band, while only a few descenders and the dot below
    (dấu nặng) go under it. A page turned 180 degrees shows the reverse. Lines are found in
    vertical strips so that two columns with unaligned baselines do not blur each other.
    """
    width = ink.shape[1]
    above = below = 0.0
    for k in range(strips):
        strip = ink[:, k * width // strips : (k + 1) * width // strips]
        profile = np.count_nonzero(strip, axis=1).astype(np.float64)
        a, b = _above_below(profile)
        above += a
        below += b
    total = above + below
    return 0.0 if total == 0 else (above - below) / total


def _bands(profile: np.ndarray) -> list[tuple[int, int]]:
    """Runs of rows that hold ink, as (start, stop) pairs.

    A row counts when it holds more than a few percent of the busiest row's ink, so that
    specks of scanner noise between the lines do not join them into one band.
    """
    floor = max(0.0, 0.04 * float(profile.max()))
    rows = np.concatenate([[0], (profile > floor).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(rows))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _above_below(profile: np.ndarray) -> tuple[float, float]:
    """Ink above and below the x-height cores of the text lines in one strip's profile."""
    bands = _bands(profile)
    if not bands:
        return 0.0, 0.0
    heights = np.array([stop - start for start, stop in bands])
    line_height = float(np.median(heights[heights >= np.percentile(heights, 50)]))
    major = [b for b, h in zip(bands, heights, strict=True) if h >= 0.6 * line_height]
    if not major:
        return 0.0, 0.0
    above = below = 0.0
    for start, stop in major:
        if stop - start > 3 * line_height:
            continue  # a picture, a seal or a table cell wall, not a line of text
        line = profile[start:stop]
        core = np.flatnonzero(line >= 0.5 * line.max())
        above += float(line[: core[0]].sum())
        below += float(line[core[-1] + 1 :].sum())
    major_mid = np.array([(start + stop) / 2 for start, stop in major])
    for (start, stop), h in zip(bands, heights, strict=True):
        if h >= 0.6 * line_height:
            continue
        # a detached mark (a diacritic over capitals, a dot below): it counts for the side
        # of the nearest line it hangs on, if it is close enough to belong to one
        mid = (start + stop) / 2
        j = int(np.argmin(np.abs(major_mid - mid)))
        line_start, line_stop = major[j]
        gap = line_start - stop if mid < line_start else start - line_stop
        if gap > 0.5 * line_height:
            continue
        mass = float(profile[start:stop].sum())
        if mid < line_start:
            above += mass
        else:
            below += mass
    return above, below


def detect_orientation(ink: np.ndarray) -> int:
    """Clockwise rotation (0, 90, 180 or 270) that makes the page upright.

    0 vs 90: text lines make the projection across them far sharper than the projection
    along them, at the best skew angle of each direction. 0 vs 180: the ascender/diacritic
    asymmetry of :func:`_upside_down_score`. A page without enough ink stays as it is.
    """
    points = _ink_points(ink, _COARSE_POINTS)
    if len(points) < 500:
        return 0
    angle, rows = _coarse_angle(points, 10.0)
    _, columns = _coarse_angle(points[:, ::-1].copy(), 10.0)
    quarter = 0
    if columns > rows * 1.05:  # lines run top to bottom: turn a quarter first
        ink = cv2.rotate(ink, cv2.ROTATE_90_CLOCKWISE)
        quarter = 90
        angle, _ = _coarse_angle(_ink_points(ink, _COARSE_POINTS), 10.0)
    upright = deskew(ink, angle, border=0)
    if _upside_down_score(upright) < 0:
        quarter += 180
    return quarter % 360


_ROTATE_CODES = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


def rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    """Turn by a multiple of 90 degrees clockwise (exact, no resampling)."""
    degrees %= 360
    return image if degrees == 0 else cv2.rotate(image, _ROTATE_CODES[degrees])


def rotation_matrix(degrees: int, width: int, height: int) -> np.ndarray:
    """3x3 map of pixel coordinates under :func:`rotate` of a ``width`` x ``height`` image."""
    degrees %= 360
    if degrees == 90:  # (x, y) -> (H - y, x)
        return np.array([[0.0, -1.0, height], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    if degrees == 180:
        return np.array([[-1.0, 0.0, width], [0.0, -1.0, height], [0.0, 0.0, 1.0]])
    if degrees == 270:  # (x, y) -> (y, W - x)
        return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, width], [0.0, 0.0, 1.0]])
    return np.eye(3)


def deskew_matrix(angle: float, width: int, height: int) -> np.ndarray:
    """3x3 map that turns lines rising by ``angle`` degrees level, about the page centre.

    In pixel-corner coordinates (a pixel ``i`` spans ``[i, i+1)``), as the other matrices.
    """
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), -angle, 1.0)
    return np.vstack([matrix, [0.0, 0.0, 1.0]])


def deskew(image: np.ndarray, angle: float, border: int = 255) -> np.ndarray:
    """Rotate about the centre so that text rising by ``angle`` degrees becomes level.

    The page keeps its size (the corners that turn out are margins) and the uncovered
    corners are filled with ``border`` (paper white by default).
    """
    if angle == 0.0:
        return image
    height, width = image.shape[:2]
    # cv2 samples at pixel centres: the centre of the page in those terms is (W-1)/2
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2.0, (height - 1) / 2.0), -angle, 1.0)
    return cv2.warpAffine(
        image,
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )


#: a word leaning more than this (horizontal shift per pixel of height, about 6 degrees)
#: is italic or handwritten. Upright faces measure 0.00-0.13 on digits (curves lean both
#: ways); the italic "pen" faces of the field corpora mostly 0.14-0.23, some 0.11. Shearing
#: an upright word a little does it no harm (0.03, 0.10 and 0.13 read seed 2050 alike)
SLANT_FROM = 0.1
_STROKE_EDGES = 1.5  # |gx| over |gy|: an edge of a stroke that stands up, not of a bowl


def estimate_slant(word: np.ndarray) -> float:
    """How far a word's upright strokes lean to the right: the shift per pixel of height
    (tan of the angle from vertical; negative where they lean left).

    The weighted median of the edges' direction where a stroke stands more up than across,
    on the word smoothed to its stroke scale, so that a binarized word's stair-step edges
    do not count as upright (a projection profile was fooled by bold, blotted digits and
    by the slashes of a date: 0.25 for an upright card number)."""
    grey = word.astype(np.float32)
    grey = cv2.GaussianBlur(grey, (0, 0), max(1.0, word.shape[0] / 30))
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    strength = np.hypot(gx, gy)
    upright = (np.abs(gx) > _STROKE_EDGES * np.abs(gy)) & (strength > 0.25 * strength.max())
    if np.count_nonzero(upright) < 20:
        return 0.0
    leans, weights = gy[upright] / gx[upright], strength[upright]
    order = np.argsort(leans)
    cumulative = np.cumsum(weights[order])
    return float(leans[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def unslant(word: np.ndarray, slant: float, border: int = 255) -> np.ndarray:
    """The word sheared upright (:func:`estimate_slant`), widened to keep every stroke."""
    height, width = word.shape[:2]
    extra = int(abs(slant) * height) + 2
    shear = np.float32([[1, slant, -slant * height / 2 + extra / 2], [0, 1, 0]])
    return cv2.warpAffine(
        word,
        shear,
        (width + extra, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )
