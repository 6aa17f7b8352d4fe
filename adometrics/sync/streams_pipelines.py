"""Pipeline streams of one project: build definitions and builds, classic releases and deployments, YAML
environments and their deployment records.

Builds, releases and deployments are read in ascending time order (finish, creation, modification), so their
cursor moves page by page and a crash re-reads at most a page plus the overlap. In-progress builds have no
finish time yet; they are listed separately each run and caught by the finish-time stream once they end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from ..domain import Build, Environment, Project
from ..store.schema import build_definitions, environments
from .checkpoints import parse_time
from .run import Run
from .streams_org import listing

log = logging.getLogger("adometrics.sync")
TIMELINES = "build_timelines"


def since(run: Run, stream: str, scope: str) -> datetime | None:
    """Where an ascending stream starts: its cursor minus the overlap (None: from the beginning)."""
    if run.options.full:
        return None
    cursor = parse_time(run.checkpoints.cursor(stream, scope))
    return cursor - run.options.time_overlap if cursor else None


def ascending(run: Run, stream: str, project: Project, fetch: Callable, time_field: str) -> None:
    if run.done(stream, project.id):
        return
    start = since(run, stream, project.id)
    run.pages(stream, project.id, fetch(run.client, run.org_id, project.id, start, None),
              time_of=lambda r: getattr(r, time_field, None))


def builds(run: Run, project: Project) -> None:
    c = run.collectors.builds
    listing(run, "build_definitions", project.id,
            lambda: c.collect_build_definitions(run.client, run.org_id, project.id),
            object, build_definitions.c.project_id == project.id)
    ascending(run, "builds", project, c.collect_builds, "finished_at")
    if not run.done("builds.in_progress", project.id):
        run.pages("builds.in_progress", project.id, c.collect_inprogress_builds(run.client, run.org_id, project.id))


def releases(run: Run, project: Project) -> None:
    c = run.collectors.releases
    if not run.done("release_definitions", project.id):
        run.pages("release_definitions", project.id,
                  c.collect_release_definitions(run.client, run.org_id, project.id))
    ascending(run, "releases", project, c.collect_releases, "created_at")
    ascending(run, "classic_deployments", project, c.collect_deployments, "last_modified_at")


def yaml_environments(run: Run, project: Project) -> None:
    """Environment deployment records; where the route is refused, deployments come from build timelines."""
    c = run.collectors.environments
    envs = listing(run, "environments", project.id,
                   lambda: c.collect_environments(run.client, run.org_id, project.id),
                   Environment, environments.c.project_id == project.id)
    for env in envs:
        stream = "environment_deployments"
        if run.done(stream, str(env.id)):
            continue
        try:
            source = c.collect_environment_deployments(run.client, run.org_id, project.id, env.id)
            run.pages(stream, str(env.id), source)
        except c.EnvironmentsUnavailable as exc:
            run.progress.note(f"{project.name}: environments refused ({exc}); using build timelines")
            timelines(run, project)
            return


def timelines(run: Run, project: Project) -> None:
    """Deployment records from the timelines of completed builds of deployment pipelines (the fallback)."""
    if run.done(TIMELINES, project.id):
        return
    from sqlalchemy import select

    from ..store.schema import builds as b
    d = build_definitions.c
    pipelines = select(d.id).where(d.org_id == run.org_id, d.project_id == project.id, d.is_deployment_pipeline)
    found = run.load(Build, b.c.project_id == project.id, b.c.definition_id.in_(pipelines),
                     b.c.status == "completed")
    for build in found:
        scope = f"{project.id}/{build.id}"
        if run.done(TIMELINES, scope):
            continue
        run.pages(TIMELINES, scope, run.collectors.builds.collect_build_timeline(
            run.client, run.org_id, project.id, build.id))
    run.finish(TIMELINES, project.id)
