"""Per-organization keys in the ``data_keys`` table, wrapped by the master key, and their life cycle.

Each organization has one blind-index key (``purpose="index"``, never rotated: lookups must stay valid) and
data keys (``purpose="data"``): one active, older ones retired but still decrypting until their rows are
re-encrypted. Deleting an organization's rows here crypto-shreds its data. Every function works inside the
caller's transaction and never commits.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, select, update

from ..clock import Clock, utcnow
from .crypto import OrgCipher, new_key
from .dialect import insert
from .keys import MasterKeys
from .schema import data_keys

DATA, INDEX = "data", "index"
ACTIVE, RETIRED = "active", "retired"


def _wrap_aad(org_id: str, purpose: str, key_id: int) -> bytes:
    return b"\0".join((b"adometrics data key", org_id.encode(), purpose.encode(), key_id.to_bytes(4, "big")))


class Keyring:
    """Unwrapped organization keys, cached per process; built by an entry point and passed down.

    Each lookup re-reads the organization's (few) key rows, so keys rotated by another process, or rolled
    back with the transaction that created them, are never used from a stale cache.
    """

    def __init__(self, master: MasterKeys, clock: Clock = utcnow) -> None:
        self.master = master
        self.clock = clock
        self._cache: dict[str, tuple[tuple, OrgCipher]] = {}

    def cipher(self, conn: Connection, org_id: str, *, create: bool = True) -> OrgCipher:
        """The organization's keys; with ``create``, make them on first use (in the caller's transaction)."""
        rows = self._rows(conn, org_id)
        if not rows and create:
            self._create(conn, org_id)
            rows = self._rows(conn, org_id)
        signature = tuple(tuple(r) for r in rows)
        cached = self._cache.get(org_id)
        if cached is not None and cached[0] == signature:
            return cached[1]
        cipher = self._build(org_id, rows)
        self._cache[org_id] = (signature, cipher)
        return cipher

    @staticmethod
    def _rows(conn: Connection, org_id: str) -> list:
        c = data_keys.c
        query = select(c.key_id, c.purpose, c.state, c.master_key_id, c.wrapped).where(c.org_id == org_id)
        return conn.execute(query.order_by(c.key_id)).all()

    def _build(self, org_id: str, rows: list) -> OrgCipher:
        data: dict[int, bytes] = {}
        active = index = None
        for key_id, purpose, state, master_id, wrapped in rows:
            key = self.master.unwrap(master_id, wrapped, _wrap_aad(org_id, purpose, key_id),
                                     f"data key {key_id} of organization {org_id}")
            if purpose == INDEX:
                index = key
                continue
            data[key_id] = key
            if state == ACTIVE:
                active = key_id
        return OrgCipher(org_id, data, active, index)

    def _create(self, conn: Connection, org_id: str) -> None:
        rows = [self.new_key_row(org_id, 1, INDEX), self.new_key_row(org_id, 2, DATA)]
        # Two processes may race to create them: the loser's insert does nothing and it reads the winner's.
        conn.execute(insert(conn, data_keys).on_conflict_do_nothing(), rows)

    def new_key_row(self, org_id: str, key_id: int, purpose: str) -> dict:
        master_id, wrapped = self.master.wrap(new_key(), _wrap_aad(org_id, purpose, key_id))
        return {"org_id": org_id, "key_id": key_id, "purpose": purpose, "state": ACTIVE,
                "master_key_id": master_id, "wrapped": wrapped, "created_at": self.clock()}


def rotate_data_key(conn: Connection, keyring: Keyring, org_id: str) -> int:
    """Make a new active data key for the organization; the old one is retired but keeps decrypting."""
    keyring.cipher(conn, org_id)  # make sure the organization has keys at all
    c = data_keys.c
    new_id = conn.execute(select(func.max(c.key_id)).where(c.org_id == org_id)).scalar_one() + 1
    conn.execute(update(data_keys).where(c.org_id == org_id, c.purpose == DATA, c.state == ACTIVE)
                 .values(state=RETIRED))
    conn.execute(data_keys.insert().values(keyring.new_key_row(org_id, new_id, DATA)))
    return new_id


def rewrap_data_keys(conn: Connection, master: MasterKeys) -> int:
    """Re-wrap every data key not yet under the primary master key; returns how many changed."""
    c = data_keys.c
    stale = conn.execute(select(c.org_id, c.key_id, c.purpose, c.master_key_id, c.wrapped)
                         .where(c.master_key_id != master.primary_id)).all()
    for org_id, key_id, purpose, master_id, wrapped in stale:
        aad = _wrap_aad(org_id, purpose, key_id)
        key = master.unwrap(master_id, wrapped, aad, f"data key {key_id} of organization {org_id}")
        new_master, new_wrapped = master.wrap(key, aad)
        conn.execute(update(data_keys).where(c.org_id == org_id, c.key_id == key_id)
                     .values(master_key_id=new_master, wrapped=new_wrapped))
    return len(stale)


def master_key_ids_in_use(conn: Connection) -> set[str]:
    """Which master keys still wrap some data key (the others may be dropped)."""
    return set(conn.execute(select(data_keys.c.master_key_id).distinct()).scalars())


def delete_data_key(conn: Connection, org_id: str, key_id: int) -> None:
    """Forget one retired data key (after its rows were re-encrypted)."""
    c = data_keys.c
    conn.execute(delete(data_keys).where(c.org_id == org_id, c.key_id == key_id, c.state == RETIRED))


def shred_organization(conn: Connection, org_id: str) -> int:
    """Crypto-shred: delete all of the organization's keys, so its encrypted values can never be read again.

    Backups taken earlier still hold the wrapped keys; shredding those too means rotating the master key and
    discarding the old one (``adometrics keys rotate``).
    """
    return conn.execute(delete(data_keys).where(data_keys.c.org_id == org_id)).rowcount
