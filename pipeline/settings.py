"""Configuration, read once at the edge from the environment into frozen settings.

Nothing below the CLI reads environment variables; stages receive these values as
arguments, so tests configure them by passing arguments, not by patching globals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sohoa import ocr_models
from sohoa.signing.config import SigningConfigError, SigningSettings, signing_settings

from .errors import ExitCode, SohoaError
from .ocr import OcrSettings
from .tesseract import TesseractConfig


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings of one sohoa process."""

    home: Path
    ocr: OcrSettings = field(default_factory=OcrSettings)
    signing: SigningSettings = field(default_factory=SigningSettings)


class ConfigurationError(SohoaError):
    """An environment variable with a value sohoa cannot work with."""

    exit_code = ExitCode.usage


def sohoa_home(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """``SOHOA_HOME``, or the XDG data directory (CONTRACT.md, "Where data lives")."""
    if environ.get("SOHOA_HOME"):
        return Path(environ["SOHOA_HOME"]).expanduser()
    data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "sohoa"


def tesseract_config(environ: dict[str, str] | os._Environ[str] = os.environ) -> TesseractConfig:
    """The model docs/ocr-models.md chose (``ocr_models``), unless the environment overrides.

    ``SOHOA_OCR_LANG`` (e.g. ``vie+eng``) and ``SOHOA_TESSDATA_DIR`` (a folder of
    ``*.traineddata``) replace the language and the model folder; ``SOHOA_OCR_CHOICES=0``
    leaves out the recognizer's character choices (names are then weighed without them).
    """
    tessdata = environ.get("SOHOA_TESSDATA_DIR") or ocr_models.tessdata_dir()
    return TesseractConfig(
        lang=environ.get("SOHOA_OCR_LANG") or ocr_models.default_lang(),
        tessdata_dir=str(tessdata) if tessdata else None,
        choices=environ.get("SOHOA_OCR_CHOICES", "1").strip().lower() not in FALSE,
    )


FALSE = frozenset({"0", "false", "no", "off"})  # what switches a SOHOA_* flag off


def load_settings(environ: dict[str, str] | os._Environ[str] = os.environ) -> Settings:
    """Build the settings from the environment (``SOHOA_*`` variables; signing's in
    sohoa.signing.config).

    ``SOHOA_SECOND_LOOK=0`` reads unsure numbers once only: 6-8 % less page-stage
    time for more misread ID numbers and dates (docs/benchmarks.md)."""
    ocr = OcrSettings(
        tesseract=tesseract_config(environ),
        second_look=environ.get("SOHOA_SECOND_LOOK", "1").strip().lower() not in FALSE,
    )
    try:
        signing = signing_settings(environ)
    except SigningConfigError as error:
        raise ConfigurationError(str(error)) from None
    return Settings(home=sohoa_home(environ), ocr=ocr, signing=signing)
