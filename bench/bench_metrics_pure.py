"""Pure metrics benchmark: the full report over synthetic facts held in memory, no database.

    python bench/bench_metrics_pure.py [--prs 300000] [--deployments 20000] [--baseline-prs 30000]

Builds a synthetic organization (one repository per 1,500 PRs, so a bigger organization has more
repositories with the same history each; staging, prod and prod-eu streams; ~5 % failed attempts, ~1 %
rollbacks; PRs reviewed or not, with or without commits) and times, per size: ``analyse`` (the
facts over all data) and ``build_report`` for organization, repository and team scope over a 90-day
window. The baseline has a tenth of the PRs and deployments and runs in the same process; the printed
ratio should stay near 10 (linear), or near the ratio of the printed reference, a bare pass over the
PRs, which shows what the memory hierarchy alone adds once the data outgrows the caches. Best of
``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from adometrics.domain import (
    DeploymentAttempt,
    DeploymentKind,
    PullRequestFacts,
    Scope,
    ShippedCommits,
    Window,
)
from adometrics.metrics import analyse, ancestry_from_pairs, build_report

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_HOURS = 2 * 365 * 24
PRS_PER_REPO = 1500   # the organization grows by repositories, each with the same history
PRS_PER_USER = 750
REFERENCE = "reference: a bare pass over the PRs"
ENVIRONMENTS = ("staging", "staging", "prod", "prod", "prod-eu")


def make_prs(n: int, rng: random.Random) -> list[PullRequestFacts]:
    """PRs spread over two years; 80 % completed, 8 % abandoned, the rest active."""
    prs, repos, users = [], max(1, n // PRS_PER_REPO), max(1, n // PRS_PER_USER)
    for i in range(n):
        created = T0 + timedelta(hours=rng.uniform(0, SPAN_HOURS))
        roll = rng.random()
        status = "completed" if roll < 0.8 else "abandoned" if roll < 0.88 else "active"
        closed = None if status == "active" else created + timedelta(hours=rng.expovariate(1 / 30))
        has_commits, reviewed = rng.random() < 0.95, rng.random() < 0.85
        prs.append(PullRequestFacts(
            project_id=f"p{i % 5}", repo_id=f"r{i % repos}", id=i, creator_id=f"user-{i % users}",
            created_at=created, closed_at=closed, status=status,
            merge_commit=f"m{i:039x}" if status == "completed" else None,
            earliest_commit_at=created - timedelta(hours=rng.expovariate(1 / 20)) if has_commits else None,
            first_review_at=(created + timedelta(hours=rng.expovariate(1 / 5))
                             if reviewed and closed else None)))
    return prs


def make_deployments(prs: list[PullRequestFacts], n: int, rng: random.Random):
    """Per repository, deployments at random times; each stream ships the merges since its last one."""
    merged_by_repo: dict[str, list[PullRequestFacts]] = {}
    for pr in prs:
        if pr.status == "completed":
            merged_by_repo.setdefault(pr.repo_id, []).append(pr)
    attempts, shipped, ancestors = [], [], set()
    repos = max(1, len(prs) // PRS_PER_REPO)
    for repo_index in range(repos):
        repo = f"r{repo_index}"
        merged = sorted(merged_by_repo.get(repo, []), key=lambda p: p.closed_at)
        streams: dict[str, tuple[int, str | None, str | None]] = {}  # env -> (next PR, sha, previous sha)
        times = sorted(T0 + timedelta(hours=rng.uniform(0, SPAN_HOURS)) for _ in range(n // repos))
        for at in times:
            dep_id = len(attempts) + 1
            env = rng.choice(ENVIRONMENTS)
            position, sha, previous = streams.get(env, (0, None, None))
            failed = rng.random() < 0.05
            rollback = not failed and previous is not None and rng.random() < 0.01
            end = position
            while end < len(merged) and merged[end].closed_at < at:
                end += 1
            if rollback:
                new_sha = previous
                ancestors.add((repo, previous, sha))
            else:
                new_sha = merged[end - 1].merge_commit if end else f"base-{repo}"
            attempts.append(DeploymentAttempt(
                kind=DeploymentKind.ENVIRONMENT, project_id=f"p{repo_index % 5}", id=dep_id, environment=env,
                status="failed" if failed else "succeeded", finished_at=at, commits_by_repo={repo: new_sha}))
            if failed:
                continue
            if not rollback:
                shipped.append(ShippedCommits(
                    kind=DeploymentKind.ENVIRONMENT, project_id=f"p{repo_index % 5}", deployment_id=dep_id,
                    repo_id=repo, shas=frozenset(p.merge_commit for p in merged[position:end])))
                position = end
            streams[env] = (position, new_sha, sha)
    return attempts, shipped, ancestors


def best_of(repeat: int, work):
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def run(prs_count: int, deployments_count: int, repeat: int) -> dict[str, float]:
    rng = random.Random(42)
    prs = make_prs(prs_count, rng)
    attempts, shipped, ancestors = make_deployments(prs, deployments_count, rng)
    is_ancestor = ancestry_from_pairs(ancestors)
    window = Window(start=T0 + timedelta(days=400), end=T0 + timedelta(days=490))
    timings: dict[str, float] = {}
    # The memory floor: one pass over the PRs reading three fields. Its ratio shows what caches alone cost
    # when the data grows past them; the metrics should track it, not exceed it by much.
    timings[REFERENCE], _ = best_of(repeat, lambda: sum(
        1 for pr in prs if pr.created_at >= window.start and pr.status == "completed" and pr.merge_commit))
    timings["analyse"], history = best_of(repeat, lambda: analyse(attempts, shipped, is_ancestor))
    scopes = {
        "report (organization)": Scope(organization="bench"),
        "report (repository)": Scope(organization="bench", repository="r7", repo_id="r7"),
        "report (team)": Scope(organization="bench", team="t", team_member_ids=frozenset(
            f"user-{i}" for i in range(0, max(1, prs_count // PRS_PER_USER), 8))),
    }
    for name, scope in scopes.items():
        timings[name], report = best_of(repeat, lambda scope=scope: build_report(
            scope=scope, window=window, history=history, pull_requests=prs))
        if name == "report (organization)":
            df, lt = report["deployment_frequency"], report["lead_time_for_changes"]
            print(f"  {prs_count:>7} PRs, {len(attempts):>6} attempts: {df['deployments']} deployments and "
                  f"{lt['changes']} changes in the window, CFR {report['change_failure_rate']['rate']:.3f}")
    timings["total (analyse + organization report)"] = timings["analyse"] + timings["report (organization)"]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=300_000)
    parser.add_argument("--deployments", type=int, default=20_000)
    parser.add_argument("--baseline-prs", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scale = args.prs / args.baseline_prs
    baseline = run(args.baseline_prs, round(args.deployments / scale), args.repeat)
    large = run(args.prs, args.deployments, args.repeat)
    floor = large[REFERENCE] / baseline[REFERENCE]
    print(f"\n{'stage':<40}{'baseline s':>12}{'large s':>12}{'ratio':>8}{'÷ floor':>9}"
          f"   (linear: {scale:.1f})")
    for stage, seconds in large.items():
        ratio = seconds / baseline[stage]
        print(f"{stage:<40}{baseline[stage]:>12.3f}{seconds:>12.3f}{ratio:>8.2f}{ratio / floor:>9.2f}")


if __name__ == "__main__":
    main()
