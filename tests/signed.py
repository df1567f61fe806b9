"""A signed PDF for tests that store one and care about who may read it, not about its
content: a blank A4 page signed by the development CA of a ``SOHOA_HOME``."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from sohoa.signing.devca import development_signer
from sohoa.signing.pades import load_signer, sign


def dev_signed_blank(home: Path, out: Path) -> Path:
    """``out``: a blank A4 page signed (PAdES B-B) by ``home``'s development CA, made on
    first use."""
    dev = development_signer(home)
    blank = out.with_name(out.stem + "-blank.pdf")
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(blank)
    return sign(blank, out, load_signer(dev.pkcs12, dev.passphrase))
