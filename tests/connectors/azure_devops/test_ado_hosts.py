"""Organization URLs, the host allow-list, and host discovery through Resource Areas."""

from __future__ import annotations

import httpx
import pytest
from ado_fakes import ado_error, ado_json, make_client

from adometrics.connectors.azure_devops.errors import HostNotAllowedError, UnexpectedResponseError
from adometrics.connectors.azure_devops.hosts import AREA_IDS, HostAllowList, parse_org_url
from adometrics.errors import ConfigurationError

CLOUD = HostAllowList()


@pytest.mark.parametrize(
    ("text", "name", "url", "cloud"),
    [
        ("fabrikam", "fabrikam", "https://dev.azure.com/fabrikam", True),
        ("https://dev.azure.com/fabrikam/", "fabrikam", "https://dev.azure.com/fabrikam", True),
        ("https://dev.azure.com/fabrikam/SomeProject", "fabrikam", "https://dev.azure.com/fabrikam", True),
        ("dev.azure.com/fabrikam", "fabrikam", "https://dev.azure.com/fabrikam", True),
        ("https://fabrikam.visualstudio.com", "fabrikam", "https://dev.azure.com/fabrikam", True),
    ],
)
def test_cloud_organization_urls(text: str, name: str, url: str, cloud: bool) -> None:
    org = parse_org_url(text, CLOUD)
    assert (org.name, org.url, org.cloud) == (name, url, cloud)


def test_server_collection_and_simulator_urls_need_the_setting() -> None:
    with pytest.raises(HostNotAllowedError, match=r"tfs\.example\.com.*ADOMETRICS_ALLOWED_HOSTS"):
        parse_org_url("https://tfs.example.com/tfs/DefaultCollection", CLOUD)
    allow = HostAllowList(("tfs.example.com", "127.0.0.1"))
    server = parse_org_url("https://tfs.example.com/tfs/DefaultCollection", allow)
    assert (server.name, server.root) == ("DefaultCollection", "https://tfs.example.com/tfs")
    assert not server.cloud
    sim = parse_org_url("http://127.0.0.1:8765/fabrikam", allow)
    assert (sim.name, sim.root) == ("fabrikam", "http://127.0.0.1:8765")


@pytest.mark.parametrize("text", ["https://dev.azure.com/", "https://tfs.example.com", ""])
def test_urls_without_an_organization_are_configuration_errors(text: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_org_url(text, HostAllowList(("tfs.example.com",)))


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://dev.azure.com/x", True),
        ("https://vsrm.dev.azure.com/x", True),
        ("https://vsaex.dev.azure.com/x", True),
        ("https://vssps.dev.azure.com/x", True),
        ("https://app.vssps.visualstudio.com/", True),
        ("https://fabrikam.visualstudio.com/", True),
        ("http://dev.azure.com/x", False),  # cloud over plain http: the token would travel in clear
        ("https://dev.azure.com.evil.example/x", False),
        ("https://evilvisualstudio.com/", False),
        ("https://example.com/", False),
        ("ftp://dev.azure.com/x", False),
    ],
)
def test_cloud_host_allow_list(url: str, allowed: bool) -> None:
    if allowed:
        CLOUD.check(url)
    else:
        with pytest.raises(HostNotAllowedError):
            CLOUD.check(url)


def test_extra_hosts_with_and_without_port() -> None:
    allow = HostAllowList(("127.0.0.1", "tfs.example.com:8443", "*.corp.example", "[::1]:9000"))
    allow.check("http://127.0.0.1:8765/x")
    allow.check("http://127.0.0.1/x")
    allow.check("https://tfs.example.com:8443/tfs")
    allow.check("https://ado.corp.example/x")
    allow.check("http://[::1]:9000/x")
    for url in ("https://tfs.example.com/tfs", "http://localhost:8765/", "http://[::1]:9001/x"):
        with pytest.raises(HostNotAllowedError):
            allow.check(url)


