"""The request log: counters that tests and benchmarks assert on, plus a bounded window of recent calls.

Counters are keyed by endpoint, status, identity and fault kind (all bounded sets), and only the last
``max_recent`` entries are kept, so memory stays flat over millions of requests.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from .registry import Endpoint


@dataclass(slots=True)
class LogEntry:
    method: str
    path: str
    query: str
    endpoint: str
    content: bool
    at: float  # wall-clock epoch seconds at arrival
    status: int = 0
    identity_id: str | None = None
    fault: str | None = None
    violation: bool = False
    delay: float = 0.0  # seconds the throttle held the request
    duration_ms: float = 0.0
    t0: float = 0.0  # monotonic arrival, for the duration

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__ if name != "t0"}


class RequestLog:
    def __init__(self, max_recent: int = 1000) -> None:
        self.max_recent = max_recent
        self.clear()

    def clear(self) -> None:
        self.total = 0
        self.content_calls = 0
        self.violations = 0
        self.by_endpoint: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.by_identity: Counter[str] = Counter()
        self.by_fault: Counter[str] = Counter()
        self.content_by_endpoint: Counter[str] = Counter()
        self.recent: deque[LogEntry] = deque(maxlen=self.max_recent)
        self.recent_violations: deque[LogEntry] = deque(maxlen=self.max_recent)

    def start(self, request: Request, ep: Endpoint) -> LogEntry:
        url, now = request.url, time.time()
        entry = LogEntry(request.method, url.path, url.query, ep.name, ep.content, now, t0=time.monotonic())
        self.total += 1
        self.by_endpoint[ep.name] += 1
        self.recent.append(entry)
        return entry

    def violation(self, entry: LogEntry) -> None:
        """The caller sent this request before its last Retry-After had elapsed."""
        entry.violation = True
        self.violations += 1
        self.recent_violations.append(entry)

    def finish(self, entry: LogEntry, status: int, fault: str | None = None) -> None:
        entry.status = status
        entry.duration_ms = round((time.monotonic() - entry.t0) * 1000, 3)
        self.by_status[status] += 1
        if entry.content:  # a deny-listed route, or a handler that flagged its request as content
            self.content_calls += 1
            self.content_by_endpoint[entry.endpoint] += 1
        if entry.identity_id:
            self.by_identity[entry.identity_id] += 1
        if fault:
            entry.fault = fault
            for kind in fault.split(","):
                self.by_fault[kind] += 1

    @property
    def entries(self) -> deque[LogEntry]:
        """The recent entries, oldest first (a live view: in-flight requests have status 0)."""
        return self.recent

    def count(self, endpoint: str) -> int:
        return self.by_endpoint[endpoint]

    def snapshot(self, limit: int | None = None) -> dict[str, Any]:
        recent = list(self.recent)
        if limit is not None:
            recent = recent[-limit:] if limit > 0 else []
        return {
            "total": self.total,
            "by_endpoint": dict(self.by_endpoint),
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "by_identity": dict(self.by_identity),
            "by_fault": dict(self.by_fault),
            "content_calls": self.content_calls,
            "content_by_endpoint": dict(self.content_by_endpoint),
            "violations": self.violations,
            "recent_violations": [e.to_json() for e in self.recent_violations],
            "recent": [e.to_json() for e in recent],
        }
