"""One metrics report (METRICS.md §4) straight from the store: the function behind ``adometrics metrics``
and, later, ``GET /api/v1/metrics``."""

from __future__ import annotations

from sqlalchemy import Connection

from ..domain import Window
from ..metrics import build_report
from ..metrics.dora import check_benchmark
from ..store import Keyring
from .facts import load_deployment_facts, load_pull_requests
from .scope import resolve


def compute(conn: Connection, *, organization: str, window: Window, project: str | None = None,
            team: str | None = None, repository: str | None = None, benchmark: str = "2023",
            keyring: Keyring | None = None) -> dict:
    """The JSON object of METRICS.md §4 for a scope and window; nothing is decrypted, so ``keyring`` is
    optional (accepted for symmetry with the export functions). Read-only: the caller owns the
    transaction."""
    check_benchmark(benchmark)
    target = resolve(conn, organization, project=project, team=team, repository=repository)
    facts = load_deployment_facts(conn, target)
    history = facts.analyse()
    prs = load_pull_requests(conn, target, window, facts)
    return build_report(scope=target.scope, window=window, history=history, pull_requests=prs,
                        benchmark=benchmark)
