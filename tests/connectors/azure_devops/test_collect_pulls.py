"""Pull-request collectors against the simulator: lists, reviewers, fingerprints, review events from
threads, iterations, commits, statuses — and what a backfill costs in API calls per PR."""

from __future__ import annotations

import uuid
import warnings
from datetime import timedelta

import pytest

from adometrics.connectors.azure_devops import collectors as c
from adometrics.connectors.azure_devops.auth import PatAuth
from adometrics.connectors.azure_devops.client import AdoClient
from adometrics.domain import PullRequest, Reviewer, ReviewEventKind
from adometrics.fake_ado.scenario import views

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about httpx in its TestClient
    from starlette.testclient import TestClient

    from adometrics.fake_ado.app import create_app
    from adometrics.fake_ado.state import Simulator, SimulatorConfig

ORG = "org-fabrikam"


def make_client(sim: Simulator, http) -> AdoClient:
    return AdoClient("http://127.0.0.1/fabrikam", http, PatAuth(sim.pat), allowed_hosts=("127.0.0.1",))


@pytest.fixture(scope="module")
def sim() -> Simulator:
    return Simulator(SimulatorConfig(scenario="tiny"))


@pytest.fixture(scope="module")
def client(sim: Simulator):
    with TestClient(create_app(sim), base_url="http://127.0.0.1") as http:
        yield make_client(sim, http)


def active_repos(sim: Simulator):
    return [(p.id, r.id) for p in sim.world.projects() for r in sim.world.repositories(p.id)
            if not r.is_disabled and r.default_branch]


def drain(batches) -> list:
    return [record for batch in batches for record in batch.records]


def prs_of(records) -> list[PullRequest]:
    return [r for r in records if isinstance(r, PullRequest)]


def test_lists_match_the_world_field_by_field(sim: Simulator, client: AdoClient) -> None:
    now, total = sim.world.now, 0
    for project, repo in active_repos(sim):
        records = drain(c.collect_pull_requests(client, ORG, project, repo))
        prs = prs_of(records)
        assert [p.id for p in prs] == [s.id for s in sim.world.pull_request_index(repository_id=repo)]
        reviewers = [r for r in records if isinstance(r, Reviewer)]
        for pr in prs:
            world = sim.world.pull_request(pr.id)
            assert (pr.repo_id, pr.project_id, pr.creator_id) == (repo, project, world.created_by_id)
            assert (pr.status, pr.created_at, pr.closed_at) == (
                views.pr_status(world, now), world.created, views.pr_closed(world, now))
            assert (pr.title, pr.source_branch, pr.target_branch) == (
                world.title, world.source_ref, world.target_ref)
            assert pr.is_draft == views.pr_is_draft(world, now)
            assert pr.last_merge_source_commit == views.last_merge_source(world, now)
            if pr.status == "completed":
                assert (pr.last_merge_commit, pr.merge_strategy) == (world.merge_commit, world.merge_strategy)
            got = {(r.identity_id, r.vote) for r in reviewers if r.pr_id == pr.id}
            assert got == {(r.identity_id, vote) for r, vote in views.visible_reviewers(world, now)}
        total += len(prs)
    assert total == len(sim.world.pull_request_index())


def test_the_project_listing_spans_its_repositories(sim: Simulator, client: AdoClient) -> None:
    for project in sim.world.projects():
        by_project = prs_of(drain(c.collect_pull_requests(client, ORG, project.id, None)))
        assert sorted(p.id for p in by_project) == sorted(
            s.id for s in sim.world.pull_request_index(project_id=project.id))
        assert all(p.repo_id == sim.world.pull_request(p.id).repository_id for p in by_project)


def _canonical(identity: str) -> str:
    return str(uuid.UUID(identity))


def expected_events(sim: Simulator, pr) -> set[tuple]:
    """Review activity as METRICS.md §3 defines it, read from the world's threads."""
    out = set()
    for th in views.visible_threads(pr, sim.world.now):
        if th.is_system:
            if th.properties.get("CodeReviewThreadType", ("", ""))[1] != "VoteUpdate":
                continue
            vote = int(th.properties["CodeReviewVoteResult"][1])
            voter = _canonical(str(th.properties["CodeReviewVotedByTfId"][1]))
            if vote and voter != pr.created_by_id:
                out.add((ReviewEventKind.VOTE, th.id, 0, voter, th.published, vote, True))
            continue
        for cm in th.comments:
            if cm.comment_type == "text" and cm.author_id != pr.created_by_id:
                identity = sim.world.identity(cm.author_id)
                out.add((ReviewEventKind.COMMENT, th.id, cm.id, cm.author_id, cm.published, None,
                         identity is not None and identity.kind == "user"))
    return out


