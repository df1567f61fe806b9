"""The web service's fixtures: a home of signed documents and accounts (webdata.py), and
the app over it reached as over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sohoa.web.app import create_app

from .webdata import make_home


@pytest.fixture(scope="module")
def web_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("work"))


@pytest.fixture
def web(web_home: Path) -> Iterator[TestClient]:
    """The app over :func:`web_home`, reached as over HTTPS (the cookies are Secure)."""
    app = create_app(web_home)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield client
