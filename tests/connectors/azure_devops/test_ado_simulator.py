"""The client against the simulator (in-process, Starlette's TestClient as the httpx transport).

The simulator is written from the reference, not from this client, so agreement here is evidence about both.
"""

from __future__ import annotations

import warnings

import pytest

from adometrics.connectors.azure_devops.auth import PatAuth
from adometrics.connectors.azure_devops.client import AdoClient
from adometrics.connectors.azure_devops.errors import AuthenticationError, ContentEndpointRefused
from adometrics.connectors.azure_devops.hosts import AREA_IDS

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about httpx in its TestClient
    from starlette.testclient import TestClient

    from adometrics.fake_ado.app import create_app
    from adometrics.fake_ado.state import Simulator, SimulatorConfig


@pytest.fixture(scope="module")
def sim() -> Simulator:
    return Simulator(SimulatorConfig(scenario="tiny"))


@pytest.fixture
def http(sim: Simulator):
    sim.log.clear()
    sim.faults.clear()
    with TestClient(create_app(sim)) as client:
        yield client


def _client(http, token: str) -> AdoClient:
    return AdoClient("http://testserver/fabrikam", http, PatAuth(token), allowed_hosts=("testserver",))


def test_who_am_i_and_resource_areas(sim: Simulator, http) -> None:
    client = _client(http, sim.pat)
    me = client.connection_data()["authenticatedUser"]
    assert me["id"]
    areas = {a["id"]: a["locationUrl"] for a in client.resource_areas()}
    assert areas[AREA_IDS["release"]] == "http://testserver/_vsrm/fabrikam/"
    assert client.hosts.root("vsrm") == "http://testserver/_vsrm"
    assert client.hosts.root("app") == "http://testserver/_app.vssps"


def test_projects_page_by_page_through_real_tokens(sim: Simulator, http) -> None:
    client = _client(http, sim.pat)
    whole = [p["id"] for page in client.paged("core.projects.list") for p in page]
    one_by_one = [p["id"] for page in client.paged("core.projects.list", page_size=1) for p in page]
    assert whole and one_by_one == whole
    assert client.api_calls["core.projects.list"] == 1 + len(whole)


def test_pull_requests_top_skip_and_entitlements_body_token(sim: Simulator, http) -> None:
    client = _client(http, sim.pat)
    project = next(iter(client.paged("core.projects.list")))[0]["id"]
    repo = next(iter(client.paged("git.repositories.list", project=project)))[0]["id"]
    status = {"searchCriteria.status": "all"}

    def pr_ids(**kw) -> list[int]:
        pages = client.paged("git.pullrequests.list", status, project=project, repo=repo, **kw)
        return [pr["pullRequestId"] for page in pages for pr in page]

    big, small = pr_ids(), pr_ids(page_size=2)
    assert big and small == big and len(set(big)) == len(big)
    users = [u["id"] for page in client.paged("entitlements.users.list") for u in page]
    assert users and len(set(users)) == len(users)
    deployments = list(client.paged("release.deployments.list", project=project))
    assert deployments  # served under /_vsrm, found through discovery


def test_a_wrong_pat_is_an_authentication_error(sim: Simulator, http) -> None:
    with pytest.raises(AuthenticationError) as caught:
        _client(http, "not-the-pat").get("core.projects.list")
    assert caught.value.status == 401 and caught.value.tf_code == "TF400813"


def test_content_is_refused_before_the_simulator_sees_it(sim: Simulator, http) -> None:
    client = _client(http, sim.pat)
    with pytest.raises(ContentEndpointRefused):
        client.request_url("git.repositories.get",
                           "http://testserver/fabrikam/p/_apis/git/repositories/r/items?path=/")
    assert sim.log.total == 0 and sim.log.content_calls == 0


def test_retry_after_from_the_simulator_is_honoured(sim: Simulator, http) -> None:
    sim.faults.add({"kind": "throttle", "path": r"/_apis/projects$", "count": 1, "retry_after": 1})
    client = _client(http, sim.pat)
    client.get("core.projects.list")
    assert client.api_calls["core.projects.list"] == 2
    assert sim.log.by_status[429] == 1
    assert sim.log.violations == 0
