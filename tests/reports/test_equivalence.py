"""Every narrowing the report's queries make (production only, scope streams, merge commits only, PRs of
the window) leaves the numbers exactly those of the pure computation over all stored facts — on the
simulated `small` organization, for many scopes and windows, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reference import Reference, reference_report

from adometrics.domain import Window
from adometrics.reports import compute
from adometrics.store.settings import set_production_pattern

DAY = timedelta(days=1)


def windows(world) -> dict[str, Window]:
    now = world.now
    return {
        "last 90 days": Window(start=now - 90 * DAY, end=now),
        "one week, a month ago": Window(start=now - 37 * DAY, end=now - 30 * DAY),
        "everything": Window(start=world.history_start - 400 * DAY, end=now + DAY),
        "the future": Window(start=now + DAY, end=now + 30 * DAY),
    }


def scopes(world) -> list[dict]:
    """Organization, every project, some repositories (alone and in their project), every team."""
    found: list[dict] = [{}]
    for project in world.projects():
        found.append({"project": project.name})
        for team in world.teams(project.id):
            found.append({"project": project.name, "team": team.name})
    repos = [r for r in world.repositories() if not r.is_disabled and r.default_branch]
    for repo in repos[:4]:
        found.append({"repository": repo.name})
    first = repos[0]
    team = world.teams(first.project_id)[0]
    project = next(p for p in world.projects() if p.id == first.project_id)
    found.append({"project": project.name, "repository": first.name, "team": team.name})
    return found


def test_reports_equal_the_computation_over_all_facts(small_store):
    engine, keyring, world = small_store
    checked = 0
    with engine.connect() as conn:
        reference = Reference(conn, keyring, world.organization)
        for window in windows(world).values():
            for scope in scopes(world):
                for benchmark in ("2023", "2021"):
                    args = {"organization": world.organization, "window": window, "benchmark": benchmark,
                            **scope}
                    assert compute(conn, **args) == reference.report(conn, **args), (scope, window)
                    checked += 1
    assert checked > 40


def test_a_project_pattern_changes_what_counts_and_still_matches(small_store):
    engine, keyring, world = small_store
    project = world.projects()[0]
    window = windows(world)["last 90 days"]
    args = {"organization": world.organization, "window": window}
    with engine.connect() as conn:
        before = compute(conn, **args)
        set_production_pattern(conn, world.organization_id, project.id, "(?i)^(staging|production)$")
        try:
            after = compute(conn, **args)
            assert after == reference_report(conn, keyring, **args)
            assert compute(conn, project=project.name, **args) == reference_report(
                conn, keyring, project=project.name, **args)
        finally:
            conn.rollback()
    assert after["change_failure_rate"]["attempts"] > before["change_failure_rate"]["attempts"]


def test_the_sample_has_what_the_rules_need(small_store):
    """The comparison above means something only if the data has failures, rollbacks and restores."""
    engine, _, world = small_store
    everything = windows(world)["everything"]
    with engine.connect() as conn:
        report = compute(conn, organization=world.organization, window=everything)
    assert report["change_failure_rate"]["failures"] > 10
    assert report["time_to_restore"]["failures_restored"] > 5
    assert report["lead_time_for_changes"]["changes"] > 100
    assert report["pull_requests"]["pickup_median_hours"] is not None


@pytest.mark.parametrize("benchmark", ["2022", ""])
def test_an_unknown_benchmark_is_refused(small_store, benchmark):
    from adometrics.errors import ConfigurationError

    engine, _, world = small_store
    with engine.connect() as conn, pytest.raises(ConfigurationError, match="benchmark"):
        compute(conn, organization=world.organization, window=windows(world)["last 90 days"],
                benchmark=benchmark)
