"""Git streams of one repository: branch heads (a full listing) and commit metadata on the default branch.

Commit lists come newest first, so their cursor (the latest committer date seen) is promoted only with the
last page; the next run reads from it minus an overlap, because a push can bring commits whose committer
dates are older than ones already seen.
"""

from __future__ import annotations

from ..domain import Repository
from .checkpoints import parse_time
from .run import Run, TimeCursor
from .streams_org import simple


def refs(run: Run, repo: Repository) -> None:
    c = run.collectors
    simple(run, "refs", repo.id,
           lambda resume: c.collect_refs(run.client, run.org_id, repo.project_id, repo.id, resume))


def commits(run: Run, repo: Repository) -> None:
    stream = "commits"
    if run.done(stream, repo.id):
        return
    cursor = None if run.options.full else parse_time(run.checkpoints.cursor(stream, repo.id))
    since = cursor - run.options.commit_overlap if cursor else None
    source = run.collectors.collect_commits(run.client, run.org_id, repo.project_id, repo.id,
                                            repo.default_branch, since, run.resume(stream, repo.id))
    run.pages(stream, repo.id, source, cursor=TimeCursor("committer_date"), cursor_at_end=True)
