"""Upserts: every record type round-trips, re-runs are no-ops, user settings survive syncs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import func, select
from store_samples import every_record, organization, pull_request

from adometrics import domain as d
from adometrics.store.mapping import SPECS
from adometrics.store.read import count_entities, load
from adometrics.store.schema import build_definitions, pull_requests
from adometrics.store.upsert import set_deployment_pipeline, upsert


def _by_type(records) -> dict[type, list]:
    grouped: dict[type, list] = {}
    for r in records:
        grouped.setdefault(type(r), []).append(r)
    return grouped


def test_every_record_type_round_trips(db, keyring):
    records = every_record("org-1")
    assert {type(r) for r in records} == {spec.record for spec in SPECS}  # the sample covers every type
    with db.begin() as conn:
        upsert(conn, keyring, records)
    with db.connect() as conn:
        for record_type, expected in _by_type(records).items():
            loaded = load(conn, keyring, record_type, "org-1")
            key = lambda r: repr(r)  # noqa: E731 - order-insensitive comparison
            assert sorted(loaded, key=key) == sorted(expected, key=key), record_type.__name__


def test_loaded_values_have_their_types(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, every_record())
    with db.connect() as conn:
        (event,) = load(conn, keyring, d.ReviewEvent, "org-1", order_by=[], limit=1)
        (commit,) = load(conn, keyring, d.Commit, "org-1", limit=1)
        (org,) = load(conn, keyring, d.Organization, "org-1")
    assert isinstance(event.kind, d.ReviewEventKind) and event.at.tzinfo is not None
    assert commit.parents == ("a" * 40, "b" * 40)
    assert org.kind is d.ConnectionKind.CLOUD


def test_rerun_changes_nothing_and_unchanged_rows_are_not_rewritten(db, keyring):
    records = every_record()
    with db.begin() as conn:
        upsert(conn, keyring, records)
    with db.connect() as conn:
        before = conn.execute(select(pull_requests.c.title_enc, pull_requests.c.row_digest)).all()
        counts = count_entities(conn, "org-1")
    with db.begin() as conn:
        upsert(conn, keyring, records)
    with db.connect() as conn:
        # A rewrite would re-encrypt with a fresh nonce: identical blobs prove the row was left alone.
        assert conn.execute(select(pull_requests.c.title_enc, pull_requests.c.row_digest)).all() == before
        assert count_entities(conn, "org-1") == counts


def test_changed_row_is_rewritten(db, keyring):
    pr = pull_request(closed_at=None, status="active")
    with db.begin() as conn:
        upsert(conn, keyring, [organization(), pr])
    changed = replace(pr, title="renamed", status="completed", closed_at=pr.created_at)
    with db.begin() as conn:
        upsert(conn, keyring, [changed])
    with db.connect() as conn:
        assert load(conn, keyring, d.PullRequest, "org-1") == [changed]


def test_duplicates_in_one_call_last_one_wins(db, keyring):
    first, second = pull_request(title="first"), pull_request(title="second")
    with db.begin() as conn:
        counts = upsert(conn, keyring, [organization(), first, second])
    with db.connect() as conn:
        assert [p.title for p in load(conn, keyring, d.PullRequest, "org-1")] == ["second"]
    assert counts["pull_requests"] == 2


def test_small_batches(db, keyring):
    prs = [pull_request(pr_id=i) for i in range(1, 12)]
    with db.begin() as conn:
        upsert(conn, keyring, [organization(), *prs], batch_size=3)
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(pull_requests)).scalar_one() == 11


def test_deployment_pipeline_setting_survives_sync(db, keyring):
    definition = d.BuildDefinition(org_id="org-1", project_id="proj-1", id=11, name="deploy")
    with db.begin() as conn:
        upsert(conn, keyring, [organization(), definition])
        assert set_deployment_pipeline(conn, "org-1", "proj-1", 11, enabled=True, environment="prod-eu")
        assert not set_deployment_pipeline(conn, "org-1", "proj-1", 999, enabled=True)
    with db.begin() as conn:
        upsert(conn, keyring, [replace(definition, name="deploy-renamed")])  # a sync knows nothing of it
    with db.connect() as conn:
        (loaded,) = load(conn, keyring, d.BuildDefinition, "org-1")
        assert (loaded.name, loaded.is_deployment_pipeline, loaded.deployment_environment) == (
            "deploy-renamed", True, "prod-eu")
        assert conn.execute(select(build_definitions.c.is_deployment_pipeline)).scalar_one() is True


def test_nested_records_are_kept_when_they_disappear(db, keyring):
    (release,) = [r for r in every_record() if isinstance(r, d.Release)]
    with db.begin() as conn:
        upsert(conn, keyring, [organization(), release])
        upsert(conn, keyring, [replace(release, artifacts=())])
    with db.connect() as conn:
        assert load(conn, keyring, d.Release, "org-1") == [release]


def test_counts_by_entity(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, every_record("org-1") + every_record("org-2"))
    with db.connect() as conn:
        one = count_entities(conn, "org-1")
        both = count_entities(conn)
    assert one["pull_requests"] == 1 and one["commits"] == 2 and one["team_members"] == 2
    assert one["deployments"] == 2  # one classic + one YAML environment deployment
    assert one["release_artifacts"] == 1 and one["release_definition_environments"] == 2
    assert both["commits"] == 4


def test_organizations_are_isolated(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, every_record("org-1") + every_record("org-2"))
    with db.connect() as conn:
        titles = {p.title for p in load(conn, keyring, d.PullRequest, "org-2")}
    assert titles == {"zqx-title1-org-2"}


def test_naive_datetimes_are_refused(db, keyring):
    pr = replace(pull_request(), created_at=datetime(2026, 1, 5, 9, 30))
    with db.begin() as conn, pytest.raises(ValueError, match="naive datetime"):
        upsert(conn, keyring, [organization(), pr])


def test_unknown_record_type_is_refused(db, keyring):
    with db.begin() as conn, pytest.raises(TypeError, match="not a stored record type"):
        upsert(conn, keyring, [d.ReleaseEnvironmentDef(id=1, name="x")])
