"""Routes: host discovery (Resource Areas) and ``connectionData`` (ENDPOINTS.md §0.1, §13.3).

Resource areas need no credential on the real service (Microsoft's docs: "no credentials are required"), so
these routes have no scopes. Each ``locationUrl`` points back at this simulator: the area's host prefix on
the loopback address, plus ``/{org}/`` (none for the org-less app.vssps areas). ``connectionData`` accepts any
valid credential whatever its scopes.
"""

from __future__ import annotations

import uuid

from starlette.requests import Request

from ..registry import (
    BUILD,
    CODE,
    CODE_STATUS_WRITE,
    ENTITLEMENTS,
    ENVIRONMENT_71,
    GRAPH,
    HOOKS,
    PROJECT,
    RELEASE,
    Call,
    Host,
    endpoint,
)
from ..wire import AdoError, envelope, query

# (id, name, host); ids are the public constants of ENDPOINTS.md §0.1 plus "pipelines" (YAML environments).
AREAS: tuple[tuple[str, str, Host], ...] = (
    ("79134c72-4a58-4b42-976c-04e7115f32bf", "core", "dev"),
    ("4e080c62-fa21-4fbc-8fef-2a10a2b38049", "git", "dev"),
    ("965220d5-5bb9-42cf-8d67-9b146df2a5a4", "build", "dev"),
    ("efc2f575-36ef-48e9-b672-0c6fb4a48ac5", "Release", "vsrm"),
    ("68ddce18-2501-45f1-a17b-7931a9922690", "MemberEntitlementManagement", "vsaex"),
    ("bb1e7ec9-e901-4b68-999a-de7012b920f8", "Graph", "vssps"),
    ("8ccfef3d-2b87-4e99-8ccb-66e343d2daa8", "Profile", "app"),
    ("0d55247a-1c47-4462-9b1f-5e2125590ee6", "Account", "app"),
    ("a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd", "distributedtask", "dev"),
    ("fb13a388-40dd-4a04-b530-013a739c72ef", "policy", "dev"),
    ("2e0bf237-8973-4ec9-a581-9c3d679d1776", "pipelines", "dev"),
)
AREAS_VERSION = "7.1-preview.1"
# The framework (TFS) service owner and the access mapping a hosted organization answers with.
SERVICE_OWNER = "00025394-6065-48ca-87d9-7f5672854ef7"

# "Any valid credential": every scope a token could carry for the areas simulated here.
ANY_SCOPE = frozenset(
    {
        *PROJECT,
        *CODE,
        *CODE_STATUS_WRITE,
        *BUILD,
        *RELEASE,
        *ENTITLEMENTS,
        *GRAPH,
        *HOOKS,
        *ENVIRONMENT_71,
        "vso.project_write",
        "vso.project_manage",
        "vso.work",
        "vso.work_write",
        "vso.identity",
        "vso.profile_write",
        "vso.packaging",
        "vso.test",
        "vso.wiki",
        "vso.analytics",
        "vso.dashboards",
        "vso.agentpools",
        "vso.serviceendpoint",
        "vso.variablegroups_read",
        "vso.securefiles_read",
        "vso.tokens",
        "vso.taskgroups_read",
    }
)


def area_location(call: Call, host: Host, org: str) -> str:
    base = call.host_url(host)
    return f"{base}/" if host == "app" else f"{base}/{org}/"


def _area(call: Call, area: tuple[str, str, Host], org: str) -> dict[str, str]:
    area_id, name, host = area
    return {"id": area_id, "name": name, "locationUrl": area_location(call, host, org)}


def _find_area(call: Call, key: str, org: str) -> dict[str, str]:
    wanted = key.casefold()
    for area in AREAS:
        if wanted in (area[0], area[1].casefold()):
            return _area(call, area, org)
    raise AdoError(404, "ResourceAreaNotFoundException", f"The resource area '{key}' was not found.")


def _org(call: Call, name: str) -> str:
    """The organization as the simulator spells it; another name is unknown here."""
    if name.casefold() != call.world.organization.casefold():
        raise AdoError(404, "AccountNotFoundException", f"The organization '{name}' was not found.")
    return call.world.organization


@endpoint("resourceareas.list", "dev", "GET", "/{org}/_apis/resourceAreas", api_version=AREAS_VERSION)
def list_areas(request: Request, call: Call):
    org = _org(call, request.path_params["org"])
    return envelope([_area(call, area, org) for area in AREAS])


@endpoint("resourceareas.get", "dev", "GET", "/{org}/_apis/resourceAreas/{area}", api_version=AREAS_VERSION)
def get_area(request: Request, call: Call):
    org = _org(call, request.path_params["org"])
    return _find_area(call, request.path_params["area"], org)


@endpoint("resourceareas.global", "dev", "GET", "/_apis/resourceAreas/{area}", api_version=AREAS_VERSION)
def get_area_global(request: Request, call: Call):
    """The org-less form: ``?accountName={org}`` (``hostId`` = the organization id works too)."""
    name = query(request, "accountName")
    host_id = query(request, "hostId")
    if name:
        org = _org(call, name)
    elif host_id and host_id.casefold() == call.world.organization_id.casefold():
        org = call.world.organization
    else:
        raise AdoError(400, "InvalidArgumentValueException", "The accountName parameter is required.")
    return _find_area(call, request.path_params["area"], org)


def _user_block(call: Call) -> dict:
    identity = call.world.identity(call.identity_id) if call.identity_id else None
    if identity is None:
        raise AdoError(
            401,
            "UnauthorizedRequestException",
            "TF400813: The user '' is not authorized to access this resource.",
        )
    tenant = uuid.uuid5(uuid.NAMESPACE_URL, f"tenant:{call.world.organization_id}")
    return {
        "id": identity.id,
        "descriptor": f"Microsoft.IdentityModel.Claims.ClaimsIdentity;{tenant}\\{identity.unique_name}",
        "subjectDescriptor": identity.descriptor,
        "providerDisplayName": identity.display_name,
        "isActive": True,
        "properties": {"Account": {"$type": "System.String", "$value": identity.unique_name}},
        "resourceVersion": 2,
        "metaTypeId": 0,
    }


@endpoint(
    "connectiondata",
    "dev",
    "GET",
    "/{org}/_apis/connectionData",
    scopes=ANY_SCOPE,
    api_version="7.1-preview.1",
)
def connection_data(request: Request, call: Call):
    """Who the caller is in this organization; needs a ``-preview`` api-version (plain 7.1 → 400)."""
    _org(call, request.path_params["org"])
    user = _user_block(call)
    deployment = uuid.uuid5(uuid.NAMESPACE_URL, f"deployment:{call.world.organization_id}")
    return {
        "authenticatedUser": user,
        "authorizedUser": dict(user),
        "instanceId": call.world.organization_id,
        "deploymentId": str(deployment),
        "deploymentType": "hosted",
        "locationServiceData": {
            "serviceOwner": SERVICE_OWNER,
            "defaultAccessMappingMoniker": "PublicAccessMapping",
            "lastChangeId": 1,
            "lastChangeId64": 1,
        },
    }
