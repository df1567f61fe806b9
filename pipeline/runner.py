"""Run the page stage over many pages in parallel processes, streaming and in order.

Only :class:`PageRef` values go to the workers and only :class:`PageText` values come back,
so memory stays flat in the batch size: at most ``2 x jobs`` pages are in flight, and a page's
pixels never leave the worker that decoded them. One page failing does not stop the others.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from .errors import SohoaError
from .models import PageRef, PageText
from .ocr import OcrSettings, read_page


@dataclass(frozen=True, slots=True)
class PageFailure:
    """A page that could not be read, with the one-line reason shown to the user."""

    ref: PageRef
    message: str


PageOutcome = PageText | PageFailure


def default_jobs() -> int:
    """One worker per core this process may use."""
    return max(1, len(os.sched_getaffinity(0)))


def read_pages(
    refs: Iterable[PageRef], settings: OcrSettings, jobs: int | None = None
) -> Iterator[PageOutcome]:
    """Yield the outcome of every page, in the order of ``refs`` (two for a booklet
    spread scanned as one image)."""
    for outcomes in read_page_groups(refs, settings, jobs):
        yield from outcomes


def read_page_groups(
    refs: Iterable[PageRef], settings: OcrSettings, jobs: int | None = None
) -> Iterator[list[PageOutcome]]:
    """Yield the outcomes of each of ``refs``, in order: one page, or a spread's two."""
    jobs = jobs or default_jobs()
    if jobs == 1:
        _init_worker()
        for ref in refs:
            yield _read_page_safely(ref, settings)
        return
    # spawned, not forked: a fork copies the parent's OpenCV/OpenMP thread pool with its
    # locks held by threads that do not exist in the child, and the worker hangs in its
    # first cv2 call (seen when the parent had used OpenCV before, as a benchmark does)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker) as pool:
        window: deque[Future[list[PageOutcome]]] = deque()
        for ref in refs:
            window.append(pool.submit(_read_page_safely, ref, settings))
            if len(window) >= 2 * jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def _init_worker() -> None:
    """Keep each worker (and the Tesseract it starts) on one core: we parallelize by process."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import cv2

    cv2.setNumThreads(1)


def _read_page_safely(ref: PageRef, settings: OcrSettings) -> list[PageOutcome]:
    try:
        pages = read_page(ref, settings)
    except SohoaError as exc:
        return [PageFailure(ref, str(exc))]
    except MemoryError:
        return [PageFailure(ref, f"{ref.path}: page {ref.number}: out of memory")]
    except Exception as exc:  # a bug or a library failure on one odd page: fail it alone
        why = f"internal error ({type(exc).__name__}: {exc})"
        return [PageFailure(ref, f"{ref.path}: page {ref.number}: {why}")]
    for page in pages:
        page.peak_rss_mb = _peak_rss_mb()
    return list(pages)


def _peak_rss_mb() -> float:
    """Peak resident memory of this worker plus its largest Tesseract child, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 1024
