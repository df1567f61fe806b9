"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zones: a ``DateTime(timezone=True)`` comes back naive there. The
catalog stores every instant in UTC and hands back aware datetimes on both databases,
so that comparing a stored time with ``datetime.now(UTC)`` never raises.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: JSON documents, kept as text on both databases: PostgreSQL's JSONB would reorder an
#: extract's keys, and the catalog queries fields through the ``fields`` table instead
Json = JSON()

#: 64-bit keys on PostgreSQL; SQLite autoincrements only an INTEGER PRIMARY KEY
BigId = BigInteger().with_variant(Integer(), "sqlite")

#: text compared byte by byte on both databases (SQLite's BINARY, PostgreSQL's "C"):
#: a prefix is then one contiguous range of a B-tree whatever the server's locale
NameKey = Text().with_variant(Text(collation="C"), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored in UTC; naive values are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the catalog stores aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
