"""The ASGI app: one Starlette route per registered endpoint, wrapped by the cross-cutting rules.

Order per request: log → Retry-After violation check → faults → authentication and scopes → throttling →
api-version → handler. Control endpoints (host ``control``) skip all of it: no log, no credential.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from . import routes as _routes  # noqa: F401  (registers every endpoint)
from .registry import ENDPOINTS, Call, Endpoint
from .requestlog import LogEntry
from .state import Simulator
from .wire import AdoError, check_api_version, error_response

logger = logging.getLogger("adometrics.fake_ado")
ANONYMOUS = "anonymous"  # throttle / Retry-After key of callers without a valid credential


def create_app(sim: Simulator, endpoints: Sequence[Endpoint] | None = None) -> Starlette:
    """Build the simulator app over ``sim``; control endpoints mutate ``sim`` in place.
    ``endpoints`` replaces the registry (tests add probe endpoints without registering them)."""
    routes = [
        Route(ep.full_path, _dispatcher(sim, ep), methods=[ep.method], name=ep.name)
        for ep in sorted(ENDPOINTS if endpoints is None else endpoints, key=_specificity)
    ]
    for route in routes:  # ADO matches URL paths case-insensitively (pullRequests = pullrequests)
        route.path_regex = re.compile(route.path_regex.pattern, re.IGNORECASE)
    handlers = {404: _not_found, 405: _not_allowed}
    app = Starlette(routes=routes, exception_handlers=handlers)  # type: ignore[arg-type]
    app.state.sim = sim
    return app


def _specificity(ep: Endpoint) -> tuple[int, int]:
    """Literal paths before templated ones, so ``/_apis/teams`` wins over ``/{org}/{project}``."""
    segments = ep.full_path.strip("/").split("/")
    return (sum(1 for s in segments if s.startswith("{")), -len(segments))


def _dispatcher(sim: Simulator, ep: Endpoint):
    async def dispatch(request: Request) -> Response:
        if ep.host == "control":
            return await _guarded(_run_handler(sim, ep, request, None))
        return await _simulated(sim, ep, request)

    return dispatch


async def _simulated(sim: Simulator, ep: Endpoint, request: Request) -> Response:
    log = sim.log  # the log this request started in, even if a reset replaces it meanwhile
    entry = log.start(request, ep)
    identity = sim.auth.identify(request)
    entry.identity_id = identity
    key = identity or ANONYMOUS
    if sim.throttle.violates(key):
        log.violation(entry)
    fired = await sim.faults.before(ep, request)
    response = fired.response() if fired is not None else None
    if response is None:
        response = await _guarded(_authorized(sim, ep, request, entry))
    if sim.throttle.config is not None and "x-ratelimit-limit" not in response.headers:
        response.headers.update(sim.throttle.status_headers(key))
    if fired is not None:
        response = fired.after(response)
    retry_after = response.headers.get("retry-after", "")
    if retry_after.replace(".", "", 1).isdigit():
        sim.throttle.note_retry_after(key, float(retry_after))
    log.finish(entry, response.status_code, fired.label if fired is not None else None)
    return response


async def _guarded(work) -> Response:
    """Turn AdoError into ADO's error body and any other exception into ADO's 500."""
    try:
        return await work
    except AdoError as exc:
        return exc.response()
    except Exception:
        logger.exception("simulator handler failed")
        return error_response(500, "VssServiceException", "TF400898: An Internal Error Occurred.")


async def _authorized(sim: Simulator, ep: Endpoint, request: Request, entry: LogEntry) -> Response:
    identity = entry.identity_id
    if ep.scopes:
        principal = sim.auth.authenticate(request, ep)
        if isinstance(principal, Response):
            return principal
        identity = principal.identity_id
    decision = await sim.throttle.charge(identity, ep.tstu)
    entry.delay = decision.delay
    if decision.response is not None:
        return decision.response
    if ep.api_version is not None:
        check_api_version(request, ep.api_version, ep.min_version)
    response = await _run_handler(sim, ep, request, identity)
    response.headers.update(decision.headers)
    return response


async def _run_handler(sim: Simulator, ep: Endpoint, request: Request, identity: str | None) -> Response:
    call = Call(sim=sim, endpoint=ep, identity_id=identity, base_url=_base_url(request))
    if ep.method in ("POST", "PUT", "PATCH"):
        call.body = await _json_body(request)
    result = ep.handler(request, call)
    if inspect.isawaitable(result):
        result = await result
    return result if isinstance(result, Response) else JSONResponse(result)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise AdoError(400, "JsonReaderException", "TF400898: An Internal Error Occurred.") from None


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _is_api(path: str) -> bool:
    return "/_apis" in path or path.startswith("/_control")


async def _not_found(request: Request, exc: HTTPException) -> Response:
    """ADO answers an unknown REST route with JSON; other unknown pages are HTML."""
    path = request.url.path
    if not _is_api(path):
        return HTMLResponse("<html><body><h1>404 - Page not found</h1></body></html>", status_code=404)
    body = {
        "$id": "1",
        "innerException": None,
        "message": f"The controller for path '{path}' was not found or does not implement IController.",
        "typeName": "System.Web.HttpException, System.Web",
        "typeKey": "HttpException",
        "errorCode": 0,
        "eventId": 0,
    }
    return JSONResponse(body, status_code=404)


async def _not_allowed(request: Request, exc: HTTPException) -> Response:
    message = f"The requested resource does not support http method '{request.method}'."
    return error_response(405, "HttpException", message, dict(exc.headers or {}))
