"""schemathesis against ``sohoa serve``'s OpenAPI schema, over real HTTP: every
operation of the JSON API, with generated valid and invalid inputs, signed in as an
administrator (every staff route) and as a citizen (the sharing routes), answers
without a server error. Half the cases name a stored document, so that the routes do
their work rather than only say "not found". A 500 is a bug: bad input must be a 4xx sentence."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from .webdata import DOCUMENTS, PASSWORD, LiveServer, free_port, serve

SOHOA = str(Path(sys.executable).with_name("sohoa"))


@pytest.fixture(scope="module")
def served(web_home: Path) -> Iterator[LiveServer]:
    """``sohoa serve`` on a free port over the web tests' home; its public rate limit
    raised so that the fuzzer reaches the verification itself."""
    with serve(web_home, free_port(), environ={"SOHOA_PUBLIC_RATE": "100000"}) as live:
        yield live


def _signed_in(served: LiveServer, username: str) -> dict[str, str]:
    """The headers of a signed-in session: its cookie, and its CSRF token."""
    answer = httpx.post(
        f"{served.url}/api/v1/session", json={"username": username, "password": PASSWORD}
    )
    answer.raise_for_status()
    cookie = answer.cookies["sohoa_session"]
    return {"Cookie": f"sohoa_session={cookie}", "X-CSRF-Token": answer.json()["csrf_token"]}


@pytest.fixture(scope="module")
def admin(served: LiveServer) -> dict[str, str]:
    return _signed_in(served, "quan.tri")


@pytest.fixture(scope="module")
def citizen(served: LiveServer) -> dict[str, str]:
    return _signed_in(served, "nhung")


FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_no_operation_fails_an_administrator(served: LiveServer, admin: dict[str, str]) -> None:
    _fuzz(served, admin)


def test_no_operation_fails_a_citizen(served: LiveServer, citizen: dict[str, str]) -> None:
    _fuzz(served, citizen)


def _fuzz(served: LiveServer, headers: dict[str, str]) -> None:
    """Each operation of the schema, with Hypothesis drawing its cases (the lazy pytest
    fixture of schemathesis does not run under pytest 9: its node ids changed)."""
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        if operation.method.upper() == "DELETE" and operation.path == "/api/v1/session":
            continue  # signing the fuzzer's own session out would test nothing after it

        @FUZZ
        @given(case=operation.as_strategy(), known=st.sampled_from([None, *DOCUMENTS]))
        def no_server_error(case: schemathesis.Case, known: str | None) -> None:
            if known and "document_id" in (case.path_parameters or {}):
                case.path_parameters["document_id"] = known  # a stored one, half the time
            response = case.call(headers=headers, timeout=60)
            case.validate_response(response, checks=(not_a_server_error,))
            assert b"Traceback" not in response.content

        no_server_error()
