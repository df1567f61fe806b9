"""Signing keys on a PKCS#11 token (a USB token, a smart card, an HSM), by pyHanko.

An official's key never leaves the token: the token's own PKCS#11 module (a shared library
that comes with it) signs. ``open_token_signer`` opens one session and presents the PIN
once, so that a batch of many documents is signed with one unlock, and closes the session
(logging out) when the batch is done. What pyHanko's ``PKCS11Signer`` already does -- the
signing mechanism for the key's type, the encoding of the signature value -- stays with it;
this module adds what an operator needs: the key and certificate found by label or as the
only ones on the token, a key checked against its certificate before the first document,
and every failure as a one-line ``SigningError``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pkcs11
from asn1crypto import x509
from cryptography.exceptions import InvalidSignature
from pkcs11 import Attribute, Mechanism, ObjectClass, PKCS11Error, Session
from pkcs11.exceptions import PinExpired, PinIncorrect, PinLenRange, PinLocked
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

from .pades import SigningError

DIGEST = "sha256"  # the digest pades.sign asks for
PROBE = b"sohoa: does this key belong to this certificate?"


@dataclass(frozen=True, slots=True)
class TokenConfig:
    """Where a token's signing key is: everything but the PIN, which is asked for or read
    from the environment at the moment of signing and never kept in settings."""

    module: Path  # the token's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so
    token_label: str
    key_label: str | None = None  # None: the only signing key on the token
    cert_label: str | None = None  # None: the certificate with the key's ID, or the only one

    def open_signer(self, pin: str) -> contextlib.AbstractContextManager[PKCS11Signer]:
        """``open_token_signer`` with this configuration."""
        return open_token_signer(
            self.module,
            token_label=self.token_label,
            pin=pin,
            key_label=self.key_label,
            cert_label=self.cert_label,
        )


@contextmanager
def open_token_signer(
    module: Path,
    *,
    token_label: str,
    pin: str,
    key_label: str | None = None,
    cert_label: str | None = None,
) -> Iterator[PKCS11Signer]:
    """A signer for ``pades.sign`` on the token labelled ``token_label``, logged in once
    with ``pin`` for every document signed inside the ``with`` block.

    The key is the signing key labelled ``key_label``, or the token's only one; the
    certificate is the one labelled ``cert_label``, else the one sharing the key's
    ``CKA_ID`` (the PKCS#11 convention), else the token's only one. A token error inside
    the block (a token pulled out mid-batch) becomes a ``SigningError`` too."""
    session = _open_session(module, token_label, pin)
    try:
        key = _signing_key(session, token_label, key_label)
        certificate = _certificate(session, token_label, cert_label, key)
        signer = PKCS11Signer(
            session,
            signing_cert=certificate,
            key_label=_attribute(key, Attribute.LABEL) or None,
            key_id=_attribute(key, Attribute.ID) or None,
            use_raw_mechanism=_raw_mechanism_needed(session, certificate),
        )
        _check_pair(signer, certificate, _name(key))
        try:
            yield signer
        except PKCS11Error as error:
            raise SigningError(f"token {token_label!r}: {_describe(error)}") from None
    finally:
        with contextlib.suppress(PKCS11Error):  # a token already pulled out has no session
            session.close()


def _open_session(module: Path, token_label: str, pin: str) -> Session:
    """One logged-in session; the module, the token and the PIN each fail with their own
    message, since each asks the operator for a different fix."""
    if not module.is_file():
        raise SigningError(f"{module}: no PKCS#11 module there (is the token's driver installed?)")
    try:
        library = pkcs11.lib(str(module))
    except PKCS11Error as error:
        raise SigningError(f"{module}: not a loadable PKCS#11 module ({error})") from None
    labels = _token_labels(library)
    if token_label not in labels:
        present = ", ".join(repr(label) for label in labels) or "none"
        raise SigningError(f"no token labelled {token_label!r} in {module} (present: {present})")
    try:
        return open_pkcs11_session(
            str(module), token_criteria=TokenCriteria(label=token_label), user_pin=pin
        )
    except (PinIncorrect, PinLenRange):
        raise SigningError(f"token {token_label!r}: wrong PIN") from None
    except PinLocked:
        raise SigningError(f"token {token_label!r}: the PIN is locked (too many tries)") from None
    except PinExpired:
        raise SigningError(f"token {token_label!r}: the PIN has expired; set a new one") from None
    except PKCS11Error as error:
        raise SigningError(f"token {token_label!r}: cannot log in ({_describe(error)})") from None


def _token_labels(library: Any) -> list[str]:
    labels = []
    for slot in library.get_slots(token_present=True):
        with contextlib.suppress(PKCS11Error):  # a reader whose card is being removed
            labels.append(slot.get_token().label)
    return [label for label in labels if label]  # an uninitialized token has none


def _signing_key(session: Session, token_label: str, label: str | None) -> Any:
    query = {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.SIGN: True}
    return _only(session, query, label, what="signing key", token_label=token_label)


def _certificate(
    session: Session, token_label: str, label: str | None, key: Any
) -> x509.Certificate:
    query: dict[Attribute, Any] = {Attribute.CLASS: ObjectClass.CERTIFICATE}
    key_id = _attribute(key, Attribute.ID)
    if label is None and key_id:
        same_id = list(session.get_objects({**query, Attribute.ID: key_id}))
        if len(same_id) == 1:
            return x509.Certificate.load(same_id[0][Attribute.VALUE])
    found = _only(session, query, label, what="certificate", token_label=token_label)
    return x509.Certificate.load(found[Attribute.VALUE])


def _only(
    session: Session,
    query: dict[Attribute, Any],
    label: str | None,
    *,
    what: str,
    token_label: str,
) -> Any:
    """The one object of ``query`` labelled ``label``, or the only one where no label is
    given: two keys under one label would make which one signs a matter of chance."""
    if label is not None:
        query = {**query, Attribute.LABEL: label}
    found = list(session.get_objects(query))  # read to the end: the search must finish
    if len(found) == 1:
        return found[0]
    named = f" labelled {label!r}" if label is not None else ""
    if not found:
        raise SigningError(f"token {token_label!r}: no {what}{named}")
    labels = ", ".join(repr(_name(item)) for item in found)
    hint = "" if label is not None else "; name one"
    raise SigningError(f"token {token_label!r}: {len(found)} {what}s{named} ({labels}){hint}")


def _raw_mechanism_needed(session: Session, certificate: x509.Certificate) -> bool:
    """ECDSA tokens that cannot hash (SoftHSM2 among them) sign a digest that pyHanko
    makes: asked for ECDSA-with-SHA-256, they would refuse every document."""
    if certificate.public_key.algorithm != "ec":
        return False
    return Mechanism.ECDSA_SHA256 not in session.token.slot.get_mechanisms()


def _check_pair(signer: PKCS11Signer, certificate: x509.Certificate, key_name: str) -> None:
    """Sign a probe with the key and verify it with the certificate's public key, before
    the first document: a key and a certificate that do not belong together make
    signatures that every verifier rejects, and a batch would be wasted on them. A probe
    rather than comparing public keys because many tokens hold no public-key object."""
    mechanism = signer.get_signature_mechanism_for_digest(DIGEST)
    subject = certificate.subject.human_friendly
    try:
        signature = asyncio.run(signer.async_sign_raw(PROBE, DIGEST))
        DefaultSignatureValidator().validate_signature(
            signature, PROBE, certificate.public_key, mechanism
        )
    except InvalidSignature:
        raise SigningError(
            f"key {key_name!r} does not match the certificate of {subject}"
        ) from None
    except PKCS11Error as error:
        raise SigningError(
            f"key {key_name!r} cannot sign for the certificate of {subject} ({_describe(error)})"
        ) from None


def _attribute(item: Any, attribute: Attribute) -> Any:
    """An optional attribute of a token object: absent on some tokens rather than empty."""
    try:
        return item[attribute]
    except (PKCS11Error, KeyError):
        return None


def _name(item: Any) -> str:
    label = _attribute(item, Attribute.LABEL)
    if label:
        return str(label)
    key_id = _attribute(item, Attribute.ID)
    return f"id {key_id.hex()}" if key_id else "unnamed"


def _describe(error: PKCS11Error) -> str:
    """python-pkcs11's exceptions often carry no text: their class name is the message."""
    return str(error) or type(error).__name__
