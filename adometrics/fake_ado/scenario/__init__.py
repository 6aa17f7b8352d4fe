"""Deterministic simulated organizations (see SCENARIOS.md): ``build_world(name, seed=..., now=...)``.

``tiny`` (tests) and ``small`` (demo) are fully generated ``RecordWorld``s; ``large`` (benchmarks) is a
``LazyWorld`` that keeps organization-wide indexes and builds per-repository detail on demand.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .cache import paused_gc
from .generate import materialize, plan_org
from .lazy import LazyWorld
from .records import RecordWorld
from .sizes import SIZES
from .world import World

DEFAULT_NOW = datetime(2026, 6, 1, tzinfo=UTC)
SCENARIOS = tuple(SIZES)


def build_world(
    name: str, *, seed: int = 1, organization: str = "fabrikam", now: datetime | None = None
) -> World:
    """The scenario ``name`` (tiny | small | large) for ``seed``; same arguments give identical data."""
    if name not in SIZES:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SIZES)}")
    now = now or DEFAULT_NOW
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)  # naive means UTC
    key = f"{name}:{seed}"
    if name == "large":
        return LazyWorld(SIZES[name], key, organization, now)
    with paused_gc():
        return materialize(plan_org(SIZES[name], key, organization, now))


__all__ = ["DEFAULT_NOW", "SCENARIOS", "RecordWorld", "World", "build_world"]
