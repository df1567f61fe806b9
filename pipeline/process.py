"""``sohoa process``: a batch of scans in, signed and stored documents out, resumable.

The stages, as the pages stream: the page stage in worker processes (clean-up, OCR, the
scan encoded for the archive while it is decoded: :mod:`.runner`), cutting into dossiers
and documents (:mod:`.batch`), the extract (:func:`.extract.describe`), then for each
document the PDF/A archive copy (:mod:`.archive`), a PAdES signature with a stamp whose
QR code points to the document's verification page (:mod:`sohoa.signing`), and the
library (object store first, catalog row second: :mod:`sohoa.storage.library`). A
document a person must check (``needs_review``) is not signed: its archive copy and its
extract wait in ``SOHOA_HOME/review/<document ID>/``.

Every finished document is in the batch's :class:`~.journal.Journal`, with its pages,
before the next begins; a re-run of the same command does not read those pages again
(nor the separators'), and finds or stores again, under the same ID, a document a
killed run left ``storing``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sohoa.storage.layout import signed_key
from sohoa.storage.objects import sha256_of

from . import intake
from .archive import ArchiveInfo, build_archive, word_boxes
from .batch import Cut, Finished, Replayed, Separator, cut_batch
from .errors import SohoaError
from .extract import Document, describe
from .journal import REVIEW, SEPARATOR, STORED, STORING, Journal, PageKey
from .models import PageRef, PageText
from .ocr import OcrSettings
from .review import SCANS
from .runner import PageOutcome, read_page_groups
from .settings import Settings

if TYPE_CHECKING:
    from sohoa.signing.config import OfficeSigner
    from sohoa.storage.library import ScanFile

_T = TypeVar("_T")


@dataclass(slots=True)
class BatchReport:
    """What a batch did: the report ``sohoa process`` prints at its end."""

    dossiers: list[str] = field(default_factory=list)
    #: a summary of each document (its ID, dossier, type, source and pages: not its text)
    stored: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line each
    resumed: int = 0  # documents a previous run had finished
    pages_read: int = 0  # pages the page stage read (those a previous run finished: not)
    #: where the time went: the page stage's seconds summed over its workers, the
    #: per-document stages' (extract, archive, sign, store: in this process, while the
    #: workers read the next pages), and the batch's wall-clock seconds
    seconds: dict[str, float] = field(
        default_factory=lambda: {"page_stage": 0.0, "document_stage": 0.0, "wall": 0.0}
    )

    def by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in [*self.stored, *self.review]:
            counts[item["doc_type"]] = counts.get(item["doc_type"], 0) + 1
        return dict(sorted(counts.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "dossiers": self.dossiers,
            "documents": len(self.stored) + len(self.review),
            "stored": len(self.stored),
            "stored_documents": self.stored,
            "review": self.review,
            "by_type": self.by_type(),
            "failed": self.failed,
            "resumed": self.resumed,
            "pages_read": self.pages_read,
            "seconds": {name: round(value, 3) for name, value in self.seconds.items()},
        }


@dataclass(frozen=True, slots=True)
class Hooks:
    """What the command line sees as the batch goes: every page, every document."""

    on_start: Callable[[int], None] = lambda _: None  # the number of pages to go through
    on_page: Callable[[PageOutcome], None] = lambda _: None
    on_stored: Callable[[dict[str, Any]], None] = lambda _: None
    on_review: Callable[[dict[str, Any]], None] = lambda _: None
    on_failed: Callable[[str], None] = lambda _: None


def process_batch(
    paths: Iterable[Path],
    settings: Settings,
    *,
    dossier_code: str | None = None,
    jobs: int | None = None,
    hooks: Hooks = Hooks(),
) -> BatchReport:
    """Process every page of ``paths``; each document is signed and stored, or set
    aside for review, or its failure reported -- the batch goes on."""
    from sohoa.signing.config import open_office_signer  # late: extract needs neither
    from sohoa.storage.library import Library

    started = time.perf_counter()
    inputs = list(intake.iter_inputs(paths))
    report = BatchReport()
    with ExitStack() as stack:
        journal = stack.enter_context(Journal.for_batch(settings.home, inputs, dossier_code))
        library = stack.enter_context(Library.open(settings.home))
        office = stack.enter_context(open_office_signer(settings.signing, settings.home))
        hashes: dict[str, str] = {}  # each input's SHA-256: its pages' key in the journal
        step = _Documents(settings, journal, library, office, hooks, report, hashes)
        refs = list(_page_refs(inputs, report, hooks))
        hooks.on_start(len(refs))
        for ref in refs:
            if ref.path not in hashes:
                hashes[ref.path] = sha256_of(Path(ref.path))[0]
        ocr = replace(settings.ocr, archive_images=True)
        pages = _unfinished_read(refs, journal, hashes, ocr, jobs, _seen(report, hooks))
        for item in cut_batch(pages, dossier_code, _single_page_files(refs)):
            if isinstance(item, Separator):
                report.dossiers.append(item.dossier_code)
                journal.finish_pages(
                    hashes[item.source], [(item.page, item.side)], SEPARATOR + item.dossier_code
                )
            elif isinstance(item, Finished):
                step.finished(item)
            elif isinstance(item, Cut):
                document_started = time.perf_counter()
                step.take(item)
                report.seconds["document_stage"] += time.perf_counter() - document_started
            else:  # pages before the first separator, a page that could not be read
                _fail(report, hooks, item.message)
    report.seconds["wall"] = time.perf_counter() - started
    return report


def _unfinished_read(
    refs: list[PageRef],
    journal: Journal,
    hashes: dict[str, str],
    settings: OcrSettings,
    jobs: int | None,
    seen: Callable[[PageOutcome], None],
) -> Iterator[PageOutcome | Replayed]:
    """Every page in the batch's order: those an earlier run finished as they were
    (not read again), the others read by the page stage (each shown to ``seen``)."""
    finished: dict[str, dict[PageKey, str]] = {}
    plan: list[PageRef | Replayed] = []
    for ref in refs:
        file = hashes[ref.path]
        if file not in finished:
            finished[file] = journal.finished_pages(file)
        plan.extend(_replayed(ref, finished[file]) or [ref])
    unread = [item for item in plan if isinstance(item, PageRef)]
    groups = read_page_groups(unread, settings, jobs) if unread else iter(())
    for item in plan:
        if isinstance(item, Replayed):
            yield item
            continue
        for outcome in next(groups):
            seen(outcome)
            # one page of a spread an earlier run finished, the other not
            done = finished[hashes[item.path]].get((outcome.ref.number, outcome.ref.side))
            yield Replayed(outcome.ref, done) if done and isinstance(outcome, PageText) else outcome


def _replayed(ref: PageRef, done: dict[PageKey, str]) -> list[Replayed]:
    """The page, if an earlier run finished it: whole, or both pages of its spread."""
    whole = done.get((ref.number, 0))
    if whole:
        return [Replayed(ref, whole)]
    sides = [done.get((ref.number, side)) for side in (1, 2)]
    if sides[0] and sides[1]:
        return [Replayed(replace(ref, side=side), f) for side, f in enumerate(sides, 1)]
    return []


def _seen(report: BatchReport, hooks: Hooks) -> Callable[[PageOutcome], None]:
    def seen(outcome: PageOutcome) -> None:
        if isinstance(outcome, PageText):
            report.seconds["page_stage"] += outcome.timings.get("total", 0.0)
        if outcome.ref.side != 2:  # a spread is one page of its file
            report.pages_read += 1
            hooks.on_page(outcome)

    return seen


def _page_refs(inputs: list[Path], report: BatchReport, hooks: Hooks) -> Iterator[PageRef]:
    for path in inputs:
        try:
            refs = intake.list_pages(path)
        except SohoaError as error:
            _fail(report, hooks, str(error))
            continue
        yield from refs


def _fail(report: BatchReport, hooks: Hooks, message: str) -> None:
    report.failed.append(message)
    hooks.on_failed(message)


class _Documents:
    """The per-document stages: extract, archive, sign, store -- or set aside."""

    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        library: Any,
        office: OfficeSigner,
        hooks: Hooks,
        report: BatchReport,
        hashes: dict[str, str],
    ) -> None:
        self.settings, self.journal, self.library = settings, journal, library
        self.office, self.hooks, self.report = office, hooks, report
        self._hashes = hashes

    def finished(self, item: Finished) -> None:
        """A document an earlier run finished: reported as it was."""
        known = self.journal.state(item.key)
        if known is not None and known[1] is not None:
            self._resume(*known)

    def take(self, cut: Cut) -> None:
        key = self._key(cut)
        known = self.journal.state(key)
        if known is not None and known[0] in (STORED, REVIEW) and known[1] is not None:
            self.journal.mark(key, *known, self._pages_of(cut))  # its pages: not read again
            self._resume(known[0], known[1])
            return
        document_id = self.journal.document_id(key)
        if known is not None and known[0] == STORING and self.library.recover(document_id):
            result = known[1] or {}
            self.journal.mark(key, STORED, result, self._pages_of(cut))
            self._resume(STORED, result)
            return
        try:
            document = describe(cut.source, cut.pages)
            if document.needs_review:
                result = self._set_aside(cut, document, document_id)
                self.journal.mark(key, REVIEW, result, self._pages_of(cut))
                self._report(REVIEW, result)
            else:
                self._store(cut, document, document_id, key)
        except (SohoaError, OSError, ValueError) as error:
            _fail(self.report, self.hooks, f"{_where(cut)}: {error}")

    def _store(self, cut: Cut, document: Document, document_id: str, key: str) -> None:
        from sohoa.signing.stamp import free_box

        with tempfile.TemporaryDirectory(prefix="sohoa-doc-") as folder:
            archive = build_archive(cut.pages, self._info(document, cut), Path(folder) / "a.pdf")
            stamp = self.office.stamp(document_id, free_box(*word_boxes(cut.pages[-1])))
            signed = self.office.sign(archive, Path(folder) / "signed.pdf", stamp=stamp)
            extract = document.to_contract()
            sha256 = sha256_of(signed)[0]
            result = {**extract, "document_id": document_id, "dossier_code": cut.dossier_code}
            # what --json prints if a killed run's document is found again on the re-run
            where = {"sha256": sha256, "storage_key": signed_key(document_id, cut.dossier_code)}
            self.journal.mark(key, STORING, {**result, **where})
            stored = self.library.store_document(
                signed,
                extract,
                document_id=document_id,
                dossier_code=cut.dossier_code,
                scan=self._scans(cut),
                signed_sha256=sha256,
            )
        result = {**result, "sha256": stored.sha256, "storage_key": stored.storage_key}
        self.journal.mark(key, STORED, result, self._pages_of(cut))
        self._report(STORED, result)

    def _set_aside(self, cut: Cut, document: Document, document_id: str) -> dict[str, Any]:
        """The archive copy and extract of a document to review, unsigned, in
        ``SOHOA_HOME/review/<document ID>/`` (written whole, then moved in place)."""
        folder = self.settings.home / "review" / document_id
        building = folder.with_name(f".{document_id}.building")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        build_archive(cut.pages, self._info(document, cut), building / "archive.pdf")
        result = {
            **document.to_contract(),
            "document_id": document_id,
            "dossier_code": cut.dossier_code,
        }
        (building / "extract.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (building / SCANS).write_text(json.dumps(self._keep_scans(cut)), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        building.rename(folder)
        return result

    def _keep_scans(self, cut: Cut) -> dict[str, list[str]]:
        """The raw scans of a document set aside, stored now: the files may be gone when
        a clerk approves it. Where the store cannot be reached, their paths."""
        from sohoa.storage.objects import StoreUnavailable

        scans = self._scans(cut)
        try:
            return {"sha256": self.library.keep_scans(scans)}
        except StoreUnavailable:
            return {"paths": [str(scan.path.resolve()) for scan in scans]}

    def _scans(self, cut: Cut) -> list[ScanFile]:
        """Its raw scans, each with the SHA-256 the batch hashed it with once."""
        from sohoa.storage.library import ScanFile

        return [ScanFile(Path(path), self._hashes[path]) for path, _ in cut.parts]

    def _info(self, document: Document, cut: Cut) -> ArchiveInfo:
        title = f"{document.doc_type} {cut.dossier_code or ''}".strip()
        return ArchiveInfo(title, document.doc_type, cut.dossier_code)

    def _key(self, cut: Cut) -> str:
        """A document's key in the journal: its files' contents and its pages ("3",
        and "3a", "3b" for the pages of a spread)."""
        files = self._by_file(cut, lambda ref: ref.label)
        return "+".join(f"{file}:{','.join(labels)}" for file, labels in files)

    def _pages_of(self, cut: Cut) -> list[tuple[str, list[PageKey]]]:
        """Its pages file by file, each file by its SHA-256."""
        return self._by_file(cut, lambda ref: (ref.number, ref.side))

    def _by_file(self, cut: Cut, what: Callable[[PageRef], _T]) -> list[tuple[str, list[_T]]]:
        files: list[tuple[str, list[_T]]] = []
        for page in cut.pages:
            file = self._hashes[page.ref.path]
            if not files or files[-1][0] != file:
                files.append((file, []))
            files[-1][1].append(what(page.ref))
        return files

    def _resume(self, state: str, result: dict[str, Any]) -> None:
        """A document an earlier run finished, reported again: one set aside then may
        have been approved since."""
        self.report.resumed += 1
        if state == REVIEW:
            state, result = self._reviewed(result)
        self._report(state, result)

    def _report(self, state: str, result: dict[str, Any]) -> None:
        summary = {k: result.get(k) for k in _SUMMARY}
        if state == STORED:
            self.report.stored.append(summary)
            self.hooks.on_stored(result)
        else:
            self.report.review.append(summary)
            self.hooks.on_review(result)

    def _reviewed(self, result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A document set aside for review that a clerk has approved since (``sohoa
        review approve``): stored, as the catalog has it."""
        record = self.library.catalog.document(result["document_id"])
        if record is None:
            return REVIEW, result
        return STORED, {
            **result,
            "fields": record.fields,
            "field_confidence": record.field_confidence,
            "needs_review": record.needs_review,
            "sha256": record.sha256,
            "storage_key": record.storage_key,
        }


_SUMMARY = ("document_id", "dossier_code", "doc_type", "source", "pages")


def _numbers(pages: list[int]) -> str:
    return ",".join(map(str, pages))


def _where(cut: Cut) -> str:
    """ "batch.pdf: pages 3,4", "p-001.jpg: pages 1; p-002.jpg: pages 1" """
    return "; ".join(f"{path}: pages {_numbers(pages)}" for path, pages in cut.parts)


def _single_page_files(refs: list[PageRef]) -> set[str]:
    """Files of one page (a scanner that saves each page as its own file): a document
    may run on from one to the next."""
    counts = Counter(ref.path for ref in refs)
    return {path for path, count in counts.items() if count == 1}
