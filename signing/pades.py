"""PAdES signatures on archive PDFs, by pyHanko.

The office's signature on a document is a *certification* signature (DocMDP, "fill forms"):
a later change to the pages makes it invalid, while a later signature or document
timestamp -- a second official, an archive's renewal -- is still allowed. It is a PAdES
signature (``ETSI.CAdES.detached``, SHA-256) over the whole file, appended as an
incremental update, so that a PDF already signed keeps its first signature intact.

A signature may be visible: a stamp in Vietnamese with a QR code of the document's
verification address, where the page has no text (sohoa.signing.stamp).

PAdES baseline levels: B-B (the signature and the signer's certificate chain), B-T (and an
RFC 3161 timestamp of it), B-LT (and the chain's revocation data, OCSP and CRLs, in the
document security store) and B-LTA (and a document timestamp over all of it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import BinaryIO

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.ades.report import AdESFailure
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError as SigningError_
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import ValidationError
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from .config import LEVELS
from .stamp import Box, Stamp, stamp_style, stored_box

FIELD_PREFIX = "sohoa-signature"


class SigningError(ValueError):
    """A key that cannot be used: a wrong passphrase, a file that is no PKCS#12."""


class VerificationError(ValueError):
    """A file that cannot be verified at all: no PDF, damaged, encrypted."""


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """What a verifier says of one signature (CONTRACT.md ``sohoa verify``, in part)."""

    field: str
    signer: str
    intact: bool
    trusted: bool
    covers_whole_document: bool
    certification_ok: bool  # no change after signing that its DocMDP level forbids
    signature_valid: bool = True  # the signature value checks out against the signer's key
    timestamped: bool = False  # an RFC 3161 signature timestamp that checks out
    level: str = "B-B"
    revoked: bool = False
    signing_time: str | None = None  # ISO 8601: the timestamp's time, else the signer's claim
    # why the chain is not trusted, as EN 319 102-1 names it (pyHanko's own finding), e.g.
    # OUT_OF_BOUNDS_NO_POE for a certificate expired before any proof of the signing time
    trust_problem: str | None = None
    trust_problem_fails: bool = False  # that finding is TOTAL_FAILED, not INDETERMINATE

    @property
    def indication(self) -> tuple[str, str | None]:
        """ETSI EN 319 102-1's indication and sub-indication, from what was checked: broken
        bytes or signature value fail outright, as does a change that the certification
        forbids (reported as a format failure) or a revoked certificate; a chain to no
        trusted root is indeterminate."""
        if not self.intact:
            return "TOTAL_FAILED", "HASH_FAILURE"
        if not self.signature_valid:
            return "TOTAL_FAILED", "SIG_CRYPTO_FAILURE"
        if not self.certification_ok:
            return "TOTAL_FAILED", "FORMAT_FAILURE"
        if self.trusted:
            return "TOTAL_PASSED", None
        if self.trust_problem:
            return ("TOTAL_FAILED" if self.trust_problem_fails else "INDETERMINATE"), (
                self.trust_problem
            )
        if self.revoked:
            return "TOTAL_FAILED", "REVOKED"
        return "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"

    def to_contract(self) -> dict[str, object]:
        """CONTRACT.md ``sohoa verify --json``: one signature."""
        indication, sub_indication = self.indication
        return {
            "field": self.field,
            "signer": self.signer,
            "signing_time": self.signing_time,
            "level": self.level,
            "intact": self.intact,
            "trusted": self.trusted,
            "covers_whole_document": self.covers_whole_document,
            "timestamped": self.timestamped,
            "indication": indication,
            "sub_indication": sub_indication,
        }


def verification_report(path: Path, reports: Sequence[SignatureReport]) -> dict[str, object]:
    """CONTRACT.md ``sohoa verify --json`` for one file: valid only if every signature is
    intact and trusted and the last one covers the whole document."""
    valid = (
        bool(reports)
        and all(r.indication[0] == "TOTAL_PASSED" for r in reports)
        and reports[-1].covers_whole_document
    )
    return {
        "file": str(path),
        "valid": valid,
        "signatures": [r.to_contract() for r in reports],
    }


