"""Client-side pacing per identity: never send before ADO said we may, slow down before it has to say so.

ADO meters each identity across all of our workers (BEHAVIOUR.md §1), so the state that matters — "this
identity may not send before T" and "N requests of this identity are in flight" — sits behind
:class:`LimiterBackend`. The in-memory backend serves one process; a database or Redis backend implements
the same four methods to share it between workers and machines. Times are aware UTC datetimes, which mean
the same thing on every machine (a monotonic clock does not).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol

from adometrics.clock import Clock, utcnow
from adometrics.errors import RetriableError

Sleep = Callable[[float], None]


class LimiterBackend(Protocol):
    """Shared limiter state, keyed by identity (a credential or user fingerprint, never a secret)."""

    def blocked_until(self, identity: str) -> datetime | None:
        """The earliest moment the identity may send again, or None."""
        ...

    def block(self, identity: str, until: datetime) -> None:
        """Forbid sending before ``until``; a later block already in place wins (never shortened)."""
        ...

    def acquire(self, identity: str, limit: int, timeout: float | None) -> bool:
        """Take one of ``limit`` in-flight slots, waiting up to ``timeout`` seconds; False if none came."""
        ...

    def release(self, identity: str) -> None:
        """Give back a slot taken by :meth:`acquire`."""
        ...


class InMemoryBackend:
    """One process's limiter state; thread-safe."""

    def __init__(self) -> None:
        self._blocks: dict[str, datetime] = {}
        self._in_flight: dict[str, int] = {}
        self._changed = threading.Condition()

    def blocked_until(self, identity: str) -> datetime | None:
        with self._changed:
            return self._blocks.get(identity)

    def block(self, identity: str, until: datetime) -> None:
        with self._changed:
            current = self._blocks.get(identity)
            if current is None or until > current:
                self._blocks[identity] = until

    def acquire(self, identity: str, limit: int, timeout: float | None) -> bool:
        with self._changed:
            ok = self._changed.wait_for(lambda: self._in_flight.get(identity, 0) < limit, timeout)
            if ok:
                self._in_flight[identity] = self._in_flight.get(identity, 0) + 1
            return ok

    def release(self, identity: str) -> None:
        with self._changed:
            self._in_flight[identity] = max(0, self._in_flight.get(identity, 0) - 1)
            self._changed.notify_all()


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """Knobs; the defaults follow BEHAVIOUR.md §1.3 (the 30 s / 5 min fallback is our choice)."""

    max_in_flight: int = 4  # concurrent requests per identity
    slot_timeout: float | None = 600.0  # seconds to wait for a slot before giving up
    low_remaining: float = 0.2  # start slowing down below this share of X-RateLimit-Limit
    max_pause: float = 5.0  # pause between requests when X-RateLimit-Remaining reaches 0
    throttled_first_wait: float = 30.0  # a 429 without Retry-After: 30 s, doubling per attempt ...
    throttled_max_wait: float = 300.0  # ... up to 5 minutes


class SlotTimeout(RetriableError):
    """No request slot for this identity came free in time (a stuck worker or a too-small limit)."""


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date), None if absent/bad."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _float(headers: Mapping[str, str], name: str) -> float | None:
    try:
        return float(headers[name])
    except (KeyError, ValueError):
        return None


class RateLimiter:
    """Paces requests per identity over a :class:`LimiterBackend`; ``clock`` and ``sleep`` are injected so
    tests can prove that nothing is sent before a ``Retry-After`` has elapsed."""

    def __init__(
        self,
        backend: LimiterBackend | None = None,
        policy: LimitPolicy | None = None,
        *,
        clock: Clock = utcnow,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.backend = backend or InMemoryBackend()
        self.policy = policy or LimitPolicy()
        self._clock = clock
        self._sleep = sleep

    @contextmanager
    def slot(self, identity: str) -> Iterator[None]:
        """Hold one in-flight slot of ``identity`` and wait out any block before yielding."""
        if not self.backend.acquire(identity, self.policy.max_in_flight, self.policy.slot_timeout):
            raise SlotTimeout(
                f"No request slot for {identity} came free within {self.policy.slot_timeout} s: other "
                "requests of this identity are stuck or the concurrency limit is too small; try again later."
            )
        try:
            self.wait(identity)
            yield
        finally:
            self.backend.release(identity)

    def wait(self, identity: str) -> None:
        """Sleep until the identity's block has passed; re-read it, as another worker may extend it."""
        while True:
            until = self.backend.blocked_until(identity)
            if until is None:
                return
            remaining = (until - self._clock()).total_seconds()
            if remaining <= 0:
                return
            self._sleep(remaining)

    def observe(self, identity: str, status: int, headers: Mapping[str, str], attempt: int = 1) -> float:
        """Learn from a response's headers; returns the pause imposed before the next request (seconds).

        ``Retry-After`` is honoured on any status; a 429 without it waits 30 s doubling per ``attempt``;
        ``X-RateLimit-Delay`` and a low ``X-RateLimit-Remaining`` add a pause that grows as the budget
        shrinks, so ADO does not have to block us."""
        now = self._clock()
        pause = parse_retry_after(headers.get("retry-after"), now)
        if pause is None and status == 429:
            p = self.policy
            pause = min(p.throttled_max_wait, p.throttled_first_wait * 2 ** max(0, attempt - 1))
        pause = max(pause or 0.0, self._slow_down(headers))
        if pause > 0:
            self.backend.block(identity, now + timedelta(seconds=pause))
        return pause

    def _slow_down(self, headers: Mapping[str, str]) -> float:
        delay = _float(headers, "x-ratelimit-delay") or 0.0
        limit = _float(headers, "x-ratelimit-limit")
        remaining = _float(headers, "x-ratelimit-remaining")
        if not limit or remaining is None or limit <= 0:
            return max(0.0, delay)
        share = max(0.0, remaining) / limit
        low = self.policy.low_remaining
        budget_pause = self.policy.max_pause * (1 - share / low) if share < low else 0.0
        return max(0.0, delay, budget_pause)
