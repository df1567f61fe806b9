"""PAdES B-T, B-LT and B-LTA against an offline test PKI served over HTTP (sohoa.signing.testpki):
timestamps from its TSA, revocation data from its OCSP responder and CRLs; pdfsig agrees."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from cryptography.hazmat.primitives import serialization

from sohoa.signing.pades import SigningError, sign, verify
from sohoa.signing.testpki import serve_test_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    with serve_test_pki(tmp_path_factory.mktemp("pki")) as served:
        yield served


@pytest.fixture(scope="module")
def root(pki, tmp_path_factory) -> Path:
    return pki.root_pem(tmp_path_factory.mktemp("roots"))


@pytest.fixture
def document(tmp_path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    path = tmp_path / "doc.pdf"
    pdf.save(path)
    return path


def pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


@pytest.mark.parametrize("level", ["B-T", "B-LT", "B-LTA"])
def test_each_level_is_made_and_recognized(level, pki, root, document, tmp_path) -> None:
    signed = sign(
        document,
        tmp_path / "signed.pdf",
        pki.signer(),
        level=level,
        tsa_url=pki.tsa_url,
        trust_roots=[root],
    )
    (report,) = verify(signed, [root])
    assert report.intact and report.trusted and report.timestamped
    assert report.level == level
    assert report.covers_whole_document  # what follows it is validation data and timestamps
    said = pdfsig(signed)
    assert said.count("Signature is Valid.") == 1  # the signature, checked by pdfsig too
    if level == "B-LTA":  # the document timestamp, listed as a signature by the TSA;
        # poppler 22.12 does not check RFC 3161 document timestamps ("not yet been verified")
        assert "Signer Certificate Common Name: sohoa TEST tsa" in said


def test_a_batch_asks_the_authority_only_for_the_timestamps_it_embeds(
    pki, root, document, tmp_path
) -> None:
    signer = pki.signer()
    options = {"level": "B-LTA", "tsa_url": pki.tsa_url, "trust_roots": [root]}
    sign(document, tmp_path / "first.pdf", signer, **options)  # sizes measured once
    before = pki.requests[pki.tsa_path]
    signed = sign(document, tmp_path / "second.pdf", signer, **options)
    # the signature's timestamp and the document timestamp; no sample token to size them
    assert pki.requests[pki.tsa_path] - before == 2
    (report,) = verify(signed, [root])
    assert report.intact and report.level == "B-LTA"


def test_an_rsa_key_is_read_once_for_a_batch_and_its_signatures_hold(
    document, tmp_path, monkeypatch
) -> None:
    with serve_test_pki(tmp_path / "pki", "rsa") as rsa_pki:
        root = rsa_pki.root_pem(tmp_path)
        signer = rsa_pki.signer()
        reads = []
        load = serialization.load_der_private_key
        monkeypatch.setattr(
            serialization, "load_der_private_key", lambda *a, **k: reads.append(1) or load(*a, **k)
        )
        signed = [sign(document, tmp_path / f"{n}.pdf", signer) for n in range(3)]
        assert len(reads) == 1  # pyHanko's own signer reads (and checks) it every signature
        monkeypatch.undo()  # the TSA, in this process, reads its key for every timestamp
        stamped_in_time = tmp_path / "t.pdf"
        signed.append(sign(document, stamped_in_time, signer, level="B-T", tsa_url=rsa_pki.tsa_url))
    for path in signed:
        (report,) = verify(path, [root])
        assert report.intact and report.trusted
        assert "Signature is Valid." in pdfsig(path)
    assert report.level == "B-T"


def test_a_revoked_signer_is_refused_at_b_lt_and_caught_when_verifying(
    pki, root, document, tmp_path
) -> None:
    with pytest.raises(SigningError, match="B-LT"):
        sign(
            document,
            tmp_path / "lt.pdf",
            pki.signer("revoked"),
            level="B-LT",
            tsa_url=pki.tsa_url,
            trust_roots=[root],
        )
    assert not (tmp_path / "lt.pdf").exists()
    signed = sign(document, tmp_path / "bb.pdf", pki.signer("revoked"))
    (report,) = verify(signed, [root], fetching=True)
    assert report.intact and report.revoked and not report.trusted
    # revoked before the signature, but without a timestamp nothing proves when it was made
    assert report.indication == ("INDETERMINATE", "REVOKED_NO_POE")
    assert "Signature is Valid." in pdfsig(signed)  # intact for poppler too


def test_an_expired_signer_is_out_of_bounds_without_proof_of_time(
    pki, root, document, tmp_path
) -> None:
    signed = sign(document, tmp_path / "expired.pdf", pki.signer("expired"))
    (report,) = verify(signed, [root])
    assert report.intact and not report.trusted
    assert report.indication == ("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE")
    said = pdfsig(signed)
    assert "Signature is Valid." in said and "Certificate has Expired" in said


def test_levels_above_b_b_need_a_timestamp_authority(pki, document, tmp_path) -> None:
    with pytest.raises(SigningError, match="timestamp authority"):
        sign(document, tmp_path / "t.pdf", pki.signer(), level="B-T")
    with pytest.raises(SigningError, match="unknown PAdES level"):
        sign(document, tmp_path / "t.pdf", pki.signer(), level="B-X")
