"""Wire shapes of pull request threads and their comments, as the threads examples show them, rendered as of
the world's now through ``scenario.views``."""

from __future__ import annotations

from typing import Any

from ..registry import Call
from ..scenario import views
from ..scenario.model import Comment, PullRequest, Thread
from ..wire import iso
from .common import identity_ref
from .pulls import api_base

SERVICE_ACCOUNTS = {  # author of system comments, as in the threads example
    "displayName": "[{org}]\\Project Collection Service Accounts",
    "id": "41113706-4320-4083-9150-925feb93fc22",
}


def _system_author(call: Call) -> dict[str, Any]:
    org = call.world.organization
    ident = SERVICE_ACCOUNTS["id"]
    return {
        "displayName": SERVICE_ACCOUNTS["displayName"].format(org=org),
        "url": f"{call.host_url('vssps')}/{org}/_apis/Identities/{ident}",
        "id": ident,
        "imageUrl": f"{api_base(call)}/_api/_common/identityImage?id={ident}",
        "isContainer": True,
    }


def thread(call: Call, pr: PullRequest, th: Thread) -> dict[str, Any]:
    """GitPullRequestCommentThread; ``th`` comes from ``views.visible_threads`` (comments as of now)."""
    now = call.world.now
    properties = {name: {"$type": t, "$value": v} for name, (t, v) in th.properties.items()}
    if not th.is_system and "Microsoft.TeamFoundation.Discussion.SupportsMarkdown" not in properties:
        properties["Microsoft.TeamFoundation.Discussion.SupportsMarkdown"] = {
            "$type": "System.Int32",
            "$value": 1,
        }
    out: dict[str, Any] = {
        "pullRequestThreadContext": None,
        "id": th.id,
        "publishedDate": iso(th.published),
        "lastUpdatedDate": iso(th.last_updated),
        "comments": [_comment(call, c) for c in th.comments],
    }
    if not th.is_system:
        out["status"] = th.status or "active"
    out["threadContext"] = None
    if th.file_path:
        last_it = views.visible_iterations(pr, now)
        out["pullRequestThreadContext"] = {
            "iterationContext": {
                "firstComparingIteration": 1,
                "secondComparingIteration": last_it[-1].id if last_it else 1,
            },
            "changeTrackingId": 1,
        }
        out["threadContext"] = {
            "filePath": th.file_path,
            "rightFileStart": {"line": 5, "offset": 1},
            "rightFileEnd": {"line": 5, "offset": 13},
        }
    out["properties"] = properties
    out["isDeleted"] = False
    return out


def _comment(call: Call, c: Comment) -> dict[str, Any]:
    author = identity_ref(call, c.author_id) or _system_author(call)
    return {
        "id": c.id,
        "parentCommentId": c.parent_id,
        "author": author,
        "content": c.content,
        "publishedDate": iso(c.published),
        "lastUpdatedDate": iso(c.published),
        "lastContentUpdatedDate": iso(c.published),
        "commentType": c.comment_type,
        "usersLiked": [],
    }
