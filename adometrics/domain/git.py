"""Git metadata: repositories, refs and commits. Never file content, diffs or commit messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .common import sensitive


@dataclass(frozen=True, slots=True, kw_only=True)
class Repository:
    org_id: str
    project_id: str
    id: str
    name: str
    default_branch: str | None = sensitive(default=None)  # e.g. "refs/heads/main"; None for an empty repo
    is_disabled: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Ref:
    """A branch or tag head; its name is sensitive, so the store keys it by a blind index of the name."""

    org_id: str
    repo_id: str
    name: str = sensitive()
    object_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Commit:
    """Commit metadata; the message is deliberately not kept.

    ``parents`` is None when unknown (commit *lists* do not carry parents), ``()`` for a root commit.
    """

    org_id: str
    repo_id: str
    sha: str
    author_name: str | None = None
    author_email: str | None = sensitive(default=None)
    author_date: datetime | None = None
    committer_date: datetime | None = None
    parents: tuple[str, ...] | None = None
