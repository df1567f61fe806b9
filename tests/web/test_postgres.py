"""The web service on PostgreSQL, as deployed (``SOHOA_DATABASE_URL``): accounts,
sessions, a citizen's isolation, share links and the audit log in the same database as
the catalog -- the same code as on SQLite, run against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sohoa.storage.catalog import Catalog
from sohoa.web.app import create_app

from ..postgres import fresh_database
from .webdata import make_home, sign_in


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with fresh_database("sohoa_web") as url:
        yield url


@pytest.fixture(scope="module")
def pg_home(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOHOA_DATABASE_URL", database)
        yield make_home(
            tmp_path_factory.mktemp("home"),
            tmp_path_factory.mktemp("work"),
            environ={"SOHOA_DATABASE_URL": database},
        )


@pytest.fixture
def client(pg_home: Path) -> Iterator[TestClient]:
    with TestClient(
        create_app(pg_home), base_url="https://testserver", raise_server_exceptions=False
    ) as client:
        yield client


def test_accounts_isolation_and_share_links_on_postgresql(
    client: TestClient, database: str
) -> None:
    with Catalog.open(database) as catalog:
        assert catalog.dialect == "postgresql"
    csrf = sign_in(client, "nhung")
    found = client.get("/api/v1/documents", params={"q": "tran van binh"}).json()["hits"]
    assert [hit["document_id"] for hit in found] == ["doc-marriage"]  # not his ID card
    assert client.get("/api/v1/documents/doc-binh-card").status_code == 404
    made = client.post(
        "/api/v1/documents/doc-marriage/shares", json={"hours": 1}, headers={"X-CSRF-Token": csrf}
    ).json()
    path = made["url"].removeprefix("https://testserver")
    client.cookies.clear()
    assert client.get(path + "/pdf").content.startswith(b"%PDF-")
    csrf = sign_in(client, "nhung")
    client.delete(f"/api/v1/shares/{made['share_id']}", headers={"X-CSRF-Token": csrf})
    assert client.get(path).status_code == 404
    sign_in(client, "can.bo")
    events = client.get("/api/v1/documents/doc-marriage/audit").json()["events"]
    actions = [(e["actor"], e["action"]) for e in events]
    assert ("nhung", "shared") in actions and ("nhung", "revoked") in actions
    assert (f"share:{made['share_id']}", "downloaded") in actions
