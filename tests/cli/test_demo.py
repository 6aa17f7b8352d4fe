"""``adometrics demo`` on a fresh install: under a minute, its own database file, nothing left running."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.slow


def fresh_env(data_dir) -> dict[str, str]:
    """No ADOMETRICS_* settings but a new data directory, and a database URL the demo must ignore."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOMETRICS_")}
    env.update(ADOMETRICS_DATA_DIR=str(data_dir), ADOMETRICS_DATABASE_URL="postgresql+psycopg://x@127.0.0.1:9/no",
               COLUMNS="160")
    return env


def closed(url: str) -> bool:
    host, port = re.match(r"http://([\d.]+):(\d+)/", url).groups()
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) != 0


def test_demo_prints_the_metrics_and_exits(tmp_path):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "adometrics.cli.main", "demo", "--no-serve"],
                          env=fresh_env(tmp_path / "data"), capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert elapsed < 60
    for text in ("DORA metrics", "fabrikam", "Deployment frequency", "Lead time for changes",
                 "Change failure rate", "Time to restore", "Pull-request flow", "Merged", "Cycle"):
        assert text in done.stdout
    assert "completed" in done.stderr
    files = {p.name for p in (tmp_path / "data").iterdir()}
    assert "demo.db" in files and "adometrics.db" not in files
    url = re.search(r"Simulated organization at (\S+)", done.stderr)[1]
    assert closed(url)


def test_demo_serves_until_interrupted(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "adometrics.cli.main", "demo"],
                            env=fresh_env(tmp_path / "d"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in proc.stderr:  # the pytest timeout bounds the wait
            if found := re.search(r"ORG_URL=(\S+)", line):
                url = found[1]
                break
        assert url is not None, "the demo did not say where the simulator is"
        assert httpx.get(f"{url}/_apis/projects", timeout=5).status_code in (200, 203, 401)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        assert closed(url + "/")
    finally:
        if proc.poll() is None:
            proc.kill()
