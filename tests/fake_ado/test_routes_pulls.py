"""Pull requests: lists, single PRs, threads, iterations, commits, reviewers and statuses (ENDPOINTS.md §6)
against the tiny scenario (and ``small`` for the default page size)."""

from __future__ import annotations

from datetime import timedelta

import routes_support
from routes_support import V, basic, fresh, get
from starlette.testclient import TestClient

from adometrics.fake_ado.app import create_app
from adometrics.fake_ado.auth import admin_identity
from adometrics.fake_ado.routes import pulls as pulls_routes
from adometrics.fake_ado.scenario import views
from adometrics.fake_ado.state import Simulator, SimulatorConfig

GIT = "git/7.1/git.json"
ALL = {"searchCriteria.status": "all"}


def assert_spec(specs, operation_id: str, body) -> None:
    """Validate against the spec's wire schema. ``properties`` is left out: the spec describes it as a
    PropertiesCollection ({count, item, keys, values}) while the wire (and the examples) carry typed bags."""
    if isinstance(body, dict) and "properties" in body:
        body = {k: v for k, v in body.items() if k != "properties"}
    routes_support.assert_spec(specs, GIT, operation_id, body)


def example_entity(specs, operation_id: str) -> dict:
    return routes_support.example_entity(specs, GIT, operation_id)


def prs(world, **kw):
    return [world.pull_request(s.id) for s in world.pull_request_index(**kw)]


def busiest(world):
    """The completed PR with the most threads (it has system threads, text threads and code comments)."""
    done = [pr for pr in prs(world) if views.pr_status(pr, world.now) == "completed"]
    return max(done, key=lambda pr: (len(pr.threads), len(pr.iterations), pr.id))


def repo_base(pr, *, project: bool = True) -> str:
    prefix = f"/fabrikam/{pr.project_id}" if project else "/fabrikam"
    return f"{prefix}/_apis/git/repositories/{pr.repository_id}"


def pr_path(pr, tail: str = "") -> str:
    return f"{repo_base(pr)}/pullRequests/{pr.id}{tail}"


# -- lists ------------------------------------------------------------------------------------------


def test_default_list_is_active_only_and_all_means_every_status(api, msim, specs):
    world = msim.world
    for project in world.projects():
        path = f"/fabrikam/{project.name}/_apis/git/pullrequests"
        everything = prs(world, project_id=project.id)
        active = [pr.id for pr in everything if views.pr_status(pr, world.now) == "active"]
        assert [p["pullRequestId"] for p in get(api, path).json()["value"]] == active
        body = get(api, path, **ALL).json()
        assert [p["pullRequestId"] for p in body["value"]] == [pr.id for pr in everything]  # newest first
        assert body["count"] == len(everything)
        assert_spec(specs, "Pull Requests_Get Pull Requests By Project", body)
        for status in ("completed", "abandoned", "active"):
            got = get(api, path, **{"searchCriteria.status": status}).json()["value"]
            assert [p["pullRequestId"] for p in got] == [
                pr.id for pr in everything if views.pr_status(pr, world.now) == status
            ]
            assert all(p["status"] == status for p in got)


def test_list_items_have_the_example_fields_but_no_closed_by(api, msim, specs):
    pr = busiest(msim.world)
    body = get(api, f"{repo_base(pr)}/pullrequests", **ALL).json()
    assert_spec(specs, "Pull Requests_Get Pull Requests", body)
    item = next(p for p in body["value"] if p["pullRequestId"] == pr.id)
    assert set(example_entity(specs, "Pull Requests_Get Pull Requests")) <= set(item)
    assert "closedBy" not in item and "_links" not in item
    assert item["closedDate"] and item["completionOptions"]["mergeStrategy"] == pr.merge_strategy
    assert item["lastMergeCommit"]["commitId"] == pr.merge_commit
    assert item["repository"]["project"] == {
        "id": pr.project_id,
        "name": msim.world.project(pr.project_id).name,
        "state": "unchanged",
    }
    assert all(p["repository"]["id"] == pr.repository_id for p in body["value"])


