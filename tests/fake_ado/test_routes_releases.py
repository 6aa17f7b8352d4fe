"""Classic releases, deployments and release definitions on the vsrm host (ENDPOINTS.md §9) against the tiny
scenario (and ``small`` for the page-size limits)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
import routes_support
from routes_support import V, all_pages, basic, fresh, get
from starlette.testclient import TestClient

from adometrics.fake_ado.app import create_app
from adometrics.fake_ado.scenario import views
from adometrics.fake_ado.state import Simulator, SimulatorConfig

RELEASE = "release/7.1/release.json"


@pytest.fixture(scope="module")
def project(msim):
    return max(msim.world.projects(), key=lambda p: len(msim.world.deployments(p.id)))


def vsrm(project, tail: str) -> str:
    return f"/_vsrm/fabrikam/{project.id}/_apis/release/{tail}"


def assert_spec(specs, operation_id: str, body) -> None:
    routes_support.assert_spec(specs, RELEASE, operation_id, body)


def example_entity(specs, operation_id: str, index: int = 0) -> dict:
    return routes_support.example_entity(specs, RELEASE, operation_id, index)


# -- releases ---------------------------------------------------------------------------------------


def test_releases_list_newest_first_with_example_fields(api, msim, project, specs):
    body = get(api, vsrm(project, "releases")).json()
    assert_spec(specs, "Releases_List", body)
    releases = msim.world.releases(project.id)
    assert [r["id"] for r in body["value"]] == sorted((r.id for r in releases), reverse=True)
    for item in body["value"]:
        assert set(example_entity(specs, "Releases_List")) <= set(item)
        assert "environments" not in item and "artifacts" not in item
        assert item["projectReference"] == {"id": project.id, "name": project.name}
    ascending = get(api, vsrm(project, "releases"), queryOrder="ascending").json()["value"]
    assert [r["id"] for r in ascending] == sorted(r.id for r in releases)


def test_releases_page_with_an_integer_token(api, msim, project):
    paged = all_pages(api, vsrm(project, "releases"), **{"$top": 3})
    ids = [r["id"] for r in paged]
    assert ids == sorted((r.id for r in msim.world.releases(project.id)), reverse=True)
    first = get(api, vsrm(project, "releases"), **{"$top": 3})
    assert first.headers["x-ms-continuationtoken"] == str(ids[3])
    up = all_pages(api, vsrm(project, "releases"), queryOrder="ascending", **{"$top": 4})
    assert [r["id"] for r in up] == sorted(ids)


def test_release_filters_and_expand(api, msim, project):
    releases = msim.world.releases(project.id)
    low = releases[len(releases) // 3].created
    high = releases[2 * len(releases) // 3].created
    window = get(
        api, vsrm(project, "releases"), minCreatedTime=low.isoformat(), maxCreatedTime=high.isoformat()
    ).json()["value"]
    assert {r["id"] for r in window} == {r.id for r in releases if low <= r.created < high}
    definition = releases[0].definition_id
    by_definition = get(api, vsrm(project, "releases"), definitionId=definition).json()["value"]
    assert {r["id"] for r in by_definition} == {r.id for r in releases if r.definition_id == definition}
    expanded = get(api, vsrm(project, "releases"), **{"$expand": "environments,artifacts"}).json()["value"]
    assert all(r["environments"] and r["artifacts"] for r in expanded)


def test_page_size_defaults_to_50_and_is_capped_at_100():
    sim = Simulator(SimulatorConfig(scenario="small"))
    project = max(sim.world.projects(), key=lambda p: len(sim.world.releases(p.id)))
    assert len(sim.world.releases(project.id)) > 100 and len(sim.world.deployments(project.id)) > 100
    with TestClient(create_app(sim), headers=basic(sim.pat)) as api:
        for what in ("releases", "deployments"):
            assert len(get(api, vsrm(project, what)).json()["value"]) == 50
            assert len(get(api, vsrm(project, what), **{"$top": 500}).json()["value"]) == 100


def test_release_get_has_environments_with_attempts_and_build_artifacts(api, msim, project, specs):
    world = msim.world
    release = max(
        world.releases(project.id),
        key=lambda r: sum(1 for d in world.deployments(project.id) if d.release_id == r.id),
    )
    body = get(api, vsrm(project, f"releases/{release.id}")).json()
    assert_spec(specs, "Releases_Get Release", body)
    assert set(example_entity(specs, "Releases_Get Release")) <= set(body)
    deployments = [d for d in world.deployments(project.id) if d.release_id == release.id]
    steps = {s["deploymentId"]: s for env in body["environments"] for s in env["deploySteps"]}
    assert set(steps) == {d.id for d in deployments}
    for dep in deployments:
        assert steps[dep.id]["attempt"] == dep.attempt and steps[dep.id]["status"] == dep.deployment_status
    artifact = body["artifacts"][0]
    model = release.artifacts[0]
    ref = artifact["definitionReference"]
    assert artifact["type"] == "Build" and artifact["alias"] == model.alias and artifact["isPrimary"]
    assert ref["sourceVersion"]["id"] == model.source_version
    assert ref["version"] == {"id": str(model.build_id), "name": model.build_number}
    assert ref["definition"]["id"] == str(model.build_definition_id)
    assert ref["branch"]["id"] == model.source_branch and ref["repository"]["id"] == model.repository_id
    assert set(example_entity(specs, "Releases_Get Release")["artifacts"][0]["definitionReference"]) <= set(
        ref
    )
    missing = api.get(vsrm(project, "releases/99999"), params=V)
    assert missing.status_code == 404


# -- deployments ------------------------------------------------------------------------------------


def test_deployments_list_with_the_deployed_commit(api, msim, project, specs):
    world = msim.world
    body = get(api, vsrm(project, "deployments"), **{"$top": 100}).json()
    assert_spec(specs, "Deployments_List", body)
    deployments = {d.id: d for d in world.deployments(project.id)}
    assert [d["id"] for d in body["value"]] == sorted(deployments, reverse=True)
    releases = {r.id: r for r in world.releases(project.id)}
    wanted = set(example_entity(specs, "Deployments_List")) | {"completedOn", "projectReference"}
    for item in body["value"]:
        model = deployments[item["id"]]
        assert wanted <= set(item)
        assert item["release"]["id"] == model.release_id
        assert (
            item["releaseEnvironment"] | {"id": model.release_environment_id, "name": model.environment_name}
            == item["releaseEnvironment"]
        )
        assert item["deploymentStatus"] == model.deployment_status
        primary = next(a for a in item["release"]["artifacts"] if a["isPrimary"])
        expected = next(a for a in releases[model.release_id].artifacts if a.is_primary)
        assert primary["definitionReference"]["sourceVersion"]["id"] == expected.source_version


def test_deployments_page_and_filter(api, msim, project):
    world = msim.world
    deployments = list(world.deployments(project.id))
    paged = all_pages(api, vsrm(project, "deployments"), queryOrder="ascending", **{"$top": 4})
    assert [d["id"] for d in paged] == sorted(d.id for d in deployments)

    def ids(**params):
        return {
            d["id"] for d in get(api, vsrm(project, "deployments"), **{"$top": 100}, **params).json()["value"]
        }

    env = deployments[0].definition_environment_id
    assert ids(definitionEnvironmentId=env) == {
        d.id for d in deployments if d.definition_environment_id == env
    }
    assert ids(deploymentStatus="succeeded") == {
        d.id for d in deployments if d.deployment_status == "succeeded"
    }
    assert ids(deploymentStatus="all") == {d.id for d in deployments}
    low = sorted(d.completed for d in deployments)[len(deployments) // 2]
    assert ids(minModifiedTime=low.isoformat()) == {d.id for d in deployments if d.completed >= low}
    assert ids(maxStartedTime=low.isoformat()) == {d.id for d in deployments if d.started < low}
    latest: dict[int, int] = {}
    for d in deployments:
        if d.attempt >= max(
            x.attempt for x in deployments if x.release_environment_id == d.release_environment_id
        ):
            latest[d.release_environment_id] = d.id
    assert ids(latestAttemptsOnly="true") == set(latest.values())


def test_a_running_deployment_has_no_completion_yet():
    sim, api = fresh()
    project = max(sim.world.projects(), key=lambda p: len(sim.world.deployments(p.id)))
    dep = sim.world.deployments(project.id)[-1]
    sim.world.now = dep.started + (dep.completed - dep.started) / 2
    item = next(d for d in get(api, vsrm(project, "deployments")).json()["value"] if d["id"] == dep.id)
    assert (item["deploymentStatus"], item["operationStatus"]) == views.deployment_state(dep, sim.world.now)[
        :2
    ]
    assert item["deploymentStatus"] == "inProgress" and "completedOn" not in item
    assert item["lastModifiedOn"] != ""
    running = get(api, vsrm(project, "deployments"), deploymentStatus="inProgress").json()["value"]
    assert dep.id in {d["id"] for d in running}
    release = get(api, vsrm(project, f"releases/{dep.release_id}")).json()
    env = next(e for e in release["environments"] if e["id"] == dep.release_environment_id)
    assert env["status"] == "inProgress"
    sim.world.now = dep.queued - timedelta(seconds=1)
    assert dep.id not in {d["id"] for d in get(api, vsrm(project, "deployments")).json()["value"]}


# -- definitions and content ------------------------------------------------------------------------


def test_release_definitions_with_environments_expanded(api, msim, project, specs):
    plain = get(api, vsrm(project, "definitions")).json()
    assert_spec(specs, "Definitions_List", plain)
    assert all("environments" not in d for d in plain["value"])
    body = get(api, vsrm(project, "definitions"), **{"$expand": "environments"}).json()
    models = {d.id: d for d in msim.world.release_definitions(project.id)}
    assert [d["id"] for d in body["value"]] == sorted(models)
    example = example_entity(specs, "Definitions_List", index=1)
    for item in body["value"]:
        assert set(example) <= set(item)
        assert [(e["id"], e["name"], e["rank"]) for e in item["environments"]] == [
            (e.id, e.name, e.rank) for e in models[item["id"]].environments
        ]
        assert all(
            set(e) <= {"id", "name", "rank", "schedules", "retentionPolicy"} for e in item["environments"]
        )
    assert [d["id"] for d in all_pages(api, vsrm(project, "definitions"), **{"$top": 1})] == sorted(models)


def test_release_logs_are_content_and_flagged(project):
    sim, api = fresh()
    release = sim.world.releases(project.id)[0]
    response = get(api, vsrm(project, f"releases/{release.id}/logs"))
    assert response.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names and all(n.endswith(".log") for n in names)
    assert [e.content for e in sim.log.entries] == [True]
    get(api, vsrm(project, f"releases/{release.id}"))
    assert sim.log.content_calls == 1
