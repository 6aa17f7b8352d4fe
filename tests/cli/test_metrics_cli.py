"""Acceptance: the real CLI syncs the simulator serving a hand-written organization, and
``adometrics metrics --json`` returns the numbers worked out by hand in ``handmade_world.py``."""

from __future__ import annotations

import json

import pytest
from handmade_sync import handmade  # noqa: F401  (the fixture)

WINDOW = ("--from", "2026-03-02", "--to", "2026-03-30")  # four ISO weeks


def metrics(handmade, *args: str) -> dict:  # noqa: F811
    return json.loads(handmade.run("metrics", "--org", "handmade", *WINDOW, "--json", *args).stdout)


def scope(**given) -> dict:
    return {"organization": "handmade", "project": None, "team": None, "repository": None, **given}


PULL_REQUESTS = {"merged": 3, "opened": 5, "abandoned": 1, "coding_median_hours": 2.0,
                 "pickup_median_hours": 1.5, "review_median_hours": 8.5, "deploy_median_hours": 4.0,
                 "cycle_median_hours": 14.0}

ORGANIZATION = {
    "scope": scope(),
    "window": {"start": "2026-03-02T00:00:00Z", "end": "2026-03-30T00:00:00Z"},
    "benchmark": "2023",
    # r2, r4, r5, r6, r7 on March 3, 4, 4, 6, 7; ISO weeks with 4, 0, 0, 0 deploy days
    "deployment_frequency": {"deployments": 5, "deploy_days": 4, "per_week": 1.25,
                             "median_deploy_days_per_week": 0.0, "level": "medium"},
    # PR 1: 24 - 10, PR 2: 50 - 30, PR 3: 64 - 50 (r7 shipped m3 again, but later)
    "lead_time_for_changes": {"changes": 3, "median_hours": 14.0, "p90_hours": pytest.approx(18.8),
                              "level": "elite"},
    # six production attempts; r3 failed and r5 was rolled back by r6
    "change_failure_rate": {"attempts": 6, "failures": 2, "rate": pytest.approx(1 / 3), "level": "low"},
    # r3 restored by r4 after 2 h, r5 by r6 after 36 h
    "time_to_restore": {"failures_restored": 2, "unrestored": 0, "median_hours": 19.0, "level": "high"},
    "pull_requests": PULL_REQUESTS,
}


def test_the_sync_stored_the_organization(handmade):  # noqa: F811
    report = handmade.sync_report
    assert report["completed"] is True
    assert report["entities"]["pull_requests"] == 5
    assert report["entities"]["environment_deployments"] == 7
    # the six successful deployments (staging's too) compared once each; the next sync compares none
    assert report["entities"]["deployment_comparisons"] == 6
    assert handmade.second_sync_report["fetched"].get("deployment_comparisons", 0) == 0


def test_a_sync_that_changed_rows_updates_the_metric_results_and_an_idle_one_does_not(handmade):  # noqa: F811
    first, idle = handmade.sync_messages
    assert "Metrics updated in" in first
    assert "Metrics updated" not in idle


def test_organization_metrics_are_the_hand_computed_ones(handmade):  # noqa: F811
    assert metrics(handmade) == ORGANIZATION


def test_repository_scope_has_the_same_numbers(handmade):  # noqa: F811
    assert metrics(handmade, "--repo", "WEB") == {**ORGANIZATION, "scope": scope(repository="WEB")}
    assert metrics(handmade, "--project", "shop") == {**ORGANIZATION, "scope": scope(project="shop")}


