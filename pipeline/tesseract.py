"""The one place that talks to Tesseract.

Everything about the external program lives here, as OCRmyPDF keeps ``_exec/tesseract.py``:
the command-line options, the version and language checks, and parsing of its TSV output.
The pipeline asks for words and gets typed :class:`~sohoa.pipeline.models.OcrWord` values.

One page costs exactly one Tesseract run, with two renderers: TSV gives words, their boxes,
line membership and confidences, which is all the PDF text layer needs; hOCR, with the
LSTM's character choices switched on, tells where Tesseract hesitated between two letters
("THỦY" or "THÙY", a 6 or an 8): the words' :attr:`~OcrWord.variants`, which the field
checks weigh.
"""

from __future__ import annotations

import html
import os
import re
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
    #: the LSTM's character choices, rendered as hOCR in the same run: where the reading
    #: hesitated (OcrWord.variants). Off, words come with variants None (unknown)
    choices: bool = True

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
        tsv, hocr = _run(str(page), str(Path(folder) / "page"), dpi, config)
    table = pytesseract.pytesseract.file_to_dict(tsv, "\t", -1)
    return _words_from_tsv(table, _variants(hocr) if config.choices else None)


#: the renderers' switches: TSV, and hOCR with each character's choices (lstm_choice_mode
#: 2: the best choices at every character). The text and boxes stay what TSV alone gives.
_RENDERERS = "-c tessedit_create_tsv=1 -c lstm_choice_mode=2 -c hocr_char_boxes=1"


def _run(path: str, base: str, dpi: float, config: TesseractConfig) -> tuple[str, str]:
    """Tesseract's TSV and (with ``config.choices``) hOCR of the image at ``path``,
    written next to ``base``."""
    renderers = _RENDERERS if config.choices else "-c tessedit_create_tsv=1"
    try:
        pytesseract.pytesseract.run_tesseract(
            path,
            base,
            "hocr" if config.choices else "",
            config.lang,
            f"{config.command_line(dpi)} {renderers}",
            timeout=config.timeout_s,
        )
    except RuntimeError as exc:  # pytesseract's way of saying the timeout struck
        raise OcrTimeoutError(f"Tesseract took longer than {config.timeout_s:.0f} s") from exc
    hocr = Path(f"{base}.hocr")
    return (
        Path(f"{base}.tsv").read_text("utf-8", errors="replace"),
        hocr.read_text("utf-8", errors="replace") if config.choices else "",
    )


#: a character choice weighed at least this much against the one read, as a share of the
#: two (rival / (rival + read)), makes a variant of the word; below it, the network all
#: but ruled it out
VARIANT_FROM = 0.05
MAX_VARIANTS = 4  # per word, the most weighed first

_HOCR_PART = re.compile(
    r"class='ocrx_word'[^>]*title='bbox (\d+) (\d+) (\d+) (\d+)"  # a word starts
    r"|title='x_bboxes [^']*'>([^<]*)<"  # a character read
    r"|title='x_confs ([\d.]+)'>([^<]*)<"  # a choice weighed for the last character read
)

_Box = tuple[int, int, int, int]


def _variants(hocr: str) -> dict[_Box, tuple[str, tuple[tuple[str, float], ...]]]:
    """(left, top, width, height) of each word -> its text in hOCR and its variants: the
    word with one character swapped for a choice the network weighed for it, and that
    choice's share against the character read (:data:`VARIANT_FROM`)."""
    found: dict[_Box, tuple[str, tuple[tuple[str, float], ...]]] = {}
    box: _Box | None = None
    chars: list[str] = []
    choices: list[dict[str, float]] = []

    def close() -> None:
        if box is not None:
            found[box] = ("".join(chars), _swaps(chars, choices))

    for match in _HOCR_PART.finditer(hocr):
        if match.group(1) is not None:
            close()
            x0, y0, x1, y1 = (int(match.group(i)) for i in range(1, 5))
            box, chars, choices = (x0, y0, x1 - x0, y1 - y0), [], []
        elif match.group(5) is not None:
            chars.append(html.unescape(match.group(5)))
            choices.append({})
        elif choices:
            text = html.unescape(match.group(7))
            choices[-1][text] = max(choices[-1].get(text, 0.0), float(match.group(6)))
    close()
    return found


def _swaps(chars: list[str], choices: list[dict[str, float]]) -> tuple[tuple[str, float], ...]:
    swaps: list[tuple[str, float]] = []
    for index, (read, weighed) in enumerate(zip(chars, choices, strict=True)):
        own = weighed.get(read, 0.0)
        for other, weight in weighed.items():
            if other == read or weight <= 0:
                continue
            share = weight / (weight + own)
            if share >= VARIANT_FROM:
                text = "".join(chars[:index]) + other + "".join(chars[index + 1 :])
                swaps.append((text, round(share, 3)))
    swaps.sort(key=lambda swap: -swap[1])
    return tuple(swaps[:MAX_VARIANTS])


def _words_from_tsv(
    data: dict[str, list], variants: dict[_Box, tuple[str, tuple[tuple[str, float], ...]]] | None
) -> list[OcrWord]:
    words: list[OcrWord] = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        box = (
            int(data["left"][i]),
            int(data["top"][i]),
            int(data["width"][i]),
            int(data["height"][i]),
        )
        spelled, swaps = (variants or {}).get(box, ("", ()))
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
                variants=None if variants is None else swaps if spelled == text else (),
            )
        )
    return words
