"""Routes: build definitions (``Definitions_List``, ENDPOINTS.md §8.2). Imported by ``builds.py``.

Always the shallow ``BuildDefinitionReference``: never the process, steps or variables, whatever
``includeAllProperties`` says. ``includeLatestBuilds`` adds the latest and latest completed builds as of now.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable

from starlette.requests import Request

from .. import registry
from ..registry import Call, endpoint
from ..render import builds as render
from ..scenario.model import Build, Project
from ..wire import envelope, query, query_bool, query_choice, query_datetime, query_int, token_page
from .builds import DEFINITIONS_DEFAULT, DEFINITIONS_MAX, SPEC, csv_ints, with_token
from .pulls import project_or_404

DEFINITION_ORDERS = {
    "none",
    "lastmodifiedascending",
    "lastmodifieddescending",
    "definitionnameascending",
    "definitionnamedescending",
}


@endpoint(
    "builds.definitions",
    "dev",
    "GET",
    "/{org}/{project}/_apis/build/definitions",
    scopes=registry.BUILD,
    spec=SPEC,
    operation_id="Definitions_List",
)
def list_definitions(request: Request, call: Call):
    project = project_or_404(request, call)
    now = call.world.now
    order = query_choice(request, "queryOrder", "none", DEFINITION_ORDERS)
    definitions = [
        d
        for d in call.world.build_definitions(project.id)
        if d.created <= now and _definition_matches(request, d)
    ]
    latest = _latest_builds(call, project) if _needs_builds(request) else {}
    definitions = [d for d in definitions if _built_window(request, latest.get(d.id))]
    definitions.sort(key=_definition_key(order), reverse=order.endswith("descending"))
    page = token_page(
        definitions,
        query(request, "continuationToken"),
        query_int(request, "$top"),
        DEFINITIONS_DEFAULT,
        DEFINITIONS_MAX,
        salt=f"bd{order}",
    )
    include = query_bool(request, "includeLatestBuilds")
    body = envelope(
        [
            render.definition(call, d, *latest.get(d.id, (None, None)), include_latest=include)
            for d in page.items
        ]
    )
    return with_token(body, page.continuation)


def _definition_key(order: str) -> Callable:
    """Sort key for ``queryOrder`` (descending orders are applied by ``reverse`` in ``_sorted``)."""
    if order.startswith("definitionname"):
        return lambda d: (d.name.casefold(), d.id)
    if order.startswith("lastmodified"):
        return lambda d: (d.created, d.id)
    return lambda d: (d.id,)


def _definition_matches(request: Request, d) -> bool:
    name = query(request, "name")
    repo_id = (query(request, "repositoryId") or "").lower()
    ids = csv_ints(request, "definitionIds")
    path = query(request, "path")
    process = query_int(request, "processType")
    if name and not _name_matches(d.name, name):
        return False
    if path and d.path.rstrip("\\").lower() != path.rstrip("\\").lower():
        return False
    return (
        (not repo_id or d.repository_id == repo_id)
        and (ids is None or d.id in ids)
        and (process is None or d.process_type == process)
    )


def _name_matches(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


def _needs_builds(request: Request) -> bool:
    return query_bool(request, "includeLatestBuilds") or bool(query(request, "builtAfter", "notBuiltAfter"))


def _latest_builds(call: Call, project: Project) -> dict[int, tuple[Build | None, Build | None]]:
    """definition id -> (latest build, latest completed build) as of now."""
    now = call.world.now
    latest: dict[int, tuple[Build | None, Build | None]] = {}
    for b in call.world.builds(project.id):
        done = latest.get(b.definition_id, (None, None))[1]
        if b.finished <= now:
            done = b
        latest[b.definition_id] = (b, done)
    return latest


def _built_window(request: Request, latest: tuple[Build | None, Build | None] | None) -> bool:
    after = query_datetime(request, "builtAfter")
    not_after = query_datetime(request, "notBuiltAfter")
    last = latest[0] if latest else None
    if after is not None and (last is None or last.queued < after):
        return False
    return not (not_after is not None and last is not None and last.queued >= not_after)
