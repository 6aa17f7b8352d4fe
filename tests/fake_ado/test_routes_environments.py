"""YAML environments and their deployment records (ENDPOINTS.md §10): the 7.1 ``distributedtask`` routes
(``vso.environment_manage`` only) and the 7.2-preview ``pipelines`` routes (also ``vso.build``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from routes_support import assert_spec, basic
from starlette.testclient import TestClient

from adometrics.fake_ado.app import create_app
from adometrics.fake_ado.auth import admin_identity
from adometrics.fake_ado.scenario import views
from adometrics.fake_ado.state import Simulator, SimulatorConfig

V71 = {"api-version": "7.1"}
V72 = {"api-version": "7.2-preview.1"}
SPEC71 = "distributedTask/7.1/taskAgent.json"
SPEC72 = "environments/7.2/environments.json"


@pytest.fixture(scope="module")
def manager(msim):
    token = msim.auth.add_pat("env-manage", admin_identity(msim.world), {"vso.environment_manage"}).token
    with TestClient(create_app(msim), headers=basic(token)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def project(msim):
    return next(p for p in msim.world.projects() if msim.world.environments(p.id))


def v71(project, tail: str = "") -> str:
    return f"/fabrikam/{project.id}/_apis/distributedtask/environments{tail}"


def v72(project, tail: str = "") -> str:
    return f"/fabrikam/{project.id}/_apis/pipelines/environments{tail}"


def get(api, path: str, version: dict, **params):
    response = api.get(path, params={**version, **params})
    assert response.status_code == 200, response.text
    return response


def records_of(msim, env_id: int):
    return sorted(msim.world.deployment_records(env_id), key=lambda r: r.id, reverse=True)


def test_the_71_route_refuses_the_product_scopes_but_the_72_route_serves_them(api, manager, project):
    for tail in ("", "/1", "/1/environmentdeploymentrecords"):
        refused = api.get(v71(project, tail), params=V71)
        assert refused.status_code == 401
        assert refused.json()["typeKey"] == "UnauthorizedRequestException"
        assert get(api, v72(project, tail), V72).json()
        assert get(manager, v71(project, tail), V71).json()
        assert get(manager, v72(project, tail), V72).json()


def test_the_72_route_needs_its_preview_version(api, project):
    assert api.get(v72(project), params={"api-version": "7.2"}).status_code == 400


def test_both_routes_return_the_same_environments(api, manager, msim, project, specs):
    old = get(manager, v71(project), V71).json()
    new = get(api, v72(project), V72).json()
    assert old == new
    assert_spec(specs, SPEC71, "Environments_List", old)
    assert_spec(specs, SPEC72, "Environments_List", new)
    envs = msim.world.environments(project.id)
    assert [e["id"] for e in new["value"]] == [e.id for e in envs]
    for item in new["value"]:
        assert {
            "id",
            "name",
            "description",
            "createdBy",
            "createdOn",
            "lastModifiedBy",
            "lastModifiedOn",
            "project",
        } <= set(item)
        assert item["project"] == {"id": project.id, "name": project.name}
    one = get(api, v72(project, f"/{envs[0].id}"), V72, expands="resourceReferences").json()
    assert_spec(specs, SPEC72, "Environments_Get", one)
    assert one["name"] == envs[0].name and one["resources"] == []
    assert [e["id"] for e in get(api, v72(project), V72, name=envs[0].name.upper()).json()["value"]] == [
        envs[0].id
    ]
    assert api.get(v72(project, "/999"), params=V72).status_code == 404


def test_environments_page_with_dollar_top(api, msim, project):
    first = get(api, v72(project), V72, **{"$top": 1})
    assert len(first.json()["value"]) == 1
    token = first.headers["x-ms-continuationtoken"]
    rest = get(api, v72(project), V72, **{"$top": 100}, continuationToken=token)
    assert "x-ms-continuationtoken" not in rest.headers
    ids = [e["id"] for e in first.json()["value"] + rest.json()["value"]]
    assert ids == [e.id for e in msim.world.environments(project.id)]


def test_records_are_newest_first_with_every_field(api, manager, msim, project, specs):
    env = msim.world.environments(project.id)[0]
    body = get(api, v72(project, f"/{env.id}/environmentdeploymentrecords"), V72, top=1000).json()
    assert_spec(specs, SPEC72, "Environmentdeploymentrecords_List", body)
    assert body == get(manager, v71(project, f"/{env.id}/environmentdeploymentrecords"), V71, top=1000).json()
    expected = records_of(msim, env.id)
    assert [r["id"] for r in body["value"]] == [r.id for r in expected]
    for item, model in zip(body["value"], expected, strict=True):
        assert {
            "definition",
            "owner",
            "stageName",
            "stageAttempt",
            "jobName",
            "jobAttempt",
            "queueTime",
            "startTime",
            "finishTime",
            "result",
            "planId",
            "planType",
            "scopeId",
            "serviceOwner",
            "requestIdentifier",
            "environmentId",
        } <= set(item)
        assert item["owner"]["id"] == model.build_id and item["owner"]["name"] == model.build_number
        assert item["definition"] == item["definition"] | {
            "id": model.definition_id,
            "name": model.definition_name,
        }
        assert item["scopeId"] == project.id and item["environmentId"] == env.id
        assert item["result"] == model.result and item["planId"] == model.plan_id


def test_records_page_with_top_and_the_continuation_header(api, msim, project):
    env = msim.world.environments(project.id)[0]
    path = v72(project, f"/{env.id}/environmentdeploymentrecords")
    seen: list[int] = []
    token = None
    for _ in range(1000):
        response = get(api, path, V72, top=4, **({"continuationToken": token} if token else {}))
        page = [r["id"] for r in response.json()["value"]]
        assert len(page) <= 4
        seen.extend(page)
        token = response.headers.get("x-ms-continuationtoken")
        if token is None:
            break
    assert seen == [r.id for r in records_of(msim, env.id)] and len(set(seen)) == len(seen)
    default = get(api, path, V72).json()["value"]
    assert len(default) == min(50, len(seen))


def test_a_running_record_has_no_result_or_finish_time():
    sim = Simulator(SimulatorConfig(scenario="tiny"))
    project = next(p for p in sim.world.projects() if sim.world.environments(p.id))
    env = sim.world.environments(project.id)[0]
    record = records_of(sim, env.id)[0]
    sim.world.now = record.started + (record.finished - record.started) / 2
    with TestClient(create_app(sim), headers=basic(sim.pat)) as api:
        body = get(api, v72(project, f"/{env.id}/environmentdeploymentrecords"), V72).json()
        item = next(r for r in body["value"] if r["id"] == record.id)
        assert views.record_state(record, sim.world.now) == (None, None)
        assert "result" not in item and "finishTime" not in item and item["startTime"]
        sim.world.now = record.started - timedelta(seconds=1)
        later = get(api, v72(project, f"/{env.id}/environmentdeploymentrecords"), V72).json()["value"]
        assert record.id not in {r["id"] for r in later}
