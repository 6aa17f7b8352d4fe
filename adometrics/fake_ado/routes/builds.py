"""Routes: builds, build changes, timelines and build definitions (build area, dev host; ENDPOINTS.md §8).

Builds are ordered by ``queryOrder``; ``minTime``/``maxTime`` apply to the time that order names (a half-open
window ``[minTime, maxTime)``), and a build without that time yet (queued or running, for finish-time orders)
sorts after those that have it and is left out by a time window — as ADO groups unfinished builds apart.
Continuation tokens carry the sort key of the next item (ADO's have been timestamps), so a page boundary
survives builds that appear between calls. Logs, artifacts, attachments and YAML are
served too (``content=True``: ENDPOINTS.md §12 forbids the collector to call them).
"""

from __future__ import annotations

import base64
from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import registry
from ..registry import Call, endpoint
from ..render import builds as render
from ..scenario import views
from ..scenario.model import Build
from ..wire import (
    AdoError,
    Page,
    bad_request,
    envelope,
    query,
    query_choice,
    query_datetime,
    query_int,
    token_page,
)
from .pulls import project_or_404

SPEC = "build/7.1/build.json"
BUILDS_DEFAULT, BUILDS_MAX = 1000, 5000  # BEHAVIOUR.md §8 ($top max 5000)
DEFINITIONS_DEFAULT, DEFINITIONS_MAX = 1000, 5000
CHANGES_DEFAULT, CHANGES_MAX = 50, 1000
ORDERS = {  # queryOrder -> (time field, descending)
    "finishtimeascending": ("finished", False),
    "finishtimedescending": ("finished", True),
    "queuetimeascending": ("queued", False),
    "queuetimedescending": ("queued", True),
    "starttimeascending": ("started", False),
    "starttimedescending": ("started", True),
}
DEFAULT_ORDER = "finishtimedescending"  # completed builds first, as observed when no order is given
STATUSES = {"none", "inprogress", "completed", "cancelling", "postponed", "notstarted", "all"}


# -- keyed continuation tokens (shared by the build, release-definition and environment lists) ---------


def encode_key(key: tuple[int, ...], salt: str) -> str:
    raw = f"{salt}|{','.join(str(k) for k in key)}|".encode()
    return base64.b64encode(raw + b"\xfb\xff").decode()


def decode_key(token: str, salt: str) -> tuple[int, ...]:
    try:
        prefix, body, _ = base64.b64decode(token.encode(), validate=True)[:-2].decode().split("|")
        if prefix != salt:
            raise ValueError
        return tuple(int(k) for k in body.split(","))
    except (ValueError, UnicodeDecodeError):
        raise bad_request(f"The continuation token '{token}' is not valid.") from None


def keyed_page(
    items: Sequence[Any], key: Callable[[Any], tuple[int, ...]], token: str | None, size: int, salt: str
) -> Page:
    """One page of ``items`` (sorted ascending by ``key``) starting at the token's key; the token of the
    next page is the key of its first item, absent on the last page."""
    keys = [key(item) for item in items]
    start = bisect_left(keys, decode_key(token, salt)) if token else 0
    end = start + size
    return Page(list(items[start:end]), encode_key(keys[end], salt) if end < len(items) else None)


def with_token(body: Any, token: str | None) -> JSONResponse:
    response = JSONResponse(body)
    if token:
        response.headers["x-ms-continuationtoken"] = token
    return response


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


# -- builds -----------------------------------------------------------------------------------------


def csv_ints(request: Request, name: str) -> set[int] | None:
    raw = query(request, name)
    if not raw:
        return None
    try:
        return {int(x) for x in raw.split(",") if x.strip()}
    except ValueError:
        raise bad_request(f"The value '{raw}' is not valid for parameter {name}.") from None


def _csv_lower(request: Request, name: str) -> set[str] | None:
    raw = query(request, name)
    return {x.strip().lower() for x in raw.split(",") if x.strip()} if raw else None


