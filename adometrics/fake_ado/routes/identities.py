"""Routes: user entitlements (vsaex), Graph users and subject keys (vssps), profile and accounts (app.vssps).

Entitlements page by a *body* continuation token shaped like ADO's Cosmos DB token (``+RID:~…#RT:1#…``), so
a client that forgets to URL-encode ``+ / = #`` breaks here as it would on the real service. Graph users page
by the ``X-MS-ContinuationToken`` header with page sizes that vary from call to call, as seen in the field.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..auth import admin_identity
from ..registry import ENTITLEMENTS, GRAPH, PROFILE, Call, endpoint
from ..render import identities as render
from ..scenario.model import Identity, User
from ..wire import AdoError, bad_request, decode_token, encode_token, envelope, query

ENTITLEMENTS_SPEC = "memberEntitlementManagement/7.1/memberEntitlementManagement.json"
GRAPH_SPEC = "graph/7.1/graph.json"
ENTITLEMENT_PAGE = 100  # server-chosen page size (no $top on this route)
GRAPH_MAX_PAGE = 500


# -- user entitlements ------------------------------------------------------------------------------


def entitlement_token(position: int) -> str:
    """A token in the Cosmos DB style ADO returns: carries ``+``, ``/``, ``=`` and ``#``."""
    rid = base64.b64encode(f"ue{position:08d}\xfb\xff".encode("latin-1")).decode()
    return f"+RID:~{rid}#RT:{position // ENTITLEMENT_PAGE + 1}#TRC:{position}#ISV:2#IEO:65551#QCF:8#FPC:Ag/8="


def entitlement_position(token: str) -> int:
    match = re.fullmatch(r"\+RID:~[A-Za-z0-9+/=]+#RT:\d+#TRC:(\d+)#ISV:2#IEO:65551#QCF:8#FPC:Ag/8=", token)
    if match is None:
        raise bad_request(f"The continuation token '{token}' is not valid.")
    return int(match[1])


_CLAUSE = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)


def _clause(text: str) -> Callable[[User], bool]:
    match = _CLAUSE.match(text)
    if match is None:
        raise bad_request(f"The filter clause '{text.strip()}' is not valid.")
    field, value = match[1].casefold(), match[2].replace("''", "'").casefold()
    if field == "licenseid":
        return lambda u: render.LICENSE_IDS.get(u.license, u.license).casefold() == value
    if field == "licensestatus":
        return lambda u: u.status.casefold() == value
    if field == "usertype":
        return lambda u: u.meta_type.casefold() == value
    if field == "name":
        return lambda u: (
            value in u.identity.display_name.casefold() or value in u.identity.unique_name.casefold()
        )
    raise bad_request(f"The filter property '{match[1]}' is not supported.")


def entitlement_filter(text: str | None) -> Callable[[User], bool]:
    """``$filter``: ``eq`` clauses on licenseId, licenseStatus, userType, name, joined by ``and``/``or``."""
    if not text or not text.strip():
        return lambda u: True
    groups = [
        [_clause(c) for c in re.split(r"\s+and\s+", g, flags=re.I)]
        for g in re.split(r"\s+or\s+", text, flags=re.I)
    ]
    return lambda u: any(all(c(u) for c in group) for group in groups)


def _order(users: list[User], order_by: str | None) -> list[User]:
    if not order_by:
        return users
    name, _, direction = order_by.strip().partition(" ")
    keys = {
        "datecreated": lambda u: u.date_created,
        "lastaccessed": lambda u: (u.last_accessed is not None, u.last_accessed or u.date_created),
        "name": lambda u: u.identity.display_name.casefold(),
    }
    key = keys.get(name.casefold())
    if key is None:
        raise bad_request(f"The orderBy property '{name}' is not supported.")
    return sorted(users, key=key, reverse=direction.strip().casefold() == "desc")


def _project_entitlements(call: Call) -> dict[str, list[dict]]:
    """identity id -> projectEntitlements, derived from team membership."""
    result: dict[str, list[dict]] = {}
    for project in call.world.projects():
        teams_of: dict[str, list[tuple[str, str]]] = {}
        for team in call.world.teams(project.id):
            for member in dict.fromkeys([*team.member_ids, *team.admin_ids]):
                teams_of.setdefault(member, []).append((team.id, team.name))
        for member, teams in teams_of.items():
            result.setdefault(member, []).append(render.project_entitlement(project.id, project.name, teams))
    return result


@endpoint(
    "userentitlements.list",
    "vsaex",
    "GET",
    "/{org}/_apis/userentitlements",
    scopes=ENTITLEMENTS,
    spec=ENTITLEMENTS_SPEC,
    operation_id="User Entitlements_Search User Entitlements",
)
def list_entitlements(request: Request, call: Call):
    """``select`` is accepted and ignored (every section is always returned)."""
    keep = entitlement_filter(query(request, "$filter"))
    users = [u for u in call.world.users() if keep(u)]
    users = _order(users, query(request, "$orderBy"))
    token = query(request, "continuationToken")
    start = entitlement_position(token) if token else 0
    page = users[start : start + ENTITLEMENT_PAGE]
    following = start + ENTITLEMENT_PAGE
    projects = _project_entitlements(call)
    return {
        "items": [render.user_entitlement(call, u, projects.get(u.identity.id, [])) for u in page],
        "continuationToken": entitlement_token(following) if following < len(users) else None,
        "totalCount": len(users),
    }


def _user(call: Call, key: str) -> User | None:
    wanted = key.casefold()
    return next((u for u in call.world.users() if u.identity.id.casefold() == wanted), None)


