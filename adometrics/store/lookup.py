"""Names → ids for what users type (``--org``, ``--project``, ``--team``, ``--repo``) and display names back.

Names match case-insensitively, as ADO treats them; an id matches too. Every function returns all matches
and leaves "none" and "several" to the caller, which knows how to say what to do about them.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, or_, select

from ..domain import TeamMember
from .schema import build_definitions, organizations, projects, repositories, team_members, teams


def _named(column_id, column_name, value: str):
    return or_(column_id == value, func.lower(column_name) == value.casefold())


def find_organizations(conn: Connection, name: str) -> list[tuple[str, str]]:
    """(id, name) of the organizations called ``name`` (or with that id)."""
    o = organizations.c
    return [tuple(r) for r in conn.execute(select(o.id, o.name).where(_named(o.id, o.name, name)))]


def find_projects(conn: Connection, org_id: str, name: str) -> list[tuple[str, str]]:
    p = projects.c
    query = select(p.id, p.name).where(p.org_id == org_id, _named(p.id, p.name, name))
    return [tuple(r) for r in conn.execute(query)]


def find_repositories(conn: Connection, org_id: str, name: str,
                      project_id: str | None = None) -> list[tuple[str, str, str]]:
    """(id, name, project id) of the repositories called ``name``, in one project if given."""
    r = repositories.c
    query = select(r.id, r.name, r.project_id).where(r.org_id == org_id, _named(r.id, r.name, name))
    if project_id is not None:
        query = query.where(r.project_id == project_id)
    return [tuple(row) for row in conn.execute(query)]


def find_teams(conn: Connection, org_id: str, name: str,
               project_id: str | None = None) -> list[tuple[str, str, str]]:
    """(id, name, project id) of the teams called ``name``, in one project if given."""
    t = teams.c
    query = select(t.id, t.name, t.project_id).where(t.org_id == org_id, _named(t.id, t.name, name))
    if project_id is not None:
        query = query.where(t.project_id == project_id)
    return [tuple(row) for row in conn.execute(query)]


def members_of(conn: Connection, org_id: str, team_id: str) -> list[TeamMember]:
    m = team_members.c
    query = select(m.identity_id, m.is_group, m.is_admin).where(m.org_id == org_id, m.team_id == team_id)
    return [TeamMember(org_id=org_id, team_id=team_id, identity_id=identity, is_group=group, is_admin=admin)
            for identity, group, admin in conn.execute(query)]


def project_names(conn: Connection, org_id: str) -> dict[str, str]:
    p = projects.c
    return dict(conn.execute(select(p.id, p.name).where(p.org_id == org_id)).all())


def repository_names(conn: Connection, org_id: str) -> dict[str, str]:
    r = repositories.c
    return dict(conn.execute(select(r.id, r.name).where(r.org_id == org_id)).all())


def find_pipelines(conn: Connection, org_id: str, project_id: str, name: str) -> list[tuple[int, str]]:
    """(id, name) of the build pipelines of a project called ``name`` (or with that id)."""
    b = build_definitions.c
    query = select(b.id, b.name).where(b.org_id == org_id, b.project_id == project_id,
                                       or_(b.id == int(name) if name.isdigit() else False,
                                           func.lower(b.name) == name.casefold()))
    return [tuple(r) for r in conn.execute(query)]
