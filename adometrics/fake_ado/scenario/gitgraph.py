"""Git objects of one repository derived from its plan: commits (with consistent parents), pushes and refs.

Commit ids come from ``sha_for`` keys (prehistory ``p``, PR source ``c``, merge/squash ``m``, direct
``d``), so a plan alone names every commit; metadata comes from generators seeded per PR / per repository.
"""

from __future__ import annotations

from .model import Commit, Push, Ref, RefUpdate, Signature
from .names import MINUTE, OBJECTS, VERBS, ZERO_SHA, rng_for, sha_for, to_dt
from .plan import PRPlan, RepoPlan


def _sig(plan: RepoPlan, who: int, at: int) -> Signature:
    ident = plan.org.identities[who]
    email = ident.unique_name if "@" in ident.unique_name else f"build@{plan.org.organization}.example"
    return Signature(ident.display_name, email, to_dt(at))


def _commit(
    plan: RepoPlan, sha, parents, author, authored, committed, comment, rng, pushed_at, push_id
) -> Commit:
    counts = (int(rng.random() * 3), 1 + int(rng.random() ** 2 * 12), int(rng.random() ** 4 * 3))
    tree = sha_for(plan.key, "tree", sha)
    return Commit(
        sha,
        parents,
        tree,
        _sig(plan, author, authored),
        _sig(plan, author, committed),
        comment,
        counts,
        to_dt(pushed_at),
        push_id,
    )


def _message(rng) -> str:
    return f"{VERBS[int(rng.random() * len(VERBS))]} {OBJECTS[int(rng.random() * len(OBJECTS))]}"


def pr_title(plan: RepoPlan, pr: PRPlan) -> str:
    rng = rng_for(plan.key, plan.prof.repo.id, "prt", pr.local)
    return f"{_message(rng)} ({pr.topic})"


def pr_commits(plan: RepoPlan, pr: PRPlan) -> list[list[Commit]]:
    """The PR's source commits grouped by push, oldest first within each push."""
    key, repo_id = plan.key, plan.prof.repo.id
    rng = rng_for(key, repo_id, "prc", pr.local)
    people = plan.prof.contributors
    parent = plan.main[pr.base_index].sha
    groups: list[list[Commit]] = []
    j = 0
    for k, (count, pushed) in enumerate(zip(pr.counts, pr.pushes, strict=True)):
        low = pr.first_commit if k == 0 else max(pr.pushes[k - 1], pushed - 8 * 60 * MINUTE)
        span = max(pushed - MINUTE - low, count)
        times = sorted(low + int(rng.random() * span) for _ in range(count))
        if k == 0:
            times[0] = pr.first_commit
        group = []
        for authored in times:
            author = pr.author if rng.random() < 0.93 else people[int(rng.random() * len(people))]
            committed = (
                authored if rng.random() < 0.9 else max(authored, pushed - int(rng.random() * 5 * MINUTE))
            )
            sha = pr.commit_sha(key, repo_id, j)
            group.append(
                _commit(
                    plan,
                    sha,
                    (parent,),
                    author,
                    authored,
                    committed,
                    _message(rng),
                    rng,
                    pushed,
                    pr.push_ids[k],
                )
            )
            parent, j = sha, j + 1
        groups.append(group)
    return groups


def completion_commit(plan: RepoPlan, pr: PRPlan, pr_id: int, title: str) -> Commit:
    """The commit a completed PR creates on its target: a merge (2 parents) or a squash (1 parent)."""
    event = plan.main[pr.main_index]
    before = plan.main[pr.main_index - 1].sha
    parents = (before, pr.head_after(plan.key, plan.prof.repo.id, len(pr.pushes) - 1))
    if pr.strategy == "squash":
        parents = parents[:1]
    rng = rng_for(plan.key, plan.prof.repo.id, "mc", pr.local)
    return _commit(
        plan,
        event.sha,
        parents,
        pr.closer,
        pr.closed,
        pr.closed,
        f"Merged PR {pr_id}: {title}",
        rng,
        pr.closed,
        pr.close_push_id,
    )


def preview_commits(plan: RepoPlan, pr: PRPlan, pr_id: int) -> list[Commit]:
    """The server's would-be merge commits (``refs/pull/{id}/merge``), one per push: what PR builds build.

    They are reachable from no branch; ``GET commits/{id}`` finds them, as in ADO.
    """
    key, repo_id = plan.key, plan.prof.repo.id
    rng = rng_for(key, repo_id, "pv", pr.local)
    out = []
    for k in range(len(pr.pushes)):
        at = pr.preview_at(k)
        parents = (plan.main[plan.head_index(at)].sha, pr.head_after(key, repo_id, k))
        comment = f"Merge pull request {pr_id} from {pr.source_ref.removeprefix('refs/heads/')} into main"
        out.append(
            _commit(
                plan,
                pr.preview_sha(key, repo_id, k),
                parents,
                pr.author,
                at,
                at,
                comment,
                rng,
                at,
                pr.push_ids[k],
            )
        )
    return out


