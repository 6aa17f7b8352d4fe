"""Where each stream of an organization stopped (ARCHITECTURE §4 "Checkpoints").

A checkpoint row per (stream, scope) holds two things:

- ``cursor``: for streams sorted by time, the largest value seen in the data (never our clock), capped at the
  run's start; the next run re-reads from it minus an overlap.
- ``position``: where the current run is inside a stream, as JSON tagged with the run's id:
  ``{"run": id, "resume": {...}}`` after a page (the paginator's query for the next page) or
  ``{"run": id, "done": true}`` once the stream finished in that run. A position from another run is stale
  and ignored, so an interrupted run resumes exactly where it stopped and a new run starts afresh.

The ``run`` stream (scope ``""``) marks the run itself: its position names an unfinished run, its cursor the
start of the last completed one.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ..domain import SyncCheckpoint
from ..store.schema import sync_checkpoints

RUN = "run"
DONE = "done"


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def format_time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Checkpoints:
    """An organization's checkpoints, read once at the start of a run and kept current as pages commit."""

    def __init__(self, conn: Connection, org_id: str) -> None:
        self.org_id = org_id
        c = sync_checkpoints.c
        rows = conn.execute(select(c.stream, c.scope, c.cursor, c.position, c.updated_at)
                            .where(c.org_id == org_id)).all()
        self._rows: dict[tuple[str, str], SyncCheckpoint] = {
            (r.stream, r.scope): SyncCheckpoint(org_id=org_id, stream=r.stream, scope=r.scope,
                                                cursor=r.cursor, position=r.position, updated_at=r.updated_at)
            for r in rows
        }

    def get(self, stream: str, scope: str = "") -> SyncCheckpoint | None:
        return self._rows.get((stream, scope))

    def cursor(self, stream: str, scope: str = "") -> str | None:
        found = self.get(stream, scope)
        return found.cursor if found else None

    def position(self, stream: str, scope: str, run_id: str) -> dict[str, Any] | None:
        """This run's position in the stream (``{"done": True}`` or ``{"resume": {...}}``), else None."""
        found = self.get(stream, scope)
        if found is None or not found.position:
            return None
        data = json.loads(found.position)
        return data if data.get("run") == run_id else None

    def done(self, stream: str, scope: str, run_id: str) -> bool:
        return bool((self.position(stream, scope, run_id) or {}).get(DONE))

    def resume(self, stream: str, scope: str, run_id: str) -> dict[str, Any] | None:
        return (self.position(stream, scope, run_id) or {}).get("resume")

    def make(self, stream: str, scope: str, *, run_id: str, resume: dict | None = None,
             done: bool = False, cursor: str | None = None, now: datetime | None = None) -> SyncCheckpoint:
        """The checkpoint to commit with a page; ``cursor`` None keeps the stored one."""
        old = self.get(stream, scope)
        if cursor is None and old is not None:
            cursor = old.cursor
        position = None
        if done or resume is not None:
            payload: dict[str, Any] = {"run": run_id}
            payload.update({DONE: True} if done else {"resume": resume})
            position = json.dumps(payload, sort_keys=True, default=str)
        return SyncCheckpoint(org_id=self.org_id, stream=stream, scope=scope, cursor=cursor,
                              position=position, updated_at=now)

    def committed(self, checkpoint: SyncCheckpoint) -> None:
        """Record a checkpoint whose transaction has committed."""
        self._rows[(checkpoint.stream, checkpoint.scope)] = checkpoint
