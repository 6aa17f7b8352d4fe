"""Routes: repositories, refs, branch stats, pushes, policy configurations (ENDPOINTS.md §4, §13.1), and the
lookups the other git modules share. Commits live in ``gitcommits.py``, commit statuses in
``gitstatuses.py`` (both imported at the bottom), content routes in ``content.py``.

Every repository route answers on both ``/{org}/{project}/_apis/git/repositories/{repo}/…`` and the
project-less ``/{org}/_apis/git/repositories/{repo}/…`` (repository by GUID), as ADO does. Names and ids match
case-insensitively. A disabled repository is listed (``isDisabled: true``) and can be fetched, but its other
routes answer TF401019, which on the real service means "missing or no permission".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..auth import admin_identity
from ..registry import CODE, Call, endpoint
from ..render import git as render
from ..scenario.model import Commit, Project, Repository
from ..wire import (
    AdoError,
    bad_request,
    envelope,
    parse_datetime,
    query,
    query_bool,
    query_int,
    token_page,
    top_skip,
)
from .core import find_project, is_guid

SPEC = "git/7.1/git.json"
REPO_PREFIX = "/_apis/git/repositories/{repo}"


def git_endpoint(name: str, method: str, tail: str, **kwargs: Any) -> Callable:
    """Register a repository route under both path forms (with and without ``{project}``)."""

    def register(fn: Callable) -> Callable:
        endpoint(name, "dev", method, "/{org}/{project}" + REPO_PREFIX + tail, **kwargs)(fn)
        endpoint(name + "@org", "dev", method, "/{org}" + REPO_PREFIX + tail, **kwargs)(fn)
        return fn

    return register


def repo_missing(key: str) -> AdoError:
    return AdoError(
        404,
        "GitRepositoryNotFoundException",
        f"TF401019: The Git repository with name or identifier {key} does not exist or you do not have "
        "permissions for the operation you are attempting.",
    )


def find_repo(request: Request, call: Call, *, allow_disabled: bool = False) -> tuple[Repository, Project]:
    """The route's repository (and its project). Without ``{project}`` only a GUID identifies it."""
    params = request.path_params
    key = params["repo"]
    project = find_project(call, params["project"]) if "project" in params else None
    if project is None and not is_guid(key):
        raise repo_missing(key)
    scope = project.id if project is not None else None
    repo = call.world.repository(key, scope)
    if repo is None or (project is not None and repo.project_id != project.id):
        wanted = key.casefold()
        repo = next((r for r in call.world.repositories(scope) if wanted in (r.id, r.name.casefold())), None)
    if repo is None or (repo.is_disabled and not allow_disabled):
        raise repo_missing(key)
    return repo, project or find_project(call, repo.project_id)


def find_commit(call: Call, repo: Repository, sha: str) -> Commit:
    commit = call.world.commit(repo.id, sha.lower())
    if commit is None:
        raise AdoError(
            404,
            "GitObjectNotFoundException",
            f"TF401174: The item {sha} could not be found in the repository {repo.name}.",
        )
    return commit


def mark_content(request: Request, call: Call) -> None:
    """Flag this request as content in the request log (a non-content route asked for file data)."""
    for entry in reversed(call.sim.log.entries):
        if entry.path == request.url.path and not entry.status:
            entry.content = True
            return


# -- repositories -----------------------------------------------------------------------------------


def _repos(call: Call, project_id: str | None) -> list[dict[str, Any]]:
    projects: dict[str, Project] = {}
    body = []
    for repo in sorted(call.world.repositories(project_id), key=lambda r: (r.name.casefold(), r.id)):
        project = projects.setdefault(repo.project_id, find_project(call, repo.project_id))
        body.append(render.repository(call, repo, project))
    return body


@endpoint(
    "git.repositories",
    "dev",
    "GET",
    "/{org}/{project}/_apis/git/repositories",
    scopes=CODE,
    spec=SPEC,
    operation_id="Repositories_List",
)
def list_repositories(request: Request, call: Call):
    """Every repository, disabled ones included (``isDisabled: true``); no paging."""
    return envelope(_repos(call, find_project(call, request.path_params["project"]).id))


@endpoint(
    "git.repositories@org",
    "dev",
    "GET",
    "/{org}/_apis/git/repositories",
    scopes=CODE,
    spec=SPEC,
    operation_id="Repositories_List",
)
def list_all_repositories(request: Request, call: Call):
    return envelope(_repos(call, None))


