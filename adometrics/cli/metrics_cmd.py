"""``adometrics metrics``: DORA and pull-request flow metrics for a scope and window (METRICS.md)."""

from __future__ import annotations

import json

import click

from ..metrics.dora import BENCHMARKS
from ..reports import compute
from .reporting import DATE_HELP, print_report, read_connection, window_of


def scope_options(command):
    """``--org`` (required), ``--project``, ``--team``, ``--repo``: names (case-insensitive) or ids."""
    for option in reversed([
        click.option("--org", "organization", required=True, metavar="NAME", help="Organization name or id."),
        click.option("--project", metavar="P", help="Only this project (name or id)."),
        click.option("--team", metavar="T", help="Only this team's PRs and the deployments shipping them; "
                     "give --project when several projects have a team of that name."),
        click.option("--repo", "repository", metavar="R", help="Only this repository (name or id)."),
    ]):
        command = option(command)
    return command


@click.command("metrics")
@scope_options
@click.option("--from", "start", required=True, metavar="DATE", help=f"Window start, inclusive: {DATE_HELP}")
@click.option("--to", "end", required=True, metavar="DATE", help=f"Window end, exclusive: {DATE_HELP}")
@click.option("--benchmark", type=click.Choice(BENCHMARKS), default="2023", show_default=True,
              help="Which DORA report's level thresholds to apply.")
@click.option("--json", "as_json", is_flag=True, help="Print METRICS.md §4's JSON object instead of tables.")
@click.pass_context
def metrics(ctx: click.Context, organization: str, project: str | None, team: str | None,
            repository: str | None, start: str, end: str, benchmark: str, as_json: bool) -> None:
    """DORA metrics and pull-request flow over [--from, --to), from the synced data."""
    window = window_of(start, end)
    with read_connection(ctx, organization) as conn:
        report = compute(conn, organization=organization, project=project, team=team, repository=repository,
                         window=window, benchmark=benchmark)
    if as_json:
        click.echo(json.dumps(report))
    else:
        print_report(report)
