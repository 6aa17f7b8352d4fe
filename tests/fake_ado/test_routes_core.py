"""Projects, teams and team members (ENDPOINTS.md §2) against the tiny scenario."""

from __future__ import annotations

from routes_support import V, assert_spec, example_entity, get

from adometrics.fake_ado.auth import admin_identity

CORE = "core/7.1/core.json"


def example_keys(specs, spec: str, operation_id: str) -> set[str]:
    """Keys of the example's (first) entity: every one must appear in ours."""
    return set(example_entity(specs, spec, operation_id))


# -- projects ---------------------------------------------------------------------------------------


def test_projects_list_every_well_formed_project(api, msim, specs):
    body = get(api, "/fabrikam/_apis/projects").json()
    assert body["count"] == len(body["value"]) == len(msim.world.projects())
    assert {p["id"] for p in body["value"]} == {p.id for p in msim.world.projects()}
    assert_spec(specs, CORE, "Projects_List", body)
    wanted = example_keys(specs, CORE, "Projects_List") - {"description"}
    for project in body["value"]:
        assert wanted <= set(project)
        assert project["url"] == f"http://testserver/fabrikam/_apis/projects/{project['id']}"
        assert {"visibility", "revision", "lastUpdateTime"} <= set(project)


def test_projects_page_by_continuation_header_and_by_skip(api, msim):
    everything = {p.id for p in msim.world.projects()}
    seen: list[str] = []
    token = None
    for _ in range(len(everything) + 1):
        params = {"$top": 1, **({"continuationToken": token} if token else {})}
        response = get(api, "/fabrikam/_apis/projects", **params)
        assert response.json()["count"] == 1
        seen += [p["id"] for p in response.json()["value"]]
        token = response.headers.get("x-ms-continuationtoken")
        if token is None:
            break
    assert token is None and len(seen) == len(set(seen)) and set(seen) == everything
    pages = [
        get(api, "/fabrikam/_apis/projects", **{"$top": 1, "$skip": k}).json()["value"]
        for k in range(len(everything))
    ]
    assert sorted(p[0]["id"] for p in pages) == sorted(everything)
    assert get(api, "/fabrikam/_apis/projects", **{"$top": 1, "$skip": len(everything)}).json()["count"] == 0


def test_projects_state_filter(api, msim):
    assert get(api, "/fabrikam/_apis/projects", stateFilter="all").json()["count"] == len(
        msim.world.projects()
    )
    assert get(api, "/fabrikam/_apis/projects", stateFilter="deleted").json()["count"] == 0


def test_project_by_id_or_name_case_insensitively(api, msim, specs):
    project = msim.world.projects()[0]
    by_id = get(api, f"/fabrikam/_apis/projects/{project.id}").json()
    by_name = get(api, f"/fabrikam/_apis/projects/{project.name.upper()}").json()
    assert by_id == by_name
    assert by_id["id"] == project.id and by_id["name"] == project.name
    assert "capabilities" not in by_id
    assert set(by_id["_links"]) == {"self", "collection", "web"}
    team_ids = {t.id for t in msim.world.teams(project.id)}
    assert by_id["defaultTeam"]["id"] in team_ids
    assert_spec(specs, CORE, "Projects_Get", by_id)


def test_project_capabilities_on_request(api, msim):
    project = msim.world.projects()[0]
    body = get(api, f"/fabrikam/_apis/projects/{project.id}", includeCapabilities="true").json()
    assert body["capabilities"]["versioncontrol"]["sourceControlType"] == "Git"
    assert body["capabilities"]["processTemplate"]["templateName"]


def test_unknown_project_is_tf200016(api):
    response = api.get("/fabrikam/_apis/projects/Nope", params=V)
    assert response.status_code == 404
    body = response.json()
    assert body["typeKey"] == "ProjectDoesNotExistWithNameException"
    assert body["message"].startswith("TF200016: The following project does not exist: Nope.")


# -- teams ------------------------------------------------------------------------------------------


def test_teams_of_a_project(api, msim, specs):
    project = msim.world.projects()[0]
    body = get(api, f"/fabrikam/_apis/projects/{project.name}/teams").json()
    assert {t["id"] for t in body["value"]} == {t.id for t in msim.world.teams(project.id)}
    assert_spec(specs, CORE, "Teams_Get Teams", body)
    wanted = example_keys(specs, CORE, "Teams_Get Teams")
    for team in body["value"]:
        assert wanted <= set(team)
        assert team["projectId"] == project.id and team["projectName"] == project.name


