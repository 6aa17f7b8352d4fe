"""The ASGI app: one Starlette route per registered endpoint, wrapped by the cross-cutting rules."""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import routes as _routes  # noqa: F401  (registers every endpoint)
from .registry import ENDPOINTS, Call, Endpoint
from .state import Simulator
from .wire import AdoError, check_api_version, error_response


def create_app(sim: Simulator) -> Starlette:
    """Build the simulator app over ``sim``; control endpoints mutate ``sim`` in place."""
    routes = [
        Route(ep.full_path, _dispatcher(sim, ep), methods=[ep.method], name=ep.name)
        for ep in sorted(ENDPOINTS, key=_specificity)
    ]
    app = Starlette(routes=routes)
    app.state.sim = sim
    return app


def _specificity(ep: Endpoint) -> tuple[int, int]:
    """Literal paths before templated ones, so ``/_apis/teams`` wins over ``/{org}/{project}``."""
    segments = ep.full_path.strip("/").split("/")
    return (sum(1 for s in segments if s.startswith("{")), -len(segments))


def _dispatcher(sim: Simulator, ep: Endpoint):
    async def dispatch(request: Request) -> Response:
        entry = sim.log.start(request, ep)
        try:
            response = await _handle(sim, ep, request, entry)
        except AdoError as exc:
            response = exc.response()
        sim.log.finish(entry, response.status_code)
        return response

    return dispatch


async def _handle(sim: Simulator, ep: Endpoint, request: Request, entry: Any) -> Response:
    fault = await sim.faults.before(ep, request)
    if fault is not None and fault.response is not None:
        return fault.response
    identity_id = None
    if ep.scopes:
        principal = sim.auth.authenticate(request, ep)
        if isinstance(principal, Response):
            return principal
        identity_id = principal.identity_id
        entry.identity_id = identity_id
    decision = await sim.throttle.charge(identity_id, ep.tstu, entry)
    if decision.response is not None:
        return decision.response
    if ep.api_version is not None:
        check_api_version(request, ep.api_version, ep.min_version)
    body = None
    if ep.method in ("POST", "PUT", "PATCH"):
        raw = await request.body()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return error_response(400, "JsonReaderException", "TF400898: An Internal Error Occurred.")
    call = Call(sim=sim, endpoint=ep, identity_id=identity_id, base_url=_base_url(request), body=body)
    result = ep.handler(request, call)
    response = result if isinstance(result, Response) else JSONResponse(result)
    response.headers.update(decision.headers)
    if fault is not None:
        response = fault.after(response)
    return response


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"
