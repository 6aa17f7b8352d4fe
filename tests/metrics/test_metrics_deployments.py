"""METRICS.md §1: attempts and outcomes, production, order, rollbacks and first deployments."""

from __future__ import annotations

import pytest
from metrics_factories import dep, h, ship

from adometrics.domain import DeploymentComparison, DeploymentKind
from adometrics.errors import ConfigurationError
from adometrics.metrics import (
    Outcome,
    ProductionMatcher,
    analyse,
    ancestry_from_comparisons,
    ancestry_from_pairs,
    outcome_of,
)

CLASSIC, ENV, BUILD = DeploymentKind.CLASSIC, DeploymentKind.ENVIRONMENT, DeploymentKind.BUILD
S, F = Outcome.SUCCESS, Outcome.FAILURE


@pytest.mark.parametrize(("kind", "status", "op", "expected"), [
    (CLASSIC, "succeeded", None, S),
    (CLASSIC, "partiallySucceeded", None, S),
    (CLASSIC, "failed", "PhaseFailed", F),
    (CLASSIC, "notDeployed", "PhaseFailed", F),     # the classic special case
    (CLASSIC, "notDeployed", "GateFailed", None),   # gate failed: not an attempt
    (CLASSIC, "notDeployed", "Rejected", None),
    (CLASSIC, "notDeployed", "Canceled", None),
    (CLASSIC, "notDeployed", None, None),
    (CLASSIC, "inProgress", "Pending", None),
    (CLASSIC, "Succeeded", None, S),                # ADO's casing varies between APIs
    (ENV, "succeeded", None, S),
    (ENV, "succeededWithIssues", None, S),
    (ENV, "failed", None, F),
    (ENV, "canceled", None, None),
    (ENV, "skipped", None, None),
    (ENV, "abandoned", None, None),
    (ENV, "notDeployed", "PhaseFailed", None),      # only a classic deployment has that rule
    (ENV, None, None, None),                        # in progress: no result yet
    (BUILD, "succeeded", None, S),
    (BUILD, "partiallySucceeded", None, S),
    (BUILD, "failed", None, F),
    (BUILD, "canceled", None, None),
    (BUILD, "none", None, None),
])
def test_outcome_mapping(kind, status, op, expected):
    assert outcome_of(dep(1, 0, kind=kind, status=status, op=op)) is expected


@pytest.mark.parametrize(("environment", "production"), [
    ("prod", True), ("Prod", True), ("PRODUCTION", True), ("prd", True), ("Live", True),
    ("prod-eu", True), ("Production (EU)", True), ("production.west", True), ("live 2", True),
    ("products", False), ("preprod", False), ("pre-prod", False), ("live2", False), ("staging", False),
    ("prod_eu", False),   # "_" is a word character, so \b does not match after "prod"
    ("", False),
])
def test_default_production_pattern(environment, production):
    assert ProductionMatcher()("p1", environment) is production


def test_production_pattern_per_project_is_used_as_given():
    matcher = ProductionMatcher({"p2": r"^release$"})
    assert matcher("p2", "release") and not matcher("p2", "Release") and not matcher("p2", "prod")
    assert matcher("p1", "prod")  # other projects keep the default
    with pytest.raises(ConfigurationError, match="p3"):
        ProductionMatcher({"p3": "("})


def test_attempts_need_an_outcome_and_a_finish_time():
    history = analyse([
        dep(1, 5),
        dep(2, None, kind=CLASSIC, modified=7),       # completedOn missing: lastModifiedOn
        dep(3, None),                                 # never finished: left out
        dep(4, 6, status="canceled"),                 # not an attempt
        dep(5, None, kind=BUILD, env=None, status="failed", modified=8),  # modified_at is classic's only
    ], [], ancestry_from_pairs([]))
    assert [(d.attempt.id, d.finished_at) for d in history.deployments] == [(1, h(5)), (2, h(7))]


def test_a_deployment_pipeline_build_deploys_to_production_unless_configured():
    history = analyse([dep(1, 0, kind=BUILD, env=None), dep(2, 1, kind=BUILD, env="staging"),
                       dep(3, 2, kind=ENV, env=None)], [], ancestry_from_pairs([]))
    assert [(d.environment, d.production) for d in history.deployments] == [
        ("production", True), ("staging", False), ("", False)]


def _marks(history):
    return {d.attempt.id: ("rollback" if d.rollback else "") + ("rolled_back" if d.rolled_back else "")
            for d in history.deployments}


