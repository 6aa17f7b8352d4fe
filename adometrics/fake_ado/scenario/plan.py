"""Per-repository plans: the timing skeleton of a repository's whole life (PRs, pushes, main-line commits).

A plan holds only ints and short strings and comes from one generator seeded by (scenario, seed, repository
id), so it can be rebuilt at any time, in any order, with identical results. Details (commit metadata,
reviews, threads) are derived from the plan in ``detail.py``; builds and deployments in ``plan_deploy.py``.
All instants are POSIX milliseconds.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import timedelta

from .names import DAY, HOUR, MINUTE, SECOND, TOPICS, rng_for, sha_for, to_dt, to_ms
from .org import Org, RepoProfile
from .timing import geometric, lognormal_ms, working

QUIET_AFTER = 45 * DAY  # a PR that never closes sees no activity this long after its creation
FOREVER = 253_402_214_400_000  # 9999-12-31: "still a draft" for drafts that never get published


@dataclass(slots=True)
class PRPlan:
    local: int
    author: int  # identity index
    created: int
    first_commit: int  # earliest author date of its commits
    pushes: list[int]  # push times; pushes[0] (the branch push) precedes creation
    counts: list[int]  # commits per push
    final: str  # completed | abandoned | active
    closed: int | None
    closer: int | None
    strategy: str  # noFastForward | squash
    draft_until: int | None
    delete_branch: bool
    topic: str
    push_ids: list[int] = field(default_factory=list)
    close_push_id: int | None = None
    main_index: int | None = None  # completion commit's index in RepoPlan.main
    base_index: int = 0  # main index of the branch point
    builds: list[int] = field(default_factory=list)  # local build indexes, one per push

    @property
    def source_ref(self) -> str:
        return f"refs/heads/feature/{self.topic}-{self.local + 1}"

    def commit_sha(self, key: str, repo_id: str, j: int) -> str:
        return sha_for(key, repo_id, "c", self.local, j)

    def preview_sha(self, key: str, repo_id: str, k: int) -> str:
        """The would-be merge commit after push ``k`` (``refs/pull/{id}/merge``, what PR builds build)."""
        return sha_for(key, repo_id, "pm", self.local, k)

    def preview_at(self, k: int) -> int:
        """When the server computes the would-be merge after push ``k``."""
        return max(self.pushes[k], self.created) + 10 * SECOND

    def head_after(self, key: str, repo_id: str, k: int) -> str:
        """The source branch head after push ``k``."""
        return self.commit_sha(key, repo_id, sum(self.counts[: k + 1]) - 1)


@dataclass(slots=True)
class DirectPlan:
    index: int
    at: int
    author: int
    count: int
    push_id: int = 0
    main_index: int = 0


@dataclass(slots=True)
class MainEvent:
    at: int
    kind: str  # pre | merge | direct
    ref: int  # PR local / direct index
    sha: str


@dataclass(slots=True)
class ExtraRef:
    """A release branch or tag created at ``at`` on the then main head."""

    name: str
    at: int
    creator: int
    sha: str
    push_id: int = 0


@dataclass(slots=True)
class PushPlan:
    id: int
    at: int
    kind: str  # import | pr | merge | delete | direct | refs
    ref: int  # PR local / direct index / extra ref index (first of the group)
    step: int = 0  # push number within a PR


@dataclass(slots=True)
class RepoPlan:
    org: Org
    prof: RepoProfile
    pre_times: tuple[int, int] = (0, 0)  # first and last prehistory commit
    prs: list[PRPlan] = field(default_factory=list)
    directs: list[DirectPlan] = field(default_factory=list)
    main: list[MainEvent] = field(default_factory=list)
    main_times: list[int] = field(default_factory=list)
    extra_refs: list[ExtraRef] = field(default_factory=list)
    pushes: list[PushPlan] = field(default_factory=list)
    builds: list = field(default_factory=list)  # plan_deploy.BuildPlan, ascending queue time
    build_queued: list[int] = field(default_factory=list)
    releases: list = field(default_factory=list)  # plan_deploy.ReleasePlan
    deployments: list = field(default_factory=list)  # plan_deploy.DeploymentPlan
    records: list = field(default_factory=list)  # plan_deploy.RecordPlan

    @property
    def key(self) -> str:
        return self.org.key

    def head_index(self, at: int) -> int:
        """Index in ``main`` of the default branch head at ``at`` (the last event at or before it)."""
        return max(0, bisect_right(self.main_times, at) - 1)

    def pre_sha(self, i: int) -> str:
        return sha_for(self.org.key, self.prof.repo.id, "p", i)

    def direct_sha(self, index: int, j: int) -> str:
        return sha_for(self.org.key, self.prof.repo.id, "d", index, j)


def plan_repo(org: Org, prof: RepoProfile, git: bool = True) -> RepoPlan:
    """The deterministic skeleton of one repository (empty repositories get an empty plan).

    ``git=False`` skips pushes, release branches and tags (their own generator, so skipping them changes
    nothing else): the large scenario's indexes need only PRs, builds and deployments.
    """
    from .plan_deploy import plan_builds  # local import: plan_deploy imports this module

    plan = RepoPlan(org, prof)
    if prof.kind == "empty":
        return plan
    rng = rng_for(org.key, "plan", prof.repo.id)
    created = to_ms(prof.repo.created)
    pre_end = min(org.start - 20 * DAY, created + prof.prehistory * 6 * HOUR)
    plan.pre_times = (created, pre_end)
    plan.main.append(
        MainEvent(pre_end + MINUTE, "pre", prof.prehistory - 1, plan.pre_sha(prof.prehistory - 1))
    )
    if prof.kind == "active":
        _plan_prs(plan, rng, pre_end)
        _plan_directs(plan, rng)
    _plan_main(plan)
    plan_builds(plan, rng)
    if git:
        if prof.deploy:
            _plan_release_branches(plan, rng_for(org.key, "refs", prof.repo.id))
        _plan_pushes(plan)
    return plan


def _plan_prs(plan: RepoPlan, rng, pre_end: int) -> None:
    """PR arrivals: a Poisson process over the whole timeline, moved into working hours.

    ``Size.recent_prs`` extra PRs per repository are opened in the three days before now and close after
    now, so every seed has PRs that are active at now and change as the clock advances.
    """
    org = plan.org
    mean_gap = DAY / plan.prof.prs_per_day
    t = org.start
    prs: list[PRPlan] = []
    while True:
        t += int(rng.expovariate(1.0) * mean_gap)
        if t >= org.horizon:
            break
        prs.append(_make_pr(plan, rng, working(t, rng), pre_end))
    for _ in range(org.size.recent_prs):
        pr = _make_pr(plan, rng, org.now - int((2 + rng.random() * 70) * HOUR), pre_end, final="completed")
        pr.closed = max(pr.closed, org.now + int((1 + rng.random() * 47) * HOUR))
        prs.append(pr)
    prs.sort(key=lambda p: p.created)
    for local, pr in enumerate(prs):
        pr.local = local
    plan.prs = prs


def _make_pr(plan: RepoPlan, rng, created: int, pre_end: int, final: str | None = None) -> PRPlan:
    org, people = plan.org, plan.prof.contributors
    author = people[int(len(people) * rng.random() ** 1.6)]
    branch_push = created - int((1 + rng.random() * 29) * MINUTE)
    coding = lognormal_ms(rng, 10 * HOUR, 1.1)
    if rng.random() < 0.08:
        coding += int((2 + rng.random() * 10) * DAY)
    first_commit = max(branch_push - coding, pre_end + HOUR)
    pushes = [branch_push]
    at = created
    for _ in range(geometric(rng, 0.45, 5)):
        at = working(at + lognormal_ms(rng, 5 * HOUR, 1.0), rng)
        pushes.append(at)
    counts = [1 + geometric(rng, 0.5, 6)] + [1 + geometric(rng, 0.35, 3) for _ in pushes[1:]]
    r = rng.random()
    final = final or ("active" if r < 0.03 else "abandoned" if r < 0.13 else "completed")
    closed = None if final == "active" else working(pushes[-1] + lognormal_ms(rng, 16 * HOUR, 1.1), rng)
    if closed is not None and closed >= org.horizon:
        final, closed = "active", None
    if closed is None:  # a PR that never closes goes quiet: no pushes after QUIET_AFTER
        while len(pushes) > 1 and pushes[-1] >= created + QUIET_AFTER:
            pushes.pop()
            counts.pop()
    draft_until = None
    if rng.random() < 0.12:
        draft_until = created + lognormal_ms(rng, 6 * HOUR, 1.0)
        if final == "completed":
            draft_until = min(draft_until, created + (closed - created) // 2)
        elif final == "abandoned" and draft_until >= closed:
            draft_until = FOREVER  # abandoned while still a draft: stays a draft
        elif final == "active" and rng.random() < 0.3:
            draft_until = FOREVER
    strategy = "squash" if rng.random() < 0.35 else "noFastForward"
    delete = rng.random() < (0.9 if final == "completed" else 0.4)
    closer = None
    if closed is not None:
        closer = author if rng.random() < (0.65 if final == "completed" else 0.9) else rng.choice(people)
    return PRPlan(
        0,
        author,
        created,
        first_commit,
        pushes,
        counts,
        final,
        closed,
        closer,
        strategy,
        draft_until,
        delete,
        rng.choice(TOPICS),
    )


def _plan_directs(plan: RepoPlan, rng) -> None:
    """Direct pushes to main: hotfixes by people and version bumps by the build service."""
    org, prof = plan.org, plan.prof
    mean_gap = DAY / max(0.03, 0.07 * prof.prs_per_day)
    t = org.start
    while True:
        t += int(rng.expovariate(1.0) * mean_gap)
        if t >= org.horizon:
            break
        author = org.build_service if rng.random() < 0.3 else rng.choice(prof.contributors)
        at = working(t, rng)
        plan.directs.append(DirectPlan(len(plan.directs), at, author, 1 + geometric(rng, 0.3, 2)))


def _plan_main(plan: RepoPlan) -> None:
    """The default branch's commits in push order; PR branch points and merge parents are looked up here."""
    key, repo_id = plan.org.key, plan.prof.repo.id
    events = [(pr.closed, 0, pr.local) for pr in plan.prs if pr.final == "completed"]
    events += [(d.at, 1, d.index) for d in plan.directs]
    events.sort()
    for at, kind, ref in events:
        if kind == 0:
            pr = plan.prs[ref]
            pr.main_index = len(plan.main)
            plan.main.append(MainEvent(at, "merge", ref, sha_for(key, repo_id, "m", ref)))
        else:
            d = plan.directs[ref]
            d.main_index = len(plan.main)
            plan.main.append(MainEvent(at, "direct", ref, plan.direct_sha(ref, d.count - 1)))
    plan.main_times = [e.at for e in plan.main]
    for pr in plan.prs:
        pr.base_index = plan.head_index(pr.first_commit - MINUTE)


