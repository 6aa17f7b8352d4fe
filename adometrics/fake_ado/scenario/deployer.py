"""The deployment state machine of one repository (see SCENARIOS.md for its rates).

Production and staging runs of a repository are serialized (an environment lock), so successful production
deployments follow main-line order except for the deliberate rollbacks.
"""

from __future__ import annotations

from .names import HOUR, MINUTE, SECOND
from .plan import RepoPlan
from .plan_deploy import BuildPlan, DeploymentPlan, RecordPlan, ReleasePlan, StagePlan
from .timing import lognormal_ms, minutes, working


class Deployer:
    """The production state machine shared by classic and YAML deployment styles."""

    def __init__(self, plan: RepoPlan, rng):
        self.plan, self.rng = plan, rng
        self.prod_free = 0  # production is locked until then
        self.staging_free = 0  # so is staging: deployments of one environment never overlap
        self.last_prod = -(10**15)  # last successful production deployment
        self.restore = False  # a failure waits for a fix: deploy the next good build at once
        self.successes: list[BuildPlan] = []  # builds successfully deployed to production, in order

    def wants_prod(self, at: int) -> bool:
        if self.restore:
            return True
        gap = {"continuous": 0, "daily": 20 * HOUR, "weekly": 6 * 24 * HOUR}[self.plan.prof.cadence]
        if gap == 0:
            return self.rng.random() < 0.85
        return at - self.last_prod >= gap

    def prod_window(self, ready: int) -> tuple[int, int, int]:
        """(queued, started, finished) of a production run that became ready at ``ready``."""
        queued = max(ready + 5 * SECOND, self.prod_free)
        wait = (
            lognormal_ms(self.rng, 20 * MINUTE, 0.8)
            if self.restore
            else lognormal_ms(self.rng, 90 * MINUTE, 1.0)
        )
        started = max(queued + SECOND, working(queued + wait, self.rng))
        return queued, started, started + lognormal_ms(self.rng, 6 * MINUTE, 0.3)

    def prod_outcome(self) -> str:
        r = self.rng.random()
        return (
            "failed"
            if r < 0.07
            else "phaseFailed"
            if r < 0.10
            else "canceled"
            if r < 0.12
            else "rejected"
            if r < 0.14
            else "partial"
            if r < 0.17
            else "succeeded"
        )

    def succeeded(self, build: BuildPlan, finished: int) -> None:
        self.last_prod, self.restore = finished, False
        self.successes.append(build)

    def rollback_target(self, build: BuildPlan) -> BuildPlan | None:
        """Now and then a fresh production deployment is rolled back to the previous one."""
        prev = self.successes[-2] if len(self.successes) >= 2 else None
        if prev is None or prev.source_sha == build.source_sha or self.rng.random() >= 0.04:
            return None
        return prev

    # -- classic releases -------------------------------------------------------------------------
    def classic(self, ci: list[BuildPlan]) -> list[BuildPlan]:
        plan, rng = self.plan, self.rng
        for build in ci:  # main order, so production sees commits in order
            if build.result not in ("succeeded", "partiallySucceeded"):
                continue
            rel = ReleasePlan(
                build, build.finished + int((30 + rng.random() * 60) * SECOND), build.requested_for
            )
            plan.releases.append(rel)
            queued = rel.created + 5 * SECOND
            started = max(queued, self.staging_free) + int((10 + rng.random() * 50) * SECOND)
            done = self.staging_free = started + lognormal_ms(rng, 4 * MINUTE, 0.3)
            ok = rng.random() >= 0.05
            self._deploy(
                rel,
                1,
                1,
                "automated",
                queued,
                started,
                done,
                "succeeded" if ok else "failed",
                "Approved" if ok else "PhaseFailed",
                plan.org.build_service,
            )
            if ok and self.wants_prod(done):
                self._classic_prod(rel, done)
        return []

    def _deploy(self, rel, rank, attempt, reason, queued, started, done, status, op, by) -> DeploymentPlan:
        dep = DeploymentPlan(rel, rank, attempt, reason, queued, started, done, status, op, by)
        rel.deployments.append(dep)
        self.plan.deployments.append(dep)
        return dep

    def _classic_prod(
        self, rel: ReleasePlan, ready: int, attempt: int = 1, reason: str = "automated"
    ) -> None:
        rng = self.rng
        approver = rng.choice(self.plan.prof.contributors)
        queued, started, done = self.prod_window(ready)
        outcome = self.prod_outcome() if attempt == 1 else ("failed" if rng.random() < 0.15 else "succeeded")
        status, op = {
            "failed": ("failed", "PhaseFailed"),
            "phaseFailed": ("notDeployed", "PhaseFailed"),
            "canceled": ("notDeployed", "Canceled"),
            "rejected": ("notDeployed", "Rejected"),
            "partial": ("partiallySucceeded", "Approved"),
            "succeeded": ("succeeded", "Approved"),
        }[outcome]
        if outcome == "rejected":
            started = done = started - SECOND
        self._deploy(rel, 2, attempt, reason, queued, started, done, status, op, approver)
        self.prod_free = done
        if outcome in ("succeeded", "partial"):
            self.succeeded(rel.build, done)
            target = self.rollback_target(rel.build)
            if target is not None:
                self._classic_rollback(target, done)
        elif outcome in ("failed", "phaseFailed"):
            self.restore = True
            if attempt == 1 and rng.random() < 0.5:
                self._classic_prod(rel, done + minutes(rng, 60, 360), 2, "redeployTrigger")

    def _classic_rollback(self, target: BuildPlan, after: int) -> None:
        rel = next(r for r in reversed(self.plan.releases) if r.build is target)
        attempt = 1 + sum(1 for d in rel.deployments if d.rank == 2)
        queued = max(after + minutes(self.rng, 60, 360), self.prod_free)
        started = queued + int((20 + self.rng.random() * 60) * SECOND)
        done = started + lognormal_ms(self.rng, 6 * MINUTE, 0.3)
        self._deploy(
            rel,
            2,
            attempt,
            "manual",
            queued,
            started,
            done,
            "succeeded",
            "Approved",
            rng_choice(self.rng, self.plan.prof.contributors),
        )
        self.prod_free = done
        self.succeeded(target, done)
        self.restore = True  # the team fixes forward quickly after a rollback

    # -- YAML stages ------------------------------------------------------------------------------
    def yaml(self, ci: list[BuildPlan]) -> list[BuildPlan]:
        extra: list[BuildPlan] = []
        for build in ci:  # main order, so production sees commits in order
            extra += self._run_stages(build)
        return extra

    def _run_stages(self, build: BuildPlan) -> list[BuildPlan]:
        rng = self.rng
        build.stages = [
            StagePlan("Build", 0, 1, build.started, build.started, build.finished, _stage(build.result))
        ]
        if build.result not in ("succeeded", "partiallySucceeded"):
            return []
        q = build.finished + int((2 + rng.random() * 8) * SECOND)
        s = max(q, self.staging_free) + lognormal_ms(rng, 20 * SECOND, 0.8)
        self.staging_free = s + lognormal_ms(rng, 4 * MINUTE, 0.3)
        ok = rng.random() >= 0.05
        staging = self._stage(build, 1, 1, q, s, self.staging_free, "succeeded" if ok else "failed")
        extra: list[BuildPlan] = []
        if staging.result == "succeeded" and self.wants_prod(staging.finished):
            extra = self._yaml_prod(build, staging.finished, 1)
        elif staging.result == "succeeded":
            build.stages.append(
                StagePlan(
                    "Deploy_production", 2, 1, staging.finished, staging.finished, staging.finished, "skipped"
                )
            )
        final = [
            st
            for st in build.stages
            if not any(o.rank == st.rank and o.attempt > st.attempt for o in build.stages)
        ]
        build.finished = max(st.finished for st in build.stages)
        results = {st.result for st in final}
        build.result = (
            "failed"
            if "failed" in results
            else "canceled"
            if "canceled" in results
            else "partiallySucceeded"
            if build.result == "partiallySucceeded" or "succeededWithIssues" in results
            else "succeeded"
        )
        return extra

    def _stage(self, build, rank, attempt, queued, started, finished, result) -> StagePlan:
        name = ("Build", "Deploy_staging", "Deploy_production")[rank]
        stage = StagePlan(name, rank, attempt, queued, started, finished, result)
        if result != "skipped":
            stage.record = RecordPlan(build, rank, attempt, queued, started, finished, result)
            self.plan.records.append(stage.record)
        build.stages.append(stage)
        return stage

    def _yaml_prod(self, build: BuildPlan, ready: int, attempt: int) -> list[BuildPlan]:
        rng = self.rng
        queued, started, done = self.prod_window(ready)
        outcome = self.prod_outcome() if attempt == 1 else ("failed" if rng.random() < 0.15 else "succeeded")
        result = {
            "failed": "failed",
            "phaseFailed": "failed",
            "canceled": "canceled",
            "rejected": "canceled",
            "partial": "succeededWithIssues",
            "succeeded": "succeeded",
        }[outcome]
        self._stage(build, 2, attempt, queued, started, done, result)
        self.prod_free = done
        if result in ("succeeded", "succeededWithIssues"):
            self.succeeded(build, done)
            target = self.rollback_target(build)
            return [self._yaml_rollback(target, done)] if target is not None else []
        if result == "failed":
            self.restore = True
            if attempt == 1 and rng.random() < 0.5:
                return self._yaml_prod(build, done + minutes(rng, 60, 360), 2)
        return []

    def _yaml_rollback(self, target: BuildPlan, after: int) -> BuildPlan:
        """A manual run of the previous production commit, straight to production."""
        rng = self.rng
        who = rng_choice(rng, self.plan.prof.contributors)
        queued = after + minutes(rng, 60, 360)
        started = queued + lognormal_ms(rng, 30 * SECOND, 0.8)
        built = started + lognormal_ms(rng, 8 * MINUTE, 0.3)
        build = BuildPlan(
            "manual", queued, started, built, "succeeded", "manual", target.source_sha, who, who
        )
        build.stages = [StagePlan("Build", 0, 1, started, started, built, "succeeded")]
        pq = max(built + 5 * SECOND, self.prod_free)
        ps = pq + lognormal_ms(rng, 40 * SECOND, 0.8)
        self._stage(build, 2, 1, pq, ps, ps + lognormal_ms(rng, 6 * MINUTE, 0.3), "succeeded")
        build.finished = build.stages[-1].finished
        self.prod_free = build.finished
        self.succeeded(build, build.finished)
        self.restore = True
        return build


def _stage(result: str) -> str:
    return {"partiallySucceeded": "succeededWithIssues"}.get(result, result)


def rng_choice(rng, items):
    return items[int(rng.random() * len(items))]
