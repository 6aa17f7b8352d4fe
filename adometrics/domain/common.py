"""Shared vocabulary of the records: the sensitive-field marker and the small enumerations."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Any

SENSITIVE = "sensitive"


def sensitive(**kwargs: Any) -> Any:
    """Mark a field the store must encrypt at rest (ARCHITECTURE §1.2); the domain keeps it a plain str."""
    return dataclasses.field(metadata={SENSITIVE: True}, **kwargs)


def sensitive_fields(record_type: type) -> tuple[str, ...]:
    """Names of the fields of a record type marked :func:`sensitive`, so the store can check its mapping."""
    return tuple(f.name for f in dataclasses.fields(record_type) if f.metadata.get(SENSITIVE))


class ConnectionKind(StrEnum):
    """Azure DevOps Services (``dev.azure.com``) or an Azure DevOps Server collection."""

    CLOUD = "cloud"
    SERVER = "server"


class Health(StrEnum):
    """What ``adometrics connections`` shows; ``broken`` always comes with a human reason."""

    HEALTHY = "healthy"
    SYNCING = "syncing"
    BROKEN = "broken"


class ReviewEventKind(StrEnum):
    """The two kinds of review activity METRICS.md §3 counts."""

    VOTE = "vote"
    COMMENT = "comment"


class DeploymentKind(StrEnum):
    """The three sources of a deployment attempt (METRICS.md §1)."""

    CLASSIC = "classic"          # release/deployments
    ENVIRONMENT = "environment"  # YAML environment deployment records
    BUILD = "build"              # completed build of a pipeline marked as a deployment pipeline
