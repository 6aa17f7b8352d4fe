"""What the report commands share: dates on the command line, a report's connection, bringing the metric
results up to date, the rich tables."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, Engine

from ..domain import Window
from ..errors import ConfigurationError
from ..reports.materialize import refresh
from ..store import engine_from_settings, upgrade
from .common import app_of

DATE_HELP = "YYYY-MM-DD (00:00 UTC) or an ISO 8601 time; without an offset, UTC."


def parse_moment(text: str, option: str) -> datetime:
    """A day (its 00:00 UTC) or an ISO 8601 time; a time without an offset is UTC."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ConfigurationError(f"{option} {text!r} is not a date: use {DATE_HELP}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def window_of(start: str, end: str) -> Window:
    return Window(start=parse_moment(start, "--from"), end=parse_moment(end, "--to"))


@contextmanager
def read_connection(ctx: click.Context, organization: str | None = None) -> Iterator[Connection]:
    """A connection for reading: SQLite's ``BEGIN`` is deferred here, so a report neither waits for nor
    holds up a sync writing the same file. The database is migrated first (a no-op when current), and the
    ``organization``'s metric results are brought up to date in a short transaction of their own."""
    engine = engine_from_settings(app_of(ctx).settings)
    try:
        upgrade(engine)
        if organization is not None:
            refresh_metrics(engine, organization)
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def refresh_metrics(engine: Engine, organization: str, console: Console | None = None) -> None:
    """Rebuild the organization's metric results if synced data changed since they were built (a sync's
    end, or the first report after it), saying so on ``console``."""
    started = time.monotonic()
    with engine.begin() as conn:
        rebuilt = refresh(conn, organization)
    if rebuilt and console is not None:
        console.print(f"Metrics updated in {time.monotonic() - started:.1f} s.")


def hours(value: float | None) -> str:
    """Durations as people read them: hours up to two days, then days."""
    if value is None:
        return "—"
    return f"{value:,.1f} h" if value < 48 else f"{value / 24:,.1f} d"


def _level(level: str | None) -> str:
    styles = {"elite": "bold green", "high": "green", "medium": "yellow", "low": "red"}
    return "—" if level is None else f"[{styles[level]}]{level}[/]"


def title_of(report: dict) -> str:
    scope = report["scope"]
    names = [f"{k} {v}" for k, v in scope.items() if v is not None and k != "organization"]
    where = scope["organization"] + (f" ({', '.join(names)})" if names else "")
    window = report["window"]
    return f"{where}: {window['start'][:16]} to {window['end'][:16]} (benchmark {report['benchmark']})"


def dora_table(report: dict) -> Table:
    df, lt = report["deployment_frequency"], report["lead_time_for_changes"]
    cfr, ttr = report["change_failure_rate"], report["time_to_restore"]
    table = Table(title=f"DORA metrics — {title_of(report)}", title_justify="left")
    for name, justify in (("Metric", "left"), ("Value", "right"), ("Detail", "left"), ("Level", "left")):
        table.add_column(name, justify=justify)
    median_days = df["median_deploy_days_per_week"]
    table.add_row("Deployment frequency", f"{df['per_week']:.2f} / week",
                  f"{df['deployments']} deployments on {df['deploy_days']} days; median deploy days per week "
                  + ("—" if median_days is None else f"{median_days:g}"), _level(df["level"]))
    table.add_row("Lead time for changes", hours(lt["median_hours"]),
                  f"median of {lt['changes']} changes; p90 {hours(lt['p90_hours'])}", _level(lt["level"]))
    rate = cfr["rate"]
    table.add_row("Change failure rate", "—" if rate is None else f"{rate:.1%}",
                  f"{cfr['failures']} failures in {cfr['attempts']} production attempts",
                  _level(cfr["level"]))
    table.add_row("Time to restore", hours(ttr["median_hours"]),
                  f"median of {ttr['failures_restored']} restored; {ttr['unrestored']} not restored",
                  _level(ttr["level"]))
    return table


def flow_table(report: dict) -> Table:
    prs = report["pull_requests"]
    table = Table(title="Pull-request flow (medians)", title_justify="left")
    for name in ("Merged", "Opened", "Abandoned", "Coding", "Pickup", "Review", "Deploy", "Cycle"):
        table.add_column(name, justify="right")
    table.add_row(str(prs["merged"]), str(prs["opened"]), str(prs["abandoned"]),
                  *(hours(prs[f"{phase}_median_hours"]) for phase in ("coding", "pickup", "review", "deploy",
                                                                      "cycle")))
    return table


def print_report(report: dict, console: Console | None = None) -> None:
    console = console or Console()
    console.print(dora_table(report))
    console.print(flow_table(report))
