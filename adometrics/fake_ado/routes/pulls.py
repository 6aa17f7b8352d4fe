"""Routes: pull requests — lists, single PRs, threads, iterations, commits, reviewers and statuses.

Repository-scoped routes are served with and without the ``{project}`` segment (ENDPOINTS.md §0.1). Lists
read the world's compact ``pull_request_index`` and load details only for the PRs a page needs (or, for
``reviewerId``/``sourceRefName``/``targetRefName``, for the PRs examined until the page is full).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import registry
from ..registry import Call, endpoint
from ..render import pull_threads as threads
from ..render import pulls as render
from ..scenario import views
from ..scenario.model import Project, PullRequest, PullRequestSummary, Repository
from ..wire import AdoError, bad_request, envelope, query, query_bool, query_datetime, query_int, token_page
from .core import find_project

SPEC = "git/7.1/git.json"
LIST_DEFAULT, LIST_MAX = 101, 1000  # BEHAVIOUR.md §8
COMMITS_DEFAULT, COMMITS_MAX = 100, 500  # iteration commits: "maximum ... per batch is 500" (spec)
STATUSES = {
    "notset": "active",
    "active": "active",
    "abandoned": "abandoned",
    "completed": "completed",
    "all": "all",
}
REPO = "/_apis/git/repositories/{repo}"


def repo_route(name: str, method: str, suffix: str, operation_id: str, scopes=registry.CODE, **kw):
    """Register a repository-scoped route twice: with ``{project}`` and with the repository GUID only."""

    def register(fn):
        for prefix, name_suffix in (("/{org}/{project}", ""), ("/{org}", ".noproject")):
            register_one = endpoint(
                name + name_suffix,
                "dev",
                method,
                prefix + REPO + suffix,
                scopes=scopes,
                spec=SPEC,
                operation_id=operation_id,
                **kw,
            )
            register_one(fn)
        return fn

    return register


def check_org(request: Request, call: Call) -> None:
    org = request.path_params.get("org", call.world.organization)
    if org.lower() != call.world.organization.lower():
        raise AdoError(404, "NotFoundException", f"The organization '{org}' was not found.")


def project_or_404(request: Request, call: Call) -> Project:
    """The ``{org}``/``{project}`` of the URL (project by id or name), or ADO's 404."""
    check_org(request, call)
    return find_project(call, request.path_params["project"])


def repository_or_404(call: Call, raw: str, project_id: str | None) -> Repository:
    repo = call.world.repository(raw, project_id)
    if repo is None or repo.created > call.world.now:
        raise AdoError(
            404,
            "GitRepositoryNotFoundException",
            f"TF401019: The Git repository with name or identifier {raw} does not exist or you do "
            "not have permissions for the operation you are attempting.",
        )
    return repo


def repo_or_404(request: Request, call: Call) -> Repository:
    check_org(request, call)
    project = project_or_404(request, call) if "project" in request.path_params else None
    return repository_or_404(call, request.path_params["repo"], project.id if project else None)


def pr_or_404(call: Call, repo: Repository, raw: str) -> PullRequest:
    pr = _loadpr_or_404(call, raw)
    if pr is None or pr.repository_id != repo.id:
        raise _pr_not_found(raw)
    return pr


def _loadpr_or_404(call: Call, raw: str) -> PullRequest | None:
    try:
        pr_id = int(raw)
    except ValueError:
        raise bad_request(f"The value '{raw}' is not a valid pull request id.") from None
    pr = call.world.pull_request(pr_id)
    if pr is None or pr.created > call.world.now:
        return None
    return pr


def _pr_not_found(raw: str) -> AdoError:
    return AdoError(
        404,
        "GitPullRequestNotFoundException",
        f"TF401180: The requested pull request was not found. Pull request id: {raw}.",
    )


# -- lists ------------------------------------------------------------------------------------------


@endpoint(
    "pulls.list_by_project",
    "dev",
    "GET",
    "/{org}/{project}/_apis/git/pullrequests",
    scopes=registry.CODE,
    spec=SPEC,
    operation_id="Pull Requests_Get Pull Requests By Project",
)
def list_by_project(request: Request, call: Call):
    project = project_or_404(request, call)
    repo_filter = _criteria(request, "repositoryId")
    index = call.world.pull_request_index(project_id=project.id, repository_id=repo_filter)
    return _list(request, call, index)


@repo_route("pulls.list", "GET", "/pullrequests", "Pull Requests_Get Pull Requests")
def list_by_repository(request: Request, call: Call):
    repo = repo_or_404(request, call)
    wanted = _criteria(request, "repositoryId")
    if wanted and wanted.lower() != repo.id:
        return envelope([])
    return _list(request, call, call.world.pull_request_index(repository_id=repo.id))


