"""Report tests run on SQLite always, and on PostgreSQL too when ADOMETRICS_TEST_DATABASE_URL is set
(`export ADOMETRICS_TEST_DATABASE_URL=$(.ci/start-postgres.sh)`); each PostgreSQL database is a schema."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from world_store import load_world

from adometrics.fake_ado.scenario import build_world
from adometrics.store.crypto import new_key
from adometrics.store.engine import make_engine
from adometrics.store.keyring import Keyring
from adometrics.store.keys import MasterKeys
from adometrics.store.migrate import upgrade

PG_URL = os.environ.get("ADOMETRICS_TEST_DATABASE_URL")


@contextmanager
def database(kind: str, directory):
    """A migrated, empty database of ``kind``; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{directory / f'{uuid.uuid4().hex}.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set ADOMETRICS_TEST_DATABASE_URL (e.g. from .ci/start-postgres.sh)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def keyring() -> Keyring:
    return Keyring(MasterKeys((new_key(),)))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """A migrated, empty database of each kind."""
    with database(request.param, tmp_path) as engine:
        yield engine


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def small_store(request, tmp_path_factory):
    """The `small` organization loaded into a database of each kind: (engine, keyring, world)."""
    world = build_world("small")
    keyring = Keyring(MasterKeys((new_key(),)))
    with database(request.param, tmp_path_factory.mktemp("small")) as engine:
        load_world(engine, keyring, world)
        yield engine, keyring, world