def configured_trust_roots(home: Path, environ: Mapping[str, str] = os.environ) -> list[Path]:
    """The roots a signature must chain to: the files ``SOHOA_TRUST_ROOTS`` lists (PEM or
    DER, separated by ``os.pathsep``) and the development CA's root in ``home``, where one
    was made (sohoa.signing.devca)."""
    listed = [Path(p) for p in environ.get("SOHOA_TRUST_ROOTS", "").split(os.pathsep) if p]
    development = home / "signing" / "dev-root.pem"
    return listed + ([development] if development.is_file() else [])


class KeyInMemorySigner(signers.SimpleSigner):
    """pyHanko's in-memory signer with its key read once: ``SimpleSigner`` reads the key
    anew for every signature, and reading an RSA-2048 key checks it (36 ms, more than the
    rest of a B-B signature); a batch signs thousands of documents with one key."""

    @classmethod
    def of(cls, signer: signers.SimpleSigner) -> KeyInMemorySigner:
        return cls(
            signing_cert=signer.signing_cert,
            signing_key=signer.signing_key,
            cert_registry=signer.cert_registry,
            signature_mechanism=signer.signature_mechanism,
            prefer_pss=signer.prefer_pss,
            embed_roots=signer.embed_roots,
        )

    @cached_property
    def private_key(self) -> PrivateKeyTypes:
        return serialization.load_der_private_key(self.signing_key.dump(), None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            name = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            name = None
        key, digest = self.private_key, get_pyca_cryptography_hash(digest_algorithm)
        if name == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), digest)
        if name == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)  # PSS, EdDSA, ...: pyHanko's way


def load_signer(
    key: Path, passphrase: bytes | None, *, certificate: Path | None = None
) -> KeyInMemorySigner:
    """The key and certificate chain of a PKCS#12 file, or of a PEM/DER key file and its
    ``certificate`` file, unlocked once for many documents; refused where the key is not the
    certificate's (every verifier would reject what it signs)."""
    for needed in (key, certificate):
        if needed is not None and not needed.is_file():
            raise SigningError(f"{needed}: no such file")
    try:
        if certificate is None:
            loaded = signers.SimpleSigner.load_pkcs12(str(key), passphrase=passphrase)
        else:
            loaded = signers.SimpleSigner.load(
                str(key), str(certificate), key_passphrase=passphrase
            )
    except (ValueError, TypeError, OSError) as error:
        raise SigningError(f"{key}: cannot unlock the signing key ({error})") from None
    if loaded is None:  # pyHanko logs the reason and returns None
        raise SigningError(f"{key}: cannot unlock the signing key (wrong passphrase?)")
    signer = KeyInMemorySigner.of(loaded)
    if not _key_is_the_certificates(signer):
        subject = signer.signing_cert.subject.human_friendly
        raise SigningError(f"{key}: the key does not match the certificate of {subject}")
    return signer


def _key_is_the_certificates(signer: KeyInMemorySigner) -> bool:
    der = signer.private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der == signer.signing_cert.public_key.dump()


