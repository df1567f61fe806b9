"""A batch's journal: what ``sohoa process`` has finished, so that a re-run resumes.

One SQLite file per batch under ``SOHOA_HOME/journals/``, named by the batch's identity
(its inputs' paths, sizes and modification times, and ``--dossier``): running the same
command again finds it. Each document of the batch has one row, keyed by its source
file's SHA-256 and its pages; before a document is stored its row says ``storing`` with
the document ID it will have, after, ``stored`` with what came back. Every change is
committed with ``synchronous=FULL`` before the next step: a ``kill -9`` at any moment
leaves either a finished row, or a ``storing`` row whose document the library can find
or store again under the same ID -- never a second document.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

STORING, STORED, REVIEW = "storing", "stored", "review"
#: how a finished page says what it was
DOCUMENT, SEPARATOR = "doc:", "separator:"

#: a page of a file: its number and side (0: the whole image; 1, 2: a spread's pages)
PageKey = tuple[int, int]


def batch_identity(paths: Iterable[Path], dossier_code: str | None) -> str:
    """The same inputs (path, size, modification time) and ``--dossier``: the same batch."""
    digest = hashlib.sha256((dossier_code or "").encode())
    for path in sorted(p.resolve() for p in paths):
        stat = path.stat()
        digest.update(f"\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def journal_path(home: Path, paths: Iterable[Path], dossier_code: str | None) -> Path:
    """Where the journal of the batch of ``paths`` (and ``--dossier``) lies."""
    return home / "journals" / f"{batch_identity(paths, dossier_code)}.sqlite"


def read_progress(path: Path) -> tuple[list[tuple[str, str, dict[str, Any]]], int]:
    """What another process may read of a journal while ``sohoa process`` writes it
    (read-only; WAL: it waits for no writer): each document's (ID, state, result), oldest
    change first, and how many pages of the batch's files are finished (a booklet spread
    counted once, as the page of its file it is). Raises ``sqlite3.Error`` while the
    journal is not written yet or is locked for a moment."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)) as db:
        rows = db.execute(
            "SELECT document_id, state, result FROM documents ORDER BY updated_at"
        ).fetchall()
        (pages,) = db.execute("SELECT COUNT(*) FROM pages WHERE side IN (0, 1)").fetchone()
    documents = [
        (doc_id, state, json.loads(result) if result else {}) for doc_id, state, result in rows
    ]
    return documents, int(pages)


class Journal:
    """The rows of one batch's documents; opened by ``sohoa process``, one writer."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, document_id TEXT NOT "
            "NULL, state TEXT NOT NULL, result TEXT, updated_at TEXT NOT NULL)"
        )
        self._pages_table()
        self._db.execute("CREATE TABLE IF NOT EXISTS batch (name TEXT PRIMARY KEY, value TEXT)")
        self._db.execute(
            "INSERT OR IGNORE INTO batch VALUES ('started', ?)", (datetime.now(UTC).isoformat(),)
        )

    @classmethod
    def for_batch(cls, home: Path, paths: Iterable[Path], dossier_code: str | None) -> Journal:
        return cls(journal_path(home, paths, dossier_code))

    @cached_property
    def started(self) -> datetime:
        """When the batch was first run: its documents' IDs carry that day."""
        (value,) = self._db.execute("SELECT value FROM batch WHERE name = 'started'").fetchone()
        return datetime.fromisoformat(value)

    def document_id(self, key: str) -> str:
        """The ID the document ``key`` has, or will have: the batch's first day and 64 bits
        of the key's hash -- the same on every run (a resumed store finds it)."""
        digest = hashlib.sha256(f"{self.path.stem}\0{key}".encode()).hexdigest()[:16]
        return f"{self.started:%Y%m%d}-{digest}"

    def state(self, key: str) -> tuple[str, dict[str, Any] | None] | None:
        """(state, result) of a document, or None if the batch has not reached it."""
        row = self._db.execute(
            "SELECT state, result FROM documents WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        return row[0], (json.loads(row[1]) if row[1] else None)

    def mark(
        self,
        key: str,
        state: str,
        result: dict[str, Any] | None = None,
        pages: Sequence[tuple[str, list[PageKey]]] = (),
    ) -> None:
        """Record a document's state, durably, before the batch goes on; with ``pages``
        (each of its files' SHA-256 and page numbers), those pages are finished with it,
        in the same transaction: a re-run does not read them again."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._mark(key, state, result)
            for file, numbers in pages:
                self.finish_pages(file, numbers, f"{DOCUMENT}{key}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def finish_pages(self, file: str, pages: Iterable[PageKey], finished: str) -> None:
        """Pages done with: part of a finished document (``doc:KEY``) or a separator
        sheet (``separator:CODE``)."""
        self._db.executemany(
            "INSERT OR REPLACE INTO pages (file, page, side, finished) VALUES (?, ?, ?, ?)",
            [(file, page, side, finished) for page, side in pages],
        )

    def finished_pages(self, file: str) -> dict[PageKey, str]:
        """What each finished page of ``file`` (by its SHA-256) was."""
        rows = self._db.execute("SELECT page, side, finished FROM pages WHERE file = ?", (file,))
        return {(page, side): finished for page, side, finished in rows}

    def _mark(self, key: str, state: str, result: dict[str, Any] | None) -> None:
        self._db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "state = excluded.state, result = excluded.result, updated_at = excluded.updated_at",
            (
                key,
                self.document_id(key),
                state,
                None if result is None else json.dumps(result, ensure_ascii=False),
                datetime.now(UTC).isoformat(),
            ),
        )

    def _pages_table(self) -> None:
        """``pages``: (file, page, side, finished); a journal written before spreads were
        split (no ``side``) has its rows kept as whole pages."""
        columns = [row[1] for row in self._db.execute("PRAGMA table_info(pages)")]
        before_sides = bool(columns) and "side" not in columns
        if before_sides:
            self._db.execute("ALTER TABLE pages RENAME TO pages_before_sides")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS pages (file TEXT NOT NULL, page INTEGER NOT NULL, "
            "side INTEGER NOT NULL DEFAULT 0, finished TEXT NOT NULL, "
            "PRIMARY KEY (file, page, side))"
        )
        if before_sides:
            self._db.execute(
                "INSERT INTO pages SELECT file, page, 0, finished FROM pages_before_sides"
            )
            self._db.execute("DROP TABLE pages_before_sides")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
