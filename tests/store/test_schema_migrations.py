"""Migrations build exactly schema.py, on SQLite and PostgreSQL; engine settings; schema hygiene."""

from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from adometrics.errors import ConfigurationError
from adometrics.store.engine import DB_FILE, make_engine
from adometrics.store.migrate import HEAD, MIGRATIONS, alembic_config, at_head, current_revision, upgrade
from adometrics.store.schema import metadata

# Columns that would hold source code, its text or raw payloads (ARCHITECTURE §1.1) must not exist.
FORBIDDEN = re.compile(r"content|diff|patch|log|body|message|payload|comment_text|description|raw|json|blob")


def test_migrated_schema_equals_schema_py(db):
    with db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == []
        head = ScriptDirectory.from_config(alembic_config(conn)).get_current_head()
        assert current_revision(conn) == head == HEAD  # HEAD lets a current database skip Alembic
        assert set(inspect(conn).get_table_names()) == set(metadata.tables) | {"alembic_version"}
    assert at_head(db)


def test_a_new_database_is_not_at_head(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert not at_head(engine)
    upgrade(engine)
    assert at_head(engine)
    engine.dispose()


def test_the_comparison_can_see_a_difference(engine):
    """The equality test above would catch a migration that misses something."""
    with engine.begin() as conn:
        upgrade(conn)
        conn.exec_driver_sql("DROP INDEX ix_pull_requests_org_id_last_merge_commit")
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d[0] for d in diff] == ["add_index"]


def test_upgrade_is_idempotent_and_downgrade_removes_everything(engine):
    upgrade(engine)
    upgrade(engine)
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}


def test_upgrade_runs_in_the_callers_transaction(engine):
    with engine.connect() as conn:
        upgrade(conn)
        conn.rollback()
    with engine.connect() as conn:
        assert "pull_requests" not in inspect(conn).get_table_names()


def test_migration_scripts_ship_inside_the_package():
    assert (MIGRATIONS / "env.py").is_file() and (MIGRATIONS / "script.py.mako").is_file()
    assert list((MIGRATIONS / "versions").glob("0001_*.py"))


def test_no_column_for_content_or_payloads():
    offenders = [f"{t.name}.{c.name}" for t in metadata.tables.values() for c in t.columns
                 if FORBIDDEN.search(c.name)]
    assert offenders == []


def test_sqlite_settings(tmp_path):
    engine = make_engine(data_dir=tmp_path / "data")
    with engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") >= 5000
    assert (tmp_path / "data" / DB_FILE).exists()
    engine.dispose()


def test_sqlite_transactions_isolate_reads(tmp_path):
    """Our explicit BEGIN gives each transaction one snapshot, even before its first write."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with engine.connect() as reader, engine.connect() as writer:
        reader.begin()
        assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
        with writer.begin():
            writer.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
        reader.rollback()
        assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
    engine.dispose()


def test_foreign_keys_are_enforced(db):
    from sqlalchemy.exc import IntegrityError

    from adometrics.store.schema import projects

    with db.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(projects.insert().values(org_id="nowhere", id="p", name="p", row_digest=b"x"))


@pytest.mark.parametrize("url", ["mysql://localhost/x", "oracle://x"])
def test_unsupported_databases_are_refused(url):
    with pytest.raises(ConfigurationError, match="unsupported database"):
        make_engine(url)


def test_a_database_is_required():
    with pytest.raises(ConfigurationError, match="no database"):
        make_engine()
