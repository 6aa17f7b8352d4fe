"""Control endpoints (``/_control``) and the request log."""

from __future__ import annotations

import base64
import time
import tracemalloc
from datetime import datetime, timedelta

from starlette.requests import Request

from adometrics.fake_ado.registry import Endpoint
from adometrics.fake_ado.requestlog import RequestLog

V = {"api-version": "7.1"}
PROBE = "/fabrikam/_apis/probe"
SUPPRESS = {"X-TFS-FedAuthRedirect": "Suppress"}


def basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f":{token}".encode()).decode()}


def get(client, token: str, path: str = "/code", headers: dict[str, str] | None = None):
    return client.get(PROBE + path, params=V, headers={**basic(token), **(headers or {})})


def test_status_needs_no_credential_and_is_not_logged(probe_client, probe_sim):
    body = probe_client.get("/_control/").json()
    assert body["pat"] == probe_sim.pat
    assert body["organizationUrl"] == "http://testserver/fabrikam"
    assert body["scenario"] == "tiny"
    assert probe_sim.log.total == 0


def test_reset_restores_the_initial_state(probe_client, probe_sim):
    extra = probe_client.post("/_control/pats", json={"scopes": ["vso.code"]}).json()["token"]
    probe_client.post("/_control/faults", json={"kind": "status", "endpoint": "probe.builds"})
    probe_client.post("/_control/clock/advance", json={"hours": 5})
    before = probe_sim.world.now
    get(probe_client, probe_sim.pat)
    response = probe_client.post("/_control/reset")
    assert response.status_code == 200
    assert probe_sim.log.total == 0
    assert probe_sim.faults.rules == []
    assert probe_sim.world.now == before - timedelta(hours=5)
    assert get(probe_client, extra, headers=SUPPRESS).status_code == 401
    assert get(probe_client, probe_sim.pat, "/builds").status_code == 200
    assert response.json()["pat"] == probe_sim.pat


def test_seed_rebuilds_another_organization(probe_client, probe_sim):
    old_pat = probe_sim.pat
    seed = {"scenario": "tiny", "seed": 9, "organization": "contoso"}
    body = probe_client.post("/_control/seed", json=seed)
    assert body.status_code == 200, body.text
    assert body.json()["organization"] == "contoso" and body.json()["seed"] == 9
    assert probe_sim.world.organization == "contoso"
    assert probe_sim.pat != old_pat
    assert get(probe_client, old_pat, headers=SUPPRESS).status_code == 401
    assert probe_client.post("/_control/seed", json={"seed": "nine"}).status_code == 400
    assert probe_client.post("/_control/seed", json={"scenario": "no-such-scenario"}).status_code == 400
    assert probe_sim.world.organization == "contoso"  # a failed seed leaves the simulator as it was


def test_faults_listing(probe_client):
    assert probe_client.get("/_control/faults").json() == {"latency_ms": 0.0, "rules": []}
    rule = probe_client.post("/_control/faults", json={"kind": "latency", "latency_ms": 5}).json()
    assert rule["id"] == 1 and rule["kind"] == "latency"
    listed = probe_client.get("/_control/faults").json()["rules"]
    assert [r["id"] for r in listed] == [1]


def test_clock_and_advance(probe_client, probe_sim):
    clock = probe_client.get("/_control/clock").json()
    assert clock["now"].endswith("Z") and clock["historyStart"] < clock["now"]
    start = probe_sim.world.now
    result = probe_client.post("/_control/clock/advance", json={"days": 1, "hours": 2}).json()
    assert probe_sim.world.now == start + timedelta(days=1, hours=2)
    assert isinstance(result["events"], int) and result["events"] >= 0
    assert datetime.fromisoformat(result["now"].replace("Z", "+00:00")) == probe_sim.world.now
    for bad in ({}, {"weeks": 1}, {"hours": "x"}, {"hours": -1}):
        assert probe_client.post("/_control/clock/advance", json=bad).status_code == 400, bad


def test_advance_hands_events_to_the_hooks(probe_client, probe_sim):
    class Hooks:
        def __init__(self) -> None:
            self.published: list = []

        def publish(self, events) -> None:
            self.published.extend(events)

    probe_sim.hooks = Hooks()
    total = 0
    for _ in range(10):
        total += probe_client.post("/_control/clock/advance", json={"days": 3}).json()["events"]
    assert total > 0, "a month of simulated time should bring some activity"
    assert len(probe_sim.hooks.published) == total
    assert len({id(e) for e in probe_sim.hooks.published}) == total


