"""``adometrics export``: the per-item facts behind the hand-computed metrics of ``handmade_world.py``;
titles and branch names only with ``--include-sensitive``."""

from __future__ import annotations

import csv
import io
import json

from handmade_sync import handmade  # noqa: F401  (the fixture)

WINDOW = ("--from", "2026-03-02", "--to", "2026-03-30")


def export(handmade, what: str, fmt: str = "json", *args: str) -> str:  # noqa: F811
    return handmade.run("export", "--org", "handmade", "--what", what, "--format", fmt, *args).stdout


def test_pull_requests_carry_their_phases_and_first_deployment(handmade):  # noqa: F811
    rows = {r["pull_request_id"]: r for r in json.loads(export(handmade, "pull-requests", "json", *WINDOW))}
    assert sorted(rows) == [1, 2, 3, 4, 5]
    first = rows[1]
    assert first["repository"] == "web" and first["project"] == "Shop" and first["status"] == "completed"
    assert first["first_deployment"] == "environment/2"
    assert first["first_deployment_environment"] == "production"
    assert first["first_deployment_at"] == "2026-03-03T00:00:00Z"
    assert (first["coding_hours"], first["pickup_hours"], first["review_hours"], first["deploy_hours"],
            first["cycle_hours"]) == (2.0, 2.0, 6.0, 4.0, 14.0)
    assert rows[3]["pickup_hours"] is None and rows[3]["first_review_at"] is None  # own vote, bot comment
    assert rows[3]["first_deployment"] == "environment/5"  # not r7, which shipped m3 again later
    assert rows[4]["status"] == "abandoned" and rows[4]["cycle_hours"] is None
    assert "title" not in first


def test_deployments_show_outcomes_rollbacks_and_restores(handmade):  # noqa: F811
    rows = list(csv.DictReader(io.StringIO(export(handmade, "deployments", "csv", *WINDOW))))
    by_id = {int(r["deployment_id"]): r for r in rows}
    assert list(by_id) == [1, 2, 3, 4, 5, 6, 7]  # in finish order
    assert by_id[1]["production"] == "False" and by_id[1]["environment"] == "staging"
    assert (by_id[3]["outcome"], by_id[3]["counts_as_failure"], by_id[3]["restore_hours"]) == (
        "failure", "True", "2.0")
    assert (by_id[5]["rolled_back"], by_id[5]["counts_as_failure"], by_id[5]["restore_hours"]) == (
        "True", "True", "36.0")
    assert by_id[6]["rollback"] == "True" and by_id[6]["merged_prs_shipped"] == "0"
    assert (by_id[7]["merged_prs_shipped"], by_id[7]["merged_prs_first_shipped"]) == ("1", "0")
    assert by_id[2]["repositories"] == "web" and by_id[2]["commits"] == b"m1".hex().ljust(40, "0")
    assert "branch" not in rows[0]


def test_sensitive_values_only_on_request(handmade):  # noqa: F811
    plain = export(handmade, "pull-requests", "csv") + export(handmade, "deployments", "json")
    assert "Change 1" not in plain and "refs/heads" not in plain
    prs = json.loads(export(handmade, "pull-requests", "json", "--include-sensitive"))
    first = next(r for r in prs if r["pull_request_id"] == 1)
    assert (first["title"], first["source_branch"], first["target_branch"]) == (
        "Change 1", "refs/heads/feature/1", "refs/heads/main")
    deployments = json.loads(export(handmade, "deployments", "json", "--include-sensitive"))
    assert {d["branch"] for d in deployments} == {"refs/heads/main"}


def test_scope_window_and_output_file(handmade, tmp_path):  # noqa: F811
    out = tmp_path / "prs.csv"
    export(handmade, "pull-requests", "csv", "--team", "Checkout", "--from", "2026-03-03", "-o", str(out))
    rows = list(csv.DictReader(out.open()))
    assert sorted(int(r["pull_request_id"]) for r in rows) == [2, 3, 5]  # PR 1 opened and closed before
    assert json.loads(export(handmade, "deployments", "json", "--to", "2026-03-01")) == []
