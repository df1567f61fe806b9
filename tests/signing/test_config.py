"""Signing as a deployment configures it: the level, the timestamp authority and the key from
``SOHOA_*`` variables, used by ``sohoa sign`` as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

from sohoa.pipeline.settings import ConfigurationError, load_settings
from sohoa.signing.config import SigningSettings, open_signer, signing_settings
from sohoa.signing.devca import SIGNER_NAME, development_signer
from sohoa.signing.pades import SigningError, verify
from sohoa.signing.testpki import serve_test_pki

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def sohoa(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    return subprocess.run(
        [SOHOA, *map(str, args)],
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def document(tmp_path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    path = tmp_path / "in" / "doc.pdf"
    path.parent.mkdir()
    pdf.save(path)
    return path


def test_the_environment_sets_level_authority_key_and_stamp(tmp_path) -> None:
    secret = tmp_path / "passphrase"
    secret.write_bytes(b"s3cret\n")
    settings = signing_settings(
        {
            "SOHOA_PADES_LEVEL": "b-lta",
            "SOHOA_TSA_URL": "http://tsa.example/",
            "SOHOA_SIGNING_KEY": str(tmp_path / "office.p12"),
            "SOHOA_SIGNING_PASSPHRASE_FILE": str(secret),
            "SOHOA_PUBLIC_URL": "https://sohoa.example/",
            "SOHOA_OFFICE_NAME": "UBND phường Hàng Bạc",
        }
    )
    assert settings.level == "B-LTA" and settings.tsa_url == "http://tsa.example/"
    assert settings.key == tmp_path / "office.p12" and settings.passphrase == b"s3cret"
    assert settings.verify_url("0a1b") == "https://sohoa.example/verify/0a1b"
    assert "s3cret" not in repr(settings)  # secrets stay out of logs and tracebacks
    assert signing_settings({}) == SigningSettings()  # B-B by the development CA


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"SOHOA_PADES_LEVEL": "B-X"}, "unknown PAdES level"),
        ({"SOHOA_PADES_LEVEL": "B-T"}, "timestamp authority"),
        ({"SOHOA_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so"}, "PKCS#11"),
        ({"SOHOA_SIGNING_PASSPHRASE_FILE": "/nonexistent"}, "/nonexistent"),
    ],
)
def test_settings_that_cannot_work_are_a_usage_error(environ, says) -> None:
    with pytest.raises(ConfigurationError, match=says) as caught:
        load_settings(environ)
    assert caught.value.exit_code == 2


def test_the_development_ca_signs_where_no_key_is_configured(document, tmp_path) -> None:
    with open_signer(SigningSettings(), tmp_path / "home") as signer:
        assert SIGNER_NAME in signer.signing_cert.subject.human_friendly
    absent = SigningSettings(key=tmp_path / "absent.p12")
    with pytest.raises(SigningError, match="no such file"), open_signer(absent, tmp_path):
        pass


def test_sohoa_sign_at_the_deployments_level_with_a_stamp(document, tmp_path) -> None:
    home = tmp_path / "home"
    dev = development_signer(home)
    with serve_test_pki(tmp_path / "pki") as pki:
        env = {
            "SOHOA_HOME": str(home),
            "SOHOA_PADES_LEVEL": "B-T",
            "SOHOA_TSA_URL": pki.tsa_url,
            "SOHOA_PUBLIC_URL": "https://sohoa.example",
        }
        done = sohoa("sign", document, "-o", tmp_path / "out", "--document-id", "0a1b", env=env)
        assert done.returncode == 0, done.stderr
        signed = tmp_path / "out" / "doc.pdf"
        (report,) = verify(signed, [dev.root_certificate])
        assert report.level == "B-T" and report.timestamped and report.trusted
        pdf = pdfium.PdfDocument(str(signed))
        pdf.init_forms()
        shown = pdf[0].render(scale=3, may_draw_forms=True).to_numpy()
        pdf.close()
        codes = [code.text for code in zxingcpp.read_barcodes(shown)]
        assert codes == ["https://sohoa.example/verify/0a1b"]

        broken = tmp_path / "in" / "broken.pdf"
        broken.write_text("not a PDF")
        failed = sohoa("sign", broken, document, "-o", tmp_path / "again", env=env)
        assert failed.returncode == 1
        assert failed.stderr.strip().splitlines() == [
            f"sohoa: error: {broken}: not a readable PDF (Illegal PDF header)"
        ]
        assert (tmp_path / "again" / "doc.pdf").is_file()  # the rest of the batch went on
