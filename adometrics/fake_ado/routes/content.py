"""Routes: the file-content endpoints the collector must never call (ENDPOINTS.md §12, git rows).

They exist so tests can prove the collector stays away: each is registered with ``content=True`` (flagged
in the request log) and answers something plausible — deterministic made-up files derived from commit and
tree ids, never real code.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from ..registry import CODE, Call, endpoint
from ..render import git as render
from ..render.common import identity_ref, link
from ..scenario.model import Repository
from ..wire import AdoError, envelope, iso, query, query_bool, query_int, top_skip
from .core import find_project
from .git import SPEC, find_commit, find_repo, git_endpoint, resolve, unresolvable

TREE_FILES = 8


def _content(name: str, method: str, tail: str, operation_id: str):
    """Register a git spec operation on a repository (both path forms), flagged as content."""
    return git_endpoint(name, method, tail, scopes=CODE, spec=SPEC, operation_id=operation_id, content=True)


def file_text(path: str, commit_sha: str) -> str:
    """Made-up file content: a few lines naming the path and commit, nothing else."""
    lines = [f"# simulated file {path}", f"# at commit {commit_sha}"]
    lines += [f"line {n}: {render.object_id(path, commit_sha, str(n))[:16]}" for n in range(1, 6)]
    return "\n".join(lines) + "\n"


def tree_paths(tree_id: str) -> list[str]:
    return sorted({render.fake_path(tree_id, i) for i in range(TREE_FILES)})


def _version(request: Request, call: Call, repo: Repository) -> str:
    version = query(request, "versionDescriptor.version", "version")
    kind = query(request, "versionDescriptor.versionType", "versionType") or "branch"
    if version:
        return resolve(call, repo, version, kind.lower())
    if repo.default_branch is None:
        raise unresolvable(repo, "<default>", "branch")
    return resolve(call, repo, repo.default_branch)


def _item(call: Call, repo: Repository, commit_sha: str, path: str, *, folder: bool, content: bool):
    body: dict[str, Any] = {
        "objectId": render.object_id(commit_sha, path),
        "gitObjectType": "tree" if folder else "blob",
        "commitId": commit_sha,
        "path": path,
    }
    if folder:
        body["isFolder"] = True
    if content and not folder:
        body["content"] = file_text(path, commit_sha)
    body["url"] = f"{render.repo_api(call, repo)}/items?path={path}&versionType=Commit&version={commit_sha}"
    return body


def _listing(call: Call, repo: Repository, commit_sha: str, scope: str) -> list[dict[str, Any]]:
    """The folder itself, then the files below it (folders implied by the paths)."""
    tree = find_commit(call, repo, commit_sha).tree_id
    scope = "/" + scope.strip("/") if scope.strip("/") else "/"
    files = [p for p in tree_paths(tree) if scope == "/" or p.startswith(scope + "/")]
    folders = sorted({p.rsplit("/", 1)[0] for p in files} - {"", scope})
    items = [_item(call, repo, commit_sha, scope, folder=True, content=False)]
    items += [_item(call, repo, commit_sha, f, folder=True, content=False) for f in folders]
    items += [_item(call, repo, commit_sha, p, folder=False, content=False) for p in files]
    return items


def _zip(files: dict[str, str]) -> Response:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name.lstrip("/"), text)
    return Response(buffer.getvalue(), media_type="application/zip")


@_content("git.items", "GET", "/items", "Items_Get")
def get_items(request: Request, call: Call):
    """One file (``path``; ``includeContent``, ``download``), a folder listing (``scopePath`` or a folder
    path) or a zip (``$format=zip``)."""
    repo, _ = find_repo(request, call)
    sha = _version(request, call, repo)
    path = query(request, "path") or ""
    scope = query(request, "scopePath")
    if (query(request, "$format") or "").casefold() == "zip":
        tree = find_commit(call, repo, sha).tree_id
        return _zip({p: file_text(p, sha) for p in tree_paths(tree)})
    is_file = bool(path) and "." in path.rsplit("/", 1)[-1]
    if not is_file:
        return envelope(_listing(call, repo, sha, scope or path or "/"))
    if query_bool(request, "download"):
        return PlainTextResponse(file_text(path, sha), headers={"Content-Disposition": "attachment"})
    return _item(call, repo, sha, path, folder=False, content=query_bool(request, "includeContent"))


@_content("git.itemsbatch", "POST", "/itemsbatch", "Items_Get Items Batch")
def items_batch(request: Request, call: Call):
    repo, _ = find_repo(request, call)
    body = call.body if isinstance(call.body, dict) else {}
    default = resolve(call, repo, repo.default_branch) if repo.default_branch else None
    groups = []
    for descriptor in body.get("itemDescriptors") or []:
        version = descriptor.get("version")
        sha = resolve(call, repo, version, descriptor.get("versionType") or "branch") if version else default
        if sha is None:
            raise unresolvable(repo, "<default>", "branch")
        groups.append(_listing(call, repo, sha, str(descriptor.get("path") or "/")))
    return envelope(groups)


@_content("git.blobs", "POST", "/blobs", "Blobs_Get Blobs Zip")
def blobs_zip(request: Request, call: Call):
    find_repo(request, call)
    shas = call.body if isinstance(call.body, list) else []
    return _zip({str(sha): file_text(f"/blob/{sha}", str(sha)) for sha in shas})


@_content("git.blob", "GET", "/blobs/{sha}", "Blobs_Get Blob")
def get_blob(request: Request, call: Call):
    repo, _ = find_repo(request, call)
    sha = request.path_params["sha"].lower()
    text = file_text(f"/blob/{sha}", sha)
    fmt = (query(request, "$format") or "json").casefold()
    if fmt == "zip":
        return _zip({sha: text})
    if fmt in ("octetstream", "text") or query_bool(request, "download"):
        return Response(text.encode(), media_type="application/octet-stream")
    url = f"{render.repo_api(call, repo)}/blobs/{sha}"
    return {"objectId": sha, "size": len(text.encode()), "url": url, "_links": {"self": link(url)}}


@_content("git.tree", "GET", "/trees/{sha}", "Trees_Get")
def get_tree(request: Request, call: Call):
    repo, _ = find_repo(request, call)
    sha = request.path_params["sha"].lower()
    api = render.repo_api(call, repo)
    entries = []
    for path in tree_paths(sha):
        blob = render.object_id(sha, path)
        entries.append(
            {
                "objectId": blob,
                "relativePath": path.lstrip("/"),
                "mode": "100644",
                "gitObjectType": "blob",
                "url": f"{api}/blobs/{blob}",
                "size": len(file_text(path, sha).encode()),
            }
        )
    url = f"{api}/trees/{sha}"
    return {
        "objectId": sha,
        "url": url,
        "treeEntries": entries,
        "size": len(entries) * 40,
        "_links": {"self": link(url), "repository": link(api)},
    }


@_content("git.diffs.commits", "GET", "/diffs/commits", "Diffs_Get")
def diff_commits(request: Request, call: Call):
    """The per-file changes between ``baseVersion`` and ``targetVersion`` (default branch by default)."""
    repo, _ = find_repo(request, call)
    fallback = repo.default_branch or ""

    def side(name: str) -> str:
        version = query(request, f"{name}Version") or fallback
        return resolve(call, repo, version, (query(request, f"{name}VersionType") or "branch").lower())

    base, target = side("base"), side("target")
    ahead = list(call.world.commits(repo.id, target, base))
    behind = list(call.world.commits(repo.id, base, target))
    changes = [c for commit in ahead for c in render.fake_changes(call, repo, commit)]
    page = top_skip(changes, query_int(request, "$top"), query_int(request, "$skip"), 100, 2000)
    counts: dict[str, int] = {}
    for change in changes:
        key = change["changeType"].capitalize()
        counts[key] = counts.get(key, 0) + 1
    return {
        "allChangesIncluded": len(page) == len(changes),
        "changeCounts": counts,
        "changes": page,
        "commonCommit": _merge_base(call, repo, base, target),
        "baseCommit": base,
        "targetCommit": target,
        "aheadCount": len(ahead),
        "behindCount": len(behind),
    }


def _merge_base(call: Call, repo: Repository, one: str, other: str) -> str | None:
    """The newest commit of ``one``'s history that ``other`` also reaches."""
    reachable = {c.sha for c in call.world.commits(repo.id, other)}
    return next((c.sha for c in call.world.commits(repo.id, one) if c.sha in reachable), None)


