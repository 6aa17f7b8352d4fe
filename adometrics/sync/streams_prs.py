"""Pull requests of one repository, and their details only where something changed.

The PR list is cheap (up to 1,000 per page); details cost a call each. Details (threads and commits; for
active PRs also iterations, and statuses when status write-back needs them) are fetched only for PRs that
are new or whose list-level fingerprint (status, closed date, merge commits, reviewer votes) changed, in
parallel.

A list page is written in chunks, each PR with its reviewers and details in one transaction; only the last
chunk moves the checkpoint. The next chunk's details are fetched while one is written, so the threads do
not wait for the database. A crash re-lists the page, and the PRs already stored (fingerprint unchanged)
cost nothing again, so at most two chunks of details are fetched twice. A PR whose details could not all be
read is stored without its fingerprint, so the next run tries again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import select

from ..domain import PullRequest, Repository
from ..errors import SkippableError
from ..store.schema import pull_requests
from .checkpoints import parse_time
from .collect import records_of
from .report import Skip
from .run import Run, TimeCursor

STREAM = "pull_requests"
ACTIVE = "pull_requests.active"
DETAILS = "pr_details"
CHUNK = 64  # PRs per transaction


def stored_fingerprints(run: Run, repo_id: str) -> dict[int, str | None]:
    c = pull_requests.c
    rows = run.query(select(c.id, c.fingerprint).where(c.org_id == run.org_id, c.repo_id == repo_id))
    return {pr_id: fingerprint for pr_id, fingerprint in rows}


def needs_details(pr: PullRequest, stored: dict[int, str | None], full: bool) -> bool:
    if full or pr.id not in stored:
        return True
    return pr.fingerprint is None or stored[pr.id] != pr.fingerprint


def pull_requests_of(run: Run, repo: Repository) -> None:
    """A backfill lists every PR; later runs list the active ones (refreshed every run) and those closed
    since the cursor (the latest close seen, minus an overlap)."""
    cursor = None if run.options.full else parse_time(run.checkpoints.cursor(STREAM, repo.id))
    if cursor is not None:
        listing(run, repo, ACTIVE, status="active")
    listing(run, repo, STREAM, status="all", min_time=cursor - run.options.time_overlap if cursor else None,
            time_range="closed")


def listing(run: Run, repo: Repository, stream: str, **criteria) -> None:
    if run.done(stream, repo.id):
        return
    stored = stored_fingerprints(run, repo.id)
    cursor = TimeCursor("closed_at") if stream == STREAM else None
    source = run.collectors.collect_pull_requests(run.client, run.org_id, repo.project_id, repo.id,
                                                  run.resume(stream, repo.id), **criteria)
    finished = False
    for batch in run.remote(source):
        run.note_skipped(batch)
        run.fetched(batch.records)
        if cursor is not None:
            cursor.see(batch.records)
        finished = batch.resume is None
        groups = chunks(per_pr(batch.records), CHUNK)
        following = details_of(run, repo, groups[0], stored) if groups else None
        for i in range(len(groups)):
            current = following
            following = details_of(run, repo, groups[i + 1], stored) if i + 1 < len(groups) else None
            checkpoint = None
            if i == len(groups) - 1:
                value = cursor.value(run) if cursor is not None and finished else None
                checkpoint = run.checkpoint(stream, repo.id, resume=batch.resume, done=finished, cursor=value)
            run.commit(current(), checkpoint)
        if not groups:
            run.commit([], run.checkpoint(stream, repo.id, resume=batch.resume, done=finished))
    if not finished:
        run.finish(stream, repo.id, cursor.value(run) if cursor is not None else None)


def per_pr(records: list) -> list[list]:
    """The page's records grouped by PR (a PullRequest and the Reviewer records after it)."""
    groups: list[list] = []
    for record in records:
        if isinstance(record, PullRequest) or not groups:
            groups.append([record])
        else:
            groups[-1].append(record)
    return groups


def chunks(groups: list[list], size: int) -> list[list]:
    return [[r for group in groups[i:i + size] for r in group] for i in range(0, len(groups), size)]


def details_of(run: Run, repo: Repository, records: list,
               stored: dict[int, str | None]) -> Callable[[], list]:
    """Start fetching the details of the PRs among ``records`` that need them; the call returned waits and
    gives the records plus those details. The next chunk is started before this one is written."""
    todo = [r for r in records if isinstance(r, PullRequest) and needs_details(r, stored, run.options.full)]
    if not todo:
        return lambda: records
    run.progress.add(DETAILS, expected=len(todo))
    results = run.ahead(lambda pr: fetch_details(run, repo, pr), todo)
    return lambda: with_details(run, records, todo, results(), stored)


def with_details(run: Run, records: list, todo: list[PullRequest], results: list,
                 stored: dict[int, str | None]) -> list:
    """The records plus the details fetched for ``todo``; a PR missing some keeps no fingerprint."""
    incomplete: set[int] = set()
    details: list = []
    for pr, (found, skipped) in zip(todo, results, strict=True):
        details.extend(found)
        for skip in skipped:
            run.skip(skip.entity, skip.key, skip.reason)
        if skipped:
            incomplete.add(pr.id)
    run.fetched(details)
    run.progress.add(DETAILS, done=len(todo))
    stored.update((pr.id, None if pr.id in incomplete else pr.fingerprint) for pr in todo)
    written = [dataclasses.replace(r, fingerprint=None) if isinstance(r, PullRequest) and r.id in incomplete
               else r for r in records]
    return [*written, *details]


def fetch_details(run: Run, repo: Repository, pr: PullRequest) -> tuple[list, list[Skip]]:
    """Threads and commits of a PR, plus iterations (and statuses, when asked for) while it is active."""
    c = run.collectors
    args = (run.client, run.org_id, repo.project_id, repo.id, pr.id)
    calls = [("pr_review_events", lambda: c.collect_pr_threads(*args, pr.creator_id)),
             ("pr_commits", lambda: c.collect_pr_commits(*args))]
    if pr.status == "active":
        calls.append(("pr_iterations", lambda: c.collect_pr_iterations(*args)))
        if run.options.pr_statuses:
            calls.append(("pr_statuses", lambda: c.collect_pr_statuses(*args)))
    found: list = []
    skipped: list[Skip] = []
    for entity, call in calls:
        try:
            records, skips = records_of(call())
        except SkippableError as exc:
            skipped.append(Skip(entity, f"{repo.id}/{pr.id}", str(exc)))
            continue
        found.extend(records)
        skipped.extend(Skip(s.entity, f"{repo.id}/{pr.id}/{s.key}", s.reason) for s in skips)
    return found, skipped
