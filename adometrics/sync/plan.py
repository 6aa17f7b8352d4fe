"""The order of a sync (ARCHITECTURE §4 "Plan"): organization → projects → teams and members, users →
repositories → per repository refs, commits, PRs and their details → builds → releases and deployments →
YAML environment records → the commits each new deployment shipped.

A resource that vanished or cannot be read (a skippable error) is reported and skipped; the rest goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..errors import ConfigurationError, SkippableError
from . import deployments, streams_git, streams_org, streams_pipelines, streams_prs
from .run import Run

T = TypeVar("T")


def guarded(run: Run, entity: str, key: str, work: Callable[[], T], default: T) -> T:
    """Run one stream; a skippable failure is reported and ``default`` returned."""
    try:
        return work()
    except SkippableError as exc:
        run.skip(entity, key, str(exc))
        return default


def repository(run: Run, repo) -> None:
    streams_git.refs(run, repo)
    streams_git.commits(run, repo)
    streams_prs.pull_requests_of(run, repo)


def project(run: Run, project) -> None:
    for team in guarded(run, "teams", project.id, lambda: streams_org.project_teams(run, project), []):
        guarded(run, "team_members", team.id, lambda team=team: streams_org.team_members(run, team), None)
    repos = guarded(run, "repositories", project.id,
                    lambda: streams_org.project_repositories(run, project), [])
    active = [r for r in repos if streams_org.has_history(r)]
    run.progress.add("repositories_synced", expected=len(active))
    for repo in active:
        guarded(run, "repository", repo.id, lambda repo=repo: repository(run, repo), None)
        run.progress.add("repositories_synced", done=1)
    guarded(run, "builds", project.id, lambda: streams_pipelines.builds(run, project), None)
    guarded(run, "releases", project.id, lambda: streams_pipelines.releases(run, project), None)
    guarded(run, "environments", project.id, lambda: streams_pipelines.yaml_environments(run, project), None)


def chosen(run: Run, projects: list) -> list:
    """The projects ``SyncOptions.projects`` names (all when it names none); a name that matches no project
    stops the run before anything else is read, rather than quietly syncing less than asked."""
    if not run.options.projects:
        return projects
    keys = {p.id: {p.name.casefold(), p.id.casefold()} for p in projects}
    unknown = [w for w in run.options.projects if not any(w.casefold() in k for k in keys.values())]
    if unknown:
        names = ", ".join(sorted(p.name for p in projects))
        raise ConfigurationError(f"no project named {', '.join(unknown)} in this organization; "
                                 f"its projects: {names}")
    wanted = {w.casefold() for w in run.options.projects}
    return [p for p in projects if wanted & keys[p.id]]


def run_plan(run: Run) -> None:
    projects = chosen(run, streams_org.projects(run))
    guarded(run, "users", "", lambda: streams_org.users(run), None)
    for p in projects:
        project(run, p)
    scope = {p.id for p in projects} if run.options.projects else None
    deployments.compare_deployments(run, project_ids=scope)
