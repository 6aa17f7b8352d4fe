"""TSTU-style throttling per identity over a sliding window (BEHAVIOUR.md §1).

Each call costs its endpoint's ``tstu``. Below ``limit`` a response only carries the ``X-RateLimit-*``
headers; above it the request is delayed (``X-RateLimit-Delay``) and told when to come back
(``Retry-After``); above ``block_threshold`` it is refused with 429 + TF400733. The class also remembers
each identity's last ``Retry-After`` deadline (from throttling or from a 429 fault) so that a request
arriving earlier is recorded as a violation.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.responses import Response

from .wire import error_response

BUCKETS = 300  # the window is kept as this many buckets, so memory per identity stays bounded


@dataclass(frozen=True, slots=True)
class ThrottleConfig:
    """``limit`` TSTUs per identity in any ``window_seconds``; ADO's defaults are 200 per 5 minutes.

    Past the limit each request is delayed ``delay_seconds`` per TSTU of excess (capped at
    ``max_delay_seconds``); past ``block_threshold`` (None: never) requests get 429.
    """

    limit: float = 200.0
    window_seconds: float = 300.0
    delay_seconds: float = 0.05
    max_delay_seconds: float = 30.0
    block_threshold: float | None = 400.0
    retry_after_on_delay: bool = True
    resource: str = "ATCPU"
    namespace: str = "User"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ThrottleConfig:
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown throttle settings: {sorted(unknown)}")
        defaults = cls()
        values: dict[str, Any] = {}
        for name, value in data.items():
            default = getattr(defaults, name)
            if value is None and name == "block_threshold":
                values[name] = None
            elif isinstance(default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
                values[name] = value
            elif isinstance(default, str):
                values[name] = str(value)
            elif isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number")
            else:
                values[name] = float(value)
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ThrottleDecision:
    headers: dict[str, str] = field(default_factory=dict)
    response: Response | None = None
    delay: float = 0.0


def blocked_response(resource: str, namespace: str, retry_after: int, headers: dict[str, str]) -> Response:
    """429 with ADO's TF400733 body; used by the throttle and by the ``throttle`` fault."""
    message = (
        "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource "
        f"'{resource}' in namespace '{namespace}'."
    )
    headers = {**headers, "Retry-After": str(retry_after)}
    return error_response(429, "RequestBlockedException", message, headers)


class _Usage:
    """One identity's charges in the window, summed per bucket (oldest first)."""

    __slots__ = ("buckets", "total")

    def __init__(self) -> None:
        self.buckets: deque[list[float]] = deque()  # [bucket start, cost]
        self.total = 0.0

    def prune(self, now: float, window: float) -> None:
        while self.buckets and self.buckets[0][0] + window <= now:
            self.total -= self.buckets.popleft()[1]
        if not self.buckets:
            self.total = 0.0

    def add(self, now: float, cost: float, width: float) -> None:
        start = now - (now % width)
        if self.buckets and self.buckets[-1][0] == start:
            self.buckets[-1][1] += cost
        else:
            self.buckets.append([start, cost])
        self.total += cost

    def seconds_until(self, target: float, now: float, window: float) -> float:
        """How long until the usage in the window drops to ``target`` or below, if nothing else arrives."""
        remaining = self.total
        if remaining <= target:
            return 0.0
        expiry = now
        for start, cost in self.buckets:
            remaining -= cost
            expiry = start + window
            if remaining <= target:
                break
        return max(0.0, expiry - now)


IN_FLIGHT_ALLOWANCE = 0.05  # seconds; loopback round trips are ~1 ms


