"""Builds, build changes, timelines, build definitions and the build content routes (ENDPOINTS.md §8, §12)
against the tiny scenario."""

from __future__ import annotations

from datetime import timedelta

import pytest
import routes_support
from routes_support import V, all_pages, fresh, get

from adometrics.fake_ado.scenario import views

BUILD = "build/7.1/build.json"


@pytest.fixture(scope="module")
def project(msim):
    """The project with the most builds."""
    return max(msim.world.projects(), key=lambda p: len(msim.world.builds(p.id)))


def assert_spec(specs, operation_id: str, body) -> None:
    routes_support.assert_spec(specs, BUILD, operation_id, body)


def builds_path(project) -> str:
    return f"/fabrikam/{project.id}/_apis/build/builds"


# -- list -------------------------------------------------------------------------------------------


def test_list_returns_every_build_with_the_documented_fields(api, msim, project, specs):
    body = get(api, builds_path(project)).json()
    assert_spec(specs, "Builds_List", body)
    assert {b["id"] for b in body["value"]} == {b.id for b in msim.world.builds(project.id)}
    wanted = {
        "id",
        "buildNumber",
        "status",
        "result",
        "reason",
        "queueTime",
        "startTime",
        "finishTime",
        "definition",
        "project",
        "sourceBranch",
        "sourceVersion",
        "repository",
        "requestedFor",
        "requestedBy",
        "triggerInfo",
        "tags",
        "priority",
        "retainedByRelease",
        "uri",
        "url",
        "_links",
        "orchestrationPlan",
        "logs",
    }
    models = {b.id: b for b in msim.world.builds(project.id)}
    for item in body["value"]:
        assert wanted <= set(item)
        model = models[item["id"]]
        assert item["sourceVersion"] == model.source_version and item["result"] == model.result
        assert item["definition"]["id"] == model.definition_id
        assert item["repository"] | {"id": model.repository_id, "type": "TfsGit"} == item["repository"]
        assert item["uri"] == f"vstfs:///Build/Build/{model.id}"


