"""The small (demo) scenario's size and realism, and the lazy world agreeing with the record world."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from test_scenario import digest

from adometrics.fake_ado.scenario import DEFAULT_NOW, build_world, views
from adometrics.fake_ado.scenario.lazy import LazyWorld
from adometrics.fake_ado.scenario.sizes import SIZES


@pytest.fixture(scope="module")
def small():
    return build_world("small")


def test_small_counts(small):
    assert len(small.projects()) == 3
    assert len(small.repositories()) == 10
    assert 20 <= len(small.users()) <= 30
    assert 800 <= len(small.pull_request_index()) <= 1200
    for repo in small.repositories():
        if not repo.is_disabled and repo.default_branch:
            assert small.pull_request_index(repository_id=repo.id)


def test_small_review_realism(small):
    prs = [small.pull_request(s.id) for s in small.pull_request_index()]
    now = small.now
    by_status = Counter(views.pr_status(pr, now) for pr in prs)
    assert by_status["completed"] > 0.7 * len(prs) and by_status["abandoned"] > 0.05 * len(prs)
    assert any(views.pr_is_draft(pr, now) for pr in prs)
    histories = Counter(tuple(v.vote for v in r.votes) for pr in prs for r in pr.reviewers)
    assert histories[(-5, 10)] > 0 and histories[(10,)] > histories[(5,)]
    assert any(r.identity_id == pr.created_by_id and r.votes for pr in prs for r in pr.reviewers)
    groups = {t.id for p in small.projects() for t in small.teams(p.id)}
    assert any(r.identity_id in groups for pr in prs for r in pr.reviewers)
    never = [pr for pr in prs if not any(r.votes for r in pr.reviewers)]
    assert 0.03 * len(prs) < len(never) < 0.3 * len(prs)
    services = {
        c.author_id
        for pr in prs
        for t in pr.threads
        for c in t.comments
        if small.identity(c.author_id).kind == "service"
    }
    assert services, "a bot comments on some PRs"
    early = [
        pr
        for pr in prs
        if pr.iterations
        and min(small.commit(pr.repository_id, sha).author.date for sha in pr.iterations[0].commit_shas)
        < pr.created - timedelta(days=2)
    ]
    assert early, "some PRs start from commits days older than the PR"


def _production_attempts(world):
    """(repository, finished, commit, outcome) of production attempts, classic and YAML."""
    out = []
    for p in world.projects():
        releases = {r.id: r for r in world.releases(p.id)}
        for d in world.deployments(p.id):
            if d.environment_name != "Production" or views.deployment_state(d, world.now)[2] is None:
                continue
            art = releases[d.release_id].artifacts[0]
            failed = d.deployment_status == "failed" or d.operation_status == "PhaseFailed"
            ok = d.deployment_status in ("succeeded", "partiallySucceeded")
            out.append(
                (
                    art.repository_id,
                    d.completed,
                    art.source_version,
                    "ok" if ok else "fail" if failed else "other",
                )
            )
        for env in world.environments(p.id):
            if env.name != "production":
                continue
            for rec in world.deployment_records(env.id):
                if views.record_state(rec, world.now)[0] is None:
                    continue
                b = world.build(rec.build_id)
                ok = rec.result in ("succeeded", "succeededWithIssues")
                out.append(
                    (
                        b.repository_id,
                        rec.finished,
                        b.source_version,
                        "ok" if ok else "fail" if rec.result == "failed" else "other",
                    )
                )
    return out


def test_production_failures_restores_and_rollbacks(small):
    attempts = sorted(_production_attempts(small), key=lambda a: (a[0], a[1]))
    outcomes = Counter(a[3] for a in attempts)
    rate = outcomes["fail"] / (outcomes["fail"] + outcomes["ok"])
    assert 0.04 < rate < 0.2
    assert outcomes["other"] > 0  # canceled / rejected attempts exist
    rollbacks = restored = 0
    previous: dict[str, tuple] = {}
    for repo, _finished, sha, outcome in attempts:
        if outcome == "ok":
            prev = previous.get(repo)
            if prev is not None and prev[2] != sha and sha in {c.sha for c in small.commits(repo, prev[2])}:
                rollbacks += 1
            if prev is not None and prev[3] == "fail":
                restored += 1
        if outcome in ("ok", "fail"):
            previous[repo] = (repo, _finished, sha, outcome)
    assert rollbacks > 0 and restored > 0


def test_multiple_attempts_and_reruns(small):
    deps = [d for p in small.projects() for d in small.deployments(p.id)]
    assert any(d.attempt > 1 for d in deps)
    assert {d.operation_status for d in deps} >= {"Approved", "PhaseFailed"}
    records = [
        r for p in small.projects() for e in small.environments(p.id) for r in small.deployment_records(e.id)
    ]
    assert any(r.stage_attempt == 2 for r in records)
    ids = [d.id for d in sorted(deps, key=lambda d: d.queued)]
    assert ids == sorted(ids)


def test_lazy_world_matches_record_world_tiny():
    eager = build_world("tiny")
    lazy = LazyWorld(SIZES["tiny"], "tiny:1", "fabrikam", DEFAULT_NOW)
    assert digest(lazy) == digest(eager)
    for delta in (timedelta(hours=6), timedelta(days=20)):
        assert lazy.advance(delta) == eager.advance(delta)
    assert digest(lazy) == digest(eager)


def test_lazy_world_matches_record_world_small(small):
    lazy = LazyWorld(SIZES["small"], "small:1", "fabrikam", DEFAULT_NOW)
    assert list(lazy.pull_request_index()) == list(small.pull_request_index())
    for summary in list(small.pull_request_index())[::25]:
        assert lazy.pull_request(summary.id) == small.pull_request(summary.id)
    for project in small.projects():
        assert list(lazy.builds(project.id)) == list(small.builds(project.id))
        assert list(lazy.deployments(project.id)) == list(small.deployments(project.id))
    repo = small.repository("web")
    assert lazy.refs(repo.id) == small.refs(repo.id)
    assert lazy.pushes(repo.id) == small.pushes(repo.id)
    head = small.resolve_version(repo.id, "main", "branch")
    assert lazy.commits(repo.id, head) == small.commits(repo.id, head)
