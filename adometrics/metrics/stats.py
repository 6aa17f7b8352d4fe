"""The two summary statistics of METRICS.md, and the hour conversion every duration goes through."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import timedelta

HOUR = timedelta(hours=1)


def hours(delta: timedelta) -> float:
    """A duration in float hours, unrounded (METRICS.md: hours are floats, not rounded inside)."""
    return delta / HOUR


def median(values: Sequence[float]) -> float | None:
    """The ordinary median (mean of the two middle values for an even count); None over no values."""
    if not values:
        return None
    return float(statistics.median(values))


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by linear interpolation between closest ranks (numpy's default), the value itself
    for one item, None over none. ``quantiles`` needs two points, hence the single-item case."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=10, method="inclusive")[8])
