"""The ``adometrics`` command: a thin layer over the library; errors are one line unless ``--debug``."""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__
from ..errors import AdometricsError
from .allocator import limit_arenas

# Each command's module is imported only when that command runs (or help lists them): start-up is part
# of every command's wall time, and most of it would be other commands' libraries (HTTP, migrations, ...).
COMMANDS = {
    "fake-ado": "fake_ado_cmd:fake_ado",
    "connect": "connect:connect",
    "connections": "connections:connections",
    "sync": "sync_cmd:sync",
    "keys": "keys_cmd:keys",
    "metrics": "metrics_cmd:metrics",
    "export": "export_cmd:export_command",
    "config": "config_cmd:config",
    "demo": "demo_cmd:demo",
}


class _Group(click.Group):
    """Loads commands lazily; turns our errors into one line on standard error and a non-zero exit status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(f"{__package__}.{module}"), attribute)

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


def main() -> None:
    limit_arenas()
    cli()


if __name__ == "__main__":
    main()
