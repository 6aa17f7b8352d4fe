"""Which commits each successful deployment shipped, without a clone (ARCHITECTURE §4, METRICS.md §1).

Per repository and environment, successful deployments are ordered by finish time (then id). Each one is
compared with the previous one's commit through ADO's version comparison: one paged query per deployment,
never one GET per commit. The comparison is stored even when it found nothing, so it is made once; an empty
comparison between different commits means the deployed commit is an ancestor of the previous one (a
rollback), so no second query is needed. A deployment inserted before ones already compared (it arrived
late) changes their base, and they are compared again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import and_, delete, func, literal, or_, select

from ..domain import DeploymentCommit, DeploymentComparison, DeploymentKind
from ..errors import SkippableError
from ..metrics.deployments import SUCCESS_STATUSES
from ..store.schema import (
    build_definitions,
    builds,
    classic_deployments,
    deployment_commits,
    deployment_comparisons,
    environment_deployments,
    environments,
    release_artifacts,
)
from .collect import records_of
from .run import Run

STREAM = "deployment_comparisons"
SUCCESS = tuple(sorted(SUCCESS_STATUSES))  # the metrics' own rule, so both see the same deployments
DEFAULT_ENVIRONMENT = "production"


@dataclass(frozen=True, slots=True)
class Shipped:
    """A successful deployment of one repository: what it deployed, where and when."""

    kind: DeploymentKind
    id: int
    project_id: str
    repo_id: str
    environment: str
    finished: datetime | None
    sha: str

    @property
    def key(self) -> tuple:
        return (self.kind.value, self.id, self.repo_id)


def _classic(org_id: str):
    d, a = classic_deployments.c, release_artifacts.c
    finished = func.coalesce(d.completed_at, d.last_modified_at)
    return (select(literal(DeploymentKind.CLASSIC.value), d.id, d.project_id, a.repo_id, d.environment_name,
                   finished, a.source_version)
            .join(release_artifacts, and_(a.org_id == d.org_id, a.project_id == d.project_id,
                                          a.release_id == d.release_id))
            .where(d.org_id == org_id, func.lower(d.status).in_(SUCCESS),
                   func.lower(a.type) == "build", a.repo_id.is_not(None), a.source_version.is_not(None)))


def _records(org_id: str):
    r, b, e = environment_deployments.c, builds.c, environments.c
    return (select(literal(DeploymentKind.ENVIRONMENT.value), r.id, r.project_id, b.repo_id, e.name,
                   r.finished_at, b.source_version)
            .join(builds, and_(b.org_id == r.org_id, b.project_id == r.project_id, b.id == r.build_id))
            .join(environments, and_(e.org_id == r.org_id, e.project_id == r.project_id,
                                     e.id == r.environment_id))
            .where(r.org_id == org_id, func.lower(r.result).in_(SUCCESS), b.repo_id.is_not(None),
                   b.source_version.is_not(None)))


def _pipelines(org_id: str):
    b, d = builds.c, build_definitions.c
    environment = func.coalesce(d.deployment_environment, DEFAULT_ENVIRONMENT)
    return (select(literal(DeploymentKind.BUILD.value), b.id, b.project_id, b.repo_id, environment,
                   b.finished_at, b.source_version)
            .join(build_definitions, and_(d.org_id == b.org_id, d.project_id == b.project_id,
                                          d.id == b.definition_id))
            .where(b.org_id == org_id, d.is_deployment_pipeline, func.lower(b.result).in_(SUCCESS),
                   b.repo_id.is_not(None), b.source_version.is_not(None)))


def shipped(run: Run) -> list[Shipped]:
    """Every successful deployment of the organization, per repository it deployed."""
    found = []
    for query in (_classic(run.org_id), _records(run.org_id), _pipelines(run.org_id)):
        for kind, dep_id, project_id, repo_id, env, finished, sha in run.query(query):
            found.append(Shipped(DeploymentKind(kind), dep_id, project_id, repo_id, env, finished,
                                 sha.lower()))
    return found


def _series_key(s: Shipped) -> tuple[str, str]:
    """Per repository and environment (by exact name, as the metrics group them)."""
    return (s.repo_id, s.environment)


def _order(s: Shipped) -> tuple:
    return (s.finished is None, s.finished or datetime.min, s.id, s.kind.value)


def pending(run: Run) -> list[tuple[Shipped, str | None]]:
    """(deployment, previous deployment's commit) for deployments not yet compared with that base."""
    c = deployment_comparisons.c
    rows = run.query(select(c.deployment_kind, c.deployment_id, c.repo_id, c.base_sha)
                     .where(c.org_id == run.org_id))
    done = {(kind, dep_id, repo): base for kind, dep_id, repo, base in rows}
    todo = []
    items = sorted(shipped(run), key=lambda s: (_series_key(s), _order(s)))
    for _, series in groupby(items, key=_series_key):
        base: str | None = None
        for s in series:
            if run.options.full or s.key not in done or done[s.key] != base:
                todo.append((s, base))
            base = s.sha
    return todo


def compare(run: Run, item: tuple[Shipped, str | None]) -> tuple[list, str | None]:
    """The rows recording one deployment's comparison (HTTP only), or a reason it was skipped."""
    s, base = item
    shas: list[str] = []
    if base != s.sha:
        try:
            commits, _ = records_of(run.collectors.compare_commits(
                run.client, run.org_id, s.project_id, s.repo_id, s.sha, base))
        except SkippableError as exc:
            return [], str(exc)
        shas = sorted({getattr(c, "sha", c) for c in commits})
    comparison = DeploymentComparison(
        org_id=run.org_id, project_id=s.project_id, deployment_kind=s.kind, deployment_id=s.id,
        repo_id=s.repo_id, deployed_sha=s.sha, base_sha=base, commit_count=len(shas),
        is_ancestor_of_base=None if base is None else (not shas and base != s.sha))
    return [comparison, *_commit_rows(run, s, shas)], None


def _commit_rows(run: Run, s: Shipped, shas: list[str]) -> Iterator[DeploymentCommit]:
    for sha in shas:
        yield DeploymentCommit(org_id=run.org_id, project_id=s.project_id, deployment_kind=s.kind,
                               deployment_id=s.id, repo_id=s.repo_id, sha=sha)


def _forget(conn, run: Run, items: list[Shipped]) -> None:
    """Drop the commits of earlier comparisons that are being redone against another base."""
    c = deployment_commits.c
    keys = [and_(c.deployment_kind == s.kind.value, c.deployment_id == s.id, c.repo_id == s.repo_id)
            for s in items]
    if keys:
        conn.execute(delete(deployment_commits).where(c.org_id == run.org_id, or_(*keys)))


def compare_deployments(run: Run, chunk: int | None = None, project_ids: set[str] | None = None) -> None:
    """Compare every pending deployment (of ``project_ids`` only, when given), ``chunk`` at a time (fetched
    in parallel, the next chunk while one is written; a crash repeats at most two chunks)."""
    if run.done(STREAM):
        return
    chunk = chunk or 2 * run.options.concurrency
    todo = [item for item in pending(run) if project_ids is None or item[0].project_id in project_ids]
    run.progress.add(STREAM, expected=len(todo))
    parts = [todo[start:start + chunk] for start in range(0, len(todo), chunk)]
    following = run.ahead(lambda item: compare(run, item), parts[0]) if parts else None
    for i, part in enumerate(parts):
        current = following
        following = run.ahead(lambda item: compare(run, item), parts[i + 1]) if i + 1 < len(parts) else None
        rows: list = []
        for (s, _), (found, skipped) in zip(part, current(), strict=True):
            if skipped:
                run.skip(STREAM, f"{s.kind.value}/{s.id}/{s.repo_id}", skipped)
            rows.extend(found)
        redone = [s for s, _ in part]
        run.commit(rows, before=lambda conn, redone=redone: _forget(conn, run, redone))
        run.fetched(rows)
    run.finish(STREAM)
