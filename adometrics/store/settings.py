"""Per-project user settings kept in the database, so every web and worker process sees the same ones.

Today that is the production pattern of METRICS.md §1: which environment names count as production in a
project. A missing row or a NULL pattern means the documented default. Validating a pattern (is it a
regular expression?) is the caller's job; these functions work in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select

from ..clock import Clock, utcnow
from .dialect import insert
from .metric_facts import mark_changed
from .schema import project_settings


def production_patterns(conn: Connection, org_id: str) -> dict[str, str]:
    """Project id → its configured production pattern; projects on the default are absent."""
    c = project_settings.c
    rows = conn.execute(select(c.project_id, c.production_pattern)
                        .where(c.org_id == org_id, c.production_pattern.is_not(None)))
    return dict(rows.all())


def set_production_pattern(conn: Connection, org_id: str, project_id: str, pattern: str | None,
                           clock: Clock = utcnow) -> None:
    """Store a project's pattern, or go back to the default with ``None``."""
    c = project_settings.c
    mark_changed(conn, [org_id])  # what counts as production changes every result
    if pattern is None:
        conn.execute(delete(project_settings).where(c.org_id == org_id, c.project_id == project_id))
        return
    values = {"org_id": org_id, "project_id": project_id, "production_pattern": pattern,
              "updated_at": clock()}
    stmt = insert(conn, project_settings).values(values)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["org_id", "project_id"],
        set_={"production_pattern": stmt.excluded.production_pattern,
              "updated_at": stmt.excluded.updated_at}))
