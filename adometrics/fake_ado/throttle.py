"""TSTU-style throttling. Minimal version: H2 completes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response


@dataclass(frozen=True, slots=True)
class ThrottleConfig:
    limit: float = 200.0  # TSTUs per identity
    window_seconds: float = 300.0


@dataclass(slots=True)
class ThrottleDecision:
    headers: dict[str, str] = field(default_factory=dict)
    response: Response | None = None


class Throttle:
    def __init__(self, config: ThrottleConfig | None):
        self.config = config

    async def charge(self, identity_id: str | None, cost: float, entry: Any) -> ThrottleDecision:
        return ThrottleDecision()
