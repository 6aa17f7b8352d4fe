"""Routes: YAML pipeline environments and their deployment records (dev host; ENDPOINTS.md §10).

Served twice with the same shapes: the released 7.1 ``distributedtask/environments`` routes, which need
``vso.environment_manage`` (so a token with only the app's scopes gets 401), and the 7.2-preview
``pipelines/environments`` routes, which also accept ``vso.build``. Environments list oldest first (by id);
deployment records newest first (by id), as the environment's history shows them. Both page with an opaque
``continuationToken`` from the ``x-ms-continuationtoken`` header (environments ``$top``, records ``top``).
"""

from __future__ import annotations

from starlette.requests import Request

from .. import registry
from ..registry import Call, endpoint
from ..render import environments as render
from ..scenario.model import Environment
from ..wire import AdoError, bad_request, envelope, query, query_int
from .builds import keyed_page, with_token
from .pulls import project_or_404

ENVIRONMENTS_DEFAULT, ENVIRONMENTS_MAX = 50, 1000
RECORDS_DEFAULT, RECORDS_MAX = 50, 1000
VERSIONS = {  # route family -> (path prefix, scopes, api-version, spec)
    "71": (
        "/{org}/{project}/_apis/distributedtask/environments",
        registry.ENVIRONMENT_71,
        "7.1",
        "distributedTask/7.1/taskAgent.json",
    ),
    "72": (
        "/{org}/{project}/_apis/pipelines/environments",
        registry.ENVIRONMENT_72,
        "7.2-preview.1",
        "environments/7.2/environments.json",
    ),
}
OPERATIONS = {  # (family, what) -> operationId
    ("71", "list"): "Environments_List",
    ("71", "get"): "Environments_Get",
    ("71", "records"): "Environmentdeployment Records_List",
    ("72", "list"): "Environments_List",
    ("72", "get"): "Environments_Get",
    ("72", "records"): "Environmentdeploymentrecords_List",
}


def _register(what: str, suffix: str):
    def register(fn):
        for family, (prefix, scopes, version, spec) in VERSIONS.items():
            endpoint(
                f"environments.{what}.v{family}",
                "dev",
                "GET",
                prefix + suffix,
                scopes=scopes,
                api_version=version,
                spec=spec,
                operation_id=OPERATIONS[(family, what)],
            )(fn)
        return fn

    return register


def _size(raw: int | None, default: int, maximum: int) -> int:
    return default if raw is None else max(1, min(raw, maximum))


@_register("list", "")
def list_environments(request: Request, call: Call):
    project = project_or_404(request, call)
    name = (query(request, "name") or "").lower()
    envs = sorted(
        (
            e
            for e in call.world.environments(project.id)
            if e.created <= call.world.now and (not name or _name_matches(e.name, name))
        ),
        key=lambda e: e.id,
    )
    page = keyed_page(
        envs,
        lambda e: (e.id,),
        query(request, "continuationToken"),
        _size(query_int(request, "$top"), ENVIRONMENTS_DEFAULT, ENVIRONMENTS_MAX),
        salt="env",
    )
    return with_token(envelope([render.environment(call, e) for e in page.items]), page.continuation)


def _name_matches(name: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(name.lower(), pattern)


def _environment_or_404(request: Request, call: Call) -> Environment:
    project = project_or_404(request, call)
    raw = request.path_params["environment"]
    if not raw.isdigit():
        raise bad_request(f"The value '{raw}' is not a valid environment id.")
    for env in call.world.environments(project.id):
        if env.id == int(raw) and env.created <= call.world.now:
            return env
    raise AdoError(
        404,
        "EnvironmentNotFoundException",
        f"Environment with id {raw} does not exist or you do not have access to it.",
    )


@_register("get", "/{environment}")
def get_environment(request: Request, call: Call):
    env = _environment_or_404(request, call)
    expands = (query(request, "expands") or "").lower()
    return render.environment(call, env, resources="resourcereferences" in expands)


@_register("records", "/{environment}/environmentdeploymentrecords")
def list_records(request: Request, call: Call):
    env = _environment_or_404(request, call)
    records = sorted(call.world.deployment_records(env.id), key=lambda r: r.id, reverse=True)
    page = keyed_page(
        records,
        lambda r: (-r.id,),
        query(request, "continuationToken"),
        _size(query_int(request, "top"), RECORDS_DEFAULT, RECORDS_MAX),
        salt=f"edr{env.id}",
    )
    return with_token(envelope([render.record(call, r) for r in page.items]), page.continuation)
