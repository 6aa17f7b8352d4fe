"""One pull request in full: reviewers and their vote histories, threads, iterations and CI statuses.

Generated from the PR's plan and a generator seeded per PR, so any PR can be built alone (the large
scenario builds PR details on demand). Rates are documented in SCENARIOS.md.
"""

from __future__ import annotations

from .gitgraph import pr_commits, pr_title
from .ids import IdMap
from .model import Comment, Iteration, PullRequest, PullRequestStatus, Reviewer, Thread, VoteEvent
from .names import AUTHOR_REPLIES, BOT_COMMENTS, HOUR, MINUTE, REVIEW_COMMENTS, SECOND, rng_for, to_dt
from .plan import FOREVER, QUIET_AFTER, PRPlan, RepoPlan
from .plan_deploy import build_number
from .timing import lognormal_ms, working

VOTE_PATTERNS = ((0.55, (10,)), (0.67, (5,)), (0.80, (-5, 10)), (0.84, (-10, 10)), (0.87, (-10,)), (1.0, ()))
STATUS_STATE = {
    "succeeded": "succeeded",
    "partiallySucceeded": "succeeded",
    "failed": "failed",
    "canceled": "error",
}


def _prop(value: object) -> tuple[str, object]:
    return ("System.Int32", value) if isinstance(value, int) else ("System.String", value)


