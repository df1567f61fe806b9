"""The ``sohoa`` command line.

User errors are caught here, at the edge, and printed as one line on stderr with the exit
code of CONTRACT.md (0 ok, 1 some input failed, 2 usage). JSON goes to stdout, progress and
messages to stderr, so ``sohoa extract ... --json | jq`` always works.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from .errors import ExitCode, SohoaError
from .extract import REVIEW_FIELD, Document, FileFailure, extract
from .models import shown_value
from .progress import PageProgress
from .settings import load_settings

if TYPE_CHECKING:
    from sohoa.storage.library import Library

#: the fields a search hit is shown by: whose document it is
NAME_FIELDS = ("full_name", "owner_name", "household_head_name", "husband_name", "applicant_name")

app = typer.Typer(
    name="sohoa",
    help="Digitize Vietnamese one-stop-shop dossiers: clean scans, OCR, extract, sign, store.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True, highlight=False)


@app.callback()
def _root() -> None:
    """Digitize Vietnamese one-stop-shop dossiers: clean scans, OCR, extract, sign, store."""


JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, help="Worker processes for OCR (default: all cores)."),
]


@app.command("extract")
def extract_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Images (PNG, JPEG, TIFF), PDFs, or folders of them.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON Lines, one per document.")
    ] = False,
    jobs: JobsOption = None,
    show_text: Annotated[
        bool, typer.Option("--text", help="Also print the OCR text (readable output).")
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option("--save", help="Also write the JSON Lines to this file.", dir_okay=False),
    ] = None,
) -> None:
    """OCR, classify and extract fields; nothing is stored or signed."""
    settings = load_settings()
    failed = 0
    with (
        PageProgress(stderr, enabled=stderr.is_terminal) as progress,
        save.open("w", encoding="utf-8") if save else nullcontext() as saved,
    ):
        for outcome in extract(paths, settings.ocr, jobs=jobs, on_page=progress.page_done):
            if isinstance(outcome, FileFailure):
                failed += 1
                progress.print_error(outcome.message)
                continue
            line = json.dumps(outcome.to_contract(), ensure_ascii=False) + "\n"
            if saved is not None:
                saved.write(line)
            if as_json:
                sys.stdout.write(line)
                sys.stdout.flush()
            else:
                print(_summary(outcome, show_text), flush=True)
    if failed:
        raise typer.Exit(ExitCode.input_failed)


@app.command("process")
def process_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Scanned batches: images, multi-page TIFFs, PDFs, or folders."),
    ],
    dossier: Annotated[
        str | None,
        typer.Option("--dossier", help="The dossier code of a batch that is one dossier."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON Lines, one per stored document.")
    ] = False,
    jobs: JobsOption = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the batch report (JSON) here.", dir_okay=False),
    ] = None,
) -> None:
    """Split the batch into dossiers and documents, OCR, extract, sign and store each;
    documents to check wait for review. Running it again resumes the batch."""
    from sohoa.signing.pades import SigningError
    from sohoa.storage.library import catalog_errors

    from .dossier import parse_dossier_code
    from .process import Hooks, process_batch

    if dossier is not None:
        parsed = parse_dossier_code(dossier)
        if parsed is None:
            raise typer.BadParameter(
                f"{dossier!r} is not a dossier code (agency-yymmdd-serial, e.g. "
                "000.00.15.H26-251124-0001)",
                param_hint="--dossier",
            )
        dossier = parsed.code
    settings = load_settings()

    def stored(result: dict) -> None:
        progress.document_done(stored=True)
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            say("stored", result)

    def review(result: dict) -> None:
        progress.document_done(stored=False)
        say("review", result)

    def say(what: str, result: dict) -> None:
        progress.console.print(
            f"{what} {result['document_id']}  {result['doc_type']}  "
            f"{result['dossier_code'] or '—'}  {result['source']} pages {result['pages']}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    try:
        with (
            catalog_errors(),
            PageProgress(stderr, enabled=stderr.is_terminal, documents=True) as progress,
        ):
            hooks = Hooks(
                progress.start,
                lambda outcome: progress.page_done(outcome, count_failure=False),
                stored,
                review,
                progress.failed,
            )
            report = process_batch(paths, settings, dossier_code=dossier, jobs=jobs, hooks=hooks)
    except SigningError as error:  # the key itself: nothing can be signed
        stderr.print(f"sohoa: error: {error}", markup=False, soft_wrap=True)
        raise typer.Exit(ExitCode.input_failed) from None
    summary = report.to_json()
    if report_file is not None:
        report_file.write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
    stderr.print(
        f"{len(report.dossiers)} dossiers, {summary['documents']} documents "
        f"({', '.join(f'{n} {t}' for t, n in summary['by_type'].items()) or 'none'}): "
        f"{summary['stored']} signed and stored, {len(report.review)} to review, "
        f"{len(report.failed)} failed"
        + (f"; {report.resumed} done by an earlier run" if report.resumed else "")
        + f"; {report.pages_read} pages read",
        markup=False,
        highlight=False,
        soft_wrap=True,  # one line a message: logs are read line by line
    )
    if report.failed:
        raise typer.Exit(ExitCode.input_failed)


@app.command("verify")
def verify_command(
    paths: Annotated[list[Path], typer.Argument(help="Signed PDFs.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON Lines, one per file.")
    ] = False,
    fetch: Annotated[
        bool,
        typer.Option("--fetch", help="Ask the signers' OCSP responders and CRLs for revocation."),
    ] = False,
) -> None:
    """Verify every signature of each PDF: integrity, trust, coverage, level, timestamps.
    Exits 1 if a file cannot be read or is not valid."""
    from sohoa.signing.pades import (  # late: signing is not needed to extract
        VerificationError,
        configured_trust_roots,
        verification_report,
        verify,
    )

    roots = configured_trust_roots(load_settings().home)
    failed = 0
    for path in paths:
        try:
            report = verification_report(path, verify(path, roots, fetching=fetch))
        except (OSError, VerificationError) as error:
            failed += 1
            message = error if isinstance(error, VerificationError) else f"{path}: {error.strerror}"
            stderr.print(f"sohoa: error: {message}", markup=False, soft_wrap=True)
            continue
        failed += not report["valid"]
        if as_json:
            print(json.dumps(report, ensure_ascii=False), flush=True)
        else:
            print(_verification_summary(report), flush=True)
    if failed:
        raise typer.Exit(ExitCode.input_failed)


@app.command("sign")
def sign_command(
    paths: Annotated[list[Path], typer.Argument(help="PDFs to sign (archive copies).")],
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Folder for the signed copies.")
    ],
    level: Annotated[
        str | None,
        typer.Option(help="PAdES level B-B, B-T, B-LT or B-LTA (default: SOHOA_PADES_LEVEL)."),
    ] = None,
    reason: Annotated[str, typer.Option(help="The signature's reason.")] = "",
    document_id: Annotated[
        str | None,
        typer.Option(help="Stamp the last page, its QR code pointing to this document's page."),
    ] = None,
) -> None:
    """Sign PDFs with the configured key (a token, a key file, or the development CA),
    unlocked once for all of them. Exits 1 if any could not be signed."""
    from sohoa.signing.config import open_office_signer  # late: not needed to extract
    from sohoa.signing.pades import SigningError

    settings = load_settings()
    signing = settings.signing
    if level is not None:
        level = level.strip().upper()
        try:
            signing = replace(signing, level=level)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--level") from None
    if document_id is not None and len(paths) != 1:
        raise typer.BadParameter("one PDF only with a document ID", param_hint="--document-id")
    failed = 0
    try:
        with open_office_signer(signing, settings.home) as office:
            for path in paths:
                out = output_dir / path.name
                try:
                    if out.resolve() == path.resolve():
                        raise SigningError("would be signed over itself: choose another folder")
                    stamp = None
                    if document_id is not None:
                        stamp = office.stamp_on_last_page(path, document_id)
                    office.sign(path, out, reason=reason, stamp=stamp)
                except (OSError, SigningError, ValueError) as error:
                    failed += 1
                    message = str(error.strerror if isinstance(error, OSError) else error)
                    if not message.startswith(str(path)):
                        message = f"{path}: {message}"
                    stderr.print(f"sohoa: error: {message}", markup=False, soft_wrap=True)
                    continue
                print(f"{path} -> {out} ({signing.level})", flush=True)
    except SigningError as error:  # the key itself: nothing can be signed
        stderr.print(f"sohoa: error: {error}", markup=False, soft_wrap=True)
        raise typer.Exit(ExitCode.input_failed) from None
    if failed:
        raise typer.Exit(ExitCode.input_failed)


@app.command("get")
def get_command(
    document_id: Annotated[str, typer.Argument(help="The stored document's ID.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write it ('-': stdout; default: ID.pdf)."),
    ] = None,
) -> None:
    """Write the signed PDF of a stored document, byte for byte, its SHA-256 checked."""
    target = output or Path(document_id.replace("/", "_") + ".pdf")
    with _library() as library:
        if str(target) == "-":
            with tempfile.TemporaryDirectory() as folder:
                record = library.get(document_id, Path(folder) / "signed.pdf", actor=_actor())
                sys.stdout.buffer.write((Path(folder) / "signed.pdf").read_bytes())
                sys.stdout.flush()
            return
        record = library.get(document_id, target, actor=_actor())
    stderr.print(
        f"{target}: {record.doc_type}, version {record.version}, sha256 {record.sha256}",
        markup=False,
        soft_wrap=True,
    )


@app.command("search")
def search_command(
    query: Annotated[
        str, typer.Argument(help="Names, addresses, words; an ID or dossier code.")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines, one per hit.")] = False,
    doc_type: Annotated[str | None, typer.Option("--type", help="Only this document type.")] = None,
    dossier: Annotated[str | None, typer.Option(help="Only this dossier code.")] = None,
    id_number: Annotated[str | None, typer.Option(help="Only documents of this ID number.")] = None,
    date_from: Annotated[
        datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="Key date from.")
    ] = None,
    date_to: Annotated[
        datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Key date until.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many hits.")] = 20,
) -> None:
    """Find stored documents, with or without Vietnamese diacritics, any case, ranked."""
    with _library() as library:
        hits = library.search(
            query,
            doc_type=doc_type,
            dossier_code=dossier,
            id_number=id_number,
            date_from=date_from.date() if date_from else None,
            date_to=date_to.date() if date_to else None,
            limit=limit,
        )
    for hit in hits:
        if as_json:
            print(json.dumps(hit.to_contract(), ensure_ascii=False), flush=True)
        else:
            name = next((shown_value(v) for k, v in hit.fields.items() if k in NAME_FIELDS), "")
            print(f"{hit.document_id}  {hit.doc_type}  {hit.dossier_code or '—'}  {name}")
    if not as_json:
        stderr.print(f"{len(hits)} found", markup=False)


review_app = typer.Typer(
    help="Documents `sohoa process` was unsure of: look, correct, approve.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes (one per core behind a proxy).")
    ] = 1,
) -> None:
    """The HTTP service: the JSON API under /api/v1/, the pages of clerks, officers and
    citizens, the public verification pages that stamps' QR codes point to, /healthz.
    Behind a reverse proxy in deployment (docs/web.md)."""
    import uvicorn  # late: only the service needs it

    _few_malloc_arenas()
    home = load_settings().home
    if workers == 1:
        from sohoa.web.app import create_app

        uvicorn.run(create_app(home), host=host, port=port, proxy_headers=True)
        return
    # several processes: uvicorn imports the app in each; they share the home's
    # database (accounts, sessions), its secret key and its batch queue's lock
    os.environ["SOHOA_HOME"] = str(home)
    uvicorn.run(
        "sohoa.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
    )


def _few_malloc_arenas() -> None:
    """glibc gives each thread that allocates at once an arena of its own (up to 8 a
    core) and keeps what they held: a server's memory then creeps up for a long while
    under load. Two arenas, for this process (mallopt) and the worker processes it
    starts (the environment, read by glibc as they start)."""
    import ctypes

    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    with suppress(OSError):  # not glibc: nothing to bound
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX


@review_app.command("list")
def review_list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    """The documents waiting, oldest first, with the fields to look at."""
    from .review import queue

    for entry in queue(load_settings().home):
        if as_json:
            row = {k: entry.extract.get(k) for k in ("document_id", "dossier_code", "doc_type")}
            print(json.dumps({**row, "unsure": entry.unsure()}, ensure_ascii=False))
            continue
        e = entry.extract
        unsure = ", ".join(entry.unsure()) or "the document type"
        print(
            f"{entry.document_id}  {e['doc_type']}  {e.get('dossier_code') or '—'}  "
            f"{e['source']} pages {e['pages']}  check: {unsure}"
        )


@review_app.command("show")
def review_show_command(
    document_id: Annotated[str, typer.Argument(help="The waiting document's ID.")],
    image: Annotated[
        Path | None,
        typer.Option(
            "--image",
            help="Also write a PNG: the pages, the fields to check outlined, the fields beside.",
        ),
    ] = None,
) -> None:
    """The fields beside the page: each value, its confidence, why it needs a look; and
    the archive copy to open (or, with --image, a picture of both side by side)."""
    from .review import waiting

    entry = waiting(load_settings().home, document_id)
    if image is not None:
        from .reviewsheet import write_sheet

        print(f"sheet: {write_sheet(entry, image)}")
    e = entry.extract
    unsure = entry.unsure()
    print(
        f"{entry.document_id}  {e['doc_type']} ({e['doc_type_confidence']:.2f})  "
        f"dossier {e.get('dossier_code') or '—'}  {e['source']} pages {e['pages']}"
    )
    print(f"page: {entry.archive}")
    for name, value in e["fields"].items():
        confidence = e["field_confidence"].get(name)
        mark = f"  <- {unsure[name]}" if name in unsure else ""
        shown = "—" if confidence is None else f"{confidence:.2f}"
        print(f"  {name}: {shown_value(value)}  ({shown}){mark}")


@review_app.command("approve")
def review_approve_command(
    document_id: Annotated[str, typer.Argument(help="The waiting document's ID.")],
    changes: Annotated[
        list[str] | None,
        typer.Option("--set", help="FIELD=VALUE, a corrected field (FIELD= empties it)."),
    ] = None,
) -> None:
    """Correct fields, then sign and store the document; the corrections are audited."""
    from sohoa.signing.config import open_office_signer
    from sohoa.signing.pades import SigningError

    from .review import approve

    corrections: dict[str, str | None] = {}
    for change in changes or []:
        name, sep, value = change.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{change!r}: write FIELD=VALUE", param_hint="--set")
        corrections[name.strip()] = value
    settings = load_settings()
    try:
        with _library() as library, open_office_signer(settings.signing, settings.home) as office:
            stored = approve(
                settings.home, document_id, corrections, library=library, office=office,
                actor=_actor(),
            )  # fmt: skip
    except SigningError as error:
        stderr.print(f"sohoa: error: {error}", markup=False, soft_wrap=True)
        raise typer.Exit(ExitCode.input_failed) from None
    state = "queued for the store" if stored.queued else "stored"
    print(f"{document_id}: signed and {state}, sha256 {stored.sha256}")


catalog_app = typer.Typer(help="The catalog of stored documents.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("rebuild")
def catalog_rebuild_command() -> None:
    """Make the catalog again from the object store alone (after losing the database)."""
    with _library() as library:
        report = library.rebuild_catalog(actor=_actor())
    for problem in report.problems:
        stderr.print(f"sohoa: error: {problem}", markup=False, soft_wrap=True)
    print(f"catalog rebuilt: {report.documents} documents, {report.versions} versions")
    if report.problems:
        raise typer.Exit(ExitCode.input_failed)


@app.command("scrub")
def scrub_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check every catalogued signed PDF is in the store with the SHA-256 catalogued, and
    every signed PDF in the store is catalogued. Exits 1 if anything is wrong."""
    with _library() as library:
        report = library.scrub()
    if as_json:
        print(json.dumps(asdict(report) | {"clean": report.clean}, ensure_ascii=False))
    else:
        for kind in ("missing", "mismatched", "orphans"):
            for where in getattr(report, kind):
                print(f"{kind}: {where}")
        print(
            f"scrub: {report.checked} checked, {len(report.missing)} missing,"
            f" {len(report.mismatched)} mismatched, {len(report.orphans)} orphans"
        )
    if not report.clean:
        raise typer.Exit(ExitCode.input_failed)