@_content("git.commit.changes", "GET", "/commits/{sha}/changes", "Commits_Get Changes")
def commit_changes(request: Request, call: Call):
    repo, _ = find_repo(request, call)
    commit = find_commit(call, repo, request.path_params["sha"])
    changes = render.fake_changes(call, repo, commit)
    page = top_skip(changes, query_int(request, "top"), query_int(request, "skip"), 1000, 1000)
    return {"changeCounts": render.change_counts(commit), "changes": page}


def _pull_request(request: Request, call: Call, repo: Repository):
    raw = request.path_params["pr"]
    pr = call.world.pull_request(int(raw)) if raw.isdigit() else None
    if pr is None or pr.repository_id != repo.id:
        raise AdoError(
            404, "GitPullRequestNotFoundException", "TF401180: The requested pull request was not found."
        )
    return pr


@_content(
    "git.pr.iteration.changes",
    "GET",
    "/pullRequests/{pr}/iterations/{iteration}/changes",
    "Pull Request Iteration Changes_Get",
)
def iteration_changes(request: Request, call: Call):
    repo, _ = find_repo(request, call)
    pr = _pull_request(request, call, repo)
    number = request.path_params["iteration"]
    iteration = next((i for i in pr.iterations if str(i.id) == number), None)
    if iteration is None:
        raise AdoError(
            404,
            "GitPullRequestIterationNotFoundException",
            f"The iteration {number} of pull request {pr.id} was not found.",
        )
    entries = []
    for sha in iteration.commit_shas:
        commit = call.world.commit(repo.id, sha)
        for change in render.fake_changes(call, repo, commit) if commit is not None else []:
            entries.append(
                {
                    "changeTrackingId": len(entries) + 1,
                    "changeId": len(entries) + 1,
                    "item": {
                        k: v
                        for k, v in change["item"].items()
                        if k in ("objectId", "originalObjectId", "path")
                    },
                    "changeType": change["changeType"],
                }
            )
    top = query_int(request, "$top", "top") or 100
    skip = query_int(request, "$skip", "skip") or 0
    page = entries[skip : skip + top]
    body: dict[str, Any] = {"changeEntries": page}
    if skip + top < len(entries):
        body.update({"nextSkip": skip + top, "nextTop": top})
    return body