class _PRBuilder:
    def __init__(self, plan: RepoPlan, pr: PRPlan, ids: IdMap):
        self.plan, self.pr, self.ids = plan, pr, ids
        self.org = plan.org
        self.rng = rng_for(plan.key, plan.prof.repo.id, "prd", pr.local)
        # review activity ends at closing; PRs that never close go quiet after ``QUIET_AFTER``
        self.end = pr.closed if pr.closed is not None else min(self.org.horizon, pr.created + QUIET_AFTER)
        self.threads: list[
            tuple[int, dict, list[tuple[int, int, int, str, str]], str | None, str | None]
        ] = []

    def ident(self, index: int):
        return self.org.identities[index]

    def clip(self, at: int, low: int) -> int:
        """Keep review activity before the PR closes (squeezing it into the open window)."""
        if at < self.end - MINUTE:
            return at
        return low + int((self.end - MINUTE - low) * (0.5 + 0.45 * self.rng.random()))

    # -- reviewers and votes ----------------------------------------------------------------------
    def reviewers(self) -> list[Reviewer]:
        pr, rng, org = self.pr, self.rng, self.org
        pool = [p for p in self.plan.prof.contributors if p != pr.author]
        rng.shuffle(pool)
        n_required = 0 if rng.random() < 0.1 else 1 if rng.random() < 0.78 else 2
        n_optional = int(rng.random() ** 2 * 3)
        chosen = pool[: n_required + n_optional]
        base = pr.created if pr.draft_until is None else min(pr.draft_until, self.end)
        never = rng.random() < 0.08 or pr.draft_until == FOREVER or base >= self.end - MINUTE
        out = []
        for i, who in enumerate(chosen):
            added = pr.created
            if i >= n_required and rng.random() < 0.2:
                added = self.clip(pr.created + lognormal_ms(rng, 2 * HOUR, 1.0), pr.created)
                self.reviewers_update(added, who)
            votes = [] if never else self.votes(who, max(base, added))
            out.append(Reviewer(org.identities[who].id, to_dt(added), i < n_required, votes))
        if rng.random() < 0.15:
            team = org.identities[self.plan.prof.team_group]
            out.append(Reviewer(team.id, to_dt(pr.created), True, []))
        if not never and rng.random() < 0.05:
            at = self.clip(base + lognormal_ms(rng, 1 * HOUR, 1.0), base)
            out.append(
                Reviewer(org.identities[pr.author].id, to_dt(at), False, [self.vote(pr.author, at, 10)])
            )
        return out

    def votes(self, who: int, base: int) -> list[VoteEvent]:
        rng = self.rng
        r = rng.random()
        pattern = next(p for limit, p in VOTE_PATTERNS if r < limit)
        at = self.clip(working(base + lognormal_ms(rng, 3 * HOUR, 1.3), rng), base)
        events = []
        for value in pattern:
            self.comments_by(who, base, at)
            events.append(self.vote(who, at, value))
            at = self.clip(working(at + lognormal_ms(rng, 6 * HOUR, 1.0), rng), at)
        if not pattern:
            self.comments_by(who, base, at)
        return events

    def vote(self, who: int, at: int, value: int) -> VoteEvent:
        ident = self.ident(who)
        props = {
            "CodeReviewThreadType": _prop("VoteUpdate"),
            "CodeReviewVoteResult": _prop(str(value)),
            "CodeReviewVotedByTfId": _prop(ident.id),
            "CodeReviewVotedByDisplayName": _prop(ident.display_name),
            "CodeReviewVotedByUniqueName": _prop(ident.unique_name),
        }
        self.system(at, props, f"{ident.display_name} voted {value}")
        return VoteEvent(to_dt(at), value)

    def reviewers_update(self, at: int, who: int) -> None:
        by, added = self.ident(self.pr.author), self.ident(who)
        props = {
            "CodeReviewThreadType": _prop("ReviewersUpdate"),
            "CodeReviewReviewersUpdatedAddedDisplayName": _prop(added.display_name),
            "CodeReviewReviewersUpdatedAddedTfId": _prop(added.id.replace("-", "")),
            "CodeReviewReviewersUpdatedByDisplayname": _prop(by.display_name),
            "CodeReviewReviewersUpdatedByTfId": _prop(by.id.replace("-", "")),
            "CodeReviewReviewersUpdatedNumAdded": _prop(1),
            "CodeReviewReviewersUpdatedNumRemoved": _prop(0),
        }
        self.system(at, props, f"{by.display_name} added {added.display_name} as a reviewer")

    def system(self, at: int, props: dict, text: str) -> None:
        self.threads.append((at, props, [(at, self.org.system_account, 0, "system", text)], None, None))

    # -- human threads ------------------------------------------------------------------------------
    def comments_by(self, who: int, low: int, high: int) -> None:
        """0-3 comment threads by a reviewer before they vote, some answered by the author."""
        rng, pr = self.rng, self.pr
        n = int(rng.random() ** 1.5 * 4)
        for _ in range(n):
            at = low + int(rng.random() * max(high - low, MINUTE))
            at = self.clip(at, low)
            text = REVIEW_COMMENTS[int(rng.random() * len(REVIEW_COMMENTS))]
            comments = [(at, who, 0, "text", text)]
            status = "active"
            if rng.random() < 0.6:
                reply = self.clip(at + lognormal_ms(rng, 2 * HOUR, 1.0), at)
                comments.append((reply, pr.author, 1, "text", AUTHOR_REPLIES[int(rng.random() * 5)]))
                status = "fixed" if rng.random() < 0.7 else "closed"
            path = f"/src/{pr.topic}/{('handler', 'models', 'client', 'tests')[int(rng.random() * 4)]}.py"
            self.threads.append((at, {}, comments, status, path if rng.random() < 0.6 else None))

    def extra_threads(self) -> None:
        pr, rng = self.pr, self.rng
        if rng.random() < 0.15:
            at = pr.created + int((1 + rng.random() * 20) * MINUTE)
            self.threads.append(
                (
                    at,
                    {},
                    [(at, pr.author, 0, "text", "Ready for review; see the description.")],
                    "closed",
                    None,
                )
            )
        if rng.random() < 0.3:
            first = pr.builds[0].finished if pr.builds else pr.created + 12 * MINUTE
            at = min(first + 20 * SECOND, self.end - SECOND)
            text = BOT_COMMENTS[int(rng.random() * len(BOT_COMMENTS))].format(n=int(40 + rng.random() * 59))
            self.threads.append((at, {}, [(at, self.org.bot, 0, "text", text)], "active", None))

    def push_threads(self, heads: list[str], groups) -> None:
        pr, author = self.pr, self.ident(self.pr.author)
        for k, at in enumerate(pr.pushes):
            if k:
                shas = [c.sha for c in reversed(groups[k])]
                props = {
                    "CodeReviewThreadType": _prop("RefUpdate"),
                    "CodeReviewRefName": _prop(pr.source_ref),
                    "CodeReviewRefNewCommits": _prop(";".join(shas)),
                    "CodeReviewRefNewCommitsCount": _prop(len(shas)),
                    "CodeReviewRefNewHeadCommit": _prop(heads[k]),
                    "CodeReviewRefUpdatedBy": _prop(author.unique_name),
                    "CodeReviewRefUpdatedByDisplayName": _prop(author.display_name),
                    "CodeReviewRefUpdatedByTfId": _prop(author.id),
                }
                self.system(at, props, f"The reference {pr.source_ref} was updated.")
            preview = pr.preview_sha(self.plan.key, self.plan.prof.repo.id, k)
            at = pr.preview_at(k)
            target = self.plan.main[self.plan.head_index(at)].sha
            props = {
                "CodeReviewMergeCommit": _prop(preview),
                "CodeReviewMergeStatus": _prop("Succeeded"),
                "CodeReviewSourceCommit": _prop(heads[k]),
                "CodeReviewTargetCommit": _prop(target),
                "CodeReviewThreadType": _prop("MergeAttempt"),
            }
            self.system(at, props, f"The pull request is mergable and the target commit would be {preview}.")

    def build_threads(self) -> list[Thread]:
        out = []
        for i, (at, props, comments, status, path) in enumerate(sorted(self.threads, key=lambda t: t[0]), 1):
            made = [
                Comment(n, parent, self.ident(who).id, to_dt(when), kind, text)
                for n, (when, who, parent, kind, text) in enumerate(comments, 1)
            ]
            out.append(
                Thread(i, to_dt(at), max(c.published for c in made), status, props, made, not status, path)
            )
        return out

    # -- the PR -------------------------------------------------------------------------------------
    def build(self) -> PullRequest:
        plan, pr, org, ids = self.plan, self.pr, self.org, self.ids
        repo = plan.prof.repo
        pr_id = ids.pr(plan.prof.index, pr.local)
        groups = pr_commits(plan, pr)
        heads = [g[-1].sha for g in groups]
        self.push_threads(heads, groups)
        reviewers = self.reviewers()
        self.extra_threads()
        iterations, statuses = self.iterations(groups, heads)
        merge_commit = target = None
        if pr.main_index is not None:
            merge_commit = plan.main[pr.main_index].sha
            target = plan.main[pr.main_index - 1].sha
        else:
            target = plan.main[plan.head_index(max(pr.pushes[-1], pr.created))].sha
        title = pr_title(plan, pr)
        closer = org.identities[pr.closer].id if pr.closer is not None else None
        return PullRequest(
            pr_id,
            repo.id,
            repo.project_id,
            org.identities[pr.author].id,
            to_dt(pr.created),
            title,
            f"{title}.\n\nChanges in the {pr.topic} area.",
            pr.source_ref,
            "refs/heads/main",
            pr.final,
            to_dt(pr.closed) if pr.closed is not None else None,
            closer,
            pr.strategy,
            to_dt(pr.draft_until) if pr.draft_until is not None else None,
            [c.sha for g in reversed(groups) for c in reversed(g)],
            heads[-1],
            target,
            merge_commit,
            reviewers,
            self.build_threads(),
            iterations,
            statuses,
            self._labels(),
        )

    def _labels(self) -> list[str]:
        r = self.rng.random()
        return ["bug"] if r < 0.1 else ["feature"] if r < 0.18 else []

    def iterations(self, groups, heads) -> tuple[list[Iteration], list[PullRequestStatus]]:
        plan, pr, ids = self.plan, self.pr, self.ids
        author = self.org.identities[pr.author].id
        base = plan.main[pr.base_index].sha
        definition = plan.prof.repo.name + "-ci"
        project = next(p for p in self.org.projects if p.id == plan.prof.repo.project_id)
        iterations, statuses = [], []
        for k, at in enumerate(pr.pushes):
            created = pr.created if k == 0 else at
            target = plan.main[plan.head_index(created)].sha
            iterations.append(
                Iteration(
                    k + 1,
                    to_dt(created),
                    author,
                    "create" if k == 0 else "push",
                    heads[k],
                    target,
                    base,
                    pr.push_ids[k],
                    [c.sha for c in reversed(groups[k])],
                )
            )
            if k >= len(pr.builds):
                continue  # the repository has no PR validation build
            build = pr.builds[k]
            build_id = ids.build(plan.prof.index, build.local)
            url = f"https://dev.azure.com/{self.org.organization}/{project.name}/_build/results?buildId={build_id}"
            statuses.append(
                PullRequestStatus(
                    k + 1,
                    k + 1,
                    STATUS_STATE[build.result],
                    f"Build {build_number(plan, build)} {build.result}",
                    "continuous-integration",
                    definition,
                    url,
                    self.org.identities[self.org.build_service].id,
                    to_dt(build.finished),
                )
            )
        return iterations, statuses


def pull_request(plan: RepoPlan, pr: PRPlan, ids: IdMap) -> PullRequest:
    return _PRBuilder(plan, pr, ids).build()


def vote_times(plan: RepoPlan, pr: PRPlan) -> list:
    """The instants of the PR's votes, without building the rest of it (the same draws as ``pull_request``:
    reviewers are the first thing drawn from the PR's generator)."""
    reviewers = _PRBuilder(plan, pr, None).reviewers()
    return [v.at for r in reviewers for v in r.votes]
