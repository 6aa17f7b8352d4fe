"""Fill a store straight from a simulated organization, without HTTP: the records a complete sync would
store for the metrics (refs, commits, reviewers, iterations and statuses are left out).

Used by the report tests (tiny and small) and by ``bench/bench_metrics.py`` (large, where a sync over
HTTP would take far too long). Deployment comparisons are computed as the sync computes them — per
repository and environment, each successful deployment against the previous one — but with the
simulator's commit graph instead of ADO's commit-range API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from adometrics import domain as d
from adometrics.fake_ado.scenario import views
from adometrics.store import upsert

SUCCESS = {"classic": {"succeeded", "partiallysucceeded"},
           "environment": {"succeeded", "succeededwithissues"}}
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
BATCH = 20_000


def guid(value: str) -> str:
    """The canonical id the connector's parser makes (lower case, hyphenated)."""
    compact = value.strip("{}").replace("-", "").lower()
    if not _HEX32.match(compact):
        return value
    return f"{compact[:8]}-{compact[8:12]}-{compact[12:16]}-{compact[16:20]}-{compact[20:]}"


def camel(text: str | None) -> str | None:
    """ADO enums in the parser's spelling (``PhaseFailed`` → ``phaseFailed``)."""
    return text[0].lower() + text[1:] if text else text


@dataclass(frozen=True, slots=True)
class Success:
    """A successful deployment of one repository (what the sync compares)."""

    kind: d.DeploymentKind
    id: int
    project_id: str
    repo_id: str
    environment: str
    finished: object
    sha: str


def organization_records(world) -> list:
    org = world.organization_id
    out: list = [d.Organization(id=org, name=world.organization, url=f"http://simulator/{world.organization}")]
    for u in world.users():
        out.append(d.User(org_id=org, id=guid(u.identity.id), display_name=u.identity.display_name,
                          email=u.identity.unique_name, license=u.license_display_name, status=u.status,
                          last_accessed_at=u.last_accessed))
    for p in world.projects():
        out.append(d.Project(org_id=org, id=p.id, name=p.name))
        for t in world.teams(p.id):
            out.append(d.Team(org_id=org, project_id=p.id, id=t.id, name=t.name))
            for member in dict.fromkeys(t.member_ids):
                identity = world.identity(member)
                out.append(d.TeamMember(org_id=org, team_id=t.id, identity_id=guid(member),
                                        is_group=identity is not None and identity.kind == "group",
                                        is_admin=member in t.admin_ids))
        out += [d.BuildDefinition(org_id=org, project_id=p.id, id=b.id, name=b.name, path=b.path,
                                  repo_id=b.repository_id) for b in world.build_definitions(p.id)]
        for r in world.release_definitions(p.id):
            stages = tuple(d.ReleaseEnvironmentDef(id=e.id, name=e.name, rank=e.rank) for e in r.environments)
            out.append(d.ReleaseDefinition(org_id=org, project_id=p.id, id=r.id, name=r.name, path=r.path,
                                           environments=stages))
        out += [d.Environment(org_id=org, project_id=p.id, id=e.id, name=e.name)
                for e in world.environments(p.id)]
    out += [d.Repository(org_id=org, project_id=r.project_id, id=r.id, name=r.name,
                         default_branch=r.default_branch, is_disabled=r.is_disabled)
            for r in world.repositories()]
    return out


def pipeline_records(world, project_id: str) -> tuple[list, list[Success]]:
    """Builds, releases, classic deployments and environment records of a project, and its successes."""
    org, now = world.organization_id, world.now
    out: list = []
    commit_of: dict[int, tuple[str, str]] = {}
    for b in world.builds(project_id):
        status, result, finished = views.build_state(b, now)
        if status == "notStarted":
            continue
        commit_of[b.id] = (b.repository_id, b.source_version)
        out.append(d.Build(org_id=org, project_id=project_id, id=b.id, definition_id=b.definition_id,
                           repo_id=b.repository_id, source_branch=b.source_branch,
                           source_version=b.source_version, reason=b.reason, status=status, result=result,
                           queued_at=b.queued, started_at=b.started, finished_at=finished,
                           pr_id=b.pull_request_id))
    artifacts: dict[int, list[tuple[str, str]]] = {}
    for r in world.releases(project_id):
        artifacts[r.id] = [(a.repository_id, a.source_version) for a in r.artifacts]
        out.append(d.Release(org_id=org, project_id=project_id, id=r.id, definition_id=r.definition_id,
                             name=r.name, created_at=r.created, artifacts=tuple(
                                 d.ReleaseArtifact(alias=a.alias, type="Build", build_id=a.build_id,
                                                   build_definition_id=a.build_definition_id,
                                                   repo_id=a.repository_id, source_version=a.source_version,
                                                   branch=a.source_branch) for a in r.artifacts)))
    successes = [*_classic(world, project_id, artifacts, out), *_records(world, project_id, commit_of, out)]
    return out, successes


