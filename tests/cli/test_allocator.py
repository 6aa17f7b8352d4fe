"""The glibc allocator settings the CLI applies at start (cli/allocator.py)."""

from __future__ import annotations

import subprocess
import sys
import threading

from adometrics.cli import allocator


def test_a_users_own_setting_wins(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert allocator.limit_arenas() is False


def test_settings_apply_in_a_fresh_process():
    code = "from adometrics.cli.allocator import limit_arenas; print(limit_arenas())"
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "True"  # glibc here (Debian); elsewhere the function is a no-op


def test_trimming_runs_on_a_daemon_thread():
    def trimmers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "adometrics-malloc-trim"]

    before = len(trimmers())
    allocator.trim_periodically(interval=0.01)
    assert len(trimmers()) == before + 1 and all(t.daemon for t in trimmers())
