"""Pull-request lists: cheap pages of 1,000 with everything the fingerprint needs (ARCHITECTURE §4).

Each batch holds, for every PR of the page, its :class:`PullRequest` followed by its :class:`Reviewer`
records (the domain keeps reviewers apart; the store's upsert takes the mix). The sync compares each PR's
``fingerprint`` with the stored one to decide whether its details (threads, commits…) must be re-read.

``repo_id=None`` lists the whole project (one page of 1,000 spans its repositories), which costs fewer
list calls than one listing per repository when repositories have few PRs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from adometrics.domain import PullRequest, Reviewer

from ..client import AdoClient
from ..parse import parse_pr_reviewers, parse_pull_request
from ..parse_common import iso_z
from .base import Batch, batches, start_params


def collect_pull_requests(client: AdoClient, org_id: str, project_id: str, repo_id: str | None,
                          resume: dict | None = None, status: str = "all", *,
                          min_time: datetime | None = None, time_range: str = "created",
                          **filters: Any) -> Iterator[Batch[PullRequest | Reviewer]]:
    """PRs newest first (ADO's order), ``status`` ``all`` by default (ADO's own default is ``active``).
    ``min_time`` with ``time_range`` ``created`` or ``closed`` narrows an incremental run to recent PRs."""
    params: dict[str, Any] = {"searchCriteria.status": status, **filters}
    if min_time is not None:
        params["searchCriteria.minTime"] = iso_z(min_time)
        params["searchCriteria.queryTimeRangeType"] = time_range
    params = start_params(resume, params)
    if repo_id is None:
        pages = client.paged("git.pullrequests.list_by_project", params, project=project_id)
    else:
        pages = client.paged("git.pullrequests.list", params, project=project_id, repo=repo_id)

    def parse(raw: Any) -> list[PullRequest | Reviewer]:
        pr = parse_pull_request(raw, org_id, project_id, repo_id)
        return [pr, *parse_pr_reviewers(raw, org_id, pr.project_id)]

    yield from batches(pages, "pull_request", parse, keys=("pullRequestId",))
