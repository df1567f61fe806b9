"""An offline test PKI served over real HTTP: root and intermediate CA, a timestamp authority,
an OCSP responder and CRLs (certomancer), on 127.0.0.1 while a ``with`` block runs -- for
the tests and the signing benchmark (certomancer and werkzeug are development
dependencies: ``pip install -e .[dev]``).

Keys are made fresh (ECDSA P-256 or RSA-2048) in the folder given; certomancer issues the
certificates from a configuration written here, and its Animator (a WSGI application)
answers OCSP, CRL and RFC 3161 requests from werkzeug's server in a thread.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, KeyLabel
from certomancer.registry.config import CertomancerConfig
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko_certvalidator.registry import SimpleCertificateStore
from werkzeug.serving import WSGIRequestHandler, make_server

from .pades import KeyInMemorySigner

ARCH = "sohoa-test"
KEYS = ("root", "interm", "ocsp", "tsa", "signer", "revoked", "expired")


@dataclass(frozen=True)
class TestPki:
    url: str  # http://127.0.0.1:PORT
    architecture: object
    requests: Counter[str] = field(default_factory=Counter)  # by path, as they came

    @property
    def tsa_path(self) -> str:
        return f"/{ARCH}/tsa/tsa"

    @property
    def tsa_url(self) -> str:
        return self.url + self.tsa_path

    def cert(self, label: str) -> x509.Certificate:
        return self.architecture.get_cert(CertLabel(label))

    def signer(self, label: str = "signer") -> KeyInMemorySigner:
        chain = [self.cert("root"), self.cert("interm")]
        return KeyInMemorySigner(
            signing_cert=self.cert(label),
            signing_key=self.architecture.key_set.get_private_key(KeyLabel(label)),
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )

    def root_pem(self, folder: Path) -> Path:
        path = folder / "test-root.pem"
        path.write_bytes(self.cert("root").dump())
        return path


def _keys(folder: Path, algorithm: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for label in KEYS:
        key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if algorithm == "rsa"
            else ec.generate_private_key(ec.SECP256R1())
        )
        (folder / f"{label}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _validity(start: datetime, days: int) -> dict[str, str]:
    return {"valid-from": _when(start), "valid-to": _when(start + timedelta(days=days))}


def _key_usage(*uses: str) -> dict:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(uses)},
    }


def _extended_key_usage(use: str) -> dict:
    return {"id": "extended_key_usage", "critical": True, "value": [use]}


def _crls_of(issuer: str) -> dict:
    """Where the CRLs of ``issuer`` are published (a crl-repo service below)."""
    return {
        "id": "crl_distribution_points",
        "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [issuer]}},
    }


_CA = {"id": "basic_constraints", "critical": True, "value": {"ca": True}}
_CA_USES = ("digital_signature", "key_cert_sign", "crl_sign")


def _config(url: str, start: datetime) -> dict:
    certs = {
        "root": {
            "subject": "root",
            "subject-key": "root",
            "issuer": "root",
            "authority-key": "root",
            "validity": _validity(start, 3650),
            "extensions": [_CA, _key_usage(*_CA_USES)],
        },
        "interm": {
            "issuer": "root",
            "validity": _validity(start, 1825),
            "extensions": [_CA, _key_usage(*_CA_USES), _crls_of("root")],
        },
        "ocsp": {
            "issuer": "interm",
            "validity": _validity(start, 1825),
            "extensions": [
                _key_usage("digital_signature"),
                _extended_key_usage("ocsp_signing"),
                {"id": "ocsp_no_check"},
            ],
        },
        "tsa": {
            "issuer": "root",
            "validity": _validity(start, 1825),
            "extensions": [
                _key_usage("digital_signature"),
                _extended_key_usage("time_stamping"),
                _crls_of("root"),
            ],
        },
        "signer": {
            "issuer": "interm",
            "validity": _validity(start, 730),
            "extensions": [
                _key_usage("digital_signature", "non_repudiation"),
                _crls_of("interm"),
                {
                    "id": "authority_information_access",
                    "smart-value": {
                        "schema": "aia-urls",
                        "params": {"ocsp-responder-names": ["interm"]},
                    },
                },
            ],
        },
        "revoked": {
            "template": "signer",
            "subject": "revoked",
            "subject-key": "revoked",
            "revocation": {"revoked-since": _when(start), "reason": "key_compromise"},
        },
        "expired": {  # valid for the first hour of the PKI's life, a day ago
            "template": "signer",
            "subject": "expired",
            "subject-key": "expired",
            "validity": {"valid-from": _when(start), "valid-to": _when(start + timedelta(hours=1))},
        },
    }
    services = {
        "ocsp": {
            "interm": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"}
        },
        "crl-repo": {
            issuer: {
                "for-issuer": issuer,
                "signing-key": issuer,
                "simulated-update-schedule": every,
            }
            for issuer, every in (("root", "P90D"), ("interm", "P30D"))
        },
        "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
    }
    return {
        "external-url-prefix": url,
        "keysets": {ARCH: {"keys": {k: {"path": f"{k}.key.pem"} for k in KEYS}}},
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "VN", "organization-name": "sohoa TEST PKI"},
                "entities": {k: {"common-name": f"sohoa TEST {k}"} for k in KEYS},
                "certs": certs,
                "services": services,
            }
        },
    }


class _QuietHandler(WSGIRequestHandler):
    """No line on stderr for every OCSP, CRL and timestamp request (hundreds a benchmark)."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


@contextmanager
def serve_test_pki(folder: Path, algorithm: str = "ecdsa") -> Iterator[TestPki]:
    """The test PKI (``algorithm`` "ecdsa", P-256, or "rsa", 2048 bits), answering on
    127.0.0.1 until the block ends."""
    _keys(folder, algorithm)
    holder: dict[str, object] = {}
    requests: Counter[str] = Counter()

    def app(environ, start_response):  # the port is known only once the server listens
        requests[environ["PATH_INFO"]] += 1
        return holder["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.port}"
    start = datetime.now(UTC) - timedelta(days=1)
    config = CertomancerConfig(_config(url, start), key_search_dir=str(folder))
    architecture = config.pki_archs[ArchLabel(ARCH)]
    holder["app"] = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TestPki(url, architecture, requests)
    finally:
        server.shutdown()
        thread.join(timeout=5)
