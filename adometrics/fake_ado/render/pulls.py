"""Wire shapes of pull requests and their parts (iterations, commits, reviewers, statuses; threads are in
``pull_threads``).

Shapes follow ``specs/git/7.1/httpExamples/pull*``; everything is rendered *as of the world's now* through
``scenario.views`` (a PR closing later is still active, a vote cast later is not visible yet).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from ..registry import Call
from ..scenario import views
from ..scenario.model import (
    Commit,
    Iteration,
    PullRequest,
    PullRequestStatus,
    Repository,
    Reviewer,
    Signature,
)
from ..wire import iso
from .common import identity_ref, link
from .git import user_date

LIST_DESCRIPTION_LIMIT = 400  # lists truncate descriptions (spec text of Pull Requests_Get Pull Requests)


def api_base(call: Call) -> str:
    return f"{call.host_url('dev')}/{call.world.organization}"


def repo_url(call: Call, repo: Repository) -> str:
    return f"{api_base(call)}/{repo.project_id}/_apis/git/repositories/{repo.id}"


def pr_url(call: Call, repo: Repository, pr_id: int) -> str:
    return f"{repo_url(call, repo)}/pullRequests/{pr_id}"


def repository_ref(call: Call, repo: Repository, *, full: bool) -> dict[str, Any]:
    """The PR's ``repository``: lists carry a short project (state ``unchanged``, as the list examples do)."""
    project = call.world.project(repo.project_id)
    assert project is not None
    if full:
        proj: dict[str, Any] = {
            "id": project.id,
            "name": project.name,
            "description": project.description,
            "url": f"{api_base(call)}/_apis/projects/{project.id}",
            "state": project.state,
            "revision": project.revision,
        }
    else:
        proj = {"id": project.id, "name": project.name, "state": "unchanged"}
    ref: dict[str, Any] = {"id": repo.id, "name": repo.name, "url": repo_url(call, repo), "project": proj}
    if full:
        ref["remoteUrl"] = f"{api_base(call)}/{project.name}/_git/{repo.name}"
    return ref


def commit_ref(call: Call, repo: Repository, sha: str) -> dict[str, str]:
    return {"commitId": sha, "url": f"{repo_url(call, repo)}/commits/{sha}"}


def git_commit(call: Call, repo: Repository, commit: Commit) -> dict[str, Any]:
    """GitCommitRef as list endpoints give it (no parents, no change list)."""

    return {
        "commitId": commit.sha,
        "author": user_date(commit.author),
        "committer": user_date(commit.committer),
        "comment": commit.comment,
        "url": f"{repo_url(call, repo)}/commits/{commit.sha}",
    }


def _stable_guid(*parts: object) -> str:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16]))


