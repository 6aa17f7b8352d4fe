"""How each domain record maps onto its table: natural key, encrypted fields, user settings, nested records.

One declarative :class:`Spec` per record type drives both directions (:mod:`.upsert` writes, :mod:`.read`
loads), so a field cannot be encrypted on the way in and forgotten on the way out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from sqlalchemy import Table

from .. import domain as d
from . import schema as s


@dataclass(frozen=True)
class Sealed:
    """An encrypted field; ``index`` names its blind-index kind ("branch", "email") when lookups need it."""

    field: str
    index: str | None = None

    @property
    def enc(self) -> str:
        return f"{self.field}_enc"

    @property
    def bidx(self) -> str:
        return f"{self.field}_bidx"


@dataclass(frozen=True, eq=False)
class Spec:
    """The mapping of one record type. ``key`` lists columns, tenant (organization) first."""

    entity: str
    record: type
    table: Table
    key: tuple[str, ...]
    sealed: tuple[Sealed, ...] = ()
    insert_only: tuple[str, ...] = ()       # user settings: written on insert, never overwritten by a sync
    context: tuple[tuple[str, str], ...] = ()  # nested records: (column, field of the parent record)
    children: tuple[tuple[str, Spec], ...] = ()  # (tuple-valued field, spec of its items)
    enums: dict[str, type[StrEnum]] = field(default_factory=dict)
    tuples: tuple[str, ...] = ()            # tuple[str, ...] fields stored as space-separated text

    @cached_property
    def plain_fields(self) -> tuple[str, ...]:
        skip = {x.field for x in self.sealed} | {name for name, _ in self.children}
        return tuple(f.name for f in dataclasses.fields(self.record) if f.name not in skip)

    @cached_property
    def has_digest(self) -> bool:
        return "row_digest" in self.table.c

    @cached_property
    def digest_columns(self) -> tuple[str, ...]:
        """Columns whose values a sync writes (so a change must rewrite the row)."""
        return tuple(c for c, _ in self.context) + tuple(
            f for f in self.plain_fields if f not in self.insert_only)

    @cached_property
    def update_columns(self) -> tuple[str, ...]:
        keep = set(self.key) | set(self.insert_only)
        return tuple(c.name for c in self.table.c if c.name not in keep)

    @cached_property
    def identity_fields(self) -> tuple[str, ...]:
        """Record fields (or context columns) that make the natural key; sealed key parts use plaintext."""
        by_bidx = {x.bidx: x.field for x in self.sealed}
        return tuple(by_bidx.get(k, k) for k in self.key)


_BRANCH, _EMAIL = "branch", "email"

_ENV_DEF = Spec("release_definition_environments", d.ReleaseEnvironmentDef, s.release_definition_environments,
                ("org_id", "project_id", "definition_id", "id"),
                context=(("org_id", "org_id"), ("project_id", "project_id"), ("definition_id", "id")))
_ARTIFACT = Spec("release_artifacts", d.ReleaseArtifact, s.release_artifacts,
                 ("org_id", "project_id", "release_id", "alias"), sealed=(Sealed("branch", _BRANCH),),
                 context=(("org_id", "org_id"), ("project_id", "project_id"), ("release_id", "id")))
_PR = ("org_id", "project_id", "pr_id")
_DEPLOYMENT = ("org_id", "project_id", "deployment_kind", "deployment_id", "repo_id")
_KIND = {"deployment_kind": d.DeploymentKind}

# In dependency order: organizations first (every table's foreign key points at them).
SPECS: tuple[Spec, ...] = (
    Spec("organizations", d.Organization, s.organizations, ("id",), enums={"kind": d.ConnectionKind}),
    Spec("connections", d.Connection, s.connections, ("org_id",), sealed=(Sealed("credential"),),
         enums={"health": d.Health}),
    Spec("projects", d.Project, s.projects, ("org_id", "id")),
    Spec("teams", d.Team, s.teams, ("org_id", "id")),
    Spec("team_members", d.TeamMember, s.team_members, ("org_id", "team_id", "identity_id")),
    Spec("users", d.User, s.users, ("org_id", "id"), sealed=(Sealed("email", _EMAIL),)),
    Spec("repositories", d.Repository, s.repositories, ("org_id", "id"),
         sealed=(Sealed("default_branch", _BRANCH),)),
    Spec("refs", d.Ref, s.refs, ("org_id", "repo_id", "name_bidx"), sealed=(Sealed("name", _BRANCH),)),
    Spec("commits", d.Commit, s.commits, ("org_id", "repo_id", "sha"),
         sealed=(Sealed("author_email", _EMAIL),), tuples=("parents",)),
    Spec("pull_requests", d.PullRequest, s.pull_requests, ("org_id", "project_id", "id"),
         sealed=(Sealed("title"), Sealed("source_branch", _BRANCH), Sealed("target_branch", _BRANCH))),
    Spec("pr_reviewers", d.Reviewer, s.pr_reviewers, (*_PR, "identity_id")),
    Spec("pr_review_events", d.ReviewEvent, s.pr_review_events, (*_PR, "thread_id", "comment_id"),
         enums={"kind": d.ReviewEventKind}),
    Spec("pr_iterations", d.PrIteration, s.pr_iterations, (*_PR, "id")),
    Spec("pr_commits", d.PrCommit, s.pr_commits, (*_PR, "sha")),
    Spec("pr_statuses", d.PrStatus, s.pr_statuses, (*_PR, "id")),
    Spec("build_definitions", d.BuildDefinition, s.build_definitions, ("org_id", "project_id", "id"),
         insert_only=("is_deployment_pipeline", "deployment_environment")),
    Spec("builds", d.Build, s.builds, ("org_id", "project_id", "id"),
         sealed=(Sealed("source_branch", _BRANCH),)),
    Spec("release_definitions", d.ReleaseDefinition, s.release_definitions, ("org_id", "project_id", "id"),
         children=(("environments", _ENV_DEF),)),
    Spec("releases", d.Release, s.releases, ("org_id", "project_id", "id"),
         children=(("artifacts", _ARTIFACT),)),
    Spec("classic_deployments", d.ClassicDeployment, s.classic_deployments, ("org_id", "project_id", "id")),
    Spec("environments", d.Environment, s.environments, ("org_id", "project_id", "id")),
    Spec("environment_deployments", d.EnvironmentDeployment, s.environment_deployments,
         ("org_id", "project_id", "id")),
    Spec("deployment_commits", d.DeploymentCommit, s.deployment_commits, (*_DEPLOYMENT, "sha"), enums=_KIND),
    Spec("deployment_comparisons", d.DeploymentComparison, s.deployment_comparisons, _DEPLOYMENT,
         enums=_KIND),
    Spec("sync_checkpoints", d.SyncCheckpoint, s.sync_checkpoints, ("org_id", "stream", "scope")),
)

CHILD_SPECS: tuple[Spec, ...] = (_ENV_DEF, _ARTIFACT)
_BY_TYPE = {spec.record: spec for spec in SPECS}


def spec_for(record_type: type) -> Spec:
    """The mapping of a top-level record type (nested records travel with their parent)."""
    try:
        return _BY_TYPE[record_type]
    except KeyError:
        raise TypeError(f"{record_type.__name__} is not a stored record type") from None
