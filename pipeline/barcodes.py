"""QR codes and Code 128 barcodes on a page: a separator sheet's dossier code, a CCCD's QR.

Read with zxing-cpp on the original page (the clean-up erases codes as pictures), at no
more than :data:`SEARCH_DPI`: a separator's code and the QR of a card scanned at 300 dpi
read there in about 13 ms a page, where a whole A4 page at full resolution costs 110 ms
(9 % of the OCR). A small document cut out of the page (a card scanned at 200 dpi, whose
QR modules are then too small) is searched again at full resolution, inside its box only.
"""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from .models import Barcode

SEARCH_DPI = 150.0
_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.Code128)


def read_barcodes(
    image: np.ndarray, dpi: float, box: tuple[int, int, int, int] | None = None
) -> list[Barcode]:
    """The codes on ``image`` (BGR or grey), searched at ``SEARCH_DPI`` -- or, inside
    ``box`` (left, top, right, bottom), at the image's own resolution."""
    left, top = 0, 0
    scale = 1.0
    if box is not None:
        left, top, right, bottom = box
        image = image[top:bottom, left:right]
    elif dpi > SEARCH_DPI:
        scale = SEARCH_DPI / dpi
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    found = []
    for code in zxingcpp.read_barcodes(grey, formats=_FORMATS):
        position = code.position
        corners = np.array(
            [
                (p.x, p.y)
                for p in (
                    position.top_left,
                    position.top_right,
                    position.bottom_left,
                    position.bottom_right,
                )
            ],
            float,
        )
        corners = corners / scale + (left, top)
        x0, y0 = corners.min(axis=0)
        x1, y1 = corners.max(axis=0)
        found.append(
            Barcode(code.format.name, code.text, (int(x0), int(y0), int(x1 - x0), int(y1 - y0)))
        )
    return found
