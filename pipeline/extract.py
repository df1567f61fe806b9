"""``sohoa extract``: files in, CONTRACT extract objects out, nothing stored.

Pages of all inputs stream through the parallel page stage; results are regrouped by file
as they arrive in order, so a file's document is emitted as soon as its last page is read
and nothing but the current file's page texts is held in memory.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import intake
from .classify import classify_pages
from .errors import SohoaError
from .fieldvalues import extract_fields
from .models import PageRef, PageText, page_parts
from .ocr import OcrSettings
from .runner import PageFailure, read_pages

#: Below this character-weighted mean word confidence (0..100) a person should look.
REVIEW_CONFIDENCE = 70.0
#: Below this confidence (0..1) a key field must be looked at. On the development corpora
#: (seeds 31-33) any value from 0.70 to 0.85 accepted equally right fields (the OCR errors
#: left are read with high confidence); on the five unseen seeds 0.85 is the surest that
#: still accepts most: 849 of 852 accepted key fields right, against 876 of 880 at 0.75
#: (docs/benchmarks.md). Right before quick: a wrong field sends a citizen back.
REVIEW_FIELD = 0.85
#: Below this document-type confidence (0..1) a person should confirm the type: the title
#: and the text model disagree (see sohoa.pipeline.classify).
REVIEW_DOC_TYPE = 0.8


@dataclass(slots=True)
class Document:
    """One document found in a source file: the CONTRACT extract object, typed."""

    source: str
    pages: list[int]
    text: str
    doc_type: str = "unknown"
    doc_type_confidence: float = 0.0
    fields: dict[str, Any] = field(default_factory=dict)
    field_confidence: dict[str, float] = field(default_factory=dict)
    needs_review: bool = False
    ocr_confidence: float = 0.0
    problems: dict[str, list[str]] = field(default_factory=dict)  # field -> what is wrong
    key_fields: tuple[str, ...] = ()  # those that decide needs_review (CONTRACT.md)
    #: a document over several single-page scans: each file and its pages, in order
    #: (``source`` and ``pages`` are then the first file's)
    parts: list[tuple[str, list[int]]] = field(default_factory=list)

    def to_contract(self) -> dict[str, Any]:
        """The JSON object of CONTRACT.md (plus ``ocr_confidence`` and ``problems``: why a
        field is flagged, in words a clerk can act on; ``parts`` for a document over
        several files -- extensions)."""
        spanning = {"parts": [{"source": s, "pages": p} for s, p in self.parts]}
        return {
            "source": self.source,
            "pages": self.pages,
            "doc_type": self.doc_type,
            "doc_type_confidence": round(self.doc_type_confidence, 4),
            "fields": self.fields,
            "field_confidence": {k: round(v, 4) for k, v in self.field_confidence.items()},
            "needs_review": self.needs_review,
            "text": self.text,
            "ocr_confidence": round(self.ocr_confidence / 100, 4),
            "problems": self.problems,
            **(spanning if len(self.parts) > 1 else {}),
        }


@dataclass(frozen=True, slots=True)
class FileFailure:
    """An input file, or some of its pages, that could not be read."""

    source: str
    message: str


ExtractOutcome = Document | FileFailure


def extract(
    paths: Iterable[str | Path],
    settings: OcrSettings,
    jobs: int | None = None,
    on_page: Callable[[PageText | PageFailure], None] | None = None,
) -> Iterator[ExtractOutcome]:
    """Yield the documents of every input, and a failure for every input that failed."""
    failures: list[FileFailure] = []
    refs = _page_refs(paths, failures)
    pending: list[PageText] = []
    current: str | None = None
    for outcome in read_pages(refs, settings, jobs):
        yield from failures  # files that failed to open are reported as the stream reaches them
        failures.clear()
        if on_page is not None:
            on_page(outcome)
        if outcome.ref.path != current:
            if current is not None:
                yield from documents_of_file(current, pending)
            current, pending = outcome.ref.path, []
        if isinstance(outcome, PageFailure):
            yield FileFailure(outcome.ref.path, outcome.message)
        else:
            pending.append(outcome)
    if current is not None:
        yield from documents_of_file(current, pending)
    yield from failures


def _page_refs(paths: Iterable[str | Path], failures: list[FileFailure]) -> Iterator[PageRef]:
    """Page references of all inputs, in order; files that cannot be opened go to ``failures``."""
    for path in intake.iter_inputs(paths):
        try:
            refs = intake.list_pages(path)
        except SohoaError as exc:
            failures.append(FileFailure(str(path), str(exc)))
            continue
        yield from refs


def documents_of_file(source: str, pages: list[PageText]) -> list[Document]:
    """Documents of one file.

    Until the batch stage cuts files by page type, every non-blank page of a file belongs to
    one document, classified on its whole text; blank pages are left out of it (they stay
    in the raw scan).
    """
    content = [page for page in pages if not page.blank]
    return [describe(source, content)] if content else []


def describe(source: str, content: list[PageText]) -> Document:
    """The extract object of one document's pages (none blank): its text, type, fields
    and whether a person must look at it."""
    words = [word for page in content for word in page.words]
    confidence = (
        sum(w.confidence * len(w.text) for w in words) / max(1, sum(len(w.text) for w in words))
        if words
        else 0.0
    )
    text = normalize_text("\n".join(page.text for page in content))
    kind = classify_pages(content)
    found = extract_fields(kind.doc_type, content)
    parts = page_parts(content)
    document = Document(
        source=source,
        pages=[number for path, numbers in parts if path == source for number in numbers],
        parts=parts,
        text=text,
        doc_type=kind.doc_type,
        doc_type_confidence=kind.confidence,
        fields=found.values,
        field_confidence=found.confidence,
        problems=found.problems,
        key_fields=found.key_fields,
        ocr_confidence=confidence,
    )
    document.needs_review = needs_review(document)
    return document


def needs_review(document: Document, threshold: float = REVIEW_FIELD) -> bool:
    """CONTRACT.md: a key field missing, failing a check or less sure than ``threshold``;
    or the type unsure. A document without a template (``unknown``) has no fields to judge
    it by: its OCR confidence decides."""
    if document.doc_type_confidence < REVIEW_DOC_TYPE:
        return True
    if not document.key_fields:
        return document.ocr_confidence < REVIEW_CONFIDENCE
    return any(
        document.fields.get(name) is None
        or document.problems.get(name)
        or document.field_confidence.get(name, 0.0) < threshold
        for name in document.key_fields
    )


def normalize_text(text: str) -> str:
    """NFC; spaces inside a line collapsed to one; empty lines dropped."""
    lines = (" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(line for line in lines if line)
