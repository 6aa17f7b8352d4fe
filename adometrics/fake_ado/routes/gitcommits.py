"""Routes: commits — the list GET (``Commits_Get Commits`` / ``Commits_Get Push Commits``), one commit, and
``commitsbatch`` (ENDPOINTS.md §5). Imported by ``git.py``.

Range semantics: with both ``itemVersion`` and ``compareVersion``, the answer is the commits reachable from
``compareVersion`` and not from ``itemVersion`` (git's ``item..compare``), newest first — the spec says
compareVersion is where the history walk starts and is "only applicable when ItemVersion [is] specified".
``changeCount`` is accepted but embeds per-file changes, so a request carrying it is flagged as content in
the request log (ENDPOINTS.md §12).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..registry import CODE, Call
from ..render import git as render
from ..scenario.model import Commit, Project, Push, Repository
from ..wire import AdoError, bad_request, envelope, parse_datetime, query, query_int, top_skip
from .git import SPEC, find_commit, find_push, find_repo, git_endpoint, mark_content, resolve

DEFAULT_TOP = 100
MAX_TOP = 50_000
MAX_SKIP = 3_000_000


@dataclass(slots=True)
class Version:
    version: str
    version_type: str = "branch"
    options: str = "none"


@dataclass(slots=True)
class Criteria:
    """GitQueryCommitsCriteria, from the query string (GET) or the body (commitsbatch)."""

    top: int | None = None
    skip: int | None = None
    ids: list[str] = field(default_factory=list)
    item: Version | None = None
    compare: Version | None = None
    author: str | None = None
    user: str | None = None
    from_date: datetime | None = None
    to_date: datetime | None = None
    from_id: str | None = None
    to_id: str | None = None
    oldest_first: bool = False
    push_data: bool = False
    links: bool = False
    images: bool = False


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.casefold() == "true")


def _date(value: Any) -> datetime | None:
    return parse_datetime(str(value)) if value else None


def _int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"The value '{value}' is not valid for parameter {name}.") from None


def criteria_from_query(request: Request) -> Criteria:
    """``searchCriteria.*`` names, each also accepted without the prefix."""

    def get(name: str) -> str | None:
        return query(request, f"searchCriteria.{name}", name)

    def version(prefix: str) -> Version | None:
        value = get(f"{prefix}.version")
        if not value:
            return None
        return Version(
            value, get(f"{prefix}.versionType") or "branch", get(f"{prefix}.versionOptions") or "none"
        )

    params = request.query_params
    ids = [
        i for key in ("searchCriteria.ids", "ids") for raw in params.getlist(key) for i in raw.split(",") if i
    ]
    return Criteria(
        top=_int(get("$top"), "$top"),
        skip=_int(get("$skip"), "$skip"),
        ids=ids,
        item=version("itemVersion"),
        compare=version("compareVersion"),
        author=get("author"),
        user=get("user"),
        from_date=_date(get("fromDate")),
        to_date=_date(get("toDate")),
        from_id=get("fromCommitId"),
        to_id=get("toCommitId"),
        oldest_first=_truthy(get("showOldestCommitsFirst")),
        push_data=_truthy(get("includePushData")),
        links=_truthy(get("includeLinks")),
        images=_truthy(get("includeUserImageUrl")),
    )


def criteria_from_body(body: Any, request: Request) -> Criteria:
    """The commitsbatch body; ``$top``/``$skip`` in the query string win over the body's."""
    if not isinstance(body, dict):
        raise bad_request(
            "The request body must be a GitQueryCommitsCriteria object.", "ArgumentNullException"
        )

    def version(key: str) -> Version | None:
        raw = body.get(key)
        if not isinstance(raw, dict) or not raw.get("version"):
            return None
        return Version(
            str(raw["version"]),
            str(raw.get("versionType") or "branch"),
            str(raw.get("versionOptions") or "none"),
        )

    ids = body.get("ids") or []
    if not isinstance(ids, list):
        raise bad_request("The ids of the commits must be a list.")
    top = query_int(request, "$top")
    skip = query_int(request, "$skip")
    return Criteria(
        top=top if top is not None else _int(body.get("$top"), "$top"),
        skip=skip if skip is not None else _int(body.get("$skip"), "$skip"),
        ids=[str(i) for i in ids],
        item=version("itemVersion"),
        compare=version("compareVersion"),
        author=body.get("author"),
        user=body.get("user"),
        from_date=_date(body.get("fromDate")),
        to_date=_date(body.get("toDate")),
        from_id=body.get("fromCommitId"),
        to_id=body.get("toCommitId"),
        oldest_first=_truthy(body.get("showOldestCommitsFirst")),
        push_data=_truthy(body.get("includePushData")),
        links=_truthy(body.get("includeLinks")),
        images=_truthy(body.get("includeUserImageUrl")),
    )


def _resolve(call: Call, repo: Repository, version: Version) -> str:
    sha = resolve(call, repo, version.version, version.version_type)
    if version.options.casefold() == "firstparent":
        commit = find_commit(call, repo, sha)
        if not commit.parents:
            raise AdoError(
                404,
                "GitUnresolvableToCommitException",
                f"TF401175:The version descriptor <{version.version}^> could not be resolved.",
            )
        sha = commit.parents[0]
    return sha


def _matches_person(sig, wanted: str) -> bool:
    wanted = wanted.casefold()
    email = sig.email.casefold()
    return wanted in (sig.name.casefold(), email, email.split("@", 1)[0])