def _criteria(request: Request, name: str) -> str | None:
    value = query(request, f"searchCriteria.{name}", name)
    return value.lower() if value and name.endswith("Id") else value


def _list(request: Request, call: Call, index) -> dict[str, Any]:
    """Filter the newest-first index, then fill one ``$top``/``$skip`` page."""
    cheap = _summary_filter(request, call)
    detail = _detail_filter(request, call)
    top = query_int(request, "$top", "searchCriteria.$top")
    skip = max(0, query_int(request, "$skip", "searchCriteria.$skip", default=0) or 0)
    size = LIST_DEFAULT if top is None else max(0, min(top, LIST_MAX))
    page: list[PullRequest] = []
    matched = 0
    for summary in index:
        if len(page) >= size:
            break
        if not cheap(summary):
            continue
        pr = None
        if detail is not None:
            pr = call.world.pull_request(summary.id)
            if pr is None or not detail(pr):
                continue
        matched += 1
        if matched > skip:
            page.append(pr or call.world.pull_request(summary.id))
    repos: dict[str, Repository] = {}
    out = []
    for pr in page:
        if pr.repository_id not in repos:
            repos[pr.repository_id] = call.world.repository(pr.repository_id)
        out.append(render.pull_request(call, repos[pr.repository_id], pr, listing=True))
    return envelope(out)


def _summary_filter(request: Request, call: Call) -> Callable[[PullRequestSummary], bool]:
    now = call.world.now
    raw_status = (_criteria(request, "status") or "active").lower()
    if raw_status not in STATUSES:
        raise bad_request(f"The value '{raw_status}' is not valid for searchCriteria.status.")
    status = STATUSES[raw_status]
    creator = _criteria(request, "creatorId")
    source_repo = _criteria(request, "sourceRepositoryId")
    min_time = query_datetime(request, "searchCriteria.minTime", "minTime")
    max_time = query_datetime(request, "searchCriteria.maxTime", "maxTime")
    range_type = (_criteria(request, "queryTimeRangeType") or "created").lower()
    if range_type not in ("created", "closed"):
        raise bad_request(f"The value '{range_type}' is not valid for searchCriteria.queryTimeRangeType.")

    def keep(s: PullRequestSummary) -> bool:
        closed = s.closed if s.closed is not None and s.closed <= now and s.final_status != "active" else None
        current = s.final_status if closed is not None else "active"
        if status != "all" and current != status:
            return False
        if creator and s.created_by_id != creator:
            return False
        if source_repo and s.repository_id != source_repo:
            return False
        if min_time is None and max_time is None:
            return True
        when = s.created if range_type == "created" else closed
        if when is None:
            return False
        return (min_time is None or when >= min_time) and (max_time is None or when < max_time)

    return keep


def _detail_filter(request: Request, call: Call) -> Callable[[PullRequest], bool] | None:
    reviewer = _criteria(request, "reviewerId")
    source = _criteria(request, "sourceRefName")
    target = _criteria(request, "targetRefName")
    if not (reviewer or source or target):
        return None
    now = call.world.now

    def keep(pr: PullRequest) -> bool:
        if source and pr.source_ref.lower() != source.lower():
            return False
        if target and pr.target_ref.lower() != target.lower():
            return False
        return not reviewer or any(
            r.identity_id == reviewer for r in (r for r, _ in views.visible_reviewers(pr, now))
        )

    return keep


# -- single pull request ----------------------------------------------------------------------------


@repo_route("pulls.get", "GET", "/pullrequests/{pr}", "Pull Requests_Get Pull Request")
def get_pull_request(request: Request, call: Call):
    repo = repo_or_404(request, call)
    pr = pr_or_404(call, repo, request.path_params["pr"])
    return render.pull_request(
        call, repo, pr, listing=False, include_commits=query_bool(request, "includeCommits")
    )


@endpoint(
    "pulls.get_by_project",
    "dev",
    "GET",
    "/{org}/{project}/_apis/git/pullrequests/{pr}",
    scopes=registry.CODE,
    spec=SPEC,
    operation_id="Pull Requests_Get Pull Request By Id",
)
def get_pull_request_by_id(request: Request, call: Call):
    project = project_or_404(request, call)
    pr = _loadpr_or_404(call, request.path_params["pr"])
    if pr is None or pr.project_id != project.id:
        raise _pr_not_found(request.path_params["pr"])
    repo = call.world.repository(pr.repository_id)
    return render.pull_request(call, repo, pr, listing=False)


