"""Faults on demand: rules that make chosen requests slow, fail, get throttled, drop or return bad JSON.

A rule matches by endpoint name (fnmatch glob), URL path (regex) and method, and fires on every match, on
the Nth match onwards, or at a seeded random rate (deterministic per seed and rule id), at most ``count``
times. Every matching rule counts its matches independently; latency and timeout rules all apply, of the
others the first that fires decides the outcome.
"""

from __future__ import annotations

import asyncio
import dataclasses
import fnmatch
import json
import random
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .registry import Endpoint
from .throttle import blocked_response
from .wire import error_response

DELAYS = ("latency", "timeout")
BEFORE = ("status", "throttle")
AFTER = ("drop", "truncate", "malformed", "missing_field", "null_field")
KINDS = DELAYS + BEFORE + AFTER
_ALIASES = {"truncated": "truncate", "missing": "missing_field", "null": "null_field", "error": "status"}


@dataclass(slots=True)
class FaultRule:
    kind: str
    endpoint: str | None = None  # glob over Endpoint.name, e.g. "git.pullrequests.*"
    path: str | None = None  # regex searched in the URL path
    method: str | None = None
    rate: float | None = None  # probability per match (seeded)
    nth: int | None = None  # fire from the Nth match on
    count: int | None = None  # fire at most this many times
    latency_ms: float = 0.0
    seconds: float = 30.0  # timeout: how long to hold the request
    status: int = 500
    retry_after: int = 10
    field: str | None = None  # missing_field / null_field: a record field, dotted for nested ones
    message: str | None = None
    type_key: str | None = None
    id: int = 0
    matched: int = 0
    fired: int = 0
    _pattern: re.Pattern[str] | None = dataclasses.field(default=None, repr=False)
    _rng: random.Random | None = dataclasses.field(default=None, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        public = {n for n in cls.__dataclass_fields__ if not n.startswith("_")} - {"id", "matched", "fired"}
        unknown = set(data) - public
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        rule = cls(**data)
        rule.kind = _ALIASES.get(rule.kind, rule.kind)
        rule.validate()
        return rule

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(KINDS)}")
        if self.kind in ("missing_field", "null_field") and not self.field:
            raise ValueError(f"a {self.kind} fault needs 'field'")
        if self.rate is not None and not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must lie between 0 and 1")
        if self.nth is not None and self.nth < 1:
            raise ValueError("nth counts from 1")
        try:
            self._pattern = re.compile(self.path) if self.path else None
        except re.error as exc:
            raise ValueError(f"bad path pattern: {exc}") from None

    def to_json(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in self.__dataclass_fields__ if not n.startswith("_")}

    def matches(self, ep: Endpoint, request: Request) -> bool:
        if self.method and self.method.upper() != request.method:
            return False
        if self.endpoint and not fnmatch.fnmatchcase(ep.name, self.endpoint):
            return False
        return not (self._pattern and not self._pattern.search(request.url.path))

    def trigger(self) -> bool:
        """Count a match and say whether the rule fires on it."""
        if self.count is not None and self.fired >= self.count:
            return False
        self.matched += 1
        if self.nth is not None and self.matched < self.nth:
            return False
        if self.rate is not None and self._rng is not None and self._rng.random() >= self.rate:
            return False
        self.fired += 1
        return True


class FaultInjector:
    """The rules of one simulator plus a global latency (for benchmarks)."""

    def __init__(
        self,
        seed: int = 1,
        latency_ms: float = 0.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self.seed = seed
        self.latency_ms = latency_ms
        self.sleep = sleep
        self.rules: list[FaultRule] = []
        self._next_id = 1

    def add(self, rule: FaultRule | dict[str, Any]) -> FaultRule:
        if isinstance(rule, dict):
            rule = FaultRule.from_json(rule)
        else:
            rule.kind = _ALIASES.get(rule.kind, rule.kind)
            rule.validate()
        rule.id = self._next_id
        self._next_id += 1
        rule._rng = random.Random(f"{self.seed}:{rule.id}")
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) < before

    def clear(self) -> None:
        self.rules.clear()

    def to_json(self) -> dict[str, Any]:
        return {"latency_ms": self.latency_ms, "rules": [r.to_json() for r in self.rules]}

    async def before(self, ep: Endpoint, request: Request) -> Fired | None:
        """Apply the global latency and every firing delay; return what else fired, if anything."""
        if self.latency_ms > 0:
            await self.sleep(self.latency_ms / 1000)
        fired = [rule for rule in list(self.rules) if rule.matches(ep, request) and rule.trigger()]
        if not fired:
            return None
        for rule in fired:
            if rule.kind == "latency":
                await self.sleep(rule.latency_ms / 1000)
            elif rule.kind == "timeout":
                await self.sleep(rule.seconds)
        decisive = next((r for r in fired if r.kind not in DELAYS), None)
        return Fired([r.kind for r in fired], decisive)


