"""The reference a report must equal: METRICS.md's pure computation over *every* stored fact, assembled in
plain Python from decrypted records (independently of the set-based queries under test)."""

from __future__ import annotations

from adometrics import domain as d
from adometrics.metrics import ancestry_from_comparisons, compute_report, first_review_times
from adometrics.reports import resolve
from adometrics.store import load
from adometrics.store.settings import production_patterns


def attempts(conn, keyring, org_id: str) -> list[d.DeploymentAttempt]:
    """METRICS.md §1's three sources, joined record by record."""
    releases = {(r.project_id, r.id): r for r in load(conn, keyring, d.Release, org_id)}
    builds = {(b.project_id, b.id): b for b in load(conn, keyring, d.Build, org_id)}
    environments = {(e.project_id, e.id): e.name for e in load(conn, keyring, d.Environment, org_id)}
    found = []
    for dep in load(conn, keyring, d.ClassicDeployment, org_id):
        release = releases.get((dep.project_id, dep.release_id))
        commits: dict[str, str] = {}
        for a in sorted(release.artifacts if release else (), key=lambda a: a.alias):
            if (a.type or "").casefold() == "build" and a.repo_id and a.source_version:
                commits.setdefault(a.repo_id, a.source_version)
        found.append(d.DeploymentAttempt(
            kind=d.DeploymentKind.CLASSIC, project_id=dep.project_id, id=dep.id,
            environment=dep.environment_name,
            status=dep.status, operation_status=dep.operation_status, finished_at=dep.completed_at,
            modified_at=dep.last_modified_at, commits_by_repo=commits))
    for rec in load(conn, keyring, d.EnvironmentDeployment, org_id):
        build = builds.get((rec.project_id, rec.build_id))
        known = build and build.repo_id and build.source_version
        commits = {build.repo_id: build.source_version} if known else {}
        found.append(d.DeploymentAttempt(
            kind=d.DeploymentKind.ENVIRONMENT, project_id=rec.project_id, id=rec.id,
            environment=environments.get((rec.project_id, rec.environment_id)), status=rec.result,
            finished_at=rec.finished_at, commits_by_repo=commits))
    pipelines = {(p.project_id, p.id): p for p in load(conn, keyring, d.BuildDefinition, org_id)
                 if p.is_deployment_pipeline}
    for build in builds.values():
        pipeline = pipelines.get((build.project_id, build.definition_id))
        if pipeline and build.status == "completed":
            commits = {build.repo_id: build.source_version} if build.repo_id and build.source_version else {}
            found.append(d.DeploymentAttempt(
                kind=d.DeploymentKind.BUILD, project_id=build.project_id, id=build.id,
                environment=pipeline.deployment_environment, status=build.result,
                finished_at=build.finished_at,
                commits_by_repo=commits))
    return found


def shipped(conn, keyring, org_id: str) -> list[d.ShippedCommits]:
    grouped: dict[tuple, set[str]] = {}
    for c in load(conn, keyring, d.DeploymentCommit, org_id):
        grouped.setdefault((c.deployment_kind, c.project_id, c.deployment_id, c.repo_id), set()).add(c.sha)
    return [d.ShippedCommits(kind=kind, project_id=project, deployment_id=dep_id, repo_id=repo,
                             shas=frozenset(shas)) for (kind, project, dep_id, repo), shas in grouped.items()]


def pull_requests(conn, keyring, org_id: str) -> list[d.PullRequestFacts]:
    prs = load(conn, keyring, d.PullRequest, org_id)
    earliest: dict[tuple, object] = {}
    for c in load(conn, keyring, d.PrCommit, org_id):
        key = (c.project_id, c.pr_id)
        if c.author_date is not None and (key not in earliest or c.author_date < earliest[key]):
            earliest[key] = c.author_date
    reviews = first_review_times(load(conn, keyring, d.ReviewEvent, org_id),
                                 {(pr.project_id, pr.id): pr.creator_id for pr in prs})
    return [d.PullRequestFacts(
        project_id=pr.project_id, repo_id=pr.repo_id, id=pr.id, creator_id=pr.creator_id,
        created_at=pr.created_at, closed_at=pr.closed_at, status=pr.status, merge_commit=pr.last_merge_commit,
        earliest_commit_at=earliest.get((pr.project_id, pr.id)),
        first_review_at=reviews.get((pr.project_id, pr.id)))
        for pr in prs]


class Reference:
    """Every fact of an organization, read once; :meth:`report` computes any scope and window from them."""

    def __init__(self, conn, keyring, organization: str) -> None:
        org_id = resolve(conn, organization).org_id
        self.attempts = attempts(conn, keyring, org_id)
        self.shipped = shipped(conn, keyring, org_id)
        self.is_ancestor = ancestry_from_comparisons(load(conn, keyring, d.DeploymentComparison, org_id))
        self.pull_requests = pull_requests(conn, keyring, org_id)
        self.patterns = production_patterns(conn, org_id)

    def report(self, conn, *, organization: str, window: d.Window, project: str | None = None,
               team: str | None = None, repository: str | None = None, benchmark: str = "2023") -> dict:
        target = resolve(conn, organization, project=project, team=team, repository=repository)
        return compute_report(
            scope=target.scope, window=window, attempts=self.attempts, shipped=self.shipped,
            is_ancestor=self.is_ancestor, pull_requests=self.pull_requests, benchmark=benchmark,
            production_patterns=self.patterns)


def reference_report(conn, keyring, **args) -> dict:
    """One report from all facts (reads them all: use :class:`Reference` for many reports)."""
    return Reference(conn, keyring, args["organization"]).report(conn, **args)
