"""Key rotation without downtime (``adometrics keys rotate``).

Master key: a new primary is generated (key file) or configured (environment), every data key is re-wrapped
under it in the caller's transaction, and once that is committed the old master key can be dropped.
Data keys: a new active key encrypts from then on; old ciphertexts stay readable through the key id in
their header while :func:`reencrypt` rewrites them batch by batch; then the retired key is deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, bindparam, func, select, tuple_, update

from ..errors import ConfigurationError
from .crypto import aad_prefix, blob_key_id, row_key
from .keyring import (
    DATA,
    RETIRED,
    Keyring,
    delete_data_key,
    master_key_ids_in_use,
    rewrap_data_keys,
    rotate_data_key,
)
from .keys import add_primary_key, keep_only
from .mapping import CHILD_SPECS, SPECS, Spec
from .schema import data_keys

SEALED_SPECS: tuple[Spec, ...] = tuple(s for s in (*SPECS, *CHILD_SPECS) if s.sealed)


@dataclass
class RotationReport:
    master_key_id: str
    rewrapped: int
    new_data_keys: dict[str, int] = field(default_factory=dict)  # organization -> new key id


def rotate(conn: Connection, keyring: Keyring, *, new_data_keys: bool = False) -> RotationReport:
    """Rotate the master key (and, optionally, every organization's data key) in the caller's transaction.

    With a key file, a new master key is generated and saved first (the old one stays in the file, so a
    rolled-back transaction loses nothing). With ``ADOMETRICS_MASTER_KEY``, the operator puts the new key
    first in the variable and this re-wraps under it. After committing, call :func:`prune_master_keys`.
    """
    if keyring.master.path is not None:
        keyring.master = add_primary_key(keyring.master)
    rewrapped = rewrap_data_keys(conn, keyring.master)
    report = RotationReport(keyring.master.primary_id, rewrapped)
    if new_data_keys:
        orgs = conn.execute(select(data_keys.c.org_id).distinct().order_by(data_keys.c.org_id)).scalars()
        for org_id in list(orgs):
            report.new_data_keys[org_id] = rotate_data_key(conn, keyring, org_id)
    elif keyring.master.path is None and rewrapped == 0:
        raise ConfigurationError(
            "every data key is already wrapped by the first key of ADOMETRICS_MASTER_KEY: to rotate, put a "
            "new key first in the variable (keep the old one after a comma), restart, and rotate again")
    return report


def prune_master_keys(engine: Engine, keyring: Keyring) -> tuple[str, ...]:
    """Drop from the key file the master keys that no committed data key needs; returns the dropped ids.

    Takes an engine, not the caller's connection, so it only ever sees committed wrapping.
    """
    with engine.connect() as conn:
        in_use = master_key_ids_in_use(conn)
    before = set(keyring.master.ids)
    keyring.master = keep_only(keyring.master, in_use)
    return tuple(sorted(before - set(keyring.master.ids)))


def _key_filter(spec: Spec, after: tuple | None):
    table = spec.table
    criteria = [table.c[spec.key[0]] == bindparam("org")]
    if after is not None:
        criteria.append(tuple_(*[table.c[k] for k in spec.key[1:]]) > tuple_(*after))
    return criteria


def _reencrypt_rows(spec: Spec, cipher, rows) -> list[dict]:
    prefixes = [(x.enc, aad_prefix(cipher.org_id, spec.table.name, x.enc)) for x in spec.sealed]
    changed = []
    for row in rows:
        if all(row[enc] is None or blob_key_id(row[enc]) == cipher.active_key_id for enc, _ in prefixes):
            continue
        key = row_key([row[k] for k in spec.key[1:]])
        values = {f"k_{k}": row[k] for k in spec.key} | {"k_row_digest": row["row_digest"]}
        for enc, prefix in prefixes:
            blob = row[enc]
            values[f"v_{enc}"] = blob if blob is None else cipher.encrypt(
                cipher.decrypt(blob, prefix, key, f"{spec.table.name}.{enc}"), prefix, key)
        changed.append(values)
    return changed


def reencrypt(conn: Connection, keyring: Keyring, org_id: str, *, batch_size: int = 1_000) -> Iterator[int]:
    """Re-encrypt an organization's values under its active data key, one batch per step.

    Yields the number of rows rewritten by each batch (maybe 0); the caller commits between steps, which
    keeps every transaction short while syncs go on writing with the active key.
    """
    for spec in SEALED_SPECS:
        table = spec.table
        keys = [table.c[k] for k in spec.key]
        columns = [*keys, *(table.c[x.enc] for x in spec.sealed), table.c.row_digest]
        # Only if the row is as we read it: a sync that rewrote it meanwhile used the active key already, and
        # its newer values must not be replaced by re-encrypted older ones.
        unchanged = [table.c[k] == bindparam(f"k_{k}") for k in (*spec.key, "row_digest")]
        stmt = update(table).where(*unchanged).values({x.enc: bindparam(f"v_{x.enc}") for x in spec.sealed})
        after: tuple | None = None
        while True:
            query = select(*columns).where(*_key_filter(spec, after))
            query = query.order_by(*keys).limit(batch_size)
            rows = conn.execute(query, {"org": org_id}).mappings().all()
            if not rows:
                break
            after = tuple(rows[-1][k] for k in spec.key[1:])
            changed = _reencrypt_rows(spec, keyring.cipher(conn, org_id, create=False), rows)
            if changed:
                conn.execute(stmt, changed)
            yield len(changed)
            if len(spec.key) == 1:  # one row per organization (connections): nothing to page through
                break


def _key_in_use(conn: Connection, org_id: str, key_id: int) -> bool:
    kid = key_id.to_bytes(4, "big")
    for spec in SEALED_SPECS:
        table = spec.table
        for x in spec.sealed:
            column = table.c[x.enc]
            hit = select(column).where(table.c[spec.key[0]] == org_id,
                                       func.substr(column, 2, 4) == kid).limit(1)
            if conn.execute(hit).first() is not None:
                return True
    return False


def drop_retired_keys(conn: Connection, org_id: str) -> list[int]:
    """Delete the organization's retired data keys that no stored value uses any more; returns their ids."""
    c = data_keys.c
    retired = conn.execute(select(c.key_id).where(c.org_id == org_id, c.purpose == DATA, c.state == RETIRED))
    dropped = []
    for key_id in list(retired.scalars()):
        if not _key_in_use(conn, org_id, key_id):
            delete_data_key(conn, org_id, key_id)
            dropped.append(key_id)
    return dropped