class Throttle:
    """Per-identity TSTU budgets; off when ``config`` is None (then only Retry-After tracking remains)."""

    def __init__(
        self,
        config: ThrottleConfig | None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self.config = config
        self.clock = clock
        self.wall = wall
        self.sleep = sleep
        self._usage: dict[str, _Usage] = {}
        self._deadlines: dict[str, tuple[float, float]] = {}  # key -> (told at, wait until)
        # A request arriving this soon after a Retry-After was answered was already on its way (sent by
        # another connection before the client could read the 429): in flight, not a violation.
        self.in_flight_allowance = IN_FLIGHT_ALLOWANCE

    def configure(self, config: ThrottleConfig | None) -> None:
        """Change the limits at runtime; usage so far is kept."""
        self.config = config

    # -- budget --------------------------------------------------------------------------------------

    def _current(self, key: str, now: float) -> _Usage:
        usage = self._usage.setdefault(key, _Usage())
        assert self.config is not None
        usage.prune(now, self.config.window_seconds)
        return usage

    def usage(self, key: str) -> float:
        if self.config is None or key not in self._usage:
            return 0.0
        return self._current(key, self.clock()).total

    def status_headers(self, key: str) -> dict[str, str]:
        """The headers every response carries while throttling is on (no charge)."""
        if self.config is None:
            return {}
        return self._headers(self._current(key, self.clock()), self.clock())

    def _headers(self, usage: _Usage, now: float) -> dict[str, str]:
        cfg = self.config
        assert cfg is not None
        last = usage.buckets[-1][0] if usage.buckets else now - cfg.window_seconds
        reset = self.wall() + max(0.0, last + cfg.window_seconds - now)
        return {
            "X-RateLimit-Resource": cfg.resource,
            "X-RateLimit-Limit": _number(cfg.limit),
            "X-RateLimit-Remaining": _number(max(0.0, cfg.limit - usage.total)),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }

    async def charge(self, key: str | None, cost: float) -> ThrottleDecision:
        """Charge one call; delay it past the limit, refuse it past the block threshold."""
        cfg = self.config
        if cfg is None or key is None:
            return ThrottleDecision()
        now = self.clock()
        usage = self._current(key, now)
        if cfg.block_threshold is not None and usage.total + cost > cfg.block_threshold:
            retry = _whole_seconds(usage.seconds_until(cfg.limit - cost, now, cfg.window_seconds))
            headers = self._headers(usage, now)
            return ThrottleDecision(response=blocked_response(cfg.resource, cfg.namespace, retry, headers))
        usage.add(now, cost, cfg.window_seconds / BUCKETS)
        headers = self._headers(usage, now)
        over = usage.total - cfg.limit
        if over <= 0:
            return ThrottleDecision(headers)
        delay = round(min(cfg.max_delay_seconds, cfg.delay_seconds * over), 3)
        if delay > 0:
            await self.sleep(delay)
        headers["X-RateLimit-Delay"] = f"{delay:.3f}"
        if cfg.retry_after_on_delay:
            wait = usage.seconds_until(cfg.limit, self.clock(), cfg.window_seconds)
            headers["Retry-After"] = str(_whole_seconds(wait))
        return ThrottleDecision(headers, delay=delay)

    def identities(self) -> dict[str, float]:
        """Current usage per identity (for the control endpoint)."""
        if self.config is None:
            return {}
        now = self.clock()
        usage = {key: self._current(key, now).total for key in list(self._usage)}
        return {key: total for key, total in usage.items() if total > 0}

    # -- Retry-After bookkeeping ------------------------------------------------------------------------

    def note_retry_after(self, key: str, seconds: float) -> None:
        """Remember that ``key`` was told to wait ``seconds`` from now."""
        now = self.clock()
        told, until = self._deadlines.get(key, (now, 0.0))
        if until <= now:  # a new block; extending a running one keeps when the client was first told
            told = now
        if now + seconds > until:
            self._deadlines[key] = (told, now + seconds)

    def violates(self, key: str) -> bool:
        """True when ``key`` sent a request before its last Retry-After elapsed (requests still in flight
        when the 429 was answered excepted)."""
        told = self._deadlines.get(key)
        if told is None:
            return False
        now = self.clock()
        if now >= told[1]:
            del self._deadlines[key]
            return False
        return now >= told[0] + self.in_flight_allowance


def _whole_seconds(seconds: float) -> int:
    return max(1, math.ceil(seconds))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
