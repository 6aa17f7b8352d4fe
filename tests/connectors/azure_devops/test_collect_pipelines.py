"""Build, release and environment collectors against the simulator, and the environments fallback signal."""

from __future__ import annotations

import dataclasses
import json
import warnings

import pytest

from adometrics.connectors.azure_devops import collectors as c
from adometrics.connectors.azure_devops import endpoints as eps
from adometrics.connectors.azure_devops.auth import PatAuth
from adometrics.connectors.azure_devops.client import AdoClient
from adometrics.connectors.azure_devops.errors import AuthenticationError
from adometrics.fake_ado.auth import PRODUCT_SCOPES
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
def http(sim: Simulator):
    with TestClient(create_app(sim), base_url="http://127.0.0.1") as client:
        yield client


def make_client(http, token: str) -> AdoClient:
    return AdoClient("http://127.0.0.1/fabrikam", http, PatAuth(token), allowed_hosts=("127.0.0.1",))


@pytest.fixture(scope="module")
def client(sim: Simulator, http) -> AdoClient:
    return make_client(http, sim.pat)


def drain(batches) -> list:
    out = []
    for batch in batches:
        assert not batch.skipped
        out += batch.records
    return out


def test_completed_builds_in_finish_order(sim: Simulator, client: AdoClient) -> None:
    now = sim.world.now
    for project in sim.world.projects():
        builds = drain(c.collect_builds(client, ORG, project.id, None))
        world = {b.id: b for b in sim.world.builds(project.id)}
        done = {i for i, b in world.items() if views.build_state(b, now)[0] == "completed"}
        assert {b.id for b in builds} == done and len(builds) == len(done)
        finishes = [b.finished_at for b in builds]
        assert finishes == sorted(finishes)
        for build in builds:
            w = world[build.id]
            assert (build.definition_id, build.repo_id, build.source_branch, build.source_version) == (
                w.definition_id, w.repository_id, w.source_branch, w.source_version)
            assert (build.status, build.result, build.reason) == ("completed", w.result, w.reason)
            assert (build.queued_at, build.started_at, build.finished_at) == (w.queued, w.started, w.finished)
            assert build.pr_id == w.pull_request_id
        since = finishes[len(finishes) // 2]
        later = drain(c.collect_builds(client, ORG, project.id, since))
        assert [b.id for b in later] == [b.id for b in builds if b.finished_at >= since]


def test_builds_resume_through_continuation_tokens(sim: Simulator, client: AdoClient, monkeypatch) -> None:
    name = "build.builds.list"
    monkeypatch.setitem(eps._BY_NAME, name, dataclasses.replace(eps.endpoint(name), page_size=9))
    project = sim.world.projects()[0].id
    batches = list(c.collect_builds(client, ORG, project, None))
    assert len(batches) > 2 and batches[-1].resume is None
    stored = json.loads(json.dumps(batches[0].resume))
    rest = drain(c.collect_builds(client, ORG, project, None, resume=stored))
    assert [b.id for b in rest] == [b.id for batch in batches[1:] for b in batch.records]


def test_in_progress_builds_and_definitions(sim: Simulator, client: AdoClient) -> None:
    running = Simulator(SimulatorConfig(scenario="tiny"))
    for project in sim.world.projects():
        definitions = drain(c.collect_build_definitions(client, ORG, project.id))
        assert {(d.id, d.name, d.project_id) for d in definitions} == {
            (d.id, d.name, project.id) for d in sim.world.build_definitions(project.id)}
    # move the clock to a moment when some build runs
    builds = sorted((b for p in running.world.projects() for b in running.world.builds(p.id)),
                    key=lambda b: b.started)
    target = builds[-1]
    running.world.now = target.started + (target.finished - target.started) / 2
    with TestClient(create_app(running), base_url="http://127.0.0.1") as http:
        client2 = make_client(http, running.pat)
        found = drain(c.collect_inprogress_builds(client2, ORG, target.project_id))
    expected = {b.id for b in running.world.builds(target.project_id)
                if views.build_state(b, running.world.now)[0] == "inProgress"}
    assert target.id in expected and {b.id for b in found} == expected
    assert all(b.status == "inProgress" and b.finished_at is None and b.result is None for b in found)


def test_timelines_keep_stages_and_jobs(sim: Simulator, client: AdoClient) -> None:
    project = sim.world.projects()[0].id
    build = drain(c.collect_builds(client, ORG, project, None))[-1]
    records = c.collect_build_timeline(client, ORG, project, build.id)
    expected = [r for r in sim.world.timeline(build.id) if r.type in ("Stage", "Job")]
    assert [(r.id, r.parent_id, r.type, r.name, r.result, r.started_at, r.finished_at, r.attempt)
            for r in records] == [
        (r.id, r.parent_id, r.type, r.name, r.result, r.started, r.finished, r.attempt) for r in expected]
    assert {r.type for r in records} == {"Stage", "Job"}


def test_releases_and_deployments(sim: Simulator, client: AdoClient) -> None:
    now, seen = sim.world.now, 0
    for project in sim.world.projects():
        definitions = drain(c.collect_release_definitions(client, ORG, project.id))
        def stages(d) -> tuple:
            return d.id, d.name, tuple((e.id, e.name, e.rank) for e in d.environments)

        world_definitions = sim.world.release_definitions(project.id)
        assert {stages(d) for d in definitions} == {stages(d) for d in world_definitions}
        releases = drain(c.collect_releases(client, ORG, project.id, None))
        world = sim.world.releases(project.id)
        assert [r.id for r in releases] == [r.id for r in world]  # ascending
        for release, expected in zip(releases, world, strict=True):
            assert (release.definition_id, release.created_at) == (expected.definition_id, expected.created)
            assert [(a.alias, a.type, a.build_id, a.build_definition_id, a.repo_id, a.source_version,
                     a.branch) for a in release.artifacts] == [
                (a.alias, "Build", a.build_id, a.build_definition_id, a.repository_id, a.source_version,
                 a.source_branch) for a in expected.artifacts]
        deployments = drain(c.collect_deployments(client, ORG, project.id, None))
        world_deps = {d.id: d for d in sim.world.deployments(project.id)}
        assert sorted(d.id for d in deployments) == sorted(world_deps)
        for dep in deployments:
            w = world_deps[dep.id]
            status, operation, completed = views.deployment_state(w, now)
            assert (dep.release_id, dep.environment_name, dep.release_definition_id) == (
                w.release_id, w.environment_name, w.definition_id)
            assert (dep.environment_id, dep.definition_environment_id) == (
                w.release_environment_id, w.definition_environment_id)
            assert (dep.status, dep.operation_status.casefold(), dep.completed_at, dep.attempt) == (
                status, operation.casefold(), completed, w.attempt)
        seen += len(deployments)
        if deployments:
            since = sorted(d.last_modified_at for d in deployments)[len(deployments) // 2]
            later = drain(c.collect_deployments(client, ORG, project.id, since))
            assert {d.id for d in later} == {d.id for d in deployments if d.last_modified_at >= since}
    assert seen > 0


def test_environments_and_their_deployment_records(sim: Simulator, client: AdoClient) -> None:
    now, seen = sim.world.now, 0
    for project in sim.world.projects():
        environments = drain(c.collect_environments(client, ORG, project.id))
        world = [e for e in sim.world.environments(project.id) if e.created <= now]
        assert [(e.id, e.name) for e in environments] == [(e.id, e.name) for e in world]
        for env in environments:
            records = drain(c.collect_environment_deployments(client, ORG, project.id, env.id))
            expected = sorted(sim.world.deployment_records(env.id), key=lambda r: -r.id)
            assert [r.id for r in records] == [r.id for r in expected]
            for record, w in zip(records, expected, strict=True):
                assert (record.build_id, record.definition_id, record.stage_name, record.stage_attempt) == (
                    w.build_id, w.definition_id, w.stage_name, w.stage_attempt)
                assert (record.result, record.finished_at) == views.record_state(w, now)
                assert record.environment_id == env.id
            seen += len(records)
            if len(records) > 2:
                middle = records[len(records) // 2].id
                newer = drain(c.collect_environment_deployments(client, ORG, project.id, env.id,
                                                                after_id=middle))
                assert [r.id for r in newer] == [r.id for r in records if r.id > middle]
    assert seen > 0
    assert not any(name.startswith("distributedtask.") for name in client.api_calls)


def test_a_refused_environments_route_is_a_fallback_signal(sim: Simulator, http) -> None:
    owner = sim.auth.pats[sim.pat].identity_id
    without_build = sim.auth.add_pat(None, owner, PRODUCT_SCOPES - {"vso.build"})
    client = make_client(http, without_build.token)
    project = sim.world.projects()[0].id
    with pytest.raises(c.EnvironmentsUnavailable) as caught:
        list(c.collect_environments(client, ORG, project))
    assert caught.value.status == 401 and caught.value.endpoint == "pipelines.environments.list"
    with pytest.raises(c.EnvironmentsUnavailable):
        list(c.collect_environment_deployments(client, ORG, project, 1))
    assert client.api_calls["core.connection_data"] == 2  # the credential itself was checked
    assert list(c.collect_projects(client, ORG))  # the rest of the sync goes on
    broken = make_client(http, "not-a-valid-pat")
    with pytest.raises(AuthenticationError) as caught:
        list(c.collect_environments(broken, ORG, project))
    assert not isinstance(caught.value, c.EnvironmentsUnavailable)


def test_no_content_endpoint_was_called(sim: Simulator) -> None:
    assert sim.log.total > 0 and sim.log.content_calls == 0
