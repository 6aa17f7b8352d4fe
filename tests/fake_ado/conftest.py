"""Shared fixtures for the simulator's tests: a tiny simulator, an in-process client, credentials, specs."""

from __future__ import annotations

import os
import re

import pytest
from routes_support import basic, tiny
from starlette.applications import Starlette
from starlette.testclient import TestClient

from adometrics.fake_ado import registry
from adometrics.fake_ado.app import create_app
from adometrics.fake_ado.auth import admin_identity
from adometrics.fake_ado.registry import ENDPOINTS, Call, Endpoint
from adometrics.fake_ado.render import builds as builds_render
from adometrics.fake_ado.specs import SPECS_ENV, SpecLibrary, load_library
from adometrics.fake_ado.state import Simulator

# Every scope any registered route accepts: for tests that exercise routes, not the scope rules.
ALL_SCOPES = frozenset(s for ep in ENDPOINTS for s in ep.scopes)


@pytest.fixture
def sim() -> Simulator:
    """A fresh tiny organization (deterministic: seed 1)."""
    return tiny()


@pytest.fixture
def client(sim: Simulator):
    with TestClient(create_app(sim)) as test_client:
        yield test_client


@pytest.fixture
def pat_headers(sim: Simulator) -> dict[str, str]:
    """The default PAT: the six product scopes, owned by an administrator."""
    return basic(sim.pat)


@pytest.fixture
def all_scopes_headers(sim: Simulator) -> dict[str, str]:
    """A PAT of the same administrator carrying every scope any route accepts."""
    return basic(all_scopes_pat(sim))


def all_scopes_pat(sim: Simulator) -> str:
    return sim.auth.add_pat("all-scopes-test-pat", admin_identity(sim.world), ALL_SCOPES).token


# -- the route tests' (test_routes_*.py) tiny organization, shared by a module's read-only tests -----------


@pytest.fixture(scope="module")
def msim() -> Simulator:
    return tiny()


