"""Every parser on Microsoft's official examples (``specs/**/httpExamples``): the fields we keep, and that
nothing else (descriptions, comment text, commit messages, URLs) survives parsing."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adometrics.connectors.azure_devops import parse as p
from adometrics.domain import ReviewEventKind
from adometrics.fake_ado.specs import specs_dir

ORG = "org-1"


@pytest.fixture(scope="module")
def examples() -> Path:
    root = specs_dir()
    if root is None:
        pytest.skip("the official specs are not available (set ADOMETRICS_SPECS_DIR)")
    return root


def body(root: Path, relative: str) -> Any:
    data = json.loads((root / relative).read_text(encoding="utf-8-sig"))
    return data["responses"]["200"]["body"]


def values(root: Path, relative: str) -> list[dict]:
    found = body(root, relative)
    return found["value"] if isinstance(found, dict) and "value" in found else [found]


def texts(record: Any) -> set[str]:
    """Every string a parsed record holds (nested records included)."""
    out: set[str] = set()
    for value in dataclasses.astuple(record):
        items = value if isinstance(value, tuple) else (value,)
        out.update(str(v) for v in items if isinstance(v, (str, tuple)))
    return out


def test_projects_teams_members_users(examples: Path) -> None:
    core = "core/7.1/httpExamples/"
    projects = [p.parse_project(r, ORG) for r in values(examples, core + "projects/GET__projects.json")]
    assert projects[0].id == "eb6e4656-77fc-42a1-9181-4c6d8e9da5d1"
    assert projects[0].name == "Fabrikam-Fiber-TFVC"
    assert all("Team Foundation Version Control projects." not in texts(x) for x in projects)
    raw_teams = values(examples, core + "teams/GET__projects__projectId__teams.json")
    teams = [p.parse_team(r, ORG, "proj") for r in raw_teams]
    assert (teams[0].id, teams[0].name, teams[0].project_id) == (
        "564e8204-a90b-4432-883b-d4363c6125ca", "Quality assurance", "proj")
    raw_members = values(examples, core + "members/GET__projects__projectId__teams__teamId__members4.1_.json")
    members = [p.parse_team_member(r, ORG, "team") for r in raw_members]
    assert members[0].identity_id == "3b5f0c34-4aec-4bf4-8708-1d36f0dbc468" and not members[0].is_admin
    assert [m.is_group for m in members] == [bool(r["identity"].get("isContainer")) for r in raw_members]
    raw_user = body(examples, "memberEntitlementManagement/7.1/httpExamples/UserEntitlements/"
                              "GET__memberEntitlementManagement_UserEntitlementById.json")
    user = p.parse_user(raw_user, ORG)
    assert (user.id, user.display_name, user.email) == (
        "fe2f1bdb-9779-491a-a6f6-c6e9322cfb00", "User 1", "user1@fabrikam.com")
    assert user.license == raw_user["accessLevel"]["licenseDisplayName"]
    assert user.status == raw_user["accessLevel"]["status"].lower()


def test_repositories_refs_commits(examples: Path) -> None:
    git = "git/7.1/httpExamples/"
    raw_repos = values(examples, git + "repositories/GET__git_repositories.json")
    repos = [p.parse_repository(r, ORG, "ignored") for r in raw_repos]
    assert repos[0].id == "5febef5a-833d-4e14-b9c0-14cb638f91e6"
    assert repos[0].project_id == "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c"  # from the payload
    assert not any(r.is_disabled for r in repos)
    raw_refs = values(examples, git + "refs/GET__git_repositories__repositoryId__refs_heads.json")
    refs = [p.parse_ref(r, ORG, "repo") for r in raw_refs]
    assert refs[0].name == "refs/heads/feature/calcApp"
    assert refs[0].object_id == "ffe9cba521f00d7f60e322845072238635edb451"
    raw = body(examples, git + "commits/GET__git_repositories__repositoryId__commits__commitId_.json")
    commit = p.parse_commit(raw, ORG, "repo")
    assert commit.sha == "be67f8871a4d2c75f13a51c1d3c30ac0d74d4ef4" and commit.parents == ()
    assert commit.author_name == raw["author"]["name"] and commit.author_date.tzinfo is UTC
    assert raw["comment"] not in texts(commit)
    raw_list = values(examples, git + "commits/GET__git_repositories__repositoryId__commits.json")
    listed = [p.parse_commit(r, ORG, "repo") for r in raw_list]
    assert listed and all(c.parents is None for c in listed)  # lists carry no parents: unknown


def test_pull_requests_and_reviewers(examples: Path) -> None:
    path = "git/7.1/httpExamples/pullRequests/GET__git_repositories__repositoryId__pullRequests.json"
    raw = values(examples, path)[0]
    pr = p.parse_pull_request(raw, ORG, "ignored")
    assert (pr.id, pr.repo_id, pr.project_id) == (
        22, "3411ebc1-d5aa-464f-9615-0b527bc66719", "a7573007-bbb3-4341-b726-0c4148a07853")
    assert pr.status == "active" and pr.closed_at is None and pr.title == "A new feature"
    assert pr.created_at == datetime(2016, 11, 1, 16, 30, 31, 665547, tzinfo=UTC)
    assert (pr.source_branch, pr.target_branch) == ("refs/heads/npaulk/my_work", "refs/heads/new_feature")
    assert pr.last_merge_commit == "39f52d24533cc712fc845ed9fd1b6c06b3942588"
    assert pr.creator_id == "d6245f20-2af8-44f4-9451-8107cb2767db"
    assert raw["description"] not in texts(pr)
    assert pr.fingerprint and len(pr.fingerprint) == 32
    reviewers = p.parse_pr_reviewers(raw, ORG, "ignored")
    assert [(r.identity_id, r.vote, r.pr_id) for r in reviewers] == [(pr.creator_id, 0, 22)]


def test_fingerprint_follows_only_the_listed_fields(examples: Path) -> None:
    path = "git/7.1/httpExamples/pullRequests/GET__git_repositories__repositoryId__pullRequests.json"
    raw = values(examples, path)[0]
    base = p.pr_fingerprint(raw)
    assert p.pr_fingerprint({**raw, "title": "renamed", "description": "x", "status": "Active"}) == base
    assert p.pr_fingerprint({**raw, "closedDate": "2016-11-01T16:30:31.6655471+00:00"}) != base
    voted = {**raw, "reviewers": [{**raw["reviewers"][0], "vote": 10}]}
    assert p.pr_fingerprint(voted) != base
    assert p.pr_fingerprint({**raw, "lastMergeSourceCommit": {"commitId": "1" * 40}}) != base
    assert p.pr_fingerprint({**raw, "lastMergeCommit": None}) != base
    assert p.pr_fingerprint({**raw, "status": "completed"}) != base


def test_threads_give_votes_and_human_comments_only(examples: Path) -> None:
    path = ("git/7.1/httpExamples/pullRequestThreads/"
            "GET__git_repositories__repositoryId__pullRequests__pullRequestId__threads.json")
    threads = values(examples, path)
    author = "d6245f20-2af8-44f4-9451-8107cb2767db"  # the PR's creator in the examples
    events = [e for t in threads for e in p.parse_review_events(t, ORG, "proj", 22, None)]
    votes = [e for e in events if e.kind is ReviewEventKind.VOTE]
    comments = [e for e in events if e.kind is ReviewEventKind.COMMENT]
    assert [(e.thread_id, e.comment_id, e.vote, e.actor_id) for e in votes] == [(143, 0, 10, author)]
    assert votes[0].at == datetime(2016, 11, 1, 16, 30, 36, 580000, tzinfo=UTC)
    assert sorted((e.thread_id, e.comment_id) for e in comments) == [(147, 1), (148, 1), (148, 2)]
    assert all(e.actor_is_user for e in events)
    everything = {s for e in events for s in texts(e)}
    assert not any(c.get("content") in everything for t in threads for c in t["comments"] if c.get("content"))
    # the author's own activity never counts (METRICS.md §3), whatever the spelling of the id
    assert [e for t in threads for e in p.parse_review_events(t, ORG, "proj", 22, author.upper())] == []
    assert sum(p.is_system_thread(t) for t in threads) == 6


def test_statuses(examples: Path) -> None:
    path = "git/7.1/httpExamples/pullRequestStatuses/GET_git_pullRequestStatuses_statuses.json"
    raws = values(examples, path)
    statuses = [p.parse_pr_status(r, ORG, "proj", 1) for r in raws]
    assert (statuses[0].id, statuses[0].state, statuses[0].context_name, statuses[0].context_genre) == (
        1, "succeeded", "sample-status-2", "vsts-samples")
    assert statuses[0].created_at == datetime(2017, 9, 19, 14, 50, 27, 64405, tzinfo=UTC)
    assert all(r["description"] not in texts(s) for r, s in zip(raws, statuses, strict=True))


def test_release_definitions_releases_deployments(examples: Path) -> None:
    rel = "release/7.1/httpExamples/"
    expanded = "definitions/GET__ListAllReleaseDefinitionsWithEnvironmentsExpanded.json"
    raw_defs = values(examples, rel + expanded)
    definitions = [p.parse_release_definition(r, ORG, "proj") for r in raw_defs]
    stages = [(e.id, e.name, e.rank) for e in definitions[0].environments]
    assert stages == [(1, "Dev", 1), (2, "QA", 2), (3, "PPE", 3), (4, "PROD", 4)]
    release = p.parse_release(body(examples, rel + "releases/GET__GetARelease.json"), ORG, "proj")
    artifact = release.artifacts[0]
    assert (artifact.alias, artifact.type, artifact.branch) == ("Fabrikam.CI", "Build", "refs/heads/master")
    assert (artifact.build_id, artifact.build_definition_id) == (2, 1)
    raw_list = values(examples, rel + "releases/Query_ListAllReleases.json")
    listed = [p.parse_release(r, ORG, "proj") for r in raw_list]
    assert listed and all(r.artifacts == () and r.definition_id for r in listed)
    raw_deployment = values(examples, rel + "deployments/GET__ListDeployments.json")[0]
    deployment = p.parse_deployment(raw_deployment, ORG, "p")
    assert (deployment.id, deployment.release_id, deployment.environment_name) == (79, 55, "PROD")
    assert (deployment.status, deployment.operation_status) == ("notDeployed", "phaseFailed")
    assert deployment.queued_at is None  # "0001-01-01T00:00:00"
    assert deployment.started_at == datetime(2017, 8, 29, 16, 51, 32, 90000, tzinfo=UTC)
