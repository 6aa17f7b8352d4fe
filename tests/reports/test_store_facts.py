"""The set-based queries on cases the simulator does not produce: releases deploying two repositories,
review rules written in SQL, deployment pipelines, and per-project settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from reference import reference_report

from adometrics import domain as d
from adometrics.errors import ConfigurationError
from adometrics.metrics import first_review_times
from adometrics.reports import compute
from adometrics.reports.settings import describe_patterns, set_pattern, set_pipeline
from adometrics.store import upsert
from adometrics.store.facts import co_deployed_repositories
from adometrics.store.pr_facts import pull_request_facts

T0 = datetime(2026, 1, 5, tzinfo=UTC)
WINDOW = d.Window(start=T0, end=T0 + timedelta(days=28))
ORG = "o1"
KIND = d.DeploymentKind


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def organization(*records) -> list:
    return [d.Organization(id=ORG, name="Contoso", url="https://dev.azure.com/contoso"),
            d.Project(org_id=ORG, id="p1", name="Shop"), d.Project(org_id=ORG, id="p2", name="Other"),
            d.Repository(org_id=ORG, project_id="p1", id="ra", name="alpha"),
            d.Repository(org_id=ORG, project_id="p1", id="rb", name="beta"),
            d.Repository(org_id=ORG, project_id="p2", id="rc", name="gamma"), *records]


def release(release_id: int, *artifacts: tuple[str, str], project: str = "p1") -> d.Release:
    return d.Release(org_id=ORG, project_id=project, id=release_id, definition_id=1, artifacts=tuple(
        d.ReleaseArtifact(alias=f"_{repo}", type="Build", build_id=release_id, repo_id=repo,
                          source_version=sha,
                          branch="refs/heads/main") for repo, sha in artifacts))


def classic(dep_id: int, release_id: int, at: float, status: str = "succeeded",
            project: str = "p1") -> d.ClassicDeployment:
    return d.ClassicDeployment(org_id=ORG, project_id=project, id=dep_id, release_id=release_id,
                               environment_name="Production", status=status, completed_at=h(at))


def comparison(dep_id: int, repo: str, sha: str, base: str | None, ancestor: bool | None,
               project: str = "p1") -> d.DeploymentComparison:
    return d.DeploymentComparison(org_id=ORG, project_id=project, deployment_kind=KIND.CLASSIC,
                                  deployment_id=dep_id, repo_id=repo, deployed_sha=sha, base_sha=base,
                                  is_ancestor_of_base=ancestor)


def two_repository_releases() -> list:
    """Release 1 deploys alpha and beta; release 2 rolls beta back, which rolls back deployment 1 — a
    failure at alpha's scope too. Project p2 deploys gamma only."""
    return organization(
        release(1, ("ra", "a1"), ("rb", "b1")), release(2, ("rb", "b0")), release(3, ("ra", "a2")),
        release(4, ("rc", "c1"), project="p2"),
        classic(1, 1, 10), classic(2, 2, 20), classic(3, 3, 30), classic(4, 4, 15, "failed", project="p2"),
        comparison(1, "ra", "a1", None, None), comparison(1, "rb", "b1", None, None),
        comparison(2, "rb", "b0", "b1", True), comparison(3, "ra", "a2", "a1", False))


def test_repositories_deployed_together_are_one_stream_set(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, two_repository_releases())
        assert co_deployed_repositories(conn, ORG, {"ra"}) == {"ra", "rb"}
        assert co_deployed_repositories(conn, ORG, {"rc"}) == {"rc"}


@pytest.mark.parametrize("scope", [{}, {"repository": "alpha"}, {"repository": "beta"}, {"project": "Shop"},
                                   {"project": "Other"}, {"project": "Shop", "repository": "alpha"}])
def test_a_rollback_in_one_repository_fails_the_release_in_every_scope(db, keyring, scope):
    with db.begin() as conn:
        upsert(conn, keyring, two_repository_releases())
        args = {"organization": "contoso", "window": WINDOW, **scope}
        report = compute(conn, **args)
        assert report == reference_report(conn, keyring, **args)
    if scope.get("repository") == "alpha":
        cfr = report["change_failure_rate"]
        assert (cfr["attempts"], cfr["failures"]) == (2, 1)  # deployment 1, rolled back through beta
        assert report["time_to_restore"]["failures_restored"] == 1  # by deployment 3, in alpha


