"""Repositories, refs, branch stats, pushes, commits, commitsbatch, statuses and policies (ENDPOINTS.md §4–5,
§7, §13.1) against the tiny scenario."""

from __future__ import annotations

from datetime import timedelta

import pytest
import routes_support
from routes_support import V, base, get

from adometrics.fake_ado.routes import gitcommits

GIT = "git/7.1/git.json"


@pytest.fixture(scope="module")
def repo(msim):
    """The active repository with the most commits."""
    active = [r for r in msim.world.repositories() if r.default_branch and not r.is_disabled]
    return max(active, key=lambda r: len(msim.world.commits(r.id, head(msim, r))))


def head(msim, repo, branch: str | None = None) -> str:
    return msim.world.resolve_version(repo.id, branch or repo.default_branch, "branch")


def assert_spec(specs, operation_id: str, body, spec: str = GIT) -> None:
    routes_support.assert_spec(specs, spec, operation_id, body)


def example_entity(specs, operation_id: str, index: int = 0, spec: str = GIT) -> dict:
    return routes_support.example_entity(specs, spec, operation_id, index)


def ancestors(msim, repo, sha: str) -> set[str]:
    """Reachable commits computed from ``parents`` alone (independent of World.commits)."""
    seen: set[str] = set()
    stack = [sha]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(msim.world.commit(repo.id, current).parents)
    return seen


# -- repositories -----------------------------------------------------------------------------------


def test_repositories_list_includes_disabled_ones(api, msim, specs):
    project = msim.world.project(next(r for r in msim.world.repositories() if r.is_disabled).project_id)
    body = get(api, f"/fabrikam/{project.name}/_apis/git/repositories").json()
    expected = {r.id: r for r in msim.world.repositories(project.id)}
    assert {r["id"] for r in body["value"]} == set(expected)
    assert any(r["isDisabled"] for r in body["value"])
    assert_spec(specs, "Repositories_List", body)
    wanted = set(example_entity(specs, "Repositories_List")) | {"sshUrl", "webUrl", "size", "isDisabled"}
    for item in body["value"]:
        assert (wanted - {"defaultBranch"}) <= set(item)
        assert ("defaultBranch" in item) == bool(expected[item["id"]].default_branch)
        assert item["project"]["id"] == project.id


def test_organization_wide_repository_list(api, msim):
    body = get(api, "/fabrikam/_apis/git/repositories").json()
    assert {r["id"] for r in body["value"]} == {r.id for r in msim.world.repositories()}


def test_repository_by_name_or_id_in_both_path_forms(api, msim, repo, specs):
    project = msim.world.project(repo.project_id)
    by_id = get(api, base(repo)).json()
    by_name = get(api, f"/fabrikam/{project.name.upper()}/_apis/git/repositories/{repo.name.upper()}").json()
    org_form = get(api, base(repo, project=False)).json()
    assert by_id == by_name == org_form
    assert set(example_entity(specs, "Repositories_Get Repository")["_links"]) <= set(by_id["_links"])
    assert_spec(specs, "Repositories_Get Repository", by_id)


def test_unknown_repository_is_tf401019(api, repo):
    for path in (
        f"/fabrikam/{repo.project_id}/_apis/git/repositories/nope",
        f"/fabrikam/_apis/git/repositories/{repo.name}",  # a name needs the project
        f"/fabrikam/{repo.project_id}/_apis/git/repositories/nope/refs",
    ):
        response = api.get(path, params=V)
        assert response.status_code == 404
        body = response.json()
        assert body["typeKey"] == "GitRepositoryNotFoundException"
        assert body["message"].startswith("TF401019: The Git repository with name or identifier")


def test_unknown_project_is_tf200016(api, repo):
    response = api.get(f"/fabrikam/Nowhere/_apis/git/repositories/{repo.id}/refs", params=V)
    assert response.status_code == 404
    assert response.json()["message"].startswith("TF200016:")