@dataclass(slots=True)
class Fired:
    """The faults that fired on one request; ``rule`` is the one that changes the response, if any."""

    kinds: list[str]
    rule: FaultRule | None

    @property
    def label(self) -> str:
        return ",".join(self.kinds)

    def response(self) -> Response | None:
        """A response that replaces the handler's (status and throttle faults)."""
        rule = self.rule
        if rule is None or rule.kind not in BEFORE:
            return None
        if rule.kind == "throttle":
            headers = {"X-RateLimit-Resource": "ATCPU", "X-RateLimit-Remaining": "0"}
            return blocked_response("ATCPU", "User", rule.retry_after, headers)
        message, type_key = _status_text(rule)
        return error_response(rule.status, type_key, message)

    def after(self, response: Response) -> Response:
        """Spoil the handler's response (drop, truncated/malformed JSON, missing/null fields)."""
        rule = self.rule
        body = getattr(response, "body", None)
        if rule is None or rule.kind not in AFTER or not isinstance(body, bytes):
            return response
        if rule.kind == "drop":
            return DropResponse(response)
        if rule.kind == "truncate":
            return _rebuilt(response, body[: len(body) // 2])
        if rule.kind == "malformed":
            return _rebuilt(response, body[:-1] + b",}" if body else b"{")
        return _rebuilt(response, _without_field(body, rule.field or "", rule.kind == "null_field"))


def _status_text(rule: FaultRule) -> tuple[str, str]:
    activity = uuid.UUID(int=rule._rng.getrandbits(128) if rule._rng else 0)
    if rule.status == 503:
        default = ("The service is temporarily unavailable. Try again later.", "ServiceUnavailableException")
    elif rule.status >= 500:
        default = ("TF400898: An Internal Error Occurred.", "VssServiceException")
    else:
        default = ("The request could not be processed.", "VssServiceException")
    message = rule.message or f"{default[0]} Activity Id: {activity}."
    return message, rule.type_key or default[1]


def _rebuilt(response: Response, body: bytes) -> Response:
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    return Response(body, status_code=response.status_code, headers=headers)


def _without_field(body: bytes, path: str, null: bool) -> bytes:
    """Remove (or null) ``path`` in each record of ``value`` (or ``items``/``members``, or the object)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    records: Any = data
    if isinstance(data, dict):
        lists = (data[k] for k in ("value", "items", "members") if isinstance(data.get(k), list))
        records = next(lists, [data])
    *parents, name = path.split(".")
    for record in records if isinstance(records, list) else []:
        target = record
        for part in parents:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict) and name in target:
            if null:
                target[name] = None
            else:
                del target[name]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised after half a response was sent. Over uvicorn the connection closes mid-body; in-process,
    Starlette's TestClient re-raises it, so callers see the error httpx gives for a dropped connection."""

    def __init__(self) -> None:
        super().__init__("peer closed connection without sending complete message body (simulated drop)")


class DropResponse(Response):
    """Announces the full Content-Length, sends half the body, then gives up on the connection."""

    def __init__(self, original: Response):
        self.status_code = original.status_code
        self.background = None
        self.body = bytes(original.body)
        self.raw_headers = [(k, v) for k, v in original.raw_headers if k != b"content-length"]
        self.raw_headers.append((b"content-length", str(len(self.body)).encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        half = self.body[: len(self.body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})
        raise ConnectionDropped()
