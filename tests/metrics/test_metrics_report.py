"""METRICS.md §4: the exact JSON shape, the scope echo, and what each scope counts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from metrics_factories import ORG, WINDOW, dep, pr, report, ship

from adometrics.domain import Scope, TeamMember, Window
from adometrics.metrics import compute_report, team_user_ids
from adometrics.metrics.deployments import ancestry_from_pairs

EXAMPLE = """{
  "scope": {"organization": "fabrikam", "project": null, "team": null, "repository": null},
  "window": {"start": "2026-01-05T00:00:00Z", "end": "2026-02-02T00:00:00Z"},
  "benchmark": "2023",
  "deployment_frequency": {"deployments": 0, "deploy_days": 0, "per_week": 0.0,
                           "median_deploy_days_per_week": 0.0, "level": "low"},
  "lead_time_for_changes": {"changes": 0, "median_hours": null, "p90_hours": null, "level": null},
  "change_failure_rate": {"attempts": 0, "failures": 0, "rate": null, "level": null},
  "time_to_restore": {"failures_restored": 0, "unrestored": 0, "median_hours": null, "level": null},
  "pull_requests": {"merged": 0, "opened": 0, "abandoned": 0, "coding_median_hours": null,
                    "pickup_median_hours": null, "review_median_hours": null, "deploy_median_hours": null,
                    "cycle_median_hours": null}
}"""


def test_empty_report_is_exactly_the_documented_example():
    result = report()
    assert json.loads(json.dumps(result)) == json.loads(EXAMPLE)
    assert list(result) == list(json.loads(EXAMPLE))  # the same keys in the same order
    for section, values in json.loads(EXAMPLE).items():
        if isinstance(values, dict):
            assert list(result[section]) == list(values), section
    assert isinstance(result["deployment_frequency"]["per_week"], float)


def test_scope_echo_window_and_benchmark():
    scope = Scope(organization="fabrikam", project="Fabrikam Fiber", team="Web", repository="web-app",
                  project_id="p1", repo_id="r1", team_member_ids=frozenset())
    window = Window(start=datetime(2026, 1, 5, 12, 30, tzinfo=UTC),
                    end=datetime(2026, 2, 2, 0, 0, 0, 500, tzinfo=UTC))
    result = report(window=window, scope=scope, benchmark="2021")
    assert result["scope"] == {"organization": "fabrikam", "project": "Fabrikam Fiber", "team": "Web",
                               "repository": "web-app"}
    assert result["window"] == {"start": "2026-01-05T12:30:00Z", "end": "2026-02-02T00:00:00.000500Z"}
    assert result["benchmark"] == "2021"


# The scenario behind the scope table: two projects, three repositories, two authors.
ATTEMPTS = [
    dep(1, 10, commits={"r1": "a1", "r2": "b1"}),
    dep(2, 20, commits={"r1": "a2"}),
    dep(3, 30, project="p2", commits={"r3": "x1"}),
    dep(4, 40, status="failed", commits={"r2": "b2"}),
]
SHIPPED = [ship(1, "m1", repo="r1"), ship(1, "m3", repo="r2"), ship(2, "m2"),
           ship(3, "m4", repo="r3", project="p2")]
PRS = [pr(1, 1, 5, creator="alice"), pr(2, 2, 15, creator="bob"), pr(3, 3, 6, creator="alice", repo="r2"),
       pr(4, 4, 25, creator="bob", repo="r3", project="p2"),
       pr(5, 5, None, status="active", creator="alice", repo="r3", project="p2")]
ALICE, BOB = frozenset({"alice"}), frozenset({"bob"})


@pytest.mark.parametrize(("scope", "deployments", "attempts", "merged", "opened"), [
    pytest.param({}, 3, 4, 4, 5, id="organization: once each"),
    pytest.param({"project_id": "p1"}, 2, 3, 3, 3, id="project p1"),
    pytest.param({"project_id": "p2"}, 1, 1, 1, 2, id="project p2"),
    pytest.param({"repo_id": "r1"}, 2, 2, 2, 2, id="repository r1"),
    pytest.param({"repo_id": "r2"}, 1, 2, 1, 1, id="repository r2: the multi-repository attempt counts too"),
    pytest.param({"repo_id": "r3"}, 1, 1, 1, 2, id="repository r3"),
    pytest.param({"team_member_ids": ALICE}, 1, 1, 2, 3, id="team alice"),
    pytest.param({"team_member_ids": BOB}, 2, 2, 2, 2, id="team bob"),
    pytest.param({"team_member_ids": ALICE, "repo_id": "r2"}, 1, 1, 1, 1, id="team alice in r2"),
    pytest.param({"team_member_ids": ALICE, "project_id": "p2"}, 0, 0, 0, 1, id="team alice in p2"),
    pytest.param({"team_member_ids": frozenset()}, 0, 0, 0, 0, id="a team without users"),
])
def test_scopes(scope, deployments, attempts, merged, opened):
    result = report(ATTEMPTS, SHIPPED, PRS, scope=Scope(organization="fabrikam", **scope))
    assert result["deployment_frequency"]["deployments"] == deployments
    assert result["change_failure_rate"]["attempts"] == attempts
    assert (result["pull_requests"]["merged"], result["pull_requests"]["opened"]) == (merged, opened)


def test_a_multi_repository_attempt_counts_in_each_repository_and_once_overall():
    per_repo = [report(ATTEMPTS, SHIPPED, PRS, scope=replace(ORG, repo_id=r))["deployment_frequency"]
                ["deployments"] for r in ("r1", "r2", "r3")]
    assert sum(per_repo) == 4 and report(ATTEMPTS, SHIPPED, PRS)["deployment_frequency"]["deployments"] == 3


def test_team_members_are_users_and_ids_compare_without_hyphens():
    members = [TeamMember(org_id="o", team_id="t", identity_id="AAAA-1111"),
               TeamMember(org_id="o", team_id="t", identity_id="GGGG-2222", is_group=True)]
    ids = team_user_ids(members)
    prs = [pr(1, 1, 5, creator="aaaa1111"), pr(2, 2, 6, creator="gggg-2222")]
    result = report(prs=prs, scope=Scope(organization="fabrikam", team="Web", team_member_ids=ids))
    assert result["pull_requests"]["merged"] == 1


def test_team_scope_takes_rollbacks_and_restores_from_all_data():
    attempts = [dep(1, 10, sha="c1"), dep(2, 20, sha="c2"), dep(3, 30, sha="c1")]  # 3 rolls back 2
    shipped = [ship(1, "m0"), ship(2, "m1", "m2")]                                 # a rollback ships nothing
    prs = [pr(1, 1, 5, creator="alice"), pr(2, 2, 6, creator="bob")]
    result = report(attempts, shipped, prs, ancestors=[("r1", "c1", "c2")],
                    scope=Scope(organization="fabrikam", team="A", team_member_ids=ALICE))
    assert result["change_failure_rate"] == {"attempts": 1, "failures": 1, "rate": 1.0, "level": "low"}
    assert result["time_to_restore"]["median_hours"] == 10.0   # restored by 3, which is not the team's
    assert result["lead_time_for_changes"]["changes"] == 1


def test_restore_at_repository_scope_is_per_repository():
    attempts = [dep(1, 10, status="failed", commits={"r1": "a", "r2": "b"}), dep(2, 15, commits={"r1": "a2"}),
                dep(3, 18, commits={"r2": "b2"})]
    hours = {repo: report(attempts, scope=replace(ORG, repo_id=repo))["time_to_restore"]["median_hours"]
             for repo in (None, "r1", "r2")}
    assert hours == {None: 5.0, "r1": 5.0, "r2": 8.0}


def test_first_deployment_is_found_by_the_merge_commit_squash_or_merge():
    attempts = [dep(1, 10), dep(2, 20), dep(3, 30)]
    shipped = [ship(1, "squash1"),                          # a squash commit: the PR's only change on target
               ship(2, "merge2", "feature2a", "feature2b"), # a merge commit with the PR's own commits
               ship(3, "feature3")]                         # PR 3's source commit, but not its merge commit
    prs = [pr(1, 0, 5, merge="squash1"), pr(2, 0, 5, merge="merge2"), pr(3, 0, 5, merge="merge3")]
    result = report(attempts, shipped, prs)
    assert result["lead_time_for_changes"]["changes"] == 2
    assert result["pull_requests"]["deploy_median_hours"] == 10.0    # 5 and 15


def test_an_abandoned_prs_merge_commit_is_not_a_change():
    prs = [pr(1, 0, 5, status="abandoned", merge="m1")]
    result = report([dep(1, 10)], [ship(1, "m1")], prs, scope=replace(ORG, team_member_ids=ALICE))
    assert result["lead_time_for_changes"]["changes"] == 0
    assert result["deployment_frequency"]["deployments"] == 0   # not the team's: no merged PR in it


def test_compute_report_is_analyse_then_build():
    direct = compute_report(scope=ORG, window=WINDOW, attempts=ATTEMPTS, shipped=SHIPPED,
                            is_ancestor=ancestry_from_pairs([]), pull_requests=PRS)
    assert direct == report(ATTEMPTS, SHIPPED, PRS)
    assert compute_report(scope=ORG, window=WINDOW, attempts=ATTEMPTS, shipped=SHIPPED, pull_requests=PRS,
                          is_ancestor=ancestry_from_pairs([]), production_patterns={"p1": "^nope$"}
                          )["deployment_frequency"]["deployments"] == 1


def test_window_must_be_utc_and_non_empty():
    from adometrics.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        Window(start=datetime(2026, 1, 5), end=datetime(2026, 2, 2))
    with pytest.raises(ConfigurationError):
        Window(start=datetime(2026, 1, 5, tzinfo=UTC), end=datetime(2026, 1, 5, tzinfo=UTC))
