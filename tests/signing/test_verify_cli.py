"""``sohoa verify`` as a user runs it: the console script, CONTRACT.md's JSON, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pikepdf

from sohoa.signing.devca import development_signer
from sohoa.signing.pades import load_signer, sign

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "contract" / "verify.schema.json"
SOHOA = str(Path(sys.executable).with_name("sohoa"))


def sohoa(*args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SOHOA_HOME=str(home))
    env.pop("SOHOA_TRUST_ROOTS", None)
    return subprocess.run(
        [SOHOA, *map(str, args)], env=env, capture_output=True, text=True, timeout=120
    )


def test_verify_reports_each_file_as_the_contract_says(tmp_path: Path) -> None:
    home = tmp_path / "home"
    dev = development_signer(home)
    plain = tmp_path / "plain.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(plain)
    signed = sign(plain, tmp_path / "signed.pdf", load_signer(dev.pkcs12, dev.passphrase))
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("not a PDF")

    done = sohoa("verify", signed, plain, not_pdf, "--json", home=home)
    assert done.returncode == 1  # an unsigned file and an unreadable one
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    schema = json.loads(SCHEMA.read_text("utf-8"))
    for report in reports:
        jsonschema.validate(report, schema)
    good, unsigned = reports
    assert good["valid"] and unsigned == {"file": str(plain), "valid": False, "signatures": []}
    (signature,) = good["signatures"]
    assert signature["indication"] == "TOTAL_PASSED" and signature["sub_indication"] is None
    assert signature["level"] == "B-B" and signature["signing_time"]
    (error,) = done.stderr.strip().splitlines()
    assert error.startswith("sohoa: error:") and "notes.pdf" in error

    elsewhere = sohoa("verify", signed, home=tmp_path / "other-home")  # no such root there
    assert elsewhere.returncode == 1
    assert "INDETERMINATE (NO_CERTIFICATE_CHAIN_FOUND)" in elsewhere.stdout
    assert sohoa("verify", signed, home=home).returncode == 0