def test_threads_become_the_worlds_review_events(sim: Simulator, client: AdoClient) -> None:
    kinds = set()
    for project, repo in active_repos(sim):
        for pr in prs_of(drain(c.collect_pull_requests(client, ORG, project, repo))):
            events = c.collect_pr_threads(client, ORG, project, repo, pr.id, pr.creator_id)
            assert not events.skipped
            got = {(e.kind, e.thread_id, e.comment_id, e.actor_id, e.at, e.vote, e.actor_is_user)
                   for e in events}
            assert got == expected_events(sim, sim.world.pull_request(pr.id))
            kinds |= {e.kind for e in events}
    assert kinds == {ReviewEventKind.VOTE, ReviewEventKind.COMMENT}


def test_iterations_commits_and_statuses(sim: Simulator, client: AdoClient) -> None:
    now, checked = sim.world.now, 0
    for project, repo in active_repos(sim):
        for pr in prs_of(drain(c.collect_pull_requests(client, ORG, project, repo))):
            world = sim.world.pull_request(pr.id)
            iterations = c.collect_pr_iterations(client, ORG, project, repo, pr.id)
            assert [(i.id, i.created_at, i.source_commit, i.target_commit) for i in iterations] == [
                (i.id, i.created, i.source_commit, i.target_commit)
                for i in views.visible_iterations(world, now)]
            commits = c.collect_pr_commits(client, ORG, project, repo, pr.id)
            shas = views.pr_commit_shas(world, now)
            assert [x.sha for x in commits] == shas
            dates = [sim.world.commit(repo, s).author.date.replace(microsecond=0) for s in shas]
            assert [x.author_date.replace(microsecond=0) for x in commits] == dates
            statuses = c.collect_pr_statuses(client, ORG, project, repo, pr.id)
            assert [(s.id, s.iteration_id, s.state, s.context_genre, s.context_name, s.created_at)
                    for s in statuses] == [(s.id, s.iteration_id, s.state, s.genre, s.name, s.created)
                                           for s in views.visible_statuses(world, now)]
            checked += bool(statuses)
    assert checked > 0


def backfill_calls(sim: Simulator, client: AdoClient, by_project: bool) -> tuple[int, int, int]:
    """Every PR with threads and commits, iterations and statuses for active PRs only (ARCHITECTURE §4).
    Returns (PRs, active PRs, API calls)."""
    client.api_calls.clear()
    prs: list[PullRequest] = []
    if by_project:
        for project in sim.world.projects():
            prs += prs_of(drain(c.collect_pull_requests(client, ORG, project.id, None)))
    else:
        for project, repo in active_repos(sim):
            prs += prs_of(drain(c.collect_pull_requests(client, ORG, project, repo)))
    for pr in prs:
        c.collect_pr_threads(client, ORG, pr.project_id, pr.repo_id, pr.id, pr.creator_id)
        c.collect_pr_commits(client, ORG, pr.project_id, pr.repo_id, pr.id)
        if pr.status == "active":
            c.collect_pr_iterations(client, ORG, pr.project_id, pr.repo_id, pr.id)
            c.collect_pr_statuses(client, ORG, pr.project_id, pr.repo_id, pr.id)
    return len(prs), sum(p.status == "active" for p in prs), sum(client.api_calls.values())


def test_a_backfill_costs_two_calls_per_closed_pr(sim: Simulator, client: AdoClient) -> None:
    prs, active, calls = backfill_calls(sim, client, by_project=False)
    lists = client.api_calls["git.pullrequests.list"]
    assert lists == len(active_repos(sim))  # one page of 1,000 per repository
    assert calls == lists + 2 * prs + 2 * active
    prs, active, calls = backfill_calls(sim, client, by_project=True)
    assert client.api_calls["git.pullrequests.list_by_project"] == len(sim.world.projects())
    assert calls == len(sim.world.projects()) + 2 * prs + 2 * active


