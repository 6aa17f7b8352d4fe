"""The simulator over real HTTP: background server for tests, and ``serve`` as the CLI runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from adometrics.fake_ado.server import running

SERVE = (
    "from adometrics.fake_ado.server import serve\n"
    "serve(port=0, scenario={scenario!r}, seed=2, organization='contoso', pat={pat!r})\n"
)


def test_background_server_serves_and_stops_cleanly():
    with running(scenario="tiny", pat="bg-token") as server:
        assert server.pat == "bg-token"
        assert server.organization_url == server.base_url + "/fabrikam"
        with httpx.Client() as client:
            status = client.get(server.control_url + "/")
            assert status.status_code == 200 and status.json()["organizationUrl"] == server.organization_url
            bad = client.get(
                server.organization_url + "/_apis/anything", headers={"X-TFS-FedAuthRedirect": "Suppress"}
            )
            assert bad.status_code == 404
        port = int(server.base_url.rsplit(":", 1)[1])
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the port should be closed after the context exits"


def _serve(scenario: str, pat: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # the banner must be flushed
    code = SERVE.format(scenario=scenario, pat=pat)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _banner(proc) -> dict[str, str]:
    lines = {}
    for _ in range(2):
        key, _, value = proc.stdout.readline().strip().partition("=")
        lines[key] = value
    if "ORG_URL" not in lines:
        proc.kill()
        pytest.fail("serve printed no banner:\n" + proc.stderr.read())
    return lines


def _time_to_ready(scenario: str) -> float:
    """Seconds from launching ``serve`` to its first answered request; checks the banner on the way."""
    start = time.perf_counter()
    proc = _serve(scenario)
    try:
        banner = _banner(proc)
        org_url, pat = banner.get("ORG_URL"), banner.get("AZURE_DEVOPS_EXT_PAT")
        assert org_url and org_url.endswith("/contoso") and org_url.startswith("http://127.0.0.1:"), banner
        assert pat and len(pat) == 52
        control = org_url.rsplit("/", 1)[0] + "/_control/"
        response = httpx.get(control, timeout=5)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200 and response.json()["pat"] == pat
        assert response.json()["scenario"] == scenario
        return elapsed
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_prints_url_and_pat_and_is_ready_fast_for_small():
    # Best of two launches: a single one can exceed the bar on a machine busy with other test processes.
    elapsed = _time_to_ready("small")
    if elapsed >= 2.0:
        elapsed = min(elapsed, _time_to_ready("small"))
    assert elapsed < 2.0, f"ready after {elapsed:.2f}s"


def test_serve_accepts_a_chosen_pat():
    proc = _serve("tiny", pat="chosen-pat-value")
    try:
        assert _banner(proc)["AZURE_DEVOPS_EXT_PAT"] == "chosen-pat-value"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
