"""Compact organization-wide indexes for the lazy (large) scenario.

Every repository is planned once, its times are copied into ``array`` columns and the plan is dropped.
Columns are indexed by global id - 1; ``*_repo``/``*_local`` map an id back to the plan that details it.
"""

from __future__ import annotations

import gc
from array import array
from dataclasses import dataclass, field

from .ids import IdMap, assign_ordered
from .org import Org
from .plan import QUIET_AFTER, plan_repo

STATUS_CODES = ("completed", "abandoned", "active")
NONE = -1


def _q(values=()) -> array:
    return array("q", values)


@dataclass(slots=True)
class RepoTimes:
    """Per-repository times gathered while planning (local index order)."""

    pr_created: array = field(default_factory=_q)
    pr_closed: array = field(default_factory=_q)  # -1 = never
    pr_status: array = field(default_factory=lambda: array("b"))
    pr_author: array = field(default_factory=lambda: array("H"))
    build_queued: array = field(default_factory=_q)
    build_finished: array = field(default_factory=_q)
    release_created: array = field(default_factory=_q)
    dep_queued: array = field(default_factory=_q)
    dep_completed: array = field(default_factory=_q)
    rec_queued: array = field(default_factory=_q)
    rec_started: array = field(default_factory=_q)
    rec_env: array = field(default_factory=lambda: array("l"))
    push_times: array = field(default_factory=_q)
    push_commits: array = field(default_factory=_q)  # commits pushed up to and including each push


@dataclass(slots=True)
class Column:
    """One id kind: global attribute columns plus the (repository, local) inverse."""

    repo: array
    local: array
    times: dict[str, array]

    def __len__(self) -> int:
        return len(self.repo)


@dataclass(slots=True)
class OrgIndex:
    ids: IdMap
    prs: Column
    builds: Column
    releases: Column
    deployments: Column
    records: Column
    push_times: list[array]  # per repository, ascending (push id = position + 1)
    push_commits: list[array]  # per repository, cumulative commits per push
    by_project: dict[str, dict[str, array]]  # project id -> kind -> ascending global ids
    records_by_env: dict[int, array]
    longest_run: int  # the longest queue-to-finish of any build or deployment (bounds event scans)


def repo_times(org: Org, prof) -> RepoTimes:
    plan = plan_repo(org, prof, git=True)
    t = RepoTimes()
    for pr in plan.prs:
        t.pr_created.append(pr.created)
        t.pr_closed.append(NONE if pr.closed is None else pr.closed)
        t.pr_status.append(STATUS_CODES.index(pr.final))
        t.pr_author.append(pr.author)
    t.build_queued.extend(b.queued for b in plan.builds)
    t.build_finished.extend(b.finished for b in plan.builds)
    t.release_created.extend(r.created for r in plan.releases)
    t.dep_queued.extend(d.queued for d in plan.deployments)
    t.dep_completed.extend(d.completed for d in plan.deployments)
    envs = prof.environment_ids or (0, 0)
    for rec in plan.records:
        t.rec_queued.append(rec.queued)
        t.rec_started.append(rec.started)
        t.rec_env.append(envs[rec.rank - 1])
    t.push_times.extend(p.at for p in plan.pushes)
    total = 0
    for p in plan.pushes:
        total += _push_commit_count(plan, p)
        t.push_commits.append(total)
    return t


def _push_commit_count(plan, push) -> int:
    if push.kind == "import":
        return plan.prof.prehistory
    if push.kind == "pr":
        return plan.prs[push.ref].counts[push.step]
    if push.kind == "direct":
        return plan.directs[push.ref].count
    return 1 if push.kind == "merge" else 0


def _column(per_repo: list[RepoTimes], key: str, extra: tuple[str, ...]) -> tuple[list[array], Column]:
    ids, repos, locals_ = assign_ordered([getattr(t, key) for t in per_repo])
    times = {}
    for name in (key, *extra):
        source = [getattr(t, name) for t in per_repo]
        typecode = source[0].typecode if source else "q"
        times[name] = array(typecode, (source[r][n] for r, n in zip(repos, locals_, strict=True)))
    return ids, Column(repos, locals_, times)


def build_index(org: Org) -> OrgIndex:
    per_repo = []
    for prof in org.profiles:
        per_repo.append(repo_times(org, prof))
        if prof.index % 16 == 15:
            gc.collect()  # plans hold reference cycles; collect them while the heap is still small
    pr_ids, prs = _column(per_repo, "pr_created", ("pr_closed", "pr_status", "pr_author"))
    build_ids, builds = _column(per_repo, "build_queued", ("build_finished",))
    release_ids, releases = _column(per_repo, "release_created", ())
    dep_ids, deps = _column(per_repo, "dep_queued", ("dep_completed",))
    rec_ids, recs = _column(per_repo, "rec_queued", ("rec_started", "rec_env"))
    ids = IdMap(pr_ids, build_ids, release_ids, dep_ids, rec_ids)
    project_of = [org.projects[p.project_index].id for p in org.profiles]
    by_project: dict[str, dict[str, array]] = {
        p.id: {k: array("l") for k in ("prs", "builds", "releases", "deployments")} for p in org.projects
    }
    for kind, column in (("prs", prs), ("builds", builds), ("releases", releases), ("deployments", deps)):
        for n, r in enumerate(column.repo, start=1):
            by_project[project_of[r]][kind].append(n)
    records_by_env: dict[int, array] = {}
    for n, env in enumerate(recs.times["rec_env"], start=1):
        records_by_env.setdefault(env, array("l")).append(n)
    return OrgIndex(
        ids,
        prs,
        builds,
        releases,
        deps,
        recs,
        [t.push_times for t in per_repo],
        [t.push_commits for t in per_repo],
        by_project,
        records_by_env,
        max(
            _longest(builds, "build_queued", "build_finished"), _longest(deps, "dep_queued", "dep_completed")
        ),
    )


def _longest(column: Column, start: str, end: str) -> int:
    return max((b - a for a, b in zip(column.times[start], column.times[end], strict=True)), default=0)


def pr_activity_end(index: OrgIndex, n: int) -> int:
    """The last instant PR ``n`` can change: its closing, or QUIET_AFTER after creation if it never closes."""
    closed = index.prs.times["pr_closed"][n - 1]
    return closed if closed != NONE else index.prs.times["pr_created"][n - 1] + QUIET_AFTER
