"""Reading and writing the derived metric tables (:mod:`.tables_metrics`) and knowing when they are current.

The upsert calls :func:`mark_changed` in the transaction that changed synced rows, so a report can tell
stale results from current ones with one primary-key read (:func:`is_current`); :func:`replace` stores a
rebuild. The reads select one scope and window with indexed conditions and return plain numbers: no
per-row records, no datetime parsing where hours were stored.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    func,
    select,
    tuple_,
    update,
)

from ..clock import utcnow
from .columns import UtcDateTime, time_binder
from .dialect import insert
from .facts import utc_column, utc_reader
from .schema import (
    metric_deployment_prs,
    metric_deployment_repositories,
    metric_deployments,
    metric_pull_requests,
    metric_state,
)

PHASE_COLUMNS = ("coding_hours", "pickup_hours", "review_hours", "deploy_hours", "cycle_hours")
WRITE_BATCH = 5_000
DERIVED = (metric_deployment_prs, metric_deployment_repositories, metric_deployments, metric_pull_requests)


def mark_changed(conn: Connection, org_ids: Iterable[str]) -> None:
    """Synced rows of these organizations changed: their derived rows are stale until the next rebuild."""
    for org_id in sorted(set(org_ids)):
        stmt = insert(conn, metric_state).values(org_id=org_id, data_version=1)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["org_id"], set_={"data_version": metric_state.c.data_version + 1}))


def is_current(conn: Connection, org_id: str) -> bool:
    """Whether the derived rows reflect every change of the organization's synced rows."""
    s = metric_state.c
    row = conn.execute(select(s.data_version, s.built_version).where(s.org_id == org_id)).first()
    return row is not None and row.built_version == row.data_version


def begin_rebuild(conn: Connection, org_id: str) -> int:
    """Start a rebuild in the caller's transaction; returns the data version it will reflect. Writes first:
    on SQLite that takes the write lock before the rebuild reads, so its snapshot cannot go stale."""
    s = metric_state.c
    conn.execute(insert(conn, metric_state).values(org_id=org_id, data_version=0)
                 .on_conflict_do_nothing(index_elements=["org_id"]))
    conn.execute(update(metric_state).where(s.org_id == org_id).values(built_at=utcnow()))
    return conn.execute(select(s.data_version).where(s.org_id == org_id)).scalar_one()


def finish_rebuild(conn: Connection, org_id: str, version: int) -> None:
    """The rows now reflect ``version`` (a change committed meanwhile has bumped past it: still stale)."""
    s = metric_state.c
    conn.execute(update(metric_state).where(s.org_id == org_id).values(built_version=version,
                                                                       built_at=utcnow()))


def replace_rows(conn: Connection, table: Table, org_id: str, rows: list[dict],
                 *where: ColumnElement) -> int:
    """Make the organization's rows of ``table`` (those matching ``where``) exactly ``rows``, writing only
    the differences: after an incremental sync most results are unchanged, and rewriting them all would
    cost more than the analysis. Returns the number of rows inserted, replaced or deleted."""
    names = [c.name for c in table.columns]
    width = len(table.primary_key.columns)  # the key columns come first in every derived table
    existing = {tuple(r[:width]): tuple(r) for r in
                conn.execute(select(*table.c).where(table.c.org_id == org_id, *where))}
    fresh: list[dict] = []
    gone: list[tuple] = []
    for row in rows:
        values = tuple(row[name] for name in names)
        have = existing.pop(values[:width], None)
        if have != values:
            fresh.append(row)
            if have is not None:
                gone.append(values[:width])
    gone += existing  # rows whose PR or deployment no longer has a result
    _delete(conn, table, names[:width], gone)
    _insert(conn, table, fresh)
    return len(fresh) + len(existing)


def _delete(conn: Connection, table: Table, key: list[str], keys: list[tuple]) -> None:
    if keys:
        condition = and_(*(table.c[name] == bindparam(f"k_{name}") for name in key))
        conn.execute(delete(table).where(condition),
                     [{f"k_{name}": value for name, value in zip(key, k, strict=True)} for k in keys])


