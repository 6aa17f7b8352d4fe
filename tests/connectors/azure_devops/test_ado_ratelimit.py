"""Retry-After is honoured exactly, the client slows down before ADO blocks it, concurrency is bounded."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta

import httpx
import pytest
from ado_fakes import FakeTime, ado_error, ado_json, make_client

from adometrics.connectors.azure_devops.errors import ThrottledError
from adometrics.connectors.azure_devops.ratelimit import (
    InMemoryBackend,
    LimitPolicy,
    RateLimiter,
    SlotTimeout,
    parse_retry_after,
)

BLOCKED = "TF400733: The request has been canceled: Request was blocked due to exceeding usage."
OK = {"count": 0, "value": []}


def _timed(fake_time: FakeTime, answers: list[httpx.Response]):
    """A handler answering in order and noting the fake time of each request."""
    times = []

    def answer(request: httpx.Request) -> httpx.Response:
        times.append(fake_time.now)
        return answers.pop(0)

    return answer, times


def test_429_waits_exactly_retry_after_then_retries(fake_time: FakeTime) -> None:
    answer, times = _timed(fake_time, [
        ado_error(429, "RequestBlockedException", BLOCKED, {"Retry-After": "7"}),
        ado_json(OK),
    ])
    client, _ = make_client(answer, fake_time=fake_time)
    assert client.get("core.projects.list") == OK
    assert (times[1] - times[0]).total_seconds() == 7
    assert fake_time.sleeps == [7.0]
    assert client.api_calls["core.projects.list"] == 2


def test_no_request_is_sent_before_retry_after_even_a_different_one(fake_time: FakeTime) -> None:
    answer, times = _timed(fake_time, [
        ado_json(OK, headers={"Retry-After": "12"}),  # delayed, still 200 (BEHAVIOUR.md §1.3)
        ado_json(OK),
    ])
    client, _ = make_client(answer, fake_time=fake_time)
    client.get("core.projects.list")
    client.get("git.repositories.list", project="p")
    assert (times[1] - times[0]).total_seconds() >= 12


def test_retry_after_as_an_http_date(fake_time: FakeTime) -> None:
    when = fake_time.now + timedelta(seconds=90)
    value = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(value, fake_time.now) == 90
    assert parse_retry_after("soon", fake_time.now) is None
    assert parse_retry_after("-5", fake_time.now) == 0


def test_429_without_retry_after_backs_off_from_30_seconds(fake_time: FakeTime) -> None:
    answer, _ = _timed(fake_time, [
        ado_error(429, "RequestBlockedException", BLOCKED),
        ado_error(429, "RequestBlockedException", BLOCKED),
        ado_json(OK),
    ])
    client, _ = make_client(answer, fake_time=fake_time)
    client.get("core.projects.list")
    assert fake_time.sleeps == [30.0, 60.0]


def test_throttling_that_never_ends_surfaces_as_retriable(fake_time: FakeTime) -> None:
    blocked = ado_error(429, "RequestBlockedException", BLOCKED, {"Retry-After": "5"})
    client, recorder = make_client(lambda r: blocked, fake_time=fake_time)
    with pytest.raises(ThrottledError) as caught:
        client.get("core.projects.list")
    assert caught.value.retry_after == 5
    assert caught.value.tf_code == "TF400733"
    assert len(recorder.requests) == 3


def test_low_remaining_budget_slows_down(fake_time: FakeTime) -> None:
    low = {"X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "10", "X-RateLimit-Resource": "Core"}
    plenty = {"X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "150"}
    answer, times = _timed(fake_time, [ado_json(OK, headers=plenty), ado_json(OK, headers=low),
                                       ado_json(OK), ado_json(OK)])
    client, _ = make_client(answer, fake_time=fake_time, policy=LimitPolicy(low_remaining=0.2, max_pause=4.0))
    for _ in range(4):
        client.get("core.projects.list")
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert gaps == [0, 3.0, 0]  # 10/200 = 5 % of the budget: 4 s × (1 − 5/20)


def test_rate_limit_delay_header_slows_down(fake_time: FakeTime) -> None:
    answer, times = _timed(fake_time, [ado_json(OK, headers={"X-RateLimit-Delay": "1.5"}), ado_json(OK)])
    client, _ = make_client(answer, fake_time=fake_time)
    client.get("core.projects.list")
    client.get("core.projects.list")
    assert (times[1] - times[0]).total_seconds() == 1.5


def test_a_block_is_never_shortened(fake_time: FakeTime) -> None:
    backend = InMemoryBackend()
    later = fake_time.now + timedelta(seconds=60)
    backend.block("me", later)
    backend.block("me", fake_time.now + timedelta(seconds=5))
    assert backend.blocked_until("me") == later
    assert backend.blocked_until("someone-else") is None


def test_limiter_state_is_shared_through_the_backend(fake_time: FakeTime) -> None:
    """Two workers (two limiters) over one backend: a block one learns, the other honours."""
    backend = InMemoryBackend()
    first = RateLimiter(backend, clock=fake_time.clock, sleep=fake_time.sleep)
    second = RateLimiter(backend, clock=fake_time.clock, sleep=fake_time.sleep)
    first.observe("me", 429, {"retry-after": "20"})
    second.wait("me")
    assert fake_time.sleeps == [20.0]


def test_concurrency_per_identity_is_bounded() -> None:
    lock = threading.Lock()
    in_flight = 0
    peak = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.03)
        with lock:
            in_flight -= 1
        return ado_json(OK)

    client, recorder = make_client(answer, policy=LimitPolicy(max_in_flight=2))
    threads = [threading.Thread(target=client.get, args=("core.projects.list",)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(recorder.requests) == 8
    assert peak == 2


def test_slot_wait_has_a_timeout() -> None:
    limiter = RateLimiter(policy=LimitPolicy(max_in_flight=1, slot_timeout=0.01))
    with limiter.slot("me"), pytest.raises(SlotTimeout), limiter.slot("me"):
        pass
    with limiter.slot("me"):  # the slot was given back
        pass
