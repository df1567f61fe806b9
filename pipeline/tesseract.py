"""The one place that talks to Tesseract.

Everything about the external program lives here, as OCRmyPDF keeps ``_exec/tesseract.py``:
the command-line options, the version and language checks, and parsing of its TSV output.
The pipeline asks for words and gets typed :class:`~sohoa.pipeline.models.OcrWord` values.

One page costs exactly one Tesseract run: the TSV renderer gives words, their boxes, line
membership and confidences, which is all that extraction and the PDF text layer need later.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytesseract

from .errors import MissingDependencyError, SohoaError
from .models import OcrWord


@dataclass(frozen=True, slots=True)
class TesseractConfig:
    """How Tesseract is run; picklable, so it travels to worker processes."""

    lang: str = "vie"
    tessdata_dir: str | None = None
    # 4, "one column of text of variable sizes": reads lines across the page, as forms and
    # tables are read; the default 3 cut table columns and numbered lists into blocks of
    # their own (CER 8.4% -> 6.3% on the benchmark corpus, docs/ocr-models.md). Side by
    # side blocks are put in order by sohoa.pipeline.layout instead.
    psm: int = 4
    oem: int = 1  # LSTM only
    user_words: str | None = None
    user_patterns: str | None = None
    variables: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    timeout_s: float = 180.0

    def command_line(self, dpi: float) -> str:
        """The options after the image name, as pytesseract's ``config`` string."""
        parts = [f"--oem {self.oem}", f"--psm {self.psm}", f"--dpi {round(dpi)}"]
        # the clean-up hands over dark print on white paper: Tesseract's retry of unsure
        # lines as white-on-black text costs 2 % of the OCR time; on the benchmark corpus
        # dropping it moved the CER by 0.04 points (noise)
        parts.append("-c tessedit_do_invert=0")
        if self.tessdata_dir:
            parts.append(f'--tessdata-dir "{self.tessdata_dir}"')
        if self.user_words:
            parts.append(f'--user-words "{self.user_words}"')
        if self.user_patterns:
            parts.append(f'--user-patterns "{self.user_patterns}"')
        parts.extend(f"-c {name}={value}" for name, value in self.variables)
        return " ".join(parts)


class OcrTimeoutError(SohoaError):
    """Tesseract took longer than the configured limit on one page."""


@cache
def check_installation(lang: str, tessdata_dir: str | None = None) -> str:
    """Return Tesseract's version, or raise if the program or a language is missing."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MissingDependencyError(
            "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)"
        )
    config = f'--tessdata-dir "{tessdata_dir}"' if tessdata_dir else ""
    available = set(pytesseract.get_languages(config=config))
    missing = [code for code in lang.split("+") if code not in available]
    if missing:
        where = tessdata_dir or "the system tessdata"
        raise MissingDependencyError(
            f"Tesseract language data missing in {where}: {', '.join(missing)}"
        )
    return str(pytesseract.get_tesseract_version())


def recognize(image: np.ndarray, dpi: float, config: TesseractConfig) -> list[OcrWord]:
    """Run Tesseract once on ``image`` and return its words in reading order.

    Boxes are in the pixel space of ``image``; the caller maps them elsewhere if needed.
    Empty detections (Tesseract reports layout rows with no text) are dropped.
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    # handed over as an uncompressed BMP: pytesseract would write a PNG, whose compression
    # costs 70 ms of a 1-s page (profiled on the benchmark corpus) and buys nothing
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as folder:
        page = Path(folder) / "page.bmp"
        if not cv2.imwrite(str(page), image):
            raise SohoaError(f"could not write the page for Tesseract into {folder}")
        data = _run(str(page), dpi, config)
    return _words_from_tsv(data)


def _run(path: str, dpi: float, config: TesseractConfig) -> dict[str, list]:
    try:
        return pytesseract.image_to_data(
            path,
            lang=config.lang,
            config=config.command_line(dpi),
            output_type=pytesseract.Output.DICT,
            timeout=config.timeout_s,
        )
    except RuntimeError as exc:  # pytesseract's way of saying the timeout struck
        raise OcrTimeoutError(f"Tesseract took longer than {config.timeout_s:.0f} s") from exc


def _words_from_tsv(data: dict[str, list]) -> list[OcrWord]:
    words: list[OcrWord] = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        words.append(
            OcrWord(
                text=text,
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                confidence=conf,
                block=int(data["block_num"][i]),
                paragraph=int(data["par_num"][i]),
                line=int(data["line_num"][i]),
            )
        )
    return words
