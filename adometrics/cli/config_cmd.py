"""``adometrics config``: the per-project settings that decide which deployments count (METRICS.md §1)."""

from __future__ import annotations

import click

from ..metrics import DEFAULT_PRODUCTION_PATTERN
from ..reports.settings import describe_patterns, set_pattern, set_pipeline
from .common import app_of


@click.group("config")
def config() -> None:
    """Per-project settings, stored in the database (every web and worker process sees them)."""


PATTERN_HELP = f"""Show, set (PATTERN) or --reset which environment names are production in a project.

The default, {DEFAULT_PRODUCTION_PATTERN}, ignores case; a pattern you set is a Python regular expression
used as given and searched for in the name: start it with (?i) to ignore case.
"""


@config.command("production-pattern", help=PATTERN_HELP)
@click.option("--org", "organization", required=True, metavar="NAME", help="Organization name or id.")
@click.option("--project", metavar="P", help="The project to change (name or id); all are listed without it.")
@click.argument("pattern", required=False)
@click.option("--reset", is_flag=True, help="Go back to the default pattern.")
@click.pass_context
def production_pattern(ctx: click.Context, organization: str, project: str | None, pattern: str | None,
                       reset: bool) -> None:
    app = app_of(ctx)
    if pattern is not None or reset:
        if project is None:
            raise click.UsageError("give --project to set or reset a pattern")
        if pattern is not None and reset:
            raise click.UsageError("give a PATTERN or --reset, not both")
        with app.engine.begin() as conn:
            set_pattern(conn, organization, project, None if reset else pattern)
    with app.engine.connect() as conn:
        for line in describe_patterns(conn, organization, project):
            click.echo(line)


@config.command("deployment-pipeline")
@click.option("--org", "organization", required=True, metavar="NAME", help="Organization name or id.")
@click.option("--project", required=True, metavar="P", help="The pipeline's project (name or id).")
@click.option("--pipeline", required=True, metavar="NAME", help="Build pipeline name or id.")
@click.option("--environment", metavar="ENV", help="Environment its builds deploy to (default: production).")
@click.option("--off", is_flag=True, help="Stop counting the pipeline's builds as deployments.")
@click.pass_context
def deployment_pipeline(ctx: click.Context, organization: str, project: str, pipeline: str,
                        environment: str | None, off: bool) -> None:
    """Count every completed build of a pipeline as a deployment attempt (METRICS.md §1.3, opt-in)."""
    with app_of(ctx).engine.begin() as conn:
        click.echo(set_pipeline(conn, organization, project, pipeline, enabled=not off,
                                environment=environment))
