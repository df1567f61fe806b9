"""The ``sohoa`` command line.

User errors are caught here, at the edge, and printed as one line on stderr with the exit
code of CONTRACT.md (0 ok, 1 some input failed, 2 usage). JSON goes to stdout, progress and
messages to stderr, so ``sohoa extract ... --json | jq`` always works.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .errors import ExitCode, SohoaError
from .extract import Document, FileFailure, extract
from .progress import PageProgress
from .settings import load_settings

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
) -> None:
    """OCR, classify and extract fields; nothing is stored or signed."""
    settings = load_settings()
    failed = 0
    with PageProgress(stderr, enabled=stderr.is_terminal) as progress:
        for outcome in extract(paths, settings.ocr, jobs=jobs, on_page=progress.page_done):
            if isinstance(outcome, FileFailure):
                failed += 1
                progress.print_error(outcome.message)
            elif as_json:
                sys.stdout.write(json.dumps(outcome.to_contract(), ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                print(_summary(outcome), flush=True)
    if failed:
        raise typer.Exit(ExitCode.input_failed)


def _summary(document: Document) -> str:
    pages = ", ".join(map(str, document.pages))
    review = "  [needs review]" if document.needs_review else ""
    head = f"{document.source} (pages {pages}): {document.doc_type}{review}"
    return head + "\n" + "\n".join("    " + line for line in document.text.splitlines())


def main() -> None:
    """Console-script entry point: one line per user error, never a traceback."""
    try:
        app()
    except SohoaError as exc:
        stderr.print(f"sohoa: error: {exc}", markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        stderr.print("sohoa: interrupted", markup=False)
        sys.exit(130)
