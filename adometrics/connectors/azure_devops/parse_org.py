"""Parsers for the organization's shape: projects, teams, team members, user entitlements (ENDPOINTS §2–3)."""

from __future__ import annotations

from typing import Any

from adometrics.domain import Project, Team, TeamMember, User

from .parse_common import (
    MalformedRecord,
    as_bool,
    as_str,
    enum_value,
    identity_is_group,
    obj,
    optional_date,
    required_guid,
    required_str,
    sub,
)


def parse_project(raw: Any, org_id: str) -> Project:
    """TeamProjectReference → Project (id and name only; descriptions are free text)."""
    raw = obj(raw, "project")
    return Project(org_id=org_id, id=required_guid(raw, "id"), name=required_str(raw, "name"))


def parse_team(raw: Any, org_id: str, project_id: str) -> Team:
    """WebApiTeam → Team; ``projectId`` wins over the caller's project when present."""
    raw = obj(raw, "team")
    project = required_guid(raw, "projectId") if raw.get("projectId") else project_id
    return Team(org_id=org_id, project_id=project, id=required_guid(raw, "id"),
                name=required_str(raw, "name"))


def parse_team_member(raw: Any, org_id: str, team_id: str) -> TeamMember:
    """``{identity, isTeamAdmin}`` → TeamMember; groups are kept and flagged (team scope ignores them)."""
    raw = obj(raw, "team member")
    identity = sub(raw, "identity")
    if not identity:
        raise MalformedRecord("identity is missing")
    return TeamMember(
        org_id=org_id,
        team_id=team_id,
        identity_id=required_guid(identity, "id"),
        is_group=identity_is_group(identity),
        is_admin=as_bool(raw.get("isTeamAdmin"), "isTeamAdmin"),
    )


def parse_user(raw: Any, org_id: str) -> User:
    """UserEntitlement → User: the identity id (equal to IdentityRef ids), name, e-mail, licence, status and
    last access (``0001-01-01`` = never). Project and group assignments are dropped."""
    raw = obj(raw, "user entitlement")
    user = sub(raw, "user")
    access = sub(raw, "accessLevel")
    display = as_str(user.get("displayName"), "user.displayName")
    if not display:
        display = as_str(user.get("principalName"), "user.principalName") or ""
    if not display:
        raise MalformedRecord("user.displayName is missing")
    return User(
        org_id=org_id,
        id=required_guid(raw, "id"),
        display_name=display,
        email=_email(user),
        license=as_str(access.get("licenseDisplayName"), "accessLevel.licenseDisplayName")
        or as_str(access.get("accountLicenseType"), "accessLevel.accountLicenseType"),
        status=enum_value(access.get("status"), "accessLevel.status",
                          ("active", "disabled", "pending", "expired", "none")),
        last_accessed_at=optional_date(raw, "lastAccessedDate"),
    )


def _email(user: Any) -> str | None:
    mail = as_str(user.get("mailAddress"), "user.mailAddress")
    if mail and "@" in mail:
        return mail
    principal = as_str(user.get("principalName"), "user.principalName")
    return principal if principal and "@" in principal else None
