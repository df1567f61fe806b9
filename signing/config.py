"""Which key signs, at which PAdES level: the deployment's choice, read from ``SOHOA_*``
environment variables at the edge (pipeline/settings.py) into :class:`SigningSettings`.

One key source is used, the first configured of: a PKCS#11 token (``SOHOA_PKCS11_MODULE``
and ``SOHOA_PKCS11_TOKEN``), a key file (``SOHOA_SIGNING_KEY``: PKCS#12, or PEM with
``SOHOA_SIGNING_CERT``), else the development CA of ``SOHOA_HOME`` (sohoa.signing.devca),
so that a fresh machine signs without set-up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyHanko is imported where a document is signed, not to read settings
    from pyhanko.sign import signers

    from .stamp import Box, Stamp

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")  # PAdES baseline levels (ETSI EN 319 142-1)


class SigningConfigError(ValueError):
    """Signing settings that cannot work: an unknown level, a level without its TSA."""


DEFAULT_OFFICE = "Bộ phận một cửa"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"  # `sohoa serve`'s own address


@dataclass(frozen=True, slots=True)
class SigningSettings:
    """A deployment's signing: the level, the timestamp authority, the key, the stamp."""

    level: str = "B-B"
    tsa_url: str | None = None
    key: Path | None = None  # PKCS#12, or a PEM/DER private key with ``certificate``
    certificate: Path | None = None
    passphrase: bytes | None = field(default=None, repr=False)  # of ``key``
    pkcs11_module: Path | None = None
    pkcs11_token: str | None = None
    pkcs11_key: str | None = None
    pkcs11_cert: str | None = None
    pkcs11_pin: str | None = field(default=None, repr=False)
    office: str = DEFAULT_OFFICE  # "Cơ quan: ..." on the stamp
    public_url: str = DEFAULT_PUBLIC_URL  # the QR code's verification address starts so

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            known = ", ".join(LEVELS)
            raise SigningConfigError(f"unknown PAdES level {self.level!r}: one of {known}")
        if self.level != "B-B" and not self.tsa_url:
            raise SigningConfigError(
                f"PAdES {self.level} needs a timestamp authority (SOHOA_TSA_URL)"
            )
        if bool(self.pkcs11_module) != bool(self.pkcs11_token):
            raise SigningConfigError("a PKCS#11 token needs both SOHOA_PKCS11_MODULE and _TOKEN")

    def verify_url(self, document_id: str) -> str:
        """What a stamp's QR code carries: the public page of CONTRACT.md's ``/verify/``."""
        return f"{self.public_url.rstrip('/')}/verify/{document_id}"


def signing_settings(environ: Mapping[str, str]) -> SigningSettings:
    """The settings the environment gives; a passphrase is read from the file that
    ``SOHOA_SIGNING_PASSPHRASE_FILE`` names (kept out of process listings) or taken from
    ``SOHOA_SIGNING_PASSPHRASE``."""

    def path(name: str) -> Path | None:
        return Path(environ[name]).expanduser() if environ.get(name) else None

    passphrase_file = path("SOHOA_SIGNING_PASSPHRASE_FILE")
    if passphrase_file is not None:
        try:
            passphrase: bytes | None = passphrase_file.read_bytes().strip()
        except OSError as error:
            raise SigningConfigError(f"{passphrase_file}: {error.strerror}") from None
    else:
        given = environ.get("SOHOA_SIGNING_PASSPHRASE")
        passphrase = given.encode() if given is not None else None
    return SigningSettings(
        level=environ.get("SOHOA_PADES_LEVEL", "B-B").strip().upper(),
        tsa_url=environ.get("SOHOA_TSA_URL") or None,
        key=path("SOHOA_SIGNING_KEY"),
        certificate=path("SOHOA_SIGNING_CERT"),
        passphrase=passphrase,
        pkcs11_module=path("SOHOA_PKCS11_MODULE"),
        pkcs11_token=environ.get("SOHOA_PKCS11_TOKEN") or None,
        pkcs11_key=environ.get("SOHOA_PKCS11_KEY") or None,
        pkcs11_cert=environ.get("SOHOA_PKCS11_CERT") or None,
        pkcs11_pin=environ.get("SOHOA_PKCS11_PIN"),
        office=environ.get("SOHOA_OFFICE_NAME") or DEFAULT_OFFICE,
        public_url=environ.get("SOHOA_PUBLIC_URL") or DEFAULT_PUBLIC_URL,
    )


@contextmanager
def open_signer(settings: SigningSettings, home: Path) -> Iterator[signers.Signer]:
    """The configured signer, unlocked once for every document signed in the block."""
    from .pades import SigningError, load_signer

    if settings.pkcs11_module is not None and settings.pkcs11_token is not None:
        from .tokens import TokenConfig  # late: python-pkcs11 only where a token is used

        if settings.pkcs11_pin is None:
            raise SigningError("the token's PIN is not set (SOHOA_PKCS11_PIN)")
        token = TokenConfig(
            settings.pkcs11_module,
            settings.pkcs11_token,
            settings.pkcs11_key,
            settings.pkcs11_cert,
        )
        with token.open_signer(settings.pkcs11_pin) as signer:
            yield signer
        return
    if settings.key is not None:
        yield load_signer(settings.key, settings.passphrase, certificate=settings.certificate)
        return
    from .devca import development_signer

    development = development_signer(home)
    yield load_signer(development.pkcs12, development.passphrase)


@dataclass(frozen=True, slots=True)
class OfficeSigner:
    """The deployment's key, unlocked, with its settings and the roots its chain must reach:
    every document is signed one way, wherever it is signed (``sohoa sign``, ``sohoa
    process``, ``sohoa review approve``)."""

    signer: signers.Signer
    settings: SigningSettings
    trust_roots: tuple[Path, ...]

    @property
    def name(self) -> str:
        """The signer's common name, as the stamp shows it."""
        return str(self.signer.signing_cert.subject.native.get("common_name", ""))

    def stamp(self, document_id: str, box: Box) -> Stamp:
        """The visible stamp of ``document_id`` at ``box`` on the last page: this signer,
        the office, a QR code to the document's verification page."""
        from .stamp import Stamp

        url = self.settings.verify_url(document_id)
        return Stamp(self.name, self.settings.office, url, box)

    def stamp_on_last_page(self, pdf: Path, document_id: str) -> Stamp:
        """:meth:`stamp`, placed where the last page of ``pdf`` has no words."""
        from .stamp import stamp_on_last_page

        url = self.settings.verify_url(document_id)
        return stamp_on_last_page(pdf, self.name, self.settings.office, url)

    def sign(
        self, source: Path, out: Path, *, stamp: Stamp | None = None, reason: str = ""
    ) -> Path:
        """``pades.sign`` at the deployment's level, with its timestamp authority."""
        from .pades import sign

        return sign(
            source,
            out,
            self.signer,
            level=self.settings.level,
            tsa_url=self.settings.tsa_url,
            trust_roots=self.trust_roots,
            reason=reason,
            stamp=stamp,
        )


@contextmanager
def open_office_signer(settings: SigningSettings, home: Path) -> Iterator[OfficeSigner]:
    """:func:`open_signer` with the settings and trust roots it signs with."""
    from .pades import configured_trust_roots

    roots = tuple(configured_trust_roots(home))
    with open_signer(settings, home) as signer:
        yield OfficeSigner(signer, settings, roots)
