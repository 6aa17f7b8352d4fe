"""Time helpers for plans: working hours and the few distributions the scenarios use (see SCENARIOS.md)."""

from __future__ import annotations

import math
import random
from statistics import NormalDist

from .names import DAY, HOUR, MINUTE


def weekday(ms: int) -> int:
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (ms // DAY + 3) % 7


def working(ms: int, rng: random.Random, strict: float = 0.85) -> int:
    """Move an instant into working hours (Mon-Fri 07-19 UTC) with probability ``strict``.

    People mostly act in office hours; the rest of the time the instant stays where it fell (night and weekend
    activity exists, just rarely).
    """
    if rng.random() >= strict:
        return ms
    day_start = ms - ms % DAY
    hour = (ms - day_start) / HOUR
    wd = weekday(ms)
    if wd < 5 and 7 <= hour < 19:
        return ms
    target = day_start if wd < 5 and hour < 7 else day_start + DAY
    while weekday(target) >= 5:
        target += DAY
    return target + 7 * HOUR + int(rng.random() * 3 * HOUR)


_QUANTILES = 4096
_Z = [NormalDist().inv_cdf((i + 0.5) / _QUANTILES) for i in range(_QUANTILES)]
_FACTORS: dict[float, list[float]] = {}


def lognormal_ms(rng: random.Random, median_ms: float, sigma: float) -> int:
    """Log-normal duration with the given median: heavy right tail, like review and queue times.

    Sampled by inverse CDF from a 4,096-quantile table (one ``random()`` per draw: the large scenario draws
    millions of these).
    """
    factors = _FACTORS.get(sigma)
    if factors is None:
        factors = _FACTORS[sigma] = [math.exp(sigma * z) for z in _Z]
    return int(median_ms * factors[int(rng.random() * _QUANTILES)])


def minutes(rng: random.Random, low: float, high: float) -> int:
    return int((low + rng.random() * (high - low)) * MINUTE)


def geometric(rng: random.Random, p_more: float, cap: int) -> int:
    """0, 1, 2, ... with P(n+1 | n) = p_more, capped."""
    n = 0
    while n < cap and rng.random() < p_more:
        n += 1
    return n