def test_list_truncates_descriptions_to_400_characters():
    sim, api = fresh()
    pr = busiest(sim.world)
    pr.description = "x" * 1000
    listed = next(
        p
        for p in get(api, f"{repo_base(pr)}/pullrequests", **ALL).json()["value"]
        if p["pullRequestId"] == pr.id
    )
    assert listed["description"] == "x" * 400
    assert get(api, pr_path(pr)).json()["description"] == "x" * 1000


def test_top_skip_pages_are_disjoint_and_cover_the_list(api, msim):
    project = max(msim.world.projects(), key=lambda p: len(msim.world.pull_request_index(project_id=p.id)))
    path = f"/fabrikam/{project.id}/_apis/git/pullrequests"
    expected = [s.id for s in msim.world.pull_request_index(project_id=project.id)]
    seen: list[int] = []
    skip = 0
    while True:
        page = get(api, path, **ALL, **{"$top": 7, "$skip": skip}).json()["value"]
        seen.extend(p["pullRequestId"] for p in page)
        if len(page) < 7:
            break
        skip += 7
    assert seen == expected and len(set(seen)) == len(seen)


def test_default_page_is_101_and_top_is_capped(monkeypatch):
    sim = Simulator(SimulatorConfig(scenario="small"))
    project = max(sim.world.projects(), key=lambda p: len(sim.world.pull_request_index(project_id=p.id)))
    in_project = len(sim.world.pull_request_index(project_id=project.id))
    assert in_project > 101
    assert pulls_routes.LIST_MAX == 1000  # BEHAVIOUR.md §8: $top=5000 returned 1000
    with TestClient(create_app(sim), headers=basic(sim.pat)) as api:
        path = f"/fabrikam/{project.id}/_apis/git/pullrequests"
        assert len(get(api, path, **ALL).json()["value"]) == 101
        monkeypatch.setattr(pulls_routes, "LIST_MAX", 150)
        assert len(get(api, path, **ALL, **{"$top": 5000}).json()["value"]) == min(150, in_project)


def test_search_criteria_filters(api, msim):
    world = msim.world
    project = max(world.projects(), key=lambda p: len(world.pull_request_index(project_id=p.id)))
    path = f"/fabrikam/{project.id}/_apis/git/pullrequests"
    everything = prs(world, project_id=project.id)

    def ids(**params):
        return [p["pullRequestId"] for p in get(api, path, **ALL, **params).json()["value"]]

    creator = everything[0].created_by_id
    assert ids(**{"searchCriteria.creatorId": creator}) == [
        pr.id for pr in everything if pr.created_by_id == creator
    ]
    reviewed = next(pr for pr in everything if pr.reviewers)
    reviewer = reviewed.reviewers[0].identity_id
    assert ids(**{"searchCriteria.reviewerId": reviewer}) == [
        pr.id for pr in everything if any(r.identity_id == reviewer for r in pr.reviewers)
    ]
    assert ids(**{"searchCriteria.sourceRefName": reviewed.source_ref}) == [
        pr.id for pr in everything if pr.source_ref == reviewed.source_ref
    ]
    assert ids(**{"searchCriteria.targetRefName": "refs/heads/nope"}) == []
    repo = everything[-1].repository_id
    assert ids(**{"searchCriteria.repositoryId": repo}) == [
        pr.id for pr in everything if pr.repository_id == repo
    ]