@pytest.fixture(scope="module")
def api(msim: Simulator):
    """The default PAT: the product's six scopes (vso.build, not vso.environment_manage)."""
    with TestClient(create_app(msim), headers=basic(msim.pat)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def specs() -> SpecLibrary:
    library = load_library()
    if library is None:
        reason = (
            f"the official specs are not available: set {SPECS_ENV} or provide "
            "../shared/reference/azure-devops/specs beside the repository"
        )
        if os.environ.get("CI"):  # CI has shared/ beside the clone: fidelity must never be skipped there
            pytest.fail(reason)
        pytest.skip(reason)
    return library


# -- probe routes (test_auth/throttle/faults/control/api_version.py): one route per scope family and a few
# special ones, served through the real app (dispatcher, control routes, 404/405 handlers) but kept out of
# the global registry, so fidelity and coverage never see them.


def _caller(request, call):
    """An envelope of records (for the field faults) naming the authenticated caller."""
    values = [
        {"id": i, "name": f"record-{i}", "createdBy": {"id": f"user-{i}", "displayName": f"User {i}"}}
        for i in range(1, 4)
    ]
    return {"count": len(values), "value": values, "caller": call.identity_id}


def _echo(request, call):
    return {"received": call.body, "caller": call.identity_id}


def _crash(request, call):
    raise RuntimeError("handler bug")


def _probe(name, path, scopes=(), *, host="dev", method="GET", handler=_caller, **kw) -> registry.Endpoint:
    return registry.Endpoint(
        name=name, host=host, method=method, path=path, handler=handler, scopes=frozenset(scopes), **kw
    )


PROBES = (
    _probe("probe.projects", "/{org}/_apis/probe/projects", registry.PROJECT),
    _probe("probe.builds", "/{org}/_apis/probe/builds", registry.BUILD),
    _probe("probe.code", "/{org}/_apis/probe/code", registry.CODE),
    _probe("probe.releases", "/{org}/_apis/probe/releases", registry.RELEASE),
    _probe("probe.hooks", "/{org}/_apis/probe/hooks", registry.HOOKS),
    _probe("probe.graph", "/{org}/_apis/probe/graph", registry.GRAPH),
    _probe("probe.content", "/{org}/_apis/probe/content", registry.CODE, content=True),
    _probe("probe.anonymous", "/{org}/_apis/probe/anonymous"),
    _probe("probe.profile", "/_apis/probe/profile", registry.PROFILE, host="app"),
    _probe("probe.echo", "/{org}/_apis/probe/echo", registry.CODE, method="POST", handler=_echo),
    _probe("probe.preview", "/{org}/_apis/probe/preview", registry.PROJECT, api_version="7.1-preview.3"),
    _probe("probe.newer", "/{org}/_apis/probe/newer", registry.PROJECT, min_version="5.0"),
    _probe("probe.heavy", "/{org}/_apis/probe/heavy", registry.CODE, tstu=10.0),
    _probe("probe.crash", "/{org}/_apis/probe/crash", registry.CODE, handler=_crash),
)


def probe_app(sim: Simulator) -> Starlette:
    return create_app(sim, endpoints=[*ENDPOINTS, *PROBES])


@pytest.fixture(name="probe_app")
def probe_app_fixture():
    """Factory: the simulator app over a given Simulator, with the probe routes added."""
    return probe_app


@pytest.fixture
def probe_sim() -> Simulator:
    return tiny()


@pytest.fixture
def probe_client(probe_sim: Simulator):
    with TestClient(probe_app(probe_sim)) as test_client:
        yield test_client


# -- real path parameters from the world (fidelity and paging tests) -----------------------------------------

GIT_AREA = "4e080c62-fa21-4fbc-8fef-2a10a2b38049"
STATUS_BODY = {
    "state": "succeeded",
    "description": "fidelity check",
    "targetUrl": "https://ci.example/run/1",
    "context": {"name": "fidelity", "genre": "adometrics"},
}


def subscription_body(project_id: str, url: str = "https://hooks.example/receiver") -> dict:
    return {
        "publisherId": "tfs",
        "eventType": "git.pullrequest.updated",
        "resourceVersion": "1.0",
        "consumerId": "webHooks",
        "consumerActionId": "httpRequest",
        "publisherInputs": {"projectId": project_id},
        "consumerInputs": {"url": url, "basicAuthUsername": "ado", "basicAuthPassword": "s3cret"},
    }


class WorldParams:
    """Fills an endpoint's path parameters (canonical names) with real, consistent values from the world,
    choosing entities rich enough that lists are not empty, plus the query and body a call needs."""

    def __init__(self, sim: Simulator, client: TestClient, headers: dict[str, str]):
        self.sim, self.client, self.headers = sim, client, headers
        world = sim.world
        self.world, self.now = world, world.now
        self.pr = max((world.pull_request(s.id) for s in world.pull_request_index()), key=self._richness)
        self.repo = world.repository(self.pr.repository_id)
        self.build = self._build()
        self.release = self._release()
        self.environment = next(
            e for p in world.projects() for e in world.environments(p.id) if world.deployment_records(e.id)
        )
        self.user = next(u for u in world.users() if u.identity.id == admin_identity(world))

    def _richness(self, pr) -> tuple:
        now = self.now
        visible = [
            len([s for s in pr.statuses if s.created <= now and s.iteration_id]),
            len([s for s in pr.statuses if s.created <= now]),
            len([t for t in pr.threads if t.published <= now]),
            len([i for i in pr.iterations if i.created <= now]),
            len([r for r in pr.reviewers if r.added <= now]),
        ]
        return (sum(1 for v in visible if v), *visible)

    def _build(self):
        builds = [b for p in self.world.projects() for b in self.world.builds(p.id) if b.finished <= self.now]
        return max(builds, key=lambda b: (len(self.world.timeline(b.id)), b.id))

    def _release(self):
        releases = [r for p in self.world.projects() for r in self.world.releases(p.id)]
        done = {
            d.release_id
            for p in self.world.projects()
            for d in self.world.deployments(p.id)
            if d.completed <= self.now
        }
        return max((r for r in releases if r.id in done), key=lambda r: r.id)

    def project_for(self, ep: Endpoint) -> str:
        names = set(re.findall(r"\{(\w+)\}", ep.path))
        if ep.host == "vsrm":
            return self.release.project_id
        if "environment" in names or "/environments" in ep.path:
            return self.environment.project_id
        if names & {"build", "definition", "timeline"} or "/_apis/build/" in ep.path:
            return self.build.project_id
        return self.pr.project_id

    def values(self, ep: Endpoint) -> dict[str, str]:
        world, pr, build = self.world, self.pr, self.build
        project = self.project_for(ep)
        timeline = list(world.timeline(build.id))
        ident = self.user.identity
        iteration = max((i for i in pr.iterations if i.created <= self.now), key=lambda i: len(i.commit_shas))
        statuses = [s for s in pr.statuses if s.created <= self.now]
        status = next(
            (s for s in statuses if s.iteration_id == iteration.id), statuses[0] if statuses else None
        )
        head = world.resolve_version(self.repo.id, self.repo.default_branch, "branch")
        values = {
            "org": world.organization,
            "project": project,
            "repo": self.repo.id,
            "pr": str(pr.id),
            "iteration": str(iteration.id),
            "thread": str(next(t.id for t in pr.threads if t.published <= self.now)),
            "status": str(status.id) if status else "1",
            "sha": head or pr.last_merge_source_commit,
            "push": str(world.pushes(self.repo.id)[0].id),
            "build": str(build.id),
            "definition": str(self.release.definition_id if ep.host == "vsrm" else build.definition_id),
            "release": str(self.release.id),
            "team": world.teams(project)[0].id,
            "environment": str(self.release.environments[0].id if ep.host == "vsrm" else self.environment.id),
            "user": "me" if ep.host == "app" else ident.id,
            "descriptor": ident.descriptor,
            "area": GIT_AREA,
            "publisher": "tfs",
            "timeline": self._plan_id(),
            "record": timeline[0].id if timeline else "",
            "log": str(min(builds_render.log_records(timeline), default=1)),
            "type": "Distributedtask.Core.Summary",
            "name": "summary.md",
            "phase": "1",
            "task": "1",
        }
        if "{subscription}" in ep.path:
            values["subscription"] = self._subscription(project)
        if "/annotatedtags/" in ep.path:  # a commit an annotated tag points at
            values["sha"] = next(
                obj for ref, obj in world.refs(self.repo.id) if ref.name.startswith("refs/tags/")
            )
        if ep.name.startswith("git.commit.statuses") and ep.method == "GET":
            self._post(ep.full_path, values, STATUS_BODY)  # the world has none: post one to list
        if ep.name.startswith(("pulls.update_iteration_statuses", "pulls.update_statuses")):
            values["status"] = self._own_status(ep, values)
        return values

    def _plan_id(self) -> str:
        call = Call(sim=self.sim, endpoint=None, identity_id=None, base_url="http://testserver")
        return builds_render.plan_id(call, self.build)

    def _subscription(self, project_id: str) -> str:
        response = self.client.post(
            f"/{self.world.organization}/_apis/hooks/subscriptions",
            params={"api-version": "7.1"},
            json=subscription_body(project_id),
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        return response.json()["id"]

    def _own_status(self, ep: Endpoint, values: dict[str, str]) -> str:
        """A status this test posts first, so the PATCH (remove) has one of its own to remove."""
        posted = self._post(ep.full_path, values, {**STATUS_BODY, "iterationId": int(values["iteration"])})
        return str(posted["id"])

    def _post(self, path: str, values: dict[str, str], body: dict) -> dict:
        url = path.format(**{n: values[n] for n in re.findall(r"\{(\w+)\}", path)})
        response = self.client.post(url, params={"api-version": "7.1"}, json=body, headers=self.headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def request(self, ep: Endpoint, spec_version: str | None = None) -> tuple[str, dict, object]:
        """(url, query, JSON body) for one call of ``ep``."""
        values = self.values(ep)
        url = ep.full_path.format(**{n: values[n] for n in re.findall(r"\{(\w+)\}", ep.path)})
        query = {"api-version": ep.api_version or spec_version or "7.1", **self.extra_query(ep)}
        return url, query, self.body(ep, values)

    def extra_query(self, ep: Endpoint) -> dict[str, str]:
        if ep.name == "accounts.list":
            return {"memberId": self.user.identity.id}
        return {}

    def body(self, ep: Endpoint, values: dict[str, str]):
        if ep.method not in ("POST", "PUT", "PATCH"):
            return None
        if ep.name.startswith("hooks.subscriptions.query"):
            return {"publisherId": "tfs"}
        if ep.name.startswith("hooks.subscriptions"):
            return subscription_body(values["project"], "https://hooks.example/replaced")
        if "statuses" in ep.path and ep.method == "POST":
            return dict(STATUS_BODY)
        if ep.method == "PATCH" and "statuses" in ep.path:
            return [{"op": "remove", "path": f"/{values['status']}"}]
        if "commitsbatch" in ep.path:
            return {"ids": [values["sha"]]}
        if ep.path.endswith("/blobs"):
            return [values["sha"]]
        if ep.path.endswith("/itemsbatch"):
            return {"itemDescriptors": [{"path": "/", "version": values["sha"], "versionType": "commit"}]}
        raise AssertionError(f"{ep.name}: add a request body to WorldParams.body")


@pytest.fixture(scope="module")
def world_sim() -> Simulator:
    """One tiny organization shared by a module's read-mostly tests."""
    return tiny()


@pytest.fixture(scope="module")
def world_client(world_sim: Simulator):
    with TestClient(create_app(world_sim)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def world_headers(world_sim: Simulator) -> dict[str, str]:
    return basic(all_scopes_pat(world_sim))


@pytest.fixture(scope="module")
def world_params(
    world_sim: Simulator, world_client: TestClient, world_headers: dict[str, str]
) -> WorldParams:
    return WorldParams(world_sim, world_client, world_headers)
