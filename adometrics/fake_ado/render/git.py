"""Git area JSON: repositories, refs, branch stats, pushes, commits, commit statuses, policy configurations.

Shapes follow ``specs/git/7.1/httpExamples``: list commits carry no ``parents`` (only the single GET does),
``url`` fields are REST URLs under ``/{org}/{projectId}/_apis/git/...`` and ``remoteUrl``/``webUrl`` are the
UI/clone URLs under ``/{org}/{project name}/_git/{repo name}``.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from ..registry import Call
from ..scenario.model import Commit, Project, Push, Ref, Repository, Signature
from ..wire import iso
from .common import identity_ref, link, project_ref

COMMENT_LIMIT = 100  # list responses truncate comments (to the first line, at most this long)


@dataclass(slots=True)
class CommitStatus:
    """A status posted to a commit (the world has none of its own; see routes/git.py)."""

    id: int
    state: str
    description: str
    genre: str
    name: str
    target_url: str
    created_by_id: str
    created: datetime


def repo_api(call: Call, repo: Repository) -> str:
    return (
        f"{call.host_url('dev')}/{call.world.organization}/{repo.project_id}/_apis/git/repositories/{repo.id}"
    )


def repo_web(call: Call, repo: Repository, project: Project) -> str:
    org = call.world.organization
    return f"{call.host_url('dev')}/{org}/{quote(project.name)}/_git/{quote(repo.name)}"


def repository(call: Call, repo: Repository, project: Project, *, links: bool = False) -> dict[str, Any]:
    """GitRepository; ``defaultBranch`` is absent for an empty repository."""
    web = repo_web(call, repo, project)
    host = urlsplit(call.base_url).hostname or "localhost"
    body: dict[str, Any] = {
        "id": repo.id,
        "name": repo.name,
        "url": repo_api(call, repo),
        "project": project_ref(call, project),
    }
    if repo.default_branch:
        body["defaultBranch"] = repo.default_branch
    body.update(
        {
            "size": repo.size,
            "remoteUrl": web,
            "sshUrl": f"git@{host}:v3/{call.world.organization}/{quote(project.name)}/{quote(repo.name)}",
            "webUrl": web,
            "isDisabled": repo.is_disabled,
            "isInMaintenance": False,
        }
    )
    if repo.is_fork:
        body["isFork"] = True
    if links:
        api = repo_api(call, repo)
        body["_links"] = {
            "self": link(api),
            "project": link(f"vstfs:///Classification/TeamProject/{project.id}"),
            "web": link(web),
            "commits": link(f"{api}/commits"),
            "refs": link(f"{api}/refs"),
            "pullRequests": link(f"{api}/pullRequests"),
            "items": link(f"{api}/items"),
            "pushes": link(f"{api}/pushes"),
        }
    return body


def git_ref(call: Call, repo: Repository, ref: Ref, object_id: str) -> dict[str, Any]:
    """GitRef; its ``url`` filters the refs list down to this ref, as ADO's does."""
    short = ref.name.removeprefix("refs/")
    return {
        "name": ref.name,
        "objectId": object_id,
        "creator": identity_ref(call, ref.creator_id),
        "url": f"{repo_api(call, repo)}/refs?filter={quote(short, safe='')}",
    }


def git_date(value: datetime) -> datetime:
    """Git records author/committer dates to the second; the examples show them without a fraction."""
    return value.replace(microsecond=0)


