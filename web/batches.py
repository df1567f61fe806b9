"""Clerks' batches: scans uploaded through the service, run by ``sohoa process`` itself.

A batch is a folder, ``SOHOA_HOME/batches/<batch ID>/``, so that a restarted server
still lists it (and runs it on where it stopped):

- ``batch.json``: who uploaded it, when, the dossier code, each file's name as sent and
  as kept, its size;
- ``files/``: the uploaded files, in the order sent (``001-scan.pdf``, ``002-…``);
- ``started.json``: when its run began, how many pages its files hold, where the run's
  journal is (``pipeline/journal.py``), the attempt;
- ``output.jsonl`` and ``stderr.log``: what ``sohoa process --json`` printed;
  ``report.json``: its ``--report``;
- ``finished.json``: when it ended and the exit code.

One batch runs at a time (per ``SOHOA_HOME``: a lock file, so several server processes
share the turn), the oldest first, in a subprocess -- the very command a clerk types,
``sohoa process FILES [--dossier CODE] --json --jobs N --report …``, with
``OMP_THREAD_LIMIT=1`` -- so the server stays responsive and a crash of the pipeline
takes only that batch down. A run the server's own shutdown stopped is run again when
it starts: the journal makes it resume, not begin again.

Progress is read from another process's files: pages finished and documents stored or
set aside from the journal (SQLite, committed document by document), failures from the
lines ``sohoa process`` prints on stderr (``sohoa: error: …``), then its report.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sohoa.pipeline.journal import journal_path, read_progress

log = logging.getLogger("sohoa.web")

BATCH_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{8}")
#: how a batch is said to stand
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
#: a run stopped by the server's shutdown this many times is not tried again
MAX_ATTEMPTS = 3
#: exit codes of ``sohoa process`` that mean it went through the batch (1: some input
#: failed, said in the report); anything else is a crash or a refusal
FINISHED_CODES = (0, 1)
_ERROR_PREFIX = "sohoa: error: "
_POLL_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class BatchSettings:
    """How batches are taken and run: from the environment (docs/web.md)."""

    #: the largest upload, every file together (a 300-page colour TIFF is ~300 MB)
    max_bytes: int = 500 * 2**20
    max_files: int = 1000
    #: ``sohoa process --jobs``: worker processes for OCR (the server keeps a core)
    jobs: int = 1
    #: the folder watched for scans dropped in (None: ``SOHOA_HOME/consume``, where it
    #: exists), and how long what is dropped must stay unchanged before it is taken
    consume: Path | None = None
    settle_seconds: float = 10.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> BatchSettings:
        cores = os.cpu_count() or 2
        megabytes = float(environ.get("SOHOA_UPLOAD_MAX_MB", "500"))
        return cls(
            max_bytes=int(megabytes * 2**20),
            max_files=int(environ.get("SOHOA_UPLOAD_MAX_FILES", "1000")),
            jobs=max(1, int(environ.get("SOHOA_BATCH_JOBS", str(min(4, cores // 2))))),
            consume=Path(environ["SOHOA_CONSUME_DIR"])
            if environ.get("SOHOA_CONSUME_DIR")
            else None,
        )


def new_batch_id() -> str:
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _write_json(path: Path, value: dict[str, Any]) -> None:
    """Written whole, then moved in place: a reader never sees half of it."""
    part = path.with_name(f".{path.name}.part")
    part.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    part.replace(path)


@dataclass(frozen=True, slots=True)
class Batch:
    """One batch as its folder says it stands, now."""

    folder: Path
    meta: dict[str, Any]
    started: dict[str, Any] | None
    finished: dict[str, Any] | None

    @classmethod
    def read(cls, folder: Path) -> Batch | None:
        meta = _read_json(folder / "batch.json")
        if meta is None:
            return None
        started = _read_json(folder / "started.json")
        return cls(folder, meta, started, _read_json(folder / "finished.json"))

    @property
    def batch_id(self) -> str:
        return self.folder.name

    @property
    def files(self) -> list[Path]:
        return [self.folder / "files" / f["stored"] for f in self.meta["files"]]

    @property
    def state(self) -> str:
        if self.finished is not None:
            return DONE if self.finished.get("exit_code") in FINISHED_CODES else FAILED
        return QUEUED if self.started is None else RUNNING

    def progress(self, home: Path) -> dict[str, Any]:
        """Pages done of the total, documents stored and set aside (each still waiting
        for review or approved since), failures as sentences."""
        started = self.started or {}
        total = started.get("pages")
        documents, finished_pages = _journal(Path(started["journal"])) if started else ([], 0)
        done = total if self.state == DONE and total is not None else finished_pages
        if total is not None:
            done = min(done, total)
        stored = [d for d in documents if d["state"] == "stored"]
        review = [d for d in documents if d["state"] == "review"]
        for item in review:
            item["waiting"] = (home / "review" / item["document_id"] / "extract.json").is_file()
        return {
            "pages_total": total,
            "pages_done": done,
            "stored": stored,
            "review": review,
            "errors": self.errors(),
        }

    def errors(self) -> list[str]:
        """What went wrong, one sentence each: the report's failures once there is one,
        else the failures printed so far; a run that crashed says so."""
        report = _read_json(self.folder / "report.json") if self.finished else None
        if report is not None:
            lines = list(report.get("failed", []))
        else:
            lines = [
                line.removeprefix(_ERROR_PREFIX)
                for line in self._stderr().splitlines()
                if line.startswith(_ERROR_PREFIX)
            ]
        errors = [self._named(line) for line in lines]
        if self.state == FAILED:
            code = (self.finished or {}).get("exit_code")
            last = next(
                (line for line in reversed(self._stderr().splitlines()) if line.strip()), ""
            )
            reason = self._named(last.removeprefix(_ERROR_PREFIX)) if last else ""
            errors.append(
                f"Quá trình xử lý lô bị dừng bất thường (mã thoát {code})"
                + (f": {reason}" if reason else ".")
            )
        return errors

    def _stderr(self) -> str:
        try:
            return (self.folder / "stderr.log").read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _named(self, line: str) -> str:
        """A message with each kept file's path as the clerk named the file."""
        for kept in self.meta["files"]:
            line = line.replace(str(self.folder / "files" / kept["stored"]), kept["name"])
        return line

    def to_json(self, home: Path) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "state": self.state,
            "uploaded_by": self.meta.get("uploaded_by"),
            "created_at": self.meta.get("created_at"),
            "started_at": (self.started or {}).get("at"),
            "finished_at": (self.finished or {}).get("at"),
            "exit_code": (self.finished or {}).get("exit_code"),
            "dossier_code": self.meta.get("dossier_code"),
            "files": [{"name": f["name"], "size": f["size"]} for f in self.meta["files"]],
            **self.progress(home),
        }