def _build_filter(request: Request, call: Call) -> Callable[[Build], bool]:
    now = call.world.now
    definitions = csv_ints(request, "definitions")
    ids = csv_ints(request, "buildIds")
    statuses = _csv_lower(request, "statusFilter")
    if statuses and not statuses <= STATUSES:
        raise bad_request(
            f"The value '{query(request, 'statusFilter')}' is not valid for parameter statusFilter."
        )
    results = _csv_lower(request, "resultFilter")
    reasons = _csv_lower(request, "reasonFilter")
    branch = (query(request, "branchName") or "").lower()
    repo_id = (query(request, "repositoryId") or "").lower()
    repo_type = (query(request, "repositoryType") or "").lower()
    requested_for = (query(request, "requestedFor") or "").lower()
    number = query(request, "buildNumber")
    tags = {t.strip() for t in (query(request, "tagFilters") or "").split(",") if t.strip()}

    def keep(b: Build) -> bool:
        status, result, _ = views.build_state(b, now)
        checks = (
            definitions is None or b.definition_id in definitions,
            ids is None or b.id in ids,
            not statuses or "all" in statuses or status.lower() in statuses,
            not results or (result or "none").lower() in results,
            not reasons or "all" in reasons or b.reason.lower() in reasons,
            not branch or b.source_branch.lower() == branch,
            not repo_id or (b.repository_id == repo_id and repo_type in ("", "tfsgit")),
            not requested_for or b.requested_for_id == requested_for,
            not number or _number_matches(b.number, number),
            not tags or tags <= set(b.tags),
        )
        return all(checks)

    return keep


