"""Keeping the query planners informed: table statistics after bulk writes.

Without statistics SQLite guesses, and for the metrics' joins it guesses scans: a repository's report on
a large organization takes twice as long (docs/benchmarks.md). A limited ``ANALYZE`` costs milliseconds, so
a sync calls :func:`refresh_statistics` after a run that wrote rows; PostgreSQL's autovacuum would analyse
eventually, and doing it at once helps right after a backfill. Works in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection

SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index: statistics good enough, at a bounded cost


def refresh_statistics(conn: Connection) -> None:
    """Refresh the planner's statistics of every table."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        conn.exec_driver_sql("ANALYZE")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE")
