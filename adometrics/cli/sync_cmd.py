"""``adometrics sync [--org NAME] [--project NAME]... [--full] [--json]``: backfill or incrementally sync the
connections (all their projects, or the ones named)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any

import click
from rich.console import Console

from ..errors import ConfigurationError
from ..sync import SyncOptions, SyncReport, list_connections, sync_connection
from .allocator import trim_periodically
from .common import app_of
from .progress import RichProgress
from .reporting import refresh_metrics


@click.command("sync")
@click.option("--org", "org_name", metavar="NAME", help="Sync only this organization.")
@click.option("--project", "projects", metavar="NAME", multiple=True,
              help="Sync only this project (repeatable); organization-wide lists (users) still run.")
@click.option("--full", is_flag=True, help="Re-read everything instead of only what changed.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the outcome on stdout.")
@click.pass_context
def sync(ctx: click.Context, org_name: str | None, projects: tuple[str, ...], full: bool,
         as_json: bool) -> None:
    """Sync every connection (or one); progress bars go to standard error. Exit 0 only when complete."""
    app = app_of(ctx)
    rows = list_connections(app.engine)
    if org_name:
        rows = [r for r in rows if org_name.casefold() in (r.name.casefold(), r.org_id.casefold())]
    if not rows:
        what = f"no connection named {org_name}" if org_name else "no connections"
        raise ConfigurationError(f"{what}; add one with `adometrics connect --org-url URL`")
    reports: list[SyncReport] = []
    trim_periodically()
    with RichProgress() as progress:
        for row in rows:
            reports.append(sync_connection(app.engine, app.keyring, app.client, row.org_id,
                                           options=SyncOptions(full=full, projects=projects),
                                           progress=progress))
    for report in reports:
        click.echo(report.summary(), err=True)
    console = Console(stderr=True)
    for row in rows:  # a run that stopped early may have written rows too
        refresh_metrics(app.engine, row.org_id, console)
    if as_json:
        click.echo(json.dumps(combined(reports), sort_keys=True))
    if not all(r.completed for r in reports):
        sys.exit(1)


def combined(reports: list[SyncReport]) -> dict[str, Any]:
    """One object: totals over the organizations synced, and each organization's own report."""
    totals: dict[str, Any] = {}
    for key in ("entities", "fetched", "api_calls"):
        counter: Counter[str] = Counter()
        for report in reports:
            counter.update(getattr(report, key))
        totals[key] = dict(sorted(counter.items()))
    totals["skipped"] = [dict(s.to_json(), organization=r.org_name) for r in reports for s in r.skipped]
    totals["completed"] = all(r.completed for r in reports)
    totals["organizations"] = [r.to_json() for r in reports]
    return totals
