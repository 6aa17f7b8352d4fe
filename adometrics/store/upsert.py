"""Bulk, idempotent writes of domain records: ``INSERT … ON CONFLICT (natural key) DO UPDATE``.

Sensitive fields are encrypted here with associated data bound to their row, blind indexes are computed for
the lookups that need them, and a keyed row digest makes the database skip rows whose synced values did not
change (no rewrite, no WAL growth on a re-run). Works inside the caller's transaction; never commits.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from operator import attrgetter, itemgetter

from sqlalchemy import Connection, Dialect, update

from .columns import UtcDateTime, time_binder
from .crypto import NONCE_SIZE, OrgCipher, aad_prefix, row_key
from .dialect import insert
from .keyring import Keyring
from .mapping import SPECS, Spec, spec_for
from .metric_facts import mark_changed
from .schema import build_definitions, connections, sync_checkpoints

BATCH_SIZE = 2_000
BOOKKEEPING = frozenset({sync_checkpoints.name, connections.name})  # no metric reads these


def _getter(names: tuple[str, ...]):
    """attrgetter that always returns a tuple."""
    if len(names) == 1:
        get = attrgetter(names[0])
        return lambda record: (get(record),)
    return attrgetter(*names)


class _Encoder:
    """Turns records of one spec and one organization into table rows (plaintext never leaves this object).

    Values are bound as the driver expects them (see :class:`_Statement`), so the conversions SQLAlchemy's
    types would make value by value are made here, once per column kind. This loop is the ingest hot path.
    """

    def __init__(self, spec: Spec, cipher: OrgCipher, dialect: str) -> None:
        self.table = spec.table.name
        self.digest = cipher.digest if spec.has_digest else None
        self.blind = cipher.blind
        self.plain_names = spec.plain_fields
        self.get_plain = _getter(spec.plain_fields)
        bind_time = time_binder(dialect)
        self.converters = [(name, str) for name in spec.enums] + [(name, " ".join) for name in spec.tuples]
        self.converters += [(c.name, bind_time) for c in spec.table.c if isinstance(c.type, UtcDateTime)]
        self.sealed = [(x.enc, x.bidx if x.index else None, x.index,
                        aad_prefix(cipher.org_id, self.table, x.enc)) for x in spec.sealed]
        self.get_sealed = _getter(tuple(x.field for x in spec.sealed)) if spec.sealed else None
        self.seal = cipher.sealer() if spec.sealed else None
        self.row_key_columns = spec.key[1:]

    def row(self, record, context: dict | None = None) -> dict:
        row = dict(zip(self.plain_names, self.get_plain(record), strict=False))
        if context:
            row.update(context)
        for name, convert in self.converters:
            value = row[name]
            if value is not None:
                row[name] = convert(value)
        if not self.sealed:
            if self.digest:
                row["row_digest"] = self.digest(self.table, tuple(row.values()))
            return row
        plain = self.get_sealed(record)
        if self.digest:  # over the synced values only: before blind indexes and ciphertexts join the row
            row["row_digest"] = self.digest(self.table, (tuple(row.values()), plain))
        blind = self.blind
        for (_, bidx, kind, _), value in zip(self.sealed, plain, strict=False):
            if bidx:
                row[bidx] = None if value is None else blind(kind, value)
        key = row_key([row[c] for c in self.row_key_columns])
        nonces = os.urandom(NONCE_SIZE * len(self.sealed))  # one system call per row, not per value
        seal, at = self.seal, 0
        for (enc, _, _, prefix), value in zip(self.sealed, plain, strict=False):
            row[enc] = None if value is None else seal(value, prefix + key, nonces[at:at + NONCE_SIZE])
            at += NONCE_SIZE
        return row


class _Statement:
    """The upsert compiled once per database dialect and executed through the driver's executemany.

    Going below SQLAlchemy's per-value parameter processing makes ingest about a third faster; the values
    are already in driver form (:class:`_Encoder`).
    """

    def __init__(self, sql: str, order: tuple[str, ...] | None) -> None:
        self.sql = sql
        self.getter = itemgetter(*order) if order else None

    def execute(self, conn: Connection, rows: list[dict]) -> int:
        """Rows inserted or changed (unchanged ones are skipped by the statement's digest condition)."""
        params = [self.getter(r) for r in rows] if self.getter else rows
        return conn.exec_driver_sql(self.sql, params).rowcount


@lru_cache(maxsize=512)
def _compiled(dialect: Dialect, spec: Spec, columns: tuple[str, ...]) -> _Statement:
    """Compiling costs about a millisecond: far more than a small page's rows, so do it once."""
    compiled = _statement(dialect.name, spec).compile(dialect=dialect, column_keys=list(columns))
    return _Statement(str(compiled), tuple(compiled.positiontup) if compiled.positional else None)


def _statement(dialect_name: str, spec: Spec):
    stmt = insert(dialect_name, spec.table)
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
           batch_size: int) -> set[str]:
    """Write (record, context) pairs of one spec: last one wins per natural key, one executemany per batch.
    Returns the organizations whose rows changed."""
    latest: dict[tuple, tuple[object, dict | None]] = {}
    for record, context in items:
        latest[_identity(spec, record, context)] = (record, context)
    by_org: dict[str, list[tuple[object, dict | None]]] = {}
    for identity, pair in latest.items():
        by_org.setdefault(identity[0], []).append(pair)
    statement: _Statement | None = None
    changed: set[str] = set()
    for org_id, pairs in by_org.items():
        encoder = _Encoder(spec, keyring.cipher(conn, org_id), conn.dialect.name)
        for batch in _batches((encoder.row(r, c) for r, c in pairs), batch_size):
            if statement is None:
                statement = _compiled(conn.dialect, spec, tuple(batch[0]))
            if statement.execute(conn, batch) != 0:  # -1 (unknown) counts as a change
                changed.add(org_id)
    return changed


