"""Median and p90 exactly as METRICS.md defines them, with hand-computed values."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adometrics.metrics.stats import hours, median, p90


@pytest.mark.parametrize(("values", "expected"), [
    ([], None),                 # over no items: null
    ([3], 3.0),
    ([1, 3], 2.0),              # even count: mean of the two middle values
    ([5, 1, 3], 3.0),
    ([4, 1, 3, 2], 2.5),
    ([0.5, 0.25], 0.375),
])
def test_median(values, expected):
    assert median(values) == expected


@pytest.mark.parametrize(("values", "expected"), [
    ([], None),
    ([7], 7.0),                          # one item: the value itself
    ([1, 2], 1.9),                       # rank 0.9 between 1 and 2
    ([10, 0, 20], 18.0),                 # sorted 0, 10, 20; rank 1.8 → 10 + 0.8 × 10
    (list(range(1, 11)), 9.1),           # rank 8.1 → 9 + 0.1 × (10 − 9)
    ([5, 5, 5, 5], 5.0),
    ([0, 100, 100, 100, 100, 100, 100, 100, 100, 1000], 190.0),  # rank 8.1 → 100 + 0.1 × 900
])
def test_p90_interpolates_between_closest_ranks(values, expected):
    result = p90(values)
    assert result == (None if expected is None else pytest.approx(expected, abs=1e-9))


def test_hours_are_unrounded_floats():
    assert hours(timedelta(minutes=1)) == 1 / 60
    assert hours(timedelta(hours=-2, minutes=30)) == -1.5
