"""The four DORA metrics over a window and their levels (METRICS.md §2).

Each function takes what is already in scope and in the window (``report`` selects it), so the rules of
counting stay here and the rules of selection stay there. Levels compare exactly (integers and fractions),
so a value on a threshold lands on the side the table says, whatever float rounding would do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from ..domain import Window
from ..errors import ConfigurationError
from .stats import median, p90

BENCHMARKS = ("2023", "2021")
DAY = timedelta(days=1)
WEEK = timedelta(days=7)

# Upper bounds in hours, exclusive, for elite/high/medium; at or above the last: low.
_LEAD_TIME_HOURS = {"2023": (24, 168, 720), "2021": (1, 168, 4320)}
_RESTORE_HOURS = (1, 24, 168)
# Inclusive upper bounds of the change failure rate for elite/high/medium; above the last: low.
_CFR = {"2023": (Fraction(5, 100), Fraction(10, 100), Fraction(15, 100)),
        "2021": (Fraction(15, 100), Fraction(20, 100), Fraction(30, 100))}
_LEVELS = ("elite", "high", "medium", "low")


def check_benchmark(benchmark: str) -> str:
    if benchmark not in BENCHMARKS:
        raise ConfigurationError(f"benchmark must be one of {', '.join(BENCHMARKS)}, not {benchmark!r}")
    return benchmark


def iso_weeks(window: Window) -> list[datetime]:
    """Mondays 00:00 UTC starting the ISO weeks that lie wholly inside the window."""
    start = window.start.astimezone(UTC)
    monday = datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(days=start.weekday())
    if monday < start:
        monday += WEEK
    weeks = []
    while monday + WEEK <= window.end:
        weeks.append(monday)
        monday += WEEK
    return weeks


def deployment_frequency(finishes: Sequence[datetime], window: Window, benchmark: str) -> dict:
    """``finishes``: the finish times of the successful production deployments in scope and window."""
    days = {moment.astimezone(UTC).date() for moment in finishes}
    days_by_monday = Counter(day - timedelta(days=day.weekday()) for day in days)
    per_week_days = [days_by_monday[monday.date()] for monday in iso_weeks(window)]
    median_days = median(per_week_days)
    return {
        "deployments": len(finishes),
        "deploy_days": len(days),
        "per_week": len(finishes) / (window.days / 7),
        "median_deploy_days_per_week": median_days,
        "level": _frequency_level(median_days, len(days), window, benchmark),
    }


def _frequency_level(median_days: float | None, deploy_days: int, window: Window,
                     benchmark: str) -> str | None:
    """``deploy_days ÷ (window days ÷ N) ≥ 1`` is ``deploy_days × N days ≥ window length``, exactly."""
    if median_days is None:
        return None
    length = window.end - window.start
    if median_days >= 5:
        return "elite"
    if benchmark == "2023":
        if median_days >= 1:
            return "high"
        return "medium" if deploy_days * 30 * DAY >= length else "low"
    if deploy_days * 30 * DAY >= length:
        return "high"
    return "medium" if deploy_days * 180 * DAY >= length else "low"


def lead_time_for_changes(lead_hours: Sequence[float], benchmark: str) -> dict:
    """``lead_hours``: per change (merged PR first deployed in the window), deploy finish − first commit."""
    middle = median(lead_hours)
    return {
        "changes": len(lead_hours),
        "median_hours": middle,
        "p90_hours": p90(lead_hours),
        "level": _below(middle, _LEAD_TIME_HOURS[benchmark]),
    }


def change_failure_rate(attempts: int, failures: int, benchmark: str) -> dict:
    """Over the production attempts in scope finished in the window, ``failures`` of them failed or were
    rolled back later (a rolled-back deployment is both an attempt and a failure)."""
    rate = Fraction(failures, attempts) if attempts else None
    level = None
    if rate is not None:
        level = next((name for name, top in zip(_LEVELS, _CFR[benchmark], strict=False) if rate <= top),
                     "low")
    return {"attempts": attempts, "failures": failures, "rate": None if rate is None else float(rate),
            "level": level}


def time_to_restore(restore_hours: Sequence[float], unrestored: int) -> dict:
    """Over the production failures in scope finished in the window: the hours to restore of those restored
    (a restore after the window counts), and how many are not restored."""
    middle = median(restore_hours)
    return {"failures_restored": len(restore_hours), "unrestored": unrestored, "median_hours": middle,
            "level": _below(middle, _RESTORE_HOURS)}


def _below(value: float | None, bounds: Sequence[float]) -> str | None:
    """The first level whose exclusive upper bound is above ``value``; ``low`` at or above the last."""
    if value is None:
        return None
    return next((name for name, top in zip(_LEVELS, bounds, strict=False) if value < top), "low")
