"""The one place that picks SQLite's or PostgreSQL's ``INSERT … ON CONFLICT`` construct."""

from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import ConfigurationError


def insert(conn: Connection, table: Table):
    """An ``insert`` that supports ``on_conflict_do_update`` / ``on_conflict_do_nothing`` on this database."""
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise ConfigurationError(f"unsupported database dialect {name!r}")
