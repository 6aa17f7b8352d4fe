"""Commit metadata without a clone: a branch's history by date, and the commits between two versions.

Commit *lists* carry no parents, so the graph is never rebuilt one GET per commit (ARCHITECTURE §4).
Reachability comes from the commits list's ``itemVersion``/``compareVersion`` pair. Its direction follows the
spec's wording ("compareVersion: start walking history starting at this commit") as the simulator implements
it: the answer is the commits reachable from **compareVersion** and not from **itemVersion** (git's
``item..compare``). So the commits a deployment shipped are ``itemVersion=previous, compareVersion=new``, and
``older`` is an ancestor of ``newer`` exactly when ``itemVersion=newer, compareVersion=older`` is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

from adometrics.domain import Commit

from ..client import AdoClient
from ..pagination import items_of
from ..parse import parse_commit
from ..parse_common import iso_z, short_branch
from .base import Batch, batches, start_params

_C = "searchCriteria."


def _version(kind: str, version: str, version_type: str) -> dict[str, str]:
    return {f"{_C}{kind}.version": version, f"{_C}{kind}.versionType": version_type}


def _range(item: str, compare: str) -> dict[str, str]:
    """Commits reachable from ``compare`` and not from ``item`` (see the module docstring)."""
    return {**_version("itemVersion", item, "commit"), **_version("compareVersion", compare, "commit")}


def collect_commits(client: AdoClient, org_id: str, project_id: str, repo_id: str, branch: str,
                    since: datetime | None, resume: dict | None = None,
                    **filters: Any) -> Iterator[Batch[Commit]]:
    """Commits of one branch (newest first, 1,000 per page) whose committer date is at or after ``since``
    (every commit when None). Re-reading with an overlap is the sync's cursor rule."""
    params = {**_version("itemVersion", short_branch(branch), "branch"), **filters}
    if since is not None:
        params[f"{_C}fromDate"] = iso_z(since)
    yield from _pages(client, org_id, project_id, repo_id, start_params(resume, params))


def compare_commits(client: AdoClient, org_id: str, project_id: str, repo_id: str, new_sha: str,
                    base_sha: str | None, resume: dict | None = None) -> Iterator[Batch[Commit]]:
    """The commits reachable from ``new_sha`` and not from ``base_sha`` (everything reachable from
    ``new_sha`` when ``base_sha`` is None): one paged query per deployment, whatever the number of commits.
    An unknown commit is ADO's 404, a NotFoundError the sync may skip."""
    params = _version("itemVersion", new_sha, "commit") if base_sha is None else _range(base_sha, new_sha)
    yield from _pages(client, org_id, project_id, repo_id, start_params(resume, params))


def is_ancestor(client: AdoClient, org_id: str, project_id: str, repo_id: str, older_sha: str,
                newer_sha: str) -> bool:
    """Whether ``older_sha`` is a strict ancestor of ``newer_sha`` (a rollback, METRICS.md §1): nothing is
    reachable from it that is not reachable from ``newer_sha``. One request of at most one commit; the same
    commit is not its own strict ancestor (no request)."""
    if older_sha.strip().lower() == newer_sha.strip().lower():
        return False
    params = {**_range(newer_sha, older_sha), f"{_C}$top": 1}
    body = client.get("git.commits.list", params, project=project_id, repo=repo_id)
    return not items_of(body, what="git.commits.list")


def _pages(client: AdoClient, org_id: str, project_id: str, repo_id: str,
           params: dict[str, Any]) -> Iterator[Batch[Commit]]:
    pages = client.paged("git.commits.list", params, project=project_id, repo=repo_id)
    yield from batches(pages, "commit", partial(parse_commit, org_id=org_id, repo_id=repo_id),
                       keys=("commitId",))
