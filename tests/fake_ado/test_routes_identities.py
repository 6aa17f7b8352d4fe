"""User entitlements (vsaex), Graph users and subject keys (vssps), profile and accounts (app.vssps)."""

from __future__ import annotations

import uuid

import pytest
from routes_support import V, assert_spec, basic

from adometrics.fake_ado.auth import admin_identity
from adometrics.fake_ado.routes import identities

GRAPH_V = {"api-version": "7.1-preview.1"}
UE = "/_vsaex/fabrikam/_apis/userentitlements"
MEM = "memberEntitlementManagement/7.1/memberEntitlementManagement.json"


@pytest.fixture(scope="module")
def graph_headers(msim) -> dict[str, str]:
    return basic(msim.auth.add_pat("graph-reader", admin_identity(msim.world), ["vso.graph"]).token)


@pytest.fixture
def small_pages(monkeypatch):
    """The tiny org has fewer users than a real page; shrink the server-chosen page to see paging."""
    monkeypatch.setattr(identities, "ENTITLEMENT_PAGE", 3)


# -- user entitlements ------------------------------------------------------------------------------


def test_entitlements_body_shape_and_every_user(api, msim, specs):
    response = api.get(UE, params=V)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "continuationToken", "totalCount"}
    assert body["continuationToken"] is None
    assert body["totalCount"] == len(msim.world.users())
    assert {e["id"] for e in body["items"]} == {u.identity.id for u in msim.world.users()}
    assert_spec(specs, MEM, "User Entitlements_Search User Entitlements", body)
    for item in body["items"]:
        assert item["accessLevel"]["status"] in ("active", "disabled", "pending")
        assert item["user"]["descriptor"].startswith(("aad.", "msa.", "svc."))


def test_entitlements_page_by_a_body_token_that_must_be_url_encoded(api, msim, small_pages):
    users = {u.identity.id for u in msim.world.users()}
    seen: list[str] = []
    token = None
    for _ in range(len(users)):
        body = api.get(UE, params={**V, **({"continuationToken": token} if token else {})}).json()
        assert len(body["items"]) <= 3
        seen += [e["id"] for e in body["items"]]
        token = body["continuationToken"]
        if token is None:
            break
        assert {"+", "/", "=", "#"} <= set(token)
    assert token is None
    assert len(seen) == len(set(seen)) and set(seen) == users


def test_an_unencoded_token_is_refused(api, small_pages):
    token = api.get(UE, params=V).json()["continuationToken"]
    raw = api.get(f"{UE}?api-version=7.1&continuationToken={token}")  # '+' becomes a space, '#' cuts the URL
    assert raw.status_code == 400
    assert api.get(UE, params={**V, "continuationToken": "garbage"}).status_code == 400


@pytest.mark.parametrize(
    ("expression", "predicate"),
    [
        ("userType eq 'guest'", lambda u: u.meta_type == "guest"),
        ("licenseId eq 'Account-Express'", lambda u: u.license == "express"),
        (
            "licenseStatus eq 'Active' and userType eq 'member'",
            lambda u: u.status == "active" and u.meta_type == "member",
        ),
        (
            "licenseId eq 'Account-Stakeholder' or licenseId eq 'Account-Advanced'",
            lambda u: u.license in ("stakeholder", "advanced"),
        ),
    ],
)
def test_entitlement_filters(api, msim, expression, predicate):
    body = api.get(UE, params={**V, "$filter": expression, "select": "license,projects"}).json()
    expected = {u.identity.id for u in msim.world.users() if predicate(u)}
    assert expected, "the scenario should cover this filter"
    assert {e["id"] for e in body["items"]} == expected
    assert body["totalCount"] == len(expected)


def test_name_filter_and_bad_filters(api, msim):
    user = msim.world.users()[0]
    first = user.identity.display_name.split()[0]
    body = api.get(UE, params={**V, "$filter": f"name eq '{first}'"}).json()
    assert user.identity.id in {e["id"] for e in body["items"]}
    assert api.get(UE, params={**V, "$filter": "color eq 'blue'"}).status_code == 400
    assert api.get(UE, params={**V, "$filter": "name = x"}).status_code == 400


def test_order_by_name(api):
    items = api.get(UE, params={**V, "$orderBy": "name desc"}).json()["items"]
    names = [e["user"]["displayName"].casefold() for e in items]
    assert names == sorted(names, reverse=True)


def test_one_entitlement_has_every_example_field(api, msim, specs):
    user = msim.world.users()[0]
    response = api.get(f"{UE}/{user.identity.id}", params=V)
    assert response.status_code == 200
    body = response.json()
    op = specs.operation(MEM, "User Entitlements_Get")
    example = specs.spec(MEM).example_bodies(op)[0]
    assert set(example) <= set(body)
    assert set(example["user"]) <= set(body["user"])
    assert set(example["accessLevel"]) <= set(body["accessLevel"])
    assert body["accessLevel"]["accountLicenseType"] == user.license
    assert_spec(specs, MEM, "User Entitlements_Get", body)
    assert api.get(f"{UE}/{uuid.uuid4()}", params=V).status_code == 404


