"""Resource Areas host discovery and connectionData (ENDPOINTS.md §0.1, §13.3)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from routes_support import basic
from starlette.testclient import TestClient

from adometrics.fake_ado.app import create_app
from adometrics.fake_ado.auth import admin_identity

PREVIEW = {"api-version": "7.1-preview.1"}
AREAS = {
    "79134c72-4a58-4b42-976c-04e7115f32bf": ("core", ""),
    "4e080c62-fa21-4fbc-8fef-2a10a2b38049": ("git", ""),
    "965220d5-5bb9-42cf-8d67-9b146df2a5a4": ("build", ""),
    "efc2f575-36ef-48e9-b672-0c6fb4a48ac5": ("Release", "/_vsrm"),
    "68ddce18-2501-45f1-a17b-7931a9922690": ("MemberEntitlementManagement", "/_vsaex"),
    "bb1e7ec9-e901-4b68-999a-de7012b920f8": ("Graph", "/_vssps"),
    "8ccfef3d-2b87-4e99-8ccb-66e343d2daa8": ("Profile", "/_app.vssps"),
    "0d55247a-1c47-4462-9b1f-5e2125590ee6": ("Account", "/_app.vssps"),
    "a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd": ("distributedtask", ""),
    "fb13a388-40dd-4a04-b530-013a739c72ef": ("policy", ""),
    "2e0bf237-8973-4ec9-a581-9c3d679d1776": ("pipelines", ""),
}
ORG_LESS = {"Profile", "Account"}


@pytest.fixture(scope="module")
def api(msim):
    """Without credentials: discovery answers anonymous callers."""
    with TestClient(create_app(msim)) as test_client:
        yield test_client


def expected_location(base: str, name: str, prefix: str) -> str:
    return f"{base}{prefix}/" if name in ORG_LESS else f"{base}{prefix}/fabrikam/"


def test_resource_areas_list_every_area_at_the_simulator_without_credentials(api):
    response = api.get("/fabrikam/_apis/resourceAreas", params=PREVIEW)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["value"]) == len(AREAS)
    base = "http://testserver"
    for area in body["value"]:
        assert set(area) == {"id", "name", "locationUrl"}
        name, prefix = AREAS[area["id"]]
        assert area["name"] == name
        assert area["locationUrl"] == expected_location(base, name, prefix)


@pytest.mark.parametrize(
    "key", ["efc2f575-36ef-48e9-b672-0c6fb4a48ac5", "EFC2F575-36EF-48E9-B672-0C6FB4A48AC5", "release"]
)
def test_one_area_by_id_or_name_case_insensitively(api, key):
    response = api.get(f"/fabrikam/_apis/resourceAreas/{key}", params=PREVIEW)
    assert response.status_code == 200
    assert response.json() == {
        "id": "efc2f575-36ef-48e9-b672-0c6fb4a48ac5",
        "name": "Release",
        "locationUrl": "http://testserver/_vsrm/fabrikam/",
    }


def test_org_less_form_takes_the_account_name(api, msim):
    area = "68ddce18-2501-45f1-a17b-7931a9922690"
    by_name = api.get(f"/_apis/resourceAreas/{area}", params={**PREVIEW, "accountName": "Fabrikam"})
    assert by_name.status_code == 200
    assert by_name.json()["locationUrl"] == "http://testserver/_vsaex/fabrikam/"
    by_host = api.get(
        f"/_apis/resourceAreas/{area}", params={**PREVIEW, "hostId": msim.world.organization_id}
    )
    assert by_host.json() == by_name.json()
    assert api.get(f"/_apis/resourceAreas/{area}", params=PREVIEW).status_code == 400


def test_unknown_area_and_unknown_organization_are_404(api):
    assert (
        api.get(
            "/fabrikam/_apis/resourceAreas/00000000-0000-0000-0000-000000000000", params=PREVIEW
        ).status_code
        == 404
    )
    assert api.get("/contoso/_apis/resourceAreas", params=PREVIEW).status_code == 404
    response = api.get("/_apis/resourceAreas/core", params={**PREVIEW, "accountName": "contoso"})
    assert response.status_code == 404


def test_areas_need_a_preview_api_version(api):
    response = api.get("/fabrikam/_apis/resourceAreas", params={"api-version": "7.1"})
    assert response.status_code == 400
    assert response.json()["typeKey"] == "VssInvalidPreviewVersionException"
    assert (
        api.get("/fabrikam/_apis/resourceAreas", params={"api-version": "5.0-preview.1"}).status_code == 200
    )


def test_discovered_location_urls_reach_the_routes(api, msim):
    """Following ``locationUrl`` (as a client does) lands on the simulator's host prefixes."""
    areas = {
        a["name"]: a["locationUrl"]
        for a in api.get("/fabrikam/_apis/resourceAreas", params=PREVIEW).json()["value"]
    }
    headers = basic(msim.pat)
    path = urlsplit(areas["MemberEntitlementManagement"]).path
    assert (
        api.get(path + "_apis/userentitlements", params={"api-version": "7.1"}, headers=headers).status_code
        == 200
    )
    path = urlsplit(areas["core"]).path
    assert api.get(path + "_apis/projects", params={"api-version": "7.1"}, headers=headers).status_code == 200
    path = urlsplit(areas["Profile"]).path
    response = api.get(path + "_apis/profile/profiles/me", params={"api-version": "7.1"}, headers=headers)
    assert response.status_code == 200


# -- connectionData -----------------------------------------------------------------------------------


def test_connection_data_names_the_caller(api, msim):
    response = api.get(
        "/fabrikam/_apis/connectionData", params={"api-version": "7.1-preview"}, headers=basic(msim.pat)
    )
    assert response.status_code == 200
    body = response.json()
    owner = admin_identity(msim.world)
    identity = msim.world.identity(owner)
    assert body["authenticatedUser"]["id"] == body["authorizedUser"]["id"] == owner
    assert body["authenticatedUser"]["providerDisplayName"] == identity.display_name
    assert body["authenticatedUser"]["subjectDescriptor"] == identity.descriptor
    assert body["instanceId"] == msim.world.organization_id
    assert body["locationServiceData"]["serviceOwner"] == "00025394-6065-48ca-87d9-7f5672854ef7"
    assert body["locationServiceData"]["defaultAccessMappingMoniker"] == "PublicAccessMapping"


def test_connection_data_rejects_a_released_api_version(api, msim):
    response = api.get(
        "/fabrikam/_apis/connectionData", params={"api-version": "7.1"}, headers=basic(msim.pat)
    )
    assert response.status_code == 400
    assert response.json()["typeKey"] == "VssInvalidPreviewVersionException"
    ok = api.get(
        "/fabrikam/_apis/connectionData", params={"api-version": "7.1-preview.1"}, headers=basic(msim.pat)
    )
    assert ok.status_code == 200


def test_connection_data_accepts_any_valid_credential_but_not_none(api, msim):
    token = msim.auth.add_pat("only-build", admin_identity(msim.world), ["vso.build"]).token
    params = {"api-version": "7.1-preview.1"}
    assert api.get("/fabrikam/_apis/connectionData", params=params, headers=basic(token)).status_code == 200
    refused = api.get(
        "/fabrikam/_apis/connectionData", params=params, headers={"X-TFS-FedAuthRedirect": "Suppress"}
    )
    assert refused.status_code == 401
    assert api.get("/fabrikam/_apis/connectionData", params=params, headers=basic("nope")).status_code == 401