def _plan_release_branches(plan: RepoPlan, rng) -> None:
    """A release branch and a tag on the first Monday of each month, at about 10:00."""
    org = plan.org
    month = to_dt(org.start).replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    while True:
        monday = month + timedelta(days=(7 - month.weekday()) % 7)
        at = to_ms(monday) + int(rng.random() * HOUR)
        if at >= org.horizon:
            break
        if at >= org.start:
            sha = plan.main[plan.head_index(at)].sha
            creator = rng.choice(plan.prof.contributors)
            plan.extra_refs.append(ExtraRef(f"refs/heads/release/{monday:%Y-%m}", at, creator, sha))
            tag = f"refs/tags/v{monday:%y}.{monday.month}.0"
            plan.extra_refs.append(ExtraRef(tag, at + SECOND, creator, sha))
        month = (month + timedelta(days=32)).replace(day=1)


def _plan_pushes(plan: RepoPlan) -> None:
    """Every push of the repository with its per-repository id (ascending by time)."""
    entries = [(plan.pre_times[1] + MINUTE, 0, 0, 0)]
    for pr in plan.prs:
        entries += [(at, 1, pr.local, k) for k, at in enumerate(pr.pushes)]
        if pr.final == "completed":
            entries.append((pr.closed, 2, pr.local, 0))
        elif pr.final == "abandoned" and pr.delete_branch:
            entries.append((pr.closed, 3, pr.local, 0))
    entries += [(d.at, 4, d.index, 0) for d in plan.directs]
    entries += [(r.at, 5, i, 0) for i, r in enumerate(plan.extra_refs)]
    entries.sort()
    kinds = ("import", "pr", "merge", "delete", "direct", "refs")
    for push_id, (at, kind, ref, step) in enumerate(entries, start=1):
        plan.pushes.append(PushPlan(push_id, at, kinds[kind], ref, step))
        if kind == 1:
            plan.prs[ref].push_ids.append(push_id)
        elif kind in (2, 3):
            plan.prs[ref].close_push_id = push_id
        elif kind == 4:
            plan.directs[ref].push_id = push_id
        elif kind == 5:
            plan.extra_refs[ref].push_id = push_id
