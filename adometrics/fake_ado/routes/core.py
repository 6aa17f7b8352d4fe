"""Routes: projects, teams and team members (core area, dev host; ENDPOINTS.md §2).

Also the project lookup the git routes share: by id or name, case-insensitively, with ADO's 404.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..registry import PROJECT, Call, endpoint
from ..render import core as render
from ..scenario.model import Project, Team
from ..wire import AdoError, bad_request, envelope, query, query_bool, query_int, top_skip

SPEC = "core/7.1/core.json"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
PAGE = 100  # default and paging size of projects, teams and members
MAX_TOP = 1000


def is_guid(text: str) -> bool:
    return bool(GUID.match(text))


def find_project(call: Call, key: str) -> Project:
    """A project by id or name (case-insensitive), else ADO's TF200016 404."""
    found = call.world.project(key)
    if found is None:
        wanted = key.casefold()
        found = next(
            (p for p in call.world.projects() if wanted in (p.id.casefold(), p.name.casefold())), None
        )
    if found is None:
        raise AdoError(
            404,
            "ProjectDoesNotExistWithNameException",
            f"TF200016: The following project does not exist: {key}. Verify that the name of the project is "
            "correct and that the project exists on the specified Azure DevOps Server.",
        )
    return found


def find_team(call: Call, project: Project, key: str) -> Team:
    wanted = key.casefold()
    for team in call.world.teams(project.id):
        if wanted in (team.id.casefold(), team.name.casefold()):
            return team
    raise AdoError(
        404,
        "TeamNotFoundException",
        f"The team with id or name '{key}' does not exist in project '{project.name}'.",
    )


def _sorted_teams(teams) -> list[Team]:
    return sorted(teams, key=lambda t: (t.name.casefold(), t.id))


def _top_skip(request: Request) -> tuple[int | None, int | None]:
    return query_int(request, "$top"), query_int(request, "$skip")


# -- projects ---------------------------------------------------------------------------------------


@endpoint(
    "projects.list",
    "dev",
    "GET",
    "/{org}/_apis/projects",
    scopes=PROJECT,
    spec=SPEC,
    operation_id="Projects_List",
)
def list_projects(request: Request, call: Call):
    """``$top``/``$skip`` and an int continuation token (the number already fetched, as the spec types it)."""
    state = (query(request, "stateFilter") or "wellFormed").casefold()
    projects = sorted(call.world.projects(), key=lambda p: (p.name.casefold(), p.id))
    if state != "all":
        projects = [p for p in projects if p.state.casefold() == state]
    token = query(request, "continuationToken")
    top, skip = _top_skip(request)
    if token:
        try:
            start = int(token)
        except ValueError:
            raise bad_request(f"The continuation token '{token}' is not valid.") from None
    else:
        start = skip or 0
    size = PAGE if top is None else max(0, min(top, MAX_TOP))
    page = projects[max(0, start) : max(0, start) + size]
    headers = {}
    if start + size < len(projects) and size > 0:
        headers["x-ms-continuationtoken"] = str(start + size)
    return JSONResponse(envelope([render.project_reference(call, p) for p in page]), headers=headers)


@endpoint(
    "projects.get",
    "dev",
    "GET",
    "/{org}/_apis/projects/{project}",
    scopes=PROJECT,
    spec=SPEC,
    operation_id="Projects_Get",
)
def get_project(request: Request, call: Call):
    project = find_project(call, request.path_params["project"])
    return render.project(call, project, capabilities=query_bool(request, "includeCapabilities"))


# -- teams ------------------------------------------------------------------------------------------


def _mine(call: Call, teams: list[Team]) -> list[Team]:
    me = call.identity_id
    return [t for t in teams if me in t.member_ids or me in t.admin_ids]


@endpoint(
    "teams.list",
    "dev",
    "GET",
    "/{org}/_apis/projects/{project}/teams",
    scopes=PROJECT,
    spec=SPEC,
    operation_id="Teams_Get Teams",
)
def list_teams(request: Request, call: Call):
    project = find_project(call, request.path_params["project"])
    teams = _sorted_teams(call.world.teams(project.id))
    if query_bool(request, "$mine"):
        teams = _mine(call, teams)
    top, skip = _top_skip(request)
    page = top_skip(teams, top, skip, PAGE, MAX_TOP)
    return envelope([render.team(call, t, project) for t in page])


@endpoint(
    "teams.all",
    "dev",
    "GET",
    "/{org}/_apis/teams",
    scopes=("vso.project",),
    spec=SPEC,
    operation_id="Teams_Get All Teams",
    api_version="7.1-preview.3",
)
def list_all_teams(request: Request, call: Call):
    pairs = [
        (team, project)
        for project in sorted(call.world.projects(), key=lambda p: (p.name.casefold(), p.id))
        for team in _sorted_teams(call.world.teams(project.id))
    ]
    if query_bool(request, "$mine"):
        mine = {t.id for t in _mine(call, [t for t, _ in pairs])}
        pairs = [(t, p) for t, p in pairs if t.id in mine]
    top, skip = _top_skip(request)
    page = top_skip(pairs, top, skip, PAGE, MAX_TOP)
    return envelope([render.team(call, t, p) for t, p in page])


@endpoint(
    "teams.get",
    "dev",
    "GET",
    "/{org}/_apis/projects/{project}/teams/{team}",
    scopes=PROJECT,
    spec=SPEC,
    operation_id="Teams_Get",
)
def get_team(request: Request, call: Call):
    project = find_project(call, request.path_params["project"])
    return render.team(call, find_team(call, project, request.path_params["team"]), project)


@endpoint(
    "teams.members",
    "dev",
    "GET",
    "/{org}/_apis/projects/{project}/teams/{team}/members",
    scopes=PROJECT,
    spec=SPEC,
    operation_id="Teams_Get Team Members With Extended Properties",
)
def list_team_members(request: Request, call: Call):
    """Members (groups included) in the team's order; admins are members too, listed once."""
    project = find_project(call, request.path_params["project"])
    team = find_team(call, project, request.path_params["team"])
    ids = list(dict.fromkeys([*team.member_ids, *team.admin_ids]))
    top, skip = _top_skip(request)
    page = top_skip(ids, top, skip, PAGE, MAX_TOP)
    admins = set(team.admin_ids)
    members = []
    for identity_id in page:
        identity = call.world.identity(identity_id)
        if identity is not None:
            members.append(render.team_member(call, identity, is_admin=identity_id in admins))
    return envelope(members)
