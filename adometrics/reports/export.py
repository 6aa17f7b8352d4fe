"""Per-item facts behind the metrics (``adometrics export``): one row per pull request or per deployment
attempt, with the values METRICS.md derives for it. Sensitive values (PR titles, branch names) are
decrypted only when asked for."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection

from ..domain import PullRequestFacts, Window
from ..errors import ConfigurationError
from ..metrics import Deployment, DeploymentHistory
from ..metrics.flow import PHASES, is_merged, phases
from ..metrics.report import iso_z
from ..store import Keyring, lookup, pr_facts
from ..store.sensitive import deployment_branches, pull_request_texts
from .facts import load_deployment_facts, pr_filter
from .scope import Target, resolve

WHAT = ("pull-requests", "deployments")
PR_COLUMNS = ("project", "repository", "pull_request_id", "creator_id", "status", "created_at", "closed_at",
              "merge_commit", "earliest_commit_at", "first_review_at", "first_deployment",
              "first_deployment_environment", "first_deployment_at",
              *(f"{phase}_hours" for phase in PHASES))
PR_SENSITIVE = ("title", "source_branch", "target_branch")
DEPLOYMENT_COLUMNS = ("kind", "project", "deployment_id", "environment", "finished_at", "outcome",
                      "production", "rollback", "rolled_back", "counts_as_failure", "restored_at",
                      "restore_hours", "repositories", "commits", "merged_prs_shipped",
                      "merged_prs_first_shipped")
DEPLOYMENT_SENSITIVE = ("branch",)


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else iso_z(moment)


def columns(what: str, include_sensitive: bool) -> tuple[str, ...]:
    if what == "pull-requests":
        return PR_COLUMNS + (PR_SENSITIVE if include_sensitive else ())
    return DEPLOYMENT_COLUMNS + (DEPLOYMENT_SENSITIVE if include_sensitive else ())


def export(conn: Connection, *, organization: str, what: str, window: Window | None = None,
           project: str | None = None, team: str | None = None, repository: str | None = None,
           keyring: Keyring | None = None, include_sensitive: bool = False) -> list[dict]:
    """Rows of ``what`` in scope: PRs opened or closed in the window, attempts finished in it (all of
    them without a window). ``include_sensitive`` needs the ``keyring`` to decrypt."""
    if what not in WHAT:
        raise ConfigurationError(f"--what must be one of {', '.join(WHAT)}, not {what!r}")
    if include_sensitive and keyring is None:
        raise ConfigurationError("decrypting sensitive values needs the master key")
    target = resolve(conn, organization, project=project, team=team, repository=repository)
    if what == "pull-requests":
        return pull_request_rows(conn, target, window, keyring if include_sensitive else None)
    return deployment_rows(conn, target, window, keyring if include_sensitive else None)


def pull_request_rows(conn: Connection, target: Target, window: Window | None,
                      keyring: Keyring | None) -> list[dict]:
    """One row per PR of the scope; first deployments come from all collected data."""
    history = load_deployment_facts(conn, target).analyse()
    where = pr_filter(target)
    if window is not None:
        where.append(pr_facts.created_or_closed_in(window.start, window.end))
    prs = sorted(pr_facts.pull_request_facts(conn, target.org_id, *where), key=lambda p: (p.project_id, p.id))
    projects = lookup.project_names(conn, target.org_id)
    repos = lookup.repository_names(conn, target.org_id)
    keys = ((p.project_id, p.id) for p in prs)
    texts = pull_request_texts(conn, keyring, target.org_id, keys) if keyring else {}
    rows = []
    for pr in prs:
        row = _pr_row(pr, history, projects, repos)
        if keyring is not None:
            text = texts.get((pr.project_id, pr.id))
            row.update({name: getattr(text, name, None) for name in PR_SENSITIVE})
        rows.append(row)
    return rows


def _pr_row(pr: PullRequestFacts, history: DeploymentHistory, projects: dict, repos: dict) -> dict:
    first = history.first_deployment(pr.merge_commit) if pr.status == "completed" else None
    times = phases(pr, history) if is_merged(pr) else dict.fromkeys(PHASES)
    return {
        "project": projects.get(pr.project_id, pr.project_id),
        "repository": repos.get(pr.repo_id, pr.repo_id),
        "pull_request_id": pr.id, "creator_id": pr.creator_id, "status": pr.status,
        "created_at": _time(pr.created_at), "closed_at": _time(pr.closed_at), "merge_commit": pr.merge_commit,
        "earliest_commit_at": _time(pr.earliest_commit_at), "first_review_at": _time(pr.first_review_at),
        "first_deployment": None if first is None else f"{first.attempt.kind}/{first.attempt.id}",
        "first_deployment_environment": None if first is None else first.environment,
        "first_deployment_at": None if first is None else _time(first.finished_at),
        **{f"{phase}_hours": value for phase, value in times.items()},
    }


def deployment_rows(conn: Connection, target: Target, window: Window | None,
                    keyring: Keyring | None) -> list[dict]:
    """One row per attempt (production or not) of the scope, in finish order."""
    history = load_deployment_facts(conn, target, production_only=False).analyse()
    found = history.finished_in(window) if window is not None else history.deployments
    projects = lookup.project_names(conn, target.org_id)
    repos = lookup.repository_names(conn, target.org_id)
    branches = deployment_branches(conn, keyring, target.org_id) if keyring is not None else None
    rows = []
    for dep in _in_scope(found, target):
        row = _deployment_row(dep, target.scope.repo_id, projects, repos)
        if branches is not None:
            row["branch"] = branches.get(tuple(dep.attempt.key))
        rows.append(row)
    return rows


def _in_scope(deployments: Iterable[Deployment], target: Target) -> Iterable[Deployment]:
    """As the report selects them; at team scope the shipped commits are already the team's PRs' merges."""
    scope = target.scope
    for dep in deployments:
        if scope.project_id is not None and dep.attempt.project_id != scope.project_id:
            continue
        if scope.repo_id is not None and scope.repo_id not in dep.attempt.commits_by_repo:
            continue
        if scope.team_member_ids is not None and not dep.shipped:
            continue
        yield dep


def _deployment_row(dep: Deployment, repo_id: str | None, projects: dict, repos: dict) -> dict:
    attempt = dep.attempt
    failure = dep.production and dep.is_failure
    restored = dep.restored_at(repo_id) if failure else None
    commits = sorted(attempt.commits_by_repo.items())
    return {
        "kind": str(attempt.kind), "project": projects.get(attempt.project_id, attempt.project_id),
        "deployment_id": attempt.id, "environment": dep.environment, "finished_at": _time(dep.finished_at),
        "outcome": "success" if dep.success else "failure", "production": dep.production,
        "rollback": dep.rollback, "rolled_back": dep.rolled_back, "counts_as_failure": failure,
        "restored_at": _time(restored),
        "restore_hours": None if restored is None else (restored - dep.finished_at).total_seconds() / 3600,
        "repositories": " ".join(repos.get(repo, repo) for repo, _ in commits),
        "commits": " ".join(sha for _, sha in commits),
        "merged_prs_shipped": len(dep.shipped), "merged_prs_first_shipped": len(dep.first_shipped),
    }
