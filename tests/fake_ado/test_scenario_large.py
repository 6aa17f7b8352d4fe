"""The large (benchmark) scenario: sizes counted from its indexes, bounded memory, quick detail access."""

from __future__ import annotations

import time
from datetime import timedelta

import psutil
import pytest

from adometrics.fake_ado.scenario import build_world, views

MB = 1024 * 1024


@pytest.fixture(scope="module")
def large():
    process = psutil.Process()
    before = process.memory_info().rss
    world = build_world("large")
    world.built_rss = process.memory_info().rss - before  # type: ignore[attr-defined]
    world.rss_before = before  # type: ignore[attr-defined]
    return world


def grown_since_built(world) -> int:
    """The process's RSS above what it was before the scenario was built: what the scenario costs, whatever
    other tests of the same process left behind."""
    return psutil.Process().memory_info().rss - world.rss_before


def test_large_counts_from_indexes(large):
    stats = large.stats()
    assert stats["repositories"] >= 200
    assert stats["pull_requests"] >= 100_000
    assert stats["commits"] >= 1_000_000
    assert stats["builds"] >= 100_000
    assert stats["deployments"] + stats["deployment_records"] >= 20_000
    assert len(large.pull_request_index()) == stats["pull_requests"]
    assert sum(len(large.builds(p.id)) for p in large.projects()) == stats["builds"]
    assert large.built_rss < 150 * MB


def test_large_first_page_and_details_are_quick(large):
    project = large.projects()[1]
    started = time.perf_counter()
    page = large.pull_request_index(project_id=project.id)[:100]
    prs = [large.pull_request(s.id) for s in page]
    elapsed = time.perf_counter() - started
    assert [p.id for p in prs] == sorted((p.id for p in prs), reverse=True)
    assert all(p.project_id == project.id for p in prs)
    assert elapsed < 3.0  # ~0.3 s on an idle machine; generous for loaded CI hosts


def test_large_paging_one_project_keeps_memory_flat(large):
    project = min(large.projects(), key=lambda p: len(large.pull_request_index(project_id=p.id)))
    index = large.pull_request_index(project_id=project.id)
    completed = 0
    for summary in index:
        pr = large.pull_request(summary.id)
        completed += views.pr_status(pr, large.now) == "completed"
    assert completed > 0.6 * len(index)
    assert grown_since_built(large) < 200 * MB  # ~75 MB paged, ~90 MB advanced


def test_large_git_detail_is_consistent(large):
    repo = large.repositories()[5]
    head = large.resolve_version(repo.id, "main", "branch")
    history = large.commits(repo.id, head)
    assert len(history) > 1000
    merged = next(
        large.pull_request(s.id)
        for s in large.pull_request_index(repository_id=repo.id)
        if views.last_merge_commit(large.pull_request(s.id), large.now)
    )
    assert merged.merge_commit in {c.sha for c in history}
    builds = large.builds(repo.project_id)
    assert builds[-1].queued <= large.now and builds[0].id < builds[-1].id


def test_large_advance_reveals_activity(large):
    before = large.stats()
    events = large.advance(timedelta(days=1))
    after = large.stats()
    created = [e for e in events if e.event_type == "git.pullrequest.created"]
    assert len(created) == after["pull_requests"] - before["pull_requests"] > 0
    assert sum(e.event_type == "git.push" for e in events) == after["pushes"] - before["pushes"]
    newest = large.pull_request(max(e.resource_id for e in created))
    assert newest is not None and newest.created <= large.now
    assert grown_since_built(large) < 200 * MB  # ~75 MB paged, ~90 MB advanced