def test_disabled_repository_can_be_read_but_not_its_contents(api, msim):
    disabled = next(r for r in msim.world.repositories() if r.is_disabled)
    assert get(api, base(disabled)).json()["isDisabled"] is True
    assert api.get(base(disabled) + "/commits", params=V).status_code == 404


# -- refs and branch stats ----------------------------------------------------------------------------


def test_refs_all_filtered_and_contains(api, msim, repo, specs):
    refs = msim.world.refs(repo.id)
    body = get(api, base(repo) + "/refs").json()
    assert [r["name"] for r in body["value"]] == [r.name for r, _ in refs]
    assert_spec(specs, "Refs_List", body)
    assert set(example_entity(specs, "Refs_List")) <= set(body["value"][0])
    heads = get(api, base(repo) + "/refs", filter="heads/").json()["value"]
    assert heads and all(r["name"].startswith("refs/heads/") for r in heads)
    word = heads[0]["name"].rsplit("/", 1)[-1].upper()
    contains = get(api, base(repo) + "/refs", filter="heads/", filterContains=word).json()["value"]
    assert contains and all(word.casefold() in r["name"].casefold() for r in contains)


def test_refs_page_by_continuation_token(api, msim, repo):
    everything = [r.name for r, _ in msim.world.refs(repo.id)]
    seen: list[str] = []
    token = None
    for _ in range(len(everything)):
        params = {"$top": 5, **({"continuationToken": token} if token else {})}
        response = get(api, base(repo) + "/refs", **params)
        assert response.json()["count"] <= 5
        seen += [r["name"] for r in response.json()["value"]]
        token = response.headers.get("x-ms-continuationtoken")
        if token is None:
            break
    assert token is None and seen == everything
    assert api.get(base(repo) + "/refs", params={**V, "$top": 1001}).json()["count"] == len(everything)


def test_branch_stats_against_the_default_branch(api, msim, repo):
    body = get(api, base(repo) + "/stats/branches").json()
    default = repo.default_branch.removeprefix("refs/heads/")
    stats = {s["name"]: s for s in body["value"]}
    assert stats[default]["aheadCount"] == stats[default]["behindCount"] == 0
    assert stats[default]["isBaseVersion"] is True
    other = next(n for n in stats if n != default)
    branch_head = head(msim, repo, "refs/heads/" + other)
    main = ancestors(msim, repo, head(msim, repo))
    assert stats[other]["aheadCount"] == len(ancestors(msim, repo, branch_head) - main)
    one = get(api, base(repo) + "/stats/branches", name=other).json()
    assert one == stats[other]


# -- pushes -----------------------------------------------------------------------------------------


def test_pushes_newest_first_with_disjoint_pages(api, msim, repo, specs):
    pushes = [p.id for p in msim.world.pushes(repo.id)]
    first = get(api, base(repo) + "/pushes").json()
    assert [p["pushId"] for p in first["value"]] == pushes[:100]
    assert_spec(specs, "Pushes_List", first)
    assert set(example_entity(specs, "Pushes_List")) <= set(first["value"][0])
    pages = [
        get(api, base(repo) + "/pushes", **{"$top": 40, "$skip": k}).json()["value"]
        for k in range(0, len(pushes) + 40, 40)
    ]
    ids = [p["pushId"] for page in pages for p in page]
    assert ids == pushes and pages[-1] == []


