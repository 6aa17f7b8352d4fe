"""The tiny scenario: the whole World protocol, determinism, time semantics and git reachability."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import timedelta

import pytest

from adometrics.fake_ado.scenario import build_world, views


def digest(world) -> str:
    """A hash over everything the World shows as of now (reprs of the dataclass records)."""
    h = hashlib.sha256()

    def add(*items):
        for item in items:
            h.update(repr(list(item) if isinstance(item, Sequence) else item).encode())

    add(world.organization_id, world.now, world.history_start, world.users())
    for project in world.projects():
        add(project, world.teams(project.id), world.build_definitions(project.id), world.builds(project.id))
        add(world.release_definitions(project.id), world.releases(project.id), world.deployments(project.id))
        for env in world.environments(project.id):
            add(env, world.deployment_records(env.id))
        for b in world.builds(project.id):
            add(world.timeline(b.id))
    for repo in world.repositories():
        refs = world.refs(repo.id)
        add(repo, refs, world.pushes(repo.id))
        for ref, sha in refs:
            if ref.name == repo.default_branch or len(refs) < 40:
                add(world.commits(repo.id, sha))
    for summary in world.pull_request_index():
        add(summary, world.pull_request(summary.id))
    return h.hexdigest()


@pytest.fixture(scope="module")
def tiny():
    return build_world("tiny")


def test_same_seed_same_data_other_seed_differs(tiny):
    assert digest(build_world("tiny")) == digest(tiny)
    assert digest(build_world("tiny", seed=2)) != digest(tiny)


def test_independent_of_hash_seed():
    code = (
        "from tests.fake_ado.test_scenario import digest;"
        "from adometrics.fake_ado.scenario import build_world;"
        "print(digest(build_world('tiny')))"
    )
    outputs = set()
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        )
        outputs.add(done.stdout.strip())
    assert len(outputs) == 1


def test_organization_shape(tiny):
    projects = tiny.projects()
    assert 1 <= len(projects) <= 2
    assert tiny.project(projects[0].name.upper()) is projects[0]
    assert tiny.project(projects[0].id) is projects[0]
    repos = tiny.repositories()
    assert 3 <= len(repos) <= 4
    assert sum(r.is_disabled for r in repos) == 1
    assert sum(r.default_branch is None for r in repos) == 1
    assert tiny.repository("WEB").name == "web"
    users = tiny.users()
    assert sum(u.license == "stakeholder" for u in users) >= 1
    assert sum(u.meta_type == "guest" for u in users) == 1
    assert sum(u.last_accessed is None for u in users) == 1
    for project in projects:
        for team in tiny.teams(project.id):
            kinds = {tiny.identity(m).kind for m in team.member_ids}
            assert kinds == {"user", "group"}
    assert tiny.identity(users[0].identity.id.upper().replace("-", "")) == users[0].identity
    assert 30 <= len(tiny.pull_request_index()) <= 60


def test_pull_request_index_order_and_ids(tiny):
    index = tiny.pull_request_index()
    ids = [s.id for s in index]
    assert ids == sorted(ids, reverse=True)
    created = [s.created for s in reversed(index)]
    assert created == sorted(created)
    web = tiny.repository("web")
    assert all(s.repository_id == web.id for s in tiny.pull_request_index(repository_id=web.id))
    assert all(s.created <= tiny.now for s in index)


def test_pr_variety(tiny):
    prs = [tiny.pull_request(s.id) for s in tiny.pull_request_index()]
    statuses = {views.pr_status(pr, tiny.now) for pr in prs}
    assert statuses == {"active", "completed", "abandoned"}
    assert {pr.merge_strategy for pr in prs if pr.final_status == "completed"} == {"squash", "noFastForward"}
    assert any(pr.draft_until is not None for pr in prs)
    thread_types = {t.properties["CodeReviewThreadType"][1] for pr in prs for t in pr.threads if t.is_system}
    assert {"VoteUpdate", "RefUpdate", "MergeAttempt"} <= thread_types
    for pr in prs:
        assert pr.commit_shas and len(pr.iterations) >= 1
        assert pr.iterations[0].reason == "create"
        assert views.pr_commit_shas(pr, pr.closed or tiny.now) == pr.commit_shas or pr.closed is None
        for thread in pr.threads:
            if thread.properties.get("CodeReviewThreadType", (None, None))[1] == "VoteUpdate":
                voter = thread.properties["CodeReviewVotedByTfId"][1]
                vote = int(thread.properties["CodeReviewVoteResult"][1])
                reviewer = next(r for r in pr.reviewers if r.identity_id == voter)
                assert any(v.vote == vote and v.at == thread.published for v in reviewer.votes)
        if pr.closed is not None:
            assert all(v.at < pr.closed for r in pr.reviewers for v in r.votes)


def test_build_and_deployment_variety(tiny):
    builds = [b for p in tiny.projects() for b in tiny.builds(p.id)]
    ids = [b.id for b in builds]
    assert len(set(ids)) == len(ids)
    assert {b.reason for b in builds} >= {"pullRequest", "individualCI"}
    pr_builds = [b for b in builds if b.reason == "pullRequest"]
    assert all(b.source_branch == f"refs/pull/{b.pull_request_id}/merge" for b in pr_builds)
    deployments = [d for p in tiny.projects() for d in tiny.deployments(p.id)]
    assert {d.environment_name for d in deployments} == {"Staging", "Production"}
    records = [
        r for p in tiny.projects() for e in tiny.environments(p.id) for r in tiny.deployment_records(e.id)
    ]
    assert records
    for r in records:
        owner = tiny.build(r.build_id)
        assert owner is not None and owner.number == r.build_number
        stages = {t.name for t in tiny.timeline(owner.id) if t.type == "Stage"}
        assert r.stage_name in stages


def test_ci_builds_follow_merge_commits(tiny):
    web = tiny.repository("web")
    ci = {
        b.source_version
        for b in tiny.builds(web.project_id)
        if b.reason == "individualCI" and b.repository_id == web.id
    }
    merged = [tiny.pull_request(s.id) for s in tiny.pull_request_index(repository_id=web.id)]
    merged = [pr for pr in merged if views.last_merge_commit(pr, tiny.now)]
    assert merged
    # a merge shortly before now may still be waiting for its CI build
    assert sum(pr.merge_commit in ci for pr in merged) >= len(merged) - 1


def _completed(world, strategy):
    for s in world.pull_request_index():
        pr = world.pull_request(s.id)
        if (
            pr.final_status == "completed"
            and views.pr_status(pr, world.now) == "completed"
            and pr.merge_strategy == strategy
        ):
            return pr
    raise AssertionError(f"no completed {strategy} PR")


def test_merge_commit_range(tiny):
    pr = _completed(tiny, "noFastForward")
    repo = pr.repository_id
    merge = tiny.commit(repo, pr.merge_commit)
    assert len(merge.parents) == 2 and merge.parents[1] == pr.last_merge_source_commit
    head = tiny.resolve_version(repo, "main", "branch")
    on_main = {c.sha for c in tiny.commits(repo, head)}
    assert pr.merge_commit in on_main and set(pr.commit_shas) <= on_main
    # merge ^first-parent == the merge commit plus exactly the PR's commits
    added = tiny.commits(repo, pr.merge_commit, merge.parents[0])
    assert {c.sha for c in added} == {pr.merge_commit, *pr.commit_shas}
    dates = [c.committer.date for c in added]
    assert dates == sorted(dates, reverse=True)


def test_squash_commit_range(tiny):
    pr = _completed(tiny, "squash")
    repo = pr.repository_id
    squash = tiny.commit(repo, pr.merge_commit)
    assert len(squash.parents) == 1
    head = tiny.resolve_version(repo, "refs/heads/main", "branch")
    on_main = {c.sha for c in tiny.commits(repo, head)}
    assert pr.merge_commit in on_main
    assert not set(pr.commit_shas) & on_main
    assert [c.sha for c in tiny.commits(repo, pr.merge_commit, squash.parents[0])] == [pr.merge_commit]
    # the source commits stay reachable from the PR's last source commit
    source = {c.sha for c in tiny.commits(repo, pr.last_merge_source_commit, squash.parents[0])}
    assert source == set(pr.commit_shas)


def test_commit_parents_are_consistent(tiny):
    for repo in tiny.repositories():
        for _ref, sha in tiny.refs(repo.id):
            for c in tiny.commits(repo.id, sha):
                for parent in c.parents:
                    p = tiny.commit(repo.id, parent)
                    assert p is not None and p.pushed_at <= c.pushed_at


def test_refs_and_versions(tiny):
    web = tiny.repository("web")
    names = [ref.name for ref, _ in tiny.refs(web.id)]
    assert names == sorted(names)
    assert "refs/heads/main" in names and any(n.startswith("refs/tags/") for n in names)
    tag = next(n for n in names if n.startswith("refs/tags/"))
    sha = tiny.resolve_version(web.id, tag.removeprefix("refs/tags/"), "tag")
    assert sha and tiny.resolve_version(web.id, sha, "commit") == sha
    assert tiny.resolve_version(web.id, "no-such-branch", "branch") is None
    assert tiny.refs(tiny.repository("sandbox").id) == []
    pushes = tiny.pushes(web.id)
    assert [p.id for p in pushes] == sorted((p.id for p in pushes), reverse=True)
    assert pushes[0].date <= tiny.now


def test_advance_reveals_new_activity():
    world = build_world("tiny")
    before = {s.id for s in world.pull_request_index()}
    events = world.advance(timedelta(days=30))
    after = {s.id for s in world.pull_request_index()}
    created = {e.resource_id for e in events if e.event_type == "git.pullrequest.created"}
    assert created and after - before == created
    assert all(world.now - timedelta(days=30) < e.at <= world.now for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    kinds = {(e.event_type, e.notification_type) for e in events}
    assert ("git.push", None) in kinds and ("build.complete", None) in kinds
    assert ("git.pullrequest.updated", "ReviewerVoteNotification") in kinds
    assert ("ms.vss-release.deployment-completed-event", None) in kinds
    assert world.advance(timedelta(0)) == []


def test_pr_is_active_until_closed():
    world = build_world("tiny")
    start = world.now
    future = [world.pull_request(s.id) for s in world.pull_request_index()]
    pr = next(p for p in future if p.closed is not None and p.closed > start)
    assert views.pr_status(pr, start) == "active"
    assert views.pr_closed(pr, start) is None and views.last_merge_commit(pr, start) is None
    events = world.advance(pr.closed - start)
    assert views.pr_status(pr, world.now) == pr.final_status
    assert any(e.resource_id == pr.id and e.notification_type == "StatusUpdateNotification" for e in events)


def test_votes_threads_and_builds_follow_the_clock():
    world = build_world("tiny")
    prs = [world.pull_request(s.id) for s in world.pull_request_index()]
    pr, reviewer = next((p, r) for p in prs for r in p.reviewers if len(r.votes) >= 2)
    first, second = reviewer.votes[0], reviewer.votes[1]
    assert views.reviewer_vote(reviewer, first.at) == first.vote
    assert views.reviewer_vote(reviewer, second.at - timedelta(milliseconds=1)) == first.vote
    assert views.reviewer_vote(reviewer, second.at) == second.vote
    assert views.reviewer_vote(reviewer, first.at - timedelta(milliseconds=1)) == 0
    visible = views.visible_threads(pr, first.at)
    assert all(t.published <= first.at for t in visible)
    assert all(c.published <= first.at for t in visible for c in t.comments)
    assert len(visible) < len(pr.threads)
    build = max((b for p in world.projects() for b in world.builds(p.id)), key=lambda b: b.id)
    assert views.build_state(build, build.started - timedelta(seconds=1))[0] == "notStarted"
    assert views.build_state(build, build.finished - timedelta(seconds=1)) == ("inProgress", None, None)
    assert views.build_state(build, build.finished) == ("completed", build.result, build.finished)
    nxt = world.build(build.id + 1)
    assert nxt is None
    world.advance(timedelta(days=10))
    assert world.build(build.id + 1) is not None


def test_pr_builds_build_the_servers_merge_commit(tiny):
    for summary in tiny.pull_request_index():
        pr = tiny.pull_request(summary.id)
        builds = [b for b in tiny.builds(pr.project_id) if b.pull_request_id == pr.id]
        for b in builds:
            preview = tiny.commit(pr.repository_id, b.source_version)
            assert preview is not None and len(preview.parents) == 2
            assert preview.parents[1] in {it.source_commit for it in pr.iterations}
    statuses = [s for summary in tiny.pull_request_index() for s in tiny.pull_request(summary.id).statuses]
    assert {s.state for s in statuses} >= {"succeeded", "failed"}


def test_hand_written_record_world():
    from datetime import UTC, datetime

    from adometrics.fake_ado.scenario import RecordWorld
    from adometrics.fake_ado.scenario.model import (
        Commit,
        Identity,
        Project,
        PullRequest,
        Ref,
        Repository,
        Reviewer,
        Signature,
        User,
        VoteEvent,
    )

    t0 = datetime(2026, 1, 1, tzinfo=UTC)

    def at(hours: int) -> datetime:
        return t0 + timedelta(hours=hours)

    alice = Identity("a1", "Alice", "alice@x.example", "aad.YQ")
    bob = Identity("b2", "Bob", "bob@x.example", "aad.Yg")
    project = Project("p1", "Proj", "", t0, t0, 1)
    repo = Repository("r1", "repo", "p1", "refs/heads/main", 1, t0)
    sig = Signature("Alice", "alice@x.example", t0)

    def commit(sha: str, parents: tuple[str, ...], pushed: int) -> Commit:
        return Commit(
            sha, parents, "t" + sha, sig, Signature("Alice", "a", at(pushed)), sha, (0, 1, 0), at(pushed), 1
        )

    commits = {c.sha: c for c in [commit("a", (), 1), commit("b", ("a",), 2), commit("c", ("b",), 30)]}
    main = Ref("refs/heads/main", "a1", at(1), None, [(at(1), "a"), (at(2), "b"), (at(30), "c")])
    pr = PullRequest(
        7,
        "r1",
        "p1",
        "a1",
        at(5),
        "t",
        "",
        "refs/heads/x",
        "refs/heads/main",
        "completed",
        at(20),
        "a1",
        "squash",
        None,
        ["x"],
        "x",
        "b",
        "c",
        [Reviewer("b2", at(5), True, [VoteEvent(at(6), -5), VoteEvent(at(12), 10)])],
        [],
        [],
        [],
    )
    world = RecordWorld(
        "org",
        "o1",
        at(10),
        t0,
        identities=[alice, bob],
        user_list=[User(alice, t0, t0), User(bob, t0, None)],
        project_list=[project],
        repository_list=[repo],
        ref_lists={"r1": [main]},
        commit_maps={"r1": commits},
        pull_requests=[pr],
    )
    assert world.resolve_version("r1", "main", "branch") == "b"
    assert [c.sha for c in world.commits("r1", "b")] == ["b", "a"]
    assert world.commit("r1", "c") is None
    assert views.pr_status(world.pull_request(7), world.now) == "active"
    assert views.reviewer_vote(pr.reviewers[0], world.now) == -5
    events = world.advance(timedelta(hours=25))
    assert [(e.event_type, e.notification_type) for e in events] == [
        ("git.pullrequest.updated", "ReviewerVoteNotification"),
        ("git.pullrequest.updated", "StatusUpdateNotification"),
    ]
    assert [c.sha for c in world.commits("r1", world.resolve_version("r1", "main", "branch"), "a")] == [
        "c",
        "b",
    ]
    assert world.identity("B2") is bob
