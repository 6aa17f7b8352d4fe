"""``adometrics connections``: every connection with its health, identity and last sync."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from ..sync import describe_health, list_connections
from .common import app_of


@click.command("connections")
@click.pass_context
def connections(ctx: click.Context) -> None:
    """List connections: organization, health (healthy, syncing, broken: <reason>), identity, last sync."""
    rows = list_connections(app_of(ctx).engine)
    if not rows:
        click.echo("No connections yet; add one with `adometrics connect --org-url URL`.")
        return
    table = Table("organization", "health", "identity", "last sync", box=None, pad_edge=False)
    for row in rows:
        last = row.last_sync_at.strftime("%Y-%m-%d %H:%M UTC") if row.last_sync_at else "never"
        table.add_row(row.name, describe_health(row.health, row.reason), row.identity or "?", last)
    Console(soft_wrap=True).print(table, markup=False, highlight=False)
