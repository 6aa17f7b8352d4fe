"""Deployment facts over all collected data (METRICS.md §1).

Which records are attempts and of what outcome, which are production, the order per repository and
environment, rollbacks and the deployments they rolled back, when each failure was restored, and each
commit's first production deployment. These are facts "as of all collected data": they are computed once
over every attempt, whatever the window or scope of a report, so a later restore or rollback counts.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from operator import attrgetter

from ..domain import (
    DeploymentAttempt,
    DeploymentComparison,
    DeploymentKey,
    DeploymentKind,
    ShippedCommits,
    Window,
)
from ..errors import ConfigurationError

DEFAULT_PRODUCTION_PATTERN = r"^(prod|production|prd|live)\b"
# METRICS.md §1: the statuses (case-folded) that make an attempt a success, whatever its kind.
SUCCESS_STATUSES = frozenset({"succeeded", "succeededwithissues", "partiallysucceeded"})

# (repository id, ancestor sha, descendant sha) -> is the first a strict ancestor of the second?
IsAncestor = Callable[[str, str, str], bool]
Order = tuple[datetime, int, str, str]


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


def outcome_of(attempt: DeploymentAttempt) -> Outcome | None:
    """The outcome of §1, or None when the record is not an attempt (canceled, skipped, in progress, ...).
    ADO's status words are compared case-folded, since their casing differs between APIs."""
    status = (attempt.status or "").casefold()
    if status in SUCCESS_STATUSES:
        return Outcome.SUCCESS
    if status == "failed":
        return Outcome.FAILURE
    phase_failed = (attempt.operation_status or "").casefold() == "phasefailed"
    if attempt.kind == DeploymentKind.CLASSIC and status == "notdeployed" and phase_failed:
        return Outcome.FAILURE
    return None


def environment_of(attempt: DeploymentAttempt) -> str:
    """The environment name; a deployment pipeline's build without a configured one deploys ``production``."""
    if attempt.environment is None:
        return "production" if attempt.kind == DeploymentKind.BUILD else ""
    return attempt.environment


def finished_at(attempt: DeploymentAttempt) -> datetime | None:
    """``completedOn`` else ``lastModifiedOn`` for a classic deployment; ``finishTime`` otherwise."""
    if attempt.finished_at is None and attempt.kind == DeploymentKind.CLASSIC:
        return attempt.modified_at
    return attempt.finished_at


class ProductionMatcher:
    """Per project production pattern; the default one is case-insensitive, a configured one is used as
    given (add ``(?i)`` to it for that). Matching is ``re.search``, so an unanchored pattern may match
    anywhere in the name."""

    def __init__(self, patterns: Mapping[str, str] | None = None) -> None:
        self._default = re.compile(DEFAULT_PRODUCTION_PATTERN, re.IGNORECASE)
        self._compiled: dict[str, re.Pattern[str]] = {}
        for project_id, pattern in (patterns or {}).items():
            try:
                self._compiled[project_id] = re.compile(pattern)
            except re.error as exc:
                raise ConfigurationError(
                    f"production pattern {pattern!r} of project {project_id} is not a regular expression: "
                    f"{exc}; fix it in the project's settings") from exc
        self._memo: dict[tuple[str, str], bool] = {}

    def __call__(self, project_id: str, environment: str) -> bool:
        key = (project_id, environment)
        found = self._memo.get(key)
        if found is None:
            pattern = self._compiled.get(project_id, self._default)
            found = self._memo[key] = pattern.search(environment) is not None
        return found


def ancestry_from_pairs(pairs: Iterable[tuple[str, str, str]]) -> IsAncestor:
    """An :data:`IsAncestor` over known (repository, ancestor, descendant) facts; anything unknown is not."""
    known = frozenset(pairs)
    return lambda repo_id, ancestor, descendant: (repo_id, ancestor, descendant) in known


def ancestry_from_comparisons(comparisons: Iterable[DeploymentComparison]) -> IsAncestor:
    """The collector's comparisons of a deployed commit with its base, read as ancestry facts."""
    return ancestry_from_pairs(
        (c.repo_id, c.deployed_sha, c.base_sha) for c in comparisons
        if c.is_ancestor_of_base and c.base_sha and c.base_sha != c.deployed_sha)


@dataclass(slots=True, eq=False)
class Deployment:
    """An attempt with the rules of §1 applied; :func:`analyse` marks rollbacks and restores once."""

    attempt: DeploymentAttempt
    order: Order
    environment: str
    success: bool
    production: bool
    shipped: frozenset[str] = frozenset()
    first_shipped: frozenset[str] = frozenset()  # the commits this is the first deployment of
    rollback: bool = False
    rolled_back: bool = False
    # For a production failure (failed, or rolled back): per repository it deployed, the finish of the next
    # successful production deployment to that repository and environment not itself rolled back.
    restored: dict[str, datetime | None] = field(default_factory=dict)

    @property
    def finished_at(self) -> datetime:
        return self.order[0]

    @property
    def is_failure(self) -> bool:
        """Counts as a failure in the change failure rate: failed, or rolled back later."""
        return not self.success or self.rolled_back

    def restored_at(self, repo_id: str | None = None) -> datetime | None:
        """When this failure was restored: in ``repo_id`` if given, else in whichever repository first."""
        if repo_id is not None:
            return self.restored.get(repo_id)
        return min((at for at in self.restored.values() if at is not None), default=None)


