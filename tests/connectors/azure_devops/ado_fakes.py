"""Test doubles for the ADO client: a fake clock whose sleep advances it, ADO-shaped responses, and an
AdoClient over an httpx.MockTransport. (A uniquely named module, so it never clashes with other conftests.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from adometrics.connectors.azure_devops.auth import PatAuth
from adometrics.connectors.azure_devops.client import AdoClient
from adometrics.connectors.azure_devops.ratelimit import LimitPolicy, RateLimiter

ORG_URL = "https://dev.azure.com/fabrikam"
PAT = "s3cr3t-pat"


class FakeTime:
    """``clock`` and ``sleep`` for the limiter: sleeping only moves the fake clock forward."""

    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
        self.sleeps: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)

    def elapsed(self, since: datetime) -> float:
        return (self.now - since).total_seconds()


def ado_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=data, headers=headers)


def ado_error(status: int, type_key: str, message: str,
              headers: dict[str, str] | None = None) -> httpx.Response:
    """ADO's error body (BEHAVIOUR.md §2.1)."""
    body = {"$id": "1", "innerException": None, "message": message,
            "typeName": f"Microsoft.TeamFoundation.{type_key}, Microsoft.TeamFoundation",
            "typeKey": type_key, "errorCode": 0, "eventId": 3000}
    return httpx.Response(status, json=body, headers=headers)


class Recorder:
    """A MockTransport handler that records requests and answers from a function or a queue."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | list[httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if callable(self._answer):
            return self._answer(request)
        return self._answer.pop(0)

    @property
    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def make_client(
    answer: Callable[[httpx.Request], httpx.Response] | list[httpx.Response] | Recorder,
    *,
    org_url: str = ORG_URL,
    allowed_hosts: tuple[str, ...] = (),
    fake_time: FakeTime | None = None,
    policy: LimitPolicy | None = None,
    auth: httpx.Auth | None = None,
    **kwargs: Any,
) -> tuple[AdoClient, Recorder]:
    recorder = answer if isinstance(answer, Recorder) else Recorder(answer)
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    if fake_time is not None:
        limiter = RateLimiter(policy=policy, clock=fake_time.clock, sleep=fake_time.sleep)
    else:
        limiter = RateLimiter(policy=policy)
    client = AdoClient(org_url, http, auth or PatAuth(PAT), allowed_hosts=allowed_hosts, limiter=limiter,
                       **kwargs)
    return client, recorder