@_content("git.pr.attachments", "GET", "/pullRequests/{pr}/attachments", "Pull Request Attachments_List")
def list_attachments(request: Request, call: Call):
    """One made-up screenshot per pull request, uploaded by its author."""
    repo, _ = find_repo(request, call)
    pr = _pull_request(request, call, repo)
    name = f"screenshot-{pr.id}.png"
    url = f"{render.repo_api(call, repo)}/pullRequests/{pr.id}/attachments/{name}"
    return envelope(
        [
            {
                "id": 1,
                "displayName": name,
                "url": url,
                "author": identity_ref(call, pr.created_by_id),
                "createdDate": iso(pr.created),
                "contentHash": render.object_id(name)[:32],
                "description": "",
                "_links": {"self": link(url)},
            }
        ]
    )


@_content("git.annotatedtag", "GET", "/annotatedtags/{sha}", "Annotated Tags_Get")
def annotated_tag(request: Request, call: Call):
    """A tag object: ``sha`` is the tag's id, or the commit a tag points at."""
    repo, _ = find_repo(request, call)
    sha = request.path_params["sha"].lower()
    for ref, target in call.world.refs(repo.id):
        tag_id = render.object_id("tag", ref.name, target)
        if ref.name.startswith("refs/tags/") and sha in (target, tag_id):
            commit = find_commit(call, repo, target)
            return {
                "name": ref.name.removeprefix("refs/tags/"),
                "objectId": tag_id,
                "taggedObject": {"objectId": target, "objectType": "commit"},
                "taggedBy": render.user_date(commit.committer),
                "message": f"Release {ref.name[10:]}\n",
                "url": f"{render.repo_api(call, repo)}/annotatedtags/{tag_id}",
            }
    raise AdoError(404, "GitObjectNotFoundException", f"TF401174: The item {sha} could not be found.")


# -- web and git-protocol paths (/{org}/{project}/_git/{repo}) ------------------------------------------


def _web_repo(request: Request, call: Call) -> Repository:
    project = find_project(call, request.path_params["project"])
    wanted = request.path_params["repo"].casefold()
    repo = next((r for r in call.world.repositories(project.id) if r.name.casefold() == wanted), None)
    if repo is None:
        raise AdoError(
            404,
            "GitRepositoryNotFoundException",
            f"TF401019: The Git repository with name or "
            f"identifier {request.path_params['repo']} does not exist or you do not have permissions "
            "for the operation you are attempting.",
        )
    return repo


@endpoint(
    "git.web", "dev", "GET", "/{org}/{project}/_git/{repo}", scopes=CODE, api_version=None, content=True
)
def web_page(request: Request, call: Call):
    repo = _web_repo(request, call)
    files = "".join(f"<li>{p}</li>" for p in tree_paths(render.object_id(repo.id, "web")))
    return HTMLResponse(f"<html><body><h1>{repo.name}</h1><ul>{files}</ul></body></html>")


@endpoint(
    "git.info.refs",
    "dev",
    "GET",
    "/{org}/{project}/_git/{repo}/info/refs",
    scopes=CODE,
    api_version=None,
    content=True,
)
def info_refs(request: Request, call: Call):
    """The smart-HTTP ref advertisement (pkt-lines) a ``git clone`` starts with."""
    repo = _web_repo(request, call)
    service = query(request, "service") or "git-upload-pack"

    def pkt(line: str) -> str:
        return f"{len(line) + 4:04x}{line}"

    lines = [pkt(f"# service={service}\n"), "0000"]
    lines += [pkt(f"{target} {ref.name}\n") for ref, target in call.world.refs(repo.id)]
    lines.append("0000")
    return Response("".join(lines), media_type=f"application/x-{service}-advertisement")


# Not served: the per-file attachment GET (its ``{fileName}`` is not a canonical parameter) and
# ``git-upload-pack`` POST; ``filediffs`` has no route in the 7.1 spec.
