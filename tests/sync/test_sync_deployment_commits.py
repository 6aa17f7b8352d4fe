"""The commits each successful deployment shipped: one comparison per deployment with the previous one of
the same repository and environment; rollbacks are detected without a second query; late arrivals redo
the comparisons they change."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

from adometrics import domain as d
from adometrics.store import load, upsert
from adometrics.sync.checkpoints import Checkpoints
from adometrics.sync.deployments import compare_deployments
from adometrics.sync.report import SyncReport
from adometrics.sync.run import Run, SyncOptions

ORG, PROJECT, REPO = "org-1", "proj-1", "repo-1"
T0 = datetime(2026, 1, 5, tzinfo=UTC)
PARENTS = {"a" * 40: [], "b" * 40: ["a" * 40], "c" * 40: ["b" * 40], "e" * 40: ["a" * 40]}


def reachable(sha: str) -> set[str]:
    seen, todo = set(), [sha]
    while todo:
        s = todo.pop()
        if s not in seen:
            seen.add(s)
            todo.extend(PARENTS[s])
    return seen


class Graph:
    """compare_commits over a small commit graph, counting calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def compare_commits(self, client, org_id, project_id, repo_id, new_sha, base_sha, resume=None):
        self.calls.append((new_sha, base_sha))
        shas = reachable(new_sha) - (reachable(base_sha) if base_sha else set())
        return [d.Commit(org_id=org_id, repo_id=repo_id, sha=s) for s in sorted(shas)]


def _records(n: int, sha: str, *, hours: int, result: str = "succeeded") -> list:
    build = d.Build(org_id=ORG, project_id=PROJECT, id=n, definition_id=1, repo_id=REPO, source_version=sha,
                    status="completed", result="succeeded", finished_at=T0 + timedelta(hours=hours))
    return [build, _record(100 + n, n, result, T0 + timedelta(hours=hours, minutes=5))]


def _record(record_id: int, build_id: int, result: str, finished: datetime) -> d.EnvironmentDeployment:
    return d.EnvironmentDeployment(org_id=ORG, project_id=PROJECT, id=record_id, environment_id=7,
                                   build_id=build_id, result=result, finished_at=finished)


def _compare(engine, keyring, graph: Graph, kind: type[Run] = Run) -> None:
    with engine.begin() as conn:
        checkpoints = Checkpoints(conn, ORG)
    run = kind(engine, keyring, None, ORG, run_id=uuid.uuid4().hex, started=T0 + timedelta(days=9),
               checkpoints=checkpoints, report=SyncReport(ORG, "org"), options=SyncOptions(concurrency=2),
               collectors=graph)
    try:
        compare_deployments(run, chunk=2)
    finally:
        run.close()


def _shipped(conn, keyring) -> dict[int, tuple]:
    commits: dict[int, set] = {}
    for c in load(conn, keyring, d.DeploymentCommit, ORG):
        commits.setdefault(c.deployment_id, set()).add(c.sha[0])
    return {c.deployment_id: (c.base_sha and c.base_sha[0], c.commit_count, c.is_ancestor_of_base,
                              "".join(sorted(commits.get(c.deployment_id, ()))))
            for c in load(conn, keyring, d.DeploymentComparison, ORG)}


def test_deployments_are_compared_once_with_their_predecessor(sqlite_db, keyring):
    graph = Graph()
    with sqlite_db.begin() as conn:
        upsert(conn, keyring, [d.Organization(id=ORG, name="org", url="https://dev.azure.com/org"),
                               d.Environment(org_id=ORG, project_id=PROJECT, id=7, name="Production"),
                               *_records(1, "a" * 40, hours=1), *_records(2, "b" * 40, hours=2),
                               *_records(3, "c" * 40, hours=3, result="failed"),
                               *_records(4, "a" * 40, hours=4)])
    _compare(sqlite_db, keyring, graph)
    with sqlite_db.connect() as conn:
        assert _shipped(conn, keyring) == {
            101: (None, 1, None, "a"),    # the first deployment ships everything reachable
            102: ("a", 1, False, "b"),
            104: ("b", 0, True, ""),      # back to an ancestor: a rollback, found from the empty comparison
        }
    assert len(graph.calls) == 3
    _compare(sqlite_db, keyring, graph)
    assert len(graph.calls) == 3  # nothing new: no call

    with sqlite_db.begin() as conn:  # a deployment of e (child of a) that finished between 1 and 2 arrives
        build, _ = _records(5, "e" * 40, hours=1)
        upsert(conn, keyring, [build, _record(105, 5, "succeeded", T0 + timedelta(hours=1, minutes=30))])
    _compare(sqlite_db, keyring, graph)
    with sqlite_db.connect() as conn:
        shipped = _shipped(conn, keyring)
    assert shipped[105] == ("a", 1, False, "e")
    assert shipped[102] == ("e", 1, False, "b")  # redone against its new predecessor; stale rows replaced
    assert graph.calls[3:] == [("e" * 40, "a" * 40), ("b" * 40, "e" * 40)]


def test_the_next_chunk_is_compared_while_one_is_written(sqlite_db, keyring):
    graph, overlapped = Graph(), []
    called = threading.Condition()
    compare_commits = graph.compare_commits

    def watched(*args, **kwargs):
        with called:
            found = compare_commits(*args, **kwargs)
            called.notify_all()
        return found

    graph.compare_commits = watched

    class Writing(Run):
        """Each write waits (up to 5 s) for a comparison of a later chunk to begin."""

        written = 0

        def commit(self, records, checkpoint=None, *, before=None):
            Writing.written += sum(isinstance(r, d.DeploymentComparison) for r in records)
            if 0 < Writing.written < 6:
                with called:
                    overlapped.append(called.wait_for(lambda: len(graph.calls) > Writing.written, timeout=5))
            super().commit(records, checkpoint, before=before)

    shas = ["a", "b", "c", "e", "a", "b"]  # each differs from the one before: six comparisons
    with sqlite_db.begin() as conn:
        upsert(conn, keyring, [d.Organization(id=ORG, name="org", url="https://dev.azure.com/org"),
                               d.Environment(org_id=ORG, project_id=PROJECT, id=7, name="Production"),
                               *(r for n, sha in enumerate(shas, 1) for r in _records(n, sha * 40, hours=n))])
    _compare(sqlite_db, keyring, graph, Writing)
    assert len(graph.calls) == 6 and overlapped == [True, True]  # chunks of 2: two writes had a successor
