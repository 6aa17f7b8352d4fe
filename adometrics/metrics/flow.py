"""Pull-request flow (METRICS.md §3): the review activity rules and the phase medians.

Where the author filter lives: here. :func:`first_review_times` applies every rule of "review activity"
(non-zero votes, user comments, not by the PR's author, identities compared without hyphens and
case-folded) to ``ReviewEvent`` records, and ``PullRequestFacts.first_review_at`` is meant to be filled
from it. The connector's parser already drops the author's own events when it knows the author; applying
the rule again here is idempotent and keeps the definition in the one place the tests pin down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from ..domain import PullRequestFacts, ReviewEvent, ReviewEventKind, Window
from .deployments import DeploymentHistory
from .stats import HOUR, median

PHASES = ("coding", "pickup", "review", "deploy", "cycle")
_ZERO = timedelta(0)


def identity_key(identity_id: str | None) -> str | None:
    """Identity ids as METRICS.md compares them: without hyphens, case-folded."""
    return None if identity_id is None else identity_id.replace("-", "").casefold()


def counts_as_review(event: ReviewEvent, author_key: str | None) -> bool:
    """A non-zero vote, or a comment by a user; never the PR author's own. ``author_key`` is normalized."""
    if author_key is not None and identity_key(event.actor_id) == author_key:
        return False
    if event.kind == ReviewEventKind.VOTE:
        return event.vote is not None and event.vote != 0
    return event.kind == ReviewEventKind.COMMENT and event.actor_is_user


def first_review_times(events: Iterable[ReviewEvent],
                       creators: Mapping[tuple[str, int], str | None]) -> dict[tuple[str, int], datetime]:
    """The first review activity per PR, keyed by (project id, PR id); ``creators`` names each PR's author.
    Events of PRs not in ``creators`` are ignored (their author is unknown, so no rule can be applied)."""
    authors: dict[tuple[str, int], str | None] = {}
    first: dict[tuple[str, int], datetime] = {}
    for event in events:
        key = (event.project_id, event.pr_id)
        if key not in authors:
            if key not in creators:
                continue
            authors[key] = identity_key(creators[key])
        if counts_as_review(event, authors[key]):
            have = first.get(key)
            if have is None or event.at < have:
                first[key] = event.at
    return first


def phases(pr: PullRequestFacts, history: DeploymentHistory) -> dict[str, float | None]:
    """The five phases of one merged PR in hours (None where METRICS.md says null)."""
    closed = pr.closed_at
    if closed is None:
        raise ValueError(f"PR {pr.id} is not merged: phases need its closed date")
    first = history.first_deployment(pr.merge_commit)
    deployed = None if first is None else first.finished_at
    earliest, created, reviewed = pr.earliest_commit_at, pr.created_at, pr.first_review_at
    return {
        "coding": None if earliest is None else max(created - earliest, _ZERO) / HOUR,
        "pickup": None if reviewed is None else (reviewed - created) / HOUR,
        "review": None if reviewed is None else (closed - reviewed) / HOUR,
        "deploy": None if deployed is None else (deployed - closed) / HOUR,
        "cycle": ((deployed or closed) - (earliest or created)) / HOUR,
    }


def is_merged(pr: PullRequestFacts) -> bool:
    return pr.status == "completed" and pr.closed_at is not None


def pull_request_flow(prs: Iterable[PullRequestFacts], history: DeploymentHistory, window: Window) -> dict:
    """Counts and phase medians over the PRs in scope; ``history`` gives first deployments over all data."""
    merged = opened = abandoned = 0
    values: dict[str, list[float]] = {phase: [] for phase in PHASES}
    start, end = window.start, window.end
    for pr in prs:
        if start <= pr.created_at < end:
            opened += 1
        closed = pr.closed_at
        if closed is None or not start <= closed < end:
            continue
        if pr.status == "abandoned":
            abandoned += 1
        elif pr.status == "completed":
            merged += 1
            for phase, value in phases(pr, history).items():
                if value is not None:
                    values[phase].append(value)
    return flow_summary(merged=merged, opened=opened, abandoned=abandoned, values=values)


def flow_summary(*, merged: int, opened: int, abandoned: int, values: Mapping[str, Sequence[float]]) -> dict:
    """The ``pull_requests`` object of METRICS.md §4: ``values`` holds each phase's non-null hours over the
    PRs merged in the window."""
    result: dict[str, float | int | None] = {"merged": merged, "opened": opened, "abandoned": abandoned}
    for phase in PHASES:
        result[f"{phase}_median_hours"] = median(values.get(phase, ()))
    return result
