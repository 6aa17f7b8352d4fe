"""Parsers for git metadata: repositories, refs, commits (ENDPOINTS §4–5). Never a message or a path."""

from __future__ import annotations

from typing import Any

from adometrics.domain import Commit, Ref, Repository

from .parse_common import (
    MalformedRecord,
    as_bool,
    as_str,
    guid,
    obj,
    parse_datetime,
    required_guid,
    required_str,
    sha,
    sub,
)


def parse_repository(raw: Any, org_id: str, project_id: str) -> Repository:
    """GitRepository → Repository; ``project.id`` wins over the caller's project when present."""
    raw = obj(raw, "repository")
    project = guid(sub(raw, "project").get("id"), "project.id") or project_id
    return Repository(
        org_id=org_id,
        project_id=project,
        id=required_guid(raw, "id"),
        name=required_str(raw, "name"),
        default_branch=as_str(raw.get("defaultBranch"), "defaultBranch") or None,
        is_disabled=as_bool(raw.get("isDisabled"), "isDisabled"),
    )


def parse_ref(raw: Any, org_id: str, repo_id: str) -> Ref:
    """GitRef → Ref (full name and head commit; creator and statuses dropped)."""
    raw = obj(raw, "ref")
    object_id = sha(raw.get("objectId"), "objectId")
    if not object_id:
        raise MalformedRecord("objectId is missing")
    return Ref(org_id=org_id, repo_id=repo_id, name=required_str(raw, "name"), object_id=object_id)


def parse_commit(raw: Any, org_id: str, repo_id: str) -> Commit:
    """GitCommitRef (or GitCommit) → Commit. The message (``comment``) and change counts are dropped;
    ``parents`` only when the payload has them (lists do not: None means unknown)."""
    raw = obj(raw, "commit")
    commit = sha(raw.get("commitId"), "commitId")
    if not commit:
        raise MalformedRecord("commitId is missing")
    author, committer = sub(raw, "author"), sub(raw, "committer")
    return Commit(
        org_id=org_id,
        repo_id=repo_id,
        sha=commit,
        author_name=as_str(author.get("name"), "author.name") or None,
        author_email=as_str(author.get("email"), "author.email") or None,
        author_date=parse_datetime(author.get("date"), "author.date"),
        committer_date=parse_datetime(committer.get("date"), "committer.date"),
        parents=_parents(raw.get("parents")),
    )


def _parents(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise MalformedRecord("parents is not a list")
    parents = tuple(sha(p, "parents[]") for p in value)
    if any(p is None for p in parents):
        raise MalformedRecord("parents has an empty commit id")
    return parents  # type: ignore[return-value]
