"""What a report is about: the names a user typed, resolved to ids once, with errors that say what to do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from ..domain import Scope
from ..errors import ConfigurationError
from ..metrics import team_user_ids
from ..store import lookup


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved scope: the organization's id and the metrics' ``Scope`` (names echoed as given)."""

    org_id: str
    scope: Scope


def _one(found: list, what: str, name: str, where: str, hint: str) -> tuple:
    if not found:
        raise ConfigurationError(f"no {what} {name!r} {where}; {hint}")
    if len(found) > 1:
        raise ConfigurationError(f"{len(found)} {what}s are called {name!r} {where}; give --project too")
    return found[0]


def resolve(conn: Connection, organization: str, *, project: str | None = None, team: str | None = None,
            repository: str | None = None) -> Target:
    """Find the organization, project, team and repository by name (case-insensitive) or id."""
    org_id, org_name = _one(lookup.find_organizations(conn, organization), "organization", organization,
                            "is connected", "add it with `adometrics connect --org-url URL`")
    where = f"in {org_name}"
    sync_hint = "check the name, or run `adometrics sync` if it is new"
    project_id = repo_id = members = None
    if project is not None:
        found = lookup.find_projects(conn, org_id, project)
        project_id, _ = _one(found, "project", project, where, sync_hint)
        where = f"in project {project}"
    if repository is not None:
        found = lookup.find_repositories(conn, org_id, repository, project_id)
        repo_id, _, _ = _one(found, "repository", repository, where, sync_hint)
    if team is not None:
        found = lookup.find_teams(conn, org_id, team, project_id)
        team_id, _, _ = _one(found, "team", team, where, sync_hint)
        members = team_user_ids(lookup.members_of(conn, org_id, team_id))
    scope = Scope(organization=organization, project=project, team=team, repository=repository,
                  project_id=project_id, repo_id=repo_id, team_member_ids=members)
    return Target(org_id, scope)
