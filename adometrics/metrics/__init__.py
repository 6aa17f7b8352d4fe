"""Pure metric computations of METRICS.md: facts in, numbers out; no database, no HTTP (ARCHITECTURE §2).

Typical use: ``history = analyse(attempts, shipped, is_ancestor, patterns)`` once over all collected data,
then ``build_report(scope=..., window=..., history=history, pull_requests=prs)`` per scope and window.
"""

from __future__ import annotations

from .deployments import (
    DEFAULT_PRODUCTION_PATTERN,
    Deployment,
    DeploymentHistory,
    IsAncestor,
    Outcome,
    ProductionMatcher,
    analyse,
    ancestry_from_comparisons,
    ancestry_from_pairs,
    outcome_of,
)
from .flow import first_review_times
from .report import build_report, compute_report, team_user_ids

__all__ = [
    "DEFAULT_PRODUCTION_PATTERN",
    "Deployment",
    "DeploymentHistory",
    "IsAncestor",
    "Outcome",
    "ProductionMatcher",
    "analyse",
    "ancestry_from_comparisons",
    "ancestry_from_pairs",
    "build_report",
    "compute_report",
    "first_review_times",
    "outcome_of",
    "team_user_ids",
]