@git_endpoint("git.repository", "GET", "", scopes=CODE, spec=SPEC, operation_id="Repositories_Get Repository")
def get_repository(request: Request, call: Call):
    repo, project = find_repo(request, call, allow_disabled=True)
    return render.repository(call, repo, project, links=True)


# -- refs and branch stats ----------------------------------------------------------------------------


@git_endpoint("git.refs", "GET", "/refs", scopes=CODE, spec=SPEC, operation_id="Refs_List")
def list_refs(request: Request, call: Call):
    """``filter`` (prefix after ``refs/``), ``filterContains``, ``includeStatuses``; pages of ``$top``
    (≤ 1000; 100 when only a token is sent), token in ``x-ms-continuationtoken``; no ``$top``: every ref."""
    repo, _ = find_repo(request, call)
    refs = list(call.world.refs(repo.id))
    prefix = query(request, "filter")
    if prefix:
        refs = [(r, o) for r, o in refs if r.name.startswith("refs/" + prefix.removeprefix("refs/"))]
    contains = query(request, "filterContains")
    if contains:
        refs = [(r, o) for r, o in refs if contains.casefold() in r.name.casefold()]
    top, token = query_int(request, "$top"), query(request, "continuationToken")
    headers = {}
    if top is not None or token:
        page = token_page(refs, token, top, 100, 1000, salt="refs")
        refs = page.items
        if page.continuation:
            headers["x-ms-continuationtoken"] = page.continuation
    statuses = query_bool(request, "includeStatuses")
    latest = query_bool(request, "latestStatusesOnly")
    body = []
    for ref, object_id in refs:
        item = render.git_ref(call, repo, ref, object_id)
        if statuses:
            found = gitstatuses.commit_statuses(call, repo, object_id, latest=latest)
            item["statuses"] = [render.status(call, s) for s in found]
        body.append(item)
    return JSONResponse(envelope(body), headers=headers)


def unresolvable(repo: Repository, version: str, version_type: str) -> AdoError:
    return AdoError(
        404,
        "GitUnresolvableToCommitException",
        f"TF401175:The version descriptor <{version_type.capitalize()}: {version}> could not be resolved "
        f"to a version in the repository {repo.name}",
    )


def resolve(call: Call, repo: Repository, version: str, version_type: str = "branch") -> str:
    sha = call.world.resolve_version(repo.id, version, version_type or "branch")
    if sha is None:
        raise unresolvable(repo, version, version_type or "branch")
    return sha


@git_endpoint(
    "git.stats.branches", "GET", "/stats/branches", scopes=CODE, spec=SPEC, operation_id="Stats_List"
)
def branch_stats(request: Request, call: Call):
    """Ahead/behind counts of each branch against ``baseVersionDescriptor`` (default: the default branch);
    ``?name=`` answers one branch (``Stats_Get``)."""
    repo, project = find_repo(request, call)
    base_version = query(request, "baseVersionDescriptor.version") or repo.default_branch
    if base_version is None:
        return envelope([])
    base_type = query(request, "baseVersionDescriptor.versionType") or "branch"
    base = resolve(call, repo, base_version, base_type)
    base_name = base_version.removeprefix("refs/heads/") if base_type.casefold() == "branch" else None
    branches = [
        (r.name.removeprefix("refs/heads/"), o)
        for r, o in call.world.refs(repo.id)
        if r.name.startswith("refs/heads/")
    ]
    name = query(request, "name")
    if name is not None:
        branches = [(n, o) for n, o in branches if n == name.removeprefix("refs/heads/")]
        if not branches:
            raise unresolvable(repo, name, "branch")
    body = []
    for short, head in branches:
        commit = render.commit_ref(call, repo, project, find_commit(call, repo, head))
        ahead = len(call.world.commits(repo.id, head, base))
        behind = len(call.world.commits(repo.id, base, head))
        body.append(render.branch_stats(commit, short, ahead, behind, is_base=short == base_name))
    return body[0] if name is not None else envelope(body)


# -- pushes -----------------------------------------------------------------------------------------


def _criteria(request: Request, name: str) -> str | None:
    return query(request, f"searchCriteria.{name}", name)