def _number_matches(number: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return number.lower().startswith(pattern[:-1].lower())
    return number.lower() == pattern.lower()


def _build_time(b: Build, field: str, now: datetime) -> datetime | None:
    when: datetime = getattr(b, field)
    return when if when <= now else None


@endpoint(
    "builds.list",
    "dev",
    "GET",
    "/{org}/{project}/_apis/build/builds",
    scopes=registry.BUILD,
    spec=SPEC,
    operation_id="Builds_List",
)
def list_builds(request: Request, call: Call):
    project = project_or_404(request, call)
    now = call.world.now
    order = query_choice(request, "queryOrder", DEFAULT_ORDER, ORDERS)
    field, descending = ORDERS[order]
    min_time, max_time = query_datetime(request, "minTime"), query_datetime(request, "maxTime")
    keep = _build_filter(request, call)
    sign = -1 if descending else 1

    def key(b: Build) -> tuple[int, ...]:
        when = _build_time(b, field, now)
        if when is None:  # no such time yet: after the others, by queue time in the same direction
            return (1, sign * ms(b.queued), sign * b.id)
        return (0, sign * ms(when), sign * b.id)

    def in_window(b: Build) -> bool:
        if min_time is None and max_time is None:
            return True
        when = _build_time(b, field, now)
        return (
            when is not None
            and (min_time is None or when >= min_time)
            and (max_time is None or when < max_time)
        )

    builds = sorted((b for b in call.world.builds(project.id) if keep(b) and in_window(b)), key=key)
    builds = _per_definition(builds, query_int(request, "maxBuildsPerDefinition"))
    top = query_int(request, "$top")
    size = BUILDS_DEFAULT if top is None else max(1, min(top, BUILDS_MAX))
    page = keyed_page(builds, key, query(request, "continuationToken"), size, salt=f"b{order}")
    definitions = {d.id: d for d in call.world.build_definitions(project.id)}
    plans = render.plan_ids(call, project.id)
    body = envelope([render.build(call, b, definitions.get(b.definition_id), plans) for b in page.items])
    return with_token(body, page.continuation)


def _per_definition(builds: list[Build], limit: int | None) -> list[Build]:
    if not limit:
        return builds
    seen: dict[int, int] = {}
    kept = []
    for b in builds:
        seen[b.definition_id] = seen.get(b.definition_id, 0) + 1
        if seen[b.definition_id] <= limit:
            kept.append(b)
    return kept


def build_or_404(request: Request, call: Call) -> Build:
    """The URL's ``{build}`` in its ``{org}``/``{project}``, else ADO's 404."""
    project = project_or_404(request, call)
    raw = request.path_params["build"]
    try:
        build_id = int(raw)
    except ValueError:
        raise bad_request(f"The value '{raw}' is not a valid build id.") from None
    b = call.world.build(build_id)
    if b is None or b.project_id != project.id or b.queued > call.world.now:
        raise AdoError(404, "BuildNotFoundException", f"The requested build {raw} could not be found.")
    return b


@endpoint(
    "builds.get",
    "dev",
    "GET",
    "/{org}/{project}/_apis/build/builds/{build}",
    scopes=registry.BUILD,
    spec=SPEC,
    operation_id="Builds_Get",
)
def get_build(request: Request, call: Call):
    return render.build(call, build_or_404(request, call))


@endpoint(
    "builds.changes",
    "dev",
    "GET",
    "/{org}/{project}/_apis/build/builds/{build}/changes",
    scopes=registry.BUILD,
    spec=SPEC,
    operation_id="Builds_Get Build Changes",
)
def build_changes(request: Request, call: Call):
    """Commits since the previous build of the same definition and branch (just the built commit for the
    first one; a PR build's PR commits)."""
    b = build_or_404(request, call)
    commits = _changes(call, b)
    page = token_page(
        commits,
        query(request, "continuationToken"),
        query_int(request, "$top"),
        CHANGES_DEFAULT,
        CHANGES_MAX,
        salt=f"bc{b.id}",
    )
    repo = call.world.repository(b.repository_id)
    people = render.people_by_email(call)
    return with_token(envelope([render.change(call, repo, c, people) for c in page.items]), page.continuation)


def _changes(call: Call, b: Build) -> list:
    world = call.world
    previous = [
        p
        for p in world.builds(b.project_id)
        if p.id < b.id and p.definition_id == b.definition_id and p.source_branch == b.source_branch
    ]
    if b.pull_request_id is not None:
        pr = world.pull_request(b.pull_request_id)
        if pr is not None:
            shas = views.pr_commit_shas(pr, min(world.now, b.queued))
            return [c for c in (world.commit(b.repository_id, s) for s in shas) if c is not None]
    exclude = previous[-1].source_version if previous else None
    commits = list(world.commits(b.repository_id, b.source_version, exclude)) if exclude else []
    if not commits:
        head = world.commit(b.repository_id, b.source_version)
        commits = [head] if head is not None else []
    return commits


@endpoint(
    "builds.timeline_by_id",
    "dev",
    "GET",
    "/{org}/{project}/_apis/build/builds/{build}/timeline/{timeline}",
    scopes=registry.BUILD,
    spec=SPEC,
    operation_id="Timeline_Get",
)
@endpoint(  # registered first (decorators apply bottom-up): listed first in COVERAGE.md
    "builds.timeline",
    "dev",
    "GET",
    "/{org}/{project}/_apis/build/builds/{build}/timeline",
    scopes=registry.BUILD,
    spec=SPEC,
    operation_id="Timeline_Get",
)
def build_timeline(request: Request, call: Call):
    """The build's timeline; the ``{timeline}`` form must name the build's plan."""
    b = build_or_404(request, call)
    timeline = request.path_params.get("timeline")
    if timeline is not None and timeline.lower() != render.plan_id(call, b):
        raise AdoError(
            404, "TimelineNotFoundException", f"Timeline {timeline} was not found for build {b.id}."
        )
    return render.timeline(call, b, list(call.world.timeline(b.id)))


from . import build_content, build_definitions  # noqa: E402,F401  (they use the helpers above)