def _classic(world, project_id: str, artifacts, out: list) -> Iterator[Success]:
    org, now = world.organization_id, world.now
    for dep in world.deployments(project_id):
        status, operation, completed = views.deployment_state(dep, now)
        out.append(d.ClassicDeployment(
            org_id=org, project_id=project_id, id=dep.id, release_id=dep.release_id,
            release_definition_id=dep.definition_id, environment_id=dep.release_environment_id,
            definition_environment_id=dep.definition_environment_id, environment_name=dep.environment_name,
            attempt=dep.attempt, status=camel(status), operation_status=camel(operation),
            queued_at=dep.queued,
            started_at=dep.started if dep.started <= now else None, completed_at=completed,
            last_modified_at=completed or dep.queued))
        if status.casefold() in SUCCESS["classic"]:
            for repo, sha in artifacts.get(dep.release_id, ()):
                yield Success(d.DeploymentKind.CLASSIC, dep.id, project_id, repo, dep.environment_name,
                              completed, sha)


def _records(world, project_id: str, commit_of, out: list) -> Iterator[Success]:
    org, now = world.organization_id, world.now
    for env in world.environments(project_id):
        for rec in world.deployment_records(env.id):
            result, finished = views.record_state(rec, now)
            out.append(d.EnvironmentDeployment(
                org_id=org, project_id=project_id, id=rec.id, environment_id=env.id, build_id=rec.build_id,
                definition_id=rec.definition_id, stage_name=rec.stage_name, stage_attempt=rec.stage_attempt,
                result=result, queued_at=rec.queued, started_at=rec.started, finished_at=finished))
            owner = commit_of.get(rec.build_id)
            if result and result.casefold() in SUCCESS["environment"] and owner:
                yield Success(d.DeploymentKind.ENVIRONMENT, rec.id, project_id, owner[0], env.name, finished,
                              owner[1])


def pr_records(world, repo_id: str) -> list:
    """PRs of a repository with their commits' author dates and their review events."""
    org, now = world.organization_id, world.now
    out: list = []
    for summary in world.pull_request_index(repository_id=repo_id):
        pr = world.pull_request(summary.id)
        author = guid(pr.created_by_id)
        out.append(d.PullRequest(
            org_id=org, project_id=pr.project_id, repo_id=repo_id, id=pr.id, creator_id=author,
            created_at=pr.created, closed_at=views.pr_closed(pr, now), status=views.pr_status(pr, now),
            is_draft=views.pr_is_draft(pr, now), title=pr.title, source_branch=pr.source_ref,
            target_branch=pr.target_ref, merge_strategy=pr.merge_strategy,
            last_merge_source_commit=views.last_merge_source(pr, now),
            last_merge_target_commit=views.last_merge_target(pr, now),
            last_merge_commit=views.last_merge_commit(pr, now)))
        for sha in dict.fromkeys(views.pr_commit_shas(pr, now)):
            commit = world.commit(repo_id, sha)
            out.append(d.PrCommit(org_id=org, project_id=pr.project_id, pr_id=pr.id, sha=sha,
                                  author_date=commit.author.date if commit else None))
        out += review_events(world, pr, author)
    return out


