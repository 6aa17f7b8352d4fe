"""The hand-written organization, served by the simulator and synced by the real CLI in child processes
(``python -m adometrics.cli.main``), as a user would: ``connect``, then ``sync``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from handmade_world import handmade_simulator

from adometrics.fake_ado.server import running
from adometrics.store.crypto import new_key
from adometrics.store.keys import encode_key


@dataclass(frozen=True)
class Synced:
    """A data directory holding the synced organization, and a way to run the CLI on it."""

    env: dict[str, str]
    run: Callable[..., subprocess.CompletedProcess]
    sync_report: dict
    second_sync_report: dict
    sync_messages: tuple[str, str]  # standard error of the two syncs


def cli(env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    def run(*args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "adometrics.cli.main", *args], env={**env, **extra},
                              capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise AssertionError(f"adometrics {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        return done
    return run


@pytest.fixture(scope="module")
def handmade(tmp_path_factory) -> Synced:
    """Connect to and sync the hand-written organization with the real CLI, once per module."""
    data = tmp_path_factory.mktemp("handmade")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOMETRICS_")}
    with running(sim=handmade_simulator()) as srv:
        env.update(ADOMETRICS_DATA_DIR=str(data), ADOMETRICS_ALLOWED_HOSTS="127.0.0.1",
                   ADOMETRICS_MASTER_KEY=encode_key(new_key()), AZURE_DEVOPS_EXT_PAT=srv.pat)
        run = cli(env)
        run("connect", "--org-url", srv.organization_url)
        first, second = run("sync", "--json"), run("sync", "--json")
    return Synced(env, run, json.loads(first.stdout), json.loads(second.stdout),
                  (first.stderr, second.stderr))
