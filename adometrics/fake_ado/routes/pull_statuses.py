"""Routes: pull request statuses — read, and the app's one PR write (ENDPOINTS.md §6.7–6.8). Imported by
``pulls.py``.

Every route has two forms, served by one handler: the PR's (``…/pullRequests/{pr}/statuses``; its decorator
is the one nearest the ``def``, so it registers first) and one iteration's
(``…/pullRequests/{pr}/iterations/{iteration}/statuses``), which sees only that iteration's statuses and
links them under it.

POST adds the status to the world's PR in memory and returns it; ids count per PR. An ``iterationId`` in the
body of the iteration form that differs from the URL's is a 400. PATCH takes a JSON Patch of ``remove``
operations (``/<statusId>``), applied all or nothing.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import registry
from ..registry import Call
from ..render import pulls as render
from ..render.common import STATUS_STATES
from ..scenario import views
from ..scenario.model import PullRequest, PullRequestStatus, Repository
from ..wire import AdoError, bad_request, envelope
from .pulls import iteration_or_404, pr_or_404, repo_or_404, repo_route

STATE_NAMES = {s.lower(): s for s in STATUS_STATES}  # lower case -> the GitStatusState name
PR = "/pullRequests/{pr}/statuses"
ITERATION = "/pullRequests/{pr}/iterations/{iteration}/statuses"


def _status_not_found(raw: str) -> AdoError:
    return AdoError(
        404, "GitPullRequestStatusNotFoundException", f"The pull request status {raw} was not found."
    )


def _target(request: Request, call: Call) -> tuple[Repository, PullRequest, int | None]:
    """The route's repository and PR, and the iteration id of the iteration form (None: the PR form)."""
    repo = repo_or_404(request, call)
    pr = pr_or_404(call, repo, request.path_params["pr"])
    raw = request.path_params.get("iteration")
    return repo, pr, None if raw is None else iteration_or_404(call, pr, raw).id


def _visible(call: Call, pr: PullRequest, iteration_id: int | None) -> list[PullRequestStatus]:
    """The statuses posted by now: all of the PR's, or those of one iteration."""
    return [
        s
        for s in views.visible_statuses(pr, call.world.now)
        if iteration_id is None or s.iteration_id == iteration_id
    ]


def _links(iteration_id: int | None) -> str:
    return "pr" if iteration_id is None else "iteration"


@repo_route(
    "pulls.iteration_statuses",
    "GET",
    ITERATION,
    "Pull Request Iteration Statuses_List",
    scopes=registry.CODE_STATUS_READ,
)
@repo_route("pulls.statuses", "GET", PR, "Pull Request Statuses_List", scopes=registry.CODE_STATUS_READ)
def list_statuses(request: Request, call: Call):
    repo, pr, iteration_id = _target(request, call)
    visible = _visible(call, pr, iteration_id)
    return envelope([render.status(call, repo, pr, st, links=None) for st in visible])


@repo_route(
    "pulls.iteration_status",
    "GET",
    ITERATION + "/{status}",
    "Pull Request Iteration Statuses_Get",
    scopes=registry.CODE_STATUS_READ,
)
@repo_route(
    "pulls.status", "GET", PR + "/{status}", "Pull Request Statuses_Get", scopes=registry.CODE_STATUS_READ
)
def get_status(request: Request, call: Call):
    repo, pr, iteration_id = _target(request, call)
    raw = request.path_params["status"]
    for st in _visible(call, pr, iteration_id):
        if str(st.id) == raw:
            return render.status(call, repo, pr, st, links=_links(iteration_id))
    raise _status_not_found(raw)


@repo_route(
    "pulls.create_iteration_status",
    "POST",
    ITERATION,
    "Pull Request Iteration Statuses_Create",
    scopes=registry.CODE_STATUS_WRITE,
)
@repo_route(
    "pulls.create_status", "POST", PR, "Pull Request Statuses_Create", scopes=registry.CODE_STATUS_WRITE
)
def create_status(request: Request, call: Call):
    """The PR form takes the iteration (if any) from the body; the iteration form from the URL."""
    repo, pr, iteration_id = _target(request, call)
    body = _status_body(call)
    sent = body.get("iterationId")
    if iteration_id is None:
        if sent is not None:
            _iteration_for_body(call, pr, sent)
    elif sent is not None and str(sent) != str(iteration_id):
        raise bad_request(
            f"The iteration id {sent} in the status does not match the iteration id {iteration_id} "
            "of the request URL."
        )
    st = _store_status(call, pr, body, sent if iteration_id is None else iteration_id)
    return render.status(call, repo, pr, st, links=_links(iteration_id))


def _status_body(call: Call) -> dict[str, Any]:
    body = call.body
    if not isinstance(body, dict):
        raise bad_request("The status is missing from the request body.", "ArgumentNullException")
    context = body.get("context")
    if not isinstance(context, dict) or not context.get("name"):
        raise bad_request("The status context name must be specified.", "ArgumentNullException")
    state = str(body.get("state") or "notSet").lower()
    if state not in STATE_NAMES:
        raise bad_request(f"The value '{body.get('state')}' is not a valid GitStatusState.")
    return body


def _iteration_for_body(call: Call, pr: PullRequest, raw: Any) -> None:
    try:
        iteration_or_404(call, pr, str(int(raw)))
    except (AdoError, ValueError):
        raise bad_request(f"The iteration {raw} does not exist on pull request {pr.id}.") from None


def _store_status(call: Call, pr: PullRequest, body: dict[str, Any], iteration_id: Any) -> PullRequestStatus:
    """Add the status to the PR in memory: ids count per PR, as in the examples."""
    context = body["context"]
    st = PullRequestStatus(
        id=max((s.id for s in pr.statuses), default=0) + 1,
        iteration_id=int(iteration_id) if iteration_id is not None else None,
        state=STATE_NAMES[str(body.get("state") or "notSet").lower()],
        description=str(body.get("description") or ""),
        genre=str(context.get("genre") or ""),
        name=str(context["name"]),
        target_url=str(body.get("targetUrl") or ""),
        created_by_id=call.identity_id or "",
        created=call.world.now,
        properties=render.typed_properties(body.get("properties")),
    )
    pr.statuses.append(st)
    return st


@repo_route(
    "pulls.update_iteration_statuses",
    "PATCH",
    ITERATION,
    "Pull Request Iteration Statuses_Update",
    scopes=registry.CODE_STATUS_WRITE,
)
@repo_route(
    "pulls.update_statuses", "PATCH", PR, "Pull Request Statuses_Update", scopes=registry.CODE_STATUS_WRITE
)
def update_statuses(request: Request, call: Call):
    """JSON Patch: only ``remove`` of ``/<statusId>`` is supported (as ADO does); all or nothing."""
    _, pr, iteration_id = _target(request, call)
    ops = call.body
    if not isinstance(ops, list) or not ops:
        raise bad_request("The JSON patch document is missing or empty.", "ArgumentNullException")
    doomed: set[int] = set()
    for op in ops:
        path = str(op.get("path", "")) if isinstance(op, dict) else ""
        if not isinstance(op, dict) or str(op.get("op", "")).lower() != "remove":
            raise bad_request("Only the 'remove' operation is supported for pull request statuses.")
        try:
            status_id = int(path.strip("/"))
        except ValueError:
            raise bad_request(f"The path '{path}' is not a valid status path.") from None
        if not any(s.id == status_id for s in _visible(call, pr, iteration_id)):
            raise _status_not_found(str(status_id))
        doomed.add(status_id)
    pr.statuses[:] = [s for s in pr.statuses if s.id not in doomed]
    return Response(status_code=200)
