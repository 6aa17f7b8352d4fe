"""Acceptance: after simulated time moves on, an incremental sync fetches the new and changed items only,
and ends with what a fresh backfill at that moment stores."""

from __future__ import annotations

import re

from sqlalchemy import create_engine
from sync_support import client, connect, control, diff, snapshot, sync

from adometrics import domain as d
from adometrics.fake_ado.scenario import views
from adometrics.store import load
from adometrics.store.migrate import upgrade
from adometrics.sync import default_collectors
from adometrics.sync.collect import records_of
from adometrics.sync.run import SyncOptions

THREADS = re.compile(r"/pullRequests/(\d+)/threads$", re.IGNORECASE)


def _served_prs(srv, org_id: str) -> dict[int, d.PullRequest]:
    """The PRs the simulator serves now, parsed as the sync sees them (fingerprints included)."""
    c, found = client(srv.organization_url, srv.pat), {}
    try:
        for repo in srv.sim.world.repositories():
            if repo.default_branch and not repo.is_disabled:
                records, _ = records_of(default_collectors().collect_pull_requests(
                    c, org_id, repo.project_id, repo.id, None, status="all"))
                found.update((r.id, r) for r in records if isinstance(r, d.PullRequest))
    finally:
        c.http.close()
    return found


def _expected_builds(world, since: dict) -> set[int]:
    """Completed builds finished at or after their project's ``since``, and builds running now."""
    found = set()
    for project in world.projects():
        for build in world.builds(project.id):
            status, _, finished = views.build_state(build, world.now)
            if status == "inProgress" or (status == "completed" and finished >= since[project.id]):
                found.add(build.id)
    return found


def _threads_requested(log) -> set[int]:
    return {int(m[1]) for e in log.entries if e.endpoint == "pulls.threads" and (m := THREADS.search(e.path))}


def _comparable(snap: dict, active_now: set[int], active_before: set[int]) -> dict:
    """What an incremental sync and a fresh backfill must agree on. Left out: review events and statuses of
    PRs still open (a comment changes no list field, so it is read when the PR changes, at the latest when
    it closes), and iterations and statuses of PRs open at the first sync (kept as history; a backfill
    reads them for open PRs only)."""
    def kept(entity: str, record) -> bool:
        if entity in ("pr_review_events", "pr_statuses") and record.pr_id in active_now:
            return False
        return not (entity in ("pr_iterations", "pr_statuses") and record.pr_id in active_before)

    return {k: [r for r in v if kept(k, r)] for k, v in snap.items()}


def test_incremental_fetches_exactly_the_new_and_changed(sqlite_db, keyring, tiny, tmp_path):
    org = connect(sqlite_db, keyring, tiny).org
    assert sync(sqlite_db, keyring, org.id).completed
    with sqlite_db.connect() as conn:
        stored = load(conn, keyring, d.PullRequest, org.id)
        before = {p.id: p.fingerprint for p in stored}
        active_before = {p.id for p in stored if p.status == "active"}
        builds = load(conn, keyring, d.Build, org.id)
    overlap = SyncOptions().time_overlap
    since = {p: max(b.finished_at for b in builds if b.project_id == p and b.finished_at) - overlap
             for p in {b.project_id for b in builds}}

    control(tiny, "POST", "/clock/advance", {"days": 3})
    tiny.sim.log.clear()
    served = _served_prs(tiny, org.id)
    changed = {i for i, pr in served.items() if before.get(i) != pr.fingerprint}
    assert changed and len(changed) < len(served)
    tiny.sim.log.clear()

    report = sync(sqlite_db, keyring, org.id)
    assert report.completed
    assert _threads_requested(tiny.sim.log) == changed
    assert report.api_calls["git.pullrequests.threads"] == len(changed)
    expected_builds = _expected_builds(tiny.sim.world, since)
    assert report.fetched["builds"] == len(expected_builds) > 0

    fresh = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")  # a backfill at the same simulated moment
    upgrade(fresh)
    connect(fresh, keyring, tiny)
    assert sync(fresh, keyring, org.id).completed
    active = {i for i, pr in served.items() if pr.status == "active"}
    got = _comparable(snapshot(sqlite_db, keyring, org.id), active, active_before)
    want = _comparable(snapshot(fresh, keyring, org.id), active, active_before)
    assert diff(got, want) == {}
    fresh.dispose()


def test_idle_run_after_time_moved_without_activity_costs_no_details(sqlite_db, keyring, tiny):
    org = connect(sqlite_db, keyring, tiny).org
    assert sync(sqlite_db, keyring, org.id).completed
    control(tiny, "POST", "/clock/advance", {"seconds": 1})
    report = sync(sqlite_db, keyring, org.id)
    assert report.completed and report.api_calls["git.pullrequests.threads"] == 0
    assert report.fetched["deployment_comparisons"] == 0
