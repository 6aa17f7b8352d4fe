"""Bulk, idempotent writes of domain records: ``INSERT … ON CONFLICT (natural key) DO UPDATE``.

Sensitive fields are encrypted here with associated data bound to their row, blind indexes are computed for
the lookups that need them, and a keyed row digest makes the database skip rows whose synced values did not
change (no rewrite, no WAL growth on a re-run). Works inside the caller's transaction; never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from sqlalchemy import Connection, update

from .crypto import OrgCipher, aad_prefix, row_key
from .dialect import insert
from .keyring import Keyring
from .mapping import SPECS, Spec, spec_for
from .schema import build_definitions

BATCH_SIZE = 2_000


class _Encoder:
    """Turns records of one spec and one organization into table rows (plaintext never leaves this object)."""

    def __init__(self, spec: Spec, cipher: OrgCipher) -> None:
        self.spec = spec
        self.cipher = cipher
        self.table = spec.table.name
        self.prefixes = [(x, aad_prefix(cipher.org_id, self.table, x.enc)) for x in spec.sealed]
        self.row_key_columns = spec.key[1:]

    def row(self, record, context: dict | None = None) -> dict:
        spec, cipher = self.spec, self.cipher
        row = dict(context) if context else {}
        for name in spec.plain_fields:
            row[name] = getattr(record, name)
        for name in spec.enums:
            if row[name] is not None:
                row[name] = str(row[name])
        for name in spec.tuples:
            if row[name] is not None:
                row[name] = " ".join(row[name])
        plain = [getattr(record, x.field) for x, _ in self.prefixes]
        for (x, _), value in zip(self.prefixes, plain, strict=True):
            if x.index:
                row[x.bidx] = None if value is None else cipher.blind(x.index, value)
        key = row_key([row[c] for c in self.row_key_columns])
        for (x, prefix), value in zip(self.prefixes, plain, strict=True):
            row[x.enc] = None if value is None else cipher.encrypt(value, prefix, key)
        if spec.has_digest:
            values = tuple(row[c] for c in spec.digest_columns)
            row["row_digest"] = cipher.digest(self.table, (*values, *plain))
        return row


def _statement(conn: Connection, spec: Spec):
    stmt = insert(conn, spec.table)
    if not spec.update_columns:
        return stmt.on_conflict_do_nothing(index_elements=list(spec.key))
    return stmt.on_conflict_do_update(
        index_elements=list(spec.key),
        set_={c: stmt.excluded[c] for c in spec.update_columns},
        where=spec.table.c.row_digest != stmt.excluded.row_digest,
    )


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _identity(spec: Spec, record, context: dict | None) -> tuple:
    return tuple(context[f] if context and f in context else getattr(record, f) for f in spec.identity_fields)


def _write(conn: Connection, keyring: Keyring, spec: Spec, items: list[tuple[object, dict | None]],
           batch_size: int) -> None:
    """Write (record, context) pairs of one spec: last one wins per natural key, one executemany per batch."""
    latest: dict[tuple, tuple[object, dict | None]] = {}
    for record, context in items:
        latest[_identity(spec, record, context)] = (record, context)
    by_org: dict[str, list[tuple[object, dict | None]]] = {}
    for identity, pair in latest.items():
        by_org.setdefault(identity[0], []).append(pair)
    stmt = _statement(conn, spec)
    for org_id, pairs in by_org.items():
        encoder = _Encoder(spec, keyring.cipher(conn, org_id))
        for batch in _batches((encoder.row(r, c) for r, c in pairs), batch_size):
            conn.execute(stmt, batch)


def upsert(conn: Connection, keyring: Keyring, records: Iterable, *,
           batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Insert or update ``records`` (any mix of stored record types) by natural key; returns counts by entity.

    Re-running with the same records changes nothing. Nested records (release environments and artifacts)
    are written with their parent; ones that disappeared from a parent are kept (no failure deletes data).
    """
    groups: dict[Spec, list[tuple[object, None]]] = {}
    for record in records:
        groups.setdefault(spec_for(type(record)), []).append((record, None))
    counts: dict[str, int] = {}
    for spec in SPECS:
        items = groups.get(spec)
        if not items:
            continue
        _write(conn, keyring, spec, items, batch_size)
        counts[spec.entity] = len(items)
        for field_name, child in spec.children:
            nested = [(item, {col: getattr(parent, f) for col, f in child.context})
                      for parent, _ in items for item in getattr(parent, field_name)]
            if nested:
                _write(conn, keyring, child, nested, batch_size)
                counts[child.entity] = counts.get(child.entity, 0) + len(nested)
    return counts


def set_deployment_pipeline(conn: Connection, org_id: str, project_id: str, definition_id: int, *,
                            enabled: bool, environment: str | None = None) -> bool:
    """Opt a pipeline in or out as a deployment pipeline (METRICS.md §1.3); False if it is not stored yet."""
    c = build_definitions.c
    result = conn.execute(
        update(build_definitions)
        .where(c.org_id == org_id, c.project_id == project_id, c.id == definition_id)
        .values(is_deployment_pipeline=enabled, deployment_environment=environment if enabled else None))
    return result.rowcount > 0
