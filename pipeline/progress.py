"""Progress for people at a terminal: pages done, pages per second, failures.

On a terminal a live rich bar; elsewhere (logs, CI, pipes) nothing but the messages
themselves, so logs stay readable.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from .models import PageText
from .runner import PageFailure


class PageProgress:
    """Counts pages as they finish; prints messages above the bar."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self.console = console
        self.pages = 0
        self.failures = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.completed} pages"),
                TextColumn("{task.fields[rate]}"),
                TextColumn("{task.fields[failures]} failed"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                redirect_stdout=False,  # stdout carries JSON Lines; never mix the bar into it
                redirect_stderr=False,
            )

    def __enter__(self) -> PageProgress:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("pages", total=None, rate="", failures=0)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def page_done(self, outcome: PageText | PageFailure) -> None:
        self.pages += 1
        if isinstance(outcome, PageFailure):
            self.failures += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, failures=self.failures)
            task = self._progress.tasks[0]
            if task.elapsed:
                self._progress.update(
                    self._task, rate=f"{task.completed / task.elapsed:.2f} pages/s"
                )

    def print_error(self, message: str) -> None:
        self.console.print(
            f"sohoa: error: {message}", markup=False, highlight=False, soft_wrap=True
        )
