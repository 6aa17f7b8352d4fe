"""Routes: commit statuses (ENDPOINTS.md §7). Imported by ``git.py``.

A commit's statuses are the ones clients posted here plus the ones Azure Pipelines posts for its builds of
that commit (as the refs ``includeStatuses`` example shows: ``build/<definition>`` in the
``continuous-integration`` genre, by the TFS service identity): pending when queued, pending when running,
then the result — each visible once the simulated clock has reached it. Pull-request builds are left out:
their commit is the PR's merge commit, which is not part of the repository's history.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..registry import CODE_STATUS_READ, CODE_STATUS_WRITE, Call
from ..render import git as render
from ..render.common import STATUS_STATES
from ..scenario.model import Build, Repository
from ..wire import bad_request, envelope, query_bool, query_int, top_skip
from .git import SPEC, find_commit, find_repo, git_endpoint

BUILD_GENRE = "continuous-integration"
RESULT_STATES = {
    "succeeded": "succeeded",
    "partiallySucceeded": "succeeded",
    "failed": "failed",
    "canceled": "error",
}
BUILD_STATUS_IDS = 1_000_000  # build statuses get ids above this; posted ones count up from 1


@dataclass(slots=True)
class _Store:
    """Posted statuses (per simulator, dropped when the world is rebuilt) and an index of build statuses
    (rebuilt when the simulated clock moves)."""

    world: object
    posted: dict[tuple[str, str], list[render.CommitStatus]] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    builds_at: datetime | None = None
    builds: dict[tuple[str, str], list[render.CommitStatus]] = field(default_factory=dict)


def _store(call: Call) -> _Store:
    store = vars(call.sim).get("_git_commit_statuses")
    if store is None or store.world is not call.world:
        store = _Store(call.world)
        vars(call.sim)["_git_commit_statuses"] = store
    return store


def _build_statuses(call: Call, build: Build, definition: str) -> list[render.CommitStatus]:
    final = RESULT_STATES.get(build.result, "error")
    steps = [
        (build.queued, "pending", "queued"),
        (build.started, "pending", "running"),
        (build.finished, final, final),
    ]
    return [
        render.CommitStatus(
            id=BUILD_STATUS_IDS + build.id * 3 + n,
            state=state,
            description=f"{definition} build {word}",
            genre=BUILD_GENRE,
            name=f"build/{definition}",
            target_url=f"vstfs:///Build/Build/{build.id}",
            created_by_id=render.TFS_IDENTITY_ID,
            created=at,
        )
        for n, (at, state, word) in enumerate(steps)
        if at <= call.world.now
    ]


def _build_index(call: Call, store: _Store) -> dict[tuple[str, str], list[render.CommitStatus]]:
    if store.builds_at != call.world.now:
        index: dict[tuple[str, str], list[render.CommitStatus]] = {}
        for project in call.world.projects():
            names = {d.id: d.name for d in call.world.build_definitions(project.id)}
            for build in call.world.builds(project.id):
                if build.reason == "pullRequest":  # those report on the pull request, not the commit
                    continue
                key = (build.repository_id, build.source_version)
                index.setdefault(key, []).extend(
                    _build_statuses(call, build, names.get(build.definition_id, "CI"))
                )
        store.builds, store.builds_at = index, call.world.now
    return store.builds


def commit_statuses(
    call: Call, repo: Repository, sha: str, *, latest: bool = False
) -> list[render.CommitStatus]:
    """Newest first; ``latest`` keeps the newest status per context (genre, name)."""
    store = _store(call)
    found = [*store.posted.get((repo.id, sha), []), *_build_index(call, store).get((repo.id, sha), [])]
    found.sort(key=lambda s: (s.created, s.id), reverse=True)
    if latest:
        seen: set[tuple[str, str]] = set()
        found = [s for s in found if (s.genre, s.name) not in seen and not seen.add((s.genre, s.name))]
    return found


@git_endpoint(
    "git.commit.statuses",
    "GET",
    "/commits/{sha}/statuses",
    scopes=CODE_STATUS_READ,
    spec=SPEC,
    operation_id="Statuses_List",
)
def list_statuses(request: Request, call: Call):
    """``top`` (default 1000) / ``skip``; ``latestOnly`` keeps the newest per genre/name."""
    repo, _ = find_repo(request, call)
    commit = find_commit(call, repo, request.path_params["sha"])
    items = commit_statuses(call, repo, commit.sha, latest=query_bool(request, "latestOnly"))
    page = top_skip(items, query_int(request, "top"), query_int(request, "skip"), 1000, 1000)
    return envelope([render.status(call, s) for s in page])


@git_endpoint(
    "git.commit.statuses.create",
    "POST",
    "/commits/{sha}/statuses",
    scopes=CODE_STATUS_WRITE,
    spec=SPEC,
    operation_id="Statuses_Create",
)
def create_status(request: Request, call: Call):
    """Answers 201 as the official example records (the spec says 200)."""
    repo, _ = find_repo(request, call)
    commit = find_commit(call, repo, request.path_params["sha"])
    body = call.body if isinstance(call.body, dict) else {}
    context = body.get("context") if isinstance(body.get("context"), dict) else {}
    if not context.get("name"):
        raise bad_request("The status context name must be specified.", "ArgumentNullException")
    state = str(body.get("state") or "notSet")
    canonical = next((s for s in STATUS_STATES if s.casefold() == state.casefold()), None)
    if canonical is None:
        raise bad_request(f"The status state '{state}' is not valid.")
    store = _store(call)
    record = render.CommitStatus(
        id=next(store.ids),
        state=canonical,
        description=str(body.get("description") or ""),
        genre=str(context.get("genre") or ""),
        name=str(context["name"]),
        target_url=str(body.get("targetUrl") or ""),
        created_by_id=call.identity_id or "",
        created=call.world.now,
    )
    store.posted.setdefault((repo.id, commit.sha), []).append(record)
    return JSONResponse(render.status(call, record), status_code=201)