@git_endpoint("git.pushes", "GET", "/pushes", scopes=CODE, spec=SPEC, operation_id="Pushes_List")
def list_pushes(request: Request, call: Call):
    """Newest first; ``searchCriteria.*`` with or without the prefix; ``$top`` (default 100) / ``$skip``."""
    repo, project = find_repo(request, call)
    pushes = list(call.world.pushes(repo.id))
    since, until = _criteria(request, "fromDate"), _criteria(request, "toDate")
    if since:
        pushes = [p for p in pushes if p.date >= parse_datetime(since)]
    if until:
        pushes = [p for p in pushes if p.date <= parse_datetime(until)]
    pusher = _criteria(request, "pusherId")
    if pusher:
        pushes = [p for p in pushes if p.pushed_by.casefold() == pusher.casefold()]
    ref_name = _criteria(request, "refName")
    if ref_name:
        pushes = [p for p in pushes if any(u.name == ref_name for u in p.ref_updates)]
    updates = (_criteria(request, "includeRefUpdates") or "").casefold() == "true"
    page = top_skip(pushes, query_int(request, "$top"), query_int(request, "$skip"), 100, 10000)
    return envelope([render.push(call, repo, project, p, ref_updates=updates) for p in page])


@git_endpoint("git.push", "GET", "/pushes/{push}", scopes=CODE, spec=SPEC, operation_id="Pushes_Get")
def get_push(request: Request, call: Call):
    """``includeCommits=N`` lists the push's first N commits; ``includeRefUpdates`` its ref moves."""
    repo, project = find_repo(request, call)
    record = find_push(call, repo, request.path_params["push"])
    count = query_int(request, "includeCommits", default=0) or 0
    commits = []
    for sha in record.commit_shas[: max(0, count)]:
        commit = call.world.commit(repo.id, sha)
        if commit is not None:
            commits.append(render.commit_ref(call, repo, project, commit))
    return render.push(
        call,
        repo,
        project,
        record,
        ref_updates=query_bool(request, "includeRefUpdates"),
        commits=commits,
        links=True,
    )


def find_push(call: Call, repo: Repository, raw: str):
    try:
        push_id = int(raw)
    except ValueError:
        raise bad_request(f"The value '{raw}' is not valid for pushId.") from None
    record = next((p for p in call.world.pushes(repo.id) if p.id == push_id), None)
    if record is None:
        raise AdoError(
            404,
            "GitPushNotFoundException",
            f"The push {push_id} could not be found in repository {repo.name}.",
        )
    return record


# -- policy configurations ----------------------------------------------------------------------------


def _policies(call: Call, project: Project) -> list[dict[str, Any]]:
    """One synthetic minimum-reviewers policy per repository with a default branch (ids numbered over the
    whole organization, so they are unique like ADO's)."""
    everything = sorted(call.world.repositories(None), key=lambda r: (r.created, r.id))
    owner = admin_identity(call.world)
    return [
        render.min_reviewers_policy(call, number, repo, project, owner)
        for number, repo in enumerate(everything, start=1)
        if repo.project_id == project.id and repo.default_branch and not repo.is_disabled
    ]


def _policy_page(request: Request, policies: list[dict[str, Any]]) -> JSONResponse:
    """``continuationToken`` is a policy id to resume at, returned in ``x-ms-continuationtoken``."""
    kind = query(request, "policyType")
    if kind:
        policies = [p for p in policies if p["type"]["id"].casefold() == kind.casefold()]
    token = query_int(request, "continuationToken")
    if token is not None:
        policies = [p for p in policies if p["id"] >= token]
    top = query_int(request, "$top")
    headers = {}
    if top is not None and top < len(policies):
        headers["x-ms-continuationtoken"] = str(policies[max(top, 0)]["id"])
        policies = policies[: max(top, 0)]
    return JSONResponse(envelope(policies), headers=headers)


@endpoint(
    "git.policy.configurations",
    "dev",
    "GET",
    "/{org}/{project}/_apis/git/policy/configurations",
    scopes=CODE,
    spec=SPEC,
    operation_id="Policy Configurations_Get",
)
def git_policy_configurations(request: Request, call: Call):
    project = find_project(call, request.path_params["project"])
    policies = _policies(call, project)
    repo_id = query(request, "repositoryId")
    if repo_id:
        policies = [p for p in policies if p["settings"]["scope"][0]["repositoryId"] == repo_id.lower()]
    ref_name = query(request, "refName")
    if ref_name:
        policies = [p for p in policies if p["settings"]["scope"][0]["refName"] == ref_name]
    return _policy_page(request, policies)


@endpoint(
    "policy.configurations",
    "dev",
    "GET",
    "/{org}/{project}/_apis/policy/configurations",
    scopes=CODE,
    spec="policy/7.1/policy.json",
    operation_id="Configurations_List",
)
def policy_configurations(request: Request, call: Call):
    return _policy_page(request, _policies(call, find_project(call, request.path_params["project"])))


from . import gitcommits as _gitcommits  # noqa: E402,F401  (registers the commit routes)
from . import gitstatuses  # noqa: E402  (registers the commit status routes)
