"""Every command and option a user can type is documented in README.md (docs that match the code)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from adometrics.cli.main import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "adometrics"):
    context = click.Context(group)
    for name in group.list_commands(context):  # the top group loads its commands lazily
        command = group.get_command(context, name)
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


COMMANDS = list(_commands(cli))


def test_every_command_is_checked() -> None:
    expected = {"adometrics metrics", "adometrics sync", "adometrics config production-pattern"}
    assert expected <= dict(COMMANDS).keys()


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_is_in_the_readme(path: str, command: click.Command) -> None:
    documented = path in README or (isinstance(command, click.Group) and any(
        p.startswith(path + " ") and p in README for p, _ in COMMANDS))
    assert documented, f"README.md does not mention `{path}`"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_options_are_in_the_readme(path: str, command: click.Command) -> None:
    if isinstance(command, click.Group):
        return
    missing = [opt for param in command.params if isinstance(param, click.Option)
               for opt in param.opts if opt.startswith("--") and opt not in README]
    assert missing == [], f"README.md does not mention {missing} of `{path}`"
