"""Rebuilding the derived metric tables (``store.tables_metrics``) from all synced facts.

The analysis of METRICS.md §1 (rollbacks, restores, first deployments) runs over the whole history whatever
a report asks, and so do the per-PR phases built on it; doing it once per change of the data, instead of
once per report, is what makes a report a matter of selecting and counting rows. The numbers are computed
here by the metrics' own functions and stored as they come out (hours as doubles), so a report from these
rows equals the pure computation exactly (``tests/reports/test_equivalence.py``).

PRs are read a page at a time, so memory is bounded by the deployment history, not by the PRs; only rows
whose result changed are written.
"""

from __future__ import annotations

from sqlalchemy import Connection, literal, tuple_

from ..domain import PullRequestFacts, Scope
from ..metrics import Deployment, DeploymentHistory
from ..metrics.flow import PHASES, identity_key, is_merged, phases
from ..metrics.report import lead_hours_of, outcome
from ..store import metric_facts, pr_facts
from ..store.schema import (
    metric_deployment_prs,
    metric_deployment_repositories,
    metric_deployments,
    metric_pull_requests,
)
from .facts import load_deployment_facts
from .scope import Target, resolve

PR_PAGE = 10_000


def refresh(conn: Connection, organization: str) -> bool:
    """Rebuild the organization's metric results if a change made them stale; True if it did. Works in the
    caller's transaction (commit it to keep the results)."""
    return ensure_current(conn, resolve(conn, organization).org_id)


def ensure_current(conn: Connection, org_id: str) -> bool:
    """:func:`refresh` for an organization id."""
    if metric_facts.is_current(conn, org_id):
        return False
    rebuild(conn, org_id)
    return True


def rebuild(conn: Connection, org_id: str) -> int:
    """Bring the organization's derived rows in line with the analysis of everything stored now; returns
    how many rows had to change."""
    version = metric_facts.begin_rebuild(conn, org_id)
    facts = load_deployment_facts(conn, Target(org_id, Scope(organization=org_id)))
    history = facts.analyse()
    production = [dep for dep in history.deployments if dep.production]
    changed = metric_facts.replace_rows(conn, metric_deployments, org_id,
                                        [_deployment_row(org_id, dep) for dep in production])
    changed += metric_facts.replace_rows(conn, metric_deployment_repositories, org_id,
                                         [row for dep in production for row in _repository_rows(org_id, dep)])
    merged: set[tuple[str, int]] = set()
    key = tuple_(metric_pull_requests.c.project_id, metric_pull_requests.c.pr_id)
    after: list = []
    for page in pr_facts.pull_request_pages(conn, org_id, PR_PAGE):
        merged.update((pr.project_id, pr.id) for pr in page if is_merged(pr))
        last = tuple_(literal(page[-1].project_id), literal(page[-1].id))
        rows = [_pr_row(org_id, pr, history) for pr in page]
        changed += metric_facts.replace_rows(conn, metric_pull_requests, org_id, rows, *after, key <= last)
        after = [key > last]
    changed += metric_facts.replace_rows(conn, metric_pull_requests, org_id, [], *after)
    keys = {dep.attempt.key for dep in production}
    links = {(kind, project, dep_id, pr_project, pr_id)
             for kind, project, dep_id, _repo, _sha, pr_project, pr_id in facts.shipped_rows
             if (kind, project, dep_id) in keys and (pr_project, pr_id) in merged}
    changed += metric_facts.replace_rows(conn, metric_deployment_prs, org_id, [
        {"org_id": org_id, "kind": kind, "project_id": project, "deployment_id": dep_id,
         "pr_project_id": pr_project, "pr_id": pr_id} for kind, project, dep_id, pr_project, pr_id in links])
    metric_facts.finish_rebuild(conn, org_id, version)
    return changed


def _outcome(dep: Deployment, repo_id: str | None = None) -> dict:
    key = dep.attempt.key
    finished, success, failure, restore = outcome(dep, repo_id)
    return {"kind": key.kind, "project_id": key.project_id, "deployment_id": key.id, "finished_at": finished,
            "success": success, "failure": failure, "restore_hours": restore}


def _deployment_row(org_id: str, dep: Deployment) -> dict:
    return {"org_id": org_id, **_outcome(dep)}


def _repository_rows(org_id: str, dep: Deployment) -> list[dict]:
    return [{"org_id": org_id, "repo_id": repo_id, **_outcome(dep, repo_id)}
            for repo_id in dep.attempt.commits_by_repo]


def _pr_row(org_id: str, pr: PullRequestFacts, history: DeploymentHistory) -> dict:
    row = {"org_id": org_id, "project_id": pr.project_id, "pr_id": pr.id, "repo_id": pr.repo_id,
           "author_key": identity_key(pr.creator_id), "created_at": pr.created_at, "closed_at": pr.closed_at,
           "state": None, "deployed_at": None, "lead_hours": None,
           **{f"{phase}_hours": None for phase in PHASES}}
    if pr.status == "abandoned":
        row["state"] = "abandoned"
    elif is_merged(pr):
        row["state"] = "merged"
        row.update({f"{phase}_hours": value for phase, value in phases(pr, history).items()})
        first = history.first_deployment(pr.merge_commit)
        if first is not None:
            row["deployed_at"] = first.finished_at
            row["lead_hours"] = lead_hours_of(pr, first.finished_at)
    return row
