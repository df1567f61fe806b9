"""Which CONTRACT document type a page or a document is, and how sure that is.

Two cues, each good where the other is weak:

- the printed title ("GIẤY KHAI SINH"), matched folded and fuzzily at the start of one of
  the first lines, in capitals as titles are printed (``ocr_models/classifier/titles.json``);
- a linear model over character n-grams of the folded text, trained on generated documents
  with OCR-like damage (``python -m sohoa.ocr_models.train_classifier``), which reads the
  whole page: labels, wording, layout words, when the title is garbled or absent.

They are averaged: when both agree the confidence is high, when they disagree it falls
near one half, which sends the document to review. Below :data:`MIN_CONFIDENCE` the answer
is ``unknown``. Both work on a single page, so a batch can cut a dossier into documents.
Layout cues count as much as the title each: an ID card's QR code, a page of a card's
shape, a members table without ID numbers (:func:`layout_cues`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from sohoa import ocr_models

from .idcard import card_qr
from .models import PageText
from .vntext import fold, mostly_capitals

UNKNOWN = "unknown"
MIN_CONFIDENCE = 0.5  # below this the best type is no better than a guess
TITLE_MIN_SCORE = 85.0  # rapidfuzz ratio (0..100) of a folded title against a line's start
TITLE_LINES = 15  # titles sit in the top part of a page, under the motto and authority
#: layout cues: a card's QR code, a page of the ID-1 card's shape (85.6 x 54 mm)
CARD_QR_CUE, CARD_SHAPE_CUE = 0.98, 0.8
CARD_ASPECT, CARD_ASPECT_TOLERANCE = 85.6 / 54.0, 0.12
MEMBERS_TABLE_CUE = 0.7
_MEMBERS_HEADER = (("ho va ten", "ho ten"), ("ngay", "nam sinh"), ("quan he",))
_ID_COLUMN = ("dinh danh", "ddcn", "cccd", "cmnd")
#: what may stand before a title on its line without being part of it: OCR's marks
_NOT_LETTERS = " ^~`'\"“”‘’-–—_.,:;|/\\*°"


@dataclass(frozen=True, slots=True)
class Classification:
    doc_type: str
    confidence: float  # 0..1
    title: str | None = None  # the title variant that matched, if one did
    scores: tuple[tuple[str, float], ...] = ()  # every type's combined score, best first


@dataclass(frozen=True, eq=False)
class TextModel:
    """The trained n-gram model: hashed features, one weight row per type."""

    doc_types: tuple[str, ...]
    weights: np.ndarray  # (types, features) float32
    bias: np.ndarray  # (types,)
    vectorizer: Any  # sklearn's HashingVectorizer: stateless, rebuilt from two numbers

    def probabilities(self, text: str) -> np.ndarray:
        """Softmax of the linear scores of the folded ``text``, in ``doc_types`` order."""
        features = self.vectorizer.transform([fold(text)])
        logits = np.asarray(features @ self.weights.T).ravel() + self.bias
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()


def hashing_vectorizer(ngram_range: tuple[int, int], n_features: int) -> Any:
    """The feature map shared by training and prediction (stateless: nothing to store)."""
    from sklearn.feature_extraction.text import HashingVectorizer  # loaded when first needed

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=ngram_range,
        n_features=n_features,
        alternate_sign=False,
        norm="l2",
        lowercase=False,  # the text comes folded
    )


@cache
def text_model() -> TextModel | None:
    """The versioned model in ``ocr_models/classifier/``, or None if it was never trained."""
    path = ocr_models.classifier_model_path()
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        ngrams = (int(data["ngram_range"][0]), int(data["ngram_range"][1]))
        return TextModel(
            doc_types=tuple(str(t) for t in data["doc_types"]),
            weights=data["weights"].astype(np.float32),
            bias=data["bias"].astype(np.float32),
            vectorizer=hashing_vectorizer(ngrams, int(data["n_features"])),
        )


@cache
def titles() -> dict[str, tuple[tuple[str, str], ...]]:
    """doc_type -> its title variants as (printed, folded), longest first."""
    raw = json.loads(ocr_models.classifier_titles_path().read_text("utf-8"))
    return {
        doc_type: tuple(sorted(((t, fold(t)) for t in variants), key=lambda v: -len(v[1])))
        for doc_type, variants in raw.items()
        if not doc_type.startswith("_")
    }


def match_title(text: str) -> tuple[str, str, float] | None:
    """(doc_type, title, score) of the best title at the start of one of the first lines
    printed in capitals; longer titles win ties ("TỜ KHAI ... KHAI SINH" is a form)."""
    best: tuple[float, int, str, str] | None = None  # score, title length, type, title
    for line in text.splitlines()[:TITLE_LINES]:
        if not mostly_capitals(line):
            continue
        folded = fold(line).lstrip(_NOT_LETTERS)  # "^ CÂN CƯỚC": a mark OCR set before it
        for doc_type, variants in titles().items():
            for printed, key in variants:
                score = fuzz.ratio(key, folded[: len(key) + 1].rstrip())
                candidate = (score, len(key), doc_type, printed)
                if score >= TITLE_MIN_SCORE and (best is None or candidate[:2] > best[:2]):
                    best = candidate
    return None if best is None else (best[2], best[3], best[0])


def classify_pages(pages: Sequence[PageText]) -> Classification:
    """The type of a document (or of one page) from its text and its layout cues."""
    text = "\n".join(page.text for page in pages)
    return classify(text, layout_cues(pages))


def layout_cues(pages: Sequence[PageText]) -> list[tuple[str, float]]:
    """What the page's shape and marks say, as (doc_type, strength 0..1).

    A chip ID card's QR code decodes to its fields (sohoa.pipeline.idcard): nothing else
    carries one. A page cut close around a card has the ID-1 card's aspect ratio. A table
    of a household's members without their ID numbers is a household register's (the
    CT07 lists ID numbers in its table)."""
    cues: list[tuple[str, float]] = []
    if card_qr(pages) is not None:
        cues.append(("citizen_id_card", CARD_QR_CUE))
    if any(_members_table_header(line) for page in pages for line in page.text.splitlines()):
        cues.append(("household_register", MEMBERS_TABLE_CUE))
    if len(pages) == 1 and pages[0].height > 0:
        ratio = max(pages[0].width, pages[0].height) / min(pages[0].width, pages[0].height)
        if abs(ratio - CARD_ASPECT) <= CARD_ASPECT_TOLERANCE:
            cues.append(("citizen_id_card", CARD_SHAPE_CUE))
    return cues


def _members_table_header(line: str) -> bool:
    folded = fold(line)
    has = all(any(k in folded for k in keys) for keys in _MEMBERS_HEADER)
    return has and not any(k in folded for k in _ID_COLUMN)


def classify(text: str, cues: Sequence[tuple[str, float]] = ()) -> Classification:
    """The document type of ``text`` (one page or a whole document) and its confidence;
    ``cues`` (doc_type, strength) from the layout count as much as the title each."""
    model = text_model()
    types = list(model.doc_types) if model else [*titles(), UNKNOWN]
    if UNKNOWN not in types:
        types.append(UNKNOWN)
    scores = np.zeros(len(types))
    if model is not None:
        probabilities = model.probabilities(text)
        for doc_type, p in zip(model.doc_types, probabilities, strict=True):
            scores[types.index(doc_type)] = p
    title = match_title(text)
    if title is not None:
        doc_type, _, score = title
        cue = np.full(len(types), (1 - score / 100) / max(1, len(types) - 1))
        cue[types.index(doc_type)] = score / 100
        scores = (scores + cue) / 2 if model is not None else cue
    elif model is None:
        scores[types.index(UNKNOWN)] = 1.0
    for doc_type, strength in cues:
        cue = np.full(len(types), (1 - strength) / max(1, len(types) - 1))
        cue[types.index(doc_type)] = strength
        scores = (scores + cue) / 2
    order = np.argsort(-scores)
    best = types[order[0]]
    confidence = float(scores[order[0]])
    ranked = tuple((types[i], round(float(scores[i]), 4)) for i in order)
    if confidence < MIN_CONFIDENCE:
        best = UNKNOWN
    return Classification(best, confidence, title[1] if title else None, ranked)
