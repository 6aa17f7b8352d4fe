"""Acceptance: a backfill of the `small` organization stores exactly what the simulator holds, reads no
content, and an idle second run costs only a few list calls per repository."""

from __future__ import annotations

import pytest
from sync_support import connect, sync
from world_expect import active_repositories, expected_counts, pull_requests

from adometrics import domain as d
from adometrics.fake_ado.scenario import views
from adometrics.fake_ado.server import running
from adometrics.store import load
from adometrics.sync.run import SyncOptions

DETAIL_CALLS = ("git.pullrequests.threads", "git.pullrequests.commits", "git.pullrequests.iterations",
                "git.pullrequests.statuses.list")
PR_CALLS = ("git.pullrequests.list", *DETAIL_CALLS)


@pytest.fixture
def small():
    with running(scenario="small") as srv:
        yield srv


def _by_id(records) -> dict:
    return {r.id: r for r in records}


def _check_sample(conn, keyring, org_id: str, world) -> None:
    """Field by field, after decryption, for a sample of PRs, users, builds and commits."""
    now = world.now
    stored = _by_id(load(conn, keyring, d.PullRequest, org_id))
    prs = pull_requests(world)
    for pr in prs[:: max(1, len(prs) // 25)]:
        got = stored[pr.id]
        assert (got.title, got.source_branch, got.target_branch) == (pr.title, pr.source_ref, pr.target_ref)
        assert (got.repo_id, got.creator_id, got.created_at) == (pr.repository_id, pr.created_by_id,
                                                                 pr.created)
        assert (got.status, got.closed_at) == (views.pr_status(pr, now), views.pr_closed(pr, now))
        if got.status == "completed":  # open and abandoned PRs carry ADO's preview merge instead
            assert got.last_merge_commit == views.last_merge_commit(pr, now)
        assert got.is_draft == views.pr_is_draft(pr, now)
    users = _by_id(load(conn, keyring, d.User, org_id))
    for user in world.users():
        got = users[user.identity.id]
        assert (got.display_name, got.email) == (user.identity.display_name, user.identity.unique_name)
    builds = _by_id(load(conn, keyring, d.Build, org_id))
    project = world.projects()[0]
    for build in world.builds(project.id)[::50]:
        got = builds[build.id]
        assert (got.source_branch, got.source_version, got.definition_id) == (
            build.source_branch, build.source_version, build.definition_id)
        assert got.finished_at == views.build_state(build, now)[2]
    repo = active_repositories(world)[0]
    commits = {c.sha: c for c in load(conn, keyring, d.Commit, org_id) if c.repo_id == repo.id}
    for commit in list(world.commit_maps[repo.id].values())[::40]:
        if commit.pushed_at <= now and commit.sha in commits:
            got = commits[commit.sha]
            assert (got.author_email, got.author_name) == (commit.author.email, commit.author.name)


def test_backfill_of_small_stores_what_the_simulator_holds(db, keyring, small):
    world, log = small.sim.world, small.sim.log
    org = connect(db, keyring, small).org
    log.clear()
    report = sync(db, keyring, org.id)
    assert report.completed and report.skipped == [] and report.health == "healthy"
    expected = expected_counts(world)
    assert {k: report.entities[k] for k in expected} == expected
    with db.connect() as conn:
        _check_sample(conn, keyring, org.id, world)
    assert log.content_calls == 0
    prs = expected["pull_requests"]
    backfill_per_pr = sum(report.api_calls[e] for e in PR_CALLS) / prs
    assert backfill_per_pr <= 2.05  # two detail calls per closed PR, three per active one, plus list pages
    print(f"\nbackfill: {backfill_per_pr:.3f} PR calls per PR, {sum(report.api_calls.values())} calls")

    idle = sync(db, keyring, org.id)
    assert idle.completed and not any(idle.api_calls[e] for e in DETAIL_CALLS)
    repos = len(active_repositories(world))
    per_repo = {e: n for e, n in idle.api_calls.items() if e.startswith("git.") and "repositories" not in e}
    assert sum(per_repo.values()) <= 4 * repos, per_repo  # refs, commits, active PRs, recently closed PRs
    # per project: teams, repositories, definitions, builds (done and running), release definitions,
    # releases, deployments, environments; per team its members; per environment its records; and the
    # organization's projects, users and resource areas
    teams = expected["teams"]
    assert sum(idle.api_calls.values()) <= 4 * repos + 9 * len(world.projects()) + teams + expected[
        "environments"] + 3
    assert idle.entities == report.entities | {"sync_checkpoints": idle.entities["sync_checkpoints"]}
    print(f"idle: {sum(idle.api_calls[e] for e in PR_CALLS) / prs:.3f} PR calls per PR, "
          f"{sum(idle.api_calls.values())} calls in all")
    assert log.content_calls == 0


def test_full_resync_changes_nothing(sqlite_db, keyring, tiny):
    org = connect(sqlite_db, keyring, tiny).org
    first = sync(sqlite_db, keyring, org.id)
    again = sync(sqlite_db, keyring, org.id, full=True)
    assert first.completed and again.completed
    assert again.api_calls["git.pullrequests.threads"] == first.entities["pull_requests"]
    assert again.entities == first.entities | {"sync_checkpoints": again.entities["sync_checkpoints"]}
    assert SyncOptions().full is False


def test_statuses_of_active_prs_are_read_when_status_write_back_needs_them(sqlite_db, keyring, tiny):
    world = tiny.sim.world
    org = connect(sqlite_db, keyring, tiny).org
    report = sync(sqlite_db, keyring, org.id, pr_statuses=True)
    expected = expected_counts(world, pr_statuses=True)
    assert report.completed and expected["pr_statuses"] > 0
    assert report.entities["pr_statuses"] == expected["pr_statuses"]
    active = sum(1 for s in world.pull_request_index() if views.pr_status(world.pull_request(s.id), world.now)
                 == "active")
    assert report.api_calls["git.pullrequests.statuses.list"] == active
