"""Scenario sizes: the knobs that distinguish tiny (tests), small (demo) and large (benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Size:
    name: str
    projects: int
    active_repos: int  # repositories with activity (each gets a CI definition)
    disabled_repos: int
    empty_repos: int
    users: int
    prs_per_year: int  # org-wide PR creations over the history year (the horizon adds more at the same rate)
    prehistory: tuple[int, int]  # commits on main before the history window, per repo (min, max)
    teams_per_project: int
    yaml_share: float  # share of deploying repos that use YAML environments (the rest: classic releases)
    deploying_share: float  # share of active repos that deploy at all
    recent_prs: int = 0  # extra PRs per active repository opened just before now and closing after it


SIZES = {
    "tiny": Size(
        "tiny",
        projects=2,
        active_repos=2,
        disabled_repos=1,
        empty_repos=1,
        users=8,
        prs_per_year=44,
        prehistory=(6, 12),
        teams_per_project=2,
        yaml_share=0.5,
        deploying_share=1.0,
        recent_prs=2,
    ),
    "small": Size(
        "small",
        projects=3,
        active_repos=8,
        disabled_repos=1,
        empty_repos=1,
        users=25,
        prs_per_year=1000,
        prehistory=(40, 160),
        teams_per_project=2,
        yaml_share=0.4,
        deploying_share=0.75,
        recent_prs=1,
    ),
    "large": Size(
        "large",
        projects=12,
        active_repos=236,
        disabled_repos=2,
        empty_repos=2,
        users=420,
        prs_per_year=104_000,
        prehistory=(1600, 3800),
        teams_per_project=4,
        yaml_share=0.45,
        deploying_share=0.5,
    ),
}