def test_project_entitlements_follow_team_membership(api, msim):
    project = msim.world.projects()[0]
    team = msim.world.teams(project.id)[0]
    body = api.get(f"{UE}/{team.member_ids[0]}", params=V).json()
    projects = {p["projectRef"]["id"]: p for p in body["projectEntitlements"]}
    assert team.id in {t["id"] for t in projects[project.id]["teamRefs"]}


# -- graph ------------------------------------------------------------------------------------------


def test_graph_needs_the_graph_scope(api):
    response = api.get("/_vssps/fabrikam/_apis/graph/users", params=GRAPH_V)
    assert response.status_code == 401


def test_graph_users_page_by_header_with_varying_sizes(api, msim, graph_headers, specs):
    users = {u.identity.descriptor for u in msim.world.users()}
    seen: list[str] = []
    sizes: list[int] = []
    token = None
    for _ in range(len(users)):
        params = {**GRAPH_V, **({"continuationToken": token} if token else {})}
        response = api.get("/_vssps/fabrikam/_apis/graph/users", params=params, headers=graph_headers)
        assert response.status_code == 200
        assert_spec(specs, "graph/7.1/graph.json", "Users_List", response.json())
        sizes.append(response.json()["count"])
        seen += [u["descriptor"] for u in response.json()["value"]]
        token = response.headers.get("X-MS-ContinuationToken")
        if token is None:
            break
    assert token is None
    assert len(seen) == len(set(seen)) and set(seen) == users
    assert len(sizes) > 1 and len(set(sizes)) > 1


def test_graph_users_need_their_preview_version(api, graph_headers):
    response = api.get("/_vssps/fabrikam/_apis/graph/users", params=V, headers=graph_headers)
    assert response.status_code == 400
    assert response.json()["typeKey"] == "VssInvalidPreviewVersionException"


def test_graph_subject_types_filter(api, graph_headers):
    response = api.get(
        "/_vssps/fabrikam/_apis/graph/users", params={**GRAPH_V, "subjectTypes": "msa"}, headers=graph_headers
    )
    assert response.status_code == 200
    assert all(u["descriptor"].startswith("msa.") for u in response.json()["value"])


def test_graph_user_storage_key_and_descriptor_round_trip(api, msim, graph_headers, specs):
    user = msim.world.users()[1]
    d = user.identity.descriptor
    graph_user = api.get(f"/_vssps/fabrikam/_apis/graph/users/{d}", params=GRAPH_V, headers=graph_headers)
    assert graph_user.status_code == 200
    example = specs.spec("graph/7.1/graph.json").example_bodies(
        specs.operation("graph/7.1/graph.json", "Users_Get")
    )[0]
    assert set(example) <= set(graph_user.json())
    key = api.get(f"/_vssps/fabrikam/_apis/graph/storagekeys/{d}", params=V, headers=graph_headers).json()
    assert key["value"] == user.identity.id
    assert set(key["_links"]) == {"self", "descriptor"}
    back = api.get(
        f"/_vssps/fabrikam/_apis/graph/descriptors/{key['value']}", params=V, headers=graph_headers
    )
    assert back.json()["value"] == d
    assert set(back.json()["_links"]) == {"self", "storageKey", "subject"}
    missing = api.get(
        "/_vssps/fabrikam/_apis/graph/storagekeys/aad.bm9ib2R5", params=V, headers=graph_headers
    )
    assert missing.status_code == 404


# -- profile and accounts -----------------------------------------------------------------------------


def test_profile_me_is_the_caller(api, msim, specs):
    response = api.get("/_app.vssps/_apis/profile/profiles/me", params=V)
    assert response.status_code == 200
    body = response.json()
    owner = msim.world.identity(admin_identity(msim.world))
    assert body["id"] == body["publicAlias"] == owner.id
    assert body["displayName"] == owner.display_name
    example = specs.spec("profile/7.1/profile.json").example_bodies(
        specs.operation("profile/7.1/profile.json", "Profiles_Get")
    )[0]
    assert set(example) <= set(body)


def test_accounts_need_member_or_owner(api, msim, specs):
    assert api.get("/_app.vssps/_apis/accounts", params=V).status_code == 400
    me = admin_identity(msim.world)
    member = api.get("/_app.vssps/_apis/accounts", params={**V, "memberId": me}).json()
    assert member["count"] == 1
    account = member["value"][0]
    assert account["accountName"] == "fabrikam" and account["accountId"] == msim.world.organization_id
    assert account["accountUri"] == "http://testserver/_vssps/fabrikam/"
    example = specs.spec("account/7.1/accounts.json").example_bodies(
        specs.operation("account/7.1/accounts.json", "Accounts_List")
    )[0]
    assert set(example["value"][0]) <= set(account)
    assert api.get("/_app.vssps/_apis/accounts", params={**V, "ownerId": me}).json()["count"] == 1
    stranger = str(uuid.uuid4())
    assert api.get("/_app.vssps/_apis/accounts", params={**V, "memberId": stranger}).json()["count"] == 0