def test_team_pages_are_disjoint_and_cover_the_org(api, msim):
    everything = [t.id for p in msim.world.projects() for t in msim.world.teams(p.id)]
    pages = [
        get(api, "/fabrikam/_apis/teams", **{"api-version": "7.1-preview.3", "$top": 1, "$skip": k}).json()[
            "value"
        ]
        for k in range(len(everything) + 1)
    ]
    ids = [t["id"] for page in pages for t in page]
    assert len(ids) == len(set(ids)) and set(ids) == set(everything)
    assert pages[-1] == []


def test_all_teams_needs_its_preview_version(api):
    response = api.get("/fabrikam/_apis/teams", params=V)
    assert response.status_code == 400
    assert response.json()["typeKey"] == "VssInvalidPreviewVersionException"


def test_mine_keeps_the_callers_teams(api, msim):
    me = admin_identity(msim.world)
    mine = get(api, "/fabrikam/_apis/teams", **{"api-version": "7.1-preview.3", "$mine": "true"}).json()
    expected = {
        t.id
        for p in msim.world.projects()
        for t in msim.world.teams(p.id)
        if me in t.member_ids or me in t.admin_ids
    }
    assert {t["id"] for t in mine["value"]} == expected


def test_one_team_by_name_or_id(api, msim, specs):
    project = msim.world.projects()[0]
    team = msim.world.teams(project.id)[0]
    by_id = get(api, f"/fabrikam/_apis/projects/{project.id}/teams/{team.id}").json()
    by_name = get(api, f"/fabrikam/_apis/projects/{project.id}/teams/{team.name.lower()}").json()
    assert by_id == by_name and by_id["name"] == team.name
    assert_spec(specs, CORE, "Teams_Get", by_id)
    missing = api.get(f"/fabrikam/_apis/projects/{project.id}/teams/nobody", params=V)
    assert missing.status_code == 404


def test_team_members_with_admin_flag_and_paging(api, msim, specs):
    project = msim.world.projects()[0]
    team = msim.world.teams(project.id)[0]
    path = f"/fabrikam/_apis/projects/{project.id}/teams/{team.id}/members"
    body = get(api, path).json()
    expected = set(team.member_ids) | set(team.admin_ids)
    assert {m["identity"]["id"] for m in body["value"]} == expected
    assert {m["identity"]["id"] for m in body["value"] if m["isTeamAdmin"]} == set(team.admin_ids)
    assert_spec(specs, CORE, "Teams_Get Team Members With Extended Properties", body)
    for member in body["value"]:
        assert {"id", "displayName", "uniqueName", "url", "imageUrl"} <= set(member["identity"])
    half = max(1, len(expected) // 2)
    first = get(api, path, **{"$top": half}).json()["value"]
    rest = get(api, path, **{"$top": 1000, "$skip": half}).json()["value"]
    ids = [m["identity"]["id"] for m in first + rest]
    assert len(ids) == len(set(ids)) and set(ids) == expected


# -- the registry entries of the core, identity, discovery, git and content routes ------------------------

MODULES = ("core", "identities", "discovery", "git", "gitcommits", "content")
UNSPECIFIED = {
    "resourceareas.list",
    "resourceareas.get",
    "resourceareas.global",
    "connectiondata",
    "git.web",
    "git.info.refs",
}  # Location area and web/git-protocol paths: not in the specs repository


def test_operations_exist_in_the_specs_with_their_versions_and_scopes(specs):
    from adometrics.fake_ado.registry import ENDPOINTS

    mine = [ep for ep in ENDPOINTS if ep.handler.__module__.rsplit(".", 1)[-1] in MODULES]
    assert len(mine) > 50
    for ep in mine:
        if ep.name in UNSPECIFIED:
            assert ep.spec is None
            continue
        op = specs.operation(ep.spec, ep.operation_id)
        assert op is not None, (ep.name, ep.operation_id)
        assert op.method == ep.method, ep.name
        assert ep.api_version == op.api_version, ep.name
        assert not op.scopes or set(op.scopes) & ep.scopes, ep.name
