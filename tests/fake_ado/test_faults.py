"""Faults on demand: each kind, the Nth/rate/count triggers, matching, and a real dropped connection."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from starlette.testclient import TestClient

from adometrics.fake_ado.faults import ConnectionDropped, FaultInjector, FaultRule
from adometrics.fake_ado.server import running
from adometrics.fake_ado.state import Simulator, SimulatorConfig

V = {"api-version": "7.1"}
CODE = "/fabrikam/_apis/probe/code"
BUILDS = "/fabrikam/_apis/probe/builds"


def basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f":{token}".encode()).decode()}


def get(client, sim, path: str = CODE):
    return client.get(path, params=V, headers=basic(sim.pat))


def add(client, **rule) -> dict:
    response = client.post("/_control/faults", json=rule)
    assert response.status_code == 200, response.text
    return response.json()


def test_status_fault_by_endpoint_glob(probe_client, probe_sim):
    add(probe_client, kind="status", endpoint="probe.co*", status=500)
    failed = get(probe_client, probe_sim)
    assert failed.status_code == 500
    body = failed.json()
    assert body["message"].startswith("TF400898: An Internal Error Occurred. Activity Id: ")
    assert set(body) >= {"$id", "typeKey", "typeName", "errorCode", "eventId"}
    assert get(probe_client, probe_sim, BUILDS).status_code == 200
    assert probe_sim.log.by_fault == {"status": 1}
    assert probe_sim.log.entries[-2].fault == "status"


def test_status_fault_by_path_and_method(probe_client, probe_sim):
    add(probe_client, kind="status", path=r"/probe/(code|echo)$", method="POST", status=503, message="busy")
    assert get(probe_client, probe_sim).status_code == 200  # GET does not match
    posted = probe_client.post("/fabrikam/_apis/probe/echo", params=V, headers=basic(probe_sim.pat), json={})
    assert posted.status_code == 503 and posted.json()["message"] == "busy"


def test_nth_trigger_with_a_count(probe_client, probe_sim):
    add(probe_client, kind="status", endpoint="probe.code", nth=3, count=1)
    assert [get(probe_client, probe_sim).status_code for _ in range(5)] == [200, 200, 500, 200, 200]


def test_nth_without_count_fires_from_then_on_and_count_caps(probe_client, probe_sim):
    add(probe_client, kind="status", endpoint="probe.code", nth=2)
    add(probe_client, kind="status", endpoint="probe.builds", status=503, count=2)
    assert [get(probe_client, probe_sim).status_code for _ in range(4)] == [200, 500, 500, 500]
    assert [get(probe_client, probe_sim, BUILDS).status_code for _ in range(4)] == [503, 503, 200, 200]
    rules = probe_client.get("/_control/faults").json()["rules"]
    assert [(r["matched"], r["fired"]) for r in rules] == [(4, 3), (2, 2)]


def _rate_pattern(seed: int, app_factory) -> list[int]:
    sim = Simulator(SimulatorConfig(scenario="tiny", seed=seed))
    sim.faults.add({"kind": "status", "endpoint": "probe.code", "rate": 0.5})
    with TestClient(app_factory(sim)) as client:
        return [get(client, sim).status_code for _ in range(60)]


def test_rate_trigger_is_seeded_and_deterministic(probe_app):
    first = _rate_pattern(7, probe_app)
    assert first == _rate_pattern(7, probe_app)
    assert 15 <= first.count(500) <= 45
    assert first != _rate_pattern(8, probe_app)


def test_rate_sequence_does_not_depend_on_other_rules_draws():
    def fires(extra: bool) -> list[bool]:
        faults = FaultInjector(seed=3)
        rule = faults.add(FaultRule(kind="status", rate=0.3))
        other = faults.add(FaultRule(kind="latency", rate=0.5))
        result = []
        for _ in range(50):
            if extra:
                other.trigger()
            result.append(rule.trigger())
        return result

    assert fires(False) == fires(True)
    assert 5 <= fires(False).count(True) <= 25


def test_throttle_fault_is_a_429_storm_with_violations(probe_client, probe_sim):
    add(probe_client, kind="throttle", endpoint="probe.code", retry_after=30, count=2)
    first = get(probe_client, probe_sim)
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "30"
    assert first.json()["message"].startswith("TF400733: The request has been canceled: Request was blocked")
    assert first.json()["typeKey"] == "RequestBlockedException"
    assert probe_sim.log.violations == 0
    time.sleep(probe_sim.throttle.in_flight_allowance)  # not merely in flight with the first
    second = get(probe_client, probe_sim)  # sent before the 30 s elapsed
    assert second.status_code == 429
    assert probe_sim.log.violations == 1
    assert get(probe_client, probe_sim, BUILDS).status_code == 200  # same identity, still too early
    assert probe_sim.log.violations == 2


def test_latency_rule_and_global_latency(probe_client, probe_sim):
    add(probe_client, kind="latency", endpoint="probe.code", latency_ms=120)
    start = time.perf_counter()
    assert get(probe_client, probe_sim).status_code == 200
    assert time.perf_counter() - start >= 0.11
    start = time.perf_counter()
    get(probe_client, probe_sim, BUILDS)
    assert time.perf_counter() - start < 0.1
    assert probe_client.post("/_control/faults", json={"latency_ms": 60}).json()["latency_ms"] == 60
    start = time.perf_counter()
    get(probe_client, probe_sim, BUILDS)
    assert time.perf_counter() - start >= 0.055


def test_truncated_json(probe_client, probe_sim):
    whole = get(probe_client, probe_sim).content
    add(probe_client, kind="truncated", endpoint="probe.code")
    cut = get(probe_client, probe_sim)
    assert cut.status_code == 200
    assert cut.content == whole[: len(whole) // 2]
    assert int(cut.headers["content-length"]) == len(cut.content)
    with pytest.raises(ValueError):
        json.loads(cut.content)


def test_malformed_json(probe_client, probe_sim):
    add(probe_client, kind="malformed", endpoint="probe.code")
    bad = get(probe_client, probe_sim)
    assert bad.status_code == 200 and bad.headers["content-type"].startswith("application/json")
    with pytest.raises(ValueError):
        json.loads(bad.content)


def test_missing_and_null_fields_in_value_records(probe_client, probe_sim):
    add(probe_client, kind="missing_field", endpoint="probe.code", field="name")
    add(probe_client, kind="null_field", endpoint="probe.builds", field="createdBy.id")
    records = get(probe_client, probe_sim).json()["value"]
    assert records and all("name" not in r and "id" in r for r in records)
    records = get(probe_client, probe_sim, BUILDS).json()["value"]
    assert records and all(r["createdBy"]["id"] is None and r["createdBy"]["displayName"] for r in records)


def test_drop_in_process_raises_the_transport_error_httpx_gives(probe_client, probe_sim):
    add(probe_client, kind="drop", endpoint="probe.code", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        get(probe_client, probe_sim)
    assert issubclass(ConnectionDropped, httpx.RemoteProtocolError)
    assert get(probe_client, probe_sim).status_code == 200
    assert probe_sim.log.by_fault == {"drop": 1}


def test_drop_and_timeout_over_real_uvicorn(probe_app):
    sim = Simulator(SimulatorConfig(scenario="tiny"))
    sim.faults.add({"kind": "drop", "endpoint": "probe.code", "count": 1})
    sim.faults.add({"kind": "timeout", "endpoint": "probe.builds", "seconds": 0.5, "count": 1})
    with running(sim=sim, app=probe_app(sim)) as server, httpx.Client(base_url=server.base_url) as client:
        headers = basic(server.pat)
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(CODE, params=V, headers=headers)
        assert client.get(CODE, params=V, headers=headers).status_code == 200  # the server lives on
        with pytest.raises(httpx.ReadTimeout):
            client.get(BUILDS, params=V, headers=headers, timeout=0.15)
        assert client.get(BUILDS, params=V, headers=headers).status_code == 200


def test_bad_rules_are_refused_and_rules_can_be_removed(probe_client, probe_sim):
    for rule in ({"kind": "explode"}, {"kind": "missing_field"}, {"kind": "status", "rate": 2},
                 {"kind": "status", "colour": "red"}, {"kind": "status", "path": "("}):
        assert probe_client.post("/_control/faults", json=rule).status_code == 400, rule
    first = add(probe_client, kind="status", endpoint="probe.code")
    add(probe_client, kind="status", endpoint="probe.builds")
    assert probe_client.delete(f"/_control/faults/{first['id']}").status_code == 200
    assert probe_client.delete(f"/_control/faults/{first['id']}").status_code == 404
    assert get(probe_client, probe_sim).status_code == 200
    assert get(probe_client, probe_sim, BUILDS).status_code == 500
    assert probe_client.delete("/_control/faults").json() == {"latency_ms": 0.0, "rules": []}
    assert get(probe_client, probe_sim, BUILDS).status_code == 200


def test_faults_apply_before_authentication(probe_client):
    add(probe_client, kind="status", endpoint="probe.code", status=503)
    assert probe_client.get(CODE, params=V).status_code == 503  # no credential, still the fault
