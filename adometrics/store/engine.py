"""Building the SQLAlchemy engine: embedded SQLite by default, PostgreSQL at scale (same code both ways).

Entry points call :func:`make_engine` once and pass the engine down; nothing here is a module-level singleton.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ..config import Settings
from ..errors import ConfigurationError

DB_FILE = "adometrics.db"
BUSY_TIMEOUT_MS = 30_000


def default_url(data_dir: Path) -> str:
    """The embedded database in the data directory (created if missing)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{data_dir / DB_FILE}"


def make_engine(url: str | None = None, *, data_dir: Path | None = None,
                sqlite_begin: Literal["deferred", "immediate"] = "deferred", **kwargs) -> Engine:
    """An engine for ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``), else SQLite in ``data_dir``.

    SQLite gets WAL (readers do not block the writer), foreign keys, a busy timeout and synchronous=NORMAL
    (durable across application crashes, fast). Transactions start with an explicit ``BEGIN`` so reads inside
    a transaction see one snapshot; ``sqlite_begin="immediate"`` takes the write lock up front, which suits
    writers (sync workers) sharing a file: a busy writer then waits instead of failing on lock upgrade.
    """
    if url is None:
        if data_dir is None:
            raise ConfigurationError("no database: give a database URL or a data directory")
        url = default_url(data_dir)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, "BEGIN IMMEDIATE" if sqlite_begin == "immediate" else "BEGIN")
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    raise ConfigurationError(f"unsupported database {backend!r}: use sqlite:///… or postgresql+psycopg://…")


def engine_from_settings(settings: Settings, **kwargs) -> Engine:
    """Entry points' shortcut: the database the settings configure."""
    return make_engine(settings.database_url, data_dir=settings.data_dir, **kwargs)


def _configure_sqlite(engine: Engine, begin: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event below decide when to BEGIN
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql(begin)
