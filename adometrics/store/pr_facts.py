"""Set-based reads of ``PullRequestFacts``: one query over the PRs, with the earliest commit and the first
review activity aggregated by the database (correlated subqueries on the PR's key, so each PR costs two
index seeks, and a narrow selection of PRs stays cheap).

The review activity rule of METRICS.md §3 is written here in SQL — a non-zero vote, or a comment by a user,
never by the PR's author, identities compared without hyphens and case-folded — because reading every event
into Python would cost more than the rest of a report. ``tests/reports`` checks it against
``metrics.flow.first_review_times``, which stays the reference.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, tuple_

from ..domain import PullRequestFacts, ReviewEventKind
from .facts import utc_column, utc_reader
from .schema import pr_commits, pr_review_events, pull_requests


def identity_key(column) -> ColumnElement:
    """An identity id as METRICS.md compares them: without hyphens, case-folded (ids are ASCII)."""
    return func.lower(func.replace(column, "-", ""))


def pr_scope(*, project_id: str | None = None, repo_id: str | None = None,
             author_keys: Collection[str] | None = None) -> list[ColumnElement]:
    """Conditions on ``pull_requests`` for a project, a repository, PRs created by these identities
    (keys normalized as :func:`identity_key` makes them)."""
    p = pull_requests.c
    found: list[ColumnElement] = []
    if project_id is not None:
        found.append(p.project_id == project_id)
    if repo_id is not None:
        found.append(p.repo_id == repo_id)
    if author_keys is not None:
        found.append(identity_key(p.creator_id).in_(sorted(author_keys)))
    return found


def created_or_closed_in(start: datetime, end: datetime) -> ColumnElement:
    """PRs opened, merged or abandoned in ``[start, end)``: the ones a window's PR flow counts."""
    p = pull_requests.c
    return or_(and_(p.created_at >= start, p.created_at < end), and_(p.closed_at >= start, p.closed_at < end))


def _earliest_commit(dialect: str):
    p, c = pull_requests.c, pr_commits.c
    return (select(func.min(utc_column(c.author_date, dialect)))
            .where(c.org_id == p.org_id, c.project_id == p.project_id, c.pr_id == p.id)
            .scalar_subquery())


def _first_review(dialect: str):
    p, e = pull_requests.c, pr_review_events.c
    counts = or_(and_(e.kind == ReviewEventKind.VOTE.value, e.vote.is_not(None), e.vote != 0),
                 and_(e.kind == ReviewEventKind.COMMENT.value, e.actor_is_user))
    not_author = or_(p.creator_id.is_(None), identity_key(e.actor_id) != identity_key(p.creator_id))
    return (select(func.min(utc_column(e.at, dialect)))
            .where(e.org_id == p.org_id, e.project_id == p.project_id, e.pr_id == p.id, counts, not_author)
            .scalar_subquery())


def pull_request_facts(conn: Connection, org_id: str, *where: ColumnElement,
                       limit: int | None = None) -> list[PullRequestFacts]:
    """The PRs of the organization matching ``where`` (expressions on ``pull_requests``), in key order; the
    first ``limit`` of them when given."""
    p, dialect = pull_requests.c, conn.dialect.name
    query = select(p.project_id, p.repo_id, p.id, p.creator_id, utc_column(p.created_at, dialect),
                   utc_column(p.closed_at, dialect), p.status, p.last_merge_commit, _earliest_commit(dialect),
                   _first_review(dialect)).where(p.org_id == org_id, *where)
    # In key order the per-PR aggregates read the covering indexes front to back (twice as fast on a large
    # organization as in the order of whichever index the planner would pick for the WHERE clause).
    query = query.order_by(p.project_id, p.id).limit(limit)
    utc = utc_reader(dialect)
    return [PullRequestFacts(project_id=project_id, repo_id=repo_id, id=pr_id, creator_id=creator,
                             created_at=utc(created), closed_at=utc(closed), status=status,
                             merge_commit=merge, earliest_commit_at=utc(earliest),
                             first_review_at=utc(review))
            for project_id, repo_id, pr_id, creator, created, closed, status, merge, earliest, review
            in conn.execute(query).all()]


def pull_request_pages(conn: Connection, org_id: str, size: int) -> Iterator[list[PullRequestFacts]]:
    """Every PR of the organization, ``size`` at a time in key order (memory bounded by the page)."""
    p = pull_requests.c
    after: list[ColumnElement] = []
    while page := pull_request_facts(conn, org_id, *after, limit=size):
        yield page
        last = page[-1]
        after = [tuple_(p.project_id, p.id) > tuple_(last.project_id, last.id)]
