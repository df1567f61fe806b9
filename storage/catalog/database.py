"""Which database the catalog uses, how its connections are set up, and how its schema
is brought up to date when it opens.

Embedded, the catalog is one SQLite file under ``SOHOA_HOME``; a deployment names a
PostgreSQL server in ``SOHOA_DATABASE_URL``. Either way the schema is Alembic's, and it
is migrated on open, so that no install step can be forgotten.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection

URL_VARIABLE = "SOHOA_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"
#: how long a SQLite writer waits for another's lock before giving up, in milliseconds
BUSY_TIMEOUT_MS = 15_000
#: PostgreSQL advisory lock key that serializes concurrent migrations ("sohoa" in hex)
_MIGRATION_LOCK = 0x736F686F61


def catalog_url(home: Path, environ: Mapping[str, str] = os.environ) -> str:
    """``SOHOA_DATABASE_URL`` if set, else the SQLite catalog in ``home``."""
    url = environ.get(URL_VARIABLE, "").strip()
    return url or f"sqlite:///{home}/catalog.sqlite"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite connections set up for many readers and one writer.

    The pool is sized for ``sohoa serve``'s threads (16 in its thread pool): with the
    default 5 + 10, a loaded server opened and closed SQLite connections (each setting
    WAL and its pragmas) all the time. A SQLite file needs no pre-ping (no server to
    drop the connection); PostgreSQL does (a restarted server, a proxy's idle cut).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, json_serializer=_json_dumps, pool_size=16, max_overflow=16)
        _setup_sqlite(engine)
        return engine
    return create_engine(
        url, json_serializer=_json_dumps, pool_pre_ping=True, pool_size=10, max_overflow=30
    )


def _json_dumps(value: Any) -> str:
    """JSON as stored: Vietnamese letters kept readable rather than \\u-escaped."""
    return json.dumps(value, ensure_ascii=False)


def _setup_sqlite(engine: Engine) -> None:
    """WAL (readers never wait for the writer), foreign keys on, synchronous NORMAL (safe
    with WAL: a power cut may lose the last commits, never corrupt the file), a busy
    timeout so that concurrent writers queue instead of failing.

    pysqlite's own transaction handling is turned off and BEGIN is emitted here, as
    SQLAlchemy's documentation advises: then DDL is transactional too, and a writer can
    ask for ``BEGIN IMMEDIATE`` (execution option ``sqlite_begin``), taking the write
    lock up front instead of failing to upgrade a read lock midway.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _wal(cursor: Any) -> None:
    """Switch the file to WAL. SQLite answers "database is locked" at once, without its
    busy handler, when another connection holds a lock as the mode is set (several
    processes opening a new catalog together): so wait and ask again, up to the busy
    timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def writer(engine: Engine) -> Engine:
    """The engine writers use: on SQLite every transaction takes the write lock first."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def alembic_config() -> Config:
    """Alembic's configuration for the catalog's migrations, no ini file needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration this code knows."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the catalog's migrations have {len(heads)} heads: {heads}")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to the head revision; a no-op when it is there already.

    Safe when several processes open the catalog at once: all of it runs in one
    transaction that first takes a lock (SQLite: ``BEGIN IMMEDIATE``, the database's
    write lock; PostgreSQL: a transaction-scoped advisory lock), so the second process
    waits, then finds the schema at head. DDL is transactional on both databases, so a
    failed migration leaves nothing half made.
    """
    if current_revision(engine) == head_revision():
        return
    config = alembic_config()
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