@endpoint(
    "userentitlements.get",
    "vsaex",
    "GET",
    "/{org}/_apis/userentitlements/{user}",
    scopes=ENTITLEMENTS,
    spec=ENTITLEMENTS_SPEC,
    operation_id="User Entitlements_Get",
)
def get_entitlement(request: Request, call: Call):
    key = request.path_params["user"]
    user = _user(call, key)
    if user is None:
        raise AdoError(404, "UserEntitlementNotFoundException", f"Could not find user with id {key}.")
    return render.user_entitlement(call, user, _project_entitlements(call).get(user.identity.id, []))


# -- graph ------------------------------------------------------------------------------------------


def _graph(name: str, tail: str, operation_id: str, **kw):
    """Register a GET route of the graph spec under ``/{org}/_apis/graph/`` on the vssps host."""
    return endpoint(
        name,
        "vssps",
        "GET",
        "/{org}/_apis/graph/" + tail,
        scopes=GRAPH,
        spec=GRAPH_SPEC,
        operation_id=operation_id,
        **kw,
    )


def graph_page_size(position: int, total: int) -> int:
    """Deterministic, varying page sizes (like the 495, 33, … seen on real organizations)."""
    fractions = (3, 7, 2, 5)
    return max(1, min(GRAPH_MAX_PAGE, total // fractions[position % len(fractions)]))


@_graph("graph.users", "users", "Users_List", api_version="7.1-preview.1")
def list_graph_users(request: Request, call: Call):
    users = list(call.world.users())
    kinds = query(request, "subjectTypes")
    if kinds:
        wanted = {k.strip().casefold() for k in kinds.split(",") if k.strip()}
        users = [u for u in users if u.identity.descriptor.split(".", 1)[0].casefold() in wanted]
    start = decode_token(query(request, "continuationToken"), "graph")
    size = graph_page_size(start, len(users))
    page = users[start : start + size]
    headers = {}
    if start + size < len(users):
        headers["X-MS-ContinuationToken"] = encode_token(start + size, "graph")
    return JSONResponse(envelope([render.graph_user(call, u.identity, u) for u in page]), headers=headers)


def _by_descriptor(call: Call, descriptor: str) -> tuple[Identity, User | None] | None:
    wanted = descriptor.casefold()
    for user in call.world.users():
        if user.identity.descriptor.casefold() == wanted:
            return user.identity, user
    for project in call.world.projects():
        for team in call.world.teams(project.id):
            for identity_id in (team.id, *team.member_ids, *team.admin_ids):
                identity = call.world.identity(identity_id)
                if identity is not None and identity.descriptor.casefold() == wanted:
                    return identity, None
    return None


def _subject_missing(key: str) -> AdoError:
    return AdoError(404, "GraphSubjectNotFoundException", f"The subject '{key}' could not be found.")


def _subject_or_404(request: Request, call: Call, *, groups: bool) -> tuple[Identity, User | None]:
    """The subject the URL's ``{descriptor}`` names; without ``groups``, a group's is a 404."""
    key = request.path_params["descriptor"]
    found = _by_descriptor(call, key)
    if found is None or (not groups and found[0].kind == "group"):
        raise _subject_missing(key)
    return found


@_graph("graph.user", "users/{descriptor}", "Users_Get", api_version="7.1-preview.1")
def get_graph_user(request: Request, call: Call):
    return render.graph_user(call, *_subject_or_404(request, call, groups=False))


@_graph("graph.storagekey", "storagekeys/{descriptor}", "Storage Keys_Get")
def get_storage_key(request: Request, call: Call):
    identity, _ = _subject_or_404(request, call, groups=True)
    return render.storage_key(call, identity)


@_graph("graph.descriptor", "descriptors/{user}", "Descriptors_Get")
def get_descriptor(request: Request, call: Call):
    key = request.path_params["user"]
    identity = call.world.identity(key.lower())
    if identity is None:
        raise _subject_missing(key)
    return render.descriptor(call, identity)


# -- app.vssps: profile and accounts ------------------------------------------------------------------


@endpoint(
    "profile.get",
    "app",
    "GET",
    "/_apis/profile/profiles/{user}",
    scopes=PROFILE,
    spec="profile/7.1/profile.json",
    operation_id="Profiles_Get",
)
def get_profile(request: Request, call: Call):
    """``me`` is the caller; another id answers that identity's public profile."""
    key = request.path_params["user"]
    identity_id = call.identity_id if key.casefold() == "me" else key.lower()
    identity = call.world.identity(identity_id) if identity_id else None
    if identity is None:
        raise AdoError(404, "ProfileNotFoundException", f"The profile '{key}' does not exist.")
    return render.profile(identity, _user(call, identity.id))


@endpoint(
    "accounts.list",
    "app",
    "GET",
    "/_apis/accounts",
    scopes=PROFILE,
    spec="account/7.1/accounts.json",
    operation_id="Accounts_List",
)
def list_accounts(request: Request, call: Call):
    """The simulator hosts one organization: listed for its members (``memberId``) or its owner
    (``ownerId`` = the scenario's administrator). One of the two is required, as on the real service."""
    member, owner = query(request, "memberId"), query(request, "ownerId")
    if not member and not owner:
        raise bad_request("Either the ownerId or the memberId parameter must be specified.")
    matches = True
    if member:
        matches = _user(call, member) is not None
    if owner:
        matches = matches and owner.casefold() == admin_identity(call.world).casefold()
    return envelope([render.account(call)] if matches else [])
