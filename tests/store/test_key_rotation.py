"""Rotation without downtime: old data stays readable, new writes use the new keys, old keys can go."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from store_samples import every_record, organization, pull_request

from adometrics import domain as d
from adometrics.errors import ConfigurationError
from adometrics.store.crypto import CryptoError, blob_key_id, new_key
from adometrics.store.keyring import Keyring, rotate_data_key
from adometrics.store.keys import MasterKeys, fingerprint, load_master_keys, read_key_file
from adometrics.store.read import load
from adometrics.store.rotation import drop_retired_keys, prune_master_keys, reencrypt, rotate
from adometrics.store.schema import data_keys, pull_requests
from adometrics.store.upsert import upsert


def _title_key_ids(conn) -> list[int]:
    return [blob_key_id(b) for b in conn.execute(select(pull_requests.c.title_enc)).scalars()]


def test_master_key_rotation_with_key_file(db, tmp_path):
    keyring = Keyring(load_master_keys(env_value=None, data_dir=tmp_path))
    old_id = keyring.master.primary_id
    with db.begin() as conn:
        upsert(conn, keyring, every_record("org-1") + every_record("org-2"))
    with db.begin() as conn:
        report = rotate(conn, keyring)
    assert report.rewrapped == 4 and report.master_key_id != old_id
    assert read_key_file(tmp_path / "master.key").ids == (report.master_key_id, old_id)
    with db.connect() as conn:
        assert set(conn.execute(select(data_keys.c.master_key_id)).scalars()) == {report.master_key_id}
    assert prune_master_keys(db, keyring) == (old_id,)
    fresh = Keyring(load_master_keys(env_value=None, data_dir=tmp_path))  # what a restarted process sees
    assert fresh.master.ids == (report.master_key_id,)
    with db.connect() as conn:
        assert load(conn, fresh, d.PullRequest, "org-2")[0].title == "zqx-title1-org-2"


def test_rolled_back_master_rotation_loses_nothing(db, tmp_path):
    keyring = Keyring(load_master_keys(env_value=None, data_dir=tmp_path))
    with db.begin() as conn:
        upsert(conn, keyring, every_record())
    with db.connect() as conn:
        rotate(conn, keyring)
        conn.rollback()
    assert prune_master_keys(db, keyring) == ()  # the old key still wraps the committed data keys
    fresh = Keyring(load_master_keys(env_value=None, data_dir=tmp_path))
    with db.connect() as conn:
        assert len(load(conn, fresh, d.PullRequest, "org-1")) == 1


def test_master_key_rotation_with_environment_keys(db):
    old, new = new_key(), new_key()
    with db.begin() as conn:
        upsert(conn, Keyring(MasterKeys((old,))), every_record())
    with db.begin() as conn, pytest.raises(ConfigurationError, match="put a new key first"):
        rotate(conn, Keyring(MasterKeys((old,))))
    keyring = Keyring(MasterKeys((new, old)))  # the operator put the new key first
    with db.begin() as conn:
        assert rotate(conn, keyring).rewrapped == 2
    with db.connect() as conn:
        assert len(load(conn, Keyring(MasterKeys((new,))), d.PullRequest, "org-1")) == 1
        with pytest.raises(CryptoError, match=f"wrapped by master key {fingerprint(new)}"):
            load(conn, Keyring(MasterKeys((old,))), d.PullRequest, "org-1")


def test_data_key_rotation_and_online_reencryption(db, keyring):
    prs = [pull_request(pr_id=i) for i in range(1, 8)]
    with db.begin() as conn:
        upsert(conn, keyring, [*every_record(), *prs])
    with db.begin() as conn:
        assert rotate_data_key(conn, keyring, "org-1") == 3
    with db.begin() as conn:
        upsert(conn, keyring, [replace(prs[0], title="written after rotation")])
    with db.connect() as conn:
        assert sorted(_title_key_ids(conn)) == [2] * 6 + [3]  # old rows keep key 2, the new write uses 3
        assert {p.id for p in load(conn, keyring, d.PullRequest, "org-1")} == set(range(1, 8))
        assert drop_retired_keys(conn, "org-1") == []  # key 2 is still in use
    with db.connect() as conn:
        steps = []
        for changed in reencrypt(conn, keyring, "org-1", batch_size=2):
            steps.append(changed)
            conn.commit()  # the caller commits between batches: other writers are never blocked for long
        assert sum(steps) > 6 and max(steps) <= 2
        assert set(_title_key_ids(conn)) == {3}
        assert drop_retired_keys(conn, "org-1") == [2]
        conn.commit()
    with db.connect() as conn:
        fresh = Keyring(keyring.master)  # a cold cache reads only what the database holds
        assert load(conn, fresh, d.PullRequest, "org-1")[0].title == "written after rotation"
        (artifact,) = load(conn, fresh, d.Release, "org-1")[0].artifacts  # nested rows were re-encrypted too
        assert artifact.branch == "zqx-refs/heads/artifact-org-1"
        assert sum(reencrypt(conn, keyring, "org-1")) == 0  # nothing left to do


def test_rotate_with_new_data_keys(db, tmp_path):
    keyring = Keyring(load_master_keys(env_value=None, data_dir=tmp_path))
    with db.begin() as conn:
        upsert(conn, keyring, every_record("org-1") + every_record("org-2"))
        report = rotate(conn, keyring, new_data_keys=True)
    assert report.new_data_keys == {"org-1": 3, "org-2": 3}
    with db.begin() as conn:
        upsert(conn, keyring, [organization("org-1"), pull_request("org-1", 99)])
        assert 3 in _title_key_ids(conn) and 2 in _title_key_ids(conn)


class _SyncInTheMiddle(Keyring):
    """A keyring that lets a sync rewrite a row between re-encryption's read and its write."""

    def __init__(self, master, engine, record):
        super().__init__(master)
        self.engine, self.record, self.fired = engine, record, False

    def cipher(self, conn, org_id, *, create=True):
        if not self.fired and not create:  # reencrypt asks for the cipher after reading its batch
            self.fired = True
            with self.engine.begin() as other:
                upsert(other, Keyring(self.master), [self.record])
        return super().cipher(conn, org_id, create=create)


def test_reencryption_never_overwrites_a_concurrent_sync(db, keyring):
    pr = pull_request(pr_id=1)
    with db.begin() as conn:
        upsert(conn, keyring, [organization(), pr])
        rotate_data_key(conn, keyring, "org-1")
    newer = replace(pr, title="renamed while re-encrypting")
    racing = _SyncInTheMiddle(keyring.master, db, newer)
    with db.connect() as conn:
        try:
            for _ in reencrypt(conn, racing, "org-1"):
                conn.commit()
        except Exception:  # SQLite refuses the stale write outright; PostgreSQL skips the changed row
            conn.rollback()
    assert racing.fired
    with db.connect() as conn:
        assert load(conn, keyring, d.PullRequest, "org-1") == [newer]
