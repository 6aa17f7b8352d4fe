"""METRICS.md §3: review activity and the pull-request flow phases."""

from __future__ import annotations

import pytest
from metrics_factories import dep, h, pr, report, ship

from adometrics.domain import ReviewEvent, ReviewEventKind
from adometrics.metrics import first_review_times

VOTE, COMMENT = ReviewEventKind.VOTE, ReviewEventKind.COMMENT
ALICE = "1111AAAA-bbbb-cccc-dddd-eeeeeeeeeeee"


def event(pr_id: int, actor: str, at: float, kind=COMMENT, vote: int | None = None, user: bool = True,
          project: str = "p1") -> ReviewEvent:
    return ReviewEvent(org_id="o", project_id=project, pr_id=pr_id, thread_id=1, actor_id=actor, at=h(at),
                       kind=kind, vote=vote, actor_is_user=user)


def test_review_activity_rules():
    events = [
        event(1, "1111aaaabbbbccccddddeeeeeeeeeeee", 1, VOTE, 10),  # the author, without hyphens, other case
        event(1, ALICE.upper(), 2),                                  # the author's own comment
        event(1, "bob", 3, VOTE, 0),                                 # a vote reset to 0
        event(1, "[team]\\reviewers", 4, user=False),                # a group's comment
        event(1, "bob", 4.5, VOTE, None),                            # a vote without a result
        event(1, "carol", 6),                                        # a human comment: counts
        event(1, "dave", 5, VOTE, -5),                               # waiting for author: counts, earliest
        event(2, "bob", 1),                                          # PR 2: bob's comment counts,
        event(2, ALICE, 0.5, VOTE, 10),                              # not the author's earlier vote
        event(3, "bob", 7, VOTE, 10),                                # unknown author: any reviewer counts
        event(4, "bob", 8),                                          # a PR we know nothing about
        event(1, "bob", 0.1, project="p2"),                          # same PR id in another project
    ]
    creators = {("p1", 1): ALICE, ("p1", 2): ALICE, ("p1", 3): None, ("p2", 1): "erin"}
    assert first_review_times(events, creators) == {("p1", 1): h(5), ("p1", 2): h(1), ("p1", 3): h(7),
                                                    ("p2", 1): h(0.1)}


def test_a_pr_with_only_the_authors_activity_has_no_review():
    events = [event(1, ALICE, 1, VOTE, 10), event(1, ALICE, 2)]
    assert first_review_times(events, {("p1", 1): ALICE}) == {}


def test_flow_phases_and_counts():
    attempts = [dep(1, 15), dep(2, 52)]
    shipped = [ship(1, "mA", "a-source"), ship(2, "mC")]
    prs = [
        pr(1, 0, 10, merge="mA", earliest=-10, review=4),   # coding 10, pickup 4, review 6, deploy 5,
                                                            # cycle 25
        pr(2, 20, 30),                                      # no commits, no review, not deployed: cycle 10
        pr(3, 40, 50, merge="mC", earliest=45, review=41),  # commit after creation: coding 0, cycle 7
        pr(4, -5, 0),                                       # closed at the window's start: merged, cycle 5
        pr(5, 100, None, status="active"),                  # a draft or not: opened
        pr(6, -100, 200, status="abandoned"),
        pr(7, 10, 700, status="abandoned"),                 # abandoned after the window
        pr(8, 600, 672),                                    # closed at the window's end: not merged in it
        pr(9, -50, -1),
        pr(10, 672, None, status="active"),                 # created at the end: not opened in it
    ]
    assert report(attempts, shipped, prs)["pull_requests"] == {
        "merged": 4, "opened": 6, "abandoned": 1,
        "coding_median_hours": 5.0, "pickup_median_hours": 2.5, "review_median_hours": 7.5,
        "deploy_median_hours": 3.5, "cycle_median_hours": 8.5,
    }


def test_deploy_phase_uses_a_first_deployment_after_the_window():
    flow = report([dep(1, 800)], [ship(1, "m1")], [pr(1, 90, 100, earliest=80)])["pull_requests"]
    assert (flow["deploy_median_hours"], flow["cycle_median_hours"]) == (700.0, 720.0)


@pytest.mark.parametrize(("kwargs", "phase", "expected"), [
    ({"earliest": 2.5}, "coding", 0.0),      # negative coding time becomes 0
    ({"earliest": -0.5}, "coding", 0.5),
    ({}, "coding", None),                    # no commits: null
    ({}, "pickup", None),                    # no review: null, and so is review
    ({}, "review", None),
    ({"review": 1}, "pickup", 1.0),
    ({"review": 1}, "review", 3.0),
    ({}, "deploy", None),
    ({}, "cycle", 4.0),                      # closed − created without commits or deployment
    ({"earliest": 2.5}, "cycle", 1.5),       # closed − earliest commit, even when it is after creation
])
def test_single_pr_phases(kwargs, phase, expected):
    flow = report(prs=[pr(1, 0, 4, **kwargs)])["pull_requests"]
    assert flow[f"{phase}_median_hours"] == expected
    assert flow["merged"] == 1


def test_nothing_merged_gives_zero_counts_and_null_medians():
    flow = report(prs=[pr(1, -10, None, status="active")])["pull_requests"]
    assert flow == {"merged": 0, "opened": 0, "abandoned": 0, "coding_median_hours": None,
                    "pickup_median_hours": None, "review_median_hours": None, "deploy_median_hours": None,
                    "cycle_median_hours": None}