def _journal(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The documents a run's journal holds (ID, state, type, pages) and how many pages
    are finished (``journal.read_progress``); nothing while it cannot be read yet."""
    if not path.is_file():
        return [], 0
    try:
        rows, pages = read_progress(path)
    except sqlite3.Error as error:  # not written yet, or a moment's lock
        log.info("%s: %s", path, error)
        return [], 0
    documents = [
        {
            "document_id": document_id,
            "state": state,
            "doc_type": found.get("doc_type"),
            "pages": found.get("pages"),
        }
        for document_id, state, found in rows
    ]
    return documents, pages


class Batches:
    """The batches of one ``SOHOA_HOME`` and the thread that runs them, one at a time."""

    def __init__(
        self,
        home: Path,
        settings: BatchSettings,
        command: list[str] | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.home = home
        self.root = home / "batches"
        self.settings = settings
        self.command = command or sohoa_command()
        self._environ = dict(environ)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._running: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.consume = settings.consume or home / "consume"
        self._watcher: threading.Thread | None = None
        self._seen: dict[Path, tuple[int, float]] = {}  # what was dropped, as last seen

    # -- the folder ------------------------------------------------------------------------

    def incoming(self) -> tuple[str, Path]:
        """A new batch's ID and the hidden folder its upload is written into."""
        batch_id = new_batch_id()
        folder = self.root / f".incoming-{batch_id}"
        (folder / "files").mkdir(parents=True)
        return batch_id, folder

    def add(self, batch_id: str, incoming: Path, meta: dict[str, Any]) -> Batch:
        """The upload in ``incoming`` made a batch (queued): moved in place whole."""
        _write_json(incoming / "batch.json", {**meta, "created_at": now()})
        folder = self.root / batch_id
        incoming.rename(folder)
        self._wake.set()
        batch = Batch.read(folder)
        assert batch is not None
        return batch

    def get(self, batch_id: str) -> Batch | None:
        if not BATCH_ID.fullmatch(batch_id):
            return None
        return Batch.read(self.root / batch_id)

    def all(self) -> list[Batch]:
        """Every batch, the newest first."""
        if not self.root.is_dir():
            return []
        names = sorted(
            (p.name for p in self.root.iterdir() if BATCH_ID.fullmatch(p.name)), reverse=True
        )
        return [b for b in map(self.get, names) if b is not None]

    # -- the runner ------------------------------------------------------------------------

    def start(self) -> None:
        self._forget_abandoned_uploads()
        self._thread = threading.Thread(target=self._loop, name="sohoa-batches", daemon=True)
        self._thread.start()
        self._watcher = threading.Thread(target=self._watch, name="sohoa-consume", daemon=True)
        self._watcher.start()

    def stop(self, grace: float = 10.0) -> None:
        """Stop the thread; a batch running is stopped (its process group: the workers
        too) and will be run on, resumed, when the service starts again."""
        self._stopping.set()
        self._wake.set()
        with self._lock:
            running = self._running
        if running is not None and running.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(running.pid, signal.SIGTERM)
            try:
                running.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(running.pid, signal.SIGKILL)
                running.wait()
        for thread in (self._thread, self._watcher):
            if thread is not None:
                thread.join(grace)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            ran = False
            try:
                ran = self._run_next()
            except Exception:  # a batch's trouble must not stop the ones after it
                log.exception("batches")
            if not ran:
                self._wake.wait(_POLL_SECONDS)
                self._wake.clear()

    # -- the consume folder ----------------------------------------------------------------

    def _watch(self) -> None:
        while not self._stopping.wait(min(_POLL_SECONDS, self.settings.settle_seconds / 2)):
            try:
                if self.consume.is_dir() and self._consume_in_turn():
                    self._wake.set()
            except Exception:  # a folder's trouble must not stop the watch
                log.exception("consume folder %s", self.consume)

    def _consume_in_turn(self) -> int:
        """:meth:`consume_once`, unless another server process over the home is at it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".consume.lock", "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0
            return self.consume_once()

    def consume_once(self) -> int:
        """Take what was dropped into the consume folder and has stayed unchanged for
        ``settle_seconds``: each file a batch, each folder a batch of its files (one
        named as a dossier code: that dossier). Returns how many batches were made."""
        made = 0
        entries = [e for e in self.consume.iterdir() if not e.name.startswith(".")]
        for entry in sorted(entries):
            stamp = _stamp(entry)
            if stamp is None or stamp[0] == 0:  # gone, or a folder still empty
                continue
            if self._seen.get(entry) != stamp:
                self._seen[entry] = stamp  # new or still changing: look again later
                continue
            if time.time() - stamp[1] < self.settings.settle_seconds:
                continue
            del self._seen[entry]
            made += self._take(entry)
        return made

    def _take(self, entry: Path) -> int:
        from sohoa.pipeline import intake
        from sohoa.pipeline.dossier import parse_dossier_code
        from sohoa.pipeline.errors import SohoaError

        scans = []
        for path in intake.iter_inputs([entry]):
            with contextlib.suppress(SohoaError, OSError):
                intake.sniff(path)
                scans.append(path)
        if not scans:  # nothing to read: set aside, said in the log
            refused = self.consume / ".refused"
            refused.mkdir(exist_ok=True)
            entry.rename(refused / f"{new_batch_id()}-{entry.name}")
            log.warning("consume folder: %s holds no scan; moved to %s", entry.name, refused)
            return 0
        code = parse_dossier_code(entry.name if entry.is_dir() else entry.stem)
        batch_id, incoming = self.incoming()
        files = []
        for number, path in enumerate(scans, 1):
            kept = f"{number:03d}-{safe_name(path.name)}"
            size = path.stat().st_size
            shutil.move(path, incoming / "files" / kept)
            files.append(
                {"name": str(path.relative_to(entry.parent)), "stored": kept, "size": size}
            )
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)  # what was left: no scans
        meta = {
            "uploaded_by": "consume",
            "dossier_code": code.code if code else None,
            "files": files,
        }
        self.add(batch_id, incoming, meta)
        log.info("consume folder: %s -> batch %s", entry.name, batch_id)
        return 1

    def _run_next(self) -> bool:
        """Run the oldest batch not finished, if this process gets the turn."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".runner.lock", "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another server process runs one
                return False
            batch = next((b for b in reversed(self.all()) if b.finished is None), None)
            if batch is None:
                return False
            self._run(batch)
            return True

    def _run(self, batch: Batch) -> None:
        earlier = (batch.started or {}).get("pid")
        while earlier and _runs(int(earlier), batch.folder) and not self._stopping.is_set():
            # a server killed outright left its run going: not a second writer beside it
            self._stopping.wait(1.0)
        if self._stopping.is_set():
            return
        attempt = int((batch.started or {}).get("attempt", 0)) + 1
        if attempt > MAX_ATTEMPTS:
            self._finish(batch, -1, "stopped too many times")
            return
        files = batch.files
        code = batch.meta.get("dossier_code")
        pages, journal = _pages_and_journal(self.home, files, code)
        started = {"at": now(), "pages": pages, "journal": str(journal), "attempt": attempt}
        _write_json(batch.folder / "started.json", started)
        command = [
            *self.command,
            "process",
            *map(str, files),
            "--json",
            "--jobs",
            str(self.settings.jobs),
            "--report",
            str(batch.folder / "report.json"),
            *(["--dossier", code] if code else []),
        ]
        env = {**self._environ, "SOHOA_HOME": str(self.home), "OMP_THREAD_LIMIT": "1"}
        with (
            open(batch.folder / "output.jsonl", "wb") as out,
            open(batch.folder / "stderr.log", "wb") as err,
        ):
            with self._lock:
                if self._stopping.is_set():
                    return
                try:
                    running = subprocess.Popen(
                        command,
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=err,
                        env=env,
                        cwd=batch.folder,
                        start_new_session=True,  # its own group: stopped with its workers
                    )
                except OSError as error:
                    self._finish(batch, -1, f"{command[0]}: {error.strerror or error}")
                    return
                self._running = running
            _write_json(batch.folder / "started.json", {**started, "pid": running.pid})
            log.info("batch %s: %s", batch.batch_id, " ".join(command))
            exit_code = running.wait()
        with self._lock:
            self._running = None
        if self._stopping.is_set() and exit_code < 0:
            return  # stopped with the service: it runs on when the service starts again
        self._finish(batch, exit_code)

    def _finish(self, batch: Batch, exit_code: int, why: str = "") -> None:
        if why:
            with open(batch.folder / "stderr.log", "ab") as err:
                err.write(f"{_ERROR_PREFIX}{why}\n".encode())
        _write_json(batch.folder / "finished.json", {"at": now(), "exit_code": exit_code})
        log.info("batch %s: exit code %s", batch.batch_id, exit_code)

    def _forget_abandoned_uploads(self, older_than: float = 86400) -> None:
        """Uploads a stopped server never finished receiving."""
        if not self.root.is_dir():
            return
        for folder in self.root.glob(".incoming-*"):
            with contextlib.suppress(OSError):
                if time.time() - folder.stat().st_mtime > older_than:
                    shutil.rmtree(folder)


def _stamp(entry: Path) -> tuple[int, float] | None:
    """Size and latest modification of a file, or of a folder's files together."""
    try:
        paths = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        stats = [p.stat() for p in paths]
        latest = max([entry.stat().st_mtime, *(s.st_mtime for s in stats)])
    except OSError:
        return None
    return sum(s.st_size for s in stats), latest


def safe_name(name: str) -> str:
    """A name safe on any disk and in any command line: ASCII letters, digits, ``._-``."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    kept = re.sub(r"[^A-Za-z0-9._-]+", "_", plain.encode("ascii", "ignore").decode())
    return kept.strip("._-")[-80:] or "scan"


def _runs(pid: int, folder: Path) -> bool:
    """Whether process ``pid`` is alive and a run of the batch in ``folder``."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return str(folder).encode() in command


def _pages_and_journal(
    home: Path, files: list[Path], dossier_code: str | None
) -> tuple[int | None, Path]:
    """How many pages the files hold (headers only; None if one cannot be read: the run
    says why) and the journal ``sohoa process`` keeps for them (the same identity)."""
    from sohoa.pipeline import intake
    from sohoa.pipeline.errors import SohoaError

    inputs = list(intake.iter_inputs(files))
    pages: int | None = 0
    for path in inputs:
        try:
            pages = None if pages is None else pages + len(intake.list_pages(path))
        except (SohoaError, OSError):
            pages = None
    return pages, journal_path(home, inputs, dossier_code)


def sohoa_command() -> list[str]:
    """The ``sohoa`` console script beside this Python, else the same entry point."""
    script = Path(sys.executable).with_name("sohoa")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from sohoa.pipeline.cli import main; main()"]
