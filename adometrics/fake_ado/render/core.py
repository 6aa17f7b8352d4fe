"""Core area JSON: projects (TeamProjectReference / TeamProject), teams (WebApiTeam) and team members."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..registry import Call
from ..scenario.model import Identity, Project, Team
from ..wire import iso
from .common import identity_ref, link

# Agile; the process template every simulated project uses.
PROCESS_TEMPLATE = {"templateName": "Agile", "templateTypeId": "adcc42ab-9882-485e-a3ed-7678f01f66bc"}


def project_url(call: Call, project_id: str) -> str:
    return f"{call.host_url('dev')}/{call.world.organization}/_apis/projects/{project_id}"


def project_reference(call: Call, project: Project) -> dict[str, Any]:
    """TeamProjectReference as the projects list shows it (``description`` only when there is one)."""
    ref: dict[str, Any] = {"id": project.id, "name": project.name}
    if project.description:
        ref["description"] = project.description
    ref.update(
        {
            "url": project_url(call, project.id),
            "state": project.state,
            "revision": project.revision,
            "visibility": project.visibility,
            "lastUpdateTime": iso(project.last_update_time),
        }
    )
    return ref


def default_team(project: Project, teams: list[Team]) -> Team | None:
    """ADO names a project's default team "<project> Team"; fall back to the first team."""
    wanted = f"{project.name} Team".casefold()
    for team in teams:
        if team.name.casefold() == wanted:
            return team
    return teams[0] if teams else None


def project(call: Call, project: Project, *, capabilities: bool) -> dict[str, Any]:
    """TeamProject (single GET): the reference, ``_links``, ``defaultTeam`` and, on request, capabilities."""
    org = call.world.organization
    dev = call.host_url("dev")
    body = project_reference(call, project)
    body["_links"] = {
        "self": link(project_url(call, project.id)),
        "collection": link(f"{dev}/{org}/_apis/projectCollections/{call.world.organization_id}"),
        "web": link(f"{dev}/{org}/{quote(project.name)}"),
    }
    team = default_team(project, list(call.world.teams(project.id)))
    if team is not None:
        body["defaultTeam"] = {"id": team.id, "name": team.name, "url": team_url(call, project.id, team.id)}
    if capabilities:
        body["capabilities"] = {
            "versioncontrol": {"sourceControlType": "Git", "gitEnabled": "True", "tfvcEnabled": "False"},
            "processTemplate": dict(PROCESS_TEMPLATE),
        }
    return body


def team_url(call: Call, project_id: str, team_id: str) -> str:
    return f"{project_url(call, project_id)}/teams/{team_id}"


def team(call: Call, team: Team, project: Project) -> dict[str, Any]:
    """WebApiTeam as the examples show it, plus ``projectName``/``projectId`` that 7.1 responses carry."""
    org = call.world.organization
    return {
        "id": team.id,
        "name": team.name,
        "url": team_url(call, project.id, team.id),
        "description": team.description,
        "identityUrl": f"{call.host_url('vssps')}/{org}/_apis/Identities/{team.id}",
        "projectName": project.name,
        "projectId": project.id,
    }


def team_member(call: Call, identity: Identity, *, is_admin: bool) -> dict[str, Any]:
    return {"isTeamAdmin": is_admin, "identity": identity_ref(call, identity)}
