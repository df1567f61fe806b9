"""Progress for people at a terminal: pages done, pages per second, failures.

On a terminal a live rich bar; elsewhere (logs, CI, pipes) nothing but the messages
themselves, so logs stay readable.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .models import PageText
from .runner import PageFailure


class PageProgress:
    """Counts pages as they finish; prints messages above the bar."""

    def __init__(self, console: Console, *, enabled: bool, documents: bool = False) -> None:
        self.console = console
        self.pages = 0
        self.failures = 0
        self.stored = 0
        self.review = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled:
            counts = [TextColumn("{task.fields[failures]} failed")]
            if documents:  # sohoa process: what became of the documents so far
                counts = [
                    TextColumn("{task.fields[stored]} stored"),
                    TextColumn("{task.fields[review]} to review"),
                    *counts,
                ]
            self._progress = Progress(
                SpinnerColumn(),
                BarColumn(bar_width=24),
                TextColumn("{task.completed}/{task.total} pages"),
                TextColumn("{task.fields[rate]}"),
                *counts,
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
                redirect_stdout=False,  # stdout carries JSON Lines; never mix the bar into it
                redirect_stderr=False,
            )

    def __enter__(self) -> PageProgress:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task(
                "pages", total=None, rate="", failures=0, stored=0, review=0
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def page_done(self, outcome: PageText | PageFailure, *, count_failure: bool = True) -> None:
        """A page read; ``count_failure=False`` where its failure is counted by
        :meth:`failed` (``sohoa process`` reports every failure there)."""
        self.pages += 1
        if isinstance(outcome, PageFailure) and count_failure:
            self.failures += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, failures=self.failures)
            task = self._progress.tasks[0]
            if task.elapsed:
                self._progress.update(
                    self._task, rate=f"{task.completed / task.elapsed:.2f} pages/s"
                )

    def start(self, pages: int) -> None:
        """The batch's number of pages, once known: the bar fills and says how long."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=pages)

    def document_done(self, stored: bool) -> None:
        if stored:
            self.stored += 1
        else:
            self.review += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, stored=self.stored, review=self.review)

    def failed(self, message: str) -> None:
        """A failure that is not a page's (a file, a document): counted and printed."""
        self.failures += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, failures=self.failures)
        self.print_error(message)

    def print_error(self, message: str) -> None:
        self.console.print(
            f"sohoa: error: {message}", markup=False, highlight=False, soft_wrap=True
        )
