"""A sync scoped to some projects (`SyncOptions.projects`, `sync --project`) reads only those, and a later
unscoped sync brings the rest, ending where a sync of everything would."""

from __future__ import annotations

from sync_support import connect, sync
from world_expect import expected_counts

from adometrics import domain as d
from adometrics.store import load

PROJECT_CALLS = ("core.teams.list", "git.repositories.list", "build.definitions.list",
                 "release.releases.list", "pipelines.environments.list")


def test_a_scoped_sync_reads_only_the_named_projects_and_the_rest_follows(sqlite_db, keyring, tiny):
    world = tiny.sim.world
    first, other = world.projects()[:2]
    org = connect(sqlite_db, keyring, tiny).org
    scoped = sync(sqlite_db, keyring, org.id, projects=(first.name.upper(),))  # names match in any case
    assert scoped.completed and scoped.skipped == []
    assert all(scoped.api_calls[e] == 1 for e in PROJECT_CALLS), scoped.api_calls
    with sqlite_db.connect() as conn:
        for record_type in (d.Repository, d.PullRequest, d.Build, d.DeploymentComparison):
            stored = load(conn, keyring, record_type, org.id)
            assert stored and {r.project_id for r in stored} == {first.id}, record_type
        prs = load(conn, keyring, d.PullRequest, org.id)
    assert len(prs) == len(world.pull_request_index(first.id))

    rest = sync(sqlite_db, keyring, org.id, projects=(other.id,))  # or by id
    assert rest.completed and rest.api_calls["git.pullrequests.threads"] == len(
        world.pull_request_index(other.id))
    expected = expected_counts(world)
    assert {k: rest.entities[k] for k in expected} == expected
    idle = sync(sqlite_db, keyring, org.id)
    assert idle.completed and "git.pullrequests.threads" not in idle.api_calls


def test_an_unknown_project_stops_the_run_with_the_names_it_has(sqlite_db, keyring, tiny):
    org = connect(sqlite_db, keyring, tiny).org
    report = sync(sqlite_db, keyring, org.id, projects=("Nope",))
    assert not report.completed and report.health == "healthy"
    assert report.error.startswith("no project named Nope in this organization; its projects: ")
    assert all(p.name in report.error for p in tiny.sim.world.projects())
    assert "git.repositories.list" not in report.api_calls and report.entities["pull_requests"] == 0