def direct_commits(plan: RepoPlan, index: int) -> list[Commit]:
    d = plan.directs[index]
    rng = rng_for(plan.key, plan.prof.repo.id, "dc", index)
    parent = plan.main[d.main_index - 1].sha
    out = []
    for j in range(d.count):
        at = d.at - (d.count - j) * int((1 + rng.random() * 20) * MINUTE)
        comment = "Bump version" if d.author == plan.org.build_service else _message(rng)
        sha = plan.direct_sha(index, j)
        out.append(_commit(plan, sha, (parent,), d.author, at, at, comment, rng, d.at, d.push_id))
        parent = sha
    return out


def prehistory_commits(plan: RepoPlan) -> list[Commit]:
    n = plan.prof.prehistory
    first, last = plan.pre_times
    rng = rng_for(plan.key, plan.prof.repo.id, "pre")
    people = plan.prof.contributors
    step = max(1, (last - first) // max(1, n))
    out, parent = [], ()
    for i in range(n):
        at = first + i * step if i < n - 1 else last
        sha = plan.pre_sha(i)
        who = people[int(rng.random() * len(people))]
        comment = "Initial commit" if i == 0 else _message(rng)
        out.append(_commit(plan, sha, parent, who, at, at, comment, rng, last + MINUTE, 1))
        parent = (sha,)
    return out


def all_commits(plan: RepoPlan, pr_ids: list[int], titles: list[str]) -> dict[str, Commit]:
    """Every commit of the repository over its whole timeline (visibility is filtered by ``pushed_at``)."""
    commits: dict[str, Commit] = {}
    for c in prehistory_commits(plan):
        commits[c.sha] = c
    for pr in plan.prs:
        for group in pr_commits(plan, pr):
            for c in group:
                commits[c.sha] = c
        if pr.main_index is not None:
            c = completion_commit(plan, pr, pr_ids[pr.local], titles[pr.local])
            commits[c.sha] = c
        for c in preview_commits(plan, pr, pr_ids[pr.local]):
            commits[c.sha] = c
    for d in plan.directs:
        for c in direct_commits(plan, d.index):
            commits[c.sha] = c
    return commits


def pushes(plan: RepoPlan) -> list[Push]:
    """All pushes, ascending id (= ascending time)."""
    key, repo_id = plan.key, plan.prof.repo.id
    main_ref = "refs/heads/main"
    out = []
    for p in plan.pushes:
        if p.kind == "import":
            n = plan.prof.prehistory
            updates = [RefUpdate(main_ref, ZERO_SHA, plan.main[0].sha)]
            shas = [plan.pre_sha(i) for i in range(n - 1, -1, -1)]
            who = plan.prof.contributors[0]
        elif p.kind == "pr":
            pr = plan.prs[p.ref]
            old = ZERO_SHA if p.step == 0 else pr.head_after(key, repo_id, p.step - 1)
            new = pr.head_after(key, repo_id, p.step)
            start = sum(pr.counts[: p.step])
            shas = [
                pr.commit_sha(key, repo_id, j) for j in range(start + pr.counts[p.step] - 1, start - 1, -1)
            ]
            updates, who = [RefUpdate(pr.source_ref, old, new)], pr.author
        elif p.kind in ("merge", "delete"):
            pr = plan.prs[p.ref]
            head = pr.head_after(key, repo_id, len(pr.pushes) - 1)
            updates, shas, who = [], [], pr.closer
            if p.kind == "merge":
                event = plan.main[pr.main_index]
                updates.append(RefUpdate(main_ref, plan.main[pr.main_index - 1].sha, event.sha))
                shas = [event.sha]
            if pr.delete_branch:
                updates.append(RefUpdate(pr.source_ref, head, ZERO_SHA))
        elif p.kind == "direct":
            d = plan.directs[p.ref]
            updates = [RefUpdate(main_ref, plan.main[d.main_index - 1].sha, plan.main[d.main_index].sha)]
            shas = [plan.direct_sha(d.index, j) for j in range(d.count - 1, -1, -1)]
            who = d.author
        else:
            ref = plan.extra_refs[p.ref]
            updates, shas, who = [RefUpdate(ref.name, ZERO_SHA, ref.sha)], [], ref.creator
        out.append(Push(p.id, repo_id, to_dt(p.at), plan.org.identities[who].id, updates, shas))
    return out


def refs(plan: RepoPlan) -> list[Ref]:
    """Every ref over time: main, release branches, tags and one feature branch per PR."""
    key, repo_id, ids = plan.key, plan.prof.repo.id, plan.org.identities
    if not plan.main:
        return []
    main_creator = ids[plan.prof.contributors[0]].id
    out = [
        Ref(
            "refs/heads/main",
            main_creator,
            to_dt(plan.main[0].at),
            None,
            [(to_dt(e.at), e.sha) for e in plan.main],
        )
    ]
    for r in plan.extra_refs:
        out.append(Ref(r.name, ids[r.creator].id, to_dt(r.at), None, [(to_dt(r.at), r.sha)]))
    for pr in plan.prs:
        deleted = to_dt(pr.closed) if pr.closed is not None and pr.delete_branch else None
        history = [(to_dt(at), pr.head_after(key, repo_id, k)) for k, at in enumerate(pr.pushes)]
        out.append(Ref(pr.source_ref, ids[pr.author].id, to_dt(pr.pushes[0]), deleted, history))
    return out
