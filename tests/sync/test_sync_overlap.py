"""The sync's threads do not wait for the database: while one chunk of PRs is written with its details, the
next chunk's details are already being fetched (the wall-time goal of docs/benchmarks.md "Sync")."""

from __future__ import annotations

import threading

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

