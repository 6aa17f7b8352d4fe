"""Acceptance: `adometrics sync` killed with SIGKILL at random moments, and resumed each time, ends with
exactly the database of an uninterrupted run, table by table."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

import pytest
from sync_support import connect, diff, snapshot, sync

from adometrics.store.crypto import new_key
from adometrics.store.engine import make_engine
from adometrics.store.keyring import Keyring
from adometrics.store.keys import MasterKeys, encode_key
from adometrics.store.migrate import upgrade

KILLS = 10
MAX_ATTEMPTS = 40


def _cli_env(data_dir, key: bytes) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOMETRICS_")}
    env.update(ADOMETRICS_DATA_DIR=str(data_dir), ADOMETRICS_ALLOWED_HOSTS="127.0.0.1",
               ADOMETRICS_MASTER_KEY=encode_key(key))
    return env


def _sync_process(env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "adometrics.cli.main", "sync"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume(tiny, tmp_path):
    key = new_key()
    keyring = Keyring(MasterKeys((key,)))
    tiny.sim.faults.latency_ms = 20  # latency spreads the backfill over many kills
    clean = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    upgrade(clean)
    org = connect(clean, keyring, tiny).org
    assert sync(clean, keyring, org.id).completed

    data = tmp_path / "crashed"
    crashed = make_engine(data_dir=data)  # the same file the CLI opens
    upgrade(crashed)
    connect(crashed, keyring, tiny)
    rng = random.Random(int(os.environ.get("ADOMETRICS_CRASH_SEED", "20260601")))
    env, kills, attempts = _cli_env(data, key), 0, 0
    while kills < KILLS and attempts < MAX_ATTEMPTS:
        attempts += 1
        proc = _sync_process(env)
        time.sleep(rng.uniform(0.3, 1.2))  # from the process's start-up to well into its work
        if proc.poll() is None:
            proc.kill()  # SIGKILL: no clean-up of any kind
            kills += 1
        proc.wait()
    assert kills >= KILLS
    final = _sync_process(env)
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    assert b"completed" in err
    assert diff(snapshot(crashed, keyring, org.id), snapshot(clean, keyring, org.id)) == {}
    crashed.dispose()
    clean.dispose()