@pytest.mark.parametrize(("attempts", "ancestors", "expected"), [
    pytest.param([dep(1, 0, sha="c1"), dep(2, 10, sha="c2"), dep(3, 20, sha="c1")], [("r1", "c1", "c2")],
                 {1: "", 2: "rolled_back", 3: "rollback"}, id="back to an ancestor"),
    pytest.param([dep(1, 0, sha="c1"), dep(2, 10, sha="c1")], [("r1", "c1", "c1")],
                 {1: "", 2: ""}, id="redeploying the same commit is no rollback (strict ancestor)"),
    pytest.param([dep(1, 0, sha="c2"), dep(2, 10, sha="c1")], [],
                 {1: "", 2: ""}, id="an unrelated commit is no rollback"),
    pytest.param([dep(1, 0, sha="c2", env="staging"), dep(2, 10, sha="c1", env="staging")],
                 [("r1", "c1", "c2")], {1: "", 2: ""}, id="only production deployments roll back"),
    pytest.param([dep(1, 0, sha="c2", env="prod-a"), dep(2, 10, sha="c1", env="prod-b")],
                 [("r1", "c1", "c2")], {1: "", 2: ""}, id="the previous one is per environment"),
    pytest.param([dep(1, 0, sha="c2", repo="r2"), dep(2, 10, sha="c1")],
                 [("r1", "c1", "c2"), ("r2", "c1", "c2")], {1: "", 2: ""}, id="and per repository"),
    pytest.param([dep(1, 0, sha="c2"), dep(2, 5, sha="c1", status="failed"), dep(3, 10, sha="c1")],
                 [("r1", "c1", "c2")], {1: "rolled_back", 2: "", 3: "rollback"},
                 id="failed attempts are not previous deployments"),
    pytest.param([dep(1, 0, sha="c1"), dep(2, 10, sha="c2"), dep(3, 20, sha="c3"), dep(4, 30, sha="c1")],
                 [("r1", "c1", "c3"), ("r1", "c1", "c2"), ("r1", "c2", "c3")],
                 {1: "", 2: "", 3: "rolled_back", 4: "rollback"},
                 id="only the immediately previous deployment is rolled back"),
    pytest.param([dep(1, 0, sha="c1"), dep(2, 10, sha="c2"), dep(3, 20, sha="c3"), dep(4, 30, sha="c2"),
                  dep(5, 40, sha="c1")], [("r1", "c2", "c3"), ("r1", "c1", "c2")],
                 {1: "", 2: "", 3: "rolled_back", 4: "rollbackrolled_back", 5: "rollback"},
                 id="a rollback can itself be rolled back"),
    pytest.param([dep(5, 10, sha="old"), dep(3, 10, sha="new")], [("r1", "old", "new")],
                 {3: "rolled_back", 5: "rollback"}, id="same finish time: ordered by id"),
])
def test_rollbacks(attempts, ancestors, expected):
    assert _marks(analyse(attempts, [], ancestry_from_pairs(ancestors))) == expected


def test_a_multi_repository_rollback_is_found_per_repository():
    attempts = [dep(1, 0, commits={"r1": "a2", "r2": "b1"}), dep(2, 10, commits={"r1": "a2", "r2": "b2"}),
                dep(3, 20, commits={"r1": "a3", "r2": "b1"})]
    history = analyse(attempts, [], ancestry_from_pairs([("r2", "b1", "b2")]))
    assert _marks(history) == {1: "", 2: "rolled_back", 3: "rollback"}


def test_first_deployment_is_the_earliest_successful_production_one_over_all_environments():
    attempts = [dep(1, 1, env="staging"), dep(2, 5, env="prod-eu"), dep(3, 3, env="prod-us"),
                dep(4, 2, env="prod-us", status="failed"), dep(5, 4, env="prod-eu", sha="c0"),
                dep(6, 6, env="prod-eu", sha="c2")]
    shipped = [ship(1, "m1"), ship(2, "m1", "m2"), ship(3, "m1"), ship(4, "m1", "m3"), ship(6, "m3")]
    history = analyse(attempts, shipped, ancestry_from_pairs([("r1", "c0", "c2")]))
    assert history.first_deployment("m1").attempt.id == 3   # not staging (1), not the failed attempt (4)
    assert history.first_deployment("m2").attempt.id == 2
    assert history.first_deployment("m3").attempt.id == 6   # a failed attempt ships nothing that counts
    assert history.first_deployment("nope") is None and history.first_deployment(None) is None


def test_first_deployment_counts_even_when_later_rolled_back():
    attempts = [dep(1, 0, sha="c1"), dep(2, 10, sha="c2"), dep(3, 20, sha="c1")]
    history = analyse(attempts, [ship(2, "m1"), ship(3, "m1")], ancestry_from_pairs([("r1", "c1", "c2")]))
    first = history.first_deployment("m1")
    assert first.attempt.id == 2 and first.rolled_back


def test_commits_of_a_deployment_are_the_union_over_its_repositories():
    history = analyse([dep(1, 0, commits={"r1": "a", "r2": "b"})],
                      [ship(1, "a", "a0", repo="r1"), ship(1, "b", repo="r2"), ship(9, "x")],
                      ancestry_from_pairs([]))
    assert history.deployments[0].shipped == {"a", "a0", "b"}


def test_ancestry_from_the_collectors_comparisons():
    def comparison(deployed, base, ancestor):
        return DeploymentComparison(org_id="o", project_id="p1", deployment_kind=ENV, deployment_id=1,
                                    repo_id="r1", deployed_sha=deployed, base_sha=base,
                                    is_ancestor_of_base=ancestor)
    is_ancestor = ancestry_from_comparisons([comparison("c1", "c2", True), comparison("c3", "c2", False),
                                             comparison("c4", None, None), comparison("c5", "c5", True)])
    assert is_ancestor("r1", "c1", "c2")
    assert not is_ancestor("r2", "c1", "c2") and not is_ancestor("r1", "c2", "c1")
    assert not is_ancestor("r1", "c3", "c2") and not is_ancestor("r1", "c5", "c5")
