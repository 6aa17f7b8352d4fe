"""Routes: service hooks — subscriptions, their notifications, publishers, event types, consumers (§11).

Organization level on the dev host; project scoping is a ``publisherInputs.projectId`` filter. The store and
the deliverer live in ``fake_ado.hooks`` (``call.sim.hooks``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..hooks import ServiceHooks
from ..registry import BUILD, CODE, HOOKS, Call, endpoint
from ..render import hooks as render
from ..render.hook_catalog import PUBLISHERS
from ..wire import AdoError, bad_request, envelope, not_found, query, query_int

SPEC = "hooks/7.1/serviceHooks.json"
# Spec ``security``: vso.work, vso.build or vso.code (each carries vso.hooks_write); the hooks scopes too.
SCOPES = ("vso.work", *BUILD, *CODE, *HOOKS)
BASE = "/{org}/_apis/hooks"


def _store(call: Call) -> ServiceHooks:
    hooks = getattr(call.sim, "hooks", None)
    if hooks is None:  # a Simulator built before hooks existed
        hooks = call.sim.hooks = ServiceHooks(call.sim)
    return hooks


def _check_org(request: Request, call: Call) -> None:
    if request.path_params["org"].casefold() != call.world.organization.casefold():
        raise AdoError(
            404, "AccountNotFoundException", f"The organization '{request.path_params['org']}' was not found."
        )


def _body(call: Call) -> dict:
    if not isinstance(call.body, dict):
        raise bad_request("The request body is missing or not a JSON object.", "ArgumentNullException")
    return call.body


# -- subscriptions ------------------------------------------------------------------------------------


@endpoint(
    "hooks.subscriptions.list",
    "dev",
    "GET",
    f"{BASE}/subscriptions",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Subscriptions_List",
)
def list_subscriptions(request: Request, call: Call):
    """No paging (ENDPOINTS §0.5); optional exact filters."""
    _check_org(request, call)
    subs = _store(call).list(
        query(request, "publisherId"),
        query(request, "eventType"),
        query(request, "consumerId"),
        query(request, "consumerActionId"),
    )
    return envelope([render.subscription(call, s) for s in subs])


@endpoint(
    "hooks.subscriptions.create",
    "dev",
    "POST",
    f"{BASE}/subscriptions",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Subscriptions_Create",
)
def create_subscription(request: Request, call: Call):
    _check_org(request, call)
    return render.subscription(call, _store(call).create(call, _body(call)))


@endpoint(
    "hooks.subscriptions.get",
    "dev",
    "GET",
    f"{BASE}/subscriptions/{{subscription}}",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Subscriptions_Get",
)
def get_subscription(request: Request, call: Call):
    _check_org(request, call)
    return render.subscription(call, _store(call).get(request.path_params["subscription"]))


@endpoint(
    "hooks.subscriptions.replace",
    "dev",
    "PUT",
    f"{BASE}/subscriptions/{{subscription}}",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Subscriptions_Replace Subscription",
)
def replace_subscription(request: Request, call: Call):
    _check_org(request, call)
    sub = _store(call).replace(call, request.path_params["subscription"], _body(call))
    return render.subscription(call, sub)


@endpoint(
    "hooks.subscriptions.delete",
    "dev",
    "DELETE",
    f"{BASE}/subscriptions/{{subscription}}",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Subscriptions_Delete",
)
def delete_subscription(request: Request, call: Call):
    """204 without a body, as the recorded example shows (the spec says 200)."""
    _check_org(request, call)
    _store(call).delete(request.path_params["subscription"])
    return Response(status_code=204)


@endpoint(
    "hooks.subscriptions.query",
    "dev",
    "POST",
    f"{BASE}/subscriptionsquery",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Subscriptions_Create Subscriptions Query",
)
def query_subscriptions(request: Request, call: Call):
    """The query echoed back with its ``results``."""
    _check_org(request, call)
    body = _body(call)
    results = _store(call).query(body)
    return {**body, "results": [render.subscription(call, s) for s in results]}


@endpoint(
    "hooks.notifications.list",
    "dev",
    "GET",
    f"{BASE}/subscriptions/{{subscription}}/notifications",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Notifications_List",
)
def list_notifications(request: Request, call: Call):
    _check_org(request, call)
    notes = _store(call).notifications(
        request.path_params["subscription"],
        max_results=query_int(request, "maxResults", default=100) or 0,
        status=query(request, "status"),
        result=query(request, "result"),
    )
    return envelope([render.notification(n) for n in notes])


# -- catalog ------------------------------------------------------------------------------------------


def _publisher_id(request: Request) -> str:
    publisher = request.path_params["publisher"]
    if publisher not in PUBLISHERS:
        raise not_found(f"The publisher '{publisher}' does not exist.")
    return publisher


@endpoint(
    "hooks.publishers.list",
    "dev",
    "GET",
    f"{BASE}/publishers",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Publishers_List",
)
def list_publishers(request: Request, call: Call):
    _check_org(request, call)
    return envelope([render.publisher(call, p) for p in PUBLISHERS])


@endpoint(
    "hooks.publishers.get",
    "dev",
    "GET",
    f"{BASE}/publishers/{{publisher}}",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Publishers_Get",
)
def get_publisher(request: Request, call: Call):
    _check_org(request, call)
    return render.publisher(call, _publisher_id(request))


@endpoint(
    "hooks.eventtypes.list",
    "dev",
    "GET",
    f"{BASE}/publishers/{{publisher}}/eventtypes",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Publishers_List Event Types",
)
def list_event_types(request: Request, call: Call):
    _check_org(request, call)
    return envelope(render.event_types(call, _publisher_id(request)))


@endpoint(
    "hooks.consumers.list",
    "dev",
    "GET",
    f"{BASE}/consumers",
    scopes=SCOPES,
    spec=SPEC,
    operation_id="Consumers_List",
)
def list_consumers(request: Request, call: Call):
    """Only ``webHooks`` (the one consumer the simulator delivers to)."""
    _check_org(request, call)
    return envelope([render.web_hooks_consumer(call)])
