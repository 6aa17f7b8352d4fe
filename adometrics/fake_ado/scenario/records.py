"""``RecordWorld``: a World over explicit lists of records (generated tiny/small, or hand-written in tests).

Records carry their whole timeline; every query filters them as of ``now`` (see ``views.py``). Activity
events are derived from the records on the first ``advance``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import events as ev
from . import views
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
from .revwalk import walk


def norm_id(value: str) -> str:
    """Identity ids compare case-insensitively and with or without hyphens."""
    return value.replace("-", "").lower()


def summary(pr: PullRequest) -> PullRequestSummary:
    return PullRequestSummary(
        pr.id, pr.repository_id, pr.project_id, pr.created_by_id, pr.created, pr.closed, pr.final_status
    )


def resolve(refs: Callable[[], Iterable[tuple[Ref, str]]], commit, version: str,
            version_type: str) -> str | None:
    """Branch (short or full), tag or commit id -> commit id; ``commit(sha)`` says whether it is visible.
    ``refs()`` is only called for branches and tags: listing a large repository's refs is costly, and a
    deployment comparison resolves two commit ids."""
    kind = (version_type or "branch").lower()
    if kind == "commit":
        return version.lower() if commit(version.lower()) else None
    prefix = "refs/tags/" if kind == "tag" else "refs/heads/"
    full = version if version.startswith("refs/") else prefix + version
    for ref, sha in refs():
        if ref.name == full:
            return sha
    return None


@dataclass
class RecordWorld:
    """An in-memory World. Lists may be given in any order; queries sort and filter as of ``now``."""

    organization: str
    organization_id: str
    now: datetime
    history_start: datetime
    identities: list[Identity] = field(default_factory=list)
    user_list: list[User] = field(default_factory=list)
    project_list: list[Project] = field(default_factory=list)
    team_list: list[Team] = field(default_factory=list)
    repository_list: list[Repository] = field(default_factory=list)
    ref_lists: dict[str, list[Ref]] = field(default_factory=dict)  # repository id -> refs
    commit_maps: dict[str, dict[str, Commit]] = field(default_factory=dict)  # repository id -> sha -> commit
    push_lists: dict[str, list[Push]] = field(default_factory=dict)  # repository id -> pushes
    pull_requests: list[PullRequest] = field(default_factory=list)
    build_definition_list: list[BuildDefinition] = field(default_factory=list)
    build_list: list[Build] = field(default_factory=list)
    timelines: dict[int, list[TimelineRecord]] = field(default_factory=dict)
    release_definition_list: list[ReleaseDefinition] = field(default_factory=list)
    release_list: list[Release] = field(default_factory=list)
    deployment_list: list[Deployment] = field(default_factory=list)
    environment_list: list[Environment] = field(default_factory=list)
    record_list: list[EnvironmentDeploymentRecord] = field(default_factory=list)
    _events: list[ActivityEvent] | None = field(default=None, init=False, repr=False)
    _generations: dict[str, dict[str, int]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild lookups and orderings after the record lists were changed in place."""
        self._events = None
        self._identities = {norm_id(i.id): i for i in self.identities}
        for u in self.user_list:
            self._identities.setdefault(norm_id(u.identity.id), u.identity)
        self._prs = {pr.id: pr for pr in self.pull_requests}
        self.pull_requests.sort(key=lambda pr: pr.id)
        self.build_list.sort(key=lambda b: b.id)
        self._builds = {b.id: b for b in self.build_list}
        self.release_list.sort(key=lambda r: r.id)
        self._releases = {r.id: r for r in self.release_list}
        self.deployment_list.sort(key=lambda d: d.id)
        self.record_list.sort(key=lambda r: r.id)

    # -- time ---------------------------------------------------------------------------------------
    def advance(self, delta: timedelta) -> list[ActivityEvent]:
        if self._events is None:
            self._events = self._derive_events()
        old, self.now = self.now, self.now + delta
        times = [e.at for e in self._events]
        return self._events[bisect_right(times, old) : bisect_right(times, self.now)]

    def _derive_events(self) -> list[ActivityEvent]:
        out: list[ActivityEvent] = []
        for pr in self.pull_requests:
            out.extend(ev.pr_events(pr))
        projects = {r.id: r.project_id for r in self.repository_list}
        for repo_id, pushes in self.push_lists.items():
            out.extend(ev.push_event(p, projects.get(repo_id, "")) for p in pushes)
        out.extend(ev.build_event(b) for b in self.build_list)
        repo_of_release = {
            r.id: (r.artifacts[0].repository_id if r.artifacts else None) for r in self.release_list
        }
        out.extend(ev.deployment_event(d, repo_of_release.get(d.release_id)) for d in self.deployment_list)
        return ev.sort_events(out)

    # -- organization -------------------------------------------------------------------------------
    def projects(self) -> Sequence[Project]:
        return [p for p in self.project_list if p.created <= self.now]

    def project(self, id_or_name: str) -> Project | None:
        key = id_or_name.lower()
        for p in self.projects():
            if p.id == key or p.name.lower() == key:
                return p
        return None

    def teams(self, project_id: str) -> Sequence[Team]:
        return [t for t in self.team_list if t.project_id == project_id]

    def identity(self, identity_id: str) -> Identity | None:
        return self._identities.get(norm_id(identity_id))

    def users(self) -> Sequence[User]:
        return [u for u in self.user_list if u.date_created <= self.now]

    # -- git ----------------------------------------------------------------------------------------
    def repositories(self, project_id: str | None = None) -> Sequence[Repository]:
        return [
            r
            for r in self.repository_list
            if r.created <= self.now and (project_id is None or r.project_id == project_id)
        ]

    def repository(self, id_or_name: str, project_id: str | None = None) -> Repository | None:
        key = id_or_name.lower()
        for r in self.repositories(project_id):
            if r.id == key or r.name.lower() == key:
                return r
        return None

    def refs(self, repository_id: str) -> Sequence[tuple[Ref, str]]:
        out = []
        for ref in self.ref_lists.get(repository_id, []):
            sha = views.ref_object(ref, self.now)
            if sha is not None:
                out.append((ref, sha))
        out.sort(key=lambda pair: pair[0].name)
        return out

    def commit(self, repository_id: str, sha: str) -> Commit | None:
        c = self.commit_maps.get(repository_id, {}).get(sha.lower())
        return c if c is not None and c.pushed_at <= self.now else None

    def commits(self, repository_id: str, include: str, exclude: str | None = None) -> Sequence[Commit]:
        table = self.commit_maps.get(repository_id, {})
        now = self.now
        return walk(
            table.get, include.lower(), exclude.lower() if exclude else None, lambda c: c.pushed_at <= now,
            self._generations.setdefault(repository_id, {}),
        )

    def resolve_version(self, repository_id: str, version: str, version_type: str) -> str | None:
        return resolve(
            lambda: self.refs(repository_id), lambda sha: self.commit(repository_id, sha), version,
            version_type,
        )

    def pushes(self, repository_id: str) -> Sequence[Push]:
        found = [p for p in self.push_lists.get(repository_id, []) if p.date <= self.now]
        found.sort(key=lambda p: p.id, reverse=True)
        return found

    # -- pull requests ------------------------------------------------------------------------------
    def pull_request_index(
        self, project_id: str | None = None, repository_id: str | None = None
    ) -> Sequence[PullRequestSummary]:
        return [
            summary(pr)
            for pr in reversed(self.pull_requests)
            if pr.created <= self.now
            and (project_id is None or pr.project_id == project_id)
            and (repository_id is None or pr.repository_id == repository_id)
        ]

    def pull_request(self, pr_id: int) -> PullRequest | None:
        pr = self._prs.get(pr_id)
        return pr if pr is not None and pr.created <= self.now else None

    # -- builds -------------------------------------------------------------------------------------
    def build_definitions(self, project_id: str) -> Sequence[BuildDefinition]:
        return [d for d in self.build_definition_list if d.project_id == project_id and d.created <= self.now]

    def builds(self, project_id: str) -> Sequence[Build]:
        return [b for b in self.build_list if b.project_id == project_id and b.queued <= self.now]

    def build(self, build_id: int) -> Build | None:
        b = self._builds.get(build_id)
        return b if b is not None and b.queued <= self.now else None

    def timeline(self, build_id: int) -> Sequence[TimelineRecord]:
        return self.timelines.get(build_id, []) if self.build(build_id) is not None else []

    # -- classic releases ---------------------------------------------------------------------------
    def release_definitions(self, project_id: str) -> Sequence[ReleaseDefinition]:
        return [
            d for d in self.release_definition_list if d.project_id == project_id and d.created <= self.now
        ]

    def releases(self, project_id: str) -> Sequence[Release]:
        return [r for r in self.release_list if r.project_id == project_id and r.created <= self.now]

    def release(self, release_id: int) -> Release | None:
        r = self._releases.get(release_id)
        return r if r is not None and r.created <= self.now else None

    def deployments(self, project_id: str) -> Sequence[Deployment]:
        return [d for d in self.deployment_list if d.project_id == project_id and d.queued <= self.now]

    # -- YAML environments --------------------------------------------------------------------------
    def environments(self, project_id: str) -> Sequence[Environment]:
        return [e for e in self.environment_list if e.project_id == project_id and e.created <= self.now]

    def deployment_records(self, environment_id: int) -> Sequence[EnvironmentDeploymentRecord]:
        return [r for r in self.record_list if r.environment_id == environment_id and r.started <= self.now]