# -- threads, iterations, commits, reviewers --------------------------------------------------------

THREAD_SCOPES = (*registry.CODE, "vso.threads_full")


@repo_route(
    "pulls.threads", "GET", "/pullRequests/{pr}/threads", "Pull Request Threads_List", scopes=THREAD_SCOPES
)
def list_threads(request: Request, call: Call):
    repo = repo_or_404(request, call)
    pr = pr_or_404(call, repo, request.path_params["pr"])
    return envelope([threads.thread(call, pr, th) for th in views.visible_threads(pr, call.world.now)])


@repo_route(
    "pulls.thread",
    "GET",
    "/pullRequests/{pr}/threads/{thread}",
    "Pull Request Threads_Get",
    scopes=THREAD_SCOPES,
)
def get_thread(request: Request, call: Call):
    repo = repo_or_404(request, call)
    pr = pr_or_404(call, repo, request.path_params["pr"])
    for th in views.visible_threads(pr, call.world.now):
        if str(th.id) == request.path_params["thread"]:
            return threads.thread(call, pr, th)
    raise AdoError(
        404,
        "CodeReviewDiscussionThreadNotFoundException",
        f"The requested thread {request.path_params['thread']} was not found.",
    )


@repo_route("pulls.iterations", "GET", "/pullRequests/{pr}/iterations", "Pull Request Iterations_List")
def list_iterations(request: Request, call: Call):
    repo = repo_or_404(request, call)
    pr = pr_or_404(call, repo, request.path_params["pr"])
    commits = query_bool(request, "includeCommits")
    return envelope(
        [
            render.iteration(call, repo, pr, it, include_commits=commits)
            for it in views.visible_iterations(pr, call.world.now)
        ]
    )


def iteration_or_404(call: Call, pr: PullRequest, raw: str):
    for it in views.visible_iterations(pr, call.world.now):
        if str(it.id) == raw:
            return it
    raise AdoError(
        404,
        "GitPullRequestIterationNotFoundException",
        f"TF401174: The iteration {raw} of pull request {pr.id} was not found.",
    )


@repo_route(
    "pulls.iteration", "GET", "/pullRequests/{pr}/iterations/{iteration}", "Pull Request Iterations_Get"
)
def get_iteration(request: Request, call: Call):
    repo = repo_or_404(request, call)
    pr = pr_or_404(call, repo, request.path_params["pr"])
    it = iteration_or_404(call, pr, request.path_params["iteration"])
    return render.iteration(call, repo, pr, it, include_commits=query_bool(request, "includeCommits"))


@repo_route(
    "pulls.iteration_commits",
    "GET",
    "/pullRequests/{pr}/iterations/{iteration}/commits",
    "Pull Request Commits_Get Pull Request Iteration Commits",
)
def iteration_commits(request: Request, call: Call):
    repo = repo_or_404(request, call)
    pr = pr_or_404(call, repo, request.path_params["pr"])
    it = iteration_or_404(call, pr, request.path_params["iteration"])
    top = query_int(request, "top", "$top")
    size = COMMITS_DEFAULT if top is None else max(0, min(top, COMMITS_MAX))
    skip = max(0, query_int(request, "skip", "$skip", default=0) or 0)
    return envelope(render.pr_commits(call, repo, pr, list(it.commit_shas)[skip : skip + size]))


@repo_route(
    "pulls.commits", "GET", "/pullRequests/{pr}/commits", "Pull Request Commits_Get Pull Request Commits"
)
def pr_commits(request: Request, call: Call):
    repo = repo_or_404(request, call)
    pr = pr_or_404(call, repo, request.path_params["pr"])
    shas = views.pr_commit_shas(pr, call.world.now)
    page = token_page(
        shas,
        query(request, "continuationToken"),
        query_int(request, "$top", "top"),
        COMMITS_DEFAULT,
        COMMITS_MAX,
        salt=f"prc{pr.id}",
    )
    response = JSONResponse(envelope(render.pr_commits(call, repo, pr, page.items)))
    if page.continuation:
        response.headers["x-ms-continuationtoken"] = page.continuation
    return response


@repo_route("pulls.reviewers", "GET", "/pullRequests/{pr}/reviewers", "Pull Request Reviewers_List")
def list_reviewers(request: Request, call: Call):
    repo = repo_or_404(request, call)
    pr = pr_or_404(call, repo, request.path_params["pr"])
    return envelope(render.reviewers(call, repo, pr))


from . import pull_statuses  # noqa: E402,F401  (status routes, which use the helpers above)
