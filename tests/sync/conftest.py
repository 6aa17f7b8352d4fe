"""Sync tests run on SQLite always, and on PostgreSQL too when ADOMETRICS_TEST_DATABASE_URL is set; the
simulator serves over real loopback HTTP."""

from __future__ import annotations

import os
import uuid

import pytest
import stamina
from sqlalchemy import create_engine

from adometrics.fake_ado.server import running
from adometrics.store.crypto import new_key
from adometrics.store.engine import make_engine
from adometrics.store.keyring import Keyring
from adometrics.store.keys import MasterKeys
from adometrics.store.migrate import upgrade

PG_URL = os.environ.get("ADOMETRICS_TEST_DATABASE_URL")


def _engine(kind: str, tmp_path):
    if kind == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'adometrics.db'}", sqlite_begin="immediate"), None
    if not PG_URL:
        pytest.skip("PostgreSQL: set ADOMETRICS_TEST_DATABASE_URL (e.g. from .ci/start-postgres.sh)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    return make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"}), (admin, schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """A migrated, empty database of each kind."""
    engine, pg = _engine(request.param, tmp_path)
    upgrade(engine)
    yield engine
    engine.dispose()
    if pg:
        admin, schema = pg
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def sqlite_db(tmp_path):
    engine, _ = _engine("sqlite", tmp_path)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def keyring() -> Keyring:
    return Keyring(MasterKeys((new_key(),)))


@pytest.fixture
def tiny():
    with running(scenario="tiny") as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fast_retries():
    """Retries keep their logic but lose their backoff sleeps (Retry-After waits are the limiter's)."""
    with stamina.set_testing(True, attempts=8):
        yield