def _filtered(commits: list[Commit], c: Criteria) -> list[Commit]:
    """Author/committer match name, e-mail or alias; dates bound the committer date; ids bound lexically."""
    if c.author:
        commits = [x for x in commits if _matches_person(x.author, c.author)]
    if c.user:
        commits = [x for x in commits if _matches_person(x.committer, c.user)]
    if c.from_date:
        commits = [x for x in commits if render.git_date(x.committer.date) >= c.from_date]
    if c.to_date:
        commits = [x for x in commits if render.git_date(x.committer.date) <= c.to_date]
    if c.from_id:
        commits = [x for x in commits if x.sha >= c.from_id.lower()]
    if c.to_id:
        commits = [x for x in commits if x.sha <= c.to_id.lower()]
    return commits


def select_commits(call: Call, repo: Repository, c: Criteria) -> list[Commit]:
    """Every commit the criteria name, before paging, in git-log order (or oldest first)."""
    if c.ids:
        found = (call.world.commit(repo.id, sha.lower()) for sha in c.ids)
        return [x for x in found if x is not None]
    if c.item is not None and not c.oldest_first:
        item = _resolve(call, repo, c.item)
        if c.compare is not None:
            commits = list(call.world.commits(repo.id, _resolve(call, repo, c.compare), item))
        else:
            commits = list(call.world.commits(repo.id, item))
    elif repo.default_branch is None:
        return []
    else:
        commits = list(call.world.commits(repo.id, resolve(call, repo, repo.default_branch)))
        if c.oldest_first:
            commits.reverse()
    return _filtered(commits, c)


def _page(commits: list[Commit], c: Criteria) -> tuple[list[Commit], bool]:
    if c.top is not None and c.top > MAX_TOP:
        raise bad_request(f"The value of $top cannot exceed {MAX_TOP}.")
    if c.skip is not None and c.skip > MAX_SKIP:
        raise bad_request(f"The value of $skip cannot exceed {MAX_SKIP}.")
    page = top_skip(commits, c.top, c.skip, DEFAULT_TOP, MAX_TOP)
    size = DEFAULT_TOP if c.top is None else c.top
    return page, (c.skip or 0) + size < len(commits)


def _render(
    call: Call, request: Request, repo: Repository, project: Project, commits: list[Commit], c: Criteria
) -> list[dict[str, Any]]:
    pushes: dict[int, Push] = {p.id: p for p in call.world.pushes(repo.id)} if c.push_data else {}
    change_count = query_int(request, "changeCount", "searchCriteria.changeCount")
    if change_count is not None:
        mark_content(request, call)
    body = []
    for commit in commits:
        item = render.commit_ref(
            call, repo, project, commit, push=pushes.get(commit.push_id), links=c.links, image=c.images
        )
        if change_count is not None:
            item["changes"] = render.fake_changes(call, repo, commit, max(0, change_count))
        body.append(item)
    return body


@git_endpoint("git.commits", "GET", "/commits", scopes=CODE, spec=SPEC, operation_id="Commits_Get Commits")
def list_commits(request: Request, call: Call):
    """Also serves ``Commits_Get Push Commits`` (``?pushId=N&top=&skip=``: one push's commits, with links)."""
    repo, project = find_repo(request, call)
    push_id = query_int(request, "pushId")
    if push_id is not None:
        return _push_commits(request, call, repo, project, push_id)
    c = criteria_from_query(request)
    page, more = _page(select_commits(call, repo, c), c)
    headers = {"Link": f'<{render.repo_api(call, repo)}/commits>;rel="next"'} if more else {}
    return JSONResponse(envelope(_render(call, request, repo, project, page, c)), headers=headers)


def _push_commits(request: Request, call: Call, repo: Repository, project: Project, push_id: int):
    record = find_push(call, repo, str(push_id))
    commits = [x for x in (call.world.commit(repo.id, s) for s in record.commit_shas) if x is not None]
    page = top_skip(commits, query_int(request, "top"), query_int(request, "skip"), DEFAULT_TOP, MAX_TOP)
    links = (query(request, "includeLinks") or "true").casefold() != "false"
    return envelope([render.commit_ref(call, repo, project, x, links=links) for x in page])


@git_endpoint("git.commit", "GET", "/commits/{sha}", scopes=CODE, spec=SPEC, operation_id="Commits_Get")
def get_commit(request: Request, call: Call):
    """GitCommit with ``parents``, ``treeId`` and ``push``; ``changeCount=N`` adds ``changes`` (content)."""
    repo, project = find_repo(request, call)
    commit = find_commit(call, repo, request.path_params["sha"])
    push = next((p for p in call.world.pushes(repo.id) if p.id == commit.push_id), None)
    body = render.full_commit(call, repo, project, commit, push)
    change_count = query_int(request, "changeCount")
    if change_count is not None:
        mark_content(request, call)
        body["changes"] = render.fake_changes(call, repo, commit, max(0, change_count))
    return body


@git_endpoint(
    "git.commitsbatch",
    "POST",
    "/commitsbatch",
    scopes=CODE,
    spec=SPEC,
    operation_id="Commits_Get Commits Batch",
)
def commits_batch(request: Request, call: Call):
    """Same criteria as the GET list, from the body; ``$top`` ≤ 50,000 and ``$skip`` ≤ 3,000,000."""
    repo, project = find_repo(request, call)
    c = criteria_from_body(call.body, request)
    page, _ = _page(select_commits(call, repo, c), c)
    return envelope(_render(call, request, repo, project, page, c))
