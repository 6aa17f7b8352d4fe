"""The only place that reads the wall clock, so tests and the simulator can control "now"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """Timezone-aware current UTC time."""
    return datetime.now(UTC)


def fixed(at: datetime) -> Clock:
    """A clock that always answers ``at`` (for tests)."""
    return lambda: at
