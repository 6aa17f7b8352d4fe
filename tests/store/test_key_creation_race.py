"""Two writers creating an organization's keys at once end up with one set of keys, not two."""

from __future__ import annotations

import threading

from store_samples import organization

from adometrics.store.engine import make_engine
from adometrics.store.keyring import Keyring
from adometrics.store.upsert import upsert


def test_concurrent_first_writes_share_one_set_of_keys(db, master):
    engine = db
    if engine.dialect.name == "sqlite":  # writers sharing a SQLite file take the write lock up front
        engine = make_engine(str(db.url), sqlite_begin="immediate")
    first, second = Keyring(master), Keyring(master)
    ready, done, errors = threading.Event(), threading.Event(), []

    def late_writer() -> None:
        ready.wait(10)
        try:
            with engine.begin() as conn:  # blocks until the first writer commits
                upsert(conn, second, [organization()])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        done.set()

    thread = threading.Thread(target=late_writer)
    thread.start()
    with engine.begin() as conn:
        upsert(conn, first, [organization()])
        ready.set()
        assert not done.wait(0.5)  # the second writer waits for this transaction
    thread.join(30)
    assert errors == []
    with engine.connect() as conn:
        a, b = first.cipher(conn, "org-1", create=False), second.cipher(conn, "org-1", create=False)
        assert a.key_ids == b.key_ids == frozenset({2})
        assert a.blind("branch", "refs/heads/main") == b.blind("branch", "refs/heads/main")
    if engine is not db:
        engine.dispose()
