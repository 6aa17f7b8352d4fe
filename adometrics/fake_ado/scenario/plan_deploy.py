"""Per-repository build and deployment plans (part of ``RepoPlan``; see SCENARIOS.md for the rates).

Builds: a PR validation build per PR push and a CI build per commit on main. Deploying repositories then push
successful CI builds through staging and production (``deployer.py``), either as classic releases or as YAML
stages that write environment deployment records.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from .names import DAY, MINUTE, SECOND, to_dt
from .plan import PRPlan, RepoPlan
from .timing import lognormal_ms


@dataclass(slots=True)
class StagePlan:
    name: str  # Build | Deploy_staging | Deploy_production
    rank: int  # 0 build, 1 staging, 2 production
    attempt: int
    queued: int
    started: int
    finished: int
    result: str  # succeeded | succeededWithIssues | failed | canceled | skipped
    record: RecordPlan | None = None


@dataclass(slots=True)
class BuildPlan:
    kind: str  # pr | ci | manual
    queued: int
    started: int
    finished: int
    result: str  # succeeded | partiallySucceeded | failed | canceled
    reason: str  # pullRequest | individualCI | manual
    source_sha: str  # "" for PR builds: see ``build_sha`` (computed on demand, there are many)
    requested_for: int
    requested_by: int
    pr: PRPlan | None = None
    step: int = 0  # PR push number of a PR build
    local: int = 0
    stages: list[StagePlan] | None = None


@dataclass(slots=True)
class DeploymentPlan:
    release: ReleasePlan
    rank: int  # 1 Staging, 2 Production
    attempt: int
    reason: str  # automated | manual | redeployTrigger
    queued: int
    started: int
    completed: int
    status: str  # succeeded | partiallySucceeded | failed | notDeployed
    operation: str  # Approved | PhaseFailed | Canceled | Rejected
    requested_by: int
    local: int = 0


@dataclass(slots=True)
class ReleasePlan:
    build: BuildPlan
    created: int
    created_by: int
    local: int = 0
    deployments: list[DeploymentPlan] = field(default_factory=list)


@dataclass(slots=True)
class RecordPlan:
    build: BuildPlan
    rank: int  # 1 staging, 2 production
    stage_attempt: int
    queued: int
    started: int
    finished: int
    result: str
    local: int = 0


def _ci_result(rng, fail: float) -> str:
    r = rng.random()
    return (
        "failed"
        if r < fail
        else "partiallySucceeded"
        if r < fail + 0.03
        else "canceled"
        if r < fail + 0.04
        else "succeeded"
    )


def plan_builds(plan: RepoPlan, rng) -> None:
    org, prof = plan.org, plan.prof
    builds: list[BuildPlan] = []
    for pr in plan.prs if prof.pr_builds else ():
        for step, at in enumerate(pr.pushes):
            queued = (pr.created if step == 0 else at) + int((5 + rng.random() * 35) * SECOND)
            started = queued + lognormal_ms(rng, 30 * SECOND, 1.2)
            finished = started + lognormal_ms(rng, 7 * MINUTE, 0.35)
            result = _ci_result(rng, 0.10)
            if result == "canceled" and step + 1 < len(pr.pushes):
                finished = max(started + SECOND, min(finished, pr.pushes[step + 1]))
            b = BuildPlan(
                "pr",
                queued,
                started,
                finished,
                result,
                "pullRequest",
                "",
                pr.author,
                org.build_service,
                pr,
                step,
            )
            pr.builds.append(b)
            builds.append(b)
    ci = []
    for event in plan.main[1:]:
        queued = event.at + int((10 + rng.random() * 30) * SECOND)
        started = queued + lognormal_ms(rng, 40 * SECOND, 1.0)
        finished = started + lognormal_ms(rng, 9 * MINUTE, 0.3)
        pusher = plan.prs[event.ref].closer if event.kind == "merge" else plan.directs[event.ref].author
        ci.append(
            BuildPlan(
                "ci",
                queued,
                started,
                finished,
                _ci_result(rng, 0.07),
                "individualCI",
                event.sha,
                pusher,
                org.build_service,
            )
        )
    builds += ci
    from .deployer import Deployer  # deployer builds on this module's records

    if prof.deploy == "classic":
        builds += Deployer(plan, rng).classic(ci)
    elif prof.deploy == "yaml":
        builds += Deployer(plan, rng).yaml(ci)
    _order(plan, builds)


def build_sha(plan: RepoPlan, b: BuildPlan) -> str:
    """sourceVersion: the commit built (a PR build builds the would-be merge commit)."""
    if b.pr is not None:
        return b.pr.preview_sha(plan.key, plan.prof.repo.id, b.step)
    return b.source_sha


def build_number(plan: RepoPlan, b: BuildPlan) -> str:
    """``yyyymmdd.n``: n counts the definition's builds queued that UTC day (one definition per repo)."""
    day_start = b.queued - b.queued % DAY
    n = b.local - bisect_left(plan.build_queued, day_start) + 1
    return f"{to_dt(b.queued):%Y%m%d}.{n}"


def _order(plan: RepoPlan, builds: list[BuildPlan]) -> None:
    """Local indexes ascend with time (build queue, release creation, deployment queue)."""
    builds.sort(key=lambda b: b.queued)  # stable: ties keep their deterministic generation order
    for local, b in enumerate(builds):
        b.local = local
    plan.builds = builds
    plan.build_queued = [b.queued for b in builds]
    for i, rel in enumerate(sorted(plan.releases, key=lambda r: (r.created, r.build.local))):
        rel.local = i
    plan.releases.sort(key=lambda r: r.local)
    plan.deployments.sort(key=lambda d: (d.queued, d.release.local, d.rank, d.attempt))
    for i, dep in enumerate(plan.deployments):
        dep.local = i
    plan.records.sort(key=lambda r: (r.queued, r.build.local, r.rank, r.stage_attempt))
    for i, rec in enumerate(plan.records):
        rec.local = i