def user_date(sig: Signature, *, image: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": sig.name, "email": sig.email, "date": iso(git_date(sig.date))}
    if image:
        body["imageUrl"] = image
    return body


def change_counts(commit: Commit) -> dict[str, int]:
    add, edit, delete = commit.change_counts
    return {"Add": add, "Edit": edit, "Delete": delete}


def commit_urls(call: Call, repo: Repository, project: Project, sha: str) -> tuple[str, str]:
    return f"{repo_api(call, repo)}/commits/{sha}", f"{repo_web(call, repo, project)}/commit/{sha}"


def push_ref(call: Call, repo: Repository, push_id: int, date: datetime, pushed_by: str) -> dict[str, Any]:
    return {"pushedBy": identity_ref(call, pushed_by), "pushId": push_id, "date": iso(date)}


def commit_links(call: Call, repo: Repository, project: Project, commit: Commit) -> dict[str, Any]:
    api, web = commit_urls(call, repo, project, commit.sha)
    return {
        "self": link(api),
        "repository": link(repo_api(call, repo)),
        "changes": link(f"{api}/changes"),
        "web": link(web),
        "tree": link(f"{repo_api(call, repo)}/trees/{commit.tree_id}"),
    }


def commit_ref(
    call: Call,
    repo: Repository,
    project: Project,
    commit: Commit,
    *,
    push: Push | None = None,
    links: bool = False,
    image: bool = False,
) -> dict[str, Any]:
    """GitCommitRef as list responses show it: no ``parents``, comment cut to its first line."""
    api, web = commit_urls(call, repo, project, commit.sha)
    short = commit.comment.split("\n", 1)[0][:COMMENT_LIMIT]
    body: dict[str, Any] = {
        "commitId": commit.sha,
        "author": user_date(commit.author, image=_image(call, commit.author) if image else None),
        "committer": user_date(commit.committer, image=_image(call, commit.committer) if image else None),
        "comment": short,
    }
    if short != commit.comment.rstrip("\n"):
        body["commentTruncated"] = True
    body["changeCounts"] = change_counts(commit)
    body["url"] = api
    body["remoteUrl"] = web
    if push is not None:
        body["push"] = push_ref(call, repo, push.id, push.date, push.pushed_by)
    if links:
        body["_links"] = commit_links(call, repo, project, commit)
    return body


def full_commit(call: Call, repo: Repository, project: Project, commit: Commit, push: Push | None):
    """GitCommit (single GET): ``parents``, ``treeId``, ``push``, the whole comment and ``_links``."""
    api, web = commit_urls(call, repo, project, commit.sha)
    body: dict[str, Any] = {"parents": list(commit.parents), "treeId": commit.tree_id}
    if push is not None:
        body["push"] = push_ref(call, repo, push.id, push.date, push.pushed_by)
    body.update(
        {
            "commitId": commit.sha,
            "author": user_date(commit.author),
            "committer": user_date(commit.committer),
            "comment": commit.comment,
            "changeCounts": change_counts(commit),
            "url": api,
            "remoteUrl": web,
            "_links": commit_links(call, repo, project, commit),
        }
    )
    return body


def _image(call: Call, sig: Signature) -> str:
    return (
        f"{call.host_url('dev')}/{call.world.organization}/_api/_common/identityImage?id={quote(sig.email)}"
    )


def push(
    call: Call,
    repo: Repository,
    project: Project,
    record: Push,
    *,
    ref_updates: bool = False,
    commits: list[dict[str, Any]] | None = None,
    links: bool = False,
) -> dict[str, Any]:
    """GitPush: the list form (repository, pushedBy, pushId, date, url) plus what was asked for."""
    url = f"{repo_api(call, repo)}/pushes/{record.id}"
    body: dict[str, Any] = {}
    if commits is not None:
        body["commits"] = commits
    if ref_updates:
        body["refUpdates"] = [
            {
                "repositoryId": repo.id,
                "name": u.name,
                "oldObjectId": u.old_object_id,
                "newObjectId": u.new_object_id,
            }
            for u in record.ref_updates
        ]
    body["repository"] = repository(call, repo, project)
    body.update(push_ref(call, repo, record.id, record.date, record.pushed_by))
    body["url"] = url
    if links:
        body["_links"] = {
            "self": link(url),
            "repository": link(repo_api(call, repo)),
            "commits": link(f"{url}/commits"),
            "pusher": link(
                f"{call.host_url('vssps')}/{call.world.organization}/_apis/Identities/{record.pushed_by}"
            ),
        }
    return body


def branch_stats(
    commit: dict[str, Any], name: str, ahead: int, behind: int, *, is_base: bool
) -> dict[str, Any]:
    return {
        "commit": commit,
        "name": name,
        "aheadCount": ahead,
        "behindCount": behind,
        "isBaseVersion": is_base,
    }


TFS_IDENTITY_ID = "00000002-0000-8888-8000-000000000000"  # the service that posts build statuses


def tfs_identity(call: Call) -> dict[str, Any]:
    """IdentityRef of the TFS service identity, as the refs ``includeStatuses`` example shows it."""
    org = call.world.organization
    unique = f"{TFS_IDENTITY_ID}@{call.world.organization_id}"
    descriptor = "s2s." + base64.b64encode(unique.encode()).decode().rstrip("=")
    dev = call.host_url("dev")
    return {
        "displayName": "Microsoft.VisualStudio.Services.TFS",
        "url": f"{call.host_url('vssps')}/{org}/_apis/Identities/{TFS_IDENTITY_ID}",
        "_links": {"avatar": link(f"{dev}/{org}/_apis/GraphProfile/MemberAvatars/{descriptor}")},
        "id": TFS_IDENTITY_ID,
        "uniqueName": unique,
        "imageUrl": f"{dev}/{org}/_api/_common/identityImage?id={TFS_IDENTITY_ID}",
        "descriptor": descriptor,
    }


def status(call: Call, record: CommitStatus) -> dict[str, Any]:
    """GitStatus as the statuses examples show it, with ``id`` and ``updatedDate`` that 7.1 adds."""
    created_by = identity_ref(call, record.created_by_id)
    if created_by is None and record.created_by_id == TFS_IDENTITY_ID:
        created_by = tfs_identity(call)
    return {
        "id": record.id,
        "state": record.state,
        "description": record.description,
        "context": {"name": record.name, "genre": record.genre},
        "creationDate": iso(record.created),
        "updatedDate": iso(record.created),
        "createdBy": created_by,
        "targetUrl": record.target_url,
    }


MIN_REVIEWERS_TYPE = ("fa4e907d-c16b-4a4c-9dfa-4906e5d171dd", "Minimum number of reviewers")


def min_reviewers_policy(
    call: Call, policy_id: int, repo: Repository, project: Project, created_by: str
) -> dict[str, Any]:
    """PolicyConfiguration: a blocking minimum-reviewers policy on the repository's default branch."""
    dev, org = call.host_url("dev"), call.world.organization
    url = f"{dev}/{org}/{project.id}/_apis/policy/configurations/{policy_id}"
    type_url = f"{dev}/{org}/{project.id}/_apis/policy/types/{MIN_REVIEWERS_TYPE[0]}"
    return {
        "createdBy": identity_ref(call, created_by),
        "createdDate": iso(repo.created),
        "isEnabled": True,
        "isBlocking": True,
        "isDeleted": False,
        "settings": {
            "minimumApproverCount": 1,
            "creatorVoteCounts": False,
            "allowDownvotes": False,
            "resetOnSourcePush": False,
            "scope": [{"refName": repo.default_branch, "matchKind": "Exact", "repositoryId": repo.id}],
        },
        "_links": {"self": link(url), "type": link(type_url)},
        "revision": 1,
        "id": policy_id,
        "url": url,
        "type": {"id": MIN_REVIEWERS_TYPE[0], "url": type_url, "displayName": MIN_REVIEWERS_TYPE[1]},
    }


# -- synthetic file data (served only by the content routes, ENDPOINTS.md §12) -------------------------

_DIRS = ("src", "src/core", "src/api", "tests", "docs", "config")
_EXTS = ("py", "ts", "cs", "md", "json", "yml")


def object_id(*parts: str) -> str:
    """A deterministic 40-hex git object id for made-up content."""
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()


def fake_path(seed: str, index: int) -> str:
    digest = int(object_id(seed, str(index))[:8], 16)
    return f"/{_DIRS[digest % len(_DIRS)]}/file{index:03d}.{_EXTS[(digest >> 8) % len(_EXTS)]}"


def fake_changes(
    call: Call, repo: Repository, commit: Commit, limit: int | None = None
) -> list[dict[str, Any]]:
    """GitChange entries matching the commit's change counts: paths and blob ids, never real content."""
    kinds = ["add"] * commit.change_counts[0] + ["edit"] * commit.change_counts[1]
    kinds += ["delete"] * commit.change_counts[2]
    changes = []
    for index, kind in enumerate(kinds[: limit if limit is not None else len(kinds)]):
        path = fake_path(commit.sha, index)
        item: dict[str, Any] = {
            "objectId": object_id(commit.sha, path),
            "gitObjectType": "blob",
            "commitId": commit.sha,
            "path": path,
        }
        if kind != "add":
            item["originalObjectId"] = object_id(commit.parents[0] if commit.parents else "", path)
        item["url"] = f"{repo_api(call, repo)}/items{quote(path)}?versionType=Commit&version={commit.sha}"
        changes.append({"item": item, "changeType": kind})
    return changes