def reviewer(
    call: Call,
    repo: Repository,
    pr: PullRequest,
    rev: Reviewer,
    vote: int,
    voted_for: list[dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """IdentityRefWithVote: the vote as of now; ``isRequired`` only when set, as ADO sends it."""
    ref = identity_ref(call, rev.identity_id)
    if ref is None:
        return None
    out: dict[str, Any] = {
        "reviewerUrl": f"{pr_url(call, repo, pr.id)}/reviewers/{rev.identity_id}",
        "vote": vote,
        "hasDeclined": rev.has_declined,
        "isFlagged": False,
    }
    if rev.is_required:
        out["isRequired"] = True
    if ref.get("isContainer"):
        out["votedFor"] = voted_for or []
    out.update(ref)
    return out


def reviewers(call: Call, repo: Repository, pr: PullRequest) -> list[dict[str, Any]]:
    """Reviewers added by now. A group (team) reviewer's ``votedFor`` lists its members among the individual
    reviewers who have voted."""
    visible = views.visible_reviewers(pr, call.world.now)
    people = [reviewer(call, repo, pr, r, vote) for r, vote in visible]
    voters = [p for p in people if p is not None and p["vote"] != 0 and not p.get("isContainer")]
    teams = {t.id: set(t.member_ids) for t in call.world.teams(pr.project_id)}
    out = []
    for (rev, vote), rendered in zip(visible, people, strict=True):
        if rendered is not None and rendered.get("isContainer"):
            members = teams.get(rev.identity_id)
            voted = [
                {k: v for k, v in p.items() if k not in ("hasDeclined", "isFlagged", "isRequired")}
                for p in voters
                if members is None or p["id"] in members
            ]
            rendered = reviewer(call, repo, pr, rev, vote, voted)
        if rendered is not None:
            out.append(rendered)
    return out


def pull_request(
    call: Call, repo: Repository, pr: PullRequest, *, listing: bool, include_commits: bool = False
) -> dict[str, Any]:
    """GitPullRequest. ``listing`` gives the list form: truncated description, no ``closedBy``/_links."""
    now = call.world.now
    status = views.pr_status(pr, now)
    description = pr.description
    if listing and len(description) > LIST_DESCRIPTION_LIMIT:
        description = description[:LIST_DESCRIPTION_LIMIT]
    out: dict[str, Any] = {
        "repository": repository_ref(call, repo, full=not listing),
        "pullRequestId": pr.id,
        "codeReviewId": pr.id,
        "status": status,
        "createdBy": identity_ref(call, pr.created_by_id),
        "creationDate": iso(pr.created),
    }
    closed = views.pr_closed(pr, now)
    if closed is not None:
        out["closedDate"] = iso(closed)
        closer = views.pr_closed_by(pr, now)
        if not listing and closer:
            out["closedBy"] = identity_ref(call, closer)
    out.update(
        {
            "title": pr.title,
            "description": description,
            "sourceRefName": pr.source_ref,
            "targetRefName": pr.target_ref,
            "isDraft": views.pr_is_draft(pr, now),
            "mergeStatus": "succeeded" if status != "abandoned" else "notSet",
            "mergeId": _stable_guid("merge", pr.repository_id, pr.id),
        }
    )
    out["lastMergeSourceCommit"] = commit_ref(call, repo, views.last_merge_source(pr, now))
    out["lastMergeTargetCommit"] = commit_ref(call, repo, views.last_merge_target(pr, now))
    merge = last_merge_commit(call, repo, pr, full=not listing)
    if merge is not None:
        out["lastMergeCommit"] = merge
    out["reviewers"] = reviewers(call, repo, pr)
    out["labels"] = [{"id": _stable_guid("label", name), "name": name, "active": True} for name in pr.labels]
    if status == "completed":
        out["completionOptions"] = {
            "mergeStrategy": pr.merge_strategy,
            "deleteSourceBranch": True,
            "transitionWorkItems": True,
        }
        out["completionQueueTime"] = iso(closed)
    if include_commits:
        out["commits"] = pr_commits(call, repo, pr)
    out["url"] = pr_url(call, repo, pr.id)
    if not listing:
        out["_links"] = _pr_links(call, repo, pr, out)
    out["supportsIterations"] = True
    if not listing:
        out["artifactId"] = f"vstfs:///Git/PullRequestId/{repo.project_id}%2f{repo.id}%2f{pr.id}"
    return out


def last_merge_commit(call: Call, repo: Repository, pr: PullRequest, *, full: bool) -> dict[str, Any] | None:
    """lastMergeCommit as of now: the completion commit once completed; before that the preview merge of the
    latest merge attempt (ADO keeps one for open and abandoned PRs, as the list examples show), taken from
    the MergeAttempt system thread. ``full`` (single GET) adds author, committer and comment."""
    now = call.world.now
    sha = views.last_merge_commit(pr, now)
    attempt = None
    if sha is None:
        attempts = [
            th
            for th in views.visible_threads(pr, now)
            if th.properties.get("CodeReviewThreadType", ("", ""))[1] == "MergeAttempt"
            and "CodeReviewMergeCommit" in th.properties
        ]
        if not attempts:
            return None
        attempt = attempts[-1]
        sha = str(attempt.properties["CodeReviewMergeCommit"][1])
    out: dict[str, Any] = {"commitId": sha}
    if full:
        commit = call.world.commit(repo.id, sha)
        if commit is not None:
            author, committer, comment = commit.author, commit.committer, commit.comment
        else:  # the preview merge is on no branch: ADO writes it as the PR's author at the attempt
            creator = call.world.identity(pr.created_by_id)
            name = creator.display_name if creator else ""
            email = creator.unique_name if creator else ""
            when = attempt.published if attempt is not None else pr.created
            author = committer = Signature(name, email, when)
            comment = f"Merge pull request {pr.id} from {_short(pr.source_ref)} into {_short(pr.target_ref)}"
        out["author"] = user_date(author)
        out["committer"] = user_date(committer)
        out["comment"] = comment
    out["url"] = f"{repo_url(call, repo)}/commits/{sha}"
    return out


def _short(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def _pr_links(call: Call, repo: Repository, pr: PullRequest, body: dict[str, Any]) -> dict[str, Any]:
    base = pr_url(call, repo, pr.id)
    return {
        "self": link(base),
        "repository": link(repo_url(call, repo)),
        "workItems": link(f"{base}/workitems"),
        "sourceBranch": link(f"{repo_url(call, repo)}/refs"),
        "targetBranch": link(f"{repo_url(call, repo)}/refs"),
        "statuses": link(f"{base}/statuses"),
        "sourceCommit": link(body["lastMergeSourceCommit"]["url"]),
        "targetCommit": link(body["lastMergeTargetCommit"]["url"]),
        "createdBy": link(
            f"{call.host_url('vssps')}/{call.world.organization}/_apis/Identities/{pr.created_by_id}"
        ),
        "iterations": link(f"{base}/iterations"),
    }


def pr_commits(call: Call, repo: Repository, pr: PullRequest, shas: list[str] | None = None) -> list[dict]:
    out = []
    for sha in views.pr_commit_shas(pr, call.world.now) if shas is None else shas:
        commit = call.world.commit(repo.id, sha)
        out.append(git_commit(call, repo, commit) if commit else commit_ref(call, repo, sha))
    return out


# -- iterations -------------------------------------------------------------------------------------


def iteration(call: Call, repo: Repository, pr: PullRequest, it: Iteration, *, include_commits: bool) -> dict:
    author = identity_ref(call, it.author_id)
    out: dict[str, Any] = {
        "id": it.id,
        "description": pr.title if it.id == 1 else "",
        "author": author,
        "createdDate": iso(it.created),
        "updatedDate": iso(it.created),
        "sourceRefCommit": {"commitId": it.source_commit},
        "targetRefCommit": {"commitId": it.target_commit},
        "commonRefCommit": {"commitId": it.common_commit},
        "hasMoreCommits": False,
        "reason": it.reason,
        "push": {"pushId": it.push_id, "date": iso(it.created), "pushedBy": author},
    }
    if include_commits:
        out["commits"] = pr_commits(call, repo, pr, list(it.commit_shas))
    url = f"{pr_url(call, repo, pr.id)}/iterations/{it.id}"
    out["_links"] = {
        "self": link(url),
        "repository": link(repo_url(call, repo)),
        "pullRequest": link(pr_url(call, repo, pr.id)),
    }
    return out


# -- statuses ---------------------------------------------------------------------------------------


def status(
    call: Call, repo: Repository, pr: PullRequest, st: PullRequestStatus, *, links: str | None
) -> dict:
    """GitPullRequestStatus. ``links`` ("pr" or "iteration": the URL form) only on single responses, as the
    examples show; lists carry no ``_links``."""
    out: dict[str, Any] = {}
    if st.properties:
        out["properties"] = st.properties
    if st.iteration_id is not None:
        out["iterationId"] = st.iteration_id
    out.update(
        {
            "id": st.id,
            "state": st.state,
            "description": st.description,
            "context": {"name": st.name, "genre": st.genre},
            "creationDate": iso(st.created),
            "updatedDate": iso(st.created),
            "createdBy": identity_ref(call, st.created_by_id),
        }
    )
    if st.target_url:
        out["targetUrl"] = st.target_url
    if links:
        base = pr_url(call, repo, pr.id)
        if links == "iteration" and st.iteration_id is not None:
            base = f"{base}/iterations/{st.iteration_id}"
        out["_links"] = {"self": link(f"{base}/statuses/{st.id}"), "repository": link(repo_url(call, repo))}
    return out


def typed_properties(raw: Any) -> dict[str, Any]:
    """A status's ``properties`` as ADO stores them: plain values become ``{"$type", "$value"}`` bags
    (``System.Int32``, ``System.Double``, ``System.Boolean``, ``System.String``); typed ones are kept."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, dict) and "$type" in value:
            out[name] = {"$type": value["$type"], "$value": value.get("$value")}
        elif isinstance(value, bool):
            out[name] = {"$type": "System.Boolean", "$value": value}
        elif isinstance(value, int):
            out[name] = {
                "$type": "System.Int32" if -(2**31) <= value < 2**31 else "System.Int64",
                "$value": value,
            }
        elif isinstance(value, float):
            out[name] = {"$type": "System.Double", "$value": value}
        else:
            out[name] = {"$type": "System.String", "$value": str(value)}
    return out
