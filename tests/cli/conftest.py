"""The CLI tests run the real commands in-process (click's runner) against the simulator over loopback."""

from __future__ import annotations

import os

import pytest
import stamina
from click.testing import CliRunner

from adometrics.fake_ado.server import running
from adometrics.store.crypto import new_key
from adometrics.store.keys import encode_key


@pytest.fixture
def tiny():
    with running(scenario="tiny") as srv:
        yield srv


@pytest.fixture
def cli_env(tmp_path, tiny) -> dict[str, str]:
    """A data directory of its own, the simulator allowed, its PAT in AZURE_DEVOPS_EXT_PAT."""
    env = {k: None for k in os.environ if k.startswith("ADOMETRICS_")}
    env.update(ADOMETRICS_DATA_DIR=str(tmp_path / "data"), ADOMETRICS_ALLOWED_HOSTS="127.0.0.1",
               ADOMETRICS_MASTER_KEY=encode_key(new_key()), AZURE_DEVOPS_EXT_PAT=tiny.pat)
    return env


@pytest.fixture
def run(cli_env):
    """Invoke ``adometrics ARGS`` with the test environment; returns click's Result."""
    from adometrics.cli.main import cli

    def invoke(*args: str, env: dict | None = None, input: str | None = None):
        return CliRunner().invoke(cli, list(args), env={**cli_env, **(env or {})}, input=input)

    return invoke


@pytest.fixture(autouse=True)
def _fast_retries():
    with stamina.set_testing(True, attempts=3):
        yield
