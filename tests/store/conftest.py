"""Store tests run on SQLite always, and on PostgreSQL when ADOMETRICS_TEST_DATABASE_URL is set
(`export ADOMETRICS_TEST_DATABASE_URL=$(.ci/start-postgres.sh)`); each PostgreSQL test gets its own schema."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine

from adometrics.store.crypto import new_key
from adometrics.store.engine import make_engine
from adometrics.store.keyring import Keyring
from adometrics.store.keys import MasterKeys
from adometrics.store.migrate import upgrade

PG_URL = os.environ.get("ADOMETRICS_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'adometrics.db'}")
        yield eng
        eng.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set ADOMETRICS_TEST_DATABASE_URL (e.g. from .ci/start-postgres.sh)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    eng = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def db(engine):
    """A migrated database."""
    upgrade(engine)
    return engine


@pytest.fixture
def master() -> MasterKeys:
    return MasterKeys((new_key(),))


@pytest.fixture
def keyring(master) -> Keyring:
    return Keyring(master)
