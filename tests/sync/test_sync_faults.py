"""Acceptance: a storm of 429s (with Retry-After), 5xx answers and dropped connections changes nothing in
the result, and no request is sent before a Retry-After has elapsed."""

from __future__ import annotations

import pytest
import stamina
from sync_support import connect, control, diff, snapshot, sync

from adometrics.store.engine import make_engine
from adometrics.store.migrate import upgrade

STORM = [
    {"kind": "throttle", "rate": 0.3, "retry_after": 0.05},  # Retry-After: 0.05 s keeps the test short
    {"kind": "status", "status": 503, "rate": 0.05},
    {"kind": "status", "status": 500, "rate": 0.02},
    {"kind": "drop", "rate": 0.03},
]


@pytest.fixture
def clean(keyring, tiny, tmp_path):
    """The database of a run without faults, and the organization's id."""
    engine = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    upgrade(engine)
    org = connect(engine, keyring, tiny).org
    assert sync(engine, keyring, org.id).completed
    yield engine, org.id
    engine.dispose()


def _stormy_sync(engine, keyring, srv, org_id: str, concurrency: int):
    connect(engine, keyring, srv)
    for rule in STORM:
        control(srv, "POST", "/faults", rule)
    srv.sim.log.clear()
    try:
        with stamina.set_testing(True, attempts=14):  # 0.4 ** 14: no call runs out of attempts
            return sync(engine, keyring, org_id, concurrency=concurrency)
    finally:
        control(srv, "DELETE", "/faults")


def test_fault_storm_gives_the_clean_result(db, keyring, tiny, clean):
    clean_db, org_id = clean
    report = _stormy_sync(db, keyring, tiny, org_id, concurrency=1)
    log = tiny.sim.log
    assert report.completed and report.skipped == [], report.error
    assert {"throttle", "status", "drop"} <= set(log.by_fault) and log.by_fault["throttle"] >= 30
    assert log.violations == 0, log.snapshot(0)["recent_violations"][:3]
    assert log.content_calls == 0
    assert diff(snapshot(db, keyring, org_id), snapshot(clean_db, keyring, org_id)) == {}


def test_fault_storm_with_parallel_detail_fetches(sqlite_db, keyring, tiny, clean):
    """With four requests in flight, every request sent after a 429 came back waits the full Retry-After
    (the simulator tells requests already on their way apart from ones sent too early)."""
    clean_db, org_id = clean
    report = _stormy_sync(sqlite_db, keyring, tiny, org_id, concurrency=4)
    log = tiny.sim.log
    assert report.completed and report.skipped == [], report.error
    assert log.violations == 0, log.snapshot(0)["recent_violations"][:3]
    assert diff(snapshot(sqlite_db, keyring, org_id), snapshot(clean_db, keyring, org_id)) == {}


def test_refused_environments_route_is_reported_and_the_rest_syncs(sqlite_db, keyring, tiny):
    org = connect(sqlite_db, keyring, tiny).org
    control(tiny, "POST", "/faults", {"kind": "status", "status": 401, "endpoint": "environments.*"})
    report = sync(sqlite_db, keyring, org.id)
    assert report.completed and "completed with 2 skipped" in report.summary()
    advice = {(s.entity, "config deployment-pipeline" in s.reason) for s in report.skipped}
    assert advice == {("environments", True)}
    assert report.entities["environment_deployments"] == 0
    assert report.entities["builds"] > 0 and report.entities["classic_deployments"] > 0
