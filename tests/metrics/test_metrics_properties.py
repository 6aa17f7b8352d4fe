"""Properties over random histories: what must hold whatever the data (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from metrics_factories import ORG, WINDOW, dep, pr, report, ship

from adometrics.domain import Scope
from adometrics.metrics import analyse, ancestry_from_pairs
from adometrics.metrics.flow import PHASES, phases
from adometrics.metrics.report import lead_hours
from adometrics.metrics.stats import median, p90

SHAS = [f"c{i}" for i in range(5)]
MERGES = [f"m{i}" for i in range(6)]
END = 672.0  # hours: the default window is [0, 672)

hours_anywhere = st.floats(min_value=-300, max_value=1000, allow_nan=False).map(lambda x: round(x, 3))
outside = st.one_of(st.floats(min_value=-300, max_value=-0.001), st.floats(min_value=END, max_value=1000))


@st.composite
def attempts(draw, first_id: int = 1):
    found, shipped = [], []
    for offset in range(draw(st.integers(0, 14))):
        status = draw(st.sampled_from(["succeeded", "failed", "canceled", "partiallySucceeded"]))
        attempt = dep(first_id + offset, draw(hours_anywhere), env=draw(st.sampled_from(["prod", "staging",
                      "prod-b"])), repo=draw(st.sampled_from(["r1", "r2"])), sha=draw(st.sampled_from(SHAS)),
                      status=status)
        found.append(attempt)
        if status != "failed":
            repo = next(iter(attempt.commits_by_repo))
            shipped.append(ship(attempt.id, *draw(st.sets(st.sampled_from(MERGES), max_size=3)), repo=repo))
    return found, shipped


@st.composite
def pull_requests(draw):
    found = []
    for i in range(draw(st.integers(0, 10))):
        created = draw(hours_anywhere)
        status = draw(st.sampled_from(["completed", "abandoned", "active"]))
        closed = None if status == "active" else created + draw(st.floats(0, 300))
        found.append(pr(i, created, closed, status=status, merge=draw(st.sampled_from(MERGES)),
                        creator=draw(st.sampled_from(["alice", "bob"])),
                        earliest=draw(st.none() | st.floats(-300, 1000)),
                        review=draw(st.none() | st.floats(-300, 1000))))
    return found


ancestries = st.sets(st.tuples(st.sampled_from(["r1", "r2"]), st.sampled_from(SHAS), st.sampled_from(SHAS)))
scopes = st.sampled_from([ORG, Scope(organization="o", repo_id="r2"),
                          Scope(organization="o", team_member_ids=frozenset({"alice"}))])


@settings(max_examples=100, deadline=None)
@given(attempts(), pull_requests(), ancestries, scopes)
def test_change_failure_rate_is_a_rate(history, prs, ancestors, scope):
    cfr = report(*history, prs, ancestors=ancestors, scope=scope)["change_failure_rate"]
    assert 0 <= cfr["failures"] <= cfr["attempts"]
    assert (cfr["rate"] is None) == (cfr["attempts"] == 0)
    assert cfr["rate"] is None or 0.0 <= cfr["rate"] <= 1.0


@settings(max_examples=100, deadline=None)
@given(attempts(), pull_requests(), ancestries, outside, st.sampled_from(["r1", "r2"]), scopes)
def test_a_failed_attempt_outside_the_window_changes_nothing(history, prs, ancestors, at, repo, scope):
    before = report(*history, prs, ancestors=ancestors, scope=scope)
    extra = dep(999, at, repo=repo, status="failed")
    assert report(history[0] + [extra], history[1], prs, ancestors=ancestors, scope=scope) == before


@settings(max_examples=100, deadline=None)
@given(attempts(), pull_requests(), ancestries, outside, scopes)
def test_an_unrelated_deployment_outside_the_window_changes_nothing(history, prs, ancestors, at, scope):
    before = report(*history, prs, ancestors=ancestors, scope=scope)
    extra = dep(999, at, repo="r9", env="prod-9")   # its own repository and environment, shipping no PR
    assert report(history[0] + [extra], history[1], prs, ancestors=ancestors, scope=scope) == before


@settings(max_examples=100, deadline=None)
@given(attempts(), pull_requests(), ancestries, outside, st.sampled_from(["r1", "r2"]),
       st.sets(st.sampled_from(MERGES), max_size=3), scopes)
def test_any_deployment_outside_the_window_leaves_the_windows_counts(history, prs, ancestors, at, repo, shas,
                                                                    scope):
    """It may roll back, restore or first-deploy something inside (facts are as of all data), but the
    window's own deployments, attempts and PR counts stay."""
    before = report(*history, prs, ancestors=ancestors, scope=scope)
    after = report(history[0] + [dep(999, at, repo=repo)], history[1] + [ship(999, *shas, repo=repo)], prs,
                   ancestors=ancestors, scope=scope)
    assert after["deployment_frequency"] == before["deployment_frequency"]
    assert after["change_failure_rate"]["attempts"] == before["change_failure_rate"]["attempts"]
    for count in ("merged", "opened", "abandoned"):
        assert after["pull_requests"][count] == before["pull_requests"][count]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=40))
def test_median_and_p90_lie_within_the_values(values):
    low, high = min(values), max(values)
    assert low <= median(values) <= high
    assert low - 1e-6 <= p90(values) <= high + 1e-6
    assert median(values) <= p90(values) + 1e-6


@settings(max_examples=100, deadline=None)
@given(attempts(), pull_requests(), ancestries)
def test_lead_time_summary_lies_within_the_changes(history, prs, ancestors):
    analysed = analyse(history[0], history[1], ancestry_from_pairs(ancestors))
    values = lead_hours(prs, analysed, WINDOW)
    lt = report(*history, prs, ancestors=ancestors)["lead_time_for_changes"]
    assert lt["changes"] == len(values)
    if values:
        assert min(values) <= lt["median_hours"] <= max(values)
        assert min(values) - 1e-9 <= lt["p90_hours"] <= max(values) + 1e-9


gaps = st.floats(min_value=0, max_value=500, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(st.booleans(), gaps, st.booleans(), gaps, gaps, st.booleans(), gaps)
def test_cycle_time_is_at_least_each_of_its_phases(has_commits, coding, reviewed, pickup, review, deployed,
                                                   deploy):
    """On chronologically consistent PRs: first commit ≤ creation ≤ first review ≤ close ≤ deployment."""
    created = 100.0
    closed = created + pickup + review
    item = pr(1, created, closed, earliest=created - coding if has_commits else None,
              review=created + pickup if reviewed else None)
    attempts = [dep(1, closed + deploy)] if deployed else []
    history = analyse(attempts, [ship(1, "m1")] if deployed else [], ancestry_from_pairs([]))
    values = phases(item, history)
    assert set(values) == set(PHASES)
    for phase in PHASES:
        if values[phase] is not None:
            assert values[phase] <= values["cycle"] + 1e-9, phase
    if None not in values.values():  # then the phases tile the cycle exactly
        parts = values["coding"] + values["pickup"] + values["review"] + values["deploy"]
        assert abs(parts - values["cycle"]) <= 1e-6
