"""Control endpoints under ``/_control`` for tests and demos: no credential, no api-version, not logged.

Reset/seed the world, add faults, configure throttling, move the simulated clock, issue/revoke PATs,
disable users, read the request log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..auth import PRODUCT_SCOPES, admin_identity
from ..registry import Call, endpoint
from ..throttle import ThrottleConfig
from ..wire import AdoError, bad_request, iso, parse_datetime


def _control(method: str, path: str):
    stem = path.strip("/").replace("/", ".").replace("{", "").replace("}", "") or "status"
    name = f"control.{stem}.{method.lower()}"
    return endpoint(name, "control", method, path, api_version=None)


def _body(call: Call) -> dict[str, Any]:
    if call.body is None:
        return {}
    if not isinstance(call.body, dict):
        raise bad_request("The request body must be a JSON object.")
    return call.body


def _summary(call: Call) -> dict[str, Any]:
    sim = call.sim
    cfg = sim.config
    return {
        "scenario": cfg.scenario,
        "seed": cfg.seed,
        "organization": sim.world.organization,
        "organizationUrl": f"{call.base_url}/{sim.world.organization}",
        "pat": sim.pat,
        "now": iso(sim.world.now),
    }


@_control("GET", "/")
def status(request: Request, call: Call) -> dict[str, Any]:
    return _summary(call)


@_control("POST", "/reset")
def reset(request: Request, call: Call) -> dict[str, Any]:
    call.sim.reset()
    return _summary(call)


@_control("POST", "/seed")
def seed(request: Request, call: Call) -> dict[str, Any]:
    body = _body(call)
    changes = {k: body[k] for k in ("scenario", "seed", "organization") if k in body}
    if "seed" in changes and not isinstance(changes["seed"], int):
        raise bad_request("'seed' must be an integer.")
    try:
        call.sim.reset(**changes)
    except (KeyError, ValueError) as exc:
        raise bad_request(f"Cannot build that scenario: {exc}") from None
    return _summary(call)


# -- faults --------------------------------------------------------------------------------------------


@_control("GET", "/faults")
def list_faults(request: Request, call: Call) -> dict[str, Any]:
    return call.sim.faults.to_json()


@_control("POST", "/faults")
def add_fault(request: Request, call: Call) -> dict[str, Any]:
    """A rule (see ``faults.FaultRule``), or ``{"latency_ms": N}`` alone to set the global latency."""
    body = _body(call)
    if set(body) == {"latency_ms"}:
        call.sim.faults.latency_ms = float(body["latency_ms"])
        return call.sim.faults.to_json()
    try:
        rule = call.sim.faults.add(body)
    except (TypeError, ValueError) as exc:
        raise bad_request(str(exc)) from None
    return rule.to_json()


@_control("DELETE", "/faults")
def clear_faults(request: Request, call: Call) -> dict[str, Any]:
    call.sim.faults.clear()
    call.sim.faults.latency_ms = 0.0
    return call.sim.faults.to_json()


@_control("DELETE", "/faults/{fault}")
def delete_fault(request: Request, call: Call) -> dict[str, Any]:
    raw = request.path_params["fault"]
    if not raw.isdigit() or not call.sim.faults.remove(int(raw)):
        raise AdoError(404, "NotFoundException", f"No fault rule {raw}.")
    return call.sim.faults.to_json()


# -- throttling ----------------------------------------------------------------------------------------


def _throttle_state(call: Call) -> dict[str, Any]:
    throttle = call.sim.throttle
    config = throttle.config
    return {
        "enabled": config is not None,
        "config": config.to_json() if config else None,
        "usage": throttle.identities(),
    }


@_control("GET", "/throttle")
def get_throttle(request: Request, call: Call) -> dict[str, Any]:
    return _throttle_state(call)


@_control("PUT", "/throttle")
def put_throttle(request: Request, call: Call) -> dict[str, Any]:
    """Settings of ``ThrottleConfig`` (missing ones take ADO's defaults); ``null`` or
    ``{"enabled": false}`` turns throttling off."""
    body = call.body
    if body is None or (isinstance(body, dict) and body.get("enabled") is False):
        call.sim.throttle.configure(None)
        return _throttle_state(call)
    settings = {k: v for k, v in _body(call).items() if k != "enabled"}
    try:
        call.sim.throttle.configure(ThrottleConfig.from_json(settings))
    except (TypeError, ValueError) as exc:
        raise bad_request(str(exc)) from None
    return _throttle_state(call)


# -- clock ---------------------------------------------------------------------------------------------


@_control("GET", "/clock")
def get_clock(request: Request, call: Call) -> dict[str, Any]:
    world = call.sim.world
    return {"now": iso(world.now), "historyStart": iso(world.history_start)}


@_control("POST", "/clock/advance")
async def advance_clock(request: Request, call: Call) -> dict[str, Any]:
    """Move simulated time forward; the activity that becomes visible is handed to the hooks.

    Deliveries (with their retries) run off the event loop, so a receiver served by the same loop, or a
    slow one, never stalls the simulator."""
    body = _body(call)
    units = ("days", "hours", "minutes", "seconds")
    unknown = set(body) - set(units)
    if unknown or not body:
        raise bad_request(f"Give one or more of {', '.join(units)}.")
    try:
        delta = timedelta(**{k: float(v) for k, v in body.items()})
    except (TypeError, ValueError):
        raise bad_request("Durations must be numbers.") from None
    if delta < timedelta(0):
        raise bad_request("The clock only moves forward.")
    events = call.sim.world.advance(delta)
    hooks = getattr(call.sim, "hooks", None)
    if hooks is not None:  # even with no new events: deliveries on probation are retried on the clock
        await run_in_threadpool(hooks.publish, events)
    return {"now": iso(call.sim.world.now), "events": len(events)}


# -- credentials and users -----------------------------------------------------------------------------


@_control("POST", "/pats")
def create_pat(request: Request, call: Call) -> dict[str, Any]:
    """``{identity?, scopes?, token?, expires?}``; identity is an id, e-mail or descriptor (default: the
    administrator), scopes a list or space-separated string (default: the product scopes)."""
    body = _body(call)
    auth = call.sim.auth
    identity_id = admin_identity(call.sim.world)
    if body.get("identity"):
        user = auth.find_user(str(body["identity"]))
        if user is None:
            raise AdoError(404, "UserNotFoundException", f"The user '{body['identity']}' was not found.")
        identity_id = user.identity.id
    expires = parse_datetime(body["expires"]) if body.get("expires") else None
    scopes = body.get("scopes", sorted(PRODUCT_SCOPES))
    pat = auth.add_pat(body.get("token"), identity_id, scopes, expires)
    result: dict[str, Any] = {"token": pat.token, "identityId": pat.identity_id, "scopes": sorted(pat.scopes)}
    result["expires"] = iso(pat.expires) if pat.expires else None
    return result


@_control("POST", "/pats/{token}/revoke")
def revoke_pat(request: Request, call: Call) -> dict[str, Any]:
    pat = call.sim.auth.revoke(request.path_params["token"])
    return {"token": pat.token, "identityId": pat.identity_id, "revoked": True}


def _user_status(request: Request, call: Call, status: str) -> dict[str, Any]:
    user = call.sim.auth.set_user_status(request.path_params["user"], status)
    return {"id": user.identity.id, "uniqueName": user.identity.unique_name, "status": user.status}


@_control("POST", "/users/{user}/disable")
def disable_user(request: Request, call: Call) -> dict[str, Any]:
    return _user_status(request, call, "disabled")


@_control("POST", "/users/{user}/enable")
def enable_user(request: Request, call: Call) -> dict[str, Any]:
    return _user_status(request, call, "active")


# -- request log ---------------------------------------------------------------------------------------


@_control("GET", "/requests")
def get_requests(request: Request, call: Call) -> dict[str, Any]:
    raw = request.query_params.get("limit")
    limit = int(raw) if raw and raw.isdigit() else None
    return call.sim.log.snapshot(limit)


@_control("DELETE", "/requests")
def clear_requests(request: Request, call: Call) -> dict[str, Any]:
    call.sim.log.clear()
    return call.sim.log.snapshot()
