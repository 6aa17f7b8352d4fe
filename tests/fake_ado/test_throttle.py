"""TSTU-style throttling: headers, delays, 429 + TF400733, Retry-After violations (BEHAVIOUR.md §1)."""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from adometrics.fake_ado.throttle import BUCKETS, IN_FLIGHT_ALLOWANCE, Throttle, ThrottleConfig

V = {"api-version": "7.1"}
CODE = "/fabrikam/_apis/probe/code"
WALL0 = 1_700_000_000.0


def basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f":{token}".encode()).decode()}


class FakeClock:
    """Monotonic + wall clock + sleep that only records, so tests run instantly."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.t

    def wall(self) -> float:
        return WALL0 + self.t - 1000.0

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def clock(probe_sim) -> FakeClock:
    fake = FakeClock()
    cfg = ThrottleConfig(limit=5, window_seconds=10, delay_seconds=0.1, block_threshold=8)
    probe_sim.throttle = Throttle(cfg, clock=fake, wall=fake.wall, sleep=fake.sleep)
    return fake


def call(client, sim, path: str = CODE, token: str | None = None):
    return client.get(path, params=V, headers=basic(token or sim.pat))


def test_off_by_default_no_headers(probe_client, probe_sim):
    response = call(probe_client, probe_sim)
    assert response.status_code == 200
    assert not [h for h in response.headers if h.lower().startswith("x-ratelimit")]


def test_headers_on_every_response_while_enabled(probe_client, probe_sim, clock):
    remaining = []
    for _ in range(3):
        response = call(probe_client, probe_sim)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Resource"]
        assert response.headers["X-RateLimit-Limit"] == "5"
        assert int(response.headers["X-RateLimit-Reset"]) == int(WALL0 + 10)
        assert "X-RateLimit-Delay" not in response.headers
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["4", "3", "2"]
    # even a refused credential and a control-less anonymous route carry them
    assert "X-RateLimit-Limit" in probe_client.get(CODE, params=V, headers=basic("bad")).headers
    assert "X-RateLimit-Limit" in probe_client.get("/fabrikam/_apis/probe/anonymous", params=V).headers


def test_over_the_limit_requests_are_delayed_then_blocked(probe_client, probe_sim, clock):
    for _ in range(5):
        assert call(probe_client, probe_sim).status_code == 200
    assert clock.slept == []
    delayed = call(probe_client, probe_sim)  # usage 6 > 5: one TSTU over
    assert delayed.status_code == 200
    assert delayed.headers["X-RateLimit-Delay"] == "0.100"
    assert delayed.headers["X-RateLimit-Remaining"] == "0"
    assert int(delayed.headers["Retry-After"]) >= 1
    assert clock.slept == [0.1]
    clock.t += 20  # honour Retry-After: no violation; the window has emptied meanwhile
    assert call(probe_client, probe_sim).headers["X-RateLimit-Remaining"] == "4"
    assert probe_sim.log.violations == 0


def test_sending_before_a_delayed_responses_retry_after_is_a_violation(probe_client, probe_sim, clock):
    for _ in range(6):
        response = call(probe_client, probe_sim)
    assert "X-RateLimit-Delay" in response.headers
    clock.t += IN_FLIGHT_ALLOWANCE  # no longer a request already on its way
    call(probe_client, probe_sim)
    assert probe_sim.log.violations == 1
    assert [e.violation for e in probe_sim.log.entries] == [False] * 6 + [True]


def no_retry_after_on_delay(sim) -> None:
    sim.throttle.configure(replace(sim.throttle.config, retry_after_on_delay=False))


def test_blocked_with_429_tf400733_and_violations_counted(probe_client, probe_sim, clock):
    no_retry_after_on_delay(probe_sim)
    for _ in range(8):
        clock.t += 0.5
        call(probe_client, probe_sim)
    blocked = call(probe_client, probe_sim)  # 9 > block threshold 8
    assert blocked.status_code == 429
    body = blocked.json()
    assert body["typeKey"] == "RequestBlockedException"
    assert body["message"].startswith(
        "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource '"
    )
    assert "' in namespace '" in body["message"]
    retry = int(blocked.headers["Retry-After"])
    assert retry == 8  # until the 4 oldest charges leave the window, so the next call fits the limit
    assert blocked.headers["X-RateLimit-Remaining"] == "0"
    assert probe_sim.log.violations == 0
    clock.t += IN_FLIGHT_ALLOWANCE
    call(probe_client, probe_sim)  # too early
    assert probe_sim.log.violations == 1
    assert probe_sim.log.entries[-1].violation is True
    clock.t += retry + 0.01
    after = call(probe_client, probe_sim)
    assert probe_sim.log.violations == 1
    assert after.status_code == 200
    assert after.headers["X-RateLimit-Remaining"] == "0"  # usage 5 of 5: at the limit, not delayed
    assert "X-RateLimit-Delay" not in after.headers


def test_each_identity_has_its_own_budget(probe_client, probe_sim, clock):
    no_retry_after_on_delay(probe_sim)
    other_user = next(
        u for u in probe_sim.world.users()
        if u.identity.id != probe_sim.auth.pats[probe_sim.pat].identity_id and u.status == "active"
    )
    other = probe_sim.auth.add_pat(None, other_user.identity.id, ["vso.code"])
    for _ in range(9):
        call(probe_client, probe_sim)
    clock.t += IN_FLIGHT_ALLOWANCE
    assert call(probe_client, probe_sim).status_code == 429
    response = call(probe_client, probe_sim, token=other.token)
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "4"
    assert probe_sim.log.violations == 1  # only the first identity sent too early


def test_costly_calls_charge_their_tstu(probe_client, probe_sim, clock):
    probe_sim.throttle.configure(ThrottleConfig(limit=50, window_seconds=10, block_threshold=None))
    response = probe_client.get("/fabrikam/_apis/probe/heavy", params=V, headers=basic(probe_sim.pat))
    assert response.headers["X-RateLimit-Remaining"] == "40"


def test_real_delay_is_slept():
    throttle = Throttle(ThrottleConfig(limit=1, window_seconds=60, delay_seconds=0.05, block_threshold=None))

    async def run() -> float:
        await throttle.charge("me", 1)
        start = time.perf_counter()
        decision = await throttle.charge("me", 1)
        assert decision.headers["X-RateLimit-Delay"] == "0.050"
        return time.perf_counter() - start

    assert asyncio.run(run()) >= 0.045


def test_delay_is_capped():
    fake = FakeClock()
    cfg = ThrottleConfig(limit=1, delay_seconds=1, max_delay_seconds=2.5, block_threshold=None)
    throttle = Throttle(cfg, clock=fake, wall=fake.wall, sleep=fake.sleep)
    for _ in range(10):
        asyncio.run(throttle.charge("me", 1))
    assert max(fake.slept) == 2.5


def test_memory_per_identity_stays_bounded():
    fake = FakeClock()
    cfg = ThrottleConfig(limit=1e9, window_seconds=10, block_threshold=None)
    throttle = Throttle(cfg, clock=fake, wall=fake.wall)

    async def many() -> None:
        for _ in range(20_000):
            fake.t += 0.003
            await throttle.charge("me", 1)

    asyncio.run(many())
    assert len(throttle._usage["me"].buckets) <= BUCKETS + 1
    assert throttle.usage("me") == pytest.approx(10 / 0.003, rel=0.02)


def test_runtime_configuration_through_control(probe_client, probe_sim):
    response = probe_client.put("/_control/throttle", json={"limit": 3, "window_seconds": 60})
    assert response.status_code == 200 and response.json()["enabled"] is True
    assert call(probe_client, probe_sim).headers["X-RateLimit-Limit"] == "3"
    state = probe_client.get("/_control/throttle").json()
    assert state["config"]["limit"] == 3
    assert list(state["usage"].values()) == [1.0]
    assert probe_client.put("/_control/throttle", json={"limit": "x", "bogus": 1}).status_code == 400
    assert probe_client.put("/_control/throttle", json={"enabled": False}).json()["enabled"] is False
    assert "X-RateLimit-Limit" not in call(probe_client, probe_sim).headers


def test_throttled_server_over_the_test_client_is_consistent(probe_app):
    from adometrics.fake_ado.state import Simulator, SimulatorConfig

    sim = Simulator(SimulatorConfig(scenario="tiny", throttle=ThrottleConfig(limit=2, block_threshold=2)))
    with TestClient(probe_app(sim)) as client:
        statuses = [call(client, sim).status_code for _ in range(3)]
        time.sleep(IN_FLIGHT_ALLOWANCE)
        statuses.append(call(client, sim).status_code)
    assert statuses == [200, 200, 429, 429]
    assert sim.log.violations == 1  # the 4th came before the 3rd's Retry-After


def test_requests_already_in_flight_when_a_429_is_answered_are_not_violations(probe_client, probe_sim, clock):
    no_retry_after_on_delay(probe_sim)
    for _ in range(9):
        call(probe_client, probe_sim)
    assert call(probe_client, probe_sim).status_code == 429  # arrives with the 429: sent before it was read
    assert probe_sim.log.violations == 0
    clock.t += IN_FLIGHT_ALLOWANCE
    call(probe_client, probe_sim)  # sent after the client could have read it
    assert probe_sim.log.violations == 1