def test_team_scope_keeps_its_members_prs_and_the_deployments_shipping_them(handmade):  # noqa: F811
    report = metrics(handmade, "--team", "Checkout")
    assert report["scope"] == scope(team="Checkout")
    # Bob's PR 4 is not the team's; r6 (a rollback) and r3 (failed) shipped none of the team's merges
    assert report["pull_requests"] == {**PULL_REQUESTS, "opened": 4, "abandoned": 0}
    assert report["deployment_frequency"] == {"deployments": 4, "deploy_days": 3, "per_week": 1.0,
                                              "median_deploy_days_per_week": 0.0, "level": "medium"}
    assert report["change_failure_rate"] == {"attempts": 4, "failures": 1, "rate": 0.25, "level": "low"}
    assert report["time_to_restore"] == {"failures_restored": 1, "unrestored": 0, "median_hours": 36.0,
                                         "level": "medium"}
    assert report["lead_time_for_changes"] == ORGANIZATION["lead_time_for_changes"]


def test_the_2021_benchmark_changes_only_levels(handmade):  # noqa: F811
    report = metrics(handmade, "--benchmark", "2021")
    assert report["benchmark"] == "2021"
    levels = {k: report[k]["level"] for k in ("deployment_frequency", "lead_time_for_changes",
                                             "change_failure_rate", "time_to_restore")}
    assert levels == {"deployment_frequency": "high", "lead_time_for_changes": "high",
                      "change_failure_rate": "low", "time_to_restore": "high"}


def test_a_window_without_activity_has_zero_counts_and_null_medians(handmade):  # noqa: F811
    report = json.loads(handmade.run("metrics", "--org", "handmade", "--from", "2025-01-01", "--to",
                                     "2025-01-02T12:00:00Z", "--json").stdout)
    assert report["window"] == {"start": "2025-01-01T00:00:00Z", "end": "2025-01-02T12:00:00Z"}
    assert report["deployment_frequency"] == {"deployments": 0, "deploy_days": 0, "per_week": 0.0,
                                              "median_deploy_days_per_week": None, "level": None}
    assert report["lead_time_for_changes"] == {"changes": 0, "median_hours": None, "p90_hours": None,
                                               "level": None}


def test_the_table_output_reads_like_the_json(handmade):  # noqa: F811
    out = handmade.run("metrics", "--org", "handmade", *WINDOW, COLUMNS="160").stdout
    for text in ("Deployment frequency", "1.25 / week", "Lead time for changes", "14.0 h", "33.3%",
                 "2 failures in 6 production attempts", "19.0 h", "Merged", "8.5 h"):
        assert text in out


@pytest.mark.parametrize(("args", "message"), [
    (("--org", "nowhere", *WINDOW), "no organization 'nowhere'"),
    (("--org", "handmade", "--team", "Nobody", *WINDOW), "no team 'Nobody'"),
    (("--org", "handmade", "--repo", "api", *WINDOW), "no repository 'api'"),
    (("--org", "handmade", "--from", "March", "--to", "2026-03-30"), "--from 'March' is not a date"),
    (("--org", "handmade", "--from", "2026-03-30", "--to", "2026-03-02"), "end must be after its start"),
])
def test_mistakes_get_one_line_and_a_failure_status(handmade, args, message):  # noqa: F811
    done = handmade.run("metrics", *args, check=False)
    assert done.returncode != 0
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_project_production_pattern_is_set_used_and_reset(handmade):  # noqa: F811
    config = ("config", "production-pattern", "--org", "handmade")
    assert handmade.run(*config).stdout == "Shop: ^(prod|production|prd|live)\\b (default)\n"
    try:
        out = handmade.run(*config, "--project", "Shop", "(?i)^(staging|production)$").stdout
        assert out == "Shop: (?i)^(staging|production)$\n"
        frequency = metrics(handmade)["deployment_frequency"]
        assert (frequency["deployments"], frequency["deploy_days"]) == (6, 5)  # r1, on March 2, counts
        bad = handmade.run(*config, "--project", "Shop", "(staging", check=False)
        assert bad.returncode != 0 and "not a regular expression" in bad.stderr
    finally:
        handmade.run(*config, "--project", "Shop", "--reset")
    assert metrics(handmade) == ORGANIZATION