def test_push_filters_with_and_without_prefix(api, msim, repo):
    pushes = list(msim.world.pushes(repo.id))
    middle = pushes[len(pushes) // 2].date
    start, end = (middle - timedelta(days=10)), middle
    expected = [p.id for p in pushes if start <= p.date <= end]
    assert expected
    for prefix in ("searchCriteria.", ""):
        body = get(
            api,
            base(repo) + "/pushes",
            **{f"{prefix}fromDate": start.isoformat(), f"{prefix}toDate": end.isoformat(), "$top": 1000},
        ).json()
        assert [p["pushId"] for p in body["value"]] == expected
    pusher = pushes[0].pushed_by
    mine = get(api, base(repo) + "/pushes", **{"searchCriteria.pusherId": pusher, "$top": 1000}).json()
    assert [p["pushId"] for p in mine["value"]] == [p.id for p in pushes if p.pushed_by == pusher]
    ref = repo.default_branch
    updates = get(api, base(repo) + "/pushes", refName=ref, includeRefUpdates="true").json()["value"]
    assert updates and all(any(u["name"] == ref for u in p["refUpdates"]) for p in updates)


def test_one_push_with_commits(api, msim, repo):
    push = next(p for p in msim.world.pushes(repo.id) if len(p.commit_shas) > 1)
    plain = get(api, base(repo) + f"/pushes/{push.id}").json()
    assert plain["commits"] == [] and "refUpdates" not in plain
    assert {"self", "repository", "commits", "pusher"} <= set(plain["_links"])
    full = get(api, base(repo) + f"/pushes/{push.id}", includeCommits=1, includeRefUpdates="true").json()
    assert [c["commitId"] for c in full["commits"]] == push.commit_shas[:1]
    assert full["refUpdates"][0]["newObjectId"] == push.ref_updates[0].new_object_id
    assert api.get(base(repo) + "/pushes/999999", params=V).status_code == 404
    commits = get(api, base(repo) + "/commits", pushId=push.id).json()["value"]
    assert [c["commitId"] for c in commits] == push.commit_shas and "_links" in commits[0]


# -- commits ----------------------------------------------------------------------------------------


def test_commit_list_defaults_to_100_of_the_default_branch_without_parents(api, msim, repo, specs):
    log = [c.sha for c in msim.world.commits(repo.id, head(msim, repo))]
    response = get(api, base(repo) + "/commits")
    body = response.json()
    assert [c["commitId"] for c in body["value"]] == log[:100]
    assert ('rel="next"' in response.headers.get("link", "")) == (len(log) > 100)
    assert_spec(specs, "Commits_Get Commits", body)
    for commit in body["value"]:
        assert "parents" not in commit and "changes" not in commit and "push" not in commit
        assert set(commit) >= {
            "commitId",
            "author",
            "committer",
            "comment",
            "changeCounts",
            "url",
            "remoteUrl",
        }
        assert "." not in commit["author"]["date"]  # git dates have whole seconds


def test_commit_list_default_page_size_applies(api, msim, repo, monkeypatch):
    assert gitcommits.DEFAULT_TOP == 100
    monkeypatch.setattr(gitcommits, "DEFAULT_TOP", 10)
    log = [c.sha for c in msim.world.commits(repo.id, head(msim, repo))]
    response = get(api, base(repo) + "/commits")
    assert [c["commitId"] for c in response.json()["value"]] == log[:10]
    assert response.headers["link"].endswith('/commits>;rel="next"')
    with_push = get(api, base(repo) + "/commits", includePushData="true").json()["value"]
    assert all(c["push"]["pushId"] == msim.world.commit(repo.id, c["commitId"]).push_id for c in with_push)


@pytest.mark.parametrize("prefix", ["searchCriteria.", ""])
def test_commit_pages_are_disjoint_and_cover_the_log(api, msim, repo, prefix):
    log = [c.sha for c in msim.world.commits(repo.id, head(msim, repo))]
    ids: list[str] = []
    for skip in range(0, len(log) + 30, 30):
        page = get(api, base(repo) + "/commits", **{f"{prefix}$top": 30, f"{prefix}$skip": skip}).json()
        ids += [c["commitId"] for c in page["value"]]
    assert ids == log


def test_item_and_compare_version_give_one_side_of_the_range(api, msim, repo):
    main = head(msim, repo)
    branch = next(
        r
        for r, sha in msim.world.refs(repo.id)
        if r.name.startswith("refs/heads/") and ancestors(msim, repo, sha) - ancestors(msim, repo, main)
    )
    tip = head(msim, repo, branch.name)
    only_branch = ancestors(msim, repo, tip) - ancestors(msim, repo, main)
    only_main = ancestors(msim, repo, main) - ancestors(msim, repo, tip)
    params = {
        "searchCriteria.itemVersion.version": repo.default_branch.removeprefix("refs/heads/"),
        "searchCriteria.compareVersion.version": branch.name.removeprefix("refs/heads/"),
        "$top": 5000,
    }
    body = get(api, base(repo) + "/commits", **params).json()
    assert {c["commitId"] for c in body["value"]} == only_branch
    swapped = {
        "itemVersion.version": tip,
        "itemVersion.versionType": "commit",
        "compareVersion.version": main,
        "compareVersion.versionType": "commit",
        "$top": 5000,
    }
    assert {c["commitId"] for c in get(api, base(repo) + "/commits", **swapped).json()["value"]} == only_main


def test_item_version_alone_walks_that_branch(api, msim, repo):
    tip = next(sha for r, sha in msim.world.refs(repo.id) if r.name != repo.default_branch)
    body = get(
        api,
        base(repo) + "/commits",
        **{"itemVersion.version": tip, "itemVersion.versionType": "commit", "$top": 5000},
    ).json()
    assert {c["commitId"] for c in body["value"]} == ancestors(msim, repo, tip)
    bad = api.get(base(repo) + "/commits", params={**V, "itemVersion.version": "no-such-branch"})
    assert bad.status_code == 404 and bad.json()["message"].startswith("TF401175")


def test_commit_date_filters_accept_iso_and_us_dates(api, msim, repo):
    log = list(msim.world.commits(repo.id, head(msim, repo)))
    day = log[len(log) // 2].committer.date.replace(hour=0, minute=0, second=0, microsecond=0)
    expected = [
        c.sha for c in log if day <= c.committer.date.replace(microsecond=0) <= day + timedelta(days=2)
    ]
    assert expected
    us = {
        "searchCriteria.fromDate": day.strftime("%m/%d/%Y %I:%M:%S %p"),
        "searchCriteria.toDate": (day + timedelta(days=2)).strftime("%m/%d/%Y %I:%M:%S %p"),
        "$top": 5000,
    }
    iso = {"fromDate": day.isoformat(), "toDate": (day + timedelta(days=2)).isoformat(), "$top": 5000}
    for params in (us, iso):
        assert [
            c["commitId"] for c in get(api, base(repo) + "/commits", **params).json()["value"]
        ] == expected


def test_author_ids_and_oldest_first(api, msim, repo):
    log = list(msim.world.commits(repo.id, head(msim, repo)))
    author = log[0].author
    by_author = get(
        api, base(repo) + "/commits", **{"searchCriteria.author": author.name, "$top": 5000}
    ).json()
    assert [c["commitId"] for c in by_author["value"]] == [c.sha for c in log if c.author.name == author.name]
    by_user = get(api, base(repo) + "/commits", user=author.email, **{"$top": 5000}).json()
    assert {c["commitId"] for c in by_user["value"]} == {
        c.sha for c in log if c.committer.email == author.email
    }
    ids = get(api, base(repo) + "/commits", **{"searchCriteria.ids": f"{log[3].sha},{log[1].sha}"}).json()
    assert [c["commitId"] for c in ids["value"]] == [log[3].sha, log[1].sha]
    oldest = get(api, base(repo) + "/commits", showOldestCommitsFirst="true", **{"$top": 3}).json()
    assert [c["commitId"] for c in oldest["value"]] == [c.sha for c in reversed(log)][:3]


def test_single_commit_has_parents_tree_and_push(api, msim, repo, specs):
    commit = msim.world.commits(repo.id, head(msim, repo))[0]
    body = get(api, base(repo) + f"/commits/{commit.sha}").json()
    assert body["parents"] == list(commit.parents) and body["treeId"] == commit.tree_id
    assert body["push"]["pushId"] == commit.push_id
    assert set(example_entity(specs, "Commits_Get")) <= set(body)
    assert "changes" not in body
    assert_spec(specs, "Commits_Get", body)
    assert get(api, base(repo, project=False) + f"/commits/{commit.sha}").json() == body
    assert api.get(base(repo) + "/commits/" + "0" * 40, params=V).status_code == 404


def test_change_count_embeds_changes_and_flags_the_request_as_content(api, msim, repo):
    commit = msim.world.commits(repo.id, head(msim, repo))[0]
    get(api, base(repo) + f"/commits/{commit.sha}")
    assert msim.log.entries[-1].content is False
    before = msim.log.content_by_endpoint["git.commit"]
    body = get(api, base(repo) + f"/commits/{commit.sha}", changeCount=2).json()
    assert msim.log.entries[-1].content is True
    assert msim.log.content_by_endpoint["git.commit"] == before + 1
    assert len(body["changes"]) == min(2, sum(commit.change_counts))
    listed = get(api, base(repo) + "/commits", changeCount=1, **{"$top": 2}).json()
    assert msim.log.entries[-1].content is True and all("changes" in c for c in listed["value"])


def test_commits_batch_by_ids_range_and_paging(api, msim, repo, specs):
    log = [c.sha for c in msim.world.commits(repo.id, head(msim, repo))]
    by_ids = api.post(base(repo) + "/commitsbatch", params=V, json={"ids": log[:2]})
    assert by_ids.status_code == 200
    assert [c["commitId"] for c in by_ids.json()["value"]] == log[:2]
    assert_spec(specs, "Commits_Get Commits Batch", by_ids.json())
    ranged = api.post(
        base(repo) + "/commitsbatch",
        params=V,
        json={
            "itemVersion": {"versionType": "commit", "version": log[10]},
            "compareVersion": {"versionType": "commit", "version": log[0]},
        },
    )
    assert {c["commitId"] for c in ranged.json()["value"]} == (
        ancestors(msim, repo, log[0]) - ancestors(msim, repo, log[10])
    )
    page = api.post(
        base(repo) + "/commitsbatch", params={**V, "$top": 5, "$skip": 5}, json={"$top": 50}
    ).json()
    assert [c["commitId"] for c in page["value"]] == log[5:10]
    body_page = api.post(base(repo) + "/commitsbatch", params=V, json={"$top": 3, "$skip": 1}).json()
    assert [c["commitId"] for c in body_page["value"]] == log[1:4]
    too_many = api.post(base(repo) + "/commitsbatch", params={**V, "$top": 50_001}, json={})
    assert too_many.status_code == 400


# -- commit statuses ----------------------------------------------------------------------------------


def built_shas(msim, repo) -> set[str]:
    return {
        b.source_version
        for p in msim.world.projects()
        for b in msim.world.builds(p.id)
        if b.repository_id == repo.id
    }


def test_commit_statuses_post_then_list(api, msim, repo, specs):
    built = built_shas(msim, repo)
    sha = next(c.sha for c in msim.world.commits(repo.id, head(msim, repo)) if c.sha not in built)
    path = base(repo) + f"/commits/{sha}/statuses"
    for state in ("pending", "succeeded"):
        created = api.post(
            path,
            params=V,
            json={
                "state": state,
                "description": "CI",
                "targetUrl": "http://ci/1",
                "context": {"name": "build", "genre": "adometrics"},
            },
        )
        assert created.status_code == 201
    api.post(path, params=V, json={"state": "failed", "context": {"name": "lint", "genre": "adometrics"}})
    every = get(api, path).json()
    assert [s["state"] for s in every["value"]] == ["failed", "succeeded", "pending"]
    assert_spec(specs, "Statuses_List", every)
    assert set(example_entity(specs, "Statuses_List")) <= set(every["value"][0])
    latest = get(api, path, latestOnly="true").json()
    assert [s["state"] for s in latest["value"]] == ["failed", "succeeded"]
    assert [s["state"] for s in get(api, path, top=1, skip=1).json()["value"]] == ["succeeded"]
    refs = get(api, base(repo) + "/refs", includeStatuses="true").json()["value"]
    assert all("statuses" in r for r in refs)


def test_builds_post_statuses_to_their_commits(api, msim, repo, specs):
    """Azure Pipelines' statuses: pending when queued and running, then the result, by the TFS identity."""
    builds = [
        b
        for p in msim.world.projects()
        for b in msim.world.builds(p.id)
        if b.repository_id == repo.id and b.finished <= msim.world.now and b.reason != "pullRequest"
    ]
    build = builds[-1]
    same_commit = [b for b in builds if b.source_version == build.source_version]
    body = get(api, base(repo) + f"/commits/{build.source_version}/statuses").json()
    assert body["count"] == 3 * len(same_commit)
    newest = body["value"][0]
    final = {
        "succeeded": "succeeded",
        "partiallySucceeded": "succeeded",
        "failed": "failed",
        "canceled": "error",
    }
    latest_build = max(same_commit, key=lambda b: b.finished)
    assert newest["state"] == final[latest_build.result]
    assert newest["context"]["genre"] == "continuous-integration"
    assert newest["context"]["name"].startswith("build/")
    assert newest["targetUrl"] == f"vstfs:///Build/Build/{latest_build.id}"
    assert newest["createdBy"]["displayName"] == "Microsoft.VisualStudio.Services.TFS"
    assert [s["state"] for s in body["value"][-2:]] == ["pending", "pending"]
    assert_spec(specs, "Statuses_List", body)
    latest = get(api, base(repo) + f"/commits/{build.source_version}/statuses", latestOnly="true").json()
    assert latest["count"] == len({b.definition_id for b in same_commit})


def test_commit_status_validation(api, msim, repo):
    sha = msim.world.commits(repo.id, head(msim, repo))[6].sha
    path = base(repo) + f"/commits/{sha}/statuses"
    assert api.post(path, params=V, json={"state": "succeeded"}).status_code == 400
    assert api.post(path, params=V, json={"state": "great", "context": {"name": "x"}}).status_code == 400
    assert (
        api.post(
            base(repo) + "/commits/" + "1" * 40 + "/statuses",
            params=V,
            json={"state": "succeeded", "context": {"name": "x"}},
        ).status_code
        == 404
    )


# -- policy configurations ----------------------------------------------------------------------------


def test_policy_configurations_and_their_token(api, msim, repo, specs):
    path = f"/fabrikam/{repo.project_id}/_apis/git/policy/configurations"
    body = get(api, path).json()
    active = [r for r in msim.world.repositories(repo.project_id) if r.default_branch and not r.is_disabled]
    assert body["count"] == len(active)
    # git.json types ``settings`` as a string (format JObject); policy.json and the example say object.
    assert_spec(specs, "Configurations_List", body, spec="policy/7.1/policy.json")
    policy = body["value"][0]
    assert policy["settings"]["minimumApproverCount"] >= 1
    example = example_entity(specs, "Configurations_List", spec="policy/7.1/policy.json")
    assert set(example) <= set(policy)
    mine = get(api, path, repositoryId=repo.id, refName=repo.default_branch).json()
    assert [p["settings"]["scope"][0]["repositoryId"] for p in mine["value"]] == [repo.id]
    legacy = get(api, f"/fabrikam/{repo.project_id}/_apis/policy/configurations").json()
    assert legacy == body


def test_policy_configuration_token_paging(api, msim):
    project = max(msim.world.projects(), key=lambda p: len(msim.world.repositories(p.id)))
    path = f"/fabrikam/{project.id}/_apis/git/policy/configurations"
    everything = [p["id"] for p in get(api, path).json()["value"]]
    seen, token = [], None
    for _ in range(len(everything) + 1):
        response = get(api, path, **{"$top": 1, **({"continuationToken": token} if token else {})})
        seen += [p["id"] for p in response.json()["value"]]
        token = response.headers.get("x-ms-continuationtoken")
        if token is None:
            break
    assert seen == everything
