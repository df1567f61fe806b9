"""PAdES signatures on archive PDFs, by pyHanko.

The office's signature on a document is a *certification* signature (DocMDP, "fill forms"):
a later change to the pages makes it invalid, while a later signature or document
timestamp -- a second official, an archive's renewal -- is still allowed. It is a PAdES
signature (``ETSI.CAdES.detached``, SHA-256) over the whole file, appended as an
incremental update, so that a PDF already signed keeps its first signature intact.

A signature may be visible: a stamp in Vietnamese with a QR code of the document's
verification address, where the page has no text (sohoa.signing.stamp).

This is the B-B level: the signature and the signer's certificate chain. B-T (an RFC 3161
timestamp), B-LT (revocation data in the DSS) and B-LTA (a document timestamp), the level
chosen per deployment and PKCS#11 tokens are the next parts of issue #4.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from .stamp import Stamp, stamp_style

FIELD_PREFIX = "sohoa-signature"


class SigningError(ValueError):
    """A key that cannot be used: a wrong passphrase, a file that is no PKCS#12."""


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """What a verifier says of one signature (CONTRACT.md ``sohoa verify``, in part)."""

    field: str
    signer: str
    intact: bool
    trusted: bool
    covers_whole_document: bool
    certification_ok: bool  # no change after signing that its DocMDP level forbids


def load_signer(pkcs12: Path, passphrase: bytes) -> signers.SimpleSigner:
    """The key and certificate chain of a PKCS#12 file, unlocked once for many documents."""
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(pkcs12), passphrase=passphrase)
    except (ValueError, OSError) as error:
        raise SigningError(f"{pkcs12}: cannot unlock the signing key ({error})") from None
    if signer is None:  # pyHanko logs the reason and returns None
        raise SigningError(f"{pkcs12}: cannot unlock the signing key (wrong passphrase?)")
    return signer


def sign(
    source: Path,
    out: Path,
    signer: signers.SimpleSigner,
    *,
    reason: str = "",
    stamp: Stamp | None = None,
) -> Path:
    """Sign ``source`` into ``out``: a certification signature where the file has none yet,
    an approval signature after the ones it has (they stay intact); visible as ``stamp``
    where one is given, invisible otherwise."""
    with source.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        existing = len(PdfFileReader(handle, strict=False).embedded_signatures)
        name = f"{FIELD_PREFIX}-{existing + 1}"
        meta = signers.PdfSignatureMetadata(
            field_name=name,
            reason=reason or None,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            certify=existing == 0,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        )
        field_spec, style, params = None, None, None
        if stamp is not None:
            box = tuple(round(v) for v in stamp.box)
            field_spec = fields.SigFieldSpec(name, on_page=stamp.page, box=box)  # type: ignore[arg-type]
            style = stamp_style()
            params = {"signer": stamp.signer, "office": stamp.office, "url": stamp.verify_url}
        pdf_signer = signers.PdfSigner(meta, signer, stamp_style=style, new_field_spec=field_spec)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as target:
            pdf_signer.sign_pdf(writer, output=target, appearance_text_params=params)
    return out


def verify(path: Path, trust_roots: Iterable[Path]) -> list[SignatureReport]:
    """Every signature of ``path``, checked against the PEM or DER roots in ``trust_roots``."""
    roots = [load_cert_from_pemder(str(root)) for root in trust_roots]
    reports = []
    with path.open("rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        for embedded in reader.embedded_signatures:
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            status = validate_pdf_signature(embedded, context)
            reports.append(
                SignatureReport(
                    field=embedded.field_name,
                    signer=status.signing_cert.subject.human_friendly,
                    intact=status.intact and status.valid,
                    trusted=status.trusted,
                    covers_whole_document=status.coverage.name == "ENTIRE_FILE",
                    certification_ok=status.docmdp_ok is not False,
                )
            )
    return reports
