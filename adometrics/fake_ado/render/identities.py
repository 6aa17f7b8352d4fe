"""Identity JSON: Graph users, user entitlements (vsaex), storage keys/descriptors, profile, accounts."""

from __future__ import annotations

import uuid
from typing import Any

from ..registry import Call
from ..scenario.model import Identity, User
from ..wire import iso
from .common import link

# accountLicenseType -> the licenseId that ``$filter=licenseId eq '...'`` names.
LICENSE_IDS = {
    "express": "Account-Express",
    "stakeholder": "Account-Stakeholder",
    "advanced": "Account-Advanced",
    "earlyAdopter": "Account-EarlyAdopter",
    "professional": "Account-Professional",
    "none": "Account-None",
}


def tenant_id(call: Call) -> str:
    """The organization's (simulated) Entra tenant: the ``domain`` of aad users."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tenant:{call.world.organization_id}"))


def origin(user: User | None, identity: Identity) -> str:
    if user is not None and user.origin:
        return user.origin
    prefix = identity.descriptor.split(".", 1)[0]
    return {"msa": "msa", "aad": "aad"}.get(prefix, "vsts")


def _domain(call: Call, source: str) -> str:
    return {"aad": tenant_id(call), "msa": "Windows Live ID"}.get(source, "LOCAL AUTHORITY")


def graph_links(call: Call, descriptor: str, *, avatar: bool = True) -> dict[str, Any]:
    base = f"{call.host_url('vssps')}/{call.world.organization}/_apis/Graph"
    links = {
        "self": link(f"{base}/Users/{descriptor}"),
        "memberships": link(f"{base}/Memberships/{descriptor}"),
        "membershipState": link(f"{base}/MembershipStates/{descriptor}"),
        "storageKey": link(f"{base}/StorageKeys/{descriptor}"),
    }
    if avatar:
        dev = call.host_url("dev")
        links["avatar"] = link(
            f"{dev}/{call.world.organization}/_apis/GraphProfile/MemberAvatars/{descriptor}"
        )
    return links


def graph_user(call: Call, identity: Identity, user: User | None = None) -> dict[str, Any]:
    """GraphUser as ``Users/GetAllUsers.json`` shows it."""
    source = origin(user, identity)
    mail = identity.unique_name if "@" in identity.unique_name else ""
    body: dict[str, Any] = {"subjectKind": "user"}
    if user is not None:
        body["metaType"] = user.meta_type
    body.update(
        {
            "domain": _domain(call, source),
            "principalName": identity.unique_name,
            "mailAddress": mail,
            "origin": source,
            "originId": (user.origin_id if user is not None and user.origin_id else identity.id),
            "displayName": identity.display_name,
            "_links": graph_links(call, identity.descriptor),
            "url": graph_links(call, identity.descriptor)["self"]["href"],
            "descriptor": identity.descriptor,
        }
    )
    return body


def access_level(user: User) -> dict[str, Any]:
    return {
        "licensingSource": "account",
        "accountLicenseType": user.license,
        "msdnLicenseType": "none",
        "licenseDisplayName": user.license_display_name,
        "status": user.status,
        "statusMessage": "",
        "assignmentSource": "unknown",
    }


def user_entitlement(call: Call, user: User, projects: list[dict[str, Any]]) -> dict[str, Any]:
    """UserEntitlement as the by-id example shows it, plus ``dateCreated`` that 7.1 responses carry."""
    return {
        "id": user.identity.id,
        "user": graph_user(call, user.identity, user),
        "accessLevel": access_level(user),
        "lastAccessedDate": iso(user.last_accessed),
        "dateCreated": iso(user.date_created),
        "projectEntitlements": projects,
        "extensions": [],
        "groupAssignments": [],
    }


def project_entitlement(project_id: str, project_name: str, teams: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "group": {"groupType": "projectContributor", "displayName": "Contributors"},
        "projectPermissionInherited": "notSet",
        "projectRef": {"id": project_id, "name": project_name},
        "teamRefs": [{"id": tid, "name": tname} for tid, tname in teams],
    }


def storage_key(call: Call, identity: Identity) -> dict[str, Any]:
    base = f"{call.host_url('vssps')}/{call.world.organization}/_apis/Graph"
    return {
        "value": identity.id,
        "_links": {
            "self": link(f"{base}/StorageKeys/{identity.descriptor}"),
            "descriptor": link(f"{base}/Descriptors/{identity.id}"),
        },
    }


def descriptor(call: Call, identity: Identity) -> dict[str, Any]:
    base = f"{call.host_url('vssps')}/{call.world.organization}/_apis/Graph"
    return {
        "value": identity.descriptor,
        "_links": {
            "self": link(f"{base}/Descriptors/{identity.id}"),
            "storageKey": link(f"{base}/StorageKeys/{identity.descriptor}"),
            "subject": link(f"{base}/Users/{identity.descriptor}"),
        },
    }


def profile(identity: Identity, user: User | None) -> dict[str, Any]:
    """Profile in the flat form of ``GET__profile_profiles_me.json``."""
    stamp = user.date_created if user is not None else None
    revision = 1000 + int(identity.id.replace("-", "")[:4], 16) % 1000
    return {
        "displayName": identity.display_name,
        "publicAlias": identity.id,
        "emailAddress": identity.unique_name,
        "coreRevision": revision,
        "timeStamp": iso(stamp).replace("Z", "+00:00"),
        "id": identity.id,
        "revision": revision,
    }


def account(call: Call) -> dict[str, Any]:
    org = call.world.organization
    return {
        "accountId": call.world.organization_id,
        "accountUri": f"{call.host_url('vssps')}/{org}/",
        "accountName": org,
        "properties": {},
    }
