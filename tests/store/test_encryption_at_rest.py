"""Sensitive values are unreadable at rest: no plaintext in the SQLite file, its WAL or a dump; ciphertexts
are bound to their row; a wrong master key or shredded keys fail clearly."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, update
from store_samples import every_record, organization, pull_request, sensitive_values

from adometrics import domain as d
from adometrics.store.crypto import CryptoError, new_key
from adometrics.store.keyring import Keyring, shred_organization
from adometrics.store.keys import MasterKeys
from adometrics.store.mapping import CHILD_SPECS, SPECS
from adometrics.store.read import load
from adometrics.store.schema import pull_requests, users
from adometrics.store.upsert import upsert

SEALED_SPECS_COLUMNS = [(s.entity, x.field) for s in (*SPECS, *CHILD_SPECS) for x in s.sealed]


def _found(data: bytes, needles: set[str]) -> set[str]:
    return {n for n in needles if n.encode() in data}


@pytest.fixture
def sqlite_db(tmp_path):
    from adometrics.store.engine import make_engine
    from adometrics.store.migrate import upgrade

    path = tmp_path / "adometrics.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    yield engine, path
    engine.dispose()


def test_no_plaintext_in_sqlite_file_wal_or_dump(sqlite_db, keyring):
    engine, path = sqlite_db
    secrets = sensitive_values("org-1")
    assert len(secrets) == len(SEALED_SPECS_COLUMNS)  # a distinct canary in every encrypted column
    with engine.begin() as conn:
        upsert(conn, keyring, every_record("org-1"))
    # The pool keeps a connection open, so the last writes are still in the WAL (not checkpointed away).
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    file_bytes, wal_bytes = path.read_bytes(), wal.read_bytes()
    with sqlite3.connect(path) as raw:
        dump = "\n".join(raw.iterdump()).encode()
    assert b"Fabrikam Web" in file_bytes + wal_bytes and b"Fabrikam Web" in dump  # the scan can find text
    assert _found(file_bytes, secrets) == set()
    assert _found(wal_bytes, secrets) == set()
    assert _found(dump, secrets) == set()
    with sqlite3.connect(path) as raw:  # the dump of hex blobs does not hide plaintext either
        rows = raw.execute("SELECT title_enc FROM pull_requests").fetchall()
        hexdump = b"".join(bytes(v) for row in rows for v in row)
    assert _found(hexdump, secrets) == set()


@pytest.mark.parametrize("source, target", [
    (("title_enc", 1), ("title_enc", 2)),                   # the same column of another row
    (("source_branch_enc", 1), ("target_branch_enc", 1)),   # another column of the same row
])
def test_ciphertext_moved_to_another_row_or_column_fails(db, keyring, source, target):
    with db.begin() as conn:
        upsert(conn, keyring, [organization(), pull_request(pr_id=1), pull_request(pr_id=2)])
    c = pull_requests.c
    with db.begin() as conn:
        stolen = conn.execute(select(c[source[0]]).where(c.id == source[1])).scalar_one()
        conn.execute(update(pull_requests).where(c.id == target[1]).values({target[0]: stolen}))
    with db.connect() as conn:
        with pytest.raises(CryptoError, match=rf"pull_requests\.{target[0]}.*authentication failed"):
            load(conn, keyring, d.PullRequest, "org-1", c.id == target[1])
        if source[1] != target[1]:  # the row it was taken from still reads fine
            assert len(load(conn, keyring, d.PullRequest, "org-1", c.id == source[1])) == 1


def test_ciphertext_moved_to_another_organization_fails(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, every_record("org-1") + every_record("org-2"))
    c = users.c
    with db.begin() as conn:
        theirs = conn.execute(select(c.email_enc).where(c.org_id == "org-1")).scalar_one()
        conn.execute(update(users).where(c.org_id == "org-2").values(email_enc=theirs))
    with db.connect() as conn, pytest.raises(CryptoError):
        load(conn, keyring, d.User, "org-2")


def test_wrong_master_key_fails_clearly(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, every_record())
    stranger = Keyring(MasterKeys((new_key(),)))
    expected = f"wrapped by master key {keyring.master.primary_id}"
    with db.connect() as conn, pytest.raises(CryptoError, match=expected):
        load(conn, stranger, d.PullRequest, "org-1")


def test_crypto_shred_makes_an_organization_unreadable(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, every_record("org-1") + every_record("org-2"))
    with db.begin() as conn:
        assert shred_organization(conn, "org-1") == 2  # its blind-index key and its data key
    with db.connect() as conn:
        with pytest.raises(CryptoError, match="crypto-shredded"):
            load(conn, keyring, d.PullRequest, "org-1")
        assert [p.id for p in load(conn, keyring, d.Project, "org-1")] == ["proj-1"]  # plain metadata stays
        assert len(load(conn, keyring, d.PullRequest, "org-2")) == 1  # other organizations are untouched


def test_rolled_back_key_creation_is_not_used_from_cache(db, keyring):
    with db.connect() as conn:
        upsert(conn, keyring, [organization()])  # creates the organization's keys...
        conn.rollback()                            # ...which the rollback discards
    with db.begin() as conn:
        upsert(conn, keyring, [organization(), pull_request()])
    with db.connect() as conn:
        assert load(conn, Keyring(keyring.master), d.PullRequest, "org-1")[0].title == "zqx-title1-org-1"