@pytest.mark.slow
def test_backfill_cost_on_the_small_scenario() -> None:
    small = Simulator(SimulatorConfig(scenario="small"))
    with TestClient(create_app(small), base_url="http://127.0.0.1") as http:
        client = make_client(small, http)
        prs, active, calls = backfill_calls(small, client, by_project=True)
    closed_only = (calls - 4 * active) / (prs - active)
    print(f"small: {prs} PRs ({active} active), {calls} calls, {calls / prs:.3f} per PR, "
          f"{closed_only:.3f} per closed PR")
    assert closed_only <= 2.05
    assert calls == len(small.world.projects()) + 2 * prs + 2 * active
    assert small.log.content_calls == 0


def test_fingerprints_change_with_the_prs_state() -> None:
    """Advancing simulated time: every PR the world updated (push, vote, close) changes its fingerprint;
    a PR whose listed state did not change keeps it."""
    moving = Simulator(SimulatorConfig(scenario="tiny"))
    with TestClient(create_app(moving), base_url="http://127.0.0.1") as http:
        client = make_client(moving, http)

        def snapshot() -> dict[int, PullRequest]:
            return {p.id: p for project, repo in active_repos(moving)
                    for p in prs_of(drain(c.collect_pull_requests(client, ORG, project, repo)))}

        before = snapshot()
        assert snapshot() == before  # stable when nothing happened
        events = moving.world.advance(timedelta(days=4))
        after = snapshot()
    updated = {e.resource_id for e in events if e.event_type == "git.pullrequest.updated"}
    changed = {i for i in before if after[i].fingerprint != before[i].fingerprint}
    assert updated and updated <= changed
    for pr_id in set(before) - changed:
        old, new = before[pr_id], after[pr_id]
        assert (old.status, old.closed_at, old.last_merge_commit, old.last_merge_source_commit) == (
            new.status, new.closed_at, new.last_merge_commit, new.last_merge_source_commit)


def test_no_content_endpoint_was_called(sim: Simulator) -> None:
    assert sim.log.total > 0 and sim.log.content_calls == 0


def test_incremental_lists_by_creation_or_closing_time(sim: Simulator, client: AdoClient) -> None:
    project, repo = active_repos(sim)[0]
    everything = prs_of(drain(c.collect_pull_requests(client, ORG, project, repo)))
    since = sorted(p.created_at for p in everything)[len(everything) // 2]
    created = prs_of(drain(c.collect_pull_requests(client, ORG, project, repo, min_time=since)))
    assert {p.id for p in created} == {p.id for p in everything if p.created_at >= since}
    closed = prs_of(drain(c.collect_pull_requests(client, ORG, project, repo, min_time=since,
                                                  time_range="closed")))
    assert {p.id for p in closed} == {p.id for p in everything if p.closed_at and p.closed_at >= since}
    active = prs_of(drain(c.collect_pull_requests(client, ORG, project, repo, status="active")))
    assert {p.id for p in active} == {p.id for p in everything if p.status == "active"} != set()


def test_records_spoiled_on_the_wire_are_skipped_with_a_reason(sim: Simulator, client: AdoClient) -> None:
    project, repo = active_repos(sim)[0]
    expected = [s.id for s in sim.world.pull_request_index(repository_id=repo)]
    sim.faults.add({"kind": "null_field", "path": r"/pullrequests$", "field": "creationDate", "count": 1})
    sim.faults.add({"kind": "missing_field", "path": r"/threads$", "field": "id", "count": 1})
    try:
        (batch,) = list(c.collect_pull_requests(client, ORG, project, repo))
        pr = expected[0]
        events = c.collect_pr_threads(client, ORG, project, repo, pr, None)
    finally:
        sim.faults.clear()
    assert batch.records == [] and batch.resume is None
    assert [(s.entity, s.key, s.reason) for s in batch.skipped] == [
        ("pull_request", str(i), "creationDate is missing") for i in expected]
    threads = views.visible_threads(sim.world.pull_request(pr), sim.world.now)
    assert list(events) == [] and len(events.skipped) == len(threads)
    assert {s.reason for s in events.skipped} == {"id is missing"}
    assert prs_of(drain(c.collect_pull_requests(client, ORG, project, repo)))  # the next run is whole again
