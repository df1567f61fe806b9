"""`sohoa serve` under load (issue #7): search and download with a million documents.

Seeds a workdir once (``--reuse`` uses it again): ``WORKDIR/home`` is a ``SOHOA_HOME``
whose SQLite catalog holds ``--rows`` documents -- all but ``--stored`` of them generated
and loaded by benchmarks/catalog.py (its generator and loader, the same seed gives the
same documents; catalogue-only: search targets), and ``--stored`` real signed PDFs
(the development CA's signature over a page or three of scan-sized JPEG) stored with
``Library.store_document``, in the object store and the catalog both: the documents
downloaded. A local officer account is made with ``sohoa account add``.

Then starts ``sohoa serve`` on 127.0.0.1 and loads it from this machine in two phases,
sampling the server's process tree's memory (PSS, from /proc) and CPU all along:

1. **paced**, ``--duration`` seconds (600 for the issue's run): ``--clients`` clients
   (50), each logged in with its own session, each sending one request every
   ``--think`` seconds on average (exponential gaps), open loop -- a request is sent at
   its time whether or not the client's previous one has come back, and its latency
   counts from that time, so a slow server cannot slow the load down and hide its own
   queue (coordinated omission). ``--downloads`` of the requests download a stored
   document's signed PDF, the rest search, the queries drawn from the loaded documents
   (ID numbers, dossier codes, names with and without diacritics, addresses, names and
   places, family name and given-name start, name + type + year, one common word).
   Every response is checked: a search whose drawn document is missing from its page
   (unless the page is 20 equally good hits, as benchmarks/catalog.py counts them), a
   download whose SHA-256 is not the catalogue's.
2. **saturation**, ``--saturation-duration`` seconds: wrk (Debian's ``wrk``, in C, light
   on a small machine), the same number of connections, no pause between requests, the
   searches and the downloads in two wrk processes at once (split as ``--downloads``),
   so that each kind has its own latencies; what the server does flat out. Closed loop:
   its latencies are the queue's (Little's law, connections / throughput). Each search
   that must find its document (ID number, dossier code, name + type + year) is checked
   to hold it; each download's length and ``%PDF-`` start.

Prints a markdown table (requests, requests/s, p50/p95/p99/max latency, errors = non-2xx
answers and socket errors, responses checked and wrong), the search latencies by query
kind, the server's memory (start, median, end, max, slope) and CPU, and the machine.

``--profile`` also samples the server with py-spy during the saturation (``pip install
py-spy``) and says where its threads' time went. Seeding a million documents takes
about 20-25 minutes on two cores (benchmarks/catalog.py's loader, ~1,000-1,200
documents a second, plus generating them); ``--reuse`` runs on a seeded workdir,
``--resume`` goes on with a load that was stopped, ``--catalog-from`` copies a catalog
that ``benchmarks/catalog.py --dialects sqlite`` loaded.

    apt-get install wrk
    python benchmarks/serve.py --workdir /tmp/serve1m --rows 1000000 --seed-only
    python benchmarks/serve.py --workdir /tmp/serve1m --reuse --duration 600 --profile
    python benchmarks/serve.py --workdir /tmp/serve20k --rows 20000 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import math
import os
import platform
import random
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog as catalog_bench  # benchmarks/catalog.py: the generator and the loader

from sohoa.storage.catalog import Catalog
from sohoa.storage.catalog.database import URL_VARIABLE
from sohoa.synth.people import dossier_code

SOHOA = str(Path(sys.executable).with_name("sohoa"))
USERNAME = "bench-officer"
PASSWORD = "serve-benchmark-password-7"  # a local account in the benchmark's own home
SESSION_COOKIE = "sohoa_session"
SEARCH = "/api/v1/documents"
#: the query kinds benchmarks/catalog.py draws, by the short names printed here
KINDS = {
    "ID number (12 or 9 digits)": "ID number in q",
    "dossier code": "dossier code in q",
    "full name, folded lower case": "name, no diacritics",
    "free text: address phrase": "address phrase",
    "free text: name + place": "name + place",
    "family name + given-name prefix": "family name + given-name start",
    "name + doc_type + key-date year": "name + doc_type + year",
    "one common word (`nguyen`)": "one common word (nguyen)",
}
#: kinds whose drawn document must be on the page (the others may answer with a full
#: page of equals: ~1,200 namesakes of a common name in a million documents)
EXACT = (
    "ID number in q",
    "ID number filter",
    "dossier code in q",
    "dossier code filter",
    "name + doc_type + year",
)
WRK_LUA = r"""
-- written by benchmarks/serve.py; wrk ... -s THIS URL -- URL_FILE COOKIE
-- one connection a thread (-t N -c N): each response answers the thread's last request
local threads, counter = {}, 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  paths, expect = {}, {}
  for line in io.lines(args[1]) do
    local path, want = line:match("^([^\t]+)\t?(.*)$")
    paths[#paths + 1] = path
    expect[#expect + 1] = want
  end
  if args[2] and args[2] ~= "" then
    wrk.headers["Cookie"] = "sohoa_session=" .. args[2]
  end
  math.randomseed(id * 7919)
  current, checked, wrong = 1, 0, 0
end

function request()
  current = math.random(#paths)
  return wrk.format("GET", paths[current])
end

function response(status, headers, body)
  local want = expect[current]
  if status ~= 200 or want == "" then return end
  checked = checked + 1
  if want:sub(1, 1) == "#" then
    if #body ~= tonumber(want:sub(2)) or body:sub(1, 5) ~= "%PDF-" then wrong = wrong + 1 end
  elseif not body:find(want, 1, true) then
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  local checked, wrong = 0, 0
  for _, t in ipairs(threads) do
    checked = checked + t:get("checked")
    wrong = wrong + t:get("wrong")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, ' ..
    '"checked": %d, "wrong": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    checked, wrong))
end
"""


# --- the workdir: catalogue and stored documents ---------------------------------------


def seed_workdir(args: argparse.Namespace) -> dict[str, Any]:
    """Loads the catalogue and stores the signed documents; what was made (seed.json)."""
    home = args.workdir / "home"
    environ = environment(args)
    url = catalog_url(args)
    loaded_rows = args.rows - args.stored
    notes: dict[str, Any] = {"rows": args.rows, "seed": args.seed, "loaded": loaded_rows}
    if not args.resume:
        if args.database_url:
            catalog_bench.recreate("postgresql", args.workdir, args.database_url)
        for suffix in ("", "-wal", "-shm"):
            (home / f"catalog.sqlite{suffix}").unlink(missing_ok=True)
        for folder in ("objects", "outbox"):
            shutil.rmtree(home / folder, ignore_errors=True)
        (args.workdir / "seed.json").unlink(missing_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    if args.catalog_from and not args.resume:
        t0 = time.perf_counter()
        for suffix in ("", "-wal"):
            source = Path(f"{args.catalog_from}{suffix}")
            if source.exists():
                shutil.copyfile(source, home / f"catalog.sqlite{suffix}")
        notes["copied_from"] = str(args.catalog_from)
        notes["copy_s"] = round(time.perf_counter() - t0, 1)
    with Catalog.open(url) as catalog:
        start = catalog.count()
        if args.catalog_from:  # all that benchmarks/catalog.py loaded; the stored ones added
            loaded_rows = notes["loaded"] = start
            notes["rows"] = start + args.stored
        if start > loaded_rows:
            sys.exit(f"the catalog holds {start:,} documents, more than --rows - --stored")
        if start < loaded_rows:
            say(f"loading documents {start:,}..{loaded_rows:,} into {catalog.dialect}")
            t0 = time.perf_counter()
            spent, generating = catalog_bench.load(
                catalog, loaded_rows, args.seed, args.batch, start
            )
            catalog_bench.settle(catalog)
            notes.update(
                load_s=round(time.perf_counter() - t0),
                record_documents_s=round(spent),
                generating_s=round(generating),
                documents_per_s=round((loaded_rows - start) / max(spent, 1e-9)),
            )
            say(f"loaded in {notes['load_s']} s ({notes['documents_per_s']:,} documents/s)")
    t0 = time.perf_counter()
    notes["stored"] = store_signed(home, environ, args.stored, args.seed)
    notes["store_s"] = round(time.perf_counter() - t0, 1)
    say(f"stored {args.stored} signed documents in {notes['store_s']} s")
    notes["account"] = add_account(environ)
    (args.workdir / "seed.json").write_text(json.dumps(notes, indent=1))
    return notes


def environment(args: argparse.Namespace) -> dict[str, str]:
    """The environment of the benchmark's home: its store and SQLite catalog (or the
    PostgreSQL of ``--database-url``)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    environ["SOHOA_HOME"] = str(args.workdir / "home")
    if args.database_url:
        environ[URL_VARIABLE] = args.database_url
    return environ


def catalog_url(args: argparse.Namespace) -> str:
    return args.database_url or f"sqlite:///{args.workdir / 'home' / 'catalog.sqlite'}"


def scan_pdfs(folder: Path, seed: int) -> list[Path]:
    """PDFs the size of a signed dossier document: 1-3 A4 pages of a JPEG scan each
    (~75 KB to ~680 KB), not yet signed."""
    import numpy as np
    import pikepdf
    from PIL import Image

    rng = np.random.default_rng(seed)
    pdfs = []
    for index, (pages, side) in enumerate([(1, 700), (1, 1100), (2, 1240), (3, 1240)]):
        pdf = pikepdf.new()
        for _ in range(pages):
            paper = rng.normal(225, 9, (round(side * 1.414), side)).clip(0, 255)
            buffer = io.BytesIO()
            Image.fromarray(paper.astype("uint8"), "L").save(buffer, "JPEG", quality=60)
            image = pikepdf.Stream(pdf, buffer.getvalue())
            image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
            image.Width, image.Height = side, round(side * 1.414)
            image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceGray, 8
            image.Filter = pikepdf.Name.DCTDecode
            page = pdf.add_blank_page(page_size=(595, 842))
            page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
            page.Contents = pikepdf.Stream(pdf, b"q 595 0 0 842 0 0 cm /Im0 Do Q")
        pdf.save(folder / f"scan-{index}.pdf")
        pdfs.append(folder / f"scan-{index}.pdf")
    return pdfs


def store_signed(home: Path, environ: dict[str, str], count: int, seed: int) -> list[dict]:
    """``count`` documents signed by the development CA, stored in the library with a
    generated extract (benchmarks/catalog.py's types, names, places and text); their
    IDs, SHA-256 and sizes."""
    from sohoa.signing.devca import development_signer
    from sohoa.signing.pades import load_signer, sign
    from sohoa.storage.library import Library

    rng = random.Random(seed * 31 + 7)
    kinds, weights = list(catalog_bench.TYPES), list(catalog_bench.TYPES.values())
    folder = home.parent / "pdf"
    folder.mkdir(exist_ok=True)
    dev = development_signer(home)
    signer = load_signer(dev.pkcs12, dev.passphrase)
    scans = scan_pdfs(folder, seed)
    stored = []
    with Library.open(home, environ) as library:
        for index in range(count):
            kind = rng.choices(kinds, weights)[0]
            fields, body = catalog_bench.MAKERS[kind](rng)
            day = date(2026, 1, 1) + timedelta(days=index % 300)
            signed = sign(scans[index % len(scans)], folder / "signed.pdf", signer)
            extract = {
                "source": f"scan-{index:05d}.tif",
                "pages": [1],
                "doc_type": kind,
                "fields": fields,
                "field_confidence": {name: 0.95 for name in fields},
                "needs_review": False,
                "text": body,
            }
            doc_id = f"{day:%Y%m%d}-{hashlib.sha256(f'{seed}/{index}'.encode()).hexdigest()[:16]}"
            done = library.store_document(
                signed,
                extract,
                document_id=doc_id,
                dossier_code=dossier_code(rng, day, index + 1),
                actor="benchmark",
            )
            stored.append(
                {
                    "document_id": done.document_id,
                    "sha256": done.sha256,
                    "size": signed.stat().st_size,
                }
            )
    return stored


def add_account(environ: dict[str, str]) -> str:
    """The officer account the clients log in as (``sohoa account add``)."""
    argv = [SOHOA, "account", "add", USERNAME, "--role", "officer"]
    argv += ["--display-name", "Cán bộ đo tải", "--password-stdin"]
    done = subprocess.run(argv, input=PASSWORD, text=True, capture_output=True, env=environ)
    if done.returncode:
        message = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        say(f"sohoa account add: {message[0]} (the clients will not log in)")
        return ""
    return USERNAME


# --- the requests -----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    kind: str  # "search" or "download"
    query_kind: str  # the kind of query, or "signed PDF"
    path: str  # with its query string
    target: str | None = None  # a search: the document drawn; a download: its SHA-256
    page_of: tuple[str, ...] = ("name",)
    size: int = 0


def search_path(params: dict[str, Any]) -> str:
    params = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"{SEARCH}?{urllib.parse.urlencode({**params, 'limit': 20})}"


def requests_pool(args: argparse.Namespace, seeded: dict[str, Any]) -> list[Request]:
    """The searches, ``--queries`` of each kind drawn from the loaded documents (as
    benchmarks/catalog.py draws them, plus names with their diacritics and the ID-number
    and dossier-code filters), and the stored documents' downloads."""
    pool: list[Request] = []
    with Catalog.open(catalog_url(args)) as catalog:
        drawn = catalog_bench.queries(catalog, seeded["loaded"], args.queries, args.seed)
        for long_name, queries in drawn.items():
            for q in queries:
                params = {"q": q.text, **{k: str(v) for k, v in q.options.items()}}
                pool.append(
                    Request("search", KINDS[long_name], search_path(params), q.target, q.page_of)
                )
                if long_name.startswith("ID number"):
                    params = {"id_number": q.text}
                    pool.append(
                        Request("search", "ID number filter", search_path(params), q.target)
                    )
        rng = random.Random(args.seed * 104729)
        while sum(r.query_kind == "name, with diacritics" for r in pool) < args.queries:
            doc = catalog.document(f"doc-{rng.randrange(seeded['loaded']):07d}")
            name = doc and catalog_bench.first(doc.fields, catalog_bench.NAME_KEYS)
            if not doc or not name:
                continue
            pool.append(
                Request(
                    "search",
                    "name, with diacritics",
                    search_path({"q": name.title()}),
                    doc.document_id,
                )
            )
            pool.append(
                Request(
                    "search",
                    "dossier code filter",
                    search_path({"dossier_code": doc.dossier_code}),
                    doc.document_id,
                )
            )
    for doc in seeded["stored"]:
        path = f"{SEARCH}/{urllib.parse.quote(doc['document_id'])}/pdf"
        pool.append(Request("download", "signed PDF", path, doc["sha256"], size=doc["size"]))
    return pool


# --- the server -------------------------------------------------------------------------


class Server:
    """``sohoa serve`` on a free port of 127.0.0.1, in a process group of its own."""

    def __init__(self, args: argparse.Namespace) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [SOHOA, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if args.workers:
            argv += ["--workers", str(args.workers)]
        self.log = (args.workdir / "serve.log").open("w")
        self.process = subprocess.Popen(
            argv,
            env=environment(args),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid = self.process.pid
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"sohoa serve ended ({self.process.returncode}): see {self.log.name}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        sys.exit("sohoa serve did not answer /healthz within 120 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def log_in(client: httpx.Client) -> str:
    """A session token (the ``sohoa_session`` cookie of ``POST /api/v1/session``), or ""
    where the service has no login (yet)."""
    login = {"username": USERNAME, "password": PASSWORD}
    response = client.post("/api/v1/session", json=login)
    client.cookies.clear()
    if response.status_code != 200:
        say(f"log in: {response.status_code} {response.text[:200]}")
        return ""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name.strip() == SESSION_COOKIE:
            return rest.split(";", 1)[0]
    say("log in: 200 without a sohoa_session cookie")
    return ""


# --- memory and CPU of the server -------------------------------------------------------


def tree(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids.append(current)
        stack += [int(child) for child in children]
    return pids


def tree_memory_kib(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of a process and its descendants, in KiB (/proc/PID/smaps_rollup)."""
    pss = rss = 0
    for current in tree(pid):
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss += int(line.split()[1])
    return pss, rss


def tree_cpu_s(pid: int) -> float:
    """CPU seconds the process and its living descendants have used (and their waited-for
    children)."""
    ticks = 0
    for current in tree(pid):
        try:
            stat = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(v) for v in stat[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK"), sum(values) / os.sysconf("SC_CLK_TCK")


@dataclass
class Sampler:
    """The server tree's PSS and RSS every ``interval`` seconds, in a thread."""

    pid: int
    interval: float
    samples: list[tuple[float, int, int]] = field(default_factory=list)  # (t, PSS, RSS)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            pss, rss = tree_memory_kib(self.pid)
            self.samples.append((time.monotonic(), pss, rss))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()

    def between(self, t0: float, t1: float) -> list[tuple[float, int, int]]:
        return [s for s in self.samples if t0 <= s[0] <= t1]


@dataclass
class Usage:
    """CPU used over a phase: the server's, the load generator's, the whole machine's."""

    wall: float
    server: float
    client: float
    machine: float

    def line(self, requests: int) -> str:
        other = max(0.0, self.machine - self.server - self.client)
        per = f" = {1000 * self.server / requests:.1f} ms a request" if requests else ""
        return (
            f"server {self.server / self.wall:.2f} cores{per}, load generator "
            f"{self.client / self.wall:.2f}, everything else on the machine {other / self.wall:.2f}"
            f" (of {os.cpu_count()})"
        )


class Meter:
    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.t0 = time.monotonic()
        self.server0 = tree_cpu_s(server_pid)
        self.client0 = own_cpu_s()
        self.machine0 = machine_busy()[0]

    def usage(self) -> Usage:
        return Usage(
            time.monotonic() - self.t0,
            tree_cpu_s(self.pid) - self.server0,
            own_cpu_s() - self.client0,
            machine_busy()[0] - self.machine0,
        )


def own_cpu_s() -> float:
    """This process's CPU and its waited-for children's (wrk)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# --- phase 1: paced, open loop ----------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    request: Request
    latency_ms: float  # from the moment the request was due
    lag_ms: float  # how late the generator sent it
    status: int  # 0: no answer (a socket error or timeout)
    wrong: bool | None  # None: not checked
    found: bool | None = None  # a search: the drawn document on the page
    error: str = ""  # no answer, or a wrong one: why


def check(request: Request, response: httpx.Response) -> tuple[bool | None, bool | None]:
    """(wrong, found): whether the answer is wrong; a search's drawn document found."""
    if response.status_code != 200:
        return None, None
    if request.kind == "download":
        digest = hashlib.sha256(response.content).hexdigest()
        return digest != request.target or not response.content.startswith(b"%PDF-"), None
    hits = response.json()["hits"]
    if request.target is None:
        return False, None
    found = any(h["document_id"] == request.target for h in hits)
    equals = len(hits) == 20 and all(h.get("match") in request.page_of for h in hits)
    return not (found or equals) and request.query_kind in EXACT, found


async def paced(
    url: str,
    cookies: list[str],
    pool: list[Request],
    args: argparse.Namespace,
    duration: float,
) -> list[Outcome]:
    searches = [r for r in pool if r.kind == "search"]
    downloads = [r for r in pool if r.kind == "download"]
    loop = asyncio.get_running_loop()
    outcomes: list[Outcome] = []
    pending: set[asyncio.Task] = set()
    timeout = httpx.Timeout(60.0)

    async def one(client: httpx.AsyncClient, request: Request, due: float) -> None:
        sent, why = loop.time(), ""
        try:
            response = await client.get(request.path)
            latency = (loop.time() - due) * 1000
            status = response.status_code
            wrong, found = check(request, response)
            if not 200 <= status < 300:
                why = f"{status} {response.text[:200]}"
        except (ValueError, KeyError) as error:  # an answer, not the JSON it should be
            latency, wrong, found = (loop.time() - due) * 1000, True, None
            why = f"{type(error).__name__}: {error}"
        except (httpx.HTTPError, asyncio.CancelledError) as error:
            # cancelled: still unanswered two minutes after the phase's end -- an error
            latency, status, wrong, found = (loop.time() - due) * 1000, 0, None, None
            why = f"{type(error).__name__}: {error}"
        if why:
            say(f"{request.path}: {why}")
        outcome = Outcome(request, latency, (sent - due) * 1000, status, wrong, found, why)
        outcomes.append(outcome)

    async def client_loop(index: int, client: httpx.AsyncClient, start: float) -> None:
        rng = random.Random(args.seed * 1_000_003 + index)
        due = start + rng.uniform(0, args.think)
        while due < start + duration:
            await asyncio.sleep(max(0.0, due - loop.time()))
            choice = rng.choice(downloads if rng.random() < args.downloads else searches)
            task = asyncio.create_task(one(client, choice, due))
            pending.add(task)
            task.add_done_callback(pending.discard)
            due += rng.expovariate(1 / args.think)

    clients = [
        httpx.AsyncClient(
            base_url=url,
            headers={"Cookie": f"{SESSION_COOKIE}={cookie}"} if cookie else {},
            timeout=timeout,
            # an idle connection is closed before the server's keep-alive timeout
            # (uvicorn's 5 s) closes it: else a request sent on it as the server closes
            # it fails (a browser retries such a GET; httpx does not)
            limits=httpx.Limits(
                max_connections=None, max_keepalive_connections=4, keepalive_expiry=3.0
            ),
        )
        for cookie in cookies
    ]
    try:
        start = loop.time() + 0.2
        await asyncio.gather(*(client_loop(i, c, start) for i, c in enumerate(clients)))
        if pending:
            await asyncio.wait(pending, timeout=120)
        for task in list(pending):
            task.cancel()
        if pending:
            await asyncio.wait(pending)
    finally:
        for client in clients:
            await client.aclose()
    return outcomes


# --- phase 2: saturation, wrk -----------------------------------------------------------


def saturate(
    url: str, cookie: str, pool: list[Request], args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    """wrk flat out, the searches and the downloads in two processes at once; its figures
    for each kind (latencies in microseconds)."""
    script = args.workdir / "serve.lua"
    script.write_text(WRK_LUA)
    connections = {"download": max(1, round(args.clients * args.downloads))}
    connections["search"] = max(1, args.clients - connections["download"])
    running = {}
    for kind, count in connections.items():
        lines = []
        for r in pool:
            if r.kind != kind:
                continue
            want = f"#{r.size}" if kind == "download" else (r.target or "")
            lines.append(f"{r.path}\t{want if r.query_kind in (*EXACT, 'signed PDF') else ''}")
        urls = args.workdir / f"wrk-{kind}.txt"
        urls.write_text("\n".join(lines) + "\n")
        argv = [
            "wrk",
            f"-t{count}",
            f"-c{count}",
            f"-d{args.saturation_duration}s",
            "--timeout",
            "60s",
            "-s",
            str(script),
            url,
            "--",
            str(urls),
            cookie,
        ]
        running[kind] = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    results = {}
    for kind, process in running.items():
        out, _ = process.communicate()
        line = next((x for x in out.splitlines() if x.startswith('{"requests"')), None)
        if process.returncode or line is None:
            sys.exit(f"wrk ({kind}) failed:\n{out}")
        results[kind] = json.loads(line) | {"connections": connections[kind]}
    return results


# --- py-spy: where the server's time goes ----------------------------------------------


def profile(pid: int, seconds: int, out: Path) -> subprocess.Popen | None:
    spy = shutil.which("py-spy")
    if spy is None:
        say("--profile: no py-spy on PATH (pip install py-spy)")
        return None
    argv = [spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "50"]
    argv += ["--format", "raw", "--output", str(out), "--nonblocking", "--subprocesses"]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


#: where a sampled stack is idle: a thread waiting for work, the loop waiting for sockets
IDLE = ("Condition.wait", "EpollSelector.select", "Event.wait", "Queue.get", "Thread.join")
#: what the profile's summary names, each the share of busy samples with that function
#: anywhere on the stack (they overlap: a search holds SQL and pool time)
WHERE = (
    ("session lookup (each request)", ("Accounts.session",)),
    ("search", ("Catalog.search",)),
    ("search: SQL (ranked, exact, texts)", ("ranked", "exact", "Catalog._texts")),
    ("search: snippets", ("snippet",)),
    ("download (Library.get)", ("Library.get",)),
    ("download: copy to a temporary file, fsync", ("download_verified",)),
    ("download: temporary folder removed", ("TemporaryDirectory.cleanup", "rmtree")),
    ("audit row written", ("Catalog.audit",)),
    ("document looked up", ("Catalog.document",)),
    ("pool: a new SQLite connection", ("Pool._create_connection",)),
    ("pool: pre-ping", ("DefaultDialect._do_ping_w_event",)),
    ("SQLite executing", ("DefaultDialect.do_execute",)),
    ("JSON encoded", ("jsonable_encoder", "JSONResponse.render", "serialize_response")),
    ("access log", ("StreamHandler.emit",)),
    ("event loop: HTTP, middleware, sending", ("BaseEventLoop._run_once",)),
)


def profile_summary(raw: Path, top: int = 8) -> list[str]:
    """Where the server's busy samples were: the share of each of :data:`WHERE`, and the
    functions the samples ended in most."""
    counts: dict[str, int] = defaultdict(int)
    leaves: dict[str, int] = defaultdict(int)
    busy = idle = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f.split(" (", 1)[0] for f in stack.split(";")[1:]]
        if not count.isdigit() or not frames:
            continue
        if frames[-1] in IDLE:
            idle += int(count)
            continue
        busy += int(count)
        names = set(frames)
        for label, functions in WHERE:
            if names.intersection(functions):
                counts[label] += int(count)
        leaves[frames[-1]] += int(count)
    if not busy:
        return []
    shares = "; ".join(f"{label} {100 * counts[label] / busy:.0f} %" for label, _ in WHERE)
    ends = sorted(leaves.items(), key=lambda kv: -kv[1])[:top]
    return [
        f"py-spy over the saturation ({busy:,} busy samples of the server's threads, "
        f"{idle:,} idle left out): {shares}",
        "busy samples ended in: " + "; ".join(f"{f} {100 * n / busy:.0f} %" for f, n in ends),
    ]


# --- the report -------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def row(phase: str, kind: str, outcomes: list[Outcome], seconds: float) -> str:
    times = [o.latency_ms for o in outcomes]
    errors = sum(not 200 <= o.status < 300 for o in outcomes)
    checked = sum(o.wrong is not None for o in outcomes)
    wrong = sum(bool(o.wrong) for o in outcomes)
    if not times:
        return f"| {phase} | {kind} | 0 | – | – | – | – | – | – | – |"
    return (
        f"| {phase} | {kind} | {len(times):,} | {len(times) / seconds:,.1f} | "
        f"{percentile(times, 50):.1f} | {percentile(times, 95):.1f} | "
        f"{percentile(times, 99):.1f} | {max(times):.0f} | {errors} | {checked:,} / {wrong} |"
    )


def wrk_row(kind: str, r: dict[str, Any]) -> str:
    seconds = r["duration_us"] / 1e6
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return (
        f"| saturation ({r['connections']} connections) | {kind} | {r['requests']:,} | "
        f"{r['requests'] / seconds:,.1f} | {r['p50'] / 1000:.1f} | {r['p95'] / 1000:.1f} | "
        f"{r['p99'] / 1000:.1f} | {r['max'] / 1000:.0f} | {errors} | "
        f"{r['checked']:,} / {r['wrong']} |"
    )


def memory_line(samples: list[tuple[float, int, int]], what: str) -> str:
    if len(samples) < 2:
        return f"{what}: too few samples"
    t0 = samples[0][0]
    minutes = [(t - t0) / 60 for t, _, _ in samples]
    pss = [p / 1024 for _, p, _ in samples]
    rss = [r / 1024 for _, _, r in samples]
    slope = statistics.linear_regression(minutes, pss).slope if minutes[-1] > 0 else 0.0
    half = len(samples) // 2
    late = ""
    if len(samples) - half > 2:
        tail = statistics.linear_regression(minutes[half:], pss[half:]).slope
        late = f", {tail:+.2f} MiB/min over its second half"
    return (
        f"{what}: PSS start {pss[0]:.0f} MiB, median {statistics.median(pss):.0f}, end "
        f"{pss[-1]:.0f}, max {max(pss):.0f} (RSS max {max(rss):.0f}); slope "
        f"{slope:+.2f} MiB/min over the whole{late} "
        f"({len(samples)} samples, {minutes[-1]:.1f} min)"
    )


def machine_facts() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    memory = next(
        int(line.split()[1]) // 1024 // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (
        f"{os.cpu_count()} CPU cores ({model}), {memory} GiB memory, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; load average before the run {' '.join(load)}"
    )


def report(
    args: argparse.Namespace,
    seeded: dict[str, Any],
    outcomes: list[Outcome],
    paced_usage: Usage,
    wrk: dict[str, dict[str, Any]] | None,
    wrk_usage: Usage | None,
    memory: list[str],
    notes: list[str],
    facts: str,
) -> None:
    documents = seeded["loaded"] + len(seeded["stored"])
    print(
        f"\n`sohoa serve`, {documents:,} documents in the catalog ({len(seeded['stored'])} of "
        f"them stored signed PDFs), {args.clients} clients, "
        f"{'SQLite' if not args.database_url else 'PostgreSQL'}, "
        f"{args.workers or 1} server process(es)\n"
    )
    print(
        "| phase | kind | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |"
        " checked / wrong |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    phase = f"paced ({args.clients} clients, one request / {args.think:g} s each, open loop)"
    for kind in ("search", "download"):
        chosen = [o for o in outcomes if o.request.kind == kind]
        print(row(phase, kind, chosen, args.duration))
    if wrk:
        for kind in ("search", "download"):
            print(wrk_row(kind, wrk[kind]))
        total = sum(r["requests"] / (r["duration_us"] / 1e6) for r in wrk.values())
        print(f"| saturation | all | | {total:,.1f} | | | | | | |")
    print()
    print(
        "| search kind (paced) | requests | p50 ms | p95 ms | max ms | drawn document on the page |"
    )
    print("|---|---|---|---|---|---|")
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.request.kind == "search":
            by_kind[o.request.query_kind].append(o)
    for kind, chosen in sorted(by_kind.items()):
        times = [o.latency_ms for o in chosen]
        judged = [o.found for o in chosen if o.found is not None]
        found = f"{100 * sum(judged) / len(judged):.0f} %" if judged else "n/a"
        if kind not in EXACT and judged:
            found += " (else a full page of equals)"
        print(
            f"| {kind} | {len(times):,} | {percentile(times, 50):.1f} | "
            f"{percentile(times, 95):.1f} | {max(times):.0f} | {found} |"
        )
    print()
    lags = [o.lag_ms for o in outcomes]
    sent = [o.latency_ms - o.lag_ms for o in outcomes if o.request.kind == "search"]
    if lags and sent:
        print(
            f"- the load generator's own lag (a request sent after its time, counted in the "
            f"latencies above): p99 {percentile(lags, 99):.1f} ms, max {max(lags):.0f} ms; "
            f"search from the moment it was sent: p50 {percentile(sent, 50):.1f} ms, p95 "
            f"{percentile(sent, 95):.1f} ms"
        )
    for kind, r in (wrk or {}).items():
        kinds = ("connect", "read", "write", "status", "timeout")
        if any(r[k] for k in kinds):
            print(f"- wrk {kind} errors: " + ", ".join(f"{k} {r[k]}" for k in kinds))
    failures = Counter(o.error[:120] for o in outcomes if o.error)
    if failures:
        print("- what went wrong: " + "; ".join(f"{n} × {why}" for why, n in failures.items()))
    print(f"- CPU, paced phase: {paced_usage.line(len(outcomes))}")
    if wrk_usage:
        print(f"- CPU, saturation: {wrk_usage.line(sum(r['requests'] for r in wrk.values()))}")
    for line in [*memory, *notes]:
        print(f"- {line}")
    print(f"- machine: {facts}")
    paced_search = [o.latency_ms for o in outcomes if o.request.kind == "search"]
    errors = sum(not 200 <= o.status < 300 for o in outcomes)
    if wrk:
        errors += sum(
            r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"] for r in wrk.values()
        )
    if paced_search:
        p95 = percentile(paced_search, 95)
        print(
            f"- targets: p95 search {p95:.1f} ms at the paced load "
            f"({'met' if p95 <= 100 else 'NOT met'}: ≤ 100 ms); errors {errors} "
            f"({'met' if errors == 0 else 'NOT met'}: 0)"
        )


def say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sohoa-serve-bench"))
    parser.add_argument("--rows", type=int, default=1_000_000, help="documents catalogued")
    parser.add_argument("--stored", type=int, default=300, help="of them stored signed PDFs")
    parser.add_argument("--seed", type=int, default=5, help="benchmarks/catalog.py's seed")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="the workdir as seeded before")
    parser.add_argument("--resume", action="store_true", help="load on from where it stopped")
    parser.add_argument(
        "--catalog-from",
        type=Path,
        help="copy this catalog.sqlite (benchmarks/catalog.py --dialects sqlite, same --seed)"
        " rather than load one",
    )
    parser.add_argument("--database-url", help="a PostgreSQL catalog (recreated when seeding)")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="mean s between a client's")
    parser.add_argument("--downloads", type=float, default=0.2, help="share of requests")
    parser.add_argument("--queries", type=int, default=300, help="queries drawn of each kind")
    parser.add_argument("--duration", type=float, default=600, help="paced phase, seconds")
    parser.add_argument("--warmup", type=float, default=10, help="paced, not counted, s")
    parser.add_argument("--saturation-duration", type=int, default=60, help="0: none")
    parser.add_argument("--workers", type=int, default=0, help="sohoa serve --workers N")
    parser.add_argument("--memory-interval", type=float, default=5.0, help="seconds")
    parser.add_argument("--url", help="load this running server instead of starting one")
    parser.add_argument("--server-pid", type=int, help="with --url: whose memory to sample")
    parser.add_argument("--profile", action="store_true", help="py-spy during saturation")
    args = parser.parse_args()
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    facts = machine_facts()
    marker = args.workdir / "seed.json"
    if args.reuse:
        if not marker.exists():
            sys.exit(f"--reuse: {marker} is missing (seed the workdir first)")
        seeded = json.loads(marker.read_text())
        if not seeded.get("account"):
            seeded["account"] = add_account(environment(args))
            marker.write_text(json.dumps(seeded, indent=1))
    else:
        seeded = seed_workdir(args)
    if args.seed_only:
        return
    pool = requests_pool(args, seeded)
    say(f"{len(pool):,} requests to draw from")
    server = None
    if args.url:
        url, pid = args.url.rstrip("/"), args.server_pid or 0
    else:
        server = Server(args)
        url, pid = server.url, server.pid
    sampler = Sampler(pid, args.memory_interval) if pid else None
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            cookies = [log_in(client) for _ in range(args.clients)]
        if sampler:
            sampler.start()
        if args.warmup:
            say(f"warming up for {args.warmup:g} s")
            asyncio.run(paced(url, cookies, pool, args, args.warmup))
        say(f"paced: {args.clients} clients for {args.duration:g} s")
        meter = Meter(pid) if pid else None
        t0 = time.monotonic()
        outcomes = asyncio.run(paced(url, cookies, pool, args, args.duration))
        paced_usage = meter.usage() if meter else Usage(time.monotonic() - t0, 0, 0, 0)
        t1 = time.monotonic()
        wrk = wrk_usage = None
        spy = None
        if args.saturation_duration and shutil.which("wrk"):
            say(f"saturation: wrk for {args.saturation_duration} s")
            if args.profile and pid:
                spy = profile(pid, args.saturation_duration, args.workdir / "profile.txt")
            meter = Meter(pid) if pid else None
            wrk = saturate(url, cookies[0], pool, args)
            wrk_usage = meter.usage() if meter else None
        elif args.saturation_duration:
            say("no wrk on PATH (apt-get install wrk): saturation left out")
        t2 = time.monotonic()
        notes = []
        if spy:
            spy.wait()
            notes += profile_summary(args.workdir / "profile.txt")
        memory = []
        if sampler:
            sampler.stop()
            with (args.workdir / "memory.csv").open("w") as out:
                out.write("seconds,pss_kib,rss_kib\n")
                for t, pss, rss in sampler.samples:
                    out.write(f"{t - t0:.1f},{pss},{rss}\n")
            idle = sampler.samples[0][1] / 1024
            memory.append(f"server memory before the load (after the logins): PSS {idle:.0f} MiB")
            memory.append(memory_line(sampler.between(t0, t1), "server memory, paced phase"))
            if wrk:
                memory.append(memory_line(sampler.between(t1, t2), "server memory, saturation"))
    finally:
        if server:
            server.stop()
    report(args, seeded, outcomes, paced_usage, wrk, wrk_usage, memory, notes, facts)


if __name__ == "__main__":
    main()
