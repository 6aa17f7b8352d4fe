"""Which commits each successful deployment shipped, without a clone (ARCHITECTURE §4, METRICS.md §1).

Per repository and environment, successful deployments are ordered by finish time (then id). Each one is
compared with the previous one's commit through ADO's version comparison: one paged query per deployment,
never one GET per commit. The comparison is stored even when it found nothing, so it is made once; an empty
comparison between different commits means the deployed commit is an ancestor of the previous one (a
rollback), so no second query is needed. A deployment inserted before ones already compared (it arrived
late) changes their base, and they are compared again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import and_, delete, or_, select

from ..domain import DeploymentCommit, DeploymentComparison, DeploymentKind
from ..errors import SkippableError
from ..metrics.deployments import Outcome, environment_of, finished_at, outcome_of
from ..store.facts import deployment_attempts
from ..store.schema import (
    deployment_commits,
    deployment_comparisons,
)
from .collect import records_of
from .run import Run

STREAM = "deployment_comparisons"
AHEAD = 2  # chunks fetched ahead of the one being written


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


def shipped(run: Run) -> list[Shipped]:
    """Every successful deployment of the organization, per repository it deployed: the stored attempts
    read and classified exactly as the metrics read them (one rule for both)."""
    attempts = run.read(lambda conn: deployment_attempts(conn, run.org_id))
    return [Shipped(a.kind, a.id, a.project_id, repo_id, environment_of(a), finished_at(a), sha)
            for a in attempts if outcome_of(a) is Outcome.SUCCESS
            for repo_id, sha in a.commits_by_repo.items()]


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
    in parallel, the next :data:`AHEAD` chunks while one is written, so a first comparison, which lists a
    whole history, does not leave the pool idle while its rows are written; a crash repeats at most
    ``AHEAD + 1`` chunks)."""
    if run.done(STREAM):
        return
    chunk = chunk or 2 * run.options.concurrency
    todo = [item for item in pending(run) if project_ids is None or item[0].project_id in project_ids]
    run.progress.add(STREAM, expected=len(todo))
    parts = [todo[start:start + chunk] for start in range(0, len(todo), chunk)]
    started = deque(run.ahead(lambda item: compare(run, item), part) for part in parts[:AHEAD + 1])
    for i, part in enumerate(parts):
        current = started.popleft()
        if i + AHEAD + 1 < len(parts):
            started.append(run.ahead(lambda item: compare(run, item), parts[i + AHEAD + 1]))
        rows: list = []
        for (s, _), (found, skipped) in zip(part, current(), strict=True):
            if skipped:
                run.skip(STREAM, f"{s.kind.value}/{s.id}/{s.repo_id}", skipped)
            rows.extend(found)
        redone = [s for s, _ in part]
        run.commit(rows, before=lambda conn, redone=redone: _forget(conn, run, redone))
        run.fetched(rows)
    run.finish(STREAM)
