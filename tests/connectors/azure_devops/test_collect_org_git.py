"""Collectors for the organization and git metadata, against the simulator in-process.

What they return is compared with the simulator's world (counts and fields), never with our own client.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import warnings
from datetime import timedelta

import pytest

from adometrics.connectors.azure_devops import collectors as c
from adometrics.connectors.azure_devops import endpoints as eps
from adometrics.connectors.azure_devops.auth import PatAuth
from adometrics.connectors.azure_devops.client import AdoClient
from adometrics.fake_ado.scenario import views

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about httpx in its TestClient
    from starlette.testclient import TestClient

    from adometrics.fake_ado.app import create_app
    from adometrics.fake_ado.state import Simulator, SimulatorConfig

ORG = "org-fabrikam"


@pytest.fixture(scope="module")
def sim() -> Simulator:
    return Simulator(SimulatorConfig(scenario="tiny"))


@pytest.fixture(scope="module")
def client(sim: Simulator):
    with TestClient(create_app(sim), base_url="http://127.0.0.1") as http:
        yield AdoClient("http://127.0.0.1/fabrikam", http, PatAuth(sim.pat), allowed_hosts=("127.0.0.1",))


def drain(batches) -> tuple[list, list]:
    records, skipped = [], []
    for batch in batches:
        records += batch.records
        skipped += batch.skipped
    return records, skipped


def test_projects_teams_and_members_match_the_world(sim: Simulator, client: AdoClient) -> None:
    projects, skipped = drain(c.collect_projects(client, ORG))
    assert not skipped
    assert {(p.id, p.name) for p in projects} == {(p.id, p.name) for p in sim.world.projects()}
    assert all(p.org_id == ORG for p in projects)
    for project in projects:
        teams, _ = drain(c.collect_teams(client, ORG, project.id))
        world_teams = {t.id: t for t in sim.world.teams(project.id)}
        assert {(t.id, t.name, t.project_id) for t in teams} == {
            (t.id, t.name, project.id) for t in world_teams.values()}
        for team in teams:
            members, skipped = drain(c.collect_team_members(client, ORG, project.id, team.id))
            expected = world_teams[team.id]
            assert not skipped
            assert [m.identity_id for m in members] == expected.member_ids
            assert {m.identity_id for m in members if m.is_admin} == set(expected.admin_ids)
            kinds = {m.identity_id: sim.world.identity(m.identity_id).kind for m in members}
            assert all(m.is_group == (kinds[m.identity_id] == "group") for m in members)


def test_users_match_the_entitlements(sim: Simulator, client: AdoClient) -> None:
    users, skipped = drain(c.collect_users(client, ORG))
    assert not skipped
    world = {u.identity.id: u for u in sim.world.users()}
    assert sorted(u.id for u in users) == sorted(world)
    for user in users:
        expected = world[user.id]
        assert user.display_name == expected.identity.display_name
        assert user.status == expected.status and user.license == expected.license_display_name
        assert user.last_accessed_at == expected.last_accessed
        assert user.email == (expected.identity.unique_name if "@" in expected.identity.unique_name else None)


def test_repositories_and_branch_refs(sim: Simulator, client: AdoClient) -> None:
    disabled = 0
    for project in sim.world.projects():
        repos, _ = drain(c.collect_repositories(client, ORG, project.id))
        world = {r.id: r for r in sim.world.repositories(project.id)}
        assert {r.id for r in repos} == set(world)
        for repo in repos:
            expected = world[repo.id]
            assert (repo.name, repo.default_branch, repo.is_disabled, repo.project_id) == (
                expected.name, expected.default_branch, expected.is_disabled, project.id)
            disabled += repo.is_disabled
            if repo.is_disabled:
                continue  # the sync fetches nothing else for a disabled repository
            refs, skipped = drain(c.collect_refs(client, ORG, project.id, repo.id))
            heads = [(ref.name, sha) for ref, sha in sim.world.refs(repo.id)
                     if ref.name.startswith("refs/heads/")]
            assert not skipped and [(r.name, r.object_id) for r in refs] == heads
    assert disabled == 1  # the tiny scenario has one disabled repository, yielded flagged


def _main_repo(sim: Simulator):
    for project in sim.world.projects():
        for repo in sim.world.repositories(project.id):
            if repo.default_branch and not repo.is_disabled:
                return project, repo
    raise AssertionError("no active repository")


def test_branch_commits_by_date(sim: Simulator, client: AdoClient) -> None:
    project, repo = _main_repo(sim)
    head = sim.world.resolve_version(repo.id, repo.default_branch, "branch")
    expected = list(sim.world.commits(repo.id, head))
    commits, skipped = drain(c.collect_commits(client, ORG, project.id, repo.id, repo.default_branch, None))
    assert not skipped and [x.sha for x in commits] == [x.sha for x in expected]
    sample, world = commits[len(commits) // 2], expected[len(commits) // 2]
    # git dates have whole seconds
    assert (sample.author_name, sample.author_email, sample.author_date, sample.committer_date) == (
        world.author.name, world.author.email, world.author.date.replace(microsecond=0),
        world.committer.date.replace(microsecond=0))
    assert sample.parents is None  # a list carries no parents
    since = expected[len(expected) // 3].committer.date.replace(microsecond=0)
    recent, _ = drain(c.collect_commits(client, ORG, project.id, repo.id, repo.default_branch, since))
    assert [x.sha for x in recent] == [
        x.sha for x in expected if x.committer.date.replace(microsecond=0) >= since]
    assert 0 < len(recent) < len(commits)


def test_resume_continues_after_the_page(sim: Simulator, client: AdoClient, monkeypatch) -> None:
    """A stored ``resume`` (JSON round trip) continues exactly after its page, never skipping one."""
    name = "git.commits.list"
    monkeypatch.setitem(eps._BY_NAME, name, dataclasses.replace(eps.endpoint(name), page_size=7))
    project, repo = _main_repo(sim)
    batches = list(c.collect_commits(client, ORG, project.id, repo.id, repo.default_branch, None))
    assert len(batches) > 2 and batches[-1].resume is None
    assert all(len(b.records) == 7 for b in batches[:-1])
    stored = json.loads(json.dumps(batches[1].resume))
    rest, _ = drain(c.collect_commits(client, ORG, project.id, repo.id, "ignored", None, resume=stored))
    assert [x.sha for x in rest] == [x.sha for b in batches[2:] for x in b.records]


def test_compare_commits_for_merged_and_squashed_pull_requests(sim: Simulator, client: AdoClient) -> None:
    seen = set()
    client.api_calls.clear()
    for summary in sim.world.pull_request_index():
        pr = sim.world.pull_request(summary.id)
        if views.pr_status(pr, sim.world.now) != "completed" or pr.merge_strategy in seen:
            continue
        project = pr.project_id
        merge = sim.world.commit(pr.repository_id, pr.merge_commit)
        base = merge.parents[0]
        batches = list(c.compare_commits(client, ORG, project, pr.repository_id, pr.merge_commit, base))
        got = [x.sha for b in batches for x in b.records]
        assert got == [x.sha for x in sim.world.commits(pr.repository_id, pr.merge_commit, base)]
        if pr.merge_strategy == "squash":
            assert got == [pr.merge_commit]
        else:  # a merge commit brings the PR's own commits
            assert set(pr.commit_shas) <= set(got) and got[0] == pr.merge_commit
        repo = pr.repository_id
        everything, _ = drain(c.compare_commits(client, ORG, project, repo, pr.merge_commit, None))
        assert [x.sha for x in everything] == [x.sha for x in sim.world.commits(repo, pr.merge_commit)]
        seen.add(pr.merge_strategy)
    assert {"squash", "noFastForward"} <= seen
    assert set(client.api_calls) == {"git.commits.list"}  # never one GET per commit


def test_is_ancestor_finds_the_rollback(sim: Simulator, client: AdoClient) -> None:
    """Classic production deployments in finish order: each consecutive pair is checked against git's
    answer; the tiny scenario holds one deliberate rollback."""
    verdicts = []
    for project in sim.world.projects():
        deployments, _ = drain(c.collect_deployments(client, ORG, project.id, None))
        releases = {r.id: r for r in drain(c.collect_releases(client, ORG, project.id, None))[0]}
        done = sorted((d for d in deployments if d.status == "succeeded"),
                      key=lambda d: (d.completed_at, d.id))
        by_env: dict[str, list] = {}
        for d in done:
            artifact = releases[d.release_id].artifacts[0]
            by_env.setdefault(d.environment_name, []).append((artifact.repo_id, artifact.source_version))
        for shipped in by_env.values():
            for (repo, previous), (_, new) in itertools.pairwise(shipped):
                expected = new != previous and not sim.world.commits(repo, new, previous)
                calls = client.api_calls["git.commits.list"]
                verdict = c.is_ancestor(client, ORG, project.id, repo, new, previous)
                assert verdict == expected
                assert client.api_calls["git.commits.list"] - calls == (0 if new == previous else 1)
                verdicts.append(verdict)
    assert verdicts.count(True) >= 1 and verdicts.count(False) > 1


def test_is_ancestor_is_strict_and_directional(sim: Simulator, client: AdoClient) -> None:
    project, repo = _main_repo(sim)
    head = sim.world.resolve_version(repo.id, repo.default_branch, "branch")
    history = list(sim.world.commits(repo.id, head))
    old = history[5].sha
    assert c.is_ancestor(client, ORG, project.id, repo.id, old, head)
    assert not c.is_ancestor(client, ORG, project.id, repo.id, head, old)
    assert not c.is_ancestor(client, ORG, project.id, repo.id, head, head.upper())


def test_no_content_endpoint_was_called(sim: Simulator) -> None:
    assert sim.log.total > 0 and sim.log.content_calls == 0


def test_dates_are_aware(sim: Simulator, client: AdoClient) -> None:
    users, _ = drain(c.collect_users(client, ORG))
    assert all(u.last_accessed_at is None or u.last_accessed_at.utcoffset() == timedelta(0) for u in users)
