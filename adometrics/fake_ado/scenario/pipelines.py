"""Builds, timelines, releases, deployments and environment records materialized from a repository plan."""

from __future__ import annotations

from .ids import IdMap
from .model import (
    Build,
    Deployment,
    EnvironmentDeploymentRecord,
    Release,
    ReleaseArtifact,
    ReleaseEnvironment,
    TimelineRecord,
)
from .names import guid_for, to_dt
from .plan import RepoPlan
from .plan_deploy import (
    BuildPlan,
    DeploymentPlan,
    RecordPlan,
    ReleasePlan,
    StagePlan,
    build_number,
    build_sha,
)

STAGE_RESULT = {
    "succeeded": "succeeded",
    "partiallySucceeded": "succeededWithIssues",
    "failed": "failed",
    "canceled": "canceled",
}


def build(plan: RepoPlan, b: BuildPlan, ids: IdMap) -> Build:
    prof, idents = plan.prof, plan.org.identities
    repo = prof.repo
    pr_id = ids.pr(prof.index, b.pr.local) if b.pr is not None else None
    branch = f"refs/pull/{pr_id}/merge" if pr_id is not None else "refs/heads/main"
    tags = ["rollback"] if b.kind == "manual" else []
    return Build(
        ids.build(prof.index, b.local),
        build_number(plan, b),
        prof.ci_definition_id,
        repo.project_id,
        repo.id,
        branch,
        build_sha(plan, b),
        b.reason,
        to_dt(b.queued),
        to_dt(b.started),
        to_dt(b.finished),
        b.result,
        idents[b.requested_for].id,
        idents[b.requested_by].id,
        pr_id,
        tags,
    )


def timeline(plan: RepoPlan, b: BuildPlan, build_id: int) -> list[TimelineRecord]:
    """Stage > Phase > Job records; YAML deployment builds get one stage per environment."""
    key = plan.key
    stages = b.stages or [_default_stage(b)]
    latest: dict[int, object] = {}
    for st in stages:
        if st.rank not in latest or st.attempt > latest[st.rank].attempt:
            latest[st.rank] = st
    out: list[TimelineRecord] = []
    for order, st in enumerate(sorted(latest.values(), key=lambda s: s.rank), start=1):
        job = "Deploy" if st.rank else "Build"
        stage_id = guid_for(key, "tl", build_id, st.name)
        phase_id = guid_for(key, "tl", build_id, st.name, "phase")
        start, end = to_dt(st.started), to_dt(st.finished)
        out.append(
            TimelineRecord(
                stage_id, None, "Stage", st.name, st.name, start, end, st.result, order, st.attempt
            )
        )
        out.append(
            TimelineRecord(
                phase_id, stage_id, "Phase", job, f"{st.name}.{job}", start, end, st.result, 1, st.attempt
            )
        )
        out.append(
            TimelineRecord(
                guid_for(key, "tl", build_id, st.name, "job"),
                phase_id,
                "Job",
                job,
                f"{st.name}.{job}.__default",
                start,
                end,
                st.result,
                1,
                st.attempt,
            )
        )
    return out


def _default_stage(b: BuildPlan) -> StagePlan:
    return StagePlan("__default", 0, 1, b.started, b.started, b.finished, STAGE_RESULT[b.result])


def release(plan: RepoPlan, rel: ReleasePlan, ids: IdMap) -> Release:
    prof, org = plan.prof, plan.org
    definition = org.release_definitions[prof.release_definition_id - 1]
    release_id = ids.release(prof.index, rel.local)
    b = rel.build
    build_def = org.build_definitions[prof.ci_definition_id - 1]
    artifact = ReleaseArtifact(
        f"_{build_def.name}",
        True,
        build_def.id,
        ids.build(prof.index, b.local),
        build_number(plan, b),
        prof.repo.id,
        build_sha(plan, b),
        "refs/heads/main",
    )
    envs = [
        ReleaseEnvironment(2 * release_id - 2 + e.rank, e.id, e.name, e.rank) for e in definition.environments
    ]
    return Release(
        release_id,
        f"Release-{rel.local + 1}",
        definition.id,
        prof.repo.project_id,
        to_dt(rel.created),
        org.identities[rel.created_by].id,
        "continuousIntegration",
        [artifact],
        envs,
    )


def deployment(plan: RepoPlan, dep: DeploymentPlan, ids: IdMap) -> Deployment:
    prof, org = plan.prof, plan.org
    definition = org.release_definitions[prof.release_definition_id - 1]
    release_id = ids.release(prof.index, dep.release.local)
    env = definition.environments[dep.rank - 1]
    return Deployment(
        ids.deployment(prof.index, dep.local),
        release_id,
        2 * release_id - 2 + dep.rank,
        env.id,
        env.name,
        definition.id,
        prof.repo.project_id,
        dep.attempt,
        dep.reason,
        to_dt(dep.queued),
        to_dt(dep.started),
        to_dt(dep.completed),
        dep.status,
        dep.operation,
        org.identities[dep.requested_by].id,
    )


def record(plan: RepoPlan, rec: RecordPlan, ids: IdMap) -> EnvironmentDeploymentRecord:
    prof = plan.prof
    build_id = ids.build(prof.index, rec.build.local)
    stage = ("", "Deploy_staging", "Deploy_production")[rec.rank]
    env_id = prof.environment_ids[rec.rank - 1]
    return EnvironmentDeploymentRecord(
        ids.record(prof.index, rec.local),
        env_id,
        prof.repo.project_id,
        prof.ci_definition_id,
        f"{prof.repo.name}-ci",
        build_id,
        build_number(plan, rec.build),
        guid_for(plan.key, "plan", build_id),
        stage,
        rec.stage_attempt,
        "Deploy",
        1,
        to_dt(rec.queued),
        to_dt(rec.started),
        to_dt(rec.finished),
        rec.result,
    )
