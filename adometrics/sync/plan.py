"""The order of a sync (ARCHITECTURE §4 "Plan"): organization → projects → teams and members, users →
repositories → per repository refs, commits, PRs and their details → builds → releases and deployments →
YAML environment records (where they cannot be read, build timelines of the pipelines that may deploy) → the
commits each new deployment shipped.

Only some of that order matters: a team's members need the team, a repository's streams the repository
listing, its PR details the PR rows (written with them), and the comparisons every deployment. So the chains
that share nothing (users; per project teams, builds, releases, environments; per repository refs → commits →
PRs) run side by side on the run's lanes, and the comparisons wait for all of them.

A resource that vanished or cannot be read (a skippable error) is reported and skipped; the rest goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..errors import ConfigurationError, SkippableError
from . import deployments, streams_git, streams_org, streams_pipelines, streams_prs, timeline_hints
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


def teams(run: Run, project) -> None:
    for team in guarded(run, "teams", project.id, lambda: streams_org.project_teams(run, project), []):
        guarded(run, "team_members", team.id, lambda team=team: streams_org.team_members(run, team), None)


def repositories(run: Run, project) -> None:
    """List the project's repositories, then start a lane for each one that has history."""
    repos = guarded(run, "repositories", project.id,
                    lambda: streams_org.project_repositories(run, project), [])
    active = [r for r in repos if streams_org.has_history(r)]
    run.progress.add("repositories_synced", expected=len(active))
    for repo in active:
        run.lanes.start(lambda repo=repo: synced_repository(run, repo))


def synced_repository(run: Run, repo) -> None:
    guarded(run, "repository", repo.id, lambda: repository(run, repo), None)
    run.progress.add("repositories_synced", done=1)


def project(run: Run, project, refused: list) -> None:
    """Start the project's independent chains of streams, each on its own lane; a project whose YAML
    environments cannot be read joins ``refused``."""
    pid = project.id
    run.lanes.start(lambda: teams(run, project))
    run.lanes.start(lambda: repositories(run, project))
    run.lanes.start(lambda: guarded(run, "builds", pid, lambda: streams_pipelines.builds(run, project), None))
    run.lanes.start(lambda: guarded(run, "releases", pid, lambda: streams_pipelines.releases(run, project),
                                    None))

    def environments() -> None:
        readable = guarded(run, "environments", pid,
                           lambda: streams_pipelines.yaml_environments(run, project), True)
        if not readable:
            refused.append(project)

    run.lanes.start(environments)


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
    run.lanes.start(lambda: guarded(run, "users", "", lambda: streams_org.users(run), None))
    refused: list = []
    for p in projects:
        project(run, p, refused)
    run.lanes.wait()  # deployments are compared once every build, release and environment record is stored
    for p in refused:
        guarded(run, timeline_hints.STREAM, p.id,
                lambda p=p: timeline_hints.suggest_deployment_pipelines(run, p), None)
    scope = {p.id for p in projects} if run.options.projects else None
    deployments.compare_deployments(run, project_ids=scope)
