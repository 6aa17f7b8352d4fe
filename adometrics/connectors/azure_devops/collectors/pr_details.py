"""The details of one pull request: review events from its threads, iterations, commits and statuses.

A closed PR costs two calls in a backfill — threads and commits, the commits at ADO's page maximum (500) —
while iterations and statuses serve live features and are for active PRs only (ARCHITECTURE §4). Thread
text is never kept: a review event says who acted, when and how (METRICS.md §3).
"""

from __future__ import annotations

from functools import partial

from adometrics.domain import PrCommit, PrIteration, PrStatus, ReviewEvent

from ..client import AdoClient
from ..pagination import items_of
from ..parse import parse_pr_commit, parse_pr_iteration, parse_pr_status, parse_review_events
from ..parse_common import MalformedRecord, guid
from .base import Collected, Skipped, collected, parse_items, record_key

PR_COMMITS_PAGE = 500  # the documented per-request maximum of PR commit listings


def collect_pr_threads(client: AdoClient, org_id: str, project_id: str, repo_id: str, pr_id: int,
                       author_id: str | None) -> Collected[ReviewEvent]:
    """Votes (``VoteUpdate`` system threads, vote ≠ 0) and human ``text`` comments, without the author's
    own; group and service comments are kept flagged ``actor_is_user=False``. One call (threads are not
    paged)."""
    body = client.get("git.pullrequests.threads", project=project_id, repo=repo_id, pr=pr_id)
    threads = items_of(body, what="git.pullrequests.threads")
    author = guid(author_id) if author_id else None
    events: Collected[ReviewEvent] = Collected()
    for index, raw in enumerate(threads):
        problems: list[str] = []
        try:
            events.extend(parse_review_events(raw, org_id, project_id, pr_id, author, problems))
        except MalformedRecord as exc:
            events.skipped.append(Skipped("review_event", _thread_key(pr_id, raw, index), exc.reason))
        events.skipped.extend(Skipped("review_event", _thread_key(pr_id, raw, index), p) for p in problems)
    return events


def _thread_key(pr_id: int, raw: object, index: int) -> str:
    return f"{pr_id}/{record_key(raw, ('id',), index)}"


def collect_pr_iterations(client: AdoClient, org_id: str, project_id: str, repo_id: str,
                          pr_id: int) -> Collected[PrIteration]:
    body = client.get("git.pullrequests.iterations", project=project_id, repo=repo_id, pr=pr_id)
    records, skipped = parse_items(items_of(body, what="git.pullrequests.iterations"), "pr_iteration",
                                   partial(parse_pr_iteration, org_id=org_id, project_id=project_id,
                                           pr_id=pr_id))
    return Collected(records, skipped)


def collect_pr_commits(client: AdoClient, org_id: str, project_id: str, repo_id: str,
                       pr_id: int) -> Collected[PrCommit]:
    """Every commit of the PR, 500 per request (one request for nearly every PR)."""
    pages = client.paged("git.pullrequests.commits", page_size=PR_COMMITS_PAGE, project=project_id,
                         repo=repo_id, pr=pr_id)
    parse = partial(parse_pr_commit, org_id=org_id, project_id=project_id, pr_id=pr_id)
    return collected(pages, "pr_commit", parse, keys=("commitId",))


def collect_pr_statuses(client: AdoClient, org_id: str, project_id: str, repo_id: str,
                        pr_id: int) -> Collected[PrStatus]:
    body = client.get("git.pullrequests.statuses.list", project=project_id, repo=repo_id, pr=pr_id)
    records, skipped = parse_items(items_of(body, what="git.pullrequests.statuses.list"), "pr_status",
                                   partial(parse_pr_status, org_id=org_id, project_id=project_id,
                                           pr_id=pr_id))
    return Collected(records, skipped)
