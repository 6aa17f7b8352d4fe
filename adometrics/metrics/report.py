"""The metrics report of METRICS.md §4: selection by scope and window, assembled in the documented shape.

Facts (rollbacks, restores, first deployments) come from the whole history; only the counting is limited
to the scope and the window. At organization and project scope an attempt counts once; at repository scope
it counts if it deployed that repository (so a multi-repository attempt counts in each repository's report);
at team scope it counts if its commits contain the merge commit of one of the team's PRs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..domain import DeploymentAttempt, PullRequestFacts, Scope, ShippedCommits, TeamMember, Window
from .deployments import Deployment, DeploymentHistory, IsAncestor, analyse
from .dora import (
    change_failure_rate,
    check_benchmark,
    deployment_frequency,
    lead_time_for_changes,
    time_to_restore,
)
from .flow import identity_key, is_merged, pull_request_flow
from .stats import HOUR, hours


def team_user_ids(members: Iterable[TeamMember]) -> frozenset[str]:
    """A team's user members, normalized for comparison; groups are ignored (METRICS.md §4)."""
    return frozenset(key for m in members if not m.is_group and (key := identity_key(m.identity_id)))


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as the JSON shape shows."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def scoped_pull_requests(prs: Iterable[PullRequestFacts], scope: Scope) -> list[PullRequestFacts]:
    """The PRs of the project's repositories, of the repository, of the team's user members."""
    prs = prs if isinstance(prs, list) else list(prs)
    project_id, repo_id, authors = scope.project_id, scope.repo_id, None
    if scope.team_member_ids is not None:  # normalize each distinct creator once, not each PR's
        members = {identity_key(m) for m in scope.team_member_ids}
        authors = {c for c in {pr.creator_id for pr in prs} if identity_key(c) in members}
    if project_id is None and repo_id is None and authors is None:
        return prs
    return [pr for pr in prs
            if (project_id is None or pr.project_id == project_id)
            and (repo_id is None or pr.repo_id == repo_id)
            and (authors is None or pr.creator_id in authors)]


def scoped_deployments(deployments: Iterable[Deployment], scope: Scope,
                       team_prs: Iterable[PullRequestFacts] | None) -> list[Deployment]:
    """The attempts of the project, of the repository, or shipping a merge commit of the team's PRs."""
    project_id, repo_id = scope.project_id, scope.repo_id
    team_shas = None
    if scope.team_member_ids is not None:
        team_shas = {pr.merge_commit for pr in team_prs or () if is_merged(pr) and pr.merge_commit}
    return [dep for dep in deployments
            if (project_id is None or dep.attempt.project_id == project_id)
            and (repo_id is None or repo_id in dep.attempt.commits_by_repo)
            and (team_shas is None or not dep.shipped.isdisjoint(team_shas))]


def lead_hours(prs: Iterable[PullRequestFacts], history: DeploymentHistory, window: Window) -> list[float]:
    """Per merged PR first deployed in the window: deploy finish − earliest commit (else creation).
    The window's first deployments are few; looking PRs up among them keeps the pass over all PRs cheap."""
    first_in_window: dict[str, datetime] = {}
    for dep in history.finished_in(window):
        if dep.first_shipped:
            first_in_window.update(dict.fromkeys(dep.first_shipped, dep.finished_at))
    found = []
    for pr in prs:
        deployed = first_in_window.get(pr.merge_commit) if pr.merge_commit else None
        if deployed is not None and is_merged(pr):
            found.append(lead_hours_of(pr, deployed))
    return found


def lead_hours_of(pr: PullRequestFacts, deployed: datetime) -> float:
    """A merged PR's lead time for changes, given the finish of its first production deployment."""
    return (deployed - (pr.earliest_commit_at or pr.created_at)) / HOUR


def restore_hours_of(dep: Deployment, repo_id: str | None = None) -> float | None:
    """Hours from a production failure to its restore (in ``repo_id`` if given); None while unrestored."""
    restored = dep.restored_at(repo_id)
    return None if restored is None else hours(restored - dep.finished_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeploymentCounts:
    """The production attempts in scope finished in the window, reduced to what the DORA metrics count."""

    success_finishes: Sequence[datetime]
    attempts: int
    failures: int
    restore_hours: Sequence[float]
    unrestored: int

    @classmethod
    def of(cls, outcomes: Iterable[tuple[datetime, bool, bool, float | None]]) -> DeploymentCounts:
        """From (finished at, success, failure, hours to restore or None) per attempt."""
        finishes, restores, attempts, failures = [], [], 0, 0
        for finished, success, failure, restore in outcomes:
            attempts += 1
            if success:
                finishes.append(finished)
            if failure:
                failures += 1
                if restore is not None:
                    restores.append(restore)
        return cls(success_finishes=finishes, attempts=attempts, failures=failures, restore_hours=restores,
                   unrestored=failures - len(restores))


def outcome(dep: Deployment, repo_id: str | None = None) -> tuple[datetime, bool, bool, float | None]:
    """What :class:`DeploymentCounts` counts of one attempt (restores in ``repo_id`` if given)."""
    return (dep.finished_at, dep.success, dep.is_failure,
            restore_hours_of(dep, repo_id) if dep.is_failure else None)


def assemble_report(*, scope: Scope, window: Window, benchmark: str, deployments: DeploymentCounts,
                    lead_hours: Sequence[float], pull_requests: dict) -> dict:
    """Exactly the JSON object of METRICS.md §4 from the counted inputs (``pull_requests`` is
    :func:`.flow.flow_summary`'s object)."""
    check_benchmark(benchmark)
    return {
        "scope": {"organization": scope.organization, "project": scope.project, "team": scope.team,
                  "repository": scope.repository},
        "window": {"start": iso_z(window.start), "end": iso_z(window.end)},
        "benchmark": benchmark,
        "deployment_frequency": deployment_frequency(deployments.success_finishes, window, benchmark),
        "lead_time_for_changes": lead_time_for_changes(lead_hours, benchmark),
        "change_failure_rate": change_failure_rate(deployments.attempts, deployments.failures, benchmark),
        "time_to_restore": time_to_restore(deployments.restore_hours, deployments.unrestored),
        "pull_requests": pull_requests,
    }


def build_report(*, scope: Scope, window: Window, history: DeploymentHistory,
                 pull_requests: Iterable[PullRequestFacts], benchmark: str = "2023") -> dict:
    """Exactly the JSON object of METRICS.md §4, as a dict."""
    check_benchmark(benchmark)
    prs = scoped_pull_requests(pull_requests, scope)
    production = [dep for dep in history.finished_in(window) if dep.production]
    in_window = scoped_deployments(production, scope, prs)
    return assemble_report(scope=scope, window=window, benchmark=benchmark,
                           deployments=DeploymentCounts.of(outcome(dep, scope.repo_id) for dep in in_window),
                           lead_hours=lead_hours(prs, history, window),
                           pull_requests=pull_request_flow(prs, history, window))


def compute_report(*, scope: Scope, window: Window, attempts: Iterable[DeploymentAttempt],
                   shipped: Iterable[ShippedCommits], is_ancestor: IsAncestor,
                   pull_requests: Iterable[PullRequestFacts], benchmark: str = "2023",
                   production_patterns: Mapping[str, str] | None = None) -> dict:
    """:func:`analyse` the whole history, then :func:`build_report` one scope and window of it."""
    history = analyse(attempts, shipped, is_ancestor, production_patterns)
    return build_report(scope=scope, window=window, history=history, pull_requests=pull_requests,
                        benchmark=benchmark)
