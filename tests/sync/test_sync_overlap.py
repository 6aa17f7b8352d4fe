"""The sync's threads do not wait for the database: while one chunk of PRs is written with its details, the
next chunk's details are already being fetched, and while one page of a listing is written, the next page
(the wall-time goal of docs/benchmarks.md "Sync")."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sync_support import client, connect

from adometrics import domain as d
from adometrics.sync import SyncOptions, default_collectors, streams_prs, sync_connection
from adometrics.sync.run import Run


class Noting:
    """The real collectors, noting whose threads were asked for."""

    def __init__(self) -> None:
        self.real = default_collectors()
        self.requested: set[int] = set()
        self.changed = threading.Condition()

    def __getattr__(self, name: str):
        return getattr(self.real, name)

    def collect_pr_threads(self, client, org_id, project_id, repo_id, pr_id, *rest):
        with self.changed:
            self.requested.add(pr_id)
            self.changed.notify_all()
        return self.real.collect_pr_threads(client, org_id, project_id, repo_id, pr_id, *rest)


def test_the_next_chunk_of_details_is_fetched_while_one_is_written(sqlite_db, keyring, tiny, monkeypatch):
    monkeypatch.setattr(streams_prs, "CHUNK", 3)
    collectors, written, overlapped = Noting(), set(), []
    commit = Run.commit

    def watched(self, records, checkpoint=None, *, before=None):
        prs = {r.id for r in records if isinstance(r, d.PullRequest)}
        if prs and checkpoint is None:  # not the page's last chunk: the next one should be on its way
            with collectors.changed:
                overlapped.append(collectors.changed.wait_for(
                    lambda: collectors.requested - written - prs, timeout=5))
        written.update(prs)
        commit(self, records, checkpoint, before=before)

    monkeypatch.setattr(Run, "commit", watched)
    org = connect(sqlite_db, keyring, tiny).org
    report = sync_connection(sqlite_db, keyring, client, org.id, options=SyncOptions(), collectors=collectors)
    assert report.completed and report.skipped == []
    assert len(overlapped) >= 5 and all(overlapped)
    assert written == collectors.requested == {s.id for s in tiny.sim.world.pull_request_index()}


def _bare_run() -> Run:
    return Run(None, None, None, "org", run_id="run", started=datetime.now(UTC), checkpoints=None,
               report=None, options=SyncOptions(concurrency=2))


def test_the_next_page_of_a_listing_is_fetched_while_one_is_written():
    fetched, changed = [], threading.Condition()

    def pages():
        for n in range(4):
            with changed:
                fetched.append(n)
                changed.notify_all()
            yield n

    run, overlapped = _bare_run(), []
    try:
        for page in run.read_ahead(pages()):  # while page n is "written", page n + 1 is on its way
            if page < 3:
                with changed:
                    overlapped.append(changed.wait_for(lambda p=page: len(fetched) > p + 1, timeout=5))
    finally:
        run.close()
    assert overlapped == [True] * 3 and fetched == [0, 1, 2, 3]


def test_a_failing_page_fails_the_listing_after_the_pages_before_it():
    def pages():
        yield "first"
        raise RuntimeError("page 2 refused")

    run, seen = _bare_run(), []
    try:
        with pytest.raises(RuntimeError, match="page 2 refused"):
            for page in run.read_ahead(pages()):
                seen.append(page)
    finally:
        run.close()
    assert seen == ["first"]
