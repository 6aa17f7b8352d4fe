"""`adometrics sync` (progress on stderr, `--json` on stdout, exit status) and `adometrics keys rotate`."""

from __future__ import annotations

import json

import httpx

ENTITIES = ("projects", "teams", "users", "repositories", "commits", "pull_requests", "builds", "deployments")


def _connect(run, tiny) -> None:
    assert run("connect", "--org-url", tiny.organization_url).exit_code == 0


def test_sync_json_reports_entities_fetched_calls_and_skips(run, tiny):
    _connect(run, tiny)
    result = run("sync", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {"entities", "fetched", "api_calls", "skipped"} <= set(out)
    assert all(out["entities"][e] > 0 for e in ENTITIES)
    assert out["entities"]["pull_requests"] == len(tiny.sim.world.pull_request_index())
    assert out["fetched"]["pull_requests"] == out["entities"]["pull_requests"]
    assert out["api_calls"]["git.pullrequests.threads"] == out["entities"]["pull_requests"]
    assert out["skipped"] == [] and out["completed"] is True
    assert "fabrikam: completed (" in result.stderr
    idle = json.loads(run("sync", "--json", "--org", "fabrikam").stdout)
    assert idle["entities"] == out["entities"] | {"sync_checkpoints": idle["entities"]["sync_checkpoints"]}
    assert "git.pullrequests.threads" not in idle["api_calls"]
    listed = run("connections").stdout
    assert "healthy" in listed and "never" not in listed


def test_malformed_records_are_skipped_and_counted(run, tiny):
    _connect(run, tiny)
    rule = {"kind": "missing_field", "endpoint": "pulls.commits", "field": "commitId", "count": 1}
    httpx.post(f"{tiny.control_url}/faults", json=rule).raise_for_status()
    result = run("sync", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    skipped = out["skipped"]
    assert skipped and all(s["entity"] == "pr_commit" and "commitId" in s["reason"] for s in skipped)
    assert f"completed with {len(skipped)} skipped" in result.stderr
    assert out["entities"]["pull_requests"] == len(tiny.sim.world.pull_request_index())
    again = json.loads(run("sync", "--json").stdout)  # the PR with unreadable commits is read again
    assert again["skipped"] == [] and again["api_calls"]["git.pullrequests.commits"] == 1


def test_revoked_pat_exits_non_zero_and_shows_broken(run, tiny):
    _connect(run, tiny)
    httpx.post(f"{tiny.control_url}/pats/{tiny.pat}/revoke").raise_for_status()
    result = run("sync")
    assert result.exit_code == 1 and "fabrikam: stopped: Azure DevOps refused the PAT" in result.stderr
    listed = run("connections").stdout
    assert "broken: Azure DevOps refused the PAT" in listed


def test_sync_without_connections_or_unknown_org_is_one_line(run, tiny):
    result = run("sync")
    assert result.exit_code == 1 and result.stderr.startswith("error: no connections")
    _connect(run, tiny)
    result = run("sync", "--org", "contoso")
    assert result.exit_code == 1 and "no connection named contoso" in result.stderr


def test_keys_rotate_keeps_data_readable(run, tiny, cli_env):
    env = {"ADOMETRICS_MASTER_KEY": None}  # a key file in the data directory, which rotation can extend
    assert run("connect", "--org-url", tiny.organization_url, env=env).exit_code == 0
    assert run("sync", env=env).exit_code == 0
    rotated = run("keys", "rotate", "--data-keys", env=env)
    assert rotated.exit_code == 0, rotated.output
    assert "data keys re-wrapped" in rotated.stdout and "rows re-encrypted" in rotated.stdout
    after = run("sync", "--json", env=env)
    assert after.exit_code == 0 and json.loads(after.stdout)["completed"]
    assert "healthy" in run("connections", env=env).stdout


def test_sync_project_reads_only_the_projects_named(run, tiny):
    _connect(run, tiny)
    first, other = tiny.sim.world.projects()[:2]
    result = run("sync", "--json", "--project", first.name)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["api_calls"]["git.repositories.list"] == 1
    assert out["entities"]["pull_requests"] == len(tiny.sim.world.pull_request_index(first.id))
    both = json.loads(run("sync", "--json", "--project", first.name, "--project", other.name).stdout)
    assert both["api_calls"]["git.repositories.list"] == 2
    assert both["entities"]["pull_requests"] == len(tiny.sim.world.pull_request_index())
    wrong = run("sync", "--project", "Nope")
    assert wrong.exit_code == 1 and "no project named Nope" in wrong.stderr
