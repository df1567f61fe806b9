"""A fresh PostgreSQL database for a test session or module, on the server this machine
runs (127.0.0.1:5432, trust auth), dropped at its end; the tests that need it skip with
the reason when the server cannot be reached."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@contextmanager
def fresh_database(prefix: str = "sohoa_test") -> Iterator[str]:
    """The URL of a new database with the extensions the catalog uses (pg_trgm, unaccent)
    in its public schema, where every test's schema sees them."""
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL at {SERVER} unreachable: {error.orig}")
    url = f"{SERVER}/{name}"
    setup = create_engine(url, isolation_level="AUTOCOMMIT")
    with setup.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    setup.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:  # a test may have closed it to connections
            connection.execute(text(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()
