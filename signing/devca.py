"""The embedded default signer: a local development CA and a signing certificate under it.

So that a fresh machine signs without any set-up (issue #4), the first signature made
without a configured key creates, in ``SOHOA_HOME/signing/``, a root CA and an office
signing certificate issued by it, each named plainly as a test certificate ("sohoa TEST
development CA -- NOT FOR PRODUCTION"), and a PKCS#12 file of the signer with its chain.
Nothing outside ``SOHOA_HOME`` trusts it; verification trusts it only where told to (the
development root is listed among the configured trust roots).

Keys are ECDSA P-256 (pyHanko signs with it as PAdES asks; RSA-2048 is the other choice
benchmarked). The PKCS#12 passphrase is in ``passphrase.txt`` beside it, readable by the
owner only: this is a development key, not a secret.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

CA_NAME = "sohoa TEST development CA -- NOT FOR PRODUCTION"
SIGNER_NAME = "sohoa TEST signer -- NOT FOR PRODUCTION"
ORGANIZATION = "Bộ phận một cửa (TEST)"
CA_YEARS, SIGNER_YEARS = 10, 3


@dataclass(frozen=True, slots=True)
class DevelopmentSigner:
    """Where the development CA's files are."""

    pkcs12: Path  # the signer's key, certificate and chain
    passphrase: bytes
    root_certificate: Path  # PEM: the root to trust when verifying development signatures


def development_signer(home: Path) -> DevelopmentSigner:
    """The development signer of ``home`` (``SOHOA_HOME``), created on first use."""
    folder = home / "signing"
    signer = DevelopmentSigner(
        folder / "dev-signer.p12",
        b"",
        folder / "dev-root.pem",
    )
    secret = folder / "passphrase.txt"
    if not (signer.pkcs12.is_file() and signer.root_certificate.is_file() and secret.is_file()):
        _create(folder, signer, secret)
    return DevelopmentSigner(signer.pkcs12, secret.read_bytes().strip(), signer.root_certificate)


def _create(folder: Path, signer: DevelopmentSigner, secret: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(minutes=5)  # clocks of other machines run behind
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate(CA_NAME, ca_key.public_key(), ca_key, now, CA_YEARS, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(SIGNER_NAME, key.public_key(), ca_key, now, SIGNER_YEARS, ca=False)
    passphrase = secrets.token_hex(16).encode()
    bundle = pkcs12.serialize_key_and_certificates(
        b"sohoa-dev-signer",
        key,
        cert,
        [ca_cert],
        serialization.BestAvailableEncryption(passphrase),
    )
    _write_private(secret, passphrase + b"\n")
    _write_private(signer.pkcs12, bundle)
    signer.root_certificate.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))


def _certificate(
    subject: str,
    subject_key: ec.EllipticCurvePublicKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    start: datetime,
    years: int,
    *,
    ca: bool,
) -> x509.Certificate:
    """A certificate issued by the development CA (``issuer_key``), the CA's own included."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(CA_NAME))
        .public_key(subject_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    # a CA signs certificates and CRLs; the signer signs, and stands by it (non-repudiation)
    usage = (True, True, False, False, False, False, False, False, False)
    if ca:
        usage = (False, False, False, False, False, True, True, False, False)
    builder = builder.add_extension(x509.KeyUsage(*usage), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)
