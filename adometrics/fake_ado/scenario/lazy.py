"""``LazyWorld``: the large scenario, with detail generated on demand.

Only the organization (projects, people, repositories, definitions) and compact ``index.OrgIndex`` columns
live for the whole process. Per-repository plans, PR details and commit graphs are rebuilt from their seeds
when asked for and kept in small LRU caches, so memory stays flat however much a client reads.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta

from . import events as ev
from . import gitgraph, pipelines, views
from .cache import LRU, LazySeq, paused_gc
from .generate import make_org
from .index import NONE, STATUS_CODES, OrgIndex, build_index, pr_activity_end
from .model import (
    ActivityEvent,
    Build,
    BuildDefinition,
    Commit,
    Deployment,
    Environment,
    EnvironmentDeploymentRecord,
    Identity,
    Project,
    PullRequest,
    PullRequestSummary,
    Push,
    Ref,
    Release,
    ReleaseDefinition,
    Repository,
    Team,
    TimelineRecord,
    User,
)
from .names import to_dt, to_ms
from .org import Org
from .plan import RepoPlan, plan_repo
from .records import RecordWorld, resolve
from .review import pull_request, vote_times
from .revwalk import walk
from .sizes import Size

PLAN_CACHE = 48  # a project's repositories fit, so paging one project's PRs does not thrash
PR_CACHE = 512
COMMIT_CACHE = 4


class LazyWorld:
    """A World for organizations too large to hold: indexes always, detail on demand."""

    def __init__(self, size: Size, key: str, organization: str, now: datetime):
        with paused_gc():
            org = make_org(size, key, organization, now)
            self.index: OrgIndex = build_index(org)
        self.org: Org = org
        self.organization, self.organization_id = org.organization, org.organization_id
        self.history_start = to_dt(org.start)
        self._base = RecordWorld(
            org.organization,
            org.organization_id,
            to_dt(org.now),
            self.history_start,
            identities=org.identities,
            user_list=org.users,
            project_list=org.projects,
            team_list=org.teams,
            repository_list=[p.repo for p in org.profiles],
            build_definition_list=org.build_definitions,
            release_definition_list=org.release_definitions,
            environment_list=org.environments,
        )
        self._repo_index = {p.repo.id: p.index for p in org.profiles}
        self._plans = LRU(PLAN_CACHE, lambda r: plan_repo(org, org.profiles[r]))
        self._prs = LRU(PR_CACHE, self._make_pr)
        self._commits = LRU(COMMIT_CACHE, self._make_commits)
        self._generations = LRU(COMMIT_CACHE, lambda r: {})

    # -- time ---------------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self._base.now

    @now.setter
    def now(self, value: datetime) -> None:
        self._base.now = value

    def _now_ms(self) -> int:
        return to_ms(self.now)

    def advance(self, delta: timedelta) -> list[ActivityEvent]:
        old = self._now_ms()
        self.now = self.now + delta
        new = self._now_ms()
        found = self._push_events(old, new) + self._pr_events(old, new) + self._run_events(old, new)
        return ev.sort_events(found)

    def _push_events(self, old: int, new: int) -> list[ActivityEvent]:
        out = []
        for r, times in enumerate(self.index.push_times):
            repo = self.org.profiles[r].repo
            for i in range(bisect_right(times, old), bisect_right(times, new)):
                out.append(ActivityEvent(to_dt(times[i]), ev.PUSH, repo.project_id, repo.id, i + 1))
        return out

    def _pr_events(self, old: int, new: int) -> list[ActivityEvent]:
        """PR events in (old, new]: candidates from the index, votes from a light per-PR generation."""
        col = self.index.prs
        by_repo: dict[int, list[int]] = {}
        for n in range(1, bisect_right(col.times["pr_created"], new) + 1):
            if pr_activity_end(self.index, n) > old:
                by_repo.setdefault(col.repo[n - 1], []).append(n)
        out = []
        for r, numbers in by_repo.items():
            plan = self._plans.get(r) or plan_repo(self.org, self.org.profiles[r], git=False)
            repo = plan.prof.repo
            for n in numbers:
                pr = plan.prs[col.local[n - 1]]
                found = [(pr.created, ev.PR_CREATED, None)]
                found += [(at, ev.PR_UPDATED, "PushNotification") for at in pr.pushes[1:]]
                found += [
                    (to_ms(at), ev.PR_UPDATED, "ReviewerVoteNotification") for at in vote_times(plan, pr)
                ]
                if pr.closed is not None:
                    found.append((pr.closed, ev.PR_UPDATED, "StatusUpdateNotification"))
                out += [
                    ActivityEvent(to_dt(at), kind, repo.project_id, repo.id, n, note)
                    for at, kind, note in found
                    if old < at <= new
                ]
        return out

    def _run_events(self, old: int, new: int) -> list[ActivityEvent]:
        out = []
        idx = self.index
        queued, finished = idx.builds.times["build_queued"], idx.builds.times["build_finished"]
        for n in range(bisect_left(queued, old - idx.longest_run) + 1, bisect_right(queued, new) + 1):
            if old < finished[n - 1] <= new:
                r = idx.builds.repo[n - 1]
                repo = self.org.profiles[r].repo
                out.append(
                    ActivityEvent(to_dt(finished[n - 1]), ev.BUILD_COMPLETE, repo.project_id, repo.id, n)
                )
        queued, done = idx.deployments.times["dep_queued"], idx.deployments.times["dep_completed"]
        for n in range(bisect_left(queued, old - idx.longest_run) + 1, bisect_right(queued, new) + 1):
            if old < done[n - 1] <= new:
                repo = self.org.profiles[idx.deployments.repo[n - 1]].repo
                out.append(
                    ActivityEvent(to_dt(done[n - 1]), ev.DEPLOYMENT_COMPLETED, repo.project_id, repo.id, n)
                )
        return out

    def stats(self) -> dict[str, int]:
        """Counts as of now, from the indexes alone (no detail is generated): for benchmarks and tests."""
        now, idx = self._now_ms(), self.index
        started = idx.records.times["rec_started"]
        commits = 0
        for times, cumulative in zip(idx.push_times, idx.push_commits, strict=True):
            pushed = bisect_right(times, now)
            commits += cumulative[pushed - 1] if pushed else 0
        return {
            "repositories": len(self.repositories()),
            "pull_requests": bisect_right(idx.prs.times["pr_created"], now),
            "builds": bisect_right(idx.builds.times["build_queued"], now),
            "releases": bisect_right(idx.releases.times["release_created"], now),
            "deployments": bisect_right(idx.deployments.times["dep_queued"], now),
            "deployment_records": sum(1 for t in started if t <= now),
            "pushes": sum(bisect_right(times, now) for times in idx.push_times),
            "commits": commits,
        }

    # -- organization (delegated to a RecordWorld holding only organization-level records) ------------
    def projects(self) -> Sequence[Project]:
        return self._base.projects()

    def project(self, id_or_name: str) -> Project | None:
        return self._base.project(id_or_name)

    def teams(self, project_id: str) -> Sequence[Team]:
        return self._base.teams(project_id)

    def identity(self, identity_id: str) -> Identity | None:
        return self._base.identity(identity_id)

    def users(self) -> Sequence[User]:
        return self._base.users()

    def repositories(self, project_id: str | None = None) -> Sequence[Repository]:
        return self._base.repositories(project_id)

    def repository(self, id_or_name: str, project_id: str | None = None) -> Repository | None:
        return self._base.repository(id_or_name, project_id)

    def build_definitions(self, project_id: str) -> Sequence[BuildDefinition]:
        return self._base.build_definitions(project_id)

    def release_definitions(self, project_id: str) -> Sequence[ReleaseDefinition]:
        return self._base.release_definitions(project_id)

    def environments(self, project_id: str) -> Sequence[Environment]:
        return self._base.environments(project_id)

    # -- git ----------------------------------------------------------------------------------------
    def _plan(self, repository_id: str) -> RepoPlan | None:
        r = self._repo_index.get(repository_id)
        if r is None or self.org.profiles[r].repo.created > self.now:
            return None
        return self._plans.get_or_make(r)

    def _make_commits(self, r: int) -> dict[str, Commit]:
        plan = self._plans.get_or_make(r)
        ids = self.index.ids.prs[r]
        titles = [gitgraph.pr_title(plan, pr) for pr in plan.prs]
        with paused_gc():
            return gitgraph.all_commits(plan, list(ids), titles)

    def refs(self, repository_id: str) -> Sequence[tuple[Ref, str]]:
        plan = self._plan(repository_id)
        if plan is None:
            return []
        out = []
        for ref in gitgraph.refs(plan):
            sha = views.ref_object(ref, self.now)
            if sha is not None:
                out.append((ref, sha))
        out.sort(key=lambda pair: pair[0].name)
        return out

    def _commit_map(self, repository_id: str) -> dict[str, Commit]:
        r = self._repo_index.get(repository_id)
        return {} if r is None or self._plan(repository_id) is None else self._commits.get_or_make(r)

    def commit(self, repository_id: str, sha: str) -> Commit | None:
        c = self._commit_map(repository_id).get(sha.lower())
        return c if c is not None and c.pushed_at <= self.now else None

    def commits(self, repository_id: str, include: str, exclude: str | None = None) -> Sequence[Commit]:
        table, now = self._commit_map(repository_id), self.now
        generations = self._generations.get_or_make(self._repo_index[repository_id]) if table else None
        return walk(
            table.get, include.lower(), exclude.lower() if exclude else None, lambda c: c.pushed_at <= now,
            generations,
        )

    def resolve_version(self, repository_id: str, version: str, version_type: str) -> str | None:
        return resolve(
            lambda: self.refs(repository_id), lambda sha: self.commit(repository_id, sha), version,
            version_type,
        )

    def pushes(self, repository_id: str) -> Sequence[Push]:
        plan = self._plan(repository_id)
        if plan is None:
            return []
        visible = bisect_right([p.at for p in plan.pushes], self._now_ms())
        return list(reversed(gitgraph.pushes(plan)[:visible]))

    # -- pull requests ------------------------------------------------------------------------------
    def _visible(self, column: str, times: str, source: Sequence[int]) -> int:
        """How many ids of ``source`` (ascending) exist now: ids ascend with ``times``."""
        last = bisect_right(getattr(self.index, column).times[times], self._now_ms())
        return bisect_right(source, last)

    def pull_request_index(
        self, project_id: str | None = None, repository_id: str | None = None
    ) -> Sequence[PullRequestSummary]:
        if repository_id is not None:
            r = self._repo_index.get(repository_id)
            source = self.index.ids.prs[r] if r is not None else []
            if (
                project_id is not None
                and r is not None
                and self.org.profiles[r].repo.project_id != project_id
            ):
                source = []
        elif project_id is not None:
            source = self.index.by_project.get(project_id, {}).get("prs", [])
        else:
            source = range(1, len(self.index.prs) + 1)
        return LazySeq(source, self._visible("prs", "pr_created", source), self._summary, newest_first=True)

    def _summary(self, n: int) -> PullRequestSummary:
        col = self.index.prs
        repo = self.org.profiles[col.repo[n - 1]].repo
        closed = col.times["pr_closed"][n - 1]
        return PullRequestSummary(
            n,
            repo.id,
            repo.project_id,
            self.org.identities[col.times["pr_author"][n - 1]].id,
            to_dt(col.times["pr_created"][n - 1]),
            None if closed == NONE else to_dt(closed),
            STATUS_CODES[col.times["pr_status"][n - 1]],
        )

    def _make_pr(self, n: int) -> PullRequest:
        col = self.index.prs
        plan = self._plans.get_or_make(col.repo[n - 1])
        return pull_request(plan, plan.prs[col.local[n - 1]], self.index.ids)

    def pull_request(self, pr_id: int) -> PullRequest | None:
        if (
            not 1 <= pr_id <= len(self.index.prs)
            or self.index.prs.times["pr_created"][pr_id - 1] > self._now_ms()
        ):
            return None
        return self._prs.get_or_make(pr_id)

    # -- builds -------------------------------------------------------------------------------------
    def _project_seq(self, project_id: str, kind: str, column: str, times: str, fetch) -> LazySeq:
        source = self.index.by_project.get(project_id, {}).get(kind, [])
        return LazySeq(source, self._visible(column, times, source), fetch)

    def builds(self, project_id: str) -> Sequence[Build]:
        return self._project_seq(project_id, "builds", "builds", "build_queued", self._build)

    def _build_plan(self, n: int):
        col = self.index.builds
        plan = self._plans.get_or_make(col.repo[n - 1])
        return plan, plan.builds[col.local[n - 1]]

    def _build(self, n: int) -> Build:
        plan, b = self._build_plan(n)
        return pipelines.build(plan, b, self.index.ids)

    def build(self, build_id: int) -> Build | None:
        if not 1 <= build_id <= len(self.index.builds):
            return None
        if self.index.builds.times["build_queued"][build_id - 1] > self._now_ms():
            return None
        return self._build(build_id)

    def timeline(self, build_id: int) -> Sequence[TimelineRecord]:
        if self.build(build_id) is None:
            return []
        plan, b = self._build_plan(build_id)
        return pipelines.timeline(plan, b, build_id)

    # -- classic releases ---------------------------------------------------------------------------
    def releases(self, project_id: str) -> Sequence[Release]:
        return self._project_seq(project_id, "releases", "releases", "release_created", self._release)

    def _release(self, n: int) -> Release:
        col = self.index.releases
        plan = self._plans.get_or_make(col.repo[n - 1])
        return pipelines.release(plan, plan.releases[col.local[n - 1]], self.index.ids)

    def release(self, release_id: int) -> Release | None:
        if not 1 <= release_id <= len(self.index.releases):
            return None
        if self.index.releases.times["release_created"][release_id - 1] > self._now_ms():
            return None
        return self._release(release_id)

    def deployments(self, project_id: str) -> Sequence[Deployment]:
        return self._project_seq(project_id, "deployments", "deployments", "dep_queued", self._deployment)

    def _deployment(self, n: int) -> Deployment:
        col = self.index.deployments
        plan = self._plans.get_or_make(col.repo[n - 1])
        return pipelines.deployment(plan, plan.deployments[col.local[n - 1]], self.index.ids)

    # -- YAML environments --------------------------------------------------------------------------
    def deployment_records(self, environment_id: int) -> Sequence[EnvironmentDeploymentRecord]:
        started, now = self.index.records.times["rec_started"], self._now_ms()
        ids = [n for n in self.index.records_by_env.get(environment_id, []) if started[n - 1] <= now]
        return LazySeq(ids, len(ids), self._record)

    def _record(self, n: int) -> EnvironmentDeploymentRecord:
        col = self.index.records
        plan = self._plans.get_or_make(col.repo[n - 1])
        return pipelines.record(plan, plan.records[col.local[n - 1]], self.index.ids)