def test_the_review_rule_in_sql_is_metrics_rule(db, keyring):
    author = "AAAAAAAA-0000-4000-8000-000000000001"
    events = [  # (actor, at, kind, vote, is user)
        (author.lower().replace("-", ""), 1, d.ReviewEventKind.VOTE, 10, True),  # the author, other spelling
        ("bbbbbbbb-0000-4000-8000-000000000002", 2, d.ReviewEventKind.VOTE, 0, True),  # a reset
        ("cccccccc-0000-4000-8000-000000000003", 3, d.ReviewEventKind.COMMENT, None, False),  # a group
        ("bbbbbbbb-0000-4000-8000-000000000002", 5, d.ReviewEventKind.COMMENT, None, True),
        ("dddddddd-0000-4000-8000-000000000004", 4, d.ReviewEventKind.VOTE, -5, True),
    ]
    prs = [d.PullRequest(org_id=ORG, project_id="p1", repo_id="ra", id=n, creator_id=creator, created_at=h(0),
                         status="active", title="t", source_branch="s", target_branch="t")
           for n, creator in ((1, author), (2, None), (3, "bbbbbbbb-0000-4000-8000-000000000002"))]
    stored = [d.ReviewEvent(org_id=ORG, project_id="p1", pr_id=pr.id, thread_id=n, actor_id=actor, at=h(at),
                            kind=kind, vote=vote, actor_is_user=user)
              for pr in prs for n, (actor, at, kind, vote, user) in enumerate(events, 1)]
    with db.begin() as conn:
        upsert(conn, keyring, [*organization(), *prs, *stored])
        got = {(f.project_id, f.id): f.first_review_at for f in pull_request_facts(conn, ORG)}
    expected = first_review_times(stored, {(pr.project_id, pr.id): pr.creator_id for pr in prs})
    assert got == {key: expected.get(key) for key in got}
    assert got[("p1", 1)] == h(4) and got[("p1", 2)] == h(1) and got[("p1", 3)] == h(1)


def pipeline_builds() -> list:
    builds = [d.Build(org_id=ORG, project_id="p1", id=n, definition_id=7, repo_id="ra",
                      source_version=f"s{n}", status="completed", result=result, finished_at=h(n * 10))
              for n, result in ((1, "succeeded"), (2, "failed"), (3, "succeeded"), (4, "canceled"))]
    deploy = d.BuildDefinition(org_id=ORG, project_id="p1", id=7, name="alpha-deploy", repo_id="ra")
    return organization(deploy,
                        d.BuildDefinition(org_id=ORG, project_id="p1", id=8, name="alpha-ci", repo_id="ra"),
                        *builds)


def test_deployment_pipelines_count_once_opted_in(db, keyring):
    args = {"organization": "contoso", "window": WINDOW}
    with db.begin() as conn:
        upsert(conn, keyring, pipeline_builds())
        assert compute(conn, **args)["change_failure_rate"]["attempts"] == 0
        assert "each completed build is a deployment to production" in set_pipeline(
            conn, "contoso", "Shop", "ALPHA-DEPLOY", enabled=True)
        report = compute(conn, **args)
        assert report["change_failure_rate"] == {"attempts": 3, "failures": 1, "rate": 1 / 3, "level": "low"}
        assert report == reference_report(conn, keyring, **args)
        set_pipeline(conn, "contoso", "Shop", "7", enabled=True, environment="staging")  # not production
        assert compute(conn, **args)["change_failure_rate"]["attempts"] == 0
        with pytest.raises(ConfigurationError, match="no pipeline called 'nope'"):
            set_pipeline(conn, "contoso", "Shop", "nope", enabled=True)


def test_production_patterns_are_checked_stored_and_reset(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, organization())
        assert describe_patterns(conn, "contoso") == [
            r"Other: ^(prod|production|prd|live)\b (default)",
            r"Shop: ^(prod|production|prd|live)\b (default)"]
        set_pattern(conn, "contoso", "shop", "(?i)^(prod|staging)")
        assert describe_patterns(conn, "contoso", "Shop") == ["Shop: (?i)^(prod|staging)"]
        with pytest.raises(ConfigurationError, match="not a regular expression"):
            set_pattern(conn, "contoso", "Shop", "(unclosed")
        with pytest.raises(ConfigurationError, match="empty"):
            set_pattern(conn, "contoso", "Shop", "  ")
        set_pattern(conn, "contoso", "Shop", None)
        assert describe_patterns(conn, "contoso", "Shop")[0].endswith("(default)")


@pytest.mark.parametrize(("args", "message"), [
    ({"organization": "nope"}, "no organization 'nope' is connected"),
    ({"organization": "contoso", "project": "nope"}, "no project 'nope' in Contoso"),
    ({"organization": "contoso", "project": "Other", "repository": "alpha"},
     "no repository 'alpha' in project"),
    ({"organization": "contoso", "team": "Ghosts"}, "no team 'Ghosts'"),
])
def test_unknown_names_are_refused_with_a_hint(db, keyring, args, message):
    with db.begin() as conn:
        upsert(conn, keyring, organization())
        with pytest.raises(ConfigurationError, match=message):
            compute(conn, window=WINDOW, **args)


def test_a_team_name_used_in_two_projects_needs_the_project(db, keyring):
    teams = [d.Team(org_id=ORG, project_id=p, id=f"t{p}", name="Core") for p in ("p1", "p2")]
    with db.begin() as conn:
        upsert(conn, keyring, organization(*teams))
        with pytest.raises(ConfigurationError, match=r"2 teams are called 'core' in Contoso; give --project"):
            compute(conn, organization="contoso", team="core", window=WINDOW)
        assert compute(conn, organization="contoso", team="core", project="Other",
                       window=WINDOW)["scope"]["team"] == "core"


def test_statistics_refresh_runs_in_a_transaction_and_changes_no_number(db, keyring):
    from adometrics.store.maintenance import refresh_statistics

    args = {"organization": "contoso", "window": WINDOW, "repository": "alpha"}
    with db.begin() as conn:
        upsert(conn, keyring, two_repository_releases())
        before = compute(conn, **args)
        refresh_statistics(conn)
        assert compute(conn, **args) == before