def sign(
    source: Path,
    out: Path,
    signer: signers.Signer,
    *,
    level: str = "B-B",
    tsa_url: str | None = None,
    trust_roots: Sequence[Path] = (),
    reason: str = "",
    stamp: Stamp | None = None,
) -> Path:
    """Sign ``source`` into ``out``: a certification signature where the file has none yet,
    an approval signature after the ones it has (they stay intact); visible as ``stamp``
    where one is given, invisible otherwise.

    ``level``: ``B-B``; ``B-T`` adds the timestamp of the authority at ``tsa_url``; ``B-LT``
    the chain's revocation data (OCSP, CRL, fetched now and checked up to ``trust_roots``)
    in the document security store; ``B-LTA`` a document timestamp over all of it."""
    if level not in LEVELS:
        raise SigningError(f"unknown PAdES level {level!r}: one of {', '.join(LEVELS)}")
    if level != "B-B" and not tsa_url:
        raise SigningError(f"PAdES {level} needs a timestamp authority (tsa_url)")
    long_term = level in ("B-LT", "B-LTA")
    with source.open("rb") as handle:
        writer = _writer(source, handle)
        existing = len(writer.prev.embedded_signatures)
        name = f"{FIELD_PREFIX}-{existing + 1}"
        meta = signers.PdfSignatureMetadata(
            field_name=name,
            reason=reason or None,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            certify=existing == 0,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
            embed_validation_info=long_term,
            validation_context=_context(_roots(trust_roots), fetching=True) if long_term else None,
            use_pades_lta=level == "B-LTA",
        )
        field_spec, style, params = None, None, None
        if stamp is not None:
            turn, media_box = _page_frame(writer, stamp.page)
            box = tuple(round(v) for v in stored_box(stamp.box, turn, media_box))
            field_spec = fields.SigFieldSpec(name, on_page=stamp.page, box=box)  # type: ignore[arg-type]
            style = stamp_style(stamp, turn)
            params = {"signer": stamp.signer, "office": stamp.office, "url": stamp.verify_url}
        timestamper = _timestamper(tsa_url) if tsa_url else None
        pdf_signer = signers.PdfSigner(
            meta, signer, timestamper=timestamper, stamp_style=style, new_field_spec=field_spec
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        room_key = _room_key(signer, level, tsa_url)
        room = _ROOM.get(room_key)
        try:
            with out.open("wb") as target:
                pdf_signer.sign_pdf(
                    writer, output=target, appearance_text_params=params, bytes_reserved=room
                )
        except (SigningError_, ValidationError) as error:
            out.unlink(missing_ok=True)
            _ROOM.pop(room_key, None)  # the next one measured anew (a TSA that changed)
            raise SigningError(f"cannot sign at {level}: {error}") from None
        except BaseException:  # a token pulled out, an interrupt: no half-signed file stays
            out.unlink(missing_ok=True)
            raise
    if room is None:
        _ROOM[room_key] = _contents_room(out, name)
    return out


def _page_frame(writer: IncrementalPdfFileWriter, index: int) -> tuple[int, Box]:
    """Page ``index``'s ``/Rotate`` (0, 90, 180, 270) and ``/MediaBox``."""
    page = writer.prev.find_page_for_modification(index)[0].get_object()
    turn = int(_inherited(page, "/Rotate") or 0) % 360
    x0, y0, x1, y1 = (float(v) for v in _inherited(page, "/MediaBox") or (0, 0, 612, 792))
    return turn, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _inherited(page: generic.DictionaryObject, key: str) -> generic.PdfObject | None:
    """A page's entry, or the nearest one of the page tree above it (ISO 32000-1, 7.7.3.4)."""
    node: generic.DictionaryObject | None = page
    while node is not None:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


@lru_cache(maxsize=8)
def _timestamper(tsa_url: str) -> timestamps.HTTPTimeStamper:
    """One client a process for each authority: it keeps the sample token pyHanko asks
    for to size a timestamp (a round trip to the authority every document timestamp
    otherwise)."""
    return timestamps.HTTPTimeStamper(tsa_url)


#: the room pyHanko left for the signature's CMS, by signer, level and timestamp authority
_ROOM: dict[tuple[bytes, int, str, str | None], int] = {}


def _room_key(
    signer: signers.Signer, level: str, tsa_url: str | None
) -> tuple[bytes, int, str, str | None]:
    """What the size of a signature's CMS depends on: the certificate and the chain it
    carries, the timestamp token; not the document (PAdES keeps revocation data out of it)."""
    cert = signer.signing_cert
    return (cert.sha256 if cert else b"", len(list(signer.cert_registry)), level, tsa_url)


def _contents_room(signed: Path, name: str) -> int:
    """The room (hex digits) reserved for the signature ``name`` of ``signed``: pyHanko
    estimates it by a dry run of the whole signature (12 ms, a quarter of a B-B signature),
    with a 50 % margin that holds for every later signature of the same key and level."""
    with signed.open("rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        signature = next(s for s in reader.embedded_signatures if s.field_name == name)
        return 2 * len(signature.sig_object["/Contents"])


def _writer(source: Path, handle: BinaryIO) -> IncrementalPdfFileWriter:
    """An incremental writer on ``source``; an encrypted or unreadable file is refused, as
    an archive copy is never encrypted and a signature cannot be appended to it unopened."""
    try:
        writer = IncrementalPdfFileWriter(handle, strict=False)
    except (PdfReadError, ValueError) as error:
        raise SigningError(f"{source}: not a readable PDF ({error})") from None
    if writer.prev.encrypted:
        raise SigningError(f"{source}: encrypted; an archive copy to sign must not be")
    return writer


def _roots(trust_roots: Sequence[Path]) -> list[x509.Certificate]:
    return [load_cert_from_pemder(str(root)) for root in trust_roots]


def _context(roots: list[x509.Certificate], *, fetching: bool) -> ValidationContext:
    """A fresh context per signature (it keeps what it fetched), on roots read once."""
    if not fetching:
        return ValidationContext(trust_roots=roots, allow_fetching=False)
    return ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="hard-fail")


def verify(
    path: Path, trust_roots: Sequence[Path], *, fetching: bool = False
) -> list[SignatureReport]:
    """Every signature of ``path`` (document timestamps aside), checked up to the PEM or DER
    roots in ``trust_roots``; with ``fetching``, the signer's revocation status is asked of
    its OCSP responder or CRL (a revoked certificate is then not trusted)."""
    reports = []
    roots = _roots(trust_roots)
    with path.open("rb") as handle:
        try:
            reader = PdfFileReader(handle, strict=False)
            if reader.encrypted:
                raise VerificationError(f"{path}: encrypted; an archive copy never is")
        except PdfReadError as error:
            raise VerificationError(f"{path}: not a readable PDF ({error})") from None
        has_dss = "/DSS" in reader.root
        document_timestamped = bool(reader.embedded_timestamp_signatures)
        for embedded in reader.embedded_regular_signatures:
            status = validate_pdf_signature(embedded, _context(roots, fetching=fetching))
            timestamped = status.timestamp_validity is not None
            problem = status.trust_problem_indic
            when = status.timestamp_validity.timestamp if timestamped else status.signer_reported_dt
            reports.append(
                SignatureReport(
                    field=embedded.field_name,
                    signer=status.signing_cert.subject.human_friendly,
                    intact=status.intact,
                    signature_valid=status.valid,
                    trusted=status.trusted and not status.revoked,
                    covers_whole_document=_covers_whole_document(status),
                    certification_ok=status.docmdp_ok is not False,
                    timestamped=timestamped,
                    level=_level(timestamped, has_dss, document_timestamped),
                    revoked=bool(status.revoked),
                    signing_time=when.isoformat() if when else None,
                    trust_problem=problem.name if problem else None,
                    trust_problem_fails=isinstance(problem, AdESFailure),
                )
            )
    return reports


def _covers_whole_document(status: PdfSignatureStatus) -> bool:
    """The signature covers the file, or all that follows it is validation data and
    document timestamps (B-LT, B-LTA): nothing a reader sees changed after it."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES
    )


def _level(timestamped: bool, has_dss: bool, document_timestamped: bool) -> str:
    """The PAdES baseline level a signature's file shows: what is there, not what was asked."""
    if not timestamped:
        return "B-B"
    if not has_dss:
        return "B-T"
    return "B-LTA" if document_timestamped else "B-LT"
