"""The contract's JSON schemas, copied into tests/data so that a clean checkout tests alone."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "data" / "contract"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "contract"


@pytest.mark.parametrize("name", ["extract.schema.json", "verify.schema.json"])
def test_copied_schema_matches_the_shared_contract(name: str) -> None:
    if not (SHARED / name).is_file():
        pytest.skip("no ../shared/contract beside this checkout")
    assert (HERE / name).read_bytes() == (SHARED / name).read_bytes()
