"""PAdES signatures by a key on a PKCS#11 token: SoftHSM2 tokens made for the module.

Token ``sohoa-test`` holds one ECDSA P-256 key with its certificate (CKA_ID 01), issued by
a small CA made here. Token ``sohoa-mixed`` holds the same key and certificate, labelled
``signer``, and a second key ``stranger`` (CKA_ID 02) whose certificate, under the same
label, is the first key's: a key that does not match its certificate.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sohoa.signing import tokens
from sohoa.signing.config import open_signer, signing_settings
from sohoa.signing.pades import SigningError, sign, verify

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN, MIXED, PIN, SO_PIN = "sohoa-test", "sohoa-mixed", "246810", "13579246"
SIGNER_NAME = "sohoa TEST token signer -- NOT FOR PRODUCTION"

if not SOFTHSM.is_file():
    pytest.skip(f"SoftHSM2 is not installed ({SOFTHSM})", allow_module_level=True)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _issue(
    subject: str, key: ec.EllipticCurvePrivateKey, ca_key: ec.EllipticCurvePrivateKey, *, ca: bool
) -> x509.Certificate:
    start = datetime.now(UTC) - timedelta(minutes=5)
    usage = (False,) * 5 + (True, True, False, False) if ca else (True, True) + (False,) * 7
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name("sohoa TEST token CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(*usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _softhsm(*arguments: str) -> None:
    subprocess.run(["softhsm2-util", *arguments], check=True, capture_output=True)


def _init_token(label: str) -> None:
    _softhsm("--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", PIN)


def _import_key(
    folder: Path, token: str, key: ec.EllipticCurvePrivateKey, label: str, key_id: str
) -> None:
    pem = folder / f"{label}.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    _softhsm("--import", str(pem), "--token", token, "--label", label, "--id", key_id, "--pin", PIN)
    pem.unlink()


def _store_certificate(session, certificate: x509.Certificate, label: str, key_id: str) -> None:
    attribute = pkcs11.Attribute
    session.create_object(
        {
            attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
            attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
            attribute.TOKEN: True,
            attribute.LABEL: label,
            attribute.ID: bytes.fromhex(key_id),
            attribute.SUBJECT: certificate.subject.public_bytes(),
            attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
        }
    )


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Iterator[Path]:
    """The test CA's root, once the module's SoftHSM2 tokens are made in a folder of their
    own. ``SOFTHSM2_CONF`` points there while the module runs; SoftHSM2 is finalized at the
    end, so that a later user of it in this process reads its own configuration."""
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        _init_token(TOKEN)
        _init_token(MIXED)
        ca_key, key, stranger = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
        root = folder / "root.pem"
        root.write_bytes(
            _issue("sohoa TEST token CA", ca_key, ca_key, ca=True).public_bytes(
                serialization.Encoding.PEM
            )
        )
        certificate = _issue(SIGNER_NAME, key, ca_key, ca=False)
        _import_key(folder, TOKEN, key, "signer", "01")
        _import_key(folder, MIXED, key, "signer", "01")
        _import_key(folder, MIXED, stranger, "stranger", "02")
        library = pkcs11.lib(str(SOFTHSM))
        library.reinitialize()  # the token files written since a possible earlier load
        with library.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
            _store_certificate(session, certificate, "signer", "01")
        with library.get_token(token_label=MIXED).open(rw=True, user_pin=PIN) as session:
            _store_certificate(session, certificate, "signer", "01")
            _store_certificate(session, certificate, "stranger", "02")  # not the stranger's
        yield root
        library.finalize()


def pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def _logins(monkeypatch) -> list[str]:
    """Every session the signer opens, by the PIN it presents."""
    opened: list[str] = []
    real = tokens.open_pkcs11_session

    def counting(*args, user_pin=None, **kwargs):
        opened.append(user_pin)
        return real(*args, user_pin=user_pin, **kwargs)

    monkeypatch.setattr(tokens, "open_pkcs11_session", counting)
    return opened


def test_three_documents_signed_in_one_session_verify_for_both_verifiers(
    root, document, tmp_path, monkeypatch
) -> None:
    logins = _logins(monkeypatch)
    with tokens.open_token_signer(SOFTHSM, token_label=TOKEN, pin=PIN) as signer:
        signed = [sign(document, tmp_path / f"signed-{n}.pdf", signer) for n in range(3)]
    assert logins == [PIN]  # the PIN presented once for the whole batch
    for path in signed:
        (report,) = verify(path, [root])
        assert report.intact and report.trusted and report.covers_whole_document
        assert SIGNER_NAME in report.signer
        said = pdfsig(path)
        assert "Signature is Valid." in said and "Total document signed" in said
    assert len({path.read_bytes() for path in signed}) == 3  # three signatures, not one copy


def test_a_named_key_and_certificate_are_found_by_label(root, document, tmp_path) -> None:
    config = tokens.TokenConfig(SOFTHSM, MIXED, key_label="signer", cert_label="signer")
    with config.open_signer(PIN) as signer:
        (report,) = verify(sign(document, tmp_path / "signed.pdf", signer), [root])
    assert report.intact and report.trusted


def test_a_wrong_pin_is_named(root) -> None:
    with (
        pytest.raises(SigningError, match="wrong PIN"),
        tokens.open_token_signer(SOFTHSM, token_label=TOKEN, pin="000000", key_label="signer"),
    ):
        pass


def test_an_unknown_token_lists_the_tokens_present(root) -> None:
    with (
        pytest.raises(SigningError, match=r"no token labelled 'elsewhere'.*'sohoa-mixed'"),
        tokens.open_token_signer(SOFTHSM, token_label="elsewhere", pin=PIN),
    ):
        pass


def test_a_missing_module_and_a_missing_key(root, tmp_path) -> None:
    with (
        pytest.raises(SigningError, match="no PKCS#11 module"),
        tokens.open_token_signer(tmp_path / "absent.so", token_label=TOKEN, pin=PIN),
    ):
        pass
    not_a_library = tmp_path / "module.so"
    not_a_library.write_bytes(b"not an ELF file")
    with (
        pytest.raises(SigningError, match="not a loadable PKCS#11 module"),
        tokens.open_token_signer(not_a_library, token_label=TOKEN, pin=PIN),
    ):
        pass
    with (
        pytest.raises(SigningError, match="no signing key labelled 'absent'"),
        tokens.open_token_signer(SOFTHSM, token_label=TOKEN, pin=PIN, key_label="absent"),
    ):
        pass
    with (
        pytest.raises(SigningError, match="no certificate labelled 'absent'"),
        tokens.open_token_signer(
            SOFTHSM, token_label=TOKEN, pin=PIN, key_label="signer", cert_label="absent"
        ),
    ):
        pass


def test_two_keys_and_no_label_asks_for_one(root) -> None:
    with (
        pytest.raises(SigningError, match=r"2 signing keys \('\w+', '\w+'\); name one"),
        tokens.open_token_signer(SOFTHSM, token_label=MIXED, pin=PIN),
    ):
        pass


def test_a_key_that_does_not_match_its_certificate_signs_nothing(root, document, tmp_path) -> None:
    out = tmp_path / "never.pdf"
    with (
        pytest.raises(SigningError, match=r"key 'stranger' does not match the certificate"),
        tokens.open_token_signer(
            SOFTHSM, token_label=MIXED, pin=PIN, key_label="stranger"
        ) as signer,
    ):
        sign(document, out, signer)
    assert not out.exists()


def test_the_session_is_closed_after_the_block(root) -> None:
    with tokens.open_token_signer(SOFTHSM, token_label=TOKEN, pin=PIN, key_label="signer") as s:
        session = s.pkcs11_session
    with pytest.raises(pkcs11.exceptions.SessionHandleInvalid):
        session.generate_random(64)


def test_a_token_lost_mid_batch_is_a_signing_error(root, document, tmp_path) -> None:
    with (
        pytest.raises(SigningError, match=r"token 'sohoa-test': SessionHandleInvalid"),
        tokens.open_token_signer(SOFTHSM, token_label=TOKEN, pin=PIN) as signer,
    ):
        sign(document, tmp_path / "first.pdf", signer)
        signer.pkcs11_session.close()  # as the token's removal would
        sign(document, tmp_path / "second.pdf", signer)


def test_the_deployments_settings_choose_the_token(root, document, tmp_path) -> None:
    environ = {"SOHOA_PKCS11_MODULE": str(SOFTHSM), "SOHOA_PKCS11_TOKEN": TOKEN}
    home = tmp_path / "home"
    with open_signer(signing_settings({**environ, "SOHOA_PKCS11_PIN": PIN}), home) as signer:
        (report,) = verify(sign(document, tmp_path / "signed.pdf", signer), [root])
    assert report.trusted and SIGNER_NAME in report.signer
    assert not (home / "signing").exists()  # no development CA where a token is configured
    with (
        pytest.raises(SigningError, match="SOHOA_PKCS11_PIN"),
        open_signer(signing_settings(environ), home),
    ):
        pass
