"""Checkpoints: each page commits with where to resume; a stream is done only with its last page; cursors
come from the data and never pass the run's start."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from adometrics import domain as d
from adometrics.store import load, upsert
from adometrics.sync.checkpoints import Checkpoints
from adometrics.sync.report import SyncReport
from adometrics.sync.run import Run, SyncOptions, TimeCursor

ORG = "org-1"
START = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Batch:
    records: list
    resume: dict | None
    skipped: list = field(default_factory=list)


def _run(engine, keyring, run_id: str) -> Run:
    with engine.connect() as conn:
        checkpoints = Checkpoints(conn, ORG)
    return Run(engine, keyring, None, ORG, run_id=run_id, started=START, checkpoints=checkpoints,
               report=SyncReport(ORG, "org"), options=SyncOptions(concurrency=1))


def _builds(*hours: int) -> list:
    return [d.Build(org_id=ORG, project_id="p", id=h, definition_id=1, finished_at=START + timedelta(hours=h))
            for h in hours]


def _crashing_source():
    yield Batch(_builds(-30), {"continuationToken": "a"})
    yield Batch(_builds(-20), {"continuationToken": "b"})
    raise RuntimeError("killed")


@pytest.fixture
def org(sqlite_db, keyring):
    with sqlite_db.begin() as conn:
        upsert(conn, keyring, [d.Organization(id=ORG, name="org", url="https://dev.azure.com/org")])
    return sqlite_db


def test_a_crash_resumes_after_the_last_committed_page(org, keyring):
    run = _run(org, keyring, "run-1")
    with pytest.raises(RuntimeError):
        run.pages("builds", "p", _crashing_source(), cursor=TimeCursor("finished_at"))
    with org.connect() as conn:
        assert [b.id for b in load(conn, keyring, d.Build, ORG)] == [-30, -20]
    again = _run(org, keyring, "run-1")  # the same run, resumed by a new process
    assert again.resume("builds", "p") == {"continuationToken": "b"} and not again.done("builds", "p")
    assert again.checkpoints.cursor("builds", "p") == (START - timedelta(hours=20)).isoformat()
    assert _run(org, keyring, "run-2").resume("builds", "p") is None  # another run starts afresh

    again.pages("builds", "p", iter([Batch(_builds(-10, 5), None)]), cursor=TimeCursor("finished_at"))
    later = _run(org, keyring, "run-1")
    assert later.done("builds", "p") and later.resume("builds", "p") is None
    assert later.checkpoints.cursor("builds", "p") == START.isoformat()  # the build dated later is capped


def test_an_empty_stream_is_done_and_keeps_its_cursor(org, keyring):
    run = _run(org, keyring, "run-1")
    run.pages("builds", "p", iter([Batch(_builds(-5), None)]), cursor=TimeCursor("finished_at"))
    run = _run(org, keyring, "run-2")
    run.pages("builds", "p", iter([]), cursor=TimeCursor("finished_at"))
    after = _run(org, keyring, "run-2")
    assert after.done("builds", "p")
    assert after.checkpoints.cursor("builds", "p") == (START - timedelta(hours=5)).isoformat()