def test_time_window_on_created_or_closed(api, msim):
    world = msim.world
    project = max(world.projects(), key=lambda p: len(world.pull_request_index(project_id=p.id)))
    path = f"/fabrikam/{project.id}/_apis/git/pullrequests"
    everything = prs(world, project_id=project.id)
    low = sorted(pr.created for pr in everything)[len(everything) // 2]
    high = low + timedelta(days=30)

    def ids(**params):
        return [p["pullRequestId"] for p in get(api, path, **ALL, **params).json()["value"]]

    window = {"searchCriteria.minTime": low.isoformat(), "searchCriteria.maxTime": high.isoformat()}
    assert ids(**window) == [pr.id for pr in everything if low <= pr.created < high]
    closed = [
        pr.id for pr in everything if (c := views.pr_closed(pr, world.now)) is not None and low <= c < high
    ]
    assert ids(**window, **{"searchCriteria.queryTimeRangeType": "closed"}) == closed
    assert len(closed) > 0


def test_bad_status_is_400(api, msim):
    project = msim.world.projects()[0]
    response = api.get(
        f"/fabrikam/{project.id}/_apis/git/pullrequests", params={**V, "searchCriteria.status": "merged"}
    )
    assert response.status_code == 400


# -- single pull request ----------------------------------------------------------------------------


def test_get_by_repository_by_project_and_without_project_agree(api, msim, specs):
    pr = busiest(msim.world)
    by_repo = get(api, f"{repo_base(pr)}/pullrequests/{pr.id}").json()
    by_project = get(api, f"/fabrikam/{pr.project_id}/_apis/git/pullrequests/{pr.id}").json()
    no_project = get(api, f"{repo_base(pr, project=False)}/pullrequests/{pr.id}").json()
    assert by_repo == by_project == no_project
    assert_spec(specs, "Pull Requests_Get Pull Request", by_repo)
    listed = example_entity(specs, "Pull Requests_Get Pull Requests")
    assert set(listed) | {"_links", "artifactId", "closedBy", "completionQueueTime"} <= set(by_repo)
    assert by_repo["closedBy"]["id"] == pr.closed_by_id
    assert by_repo["status"] == "completed" and by_repo["isDraft"] is False
    assert by_repo["lastMergeSourceCommit"]["commitId"] == views.last_merge_source(pr, msim.world.now)
    assert "commits" not in by_repo
    with_commits = get(api, f"{repo_base(pr)}/pullrequests/{pr.id}", includeCommits="true").json()
    assert [c["commitId"] for c in with_commits["commits"]] == views.pr_commit_shas(pr, msim.world.now)


def test_paths_match_case_insensitively_as_ado_does(api, msim):
    pr = busiest(msim.world)
    expected = get(api, f"{repo_base(pr)}/pullrequests/{pr.id}").json()
    assert get(api, f"{repo_base(pr)}/pullRequests/{pr.id}").json() == expected
    assert get(api, f"{repo_base(pr)}/PULLREQUESTS/{pr.id}/Threads").json()["count"] == len(pr.threads)


def test_unknown_or_foreign_pull_request_is_404(api, msim):
    pr = busiest(msim.world)
    other_repo = next(r for r in msim.world.repositories() if r.id != pr.repository_id)
    for path in (
        f"/fabrikam/{other_repo.project_id}/_apis/git/repositories/{other_repo.id}/pullrequests/{pr.id}",
        f"{repo_base(pr)}/pullrequests/99999",
    ):
        response = api.get(path, params=V)
        assert response.status_code == 404
        assert response.json()["typeKey"] == "GitPullRequestNotFoundException"


def test_a_pull_request_closing_after_now_is_still_active():
    sim, api = fresh()
    pr = next(
        p
        for p in prs(sim.world)
        if p.closed and len(p.iterations) > 1 and p.reviewers and p.reviewers[0].votes
    )
    sim.world.now = min(pr.iterations[1].created, pr.reviewers[0].votes[0].at) - timedelta(seconds=1)
    body = get(api, pr_path(pr)).json()
    assert body["status"] == "active"
    for absent in ("closedDate", "closedBy", "completionOptions", "completionQueueTime"):
        assert absent not in body
    attempts = [
        t
        for t in views.visible_threads(pr, sim.world.now)
        if t.properties.get("CodeReviewThreadType", ("", ""))[1] == "MergeAttempt"
    ]
    assert attempts  # lastMergeCommit is the latest attempt's preview merge, never the completion commit
    assert body["lastMergeCommit"]["commitId"] == attempts[-1].properties["CodeReviewMergeCommit"][1]
    assert body["lastMergeCommit"]["commitId"] != pr.merge_commit
    assert {"author", "committer", "comment"} <= set(body["lastMergeCommit"])
    expected_votes = {
        r.identity_id: views.reviewer_vote(r, sim.world.now) for r in pr.reviewers if r.added <= sim.world.now
    }
    assert {r["id"]: r["vote"] for r in body["reviewers"]} == expected_votes
    listed = get(api, f"/fabrikam/{pr.project_id}/_apis/git/pullrequests").json()["value"]
    assert pr.id in [p["pullRequestId"] for p in listed]  # the default (active) list has it now
    assert body["lastMergeSourceCommit"]["commitId"] == pr.iterations[0].source_commit
    assert [r["vote"] for r in body["reviewers"] if r["id"] == pr.reviewers[0].identity_id] in ([0], [])
    threads = get(api, pr_path(pr, "/threads")).json()["value"]
    assert len(threads) == len(views.visible_threads(pr, sim.world.now)) < len(pr.threads)
    assert [i["id"] for i in get(api, pr_path(pr, "/iterations")).json()["value"]] == [1]
    assert len(get(api, pr_path(pr, "/commits")).json()["value"]) == len(pr.iterations[0].commit_shas)


def test_a_pull_request_created_after_now_does_not_exist():
    sim, api = fresh()
    pr = busiest(sim.world)
    sim.world.now = pr.created - timedelta(seconds=1)
    assert api.get(pr_path(pr), params=V).status_code == 404
    listed = get(api, f"/fabrikam/{pr.project_id}/_apis/git/pullrequests", **ALL).json()["value"]
    assert pr.id not in [p["pullRequestId"] for p in listed]


# -- threads, iterations, commits, reviewers --------------------------------------------------------


def test_threads_are_the_event_log_with_typed_property_bags(api, msim, specs):
    pr = busiest(msim.world)
    body = get(api, pr_path(pr, "/threads")).json()
    assert_spec(specs, "Pull Request Threads_List", body)
    assert [t["id"] for t in body["value"]] == [t.id for t in pr.threads]
    by_id = {t.id: t for t in pr.threads}
    example = example_entity(specs, "Pull Request Threads_List")
    for thread in body["value"]:
        model = by_id[thread["id"]]
        assert set(example) - {"status"} <= set(thread)
        assert ("status" in thread) == (not model.is_system)
        assert (thread["threadContext"] is not None) == bool(model.file_path)
        for name, (kind, value) in model.properties.items():
            assert thread["properties"][name] == {"$type": kind, "$value": value}
        for comment, source in zip(thread["comments"], model.comments, strict=True):
            assert (
                comment["author"]["id"] == source.author_id and comment["commentType"] == source.comment_type
            )
    kinds = {t["properties"].get("CodeReviewThreadType", {}).get("$value") for t in body["value"]}
    assert "VoteUpdate" in kinds
    one = get(api, pr_path(pr, f"/threads/{pr.threads[0].id}")).json()
    assert one == body["value"][0]


def test_iterations_list_and_get(api, msim, specs):
    pr = busiest(msim.world)
    body = get(api, pr_path(pr, "/iterations")).json()
    assert_spec(specs, "Pull Request Iterations_List", body)
    assert [i["id"] for i in body["value"]] == [it.id for it in pr.iterations]
    assert all("commits" not in i for i in body["value"])
    first = pr.iterations[0]
    one = get(api, pr_path(pr, f"/iterations/{first.id}"), includeCommits="true").json()
    assert one["sourceRefCommit"]["commitId"] == first.source_commit
    assert one["push"]["pushId"] == first.push_id and one["reason"] == first.reason
    assert [c["commitId"] for c in one["commits"]] == first.commit_shas
    missing = api.get(pr_path(pr, "/iterations/99"), params=V)
    assert missing.status_code == 404


def test_pr_commits_page_with_the_continuation_header(api, msim, specs):
    pr = max(prs(msim.world), key=lambda p: len(views.pr_commit_shas(p, msim.world.now)))
    expected = views.pr_commit_shas(pr, msim.world.now)
    assert len(expected) >= 3
    seen: list[str] = []
    token = None
    for _ in range(len(expected) + 1):
        params = {"$top": 2, **({"continuationToken": token} if token else {})}
        response = get(api, pr_path(pr, "/commits"), **params)
        assert_spec(specs, "Pull Request Commits_Get Pull Request Commits", response.json())
        seen.extend(c["commitId"] for c in response.json()["value"])
        token = response.headers.get("x-ms-continuationtoken")
        if token is None:
            break
    assert seen == expected
    assert api.get(pr_path(pr, "/commits"), params={**V, "continuationToken": "garbage"}).status_code == 400


def test_iteration_commits_use_top_and_skip(api, msim):
    pr = max(prs(msim.world), key=lambda p: max(len(it.commit_shas) for it in p.iterations))
    it = max(pr.iterations, key=lambda i: len(i.commit_shas))
    path = pr_path(pr, f"/iterations/{it.id}/commits")
    assert [c["commitId"] for c in get(api, path).json()["value"]] == it.commit_shas
    assert [c["commitId"] for c in get(api, path, top=1, skip=1).json()["value"]] == it.commit_shas[1:2]


def test_reviewers_list_matches_the_pull_request(api, msim, specs):
    pr = next(p for p in prs(msim.world) if len(p.reviewers) >= 1)
    body = get(api, pr_path(pr, "/reviewers")).json()
    assert_spec(specs, "Pull Request Reviewers_List", body)
    assert body["value"] == get(api, pr_path(pr)).json()["reviewers"]
    for reviewer, model in zip(body["value"], pr.reviewers, strict=True):
        assert reviewer["id"] == model.identity_id
        assert reviewer["vote"] == views.reviewer_vote(model, msim.world.now)
        assert reviewer["hasDeclined"] == model.has_declined and reviewer["isFlagged"] is False
        assert reviewer.get("isRequired", False) == model.is_required


def test_a_team_reviewer_lists_its_members_who_voted(api, msim):
    world = msim.world

    def team_of(pr):
        teams = {t.id: t for t in world.teams(pr.project_id)}
        return next((teams[r.identity_id] for r in pr.reviewers if r.identity_id in teams), None)

    pr = next(
        p
        for p in prs(world)
        if team_of(p)
        and any(
            views.reviewer_vote(r, world.now) for r in p.reviewers if r.identity_id in team_of(p).member_ids
        )
    )
    team = team_of(pr)
    body = get(api, pr_path(pr, "/reviewers")).json()["value"]
    group = next(r for r in body if r["id"] == team.id)
    assert group["isContainer"] is True
    expected = {
        r.identity_id: views.reviewer_vote(r, world.now)
        for r in pr.reviewers
        if r.identity_id in team.member_ids and views.reviewer_vote(r, world.now) != 0
    }
    assert {v["id"]: v["vote"] for v in group["votedFor"]} == expected
    assert all("votedFor" not in r for r in body if not r.get("isContainer"))


def test_is_draft_follows_the_clock():
    sim, api = fresh()
    pr = next(p for p in prs(sim.world) if p.draft_until and p.draft_until < sim.world.now)
    sim.world.now = pr.draft_until - timedelta(seconds=1)
    assert get(api, pr_path(pr)).json()["isDraft"] is True
    sim.world.now = pr.draft_until
    assert get(api, pr_path(pr)).json()["isDraft"] is False


# -- statuses ---------------------------------------------------------------------------------------


def test_status_list_and_get(api, msim, specs):
    pr = next(p for p in prs(msim.world) if views.visible_statuses(p, msim.world.now))
    visible = views.visible_statuses(pr, msim.world.now)
    body = get(api, pr_path(pr, "/statuses")).json()
    assert_spec(specs, "Pull Request Statuses_List", body)
    assert [s["id"] for s in body["value"]] == [s.id for s in visible]
    assert all("_links" not in s for s in body["value"])
    one = get(api, pr_path(pr, f"/statuses/{pr.statuses[0].id}")).json()
    assert one["_links"]["self"]["href"].endswith(f"/pullRequests/{pr.id}/statuses/{pr.statuses[0].id}")
    iteration = pr.statuses[0].iteration_id
    per_iteration = get(api, pr_path(pr, f"/iterations/{iteration}/statuses")).json()["value"]
    assert {s["id"] for s in per_iteration} == {s.id for s in visible if s.iteration_id == iteration}


def test_post_status_stores_it_and_returns_the_created_status(specs):
    sim, api = fresh()
    pr = busiest(sim.world)
    before = len(pr.statuses)
    body = {
        "state": "succeeded",
        "description": "Review latency within target",
        "context": {"genre": "engineering-metrics", "name": "review-latency"},
        "targetUrl": "https://metrics.example.com/pr/1",
        "properties": {"weight": 1.5, "count": 3},
    }
    response = api.post(pr_path(pr, "/statuses"), params=V, json=body)
    assert response.status_code == 200, response.text
    created = response.json()
    assert_spec(specs, "Pull Request Statuses_Create", created)
    assert created["id"] == max(s.id for s in pr.statuses) and len(pr.statuses) == before + 1
    assert created["context"] == body["context"] and created["state"] == "succeeded"
    assert created["createdBy"]["id"] == admin_identity(sim.world)
    assert created["properties"]["weight"] == {"$type": "System.Double", "$value": 1.5}
    assert "iterationId" not in created
    listed = get(api, pr_path(pr, "/statuses")).json()["value"]
    assert listed[-1]["id"] == created["id"]


def test_iteration_status_post_and_the_iteration_id_rule():
    sim, api = fresh()
    pr = busiest(sim.world)
    last = pr.iterations[-1].id
    ok = api.post(
        pr_path(pr, f"/iterations/{last}/statuses"),
        params=V,
        json={"state": "pending", "context": {"name": "check"}},
    )
    assert ok.status_code == 200 and ok.json()["iterationId"] == last
    assert ok.json()["_links"]["self"]["href"].endswith(f"/iterations/{last}/statuses/{ok.json()['id']}")
    clash = api.post(
        pr_path(pr, f"/iterations/{last}/statuses"),
        params=V,
        json={"iterationId": last + 1, "state": "pending", "context": {"name": "check"}},
    )
    assert clash.status_code == 400
    in_body = api.post(
        pr_path(pr, "/statuses"),
        params=V,
        json={"iterationId": last, "state": "failed", "context": {"name": "check"}},
    )
    assert in_body.status_code == 200 and in_body.json()["iterationId"] == last
    unnamed = api.post(
        pr_path(pr, "/statuses"), params=V, json={"state": "failed", "context": {"genre": "g"}}
    )
    assert unnamed.status_code == 400


def test_patch_removes_statuses_all_or_nothing():
    sim, api = fresh()
    pr = busiest(sim.world)
    created = [
        api.post(pr_path(pr, "/statuses"), params=V, json={"context": {"name": f"c{i}"}}).json()["id"]
        for i in range(2)
    ]
    patch = {"Content-Type": "application/json-patch+json"}
    bad = api.patch(
        pr_path(pr, "/statuses"),
        params=V,
        headers=patch,
        content=f'[{{"op": "remove", "path": "/{created[0]}"}}, {{"op": "remove", "path": "/9999"}}]',
    )
    assert bad.status_code == 404
    assert {s.id for s in pr.statuses} >= set(created)
    wrong_op = api.patch(
        pr_path(pr, "/statuses"),
        params=V,
        headers=patch,
        content=f'[{{"op": "replace", "path": "/{created[0]}", "value": 1}}]',
    )
    assert wrong_op.status_code == 400
    done = api.patch(
        pr_path(pr, "/statuses"),
        params=V,
        headers=patch,
        content=f'[{{"op": "remove", "path": "/{created[0]}"}}]',
    )
    assert done.status_code == 200
    remaining = [s["id"] for s in get(api, pr_path(pr, "/statuses")).json()["value"]]
    assert created[0] not in remaining and created[1] in remaining


def test_status_write_needs_a_status_scope_but_reading_does_not():
    sim, _ = fresh()
    pr = busiest(sim.world)
    token = sim.auth.add_pat("code-only", admin_identity(sim.world), {"vso.code"}).token
    with TestClient(create_app(sim), headers=basic(token)) as api:
        assert api.get(pr_path(pr, "/statuses"), params=V).status_code == 200
        refused = api.post(pr_path(pr, "/statuses"), params=V, json={"context": {"name": "x"}})
        assert refused.status_code == 401
