"""Loading records back (decrypting) and counting them: for tests, the CLI's totals and later features.

Queries on sensitive values go through blind indexes, so the database never sees a branch name or e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, exists, func, select

from ..domain import Build, PullRequest
from .crypto import OrgCipher, aad_prefix, row_key
from .keyring import Keyring
from .mapping import CHILD_SPECS, SPECS, Spec, spec_for
from .schema import builds, classic_deployments, environment_deployments, pull_requests, repositories


class _Decoder:
    """Turns rows of one spec and organization back into records."""

    def __init__(self, spec: Spec, cipher: OrgCipher) -> None:
        self.spec = spec
        self.cipher = cipher
        table = spec.table.name
        self.prefixes = [(x, aad_prefix(cipher.org_id, table, x.enc), f"{table}.{x.enc}")
                         for x in spec.sealed]

    def fields(self, row) -> dict:
        spec = self.spec
        values = {name: row[name] for name in spec.plain_fields}
        for name, enum in spec.enums.items():
            if values[name] is not None:
                values[name] = enum(values[name])
        for name in spec.tuples:
            if values[name] is not None:
                values[name] = tuple(values[name].split())
        key = row_key([row[c] for c in spec.key[1:]])
        for x, prefix, where in self.prefixes:
            blob = row[x.enc]
            values[x.field] = None if blob is None else self.cipher.decrypt(blob, prefix, key, where)
        return values


def _children(conn: Connection, cipher: OrgCipher, spec: Spec) -> dict[str, dict[tuple, list]]:
    """Nested records of the organization, grouped by their parent's key, per tuple field."""
    grouped: dict[str, dict[tuple, list]] = {}
    for field_name, child in spec.children:
        decoder = _Decoder(child, cipher)
        rows = conn.execute(select(child.table).where(child.table.c.org_id == cipher.org_id)
                            .order_by(*[child.table.c[k] for k in child.key])).mappings()
        parent_of = [column for column, _ in child.context]
        by_parent = grouped.setdefault(field_name, {})
        for row in rows:
            item = child.record(**decoder.fields(row))
            by_parent.setdefault(tuple(row[c] for c in parent_of), []).append(item)
    return grouped


def load(conn: Connection, keyring: Keyring, record_type: type, org_id: str, *criteria: ColumnElement,
         order_by: Sequence[ColumnElement] | None = None, limit: int | None = None) -> list:
    """Records of one type and organization matching ``criteria`` (expressions on its table), decrypted."""
    spec = spec_for(record_type)
    table = spec.table
    tenant = table.c[spec.key[0]]
    query = select(table).where(tenant == org_id, *criteria)
    query = query.order_by(*(order_by if order_by is not None else [table.c[k] for k in spec.key]))
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).mappings().all()
    if not rows:
        return []
    cipher = keyring.cipher(conn, org_id, create=False)
    decoder = _Decoder(spec, cipher)
    children = _children(conn, cipher, spec) if spec.children else {}
    records = []
    for row in rows:
        values = decoder.fields(row)
        for field_name, child in spec.children:
            parent_key = tuple(row[f] for _, f in child.context)
            values[field_name] = tuple(children[field_name].get(parent_key, ()))
        records.append(spec.record(**values))
    return records


def blind(conn: Connection, keyring: Keyring, org_id: str, kind: str, value: str) -> bytes | None:
    """The blind index of ``value`` for a lookup; None when the organization has no keys: nothing matches."""
    cipher = keyring.cipher(conn, org_id, create=False)
    return cipher.blind(kind, value) if cipher.can_index else None


def load_pull_requests(conn: Connection, keyring: Keyring, org_id: str, *, repo_id: str | None = None,
                       status: str | None = None, closed_from: datetime | None = None,
                       closed_to: datetime | None = None, target_branch: str | None = None,
                       into_default_branch: bool = False) -> list:
    """PRs of an organization; ``closed_from``/``closed_to`` are half-open; branches go by blind index."""
    c = pull_requests.c
    criteria: list[ColumnElement] = []
    if repo_id is not None:
        criteria.append(c.repo_id == repo_id)
    if status is not None:
        criteria.append(c.status == status)
    if closed_from is not None:
        criteria.append(c.closed_at >= closed_from)
    if closed_to is not None:
        criteria.append(c.closed_at < closed_to)
    if target_branch is not None:
        criteria.append(c.target_branch_bidx == blind(conn, keyring, org_id, "branch", target_branch))
    if into_default_branch:
        r = repositories.c
        criteria.append(exists().where(r.org_id == c.org_id, r.id == c.repo_id,
                                       r.default_branch_bidx == c.target_branch_bidx))
    return load(conn, keyring, PullRequest, org_id, *criteria)


def load_builds(conn: Connection, keyring: Keyring, org_id: str, *, definition_id: int | None = None,
                branch: str | None = None, finished_from: datetime | None = None,
                finished_to: datetime | None = None) -> list:
    """Builds of an organization, e.g. "builds of branch X" through the blind index."""
    c = builds.c
    criteria: list[ColumnElement] = []
    if definition_id is not None:
        criteria.append(c.definition_id == definition_id)
    if branch is not None:
        criteria.append(c.source_branch_bidx == blind(conn, keyring, org_id, "branch", branch))
    if finished_from is not None:
        criteria.append(c.finished_at >= finished_from)
    if finished_to is not None:
        criteria.append(c.finished_at < finished_to)
    return load(conn, keyring, Build, org_id, *criteria)


def spec_for_name(entity: str) -> Spec:
    """The mapping of an entity by its table name."""
    for spec in (*SPECS, *CHILD_SPECS):
        if spec.entity == entity:
            return spec
    raise KeyError(entity)


def count_entities(conn: Connection, org_id: str | None = None) -> dict[str, int]:
    """Rows stored per entity (``sync --json`` "entities"); ``deployments`` sums classic and YAML ones."""
    counts: dict[str, int] = {}
    for spec in (*SPECS, *CHILD_SPECS):
        table = spec.table
        query = select(func.count()).select_from(table)
        if org_id is not None:
            query = query.where(table.c[spec.key[0]] == org_id)
        counts[spec.entity] = conn.execute(query).scalar_one()
    counts["deployments"] = counts[classic_deployments.name] + counts[environment_deployments.name]
    return counts
