"""From colour to grey, leaving out the ink the OCR must not read.

Vietnamese administrative papers carry a red seal (con dấu, often over the signer's printed
name and the date) and a blue ballpoint signature -- and forms carry the citizen's own
blue handwriting, which is data, not noise: only signature-sized blue marks go. Seal and
signature sit on or near text and Tesseract turns them into garbage words or merges them
into the printed line. Their colour gives them away as long as the page is still in
colour, so this stage runs before the page turns grey.

The trick that keeps black text under a seal: a suppressed pixel takes the *largest* of its
three channels instead of the luminance. Red ink is bright in the red channel and blue ink in
the blue channel, so both turn light; black ink is dark in every channel and stays dark, even
where it is overprinted by the seal.
"""

from __future__ import annotations

import cv2
import numpy as np

# HSV thresholds (OpenCV: H in 0..179, S and V in 0..255). Red wraps around 0.
_RED_HUES = ((0, 12), (150, 179))  # red seal ink up to magenta
_BLUE_HUES = ((95, 135),)  # ballpoint blue to violet-blue
_MIN_SATURATION = 70  # pale tints of the paper or a background pattern stay
_MIN_VALUE = 60  # nearly black ink is black ink, whatever its hue
_SEAL_MIN_MM = 12.0  # a seal or a title stamp; a red printed title line is lower than this
_SIGNATURE_MIN_MM = 8.0  # a signature's flourish; a line of handwriting is lower than this
_SEAL_MAX_MM = 70.0  # seals are 30-50 mm across; a red border round the page is no seal
_MM_PER_INCH = 25.4


def to_grey(image: np.ndarray) -> np.ndarray:
    """Luminance of a BGR image; a single-channel image is returned as it is."""
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _hue_mask(
    hsv: np.ndarray, hues: tuple[tuple[int, int], ...], saturation: int = _MIN_SATURATION
) -> np.ndarray:
    mask = np.zeros(hsv.shape[:2], np.uint8)
    for low, high in hues:
        part = cv2.inRange(hsv, (low, saturation, _MIN_VALUE), (high, 255, 255))
        mask = cv2.bitwise_or(mask, part)
    return mask


def _reduce(image: np.ndarray, dpi: float, to_dpi: float) -> tuple[np.ndarray, int]:
    factor = max(1, int(dpi / to_dpi))
    size = (max(1, image.shape[1] // factor), max(1, image.shape[0] // factor))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), factor


def _boxes(
    mask: np.ndarray, min_side: float = 0.0, max_side: float = float("inf")
) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x, y, w, h) of the mask's components ``min_side`` to ``max_side``
    each way."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [
        tuple(int(v) for v in stats[label, :4])
        for label in range(1, count)
        if min_side <= stats[label, cv2.CC_STAT_WIDTH] <= max_side
        and min_side <= stats[label, cv2.CC_STAT_HEIGHT] <= max_side
    ]


def colour_regions(image: np.ndarray, dpi: float, red: bool = True, blue: bool = True):
    """Where seals and blue ink are, as full-resolution boxes, found on a ~75-dpi copy.

    Strokes blend with the paper when the page is reduced, so the copy is judged with half
    the saturation the full page needs; the boxes only say where to look closely. Red counts
    only as a seal or stamp: a group (strokes within ~1.5 mm) at least :data:`_SEAL_MIN_MM`
    tall and wide, and at most :data:`_SEAL_MAX_MM`. Blue counts only as a signature: a group
    at least :data:`_SIGNATURE_MIN_MM` tall; a line of handwriting -- the values a citizen
    wrote into a form -- is lower, and stays for the OCR. A red title or serial printed on a
    land-use certificate is one line high and stays -- also inside the certificate's red
    border, which is no seal (its box, the whole page, would take the serial with it).
    """
    small, factor = _reduce(image[:, :, :3], dpi, 75.0)
    small_dpi = dpi / factor
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    reach = max(3, round(small_dpi * 1.5 / _MM_PER_INCH) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))
    boxes: list[tuple[int, int, int, int]] = []
    if red:
        grouped = cv2.dilate(_hue_mask(hsv, _RED_HUES, _MIN_SATURATION // 2), kernel)
        mm = small_dpi / _MM_PER_INCH
        boxes += _boxes(grouped, mm * _SEAL_MIN_MM, mm * _SEAL_MAX_MM)
    if blue:
        blue_ink = cv2.dilate(_hue_mask(hsv, _BLUE_HUES, _MIN_SATURATION // 2), kernel)
        boxes += [  # a signature, not a line of handwriting (a form filled in by pen)
            box
            for box in _boxes(blue_ink, small_dpi * 1.0 / _MM_PER_INCH)  # not chroma noise
            if box[3] >= small_dpi * _SIGNATURE_MIN_MM / _MM_PER_INCH
        ]
    margin = 2
    height, width = image.shape[:2]
    regions = []
    for x, y, w, h in boxes:
        x0, y0 = max(0, (x - margin) * factor), max(0, (y - margin) * factor)
        x1 = min(width, (x + w + margin) * factor)
        y1 = min(height, (y + h + margin) * factor)
        regions.append((x0, y0, x1, y1))
    return regions


def suppress_seal_and_signature(
    image: np.ndarray, dpi: float, red: bool = True, blue: bool = True
) -> np.ndarray:
    """Grey page with red seals and blue ink lightened away, black text kept.

    ``image`` is BGR; a grey image is returned unchanged (there is no colour to go by).
    Only the regions :func:`colour_regions` finds are examined at full resolution.
    """
    grey = to_grey(image)
    if image.ndim == 2 or not (red or blue):
        return grey
    hues = (_RED_HUES if red else ()) + (_BLUE_HUES if blue else ())
    for x0, y0, x1, y1 in colour_regions(image, dpi, red, blue):
        bgr = image[y0:y1, x0:x1, :3]
        mask = _hue_mask(cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV), hues)
        # grow the mask by a pixel: the anti-aliased rim of a stroke is less saturated
        mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
        brightest = bgr.max(axis=2)
        np.copyto(grey[y0:y1, x0:x1], brightest, where=mask > 0)
    return grey
