"""Connection health: ``healthy``, ``syncing`` or ``broken`` with a reason a person can act on.

Health is state about the connection, not synced data, so it is written with a targeted UPDATE (never an
upsert of the whole row, which would need the credential). Nothing is deleted when a connection breaks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, update

from ..connectors.azure_devops import endpoints as eps
from ..connectors.azure_devops.errors import (
    AuthenticationError,
    AzureDevOpsError,
    ForbiddenError,
    MissingScopeError,
)
from ..domain import Health
from ..store.schema import connections

RECONNECT = "run `adometrics connect` with a new PAT"
SCOPE_NAMES = {
    "vso.build": "Build (read)",
    "vso.code": "Code (read)",
    "vso.code_status": "Code (status)",
    "vso.memberentitlementmanagement": "Member Entitlement Management (read)",
    "vso.project": "Project and Team (read)",
    "vso.release": "Release (read)",
}


def set_health(conn: Connection, org_id: str, health: Health, reason: str | None = None, *,
               last_sync_at: datetime | None = None) -> None:
    """Change only the health columns (and the last sync time when given) of the organization's connection."""
    values: dict[str, Any] = {"health": health.value, "health_reason": reason}
    if last_sync_at is not None:
        values["last_sync_at"] = last_sync_at
    conn.execute(update(connections).where(connections.c.org_id == org_id).values(**values))


def describe_health(health: str, reason: str | None) -> str:
    """``broken: <reason>`` as ``adometrics connections`` shows it."""
    return f"{health}: {reason}" if health == Health.BROKEN and reason else health


def scope_label(scope: str) -> str:
    name = SCOPE_NAMES.get(scope)
    return f"{scope} ({name})" if name else scope


def _needed_scopes(endpoint: str | None) -> tuple[str, ...]:
    try:
        return eps.endpoint(endpoint).scopes if endpoint else ()
    except AzureDevOpsError:
        return ()


def _credential_works(client: Any) -> bool:
    """Whether the credential itself is accepted (connectionData takes any valid token, any scopes)."""
    try:
        client.connection_data()
    except AzureDevOpsError:
        return False
    return True


def broken_reason(exc: AzureDevOpsError, client: Any) -> str:
    """Why the connection is broken, from the error that stopped the sync (one line; names a missing
    scope)."""
    where = exc.endpoint or "a request"
    if isinstance(exc, MissingScopeError) and exc.scopes:
        return f"the token lacks {' or '.join(map(scope_label, exc.scopes))}, needed by {where}; {RECONNECT}"
    if isinstance(exc, AuthenticationError):
        if exc.status == 401 and _credential_works(client):
            needed = _needed_scopes(exc.endpoint)
            if needed:
                scopes = " or ".join(map(scope_label, needed))
                return f"the token lacks {scopes}, needed by {where} (HTTP 401); {RECONNECT} that has it"
        if exc.status == 203:
            return (f"Azure DevOps answered {where} with its sign-in page (HTTP 203): the PAT is invalid, "
                    f"expired or revoked, or its user is disabled; {RECONNECT}")
        code = f" ({exc.tf_code})" if exc.tf_code else ""
        return (f"Azure DevOps refused the PAT on {where} (HTTP {exc.status or '?'}{code}): it is invalid, "
                f"expired or revoked, or its user is disabled; {RECONNECT}")
    if isinstance(exc, ForbiddenError):
        said = f": {exc.server_message}" if exc.server_message else ""
        return f"access denied on {where} (HTTP 403){said}; connect with an identity that has access"
    return str(exc)
