"""Who and what is connected: organizations, their connection, projects, teams and users.

Every record carries ``org_id``, the organization's stable id (ADO's collection instance id where known),
never a connection id: reconnecting with another owner must find the same rows (ARCHITECTURE §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .common import ConnectionKind, Health, sensitive


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    """An Azure DevOps organization (cloud) or project collection (Server)."""

    id: str
    name: str
    url: str
    kind: ConnectionKind = ConnectionKind.CLOUD


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    """How we reach an organization (one per organization) and whether that currently works."""

    org_id: str
    identity_id: str | None = None        # the connecting identity (a user or a service account)
    identity_name: str | None = None
    auth_method: str = "pat"              # "pat" or "oauth"
    health: Health = Health.HEALTHY
    health_reason: str | None = None      # set when broken: what failed and what to do
    last_sync_at: datetime | None = None
    credential: str | None = sensitive(default=None, repr=False)  # PAT or serialized token cache


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    org_id: str
    id: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Team:
    org_id: str
    project_id: str
    id: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamMember:
    """Membership of a user or a group in a team; team scope ignores groups (METRICS.md §4)."""

    org_id: str
    team_id: str
    identity_id: str
    is_group: bool = False
    is_admin: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A user entitlement of the organization; ``id`` is the identity id used in identity refs."""

    org_id: str
    id: str
    display_name: str
    email: str | None = sensitive(default=None)
    license: str | None = None            # access level, e.g. "Basic", "Stakeholder"
    status: str | None = None             # entitlement status, e.g. "active", "disabled"
    last_accessed_at: datetime | None = None
