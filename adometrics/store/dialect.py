"""The one place that picks SQLite's or PostgreSQL's ``INSERT … ON CONFLICT`` construct."""

from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import ConfigurationError


def insert(bind: Connection | str, table: Table):
    """An ``insert`` that supports ``on_conflict_do_update`` / ``on_conflict_do_nothing`` on this database
    (given a connection, or a dialect name)."""
    name = bind if isinstance(bind, str) else bind.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise ConfigurationError(f"unsupported database dialect {name!r}")