@app.command("share")
def share_command(
    document_id: Annotated[str, typer.Argument(help="The stored document's ID.")],
    hours: Annotated[int, typer.Option(min=1, max=24 * 7, help="Valid for this long.")] = 72,
) -> None:
    """Print a link that anyone may use to download the signed PDF until it expires."""
    with _library() as library:
        print(library.share(document_id, timedelta(hours=hours), actor=_actor()))


account_app = typer.Typer(help="Who may sign in to sohoa serve.", no_args_is_help=True)
app.add_typer(account_app, name="account")


@account_app.command("add")
def account_add_command(
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[str, typer.Option(help="clerk, officer, citizen or admin.")],
    display_name: Annotated[str, typer.Option(help="The name pages greet them by.")] = "",
    personal_id: Annotated[
        str | None, typer.Option(help="A citizen's 12-digit personal ID: their documents.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """A local account (Argon2id password hash); asks for the password unless
    --password-stdin."""
    from sohoa.web.accounts import AccountError, Accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
    with _library() as library:
        try:
            added = Accounts(library.catalog).add(
                username,
                role,
                display_name or username,
                password=password,
                personal_id=personal_id,
            )
        except AccountError as error:
            stderr.print(f"sohoa: error: {error}", markup=False, soft_wrap=True)
            raise typer.Exit(ExitCode.usage) from None
    print(f"account {added.username} ({added.role}) added")


@account_app.command("link")
def account_link_command(
    username: Annotated[str, typer.Argument(help="The account to link.")],
    issuer: Annotated[str, typer.Option(help="The SSO's issuer URL (SOHOA_OIDC_ISSUER).")],
    subject: Annotated[str, typer.Option(help="The person's subject (sub) at that SSO.")],
) -> None:
    """Let an account sign in through the national SSO (staff are never made from an
    SSO sign-in, only linked here)."""
    from sohoa.web.accounts import AccountError, Accounts

    with _library() as library:
        try:
            Accounts(library.catalog).link_oidc(username, issuer, subject)
        except AccountError as error:
            stderr.print(f"sohoa: error: {error}", markup=False, soft_wrap=True)
            raise typer.Exit(ExitCode.usage) from None
    print(f"account {username} signs in through {issuer}")


@account_app.command("list")
def account_list_command() -> None:
    """Every account that may sign in."""
    from sohoa.web.accounts import Accounts

    with _library() as library:
        for account in Accounts(library.catalog).all():
            print(f"{account.username}\t{account.role}\t{account.display_name}")


@app.command("deliver")
def deliver_command() -> None:
    """Store what waits in the outbox since the object store was last unreachable."""
    with _library() as library:
        report = library.deliver_pending()
    for entry, reason in report.failed:
        stderr.print(f"sohoa: error: {entry}: {reason}", markup=False, soft_wrap=True)
    print(report.summary())
    if report.failed:
        raise typer.Exit(ExitCode.input_failed)


@contextmanager
def _library() -> Iterator[Library]:
    """The deployment's library for one command; the catalog's errors as one line."""
    from sohoa.storage.library import Library, catalog_errors  # late: extract needs none

    with catalog_errors(), Library.open(load_settings().home) as library:
        yield library


def _actor() -> str:
    """Who the audit log says did it: ``SOHOA_ACTOR``, else the login name."""
    return os.environ.get("SOHOA_ACTOR") or f"{getpass.getuser()}@cli"


def _verification_summary(report: dict) -> str:
    verdict = "valid" if report["valid"] else "NOT VALID"
    lines = [f"{report['file']}: {verdict}"]
    if not report["signatures"]:
        lines.append("  no signature")
    for sig in report["signatures"]:
        sub = f" ({sig['sub_indication']})" if sig["sub_indication"] else ""
        lines.append(f"  {sig['field']}: {sig['indication']}{sub}, {sig['level']}")
        lines.append(f"    signer: {sig['signer']}")
        lines.append(
            f"    signed at: {sig['signing_time']}" + (" (timestamp)" if sig["timestamped"] else "")
        )
        checks = ("intact", "trusted", "covers_whole_document")
        lines.append(
            "    "
            + ", ".join(f"{c.replace('_', ' ')}: {'yes' if sig[c] else 'NO'}" for c in checks)
        )
    return "\n".join(lines)


def _summary(document: Document, show_text: bool = False) -> str:
    """A clerk's view: the type, then each field with its confidence; what is unsure or
    wrong is marked "?" with the reason."""
    pages = ", ".join(map(str, document.pages))
    review = "  [needs review]" if document.needs_review else ""
    lines = [
        f"{document.source} (pages {pages}): {document.doc_type}"
        f" ({document.doc_type_confidence:.2f}){review}"
    ]
    for name, value in document.fields.items():
        confidence = document.field_confidence.get(name, 0.0)
        problems = document.problems.get(name, [])
        mark = "?" if problems or value is None or confidence < REVIEW_FIELD else " "
        lines.append(f"  {mark} {name}: {shown_value(value)}  ({confidence:.2f})")
        lines.extend(f"      {problem}" for problem in problems)
    if show_text or not document.fields:
        lines.extend("    " + line for line in document.text.splitlines())
    return "\n".join(lines)


def main() -> None:
    """Console-script entry point: one line per user error, never a traceback.

    Libraries' deprecation notices (cryptography's about DSA, which pyHanko imports) are
    for developers, not for a clerk's terminal: silenced unless ``-W`` asks for them."""
    if not sys.warnoptions:
        warnings.filterwarnings("ignore", message=".*deprecated", category=UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
    # pyHanko logs each failed certificate check with its traceback; what failed is in the
    # report sohoa prints, so the log's lines are shown only with SOHOA_LOG=debug
    level = os.environ.get("SOHOA_LOG", "critical").upper()
    logging.basicConfig(level=getattr(logging, level, logging.CRITICAL), stream=sys.stderr)
    try:
        app()
    except SohoaError as exc:
        stderr.print(f"sohoa: error: {exc}", markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        stderr.print("sohoa: interrupted", markup=False)
        sys.exit(130)