def review_events(world, pr, author: str) -> list[d.ReviewEvent]:
    """What the connector's parser keeps of the visible threads (the author's own events dropped)."""
    org, found = world.organization_id, []
    base = {"org_id": org, "project_id": pr.project_id, "pr_id": pr.id}
    for th in views.visible_threads(pr, world.now):
        if th.is_system:
            props = th.properties
            if props.get("CodeReviewThreadType", (None, None))[1] != "VoteUpdate":
                continue
            vote, voter = int(props["CodeReviewVoteResult"][1]), guid(props["CodeReviewVotedByTfId"][1])
            if vote and voter != author:
                found.append(d.ReviewEvent(**base, thread_id=th.id, actor_id=voter, at=th.published,
                                           kind=d.ReviewEventKind.VOTE, vote=vote))
            continue
        for c in th.comments:
            identity = world.identity(c.author_id)
            if c.comment_type == "text" and guid(c.author_id) != author:
                found.append(d.ReviewEvent(**base, thread_id=th.id, comment_id=c.id,
                                           actor_id=guid(c.author_id), at=c.published,
                                           kind=d.ReviewEventKind.COMMENT,
                                           actor_is_user=identity is not None and identity.kind == "user"))
    return found


def comparison_records(world, org_id: str, successes: Iterable[Success]) -> list:
    """Per repository and environment (case-folded), each success against the previous one."""
    streams: dict[tuple[str, str], list[Success]] = {}
    for s in successes:
        if s.finished is not None:
            streams.setdefault((s.repo_id, s.environment.casefold()), []).append(s)
    out: list = []
    for (repo_id, _), stream in sorted(streams.items()):
        stream.sort(key=lambda s: (s.finished, s.id, s.kind.value))
        reach = Reach(lambda sha, repo_id=repo_id: world.commit(repo_id, sha))
        base = None
        for s in stream:
            new = reach.advance(s.sha)
            out.append(d.DeploymentComparison(
                org_id=org_id, project_id=s.project_id, deployment_kind=s.kind, deployment_id=s.id,
                repo_id=repo_id, deployed_sha=s.sha, base_sha=base, commit_count=len(new),
                is_ancestor_of_base=None if base is None else (not new and base != s.sha)))
            out += [d.DeploymentCommit(org_id=org_id, project_id=s.project_id, deployment_kind=s.kind,
                                       deployment_id=s.id, repo_id=repo_id, sha=sha) for sha in sorted(new)]
            base = s.sha
    return out


class Reach:
    """The commits reachable from the last deployed commit, kept across a stream: moving forward costs only
    the new commits; anything else (a rollback, a divergence) recomputes."""

    def __init__(self, lookup: Callable) -> None:
        self.lookup, self.head, self.seen = lookup, None, set()

    def _walk(self, sha: str, stop: set[str]) -> set[str]:
        found, todo = set(), [sha]
        while todo:
            current = todo.pop()
            if current in found or current in stop:
                continue
            commit = self.lookup(current)
            if commit is None:
                continue
            found.add(current)
            todo.extend(commit.parents)
        return found

    def advance(self, sha: str) -> set[str]:
        """git's ``sha ^head``, then move the head to ``sha``."""
        new = self._walk(sha, self.seen)
        if self.head is None or (self.head in self.seen and self._reaches(sha, new)):
            self.seen |= new
        else:
            self.seen = self._walk(sha, set())
        self.head = sha
        return new

    def _reaches(self, sha: str, new: set[str]) -> bool:
        """Does ``sha`` reach the old head? Then reach(sha) = reach(head) ∪ new."""
        return sha == self.head or any(self.head in self.lookup(c).parents for c in new)


def load_world(engine, keyring, world, note: Callable[[str], None] = lambda _: None) -> str:
    """Write the organization into the store, a project and a repository at a time; returns its id."""
    org = world.organization_id
    _write(engine, keyring, organization_records(world))
    for project in world.projects():
        records, successes = pipeline_records(world, project.id)
        _write(engine, keyring, records)
        by_repo: dict[str, list[Success]] = {}
        for s in successes:
            by_repo.setdefault(s.repo_id, []).append(s)
        for repo in world.repositories(project.id):
            _write(engine, keyring, pr_records(world, repo.id))
            _write(engine, keyring, comparison_records(world, org, by_repo.pop(repo.id, [])))
        for leftover in by_repo.values():  # deployed repositories of other projects
            _write(engine, keyring, comparison_records(world, org, leftover))
        note(f"loaded project {project.name}")
    return org


def _write(engine, keyring, records: list) -> None:
    for at in range(0, len(records), BATCH):
        with engine.begin() as conn:
            upsert(conn, keyring, records[at:at + BATCH])
