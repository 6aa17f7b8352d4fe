"""METRICS.md §2: the four DORA metrics over a half-open window, and their 2023 and 2021 levels."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from metrics_factories import dep, pr, report, ship, window

from adometrics.domain import Window
from adometrics.errors import ConfigurationError
from adometrics.metrics.dora import change_failure_rate, iso_weeks, lead_time_for_changes, time_to_restore

SECOND = 1 / 3600


def on_days(*days: float, env: str = "prod") -> list:
    """One successful production deployment at noon of each given day after T0 (distinct commits)."""
    return [dep(i, 24 * day + 12, env=env) for i, day in enumerate(days, start=1)]


# -- deployment frequency -------------------------------------------------------------------------------


def test_deployment_frequency_half_open_window():
    attempts = [dep(1, 0), dep(2, 672 - SECOND), dep(3, -SECOND), dep(4, 672)]  # 672 h = 28 days
    df = report(attempts)["deployment_frequency"]
    # weeks [1, 0, 0, 1] → median 0.5; per week 2 ÷ (28 ÷ 7)
    assert df == {"deployments": 2, "deploy_days": 2, "per_week": 0.5, "median_deploy_days_per_week": 0.5,
                  "level": "medium"}
    assert report(attempts, benchmark="2021")["deployment_frequency"]["level"] == "high"  # 2 ÷ (28 ÷ 30) ≥ 1


def test_deploy_days_are_distinct_utc_dates():
    plus2 = timezone(timedelta(hours=2))
    late = replace(dep(5, 0), finished_at=datetime(2026, 1, 6, 1, 0, tzinfo=plus2))  # Jan 5, 23:00 UTC
    attempts = [dep(1, 1), dep(2, 2), dep(3, 23.99), dep(4, 24), late,
                dep(6, 30, status="failed"), dep(7, 30, env="staging")]
    df = report(attempts)["deployment_frequency"]
    assert (df["deployments"], df["deploy_days"]) == (5, 2)


@pytest.mark.parametrize(("start", "end", "mondays"), [
    (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 2, 2, tzinfo=UTC), 4),      # Monday to Monday
    (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 12, tzinfo=UTC), 1),     # exactly one week
    (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 11, 23, 59, tzinfo=UTC), 0),
    (datetime(2026, 1, 5, 0, 0, 1, tzinfo=UTC), datetime(2026, 1, 19, tzinfo=UTC), 1),  # first week cut
    (datetime(2026, 1, 7, tzinfo=UTC), datetime(2026, 1, 21, tzinfo=UTC), 1),     # Wed to Wed: Jan 12-18
    (datetime(2026, 1, 6, tzinfo=UTC), datetime(2026, 1, 13, tzinfo=UTC), 0),     # 7 days, no ISO week
])
def test_iso_weeks_wholly_inside(start, end, mondays):
    weeks = iso_weeks(Window(start=start, end=end))
    assert len(weeks) == mondays
    assert all(w.weekday() == 0 and start <= w and w + timedelta(days=7) <= end for w in weeks)


def test_median_deploy_days_counts_only_whole_iso_weeks():
    # Window Wed Jan 7 .. Wed Jan 21: one whole ISO week (Mon Jan 12 .. Sun Jan 18).
    attempts = [dep(1, 24 * 3), dep(2, 24 * 7 + 1), dep(3, 24 * 8 + 1), dep(4, 24 * 8 + 2)]
    df = report(attempts, window=window(48, 48 + 14 * 24))["deployment_frequency"]
    assert df == {"deployments": 4, "deploy_days": 3, "per_week": 2.0, "median_deploy_days_per_week": 2.0,
                  "level": "high"}


def test_no_whole_iso_week_means_null_median_and_level():
    df = report(on_days(1, 2), window=window(24, 24 + 7 * 24))["deployment_frequency"]
    assert df == {"deployments": 2, "deploy_days": 2, "per_week": 2.0, "median_deploy_days_per_week": None,
                  "level": None}


def test_nothing_deployed_is_zero_and_low_not_null():
    assert report()["deployment_frequency"] == {
        "deployments": 0, "deploy_days": 0, "per_week": 0.0, "median_deploy_days_per_week": 0.0,
        "level": "low"}


WEEKDAYS = [d + 7 * w for w in range(4) for d in range(5)]  # Monday..Friday of four weeks


@pytest.mark.parametrize(("days", "window_days", "level_2023", "level_2021"), [
    pytest.param(WEEKDAYS, 28, "elite", "elite", id="median 5: elite"),
    pytest.param(WEEKDAYS[:-2], 28, "elite", "elite", id="weeks 5,5,5,3: median 5"),
    pytest.param([0, 1, 2, 3, 7, 8, 9, 10, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25], 28, "high", "high",
                 id="weeks 4,4,5,5: median 4.5"),
    pytest.param([0, 7, 15, 22], 28, "high", "high", id="one day each week: median 1"),
    pytest.param([0, 7], 56, "medium", "high", id="2 days in 56 days: median 0, 2 ÷ (56 ÷ 30) ≥ 1"),
    pytest.param([0, 7], 60, "medium", "high", id="2 days in 60 days: exactly 1"),
    pytest.param([0], 60, "low", "medium", id="1 day in 60 days: 0.5 ≥ 1 fails; 1 ÷ (60 ÷ 180) = 3"),
    pytest.param([0], 180, "low", "medium", id="1 day in 180 days: exactly 1 for 2021 medium"),
    pytest.param([0], 181, "low", "low", id="1 day in 181 days: below 1"),
    pytest.param([0, 14, 28, 42, 56, 70], 180, "medium", "high", id="6 days in 180 days: exactly 1 (÷30)"),
    pytest.param([0, 14, 28, 42, 56], 180, "low", "medium", id="5 days in 180 days"),
])
def test_deployment_frequency_levels(days, window_days, level_2023, level_2021):
    win = window(0, 24 * window_days)
    for benchmark, expected in (("2023", level_2023), ("2021", level_2021)):
        assert report(on_days(*days), window=win, benchmark=benchmark)["deployment_frequency"]["level"] == \
            expected, benchmark


# -- lead time for changes ------------------------------------------------------------------------------


def test_lead_time_over_prs_first_deployed_in_the_window():
    attempts = [dep(1, 10), dep(2, 20), dep(3, -5), dep(4, 30), dep(5, 672), dep(6, 40, env="staging"),
                dep(7, 700), dep(8, 50)]
    shipped = [ship(1, "m1"), ship(2, "m2"), ship(3, "m3"), ship(4, "m3"), ship(5, "m4"), ship(6, "m7"),
               ship(7, "m7"), ship(8, "m6")]
    prs = [
        pr(1, -50, -10, earliest=-100),        # merged before the window, first deployed inside: 110 h
        pr(2, 0, 5),                           # no commits: from creation, 20 h
        pr(3, -20, -8, earliest=-30),          # first deployed before the window
        pr(4, 600, 650),                       # first deployed at the window's end (exclusive)
        pr(5, 1, 2),                           # never deployed
        pr(6, 1, None, status="active", merge="m6"),  # not merged
        pr(7, 3, 4),                           # staging inside, production only after the window
    ]
    lt = report(attempts, shipped, prs)["lead_time_for_changes"]
    assert lt == {"changes": 2, "median_hours": 65.0, "p90_hours": pytest.approx(101.0), "level": "high"}


def test_lead_time_with_no_changes_is_null_with_a_null_level():
    assert report([dep(1, 5)])["lead_time_for_changes"] == {
        "changes": 0, "median_hours": None, "p90_hours": None, "level": None}


@pytest.mark.parametrize(("median_hours", "level_2023", "level_2021"), [
    (0.5, "elite", "elite"), (1.0, "elite", "high"), (23.99, "elite", "high"), (24.0, "high", "high"),
    (167.99, "high", "high"), (168.0, "medium", "medium"), (719.99, "medium", "medium"),
    (720.0, "low", "medium"), (4319.99, "low", "medium"), (4320.0, "low", "low"),
])
def test_lead_time_levels(median_hours, level_2023, level_2021):
    assert lead_time_for_changes([median_hours], "2023")["level"] == level_2023
    assert lead_time_for_changes([median_hours], "2021")["level"] == level_2021


# -- change failure rate --------------------------------------------------------------------------------


def test_change_failure_rate_counts_failed_and_rolled_back_attempts():
    attempts = [
        dep(1, 1, sha="a"), dep(2, 2, sha="b", status="failed"),
        dep(3, 3, sha="c1"), dep(4, 4, sha="c2"), dep(5, 5, sha="c1"),   # 5 rolls 4 back; 5 is a deployment
        dep(6, 6, env="staging", status="failed"), dep(7, -1, status="failed"), dep(8, 672, status="failed"),
        dep(9, 7, status="canceled"),
    ]
    cfr = report(attempts, ancestors=[("r1", "c1", "c2")])["change_failure_rate"]
    assert cfr == {"attempts": 5, "failures": 2, "rate": 0.4, "level": "low"}
    assert report(attempts, ancestors=[("r1", "c1", "c2")])["deployment_frequency"]["deployments"] == 4


def test_rolled_back_later_is_rolled_back_now():
    attempts = [dep(1, 600, sha="c2"), dep(2, 700, sha="c1")]  # the rollback comes after the window
    assert report(attempts, ancestors=[("r1", "c1", "c2")])["change_failure_rate"] == {
        "attempts": 1, "failures": 1, "rate": 1.0, "level": "low"}
    attempts = [dep(1, -10, sha="c2"), dep(2, 5, sha="c1")]    # rolled back before, rollback inside
    assert report(attempts, ancestors=[("r1", "c1", "c2")])["change_failure_rate"] == {
        "attempts": 1, "failures": 0, "rate": 0.0, "level": "elite"}


def test_no_attempts_means_null_rate():
    assert report()["change_failure_rate"] == {"attempts": 0, "failures": 0, "rate": None, "level": None}


@pytest.mark.parametrize(("failures", "attempts", "level_2023", "level_2021"), [
    (0, 3, "elite", "elite"), (1, 20, "elite", "elite"), (1, 19, "high", "elite"), (2, 20, "high", "elite"),
    (3, 20, "medium", "elite"), (31, 200, "low", "high"), (4, 20, "low", "high"), (41, 200, "low", "medium"),
    (6, 20, "low", "medium"), (61, 200, "low", "low"), (20, 20, "low", "low"),
])
def test_change_failure_rate_levels(failures, attempts, level_2023, level_2021):
    for benchmark, expected in (("2023", level_2023), ("2021", level_2021)):
        result = change_failure_rate(attempts, failures, benchmark)
        assert (result["rate"], result["level"]) == (failures / attempts, expected)


# -- time to restore ------------------------------------------------------------------------------------


def test_time_to_restore():
    attempts = [
        dep(1, 10, status="failed"), dep(2, 12, sha="s2"),                        # restored after 2 h
        dep(3, 90, sha="c1"), dep(4, 100, sha="c2", status="failed"),
        dep(5, 105, sha="c2"), dep(6, 106, sha="c1"),   # 6 rolls 5 back: 4 waits for 6 (6 h), 5 too (1 h)
        dep(7, 600, status="failed"), dep(8, 700, sha="s8"),                      # restored after the end
        dep(9, 650, env="prod-b", status="failed"), dep(10, 660, env="staging"),   # unrestored
        dep(11, 200, repo="r2", status="failed"), dep(12, 201, sha="s12"),         # other repo: unrestored
        dep(13, -10, status="failed"), dep(14, -5, sha="s14"),                    # before the window
    ]
    ttr = report(attempts, ancestors=[("r1", "c1", "c2")])["time_to_restore"]
    assert ttr == {"failures_restored": 4, "unrestored": 2, "median_hours": 4.0, "level": "high"}  # 1,2,6,100


def test_a_failure_without_a_repository_cannot_be_restored():
    ttr = report([dep(1, 10, repo=None, status="failed"), dep(2, 11)])["time_to_restore"]
    assert ttr == {"failures_restored": 0, "unrestored": 1, "median_hours": None, "level": None}


def test_time_to_restore_with_no_failures_is_null():
    assert report([dep(1, 10)])["time_to_restore"] == {
        "failures_restored": 0, "unrestored": 0, "median_hours": None, "level": None}


@pytest.mark.parametrize(("restore_hours", "level"), [
    (0.5, "elite"), (1.0, "high"), (23.99, "high"), (24.0, "medium"), (167.99, "medium"), (168.0, "low"),
])
def test_time_to_restore_levels_are_the_same_for_both_benchmarks(restore_hours, level):
    assert time_to_restore([restore_hours], 0)["level"] == level
    attempts = [dep(1, 0, status="failed"), dep(2, restore_hours)]
    for benchmark in ("2023", "2021"):
        assert report(attempts, benchmark=benchmark)["time_to_restore"]["level"] == level


def test_unknown_benchmark_is_refused():
    with pytest.raises(ConfigurationError, match="2023, 2021"):
        report(benchmark="2019")
