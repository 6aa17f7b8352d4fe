"""Connecting an organization: who the credential is, which of the six scopes work, what it can see.

Verification makes one cheap call per scope area (ARCHITECTURE §1.3): it never asks for more, and a missing
scope is named. Saving is idempotent per organization (keyed by ADO's collection instance id, never by
connection), so connecting again with a new PAT — another owner, a service account — heals a broken
connection and the next sync resumes without duplicates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from ..connectors.azure_devops.errors import (
    AuthenticationError,
    BadRequestError,
    ForbiddenError,
    MalformedResponseError,
    NotFoundError,
)
from ..connectors.azure_devops.parse_common import guid
from ..domain import Connection, ConnectionKind, Health, Organization
from ..errors import FatalError
from ..store import Keyring, load, upsert
from ..store.schema import connections, organizations
from .collect import records_of
from .health import RECONNECT, scope_label, set_health

REQUIRED = ("vso.project", "vso.code", "vso.build", "vso.release", "vso.memberentitlementmanagement")
OPTIONAL = ("vso.code_status",)  # only status write-back needs it; a sync reads statuses with vso.code


@dataclass
class ScopeCheck:
    scope: str
    works: bool | None          # None: could not be probed (nothing to probe it on)
    detail: str = ""


@dataclass
class Verified:
    org: Organization
    identity_id: str
    identity_name: str
    scopes: list[ScopeCheck] = field(default_factory=list)
    projects: int = 0
    repositories: int = 0

    @property
    def missing(self) -> list[str]:
        return [s.scope for s in self.scopes if s.works is False]

    def health(self) -> tuple[Health, str | None]:
        lacking = [s for s in self.missing if s in REQUIRED]
        if not lacking:
            return Health.HEALTHY, None
        names = ", ".join(map(scope_label, lacking))
        return Health.BROKEN, f"the token lacks {names}; {RECONNECT} that has it"


def _probe(scope: str, call: Callable[[], Any], *, write: bool = False) -> ScopeCheck:
    """One call; a refusal of the credential (it works elsewhere) means the scope is missing. For the write
    probe, ADO rejecting the deliberately invalid request itself (400/404) means the scope was accepted."""
    try:
        call()
    except (AuthenticationError, ForbiddenError) as exc:
        return ScopeCheck(scope, False, f"HTTP {exc.status}")
    except (NotFoundError, BadRequestError, MalformedResponseError) as exc:
        if write:
            return ScopeCheck(scope, True, "accepted (probe request rejected as invalid, nothing written)")
        return ScopeCheck(scope, None, str(exc))
    return ScopeCheck(scope, True)


def verify(client: Any, collectors: Any) -> Verified:
    """Identity (connectionData: a bad credential fails here, with ADO's reason), scopes, projects, repos."""
    data = client.connection_data()
    user = data.get("authenticatedUser") or {}
    org_id = guid(data.get("instanceId"), "instanceId")
    if not org_id or not user.get("id"):
        raise FatalError(f"{client.org.url} did not say which organization or user this is (connectionData "
                         "has no instanceId or authenticatedUser); is this an Azure DevOps organization URL?")
    kind = ConnectionKind.CLOUD if client.org.cloud else ConnectionKind.SERVER
    name = user.get("providerDisplayName") or user.get("customDisplayName") or ""
    found = Verified(Organization(id=org_id, name=client.org.name, url=client.org.url, kind=kind),
                     identity_id=guid(user["id"]) or user["id"], identity_name=str(name))
    projects: list = []

    def list_projects() -> None:
        projects.extend(records_of(collectors.collect_projects(client, org_id))[0])

    found.scopes.append(_probe("vso.project", list_projects))
    found.projects = len(projects)
    found.scopes.extend(_scoped_probes(client, collectors, org_id, projects, found))
    found.scopes.append(_probe("vso.memberentitlementmanagement",
                               lambda: client.get("entitlements.users.list")))
    return found


def _scoped_probes(client: Any, collectors: Any, org_id: str, projects: list, found: Verified):
    """Probes that need a project (and, for the status write, a repository)."""
    if not projects:
        why = "no project visible to probe with"
        return [ScopeCheck(s, None, why) for s in ("vso.code", "vso.build", "vso.release", "vso.code_status")]
    repos: list = []

    def list_repositories() -> None:
        for project in projects:
            repos.extend(records_of(collectors.collect_repositories(client, org_id, project.id))[0])

    first = projects[0].id
    checks = [_probe("vso.code", list_repositories)]
    found.repositories = len(repos)
    checks.append(_probe("vso.build",
                         lambda: client.get("build.definitions.list", {"$top": 1}, project=first)))
    checks.append(_probe("vso.release",
                         lambda: client.get("release.definitions.list", {"$top": 1}, project=first)))
    if repos:
        repo = repos[0]
        checks.append(_probe("vso.code_status", lambda: client.post(
            "git.pullrequests.statuses.create", {}, project=repo.project_id, repo=repo.id, pr=0), write=True))
    else:
        checks.append(ScopeCheck("vso.code_status", None, "no repository visible to probe with"))
    return checks


def save(engine: Engine, keyring: Keyring, verified: Verified, credential: str) -> bool:
    """Store the organization and its connection (replacing the credential); True when it existed already.
    The last sync time and all synced data are kept."""
    org = verified.org
    health, reason = verified.health()
    with engine.begin() as conn:
        existing = load(conn, keyring, Connection, org.id)
        connection = Connection(org_id=org.id, identity_id=verified.identity_id,
                                identity_name=verified.identity_name, auth_method="pat", health=health,
                                health_reason=reason, credential=credential)
        if existing:
            connection = replace(connection, last_sync_at=existing[0].last_sync_at)
        upsert(conn, keyring, [org, connection])
        set_health(conn, org.id, health, reason)
    return bool(existing)


@dataclass(frozen=True)
class ConnectionRow:
    """What ``adometrics connections`` lists (no credential, nothing encrypted)."""

    org_id: str
    name: str
    url: str
    identity: str | None
    health: str
    reason: str | None
    last_sync_at: datetime | None


def list_connections(engine: Engine) -> list[ConnectionRow]:
    o, c = organizations.c, connections.c
    query = (select(o.id, o.name, o.url, c.identity_name, c.identity_id, c.health, c.health_reason,
                    c.last_sync_at)
             .join(connections, c.org_id == o.id).order_by(o.name))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [ConnectionRow(r.id, r.name, r.url, r.identity_name or r.identity_id, r.health, r.health_reason,
                          r.last_sync_at) for r in rows]
