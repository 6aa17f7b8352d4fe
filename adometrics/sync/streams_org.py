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


def listing(run: Run, stream: str, scope: str, source: Callable[[dict | None], Any], record_type: type,
            *criteria) -> list:
    """Records of ``record_type`` from a full listing (resumed inside this run), or from the database when
    this run already has them."""
    if run.done(stream, scope):
        return run.load(record_type, *criteria)
    kept = run.pages(stream, scope, source(run.resume(stream, scope)), keep=True)
    return [r for r in kept if isinstance(r, record_type)]


def simple(run: Run, stream: str, scope: str, source: Callable[[dict | None], Any]) -> None:
    """A full listing whose records nothing else needs in this run."""
    if not run.done(stream, scope):
        run.pages(stream, scope, source(run.resume(stream, scope)))


def projects(run: Run) -> list[Project]:
    c = run.collectors
    return listing(run, "projects", "", lambda resume: c.collect_projects(run.client, run.org_id, resume),
                   Project)


def users(run: Run) -> None:
    c = run.collectors
    simple(run, "users", "", lambda resume: c.collect_users(run.client, run.org_id, resume))


def project_teams(run: Run, project: Project) -> list[Team]:
    c = run.collectors
    return listing(run, "teams", project.id,
                   lambda resume: c.collect_teams(run.client, run.org_id, project.id, resume),
                   Team, teams.c.project_id == project.id)


def team_members(run: Run, team: Team) -> None:
    c = run.collectors
    simple(run, "team_members", team.id,
           lambda resume: c.collect_team_members(run.client, run.org_id, team.project_id, team.id, resume))


def project_repositories(run: Run, project: Project) -> list[Repository]:
    c = run.collectors
    return listing(run, "repositories", project.id,
                   lambda _resume: c.collect_repositories(run.client, run.org_id, project.id),
                   Repository, repositories.c.project_id == project.id)


def has_history(repo: Repository) -> bool:
    """Disabled repositories cannot be read and empty ones have nothing to read."""
    return not repo.is_disabled and repo.default_branch is not None
