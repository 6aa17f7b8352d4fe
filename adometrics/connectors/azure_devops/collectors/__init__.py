"""Collectors: one module per entity; each yields parsed pages (``Batch``), never writes (ARCHITECTURE §2)."""

from __future__ import annotations

from .base import Batch, Collected, Skipped
from .builds import (
    collect_build_definitions,
    collect_build_timeline,
    collect_builds,
    collect_inprogress_builds,
)
from .commits import collect_commits, compare_commits, is_ancestor
from .environments import EnvironmentsUnavailable, collect_environment_deployments, collect_environments
from .pr_details import collect_pr_commits, collect_pr_iterations, collect_pr_statuses, collect_pr_threads
from .projects import collect_projects
from .pull_requests import collect_pull_requests
from .refs import collect_refs
from .releases import collect_deployments, collect_release_definitions, collect_releases
from .repositories import collect_repositories
from .teams import collect_team_members, collect_teams
from .users import collect_users

__all__ = [
    "Batch",
    "Collected",
    "EnvironmentsUnavailable",
    "Skipped",
    "collect_build_definitions",
    "collect_build_timeline",
    "collect_builds",
    "collect_commits",
    "collect_deployments",
    "collect_environment_deployments",
    "collect_environments",
    "collect_inprogress_builds",
    "collect_pr_commits",
    "collect_pr_iterations",
    "collect_pr_statuses",
    "collect_pr_threads",
    "collect_projects",
    "collect_pull_requests",
    "collect_refs",
    "collect_release_definitions",
    "collect_releases",
    "collect_repositories",
    "collect_team_members",
    "collect_teams",
    "collect_users",
    "compare_commits",
    "is_ancestor",
]
