"""The one place that talks to Tesseract.

Everything about the OCR engine lives here, as OCRmyPDF keeps ``_exec/tesseract.py``: its
options, the language checks, and parsing of what it returns. The pipeline asks for words
and gets typed :class:`~sohoa.pipeline.models.OcrWord` values.

Tesseract runs in the worker's own process, through its C++ API (tesserocr, built against
Debian's libtesseract): each worker loads a model once and keeps it, where a ``tesseract``
program per page started a process, loaded the model and read a file written for it --
over a quarter of the page stage's time (docs/ocr-models.md), and most of the time of a small
re-reading such as the second look at numbers (sohoa.pipeline.reread).

One page costs exactly one recognition, read out twice: as TSV, the words, their boxes,
line membership and confidences, which is all the PDF text layer needs; as hOCR, with the
LSTM's character choices switched on, where Tesseract hesitated between two letters
("THỦY" or "THÙY"): the words' :attr:`~OcrWord.variants`, which the field checks weigh.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import html
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache

import cv2
import numpy as np
from PIL import Image

# Tesseract's LSTM spreads a line over OpenMP threads, and OpenMP reads its limit once,
# when the library loads: set before the import, or every worker runs four threads and the
# workers fight over the cores (2.2x the page stage's wall time on 2 cores). Processes
# are the parallelism here (sohoa.pipeline.runner).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
import tesserocr

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

    def load_variables(self) -> dict[str, str]:
        """Tesseract's variables read when a model is loaded (word lists)."""
        variables = {}
        if self.user_words:
            variables["user_words_file"] = self.user_words
        if self.user_patterns:
            variables["user_patterns_file"] = self.user_patterns
        return variables

    def run_variables(self) -> dict[str, str]:
        """Tesseract's variables for recognizing, set once its model is loaded: given with
        the model instead, the model's own settings override them (the results differed
        from the ``tesseract`` program's on 38 of 102 pages)."""
        # the clean-up hands over dark print on white paper: Tesseract's retry of unsure
        # lines as white-on-black text costs 2 % of the OCR time; on the benchmark corpus
        # dropping it moved the CER by 0.04 points (noise)
        variables = {"tessedit_do_invert": "0"}
        if self.choices:
            variables |= {"lstm_choice_mode": "2", "hocr_char_boxes": "1"}
        return variables | dict(self.variables)


class OcrTimeoutError(SohoaError):
    """Tesseract took longer than the configured limit on one page."""


@cache
def check_installation(lang: str, tessdata_dir: str | None = None) -> str:
    """Return Tesseract's version, or raise if a language is missing."""
    _, available = tesserocr.get_languages(_datapath(tessdata_dir))
    missing = [code for code in lang.split("+") if code not in available]
    if missing:
        where = tessdata_dir or "the system tessdata"
        raise MissingDependencyError(
            f"Tesseract language data missing in {where}: {', '.join(missing)}"
        )
    return tesserocr.tesseract_version().splitlines()[0]


def recognize(image: np.ndarray, dpi: float, config: TesseractConfig) -> list[OcrWord]:
    """Recognize ``image`` once and return its words in reading order.

    Boxes are in the pixel space of ``image``; the caller maps them elsewhere if needed.
    Empty detections (Tesseract reports layout rows with no text) are dropped.
    """
    api = _engine(replace(config, psm=0))  # one engine for every layout mode: ~27 MB each
    api.SetPageSegMode(config.psm)
    api.SetImage(_picture(image))
    api.SetSourceResolution(round(dpi))
    try:
        if not api.Recognize(timeout=round(config.timeout_s * 1000)):
            raise OcrTimeoutError(f"Tesseract took longer than {config.timeout_s:.0f} s")
        tsv = api.GetTSVText(0)
        hocr = api.GetHOCRText(0) if config.choices else None
    finally:
        api.Clear()  # the engine keeps its model, not the page
    return _words_from_tsv(tsv, None if hocr is None else _variants(hocr))


@cache
def _engine(config: TesseractConfig) -> tesserocr.PyTessBaseAPI:
    """This process's Tesseract for ``config``, started once and kept: a worker reads
    page after page with it (its layout mode is set for each recognition)."""
    check_installation(config.lang, config.tessdata_dir)
    _quiet_leptonica()
    api = tesserocr.PyTessBaseAPI(
        path=_datapath(config.tessdata_dir),
        lang=config.lang,
        oem=config.oem,
        variables=config.load_variables(),
    )
    for name, value in config.run_variables().items():
        if not api.SetVariable(name, value):
            raise SohoaError(f"Tesseract has no variable {name!r}")
    return api


@cache
def _quiet_leptonica() -> None:
    """Keep Leptonica, the image library under Tesseract, from writing its own complaints
    ("Error in boxClipToRectangle: box outside rectangle") onto sohoa's stderr: they said
    nothing to a clerk, and the program per page kept them to itself."""
    found = ctypes.util.find_library("lept")
    if found is not None:
        ctypes.CDLL(found).setMsgSeverity(_LEPTONICA_SILENT)


_LEPTONICA_SILENT = 6  # L_SEVERITY_NONE


def _datapath(tessdata_dir: str | None) -> str:
    """The tessdata folder as the engine wants it (with a trailing slash), or its own."""
    return os.path.join(tessdata_dir, "") if tessdata_dir else tesserocr.get_languages()[0]


def _picture(image: np.ndarray) -> Image.Image:
    """An OpenCV image (grey, or BGR) as the PIL image the engine reads."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return Image.fromarray(image)


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
    tsv: str, variants: dict[_Box, tuple[str, tuple[tuple[str, float], ...]]] | None
) -> list[OcrWord]:
    """The words of Tesseract's TSV rows (level, page, block, paragraph, line, word, left,
    top, width, height, confidence, text), with their variants where known."""
    words: list[OcrWord] = []
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":  # level 5: a word
            continue
        # whole numbers, as every threshold downstream was set on (pytesseract's reading)
        text, conf = cells[11].strip(), float(int(float(cells[10])))
        if not text or conf < 0:
            continue
        block, paragraph, line = (int(cells[i]) for i in (2, 3, 4))
        box = (int(cells[6]), int(cells[7]), int(cells[8]), int(cells[9]))
        spelled, swaps = (variants or {}).get(box, ("", ()))
        words.append(
            OcrWord(
                text=text,
                left=box[0],
                top=box[1],
                width=box[2],
                height=box[3],
                confidence=conf,
                block=block,
                paragraph=paragraph,
                line=line,
                variants=None if variants is None else swaps if spelled == text else (),
            )
        )
    return words
