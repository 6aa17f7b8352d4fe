"""Shapes shared across areas: identity references, links, project references."""

from __future__ import annotations

from typing import Any

from ..registry import Call
from ..scenario.model import Identity, Project
from ..wire import iso

STATUS_STATES = ("notSet", "pending", "succeeded", "failed", "error", "notApplicable")  # GitStatusState


def identity_ref(call: Call, identity: Identity | str | None) -> dict[str, Any] | None:
    """IdentityRef as the examples show it (deprecated fields included: ADO still sends them)."""
    if isinstance(identity, str):
        identity = call.world.identity(identity)
    if identity is None:
        return None
    org = call.world.organization
    vssps = call.host_url("vssps")
    avatar = f"{call.host_url('dev')}/{org}/_apis/GraphProfile/MemberAvatars/{identity.descriptor}"
    ref: dict[str, Any] = {
        "displayName": identity.display_name,
        "url": f"{vssps}/{org}/_apis/Identities/{identity.id}",
        "_links": {"avatar": {"href": avatar}},
        "id": identity.id,
        "uniqueName": identity.unique_name,
        "imageUrl": f"{call.host_url('dev')}/{org}/_api/_common/identityImage?id={identity.id}",
        "descriptor": identity.descriptor,
    }
    if identity.kind == "group":
        ref["isContainer"] = True
    return ref


def project_ref(call: Call, project: Project | str) -> dict[str, Any]:
    """TeamProjectReference (the short form nested in repositories, builds, releases)."""
    if isinstance(project, str):
        found = call.world.project(project)
        assert found is not None, project
        project = found
    return {
        "id": project.id,
        "name": project.name,
        "url": f"{call.host_url('dev')}/{call.world.organization}/_apis/projects/{project.id}",
        "state": project.state,
        "revision": project.revision,
        "visibility": project.visibility,
        "lastUpdateTime": iso(project.last_update_time),
    }


def link(href: str) -> dict[str, str]:
    return {"href": href}