@dataclass(frozen=True, slots=True)
class DeploymentHistory:
    """Every attempt in finish order, and the first production deployment of each shipped commit."""

    deployments: Sequence[Deployment]
    first_by_sha: Mapping[str, Deployment]

    def first_deployment(self, sha: str | None) -> Deployment | None:
        return self.first_by_sha.get(sha) if sha else None

    def finished_in(self, window: Window) -> Sequence[Deployment]:
        """The attempts finished in the window, found by bisection (they are in finish order)."""
        finish = attrgetter("finished_at")
        start = bisect_left(self.deployments, window.start, key=finish)
        return self.deployments[start:bisect_left(self.deployments, window.end, key=finish)]


def analyse(attempts: Iterable[DeploymentAttempt], shipped: Iterable[ShippedCommits], is_ancestor: IsAncestor,
            production_patterns: Mapping[str, str] | None = None) -> DeploymentHistory:
    """Classify every attempt, then mark rollbacks, restores and first deployments over all of them."""
    deployments = _classify(attempts, _shipped_by_deployment(shipped), ProductionMatcher(production_patterns))
    streams = _production_streams(deployments)
    _mark_rollbacks(streams, is_ancestor)
    _mark_restores(deployments, streams)
    return DeploymentHistory(deployments, _first_deployments(deployments))


def _shipped_by_deployment(shipped: Iterable[ShippedCommits]) -> dict[DeploymentKey, frozenset[str]]:
    """The commits of each deployment over all its repositories."""
    by_key: dict[DeploymentKey, frozenset[str]] = {}
    for row in shipped:
        key = row.key
        have = by_key.get(key)
        by_key[key] = row.shas if have is None else have | row.shas
    return by_key


def _classify(attempts: Iterable[DeploymentAttempt], shipped: Mapping[DeploymentKey, frozenset[str]],
              is_production: ProductionMatcher) -> list[Deployment]:
    """Keep the attempts (an outcome and a finish time), in order of finish time, then id."""
    found = []
    for attempt in attempts:
        outcome = outcome_of(attempt)
        finished = finished_at(attempt)
        if outcome is None or finished is None:
            continue
        environment = environment_of(attempt)
        key = attempt.key
        found.append(Deployment(
            attempt=attempt, order=(finished, key.id, key.kind, key.project_id), environment=environment,
            success=outcome is Outcome.SUCCESS, production=is_production(attempt.project_id, environment),
            shipped=shipped.get(key, frozenset())))
    found.sort(key=lambda d: d.order)
    return found


Stream = list[tuple[Deployment, str]]


def _production_streams(deployments: Iterable[Deployment]) -> dict[tuple[str, str], Stream]:
    """Successful production deployments per (repository, environment), in order, with the commit each
    deployed there."""
    streams: dict[tuple[str, str], Stream] = defaultdict(list)
    for dep in deployments:
        if dep.success and dep.production:
            for repo_id, sha in dep.attempt.commits_by_repo.items():
                streams[(repo_id, dep.environment)].append((dep, sha))
    return streams


def _mark_rollbacks(streams: Mapping[tuple[str, str], Stream], is_ancestor: IsAncestor) -> None:
    """A deployment of a strict ancestor of the previous one's commit is a rollback of that previous one."""
    for (repo_id, _environment), stream in streams.items():
        for (previous, previous_sha), (current, sha) in pairwise(stream):
            if sha != previous_sha and is_ancestor(repo_id, sha, previous_sha):
                current.rollback = True
                previous.rolled_back = True


def _mark_restores(deployments: Iterable[Deployment], streams: Mapping[tuple[str, str], Stream]) -> None:
    """Find, for each production failure and repository, the next restoring deployment by bisection."""
    restorers: dict[tuple[str, str], tuple[list[Order], list[Deployment]]] = {}
    for stream_key, stream in streams.items():
        kept = [dep for dep, _sha in stream if not dep.rolled_back]
        restorers[stream_key] = ([dep.order for dep in kept], kept)
    for dep in deployments:
        if not (dep.production and dep.is_failure):
            continue
        for repo_id in dep.attempt.commits_by_repo:
            orders, kept = restorers.get((repo_id, dep.environment), ([], []))
            at = bisect_right(orders, dep.order)
            dep.restored[repo_id] = kept[at].finished_at if at < len(kept) else None


def _first_deployments(deployments: Iterable[Deployment]) -> dict[str, Deployment]:
    """The earliest successful production deployment shipping each commit, rolled back or not; each
    deployment also keeps the commits it was first to ship, so a window finds its changes without a
    lookup per PR."""
    first: dict[str, Deployment] = {}
    for dep in deployments:
        if dep.success and dep.production and dep.shipped:
            fresh = dep.shipped.difference(first)
            dep.first_shipped = frozenset(fresh) if len(fresh) < len(dep.shipped) else dep.shipped
            first.update(dict.fromkeys(fresh, dep))
    return first