def _areas(*pairs: tuple[str, str]):
    return {"count": len(pairs), "value": [{"id": i, "name": "x", "locationUrl": u} for i, u in pairs]}


def test_hosts_come_from_resource_areas_once() -> None:
    areas = _areas((AREA_IDS["release"], "https://vsrm.dev.azure.com/fabrikam/"),
                   (AREA_IDS["member_entitlement_management"], "https://vsaex.dev.azure.com/fabrikam/"))

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/fabrikam/_apis/resourceAreas":
            return ado_json(areas)
        return ado_json({"count": 0, "value": []})

    client, recorder = make_client(answer)
    client.get("release.deployments.list", project="p")
    client.get("entitlements.users.list")
    client.get("release.releases.list", project="p")
    hosts = [(r.url.host, r.url.path) for r in recorder.requests]
    assert hosts == [
        ("dev.azure.com", "/fabrikam/_apis/resourceAreas"),
        ("vsrm.dev.azure.com", "/fabrikam/p/_apis/release/deployments"),
        ("vsaex.dev.azure.com", "/fabrikam/_apis/userentitlements"),
        ("vsrm.dev.azure.com", "/fabrikam/p/_apis/release/releases"),
    ]


def test_a_returned_host_off_the_list_is_refused() -> None:
    areas = _areas((AREA_IDS["release"], "https://evil.example.com/fabrikam/"))
    client, recorder = make_client(lambda r: ado_json(areas))
    with pytest.raises(HostNotAllowedError) as caught:
        client.get("release.releases.list", project="p")
    assert "evil.example.com" in str(caught.value)
    assert "ADOMETRICS_ALLOWED_HOSTS" in str(caught.value)
    assert recorder.paths == ["/fabrikam/_apis/resourceAreas"]


def test_a_returned_location_for_another_org_is_refused() -> None:
    areas = _areas((AREA_IDS["release"], "https://vsrm.dev.azure.com/contoso/"))
    client, _ = make_client(lambda r: ado_json(areas))
    with pytest.raises(UnexpectedResponseError, match="contoso"):
        client.get("release.releases.list", project="p")


@pytest.mark.parametrize("failure", [ado_error(404, "NotFoundException", "no such route"),
                                     ado_error(503, "ServiceUnavailableException", "down")])
def test_cloud_falls_back_to_fixed_patterns_without_discovery(failure: httpx.Response) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/_apis/resourceAreas"):
            return failure
        return ado_json({"count": 0, "value": []})

    client, recorder = make_client(answer)
    client.get("graph.users.list")
    client.get("profile.me")
    assert str(recorder.requests[-2].url).startswith("https://vssps.dev.azure.com/fabrikam/_apis/graph/users?")
    assert str(recorder.requests[-1].url).startswith("https://app.vssps.visualstudio.com/_apis/profile/profiles/me?")


def test_server_uses_the_collection_url_for_areas_it_does_not_list() -> None:
    client, recorder = make_client(lambda r: ado_json(_areas()), org_url="https://tfs.example.com/tfs/Coll",
                                   allowed_hosts=("tfs.example.com",))
    client.get("release.releases.list", project="p")
    assert recorder.paths[-1] == "/tfs/Coll/p/_apis/release/releases"


def test_simulator_style_host_prefixes() -> None:
    areas = _areas((AREA_IDS["release"], "http://127.0.0.1:8765/_vsrm/fabrikam/"),
                   (AREA_IDS["profile"], "http://127.0.0.1:8765/_app.vssps/"))
    client, recorder = make_client(lambda r: ado_json(areas if "resourceAreas" in r.url.path else {}),
                                   org_url="http://127.0.0.1:8765/fabrikam", allowed_hosts=("127.0.0.1",))
    client.get("release.releases.get", project="p", release="3")
    client.get("profile.me")
    assert recorder.paths[1:] == ["/_vsrm/fabrikam/p/_apis/release/releases/3",
                                  "/_app.vssps/_apis/profile/profiles/me"]