def test_pats_issue_revoke_and_choose(probe_client, probe_sim):
    user = next(u for u in probe_sim.world.users() if u.status == "active")
    made = probe_client.post(
        "/_control/pats",
        json={"identity": user.identity.unique_name, "scopes": "vso.build vso.project",
              "token": "chosen-token"},
    ).json()
    assert made == {
        "token": "chosen-token",
        "identityId": user.identity.id,
        "scopes": ["vso.build", "vso.project"],
        "expires": None,
    }
    response = get(probe_client, "chosen-token", "/builds")
    assert response.status_code == 200 and response.json()["caller"] == user.identity.id
    assert get(probe_client, "chosen-token", "/code").status_code == 401
    assert probe_client.post("/_control/pats/chosen-token/revoke").status_code == 200
    assert get(probe_client, "chosen-token", "/builds").status_code == 203
    assert probe_client.post("/_control/pats/unknown/revoke").status_code == 404
    assert probe_client.post("/_control/pats", json={"identity": "nobody@nowhere"}).status_code == 404


def test_pat_defaults_and_expiry(probe_client, probe_sim):
    expires = (probe_sim.world.now + timedelta(days=1)).isoformat()
    made = probe_client.post("/_control/pats", json={"expires": expires}).json()
    assert made["identityId"] == probe_sim.auth.pats[probe_sim.pat].identity_id
    assert "vso.code" in made["scopes"] and len(made["scopes"]) == 6
    assert get(probe_client, made["token"]).status_code == 200
    probe_client.post("/_control/clock/advance", json={"days": 2})
    assert get(probe_client, made["token"]).status_code == 203


def test_users_disable_and_enable(probe_client, probe_sim):
    owner = probe_sim.auth.pats[probe_sim.pat].identity_id
    body = probe_client.post(f"/_control/users/{owner}/disable").json()
    assert body["status"] == "disabled"
    assert get(probe_client, probe_sim.pat).status_code == 203
    assert probe_client.post(f"/_control/users/{owner}/enable").json()["status"] == "active"
    assert get(probe_client, probe_sim.pat).status_code == 200
    assert probe_client.post("/_control/users/nobody/disable").status_code == 404


def test_request_log_counts(probe_client, probe_sim):
    for _ in range(3):
        get(probe_client, probe_sim.pat)
    get(probe_client, probe_sim.pat, "/content")
    get(probe_client, "bad-token")
    probe_client.post("/_control/faults", json={"kind": "throttle", "endpoint": "probe.builds", "count": 1})
    get(probe_client, probe_sim.pat, "/builds")
    time.sleep(probe_sim.throttle.in_flight_allowance)  # not merely in flight with the 429
    get(probe_client, probe_sim.pat, "/builds")  # before Retry-After: a violation
    log = probe_client.get("/_control/requests").json()
    assert log["total"] == 7
    assert log["by_endpoint"] == {"probe.code": 4, "probe.content": 1, "probe.builds": 2}
    assert log["by_status"] == {"200": 5, "203": 1, "429": 1}
    assert log["content_calls"] == 1 and log["content_by_endpoint"] == {"probe.content": 1}
    assert log["violations"] == 1 and len(log["recent_violations"]) == 1
    assert log["by_fault"] == {"throttle": 1}
    owner = probe_sim.auth.pats[probe_sim.pat].identity_id
    assert log["by_identity"] == {owner: 6}
    last = log["recent"][-1]
    assert last["endpoint"] == "probe.builds" and last["violation"] is True
    assert last["query"] == "api-version=7.1"
    assert len(probe_client.get("/_control/requests", params={"limit": 2}).json()["recent"]) == 2
    cleared = probe_client.delete("/_control/requests").json()
    assert cleared["total"] == 0 and cleared["recent"] == []
    assert probe_sim.log.total == 0


def test_request_log_memory_stays_flat():
    log = RequestLog(max_recent=100)
    ep = Endpoint("probe.x", "dev", "GET", "/x", handler=lambda r, c: {}, scopes=frozenset())
    request = Request({"type": "http", "method": "GET", "path": "/x", "query_string": b"", "headers": []})

    def burst(n: int) -> None:
        for _ in range(n):
            log.finish(log.start(request, ep), 200)

    burst(5_000)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    burst(50_000)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert grown < 200_000
    assert len(log.recent) == 100 and log.total == 55_000


def test_unknown_control_path_is_json_404(probe_client):
    response = probe_client.get("/_control/nothing-here")
    assert response.status_code == 404 and response.json()["typeKey"] == "HttpException"
