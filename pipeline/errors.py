"""Errors that carry their exit code and a one-line message for the user.

Modelled on OCRmyPDF's ``exceptions.py``: the CLI catches :class:`SohoaError` at the edge,
prints ``str(error)`` on one line and exits with ``error.exit_code``. Anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes fixed by CONTRACT.md."""

    ok = 0
    input_failed = 1  # some input failed; the rest of the batch went on
    usage = 2


class SohoaError(Exception):
    """Base of all user-facing errors."""

    exit_code: ExitCode = ExitCode.input_failed


class InputFileError(SohoaError):
    """An input file cannot be read as a scan: missing, empty, corrupt, wrong type."""


class UnsupportedFormatError(InputFileError):
    """The content is not an image or PDF format sohoa reads."""


class EncryptedPdfError(InputFileError):
    """The PDF is encrypted and no password was given (or it was wrong)."""


class ImageTooLargeError(InputFileError):
    """A page would decode to more pixels than allowed (decompression bomb guard)."""


class MissingDependencyError(SohoaError):
    """A required external program (tesseract, its language data, ...) is missing."""

    exit_code = ExitCode.usage
