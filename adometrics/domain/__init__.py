"""Provider-neutral records of everything adometrics collects; stdlib only (ARCHITECTURE §2)."""

from __future__ import annotations

from .checkpoints import SyncCheckpoint
from .common import ConnectionKind, DeploymentKind, Health, ReviewEventKind, sensitive, sensitive_fields
from .facts import DeploymentAttempt, DeploymentKey, PullRequestFacts, Scope, ShippedCommits, Window
from .git import Commit, Ref, Repository
from .organization import Connection, Organization, Project, Team, TeamMember, User
from .pipelines import (
    Build,
    BuildDefinition,
    ClassicDeployment,
    DeploymentCommit,
    DeploymentComparison,
    Environment,
    EnvironmentDeployment,
    Release,
    ReleaseArtifact,
    ReleaseDefinition,
    ReleaseEnvironmentDef,
)
from .pulls import PrCommit, PrIteration, PrStatus, PullRequest, Reviewer, ReviewEvent

__all__ = [
    "Build",
    "BuildDefinition",
    "ClassicDeployment",
    "Commit",
    "Connection",
    "ConnectionKind",
    "DeploymentAttempt",
    "DeploymentCommit",
    "DeploymentComparison",
    "DeploymentKey",
    "DeploymentKind",
    "Environment",
    "EnvironmentDeployment",
    "Health",
    "Organization",
    "PrCommit",
    "PrIteration",
    "PrStatus",
    "Project",
    "PullRequest",
    "PullRequestFacts",
    "Ref",
    "Release",
    "ReleaseArtifact",
    "ReleaseDefinition",
    "ReleaseEnvironmentDef",
    "Repository",
    "ReviewEvent",
    "ReviewEventKind",
    "Reviewer",
    "Scope",
    "ShippedCommits",
    "SyncCheckpoint",
    "Team",
    "TeamMember",
    "User",
    "Window",
    "sensitive",
    "sensitive_fields",
]