def upsert(conn: Connection, keyring: Keyring, records: Iterable, *,
           batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Insert or update ``records`` (any mix of stored record types) by natural key; returns counts by entity.

    Re-running with the same records changes nothing. Nested records (release environments and artifacts)
    are written with their parent; ones that disappeared from a parent are kept (no failure deletes data).
    A change of anything but the sync's own bookkeeping makes the organization's metric results stale.
    """
    groups: dict[Spec, list[tuple[object, None]]] = {}
    for record in records:
        groups.setdefault(spec_for(type(record)), []).append((record, None))
    counts: dict[str, int] = {}
    changed: set[str] = set()
    for spec in SPECS:
        items = groups.get(spec)
        if not items:
            continue
        changed |= _tracked(spec, _write(conn, keyring, spec, items, batch_size))
        counts[spec.entity] = len(items)
        for field_name, child in spec.children:
            nested = [(item, {col: getattr(parent, f) for col, f in child.context})
                      for parent, _ in items for item in getattr(parent, field_name)]
            if nested:
                changed |= _tracked(child, _write(conn, keyring, child, nested, batch_size))
                counts[child.entity] = counts.get(child.entity, 0) + len(nested)
    if changed:
        mark_changed(conn, changed)
    return counts


def _tracked(spec: Spec, org_ids: set[str]) -> set[str]:
    return set() if spec.table.name in BOOKKEEPING else org_ids


def set_deployment_pipeline(conn: Connection, org_id: str, project_id: str, definition_id: int, *,
                            enabled: bool, environment: str | None = None) -> bool:
    """Opt a pipeline in or out as a deployment pipeline (METRICS.md §1.3); False if it is not stored yet."""
    c = build_definitions.c
    result = conn.execute(
        update(build_definitions)
        .where(c.org_id == org_id, c.project_id == project_id, c.id == definition_id)
        .values(is_deployment_pipeline=enabled, deployment_environment=environment if enabled else None))
    if result.rowcount > 0:
        mark_changed(conn, [org_id])
    return result.rowcount > 0
