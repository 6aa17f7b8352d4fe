"""Builds, classic releases and YAML environments: where deployments come from (METRICS.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .common import DeploymentKind, sensitive


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildDefinition:
    """A pipeline. ``is_deployment_pipeline`` and ``deployment_environment`` are user settings (opt-in,
    METRICS.md §1.3): the store sets them when a definition is first seen; a sync never overwrites them.
    """

    org_id: str
    project_id: str
    id: int
    name: str
    path: str | None = None
    repo_id: str | None = None
    is_deployment_pipeline: bool = False
    deployment_environment: str | None = None  # None means "production"


@dataclass(frozen=True, slots=True, kw_only=True)
class Build:
    org_id: str
    project_id: str
    id: int
    definition_id: int
    repo_id: str | None = None
    source_branch: str | None = sensitive(default=None)
    source_version: str | None = None
    reason: str | None = None
    status: str | None = None
    result: str | None = None
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    pr_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseEnvironmentDef:
    """A stage of a release definition (``definitionEnvironmentId`` in deployments)."""

    id: int
    name: str
    rank: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseDefinition:
    org_id: str
    project_id: str
    id: int
    name: str
    path: str | None = None
    environments: tuple[ReleaseEnvironmentDef, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseArtifact:
    """An artifact of a release; Build artifacts tell which commit a classic deployment deployed."""

    alias: str
    type: str | None = None               # "Build", "Git", ...
    build_id: int | None = None
    build_definition_id: int | None = None
    repo_id: str | None = None
    source_version: str | None = None
    branch: str | None = sensitive(default=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Release:
    org_id: str
    project_id: str
    id: int
    definition_id: int
    name: str | None = None
    created_at: datetime | None = None
    artifacts: tuple[ReleaseArtifact, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassicDeployment:
    """One classic release deployment (one per deployment id: a redeploy is another attempt)."""

    org_id: str
    project_id: str
    id: int
    release_id: int
    release_definition_id: int | None = None
    environment_id: int | None = None             # releaseEnvironment.id (per release)
    definition_environment_id: int | None = None  # the stage of the definition
    environment_name: str
    attempt: int | None = None
    status: str | None = None                     # deploymentStatus
    operation_status: str | None = None
    queued_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    last_modified_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Environment:
    """A YAML pipelines environment."""

    org_id: str
    project_id: str
    id: int
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvironmentDeployment:
    """An environment deployment execution record; ``build_id`` is its owner run."""

    org_id: str
    project_id: str
    id: int
    environment_id: int
    build_id: int | None = None
    definition_id: int | None = None
    stage_name: str | None = None
    stage_attempt: int | None = None
    result: str | None = None
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeploymentCommit:
    """A commit a successful deployment shipped: reachable from its commit, not from the previous one's."""

    org_id: str
    project_id: str
    deployment_kind: DeploymentKind
    deployment_id: int
    repo_id: str
    sha: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeploymentComparison:
    """The outcome of comparing a deployment's commit with the previous one's, per repository.

    It records that the comparison was made (even with no new commits), against which base, and whether
    the deployed commit is a strict ancestor of the base (a rollback, METRICS.md §1).
    """

    org_id: str
    project_id: str
    deployment_kind: DeploymentKind
    deployment_id: int
    repo_id: str
    deployed_sha: str
    base_sha: str | None = None           # None for the first deployment to the repository and environment
    commit_count: int = 0
    is_ancestor_of_base: bool | None = None
