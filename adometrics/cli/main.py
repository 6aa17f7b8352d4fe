"""The ``adometrics`` command: a thin layer over the library; errors are one line unless ``--debug``."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import AdometricsError
from .config_cmd import config
from .connect import connect
from .connections import connections
from .demo_cmd import demo
from .export_cmd import export_command
from .fake_ado_cmd import fake_ado
from .keys_cmd import keys
from .metrics_cmd import metrics
from .sync_cmd import sync


class _Group(click.Group):
    """Turns our errors into one line on standard error and a non-zero exit status."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AdometricsError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="adometrics")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Engineering metrics (DORA, pull-request flow) for Azure DevOps, from metadata only."""
    ctx.ensure_object(dict)["debug"] = debug


cli.add_command(fake_ado)
cli.add_command(connect)
cli.add_command(connections)
cli.add_command(sync)
cli.add_command(keys)
cli.add_command(metrics)
cli.add_command(export_command)
cli.add_command(config)
cli.add_command(demo)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
