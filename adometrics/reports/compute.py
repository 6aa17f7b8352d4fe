"""One metrics report (METRICS.md §4) straight from the store: the function behind ``adometrics metrics``
and, later, ``GET /api/v1/metrics``.

The analysis over all data is kept in the derived metric tables (:mod:`.materialize`); a report brings them
up to date if a change made them stale, then only selects its scope and window and counts.
"""

from __future__ import annotations

from sqlalchemy import Connection

from ..domain import Window
from ..metrics.dora import check_benchmark
from ..metrics.flow import PHASES, flow_summary
from ..metrics.report import DeploymentCounts, assemble_report
from ..store import Keyring, metric_facts
from .materialize import ensure_current
from .scope import Target, resolve


def compute(conn: Connection, *, organization: str, window: Window, project: str | None = None,
            team: str | None = None, repository: str | None = None, benchmark: str = "2023",
            keyring: Keyring | None = None) -> dict:
    """The JSON object of METRICS.md §4 for a scope and window; nothing is decrypted, so ``keyring`` is
    optional (accepted for symmetry with the export functions). Rebuilds stale metric results in the
    caller's transaction (:func:`.materialize.refresh` does it ahead, in a transaction of its own)."""
    check_benchmark(benchmark)
    target = resolve(conn, organization, project=project, team=team, repository=repository)
    ensure_current(conn, target.org_id)
    sel = selection(target)
    start, end = window.start, window.end
    opened, abandoned = metric_facts.pull_request_counts(conn, sel, start, end)
    merged = metric_facts.merged_phases(conn, sel, start, end)
    return assemble_report(
        scope=target.scope, window=window, benchmark=benchmark,
        deployments=DeploymentCounts.of(metric_facts.deployments(conn, sel, start, end)),
        lead_hours=metric_facts.lead_hours(conn, sel, start, end),
        pull_requests=flow_summary(merged=len(merged), opened=opened, abandoned=abandoned,
                                   values=phase_values(merged)))


def selection(target: Target) -> metric_facts.Selection:
    scope = target.scope
    return metric_facts.Selection(target.org_id, scope.project_id, scope.repo_id, scope.team_member_ids)


def phase_values(merged: list[tuple]) -> dict[str, list[float]]:
    """Rows of phase hours (in :data:`PHASES` order) → each phase's non-null values."""
    columns = zip(*merged, strict=True) if merged else [()] * len(PHASES)
    return {phase: [v for v in got if v is not None] for phase, got in zip(PHASES, columns, strict=True)}