@pytest.mark.parametrize(
    ("order", "field", "reverse"),
    [
        ("finishTimeAscending", "finished", False),
        ("finishTimeDescending", "finished", True),
        ("queueTimeAscending", "queued", False),
        ("queueTimeDescending", "queued", True),
        ("startTimeAscending", "started", False),
        ("startTimeDescending", "started", True),
    ],
)
def test_query_order_sorts_and_the_time_window_follows_it(api, msim, project, order, field, reverse):
    builds = list(msim.world.builds(project.id))
    ids = [b["id"] for b in get(api, builds_path(project), queryOrder=order).json()["value"]]
    expected = sorted(builds, key=lambda b: (getattr(b, field), b.id), reverse=reverse)
    assert ids == [b.id for b in expected]
    times = sorted(getattr(b, field) for b in builds)
    low, high = times[len(times) // 3], times[2 * len(times) // 3]
    window = get(
        api, builds_path(project), queryOrder=order, minTime=low.isoformat(), maxTime=high.isoformat()
    ).json()["value"]
    assert {b["id"] for b in window} == {b.id for b in builds if low <= getattr(b, field) < high}


def test_token_pages_are_disjoint_cover_everything_and_end(api, msim, project):
    paged = all_pages(api, builds_path(project), queryOrder="finishTimeAscending", **{"$top": 7})
    ids = [b["id"] for b in paged]
    assert len(ids) == len(set(ids)) == len(msim.world.builds(project.id))
    assert ids == [
        b["id"] for b in get(api, builds_path(project), queryOrder="finishTimeAscending").json()["value"]
    ]
    last = get(api, builds_path(project), **{"$top": len(ids)})
    assert "x-ms-continuationtoken" not in last.headers
    bad = api.get(builds_path(project), params={**V, "continuationToken": "not-a-token"})
    assert bad.status_code == 400


def test_a_page_boundary_survives_a_build_that_appears_between_calls():
    sim, api = fresh()
    project = max(sim.world.projects(), key=lambda p: len(sim.world.builds(p.id)))
    builds = sorted(sim.world.builds(project.id), key=lambda b: b.queued)
    sim.world.now = builds[-1].queued - timedelta(seconds=1)  # the newest build does not exist yet
    first = get(api, builds_path(project), queryOrder="queueTimeDescending", **{"$top": 5})
    sim.world.now = builds[-1].finished + timedelta(seconds=1)  # now it does, at the head of the order
    second = get(
        api,
        builds_path(project),
        queryOrder="queueTimeDescending",
        **{"$top": 5},
        continuationToken=first.headers["x-ms-continuationtoken"],
    )
    assert [b.id for b in builds[-7:-12:-1]] == [b["id"] for b in second.json()["value"]]


def test_filters(api, msim, project):
    world = msim.world
    builds = list(world.builds(project.id))

    def ids(**params):
        return {b["id"] for b in get(api, builds_path(project), **params).json()["value"]}

    definition = builds[0].definition_id
    assert ids(definitions=str(definition)) == {b.id for b in builds if b.definition_id == definition}
    assert ids(resultFilter="failed") == {b.id for b in builds if b.result == "failed"}
    assert ids(statusFilter="completed") == {b.id for b in builds}
    assert ids(statusFilter="inProgress") == set()
    assert ids(buildIds=f"{builds[0].id},{builds[1].id}") == {builds[0].id, builds[1].id}
    branch = builds[-1].source_branch
    assert ids(branchName=branch) == {b.id for b in builds if b.source_branch == branch}
    repo = builds[0].repository_id
    assert ids(repositoryId=repo, repositoryType="TfsGit") == {
        b.id for b in builds if b.repository_id == repo
    }
    assert ids(reasonFilter="pullRequest") == {b.id for b in builds if b.reason == "pullRequest"}
    assert api.get(builds_path(project), params={**V, "queryOrder": "sideways"}).status_code == 400


def test_a_running_build_has_no_result_or_finish_time_and_is_left_out_of_finish_windows():
    sim, api = fresh()
    project = max(sim.world.projects(), key=lambda p: len(sim.world.builds(p.id)))
    build = sorted(sim.world.builds(project.id), key=lambda b: b.id)[-1]
    sim.world.now = build.started + (build.finished - build.started) / 2
    body = get(api, f"{builds_path(project)}/{build.id}").json()
    assert body["status"] == "inProgress" and "result" not in body and "finishTime" not in body
    assert body["startTime"]
    running = get(api, builds_path(project), statusFilter="inProgress").json()["value"]
    assert build.id in {b["id"] for b in running}
    window = get(
        api,
        builds_path(project),
        queryOrder="finishTimeDescending",
        minTime=(sim.world.history_start).isoformat(),
    ).json()["value"]
    assert build.id not in {b["id"] for b in window}
    ordered = get(api, builds_path(project), queryOrder="finishTimeDescending").json()["value"]
    assert ordered[-1]["id"] == build.id  # unfinished builds sort after the finished ones
    sim.world.now = build.queued
    assert get(api, f"{builds_path(project)}/{build.id}").json()["status"] == "notStarted"


def test_get_and_404(api, msim, project, specs):
    build = msim.world.builds(project.id)[0]
    body = get(api, f"{builds_path(project)}/{build.id}").json()
    assert_spec(specs, "Builds_Get", body)
    assert body == next(b for b in get(api, builds_path(project)).json()["value"] if b["id"] == build.id)
    other = next(p for p in msim.world.projects() if p.id != project.id)
    missing = api.get(f"/fabrikam/{other.id}/_apis/build/builds/{build.id}", params=V)
    assert missing.status_code == 404 and missing.json()["typeKey"] == "BuildNotFoundException"


# -- changes and timeline ---------------------------------------------------------------------------


def test_changes_are_the_commits_since_the_previous_build_and_page(api, msim, project, specs):
    world = msim.world
    ci = [b for b in world.builds(project.id) if b.reason != "pullRequest"]
    build, previous = next(
        (b, p)
        for b in reversed(ci)
        for p in reversed(ci)
        if p.id < b.id and p.definition_id == b.definition_id and p.source_branch == b.source_branch
    )
    expected = [
        c.sha for c in world.commits(build.repository_id, build.source_version, previous.source_version)
    ]
    path = f"{builds_path(project)}/{build.id}/changes"
    body = get(api, path).json()
    assert_spec(specs, "Builds_Get Build Changes", body)
    assert [c["id"] for c in body["value"]] == expected
    assert all(c["type"] == "TfsGit" and c["timestamp"] for c in body["value"])
    assert [c["id"] for c in all_pages(api, path, **{"$top": 1})] == expected


def test_pull_request_build_changes_are_the_pull_request_commits(api, msim, project):
    build = next(b for b in msim.world.builds(project.id) if b.pull_request_id is not None)
    pr = msim.world.pull_request(build.pull_request_id)
    got = [c["id"] for c in get(api, f"{builds_path(project)}/{build.id}/changes").json()["value"]]
    assert got == views.pr_commit_shas(pr, build.queued)[:50]


def test_timeline_with_and_without_its_id(api, msim, project, specs):
    build = next(b for b in msim.world.builds(project.id) if msim.world.timeline(b.id))
    body = get(api, f"{builds_path(project)}/{build.id}/timeline").json()
    assert_spec(specs, "Timeline_Get", body)
    assert [r["id"] for r in body["records"]] == [r.id for r in msim.world.timeline(build.id)]
    assert all(r["state"] == "completed" for r in body["records"])
    plan = get(api, f"{builds_path(project)}/{build.id}").json()["orchestrationPlan"]["planId"]
    assert body["id"] == plan
    assert get(api, f"{builds_path(project)}/{build.id}/timeline/{plan}").json() == body
    other = api.get(
        f"{builds_path(project)}/{build.id}/timeline/00000000-0000-0000-0000-000000000000", params=V
    )
    assert other.status_code == 404


def test_timeline_records_follow_the_clock():
    sim, api = fresh()
    project = max(sim.world.projects(), key=lambda p: len(sim.world.builds(p.id)))
    build = next(b for b in reversed(sim.world.builds(project.id)) if len(sim.world.timeline(b.id)) > 2)
    records = sim.world.timeline(build.id)
    sim.world.now = min(r.finished for r in records) - timedelta(microseconds=1)
    got = {r["id"]: r for r in get(api, f"{builds_path(project)}/{build.id}/timeline").json()["records"]}
    for record in records:
        state, result, _, _ = views.timeline_state(record, sim.world.now)
        assert got[record.id]["state"] == state and got[record.id]["result"] == result
    assert all(r["finishTime"] is None for r in got.values())


def test_plan_ids_match_the_environment_deployment_records(api, msim):
    project = next(p for p in msim.world.projects() if msim.world.environments(p.id))
    env = msim.world.environments(project.id)[0]
    record = msim.world.deployment_records(env.id)[0]
    body = get(api, f"{builds_path(project)}/{record.build_id}").json()
    assert body["orchestrationPlan"]["planId"] == record.plan_id == body["plans"][0]["planId"]


# -- definitions ------------------------------------------------------------------------------------


def test_definitions_list_filters_and_latest_builds(api, msim, project, specs):
    world = msim.world
    path = f"/fabrikam/{project.id}/_apis/build/definitions"
    body = get(api, path).json()
    assert_spec(specs, "Definitions_List", body)
    definitions = world.build_definitions(project.id)
    assert [d["id"] for d in body["value"]] == sorted(d.id for d in definitions)
    for item in body["value"]:
        assert {
            "id",
            "name",
            "path",
            "type",
            "queueStatus",
            "revision",
            "createdDate",
            "project",
            "authoredBy",
            "queue",
            "url",
            "uri",
            "_links",
        } <= set(item)
        assert not {"process", "variables", "triggers", "latestBuild"} & set(item)
    target = definitions[0]
    assert [d["id"] for d in get(api, path, name=target.name).json()["value"]] == [target.id]
    assert [d["id"] for d in get(api, path, name=target.name[:2] + "*").json()["value"]] == [
        d.id for d in definitions if d.name.startswith(target.name[:2])
    ]
    by_repo = get(api, path, repositoryId=target.repository_id).json()["value"]
    assert {d["id"] for d in by_repo} == {
        d.id for d in definitions if d.repository_id == target.repository_id
    }
    latest = get(api, path, includeLatestBuilds="true").json()["value"]
    newest = max((b for b in world.builds(project.id) if b.definition_id == target.id), key=lambda b: b.id)
    item = next(d for d in latest if d["id"] == target.id)
    assert item["latestBuild"]["id"] == newest.id == item["latestCompletedBuild"]["id"]


def test_definitions_page_with_the_continuation_header(api, msim):
    project = max(msim.world.projects(), key=lambda p: len(msim.world.build_definitions(p.id)))
    path = f"/fabrikam/{project.id}/_apis/build/definitions"
    paged = all_pages(api, path, **{"$top": 1})
    assert [d["id"] for d in paged] == sorted(d.id for d in msim.world.build_definitions(project.id))


# -- content (deny-listed for the collector; served and flagged) ---------------------------------------


def test_content_routes_serve_plausible_content_and_are_flagged(msim, project):
    sim, api = fresh()
    build = next(b for b in sim.world.builds(project.id) if sim.world.timeline(b.id))
    base = builds_path(project)
    logs = get(api, f"{base}/{build.id}/logs").json()["value"]
    assert logs and all(log["url"].endswith(f"/logs/{log['id']}") for log in logs)
    text = get(api, f"{base}/{build.id}/logs/{logs[0]['id']}").text
    assert "##[section]Starting:" in text
    artifacts = get(api, f"{base}/{build.id}/artifacts").json()["value"]
    assert artifacts[0]["resource"]["type"] == "Container"
    assert get(api, f"{base}/{build.id}/artifacts", artifactName="drop").json()["name"] == "drop"
    get(api, f"{base}/{build.id}/attachments/Distributedtask.Core.Summary")
    assert (
        "stages:"
        in get(api, f"/fabrikam/{project.id}/_apis/build/definitions/{build.definition_id}/yaml").json()[
            "yaml"
        ]
    )
    run_logs = get(api, f"/fabrikam/{project.id}/_apis/pipelines/{build.definition_id}/runs/{build.id}/logs")
    assert run_logs.json()["logs"]
    flagged = [e for e in sim.log.entries if e.content]
    assert len(flagged) == len(sim.log.entries) == 7
    assert sim.log.content_calls == 7
    get(api, f"{base}/{build.id}")
    assert sim.log.content_calls == 7  # metadata routes are not content
