"""``adometrics export``: the per-item facts behind the metrics, as CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from typing import IO

import click

from ..domain import Window
from ..reports.export import WHAT, columns, export
from .common import app_of
from .metrics_cmd import scope_options
from .reporting import DATE_HELP, parse_moment, read_connection

OPEN_START = datetime(1970, 1, 1, tzinfo=UTC)
OPEN_END = datetime(9999, 1, 1, tzinfo=UTC)


@click.command("export")
@scope_options
@click.option("--what", required=True, type=click.Choice(WHAT),
              help="pull-requests: PRs opened or closed in the window; deployments: attempts finished in it.")
@click.option("--format", "fmt", required=True, type=click.Choice(("csv", "json")), help="Output format.")
@click.option("--from", "start", metavar="DATE", help=f"Window start, inclusive (default: open). {DATE_HELP}")
@click.option("--to", "end", metavar="DATE", help=f"Window end, exclusive (default: open). {DATE_HELP}")
@click.option("--include-sensitive", is_flag=True,
              help="Also decrypt and print PR titles and branch names (kept encrypted otherwise).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@click.pass_context
def export_command(ctx: click.Context, organization: str, project: str | None, team: str | None,
                   repository: str | None, what: str, fmt: str, start: str | None, end: str | None,
                   include_sensitive: bool, output: str | None) -> None:
    """One row per pull request or deployment attempt, with the values METRICS.md derives for it."""
    window = None
    if start or end:
        window = Window(start=parse_moment(start, "--from") if start else OPEN_START,
                        end=parse_moment(end, "--to") if end else OPEN_END)
    keyring = app_of(ctx).keyring if include_sensitive else None
    with read_connection(ctx) as conn:
        rows = export(conn, organization=organization, what=what, window=window, project=project, team=team,
                      repository=repository, keyring=keyring, include_sensitive=include_sensitive)
    fields = columns(what, include_sensitive)
    if output:
        with open(output, "w", newline="", encoding="utf-8") as stream:
            write(stream, fmt, fields, rows)
    else:
        write(sys.stdout, fmt, fields, rows)


def write(stream: IO[str], fmt: str, fields: tuple[str, ...], rows: list[dict]) -> None:
    """CSV with a header row, or a JSON array of objects (one per line, so big exports stream)."""
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    stream.write("[")
    for n, row in enumerate(rows):
        stream.write(("\n" if n == 0 else ",\n") + json.dumps({k: row.get(k) for k in fields}))
    stream.write("\n]\n" if rows else "]\n")
