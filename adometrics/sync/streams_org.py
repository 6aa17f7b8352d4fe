"""Organization streams: projects, users, teams and their members, repositories.

Each is a full listing (a page or two per run). Once a stream is done in this run, a resumed run reads its
records back from the database instead of listing them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain import Project, Repository, Team
from ..store.schema import repositories, teams
from .run import Run


def listing(run: Run, stream: str, scope: str, source: Callable[[], Any], record_type: type,
            *criteria) -> list:
    """Records of ``record_type`` from a full listing, or from the database when this run already has it."""
    if run.done(stream, scope):
        return run.load(record_type, *criteria)
    return [r for r in run.pages(stream, scope, source(), keep=True) if isinstance(r, record_type)]


def projects(run: Run) -> list[Project]:
    c = run.collectors
    return listing(run, "projects", "", lambda: c.projects.collect_projects(run.client, run.org_id), Project)


def users(run: Run) -> None:
    if not run.done("users"):
        run.pages("users", "", run.collectors.users.collect_users(run.client, run.org_id))


def project_teams(run: Run, project: Project) -> list[Team]:
    c = run.collectors
    return listing(run, "teams", project.id,
                   lambda: c.teams.collect_teams(run.client, run.org_id, project.id),
                   Team, teams.c.project_id == project.id)


def team_members(run: Run, team: Team) -> None:
    if not run.done("team_members", team.id):
        source = run.collectors.teams.collect_team_members(run.client, run.org_id, team.project_id, team.id)
        run.pages("team_members", team.id, source)


def project_repositories(run: Run, project: Project) -> list[Repository]:
    c = run.collectors
    return listing(run, "repositories", project.id,
                   lambda: c.repositories.collect_repositories(run.client, run.org_id, project.id),
                   Repository, repositories.c.project_id == project.id)


def has_history(repo: Repository) -> bool:
    """Disabled repositories cannot be read and empty ones have nothing to read."""
    return not repo.is_disabled and repo.default_branch is not None
