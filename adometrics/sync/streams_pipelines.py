"""Pipeline streams of one project: build definitions and builds, classic releases and deployments, YAML
environments and their deployment records.

Builds, releases and deployments are read in ascending time order (finish, creation, modification), so their
cursor moves page by page; the next run starts at the cursor minus an overlap. In-progress builds have no
finish time yet: they are listed separately each run and caught by the finish-time stream once they end.
Environment deployment records come newest first; the cursor is the highest record id below which nothing is
still running, promoted with the last page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain import Environment, Project
from ..store.schema import environments
from .checkpoints import parse_time
from .run import Run, TimeCursor
from .streams_org import listing, simple

RECORDS = "environment_deployments"


def since(run: Run, stream: str, scope: str) -> datetime | None:
    """Where an ascending stream starts: its cursor minus the overlap (None: from the beginning)."""
    if run.options.full:
        return None
    cursor = parse_time(run.checkpoints.cursor(stream, scope))
    return cursor - run.options.time_overlap if cursor else None


def ascending(run: Run, stream: str, project: Project, collect: Callable, time_field: str) -> None:
    if run.done(stream, project.id):
        return
    source = collect(run.client, run.org_id, project.id, since(run, stream, project.id),
                     run.resume(stream, project.id))
    run.pages(stream, project.id, source, cursor=TimeCursor(time_field))


def builds(run: Run, project: Project) -> None:
    c, pid = run.collectors, project.id
    simple(run, "build_definitions", pid,
           lambda resume: c.collect_build_definitions(run.client, run.org_id, pid, resume))
    ascending(run, "builds", project, c.collect_builds, "finished_at")
    simple(run, "builds.in_progress", pid,
           lambda resume: c.collect_inprogress_builds(run.client, run.org_id, pid, resume))


def releases(run: Run, project: Project) -> None:
    c, pid = run.collectors, project.id
    simple(run, "release_definitions", pid,
           lambda resume: c.collect_release_definitions(run.client, run.org_id, pid, resume))
    ascending(run, "releases", project, c.collect_releases, "created_at")
    ascending(run, "classic_deployments", project, c.collect_deployments, "last_modified_at")


class RecordCursor:
    """The id below which every record is known and finished: the next run lists only the ones above."""

    def __init__(self, old: str | None) -> None:
        self.high = int(old) if old else None
        self.running: int | None = None

    def see(self, records: list) -> None:
        for r in records:
            self.high = r.id if self.high is None else max(self.high, r.id)
            if r.finished_at is None:
                self.running = r.id if self.running is None else min(self.running, r.id)

    def value(self, run: Run) -> str | None:
        if self.running is not None:
            return str(self.running - 1)
        return None if self.high is None else str(self.high)


def yaml_environments(run: Run, project: Project) -> bool:
    """Environment deployment records (7.2-preview route); False where the route is refused: the refusal is
    reported, deployments of opted-in deployment pipelines still count (METRICS.md §1.3), and the plan looks
    for the pipelines to opt in (:mod:`.timeline_hints`)."""
    c = run.collectors
    try:
        envs = listing(run, "environments", project.id,
                       lambda resume: c.collect_environments(run.client, run.org_id, project.id, resume),
                       Environment, environments.c.project_id == project.id)
        for env in envs:
            environment_records(run, project, env)
    except c.EnvironmentsUnavailable as exc:
        run.skip("environments", project.id, f"{project.name}: {exc}")  # logged: shown once, by name
        return False
    return True


def environment_records(run: Run, project: Project, env: Environment) -> None:
    scope = str(env.id)
    if run.done(RECORDS, scope):
        return
    old = None if run.options.full else run.checkpoints.cursor(RECORDS, scope)
    source = run.collectors.collect_environment_deployments(
        run.client, run.org_id, project.id, env.id, run.resume(RECORDS, scope),
        after_id=int(old) if old else None)
    run.pages(RECORDS, scope, source, cursor=RecordCursor(old), cursor_at_end=True)
