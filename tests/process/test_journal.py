"""The batch journal: what a re-run of ``sohoa process`` finds of an earlier run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sohoa.pipeline.journal import DOCUMENT, SEPARATOR, STORED, Journal


def test_finished_pages_and_documents_are_there_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        journal.finish_pages("f1", [(1, 0)], SEPARATOR + "000.00.15.H26-251124-0001")
        journal.mark("f1:2,3a", STORED, {"document_id": "x"}, [("f1", [(2, 0), (3, 1)])])
        first_id = journal.document_id("f1:2,3a")
    with Journal(path) as journal:
        assert journal.finished_pages("f1") == {
            (1, 0): SEPARATOR + "000.00.15.H26-251124-0001",
            (2, 0): DOCUMENT + "f1:2,3a",
            (3, 1): DOCUMENT + "f1:2,3a",  # the spread's second page is not finished
        }
        assert journal.state("f1:2,3a") == (STORED, {"document_id": "x"})
        assert journal.document_id("f1:2,3a") == first_id  # the same on every run
        assert journal.finished_pages("other") == {}


def test_a_journal_from_before_spreads_keeps_its_pages_as_whole_pages(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE pages (file TEXT NOT NULL, page INTEGER NOT NULL, "
        "finished TEXT NOT NULL, PRIMARY KEY (file, page))"
    )
    db.execute("INSERT INTO pages VALUES ('f1', 4, 'doc:f1:4')")
    db.commit()
    db.close()
    with Journal(path) as journal:
        assert journal.finished_pages("f1") == {(4, 0): "doc:f1:4"}
        journal.finish_pages("f1", [(5, 2)], "doc:f1:5b")
        assert journal.finished_pages("f1")[(5, 2)] == "doc:f1:5b"