def _insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows (all with the same keys) through the driver's executemany: a first build writes one row
    per PR and per deployment, and SQLAlchemy's per-value processing would cost more than the database."""
    if not rows:
        return
    names = list(rows[0])
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=names)
    bind_time = time_binder(conn.dialect.name)
    times = [name for name in names if isinstance(table.c[name].type, UtcDateTime)]
    order = compiled.positiontup if compiled.positional else None
    for row in rows:
        for name in times:
            if (value := row[name]) is not None:
                row[name] = bind_time(value)
    params = [tuple(row[name] for name in order) for row in rows] if order else rows
    for at in range(0, len(params), WRITE_BATCH):
        conn.exec_driver_sql(str(compiled), params[at:at + WRITE_BATCH])


# -- reads -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """What a report counts: one organization's rows, optionally one project's, one repository's, and PRs
    by these authors (identity ids without hyphens, case-folded) with the deployments shipping them."""

    org_id: str
    project_id: str | None = None
    repo_id: str | None = None
    author_keys: Collection[str] | None = None


def _pull_requests(sel: Selection) -> list[ColumnElement]:
    p = metric_pull_requests.c
    found = [p.org_id == sel.org_id]
    if sel.project_id is not None:
        found.append(p.project_id == sel.project_id)
    if sel.repo_id is not None:
        found.append(p.repo_id == sel.repo_id)
    if sel.author_keys is not None:
        found.append(p.author_key.in_(sorted(sel.author_keys)))
    return found


def _between(column, start: datetime, end: datetime) -> ColumnElement:
    return and_(column >= start, column < end)


def pull_request_counts(conn: Connection, sel: Selection, start: datetime, end: datetime) -> tuple[int, int]:
    """(opened, abandoned) in ``[start, end)``."""
    p = metric_pull_requests.c
    opened = select(func.count()).where(*_pull_requests(sel), _between(p.created_at, start, end))
    abandoned = select(func.count()).where(*_pull_requests(sel), p.state == "abandoned",
                                           _between(p.closed_at, start, end))
    return conn.execute(opened).scalar_one(), conn.execute(abandoned).scalar_one()


def merged_phases(conn: Connection, sel: Selection, start: datetime, end: datetime) -> list[tuple]:
    """The phase hours (:data:`PHASE_COLUMNS`, in order) of each PR merged in ``[start, end)``."""
    p = metric_pull_requests.c
    query = select(*(p[name] for name in PHASE_COLUMNS)).where(
        *_pull_requests(sel), p.state == "merged", _between(p.closed_at, start, end))
    return conn.execute(query).all()


def lead_hours(conn: Connection, sel: Selection, start: datetime, end: datetime) -> list[float]:
    """The lead times of the PRs first deployed in ``[start, end)``."""
    p = metric_pull_requests.c
    query = select(p.lead_hours).where(*_pull_requests(sel), _between(p.deployed_at, start, end),
                                       p.lead_hours.is_not(None))
    return conn.execute(query).scalars().all()


def deployments(conn: Connection, sel: Selection, start: datetime,
                end: datetime) -> Iterator[tuple[datetime, bool, bool, float | None]]:
    """(finished at, success, failure, restore hours) of the production attempts in ``[start, end)``: of the
    repository (with its own restores) when one is selected; shipping the authors' PRs when they are."""
    table = metric_deployments if sel.repo_id is None else metric_deployment_repositories
    d, dialect = table.c, conn.dialect.name
    query = select(utc_column(d.finished_at, dialect), d.success, d.failure, d.restore_hours).where(
        d.org_id == sel.org_id, _between(d.finished_at, start, end))
    if sel.repo_id is not None:
        query = query.where(d.repo_id == sel.repo_id)
    if sel.project_id is not None:
        query = query.where(d.project_id == sel.project_id)
    if sel.author_keys is not None:
        link, p = metric_deployment_prs.c, metric_pull_requests.c
        same_pr = and_(p.org_id == link.org_id, p.project_id == link.pr_project_id, p.pr_id == link.pr_id)
        shipping = (select(link.kind, link.project_id, link.deployment_id).join(metric_pull_requests, same_pr)
                    .where(link.org_id == sel.org_id, *_pull_requests(sel)))
        query = query.where(tuple_(d.kind, d.project_id, d.deployment_id).in_(shipping))
    utc = utc_reader(dialect)
    for finished, success, failure, restore in conn.execute(query).all():  # one fetch, not one per row
        yield utc(finished), bool(success), bool(failure), restore
