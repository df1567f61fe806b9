"""Cutting a scanned batch into dossiers and documents, as its pages stream past.

A clerk's batch is a stack of dossiers, each behind a separator sheet
(:mod:`.dossier`). Inside a dossier, a page with a document's printed title starts a
new document, so does a page headed by the national motto (a receipt, a notice: papers
without a template of ours), and so does a page the classifier is sure is of another
type; the pages
after it belong to it until the next (a card's back, a certificate's second page). A
household register's member pages carry a title of their own ("NHỮNG NGƯỜI TRONG HỘ")
and stay in the register. A document does not run on from one multi-page file (a feeder
run) into the next, but does over single-page files of one folder (a scanner that saves
each page as its own image). Blank pages are left out of the documents (they stay in the
raw scan); separators are part of none.

Only the current document's pages are held: memory is flat in the batch's size.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath

from rapidfuzz import fuzz

from .classify import UNKNOWN, Classification, classify_pages, match_title
from .dossier import separator_code
from .journal import DOCUMENT, SEPARATOR
from .models import PageRef, PageText, page_parts
from .runner import PageFailure, PageOutcome
from .vntext import fold

#: a page without a title starts a new document when the classifier gives it another
#: type than the current document's (``unknown`` too: a letter, a notice) with at least
#: this confidence, reading at least
#: ``CUT_WORDS`` words (on a few words it is sure of anything: "trang hai" is a
#: household register at 0.94)
CUT_CONFIDENCE = 0.9
CUT_WORDS = 30
#: the national motto, folded; looked for in a page's first lines, scored by rapidfuzz
_MOTTO = "cong hoa xa hoi chu nghia viet nam"
MOTTO_LINES = 8
MOTTO_MIN_SCORE = 85.0
#: titles of a document's later pages: a household register's member pages (its cover,
#: "SỔ HỘ KHẨU", starts a register: two families' registers one after the other are two)
CONTINUATION_TITLES = frozenset({"nhung nguoi trong ho"})  # folded


@dataclass(slots=True)
class Cut:
    """The pages of one document, in order, and the dossier it belongs to."""

    dossier_code: str | None
    source: str
    pages: list[PageText] = field(default_factory=list)
    doc_type: str = UNKNOWN  # what its first page looked like: for cutting, not the answer

    @property
    def parts(self) -> list[tuple[str, list[int]]]:
        """Its pages file by file: one file, or several single-page scans in a row."""
        return page_parts(self.pages)


@dataclass(frozen=True, slots=True)
class Unfiled:
    """Pages before the batch's first separator sheet when no ``--dossier`` was given:
    which dossier they belong to is not guessed."""

    source: str
    pages: tuple[int, ...]

    @property
    def message(self) -> str:
        return (
            f"{self.source}: {_page_list(self.pages)} before the first separator sheet "
            "(give --dossier CODE for a batch that is one dossier)"
        )


@dataclass(frozen=True, slots=True)
class Separator:
    """A separator sheet: a dossier starts."""

    source: str
    page: int
    dossier_code: str
    side: int = 0  # of a spread (PageRef.side)


@dataclass(frozen=True, slots=True)
class Replayed:
    """A page an earlier run of the batch finished (``journal.finished_pages``), not
    read again: a separator (``separator:CODE``) or a page of a document (``doc:KEY``)."""

    ref: PageRef
    finished: str


@dataclass(frozen=True, slots=True)
class Finished:
    """A document an earlier run finished: its key in the journal."""

    key: str
    source: str


BatchItem = Cut | Unfiled | Separator | PageFailure | Finished


def cut_batch(
    outcomes: Iterable[PageOutcome | Replayed],
    dossier_code: str | None = None,
    single_page_files: Collection[str] = (),
) -> Iterator[BatchItem]:
    """Documents (as :class:`Cut`), separators, unfiled pages and failed pages, in the
    order of the batch; a document is yielded once its last page has gone by. A document
    may run on over ``single_page_files`` of one folder."""
    cutter = _Cutter(dossier_code, frozenset(single_page_files))
    for outcome in outcomes:
        yield from cutter.take(outcome)
    yield from cutter.finish()


class _Cutter:
    def __init__(self, dossier_code: str | None, single_page_files: frozenset[str]) -> None:
        self.dossier = dossier_code
        self.single_page_files = single_page_files
        self.current: Cut | None = None
        self.unfiled: Unfiled | None = None
        self.replaying: str | None = None  # the finished document whose pages go by

    def take(self, outcome: PageOutcome | Replayed) -> Iterator[BatchItem]:
        if isinstance(outcome, Replayed):
            yield from self._replay(outcome)
            return
        self.replaying = None
        if isinstance(outcome, PageFailure):
            yield outcome  # fails alone: the document around it goes on without it
            return
        page = outcome
        if self.current is not None and not self._runs_on(page.ref.path):
            yield from self._close()
        code = separator_code(page)
        if code is not None:
            yield from self.finish()
            self.dossier = code
            yield Separator(page.ref.path, page.ref.number, code, page.ref.side)
            return
        if page.blank:
            return
        if self.dossier is None:
            yield from self._unfiled(page)
            return
        look = _Look(page)
        if self.current is None or self._starts_document(look):
            yield from self._close()
            self.current = Cut(self.dossier, page.ref.path, [], look.doc_type)
        self.current.pages.append(page)

    def _replay(self, page: Replayed) -> Iterator[BatchItem]:
        """A finished separator sets the dossier as a read one would; a finished
        document's first page reports it, and its other pages are passed over."""
        if page.finished.startswith(SEPARATOR):
            yield from self.finish()
            self.dossier = page.finished.removeprefix(SEPARATOR)
            self.replaying = None
            yield Separator(page.ref.path, page.ref.number, self.dossier, page.ref.side)
            return
        yield from self._close()
        key = page.finished.removeprefix(DOCUMENT)
        if key != self.replaying:
            self.replaying = key
            yield Finished(key, page.ref.path)

    def finish(self) -> Iterator[BatchItem]:
        yield from self._close()
        if self.unfiled is not None:
            yield self.unfiled
            self.unfiled = None

    def _close(self) -> Iterator[BatchItem]:
        if self.current is not None and self.current.pages:
            yield self.current
        self.current = None

    def _unfiled(self, page: PageText) -> Iterator[BatchItem]:
        if self.unfiled is not None and self.unfiled.source != page.ref.path:
            yield self.unfiled
            self.unfiled = None
        known = self.unfiled.pages if self.unfiled else ()
        self.unfiled = Unfiled(page.ref.path, (*known, page.ref.number))

    def _runs_on(self, path: str) -> bool:
        """Whether the current document may go on into a page of ``path``: the same file,
        or the next single-page file of the same folder."""
        assert self.current is not None
        last = self.current.pages[-1].ref.path
        if path == last:
            return True
        single = self.single_page_files
        return last in single and path in single and PurePath(last).parent == PurePath(path).parent

    def _starts_document(self, look: _Look) -> bool:
        assert self.current is not None
        if look.title is not None:
            doc_type, printed, _ = look.title
            continued = fold(printed) in CONTINUATION_TITLES and doc_type == self.current.doc_type
            return not continued
        if has_motto(look.page.text):  # a document without a title we know: a receipt, a notice
            return True
        if len(look.page.words) < CUT_WORDS:
            return False
        kind = look.kind
        return kind.doc_type != self.current.doc_type and kind.confidence >= CUT_CONFIDENCE


class _Look:
    """What a page's title and the classifier say of it, each worked out once, when
    first asked: whether it starts a document, and of what type."""

    def __init__(self, page: PageText) -> None:
        self.page = page

    @cached_property
    def title(self) -> tuple[str, str, float] | None:
        return match_title(self.page.text)

    @cached_property
    def kind(self) -> Classification:
        return classify_pages([self.page])

    @property
    def doc_type(self) -> str:
        return self.title[0] if self.title else self.kind.doc_type


def has_motto(text: str) -> bool:
    """Whether the first lines hold the national motto, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
    NAM", that heads the first page of every administrative document (its later pages
    do not repeat it), read fuzzily: OCR garbles a letter or two."""
    for line in text.splitlines()[:MOTTO_LINES]:
        if fuzz.partial_ratio(_MOTTO, fold(line)) >= MOTTO_MIN_SCORE and len(line) >= 20:
            return True
    return False


def _page_list(pages: tuple[int, ...]) -> str:
    """ "page 1", "pages 1-3", "pages 1-2, 5" """
    runs: list[list[int]] = []
    for number in pages:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    text = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
    return f"page {text}" if len(pages) == 1 else f"pages {text}"
