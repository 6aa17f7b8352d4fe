"""`adometrics connect` and `adometrics connections` as INTERFACES.md describes them."""

from __future__ import annotations

import httpx


def _one_error_line(result) -> str:
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output
    return lines[0]


def test_connect_verifies_and_is_idempotent(run, tiny):
    first = run("connect", "--org-url", tiny.organization_url)
    assert first.exit_code == 0, first.output
    assert f"Added connection to fabrikam ({tiny.organization_url})" in first.stdout
    for scope in ("vso.project", "vso.code", "vso.build", "vso.release", "vso.code_status",
                  "vso.memberentitlementmanagement"):
        assert f"{scope} ok" in first.stdout
    assert "2 projects, 4 repositories" in first.stdout and "health:   healthy" in first.stdout
    again = run("connect", "--org-url", tiny.organization_url)
    assert again.exit_code == 0 and "Updated connection to fabrikam" in again.stdout
    listed = run("connections")
    assert listed.exit_code == 0
    rows = [line for line in listed.stdout.splitlines() if line.startswith("fabrikam")]
    assert len(rows) == 1 and "healthy" in rows[0] and "never" in rows[0]
    assert tiny.pat not in first.output + again.output + listed.output


def test_pat_from_standard_input(run, tiny):
    result = run("connect", "--org-url", tiny.organization_url, "--pat-stdin",
                 env={"AZURE_DEVOPS_EXT_PAT": None}, input=tiny.pat + "\n")
    assert result.exit_code == 0 and "Added connection" in result.stdout


def test_bad_pat_is_one_clear_line(run, tiny):
    line = _one_error_line(run("connect", "--org-url", tiny.organization_url,
                               env={"AZURE_DEVOPS_EXT_PAT": "not-a-valid-token"}))
    assert "cannot connect to" in line and "refused the credential" in line and "HTTP 401" in line
    assert "not-a-valid-token" not in line


def test_missing_pat_and_unknown_host_are_one_line(run, tiny):
    line = _one_error_line(run("connect", "--org-url", tiny.organization_url,
                               env={"AZURE_DEVOPS_EXT_PAT": None}))
    assert "AZURE_DEVOPS_EXT_PAT" in line and "--pat-stdin" in line
    line = _one_error_line(run("connect", "--org-url", tiny.organization_url,
                               env={"ADOMETRICS_ALLOWED_HOSTS": ""}))
    assert "127.0.0.1" in line and "ADOMETRICS_ALLOWED_HOSTS" in line


def test_missing_scope_is_reported_at_connect(run, tiny):
    scopes = {"scopes": ["vso.code", "vso.project"]}
    token = httpx.post(f"{tiny.control_url}/pats", json=scopes).json()["token"]
    result = run("connect", "--org-url", tiny.organization_url, env={"AZURE_DEVOPS_EXT_PAT": token})
    assert result.exit_code == 0
    assert "vso.build MISSING" in result.stdout and "vso.release MISSING" in result.stdout
    assert "broken: the token lacks vso.build (Build (read))" in result.stdout
    listed = run("connections")
    assert "broken: the token lacks vso.build" in listed.stdout
