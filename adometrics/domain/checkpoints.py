"""Where a sync stream stopped, so the next run resumes instead of starting over (ARCHITECTURE §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncCheckpoint:
    """``cursor`` is taken from the data (largest value seen), ``position`` is a resume point within a run."""

    org_id: str
    stream: str                           # e.g. "pull_requests", "builds"
    scope: str = ""                       # e.g. a repository or project id; "" for organization-wide
    cursor: str | None = None
    position: str | None = None
    updated_at: datetime | None = None
