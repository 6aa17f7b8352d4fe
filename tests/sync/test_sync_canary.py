"""Acceptance: canary strings in PR titles, branch names, commit messages and e-mails never reach the
database file, its WAL, a dump or the logs in plaintext (ARCHITECTURE §1.2), though they are synced."""

from __future__ import annotations

import glob
import logging
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from sync_support import connect, sync

from adometrics import domain as d
from adometrics.store import load
from adometrics.store.crypto import new_key
from adometrics.store.engine import make_engine
from adometrics.store.keyring import Keyring
from adometrics.store.keys import MasterKeys, encode_key
from adometrics.store.migrate import upgrade

CANARY = "zqxcanary"


def _seed(world) -> None:
    """Put the canary into every kind of sensitive value the simulator serves."""
    for pr in world.pull_requests[:8]:
        pr.title = f"{CANARY} title {pr.id}"
        pr.source_ref = f"refs/heads/{CANARY}-topic-{pr.id}"
    for repo in world.repository_list:
        for ref in world.ref_lists.get(repo.id, [])[:40]:
            if ref.name != repo.default_branch:
                ref.name = f"refs/heads/{CANARY}-{ref.name.rsplit('/', 1)[-1]}"
        for commit in list(world.commit_maps.get(repo.id, {}).values())[:30]:
            commit.comment = f"{CANARY} secret message"
            commit.author.email = f"{CANARY}-author@example.com"
    for build in world.build_list[:10]:
        build.source_branch = f"refs/heads/{CANARY}-build-{build.id}"
    for release in world.release_list[:5]:
        for artifact in release.artifacts:
            artifact.source_branch = f"refs/heads/{CANARY}-release"
    for i, user in enumerate(world.user_list[:3]):
        user.identity.unique_name = f"{CANARY}-user{i}@example.com"


def _assert_synced(engine, keyring, org_id: str) -> None:
    """The canaries did arrive (so their absence from the bytes means encryption, not omission)."""
    with engine.connect() as conn:
        assert any(CANARY in p.title for p in load(conn, keyring, d.PullRequest, org_id))
        assert any(CANARY in r.name for r in load(conn, keyring, d.Ref, org_id))
        assert any(CANARY in (u.email or "") for u in load(conn, keyring, d.User, org_id))
        assert any(CANARY in (b.source_branch or "") for b in load(conn, keyring, d.Build, org_id))
        assert any(CANARY in (c.author_email or "") for c in load(conn, keyring, d.Commit, org_id))


def _dump(path) -> str:
    with sqlite3.connect(path) as conn:
        return "\n".join(conn.iterdump())


def test_canaries_stay_encrypted_in_file_wal_dump_and_logs(keyring, tiny, tmp_path, caplog):
    _seed(tiny.sim.world)
    caplog.set_level(logging.DEBUG, logger="adometrics")
    path = tmp_path / "adometrics.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    org = connect(engine, keyring, tiny).org
    report = sync(engine, keyring, org.id)
    assert report.completed
    _assert_synced(engine, keyring, org.id)
    wal = path.with_name(path.name + "-wal")
    assert wal.exists()  # read while the engine still holds it open
    for blob in (path.read_bytes(), wal.read_bytes()):
        assert CANARY.encode() not in blob
    engine.dispose()
    assert CANARY not in _dump(path)
    assert CANARY not in caplog.text and CANARY not in repr(report.to_json())


def test_canaries_stay_out_of_the_command_line_output(tiny, tmp_path):
    _seed(tiny.sim.world)
    key = new_key()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOMETRICS_")}
    env.update(ADOMETRICS_DATA_DIR=str(tmp_path), ADOMETRICS_ALLOWED_HOSTS="127.0.0.1",
               ADOMETRICS_MASTER_KEY=encode_key(key), AZURE_DEVOPS_EXT_PAT=tiny.pat)
    output = []
    for args in (["connect", "--org-url", tiny.organization_url], ["sync", "--json"], ["connections"]):
        done = subprocess.run([sys.executable, "-m", "adometrics.cli.main", *args], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        output.append(done.stdout + done.stderr)
    assert all(CANARY not in text for text in output)
    engine = make_engine(f"sqlite:///{tmp_path / 'adometrics.db'}")
    org_id = tiny.sim.world.organization_id
    _assert_synced(engine, Keyring(MasterKeys((key,))), org_id)
    engine.dispose()
    for file in tmp_path.iterdir():
        if file.is_file():
            assert CANARY.encode() not in file.read_bytes(), file.name
    assert CANARY not in _dump(tmp_path / "adometrics.db")


def _pg_dump(url, schema: str) -> bytes:
    """``pg_dump`` of one schema, with Debian's binaries when they are not on PATH."""
    binary = shutil.which("pg_dump") or max(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), default=None)
    if binary is None:
        pytest.fail("pg_dump is not installed (PostgreSQL's client binaries come with the server package)")
    args = [binary, "-h", url.host, "-p", str(url.port), "-U", url.username, "-n", schema, url.database]
    return subprocess.run(args, capture_output=True, check=True, timeout=60).stdout


def test_canaries_stay_encrypted_in_a_pg_dump(db, keyring, tiny):
    if db.dialect.name != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's")
    _seed(tiny.sim.world)
    org = connect(db, keyring, tiny).org
    assert sync(db, keyring, org.id).completed
    _assert_synced(db, keyring, org.id)
    with db.connect() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    dump = _pg_dump(db.url, schema)
    assert b"CREATE TABLE" in dump and b"pull_requests" in dump  # a real dump of the synced tables,
    assert tiny.sim.world.repositories()[0].name.encode() in dump  # with their rows (names are not secret)
    assert CANARY.encode() not in dump
