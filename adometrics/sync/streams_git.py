"""Git streams of one repository: refs (a full listing) and commit metadata on the default branch.

Commit lists come newest first, so their cursor (the latest committer date seen) is promoted only once the
whole listing is in; the next run reads from it minus an overlap, because a push can bring commits whose
committer dates are older than ones already seen.
"""

from __future__ import annotations

from ..domain import Repository
from .checkpoints import parse_time
from .run import Run


def refs(run: Run, repo: Repository) -> None:
    if not run.done("refs", repo.id):
        source = run.collectors.refs.collect_refs(run.client, run.org_id, repo.project_id, repo.id)
        run.pages("refs", repo.id, source)


def commits(run: Run, repo: Repository) -> None:
    stream = "commits"
    if run.done(stream, repo.id):
        return
    cursor = None if run.options.full else parse_time(run.checkpoints.cursor(stream, repo.id))
    since = cursor - run.options.commit_overlap if cursor else None
    source = run.collectors.commits.collect_commits(run.client, run.org_id, repo.project_id, repo.id,
                                                    repo.default_branch, since)
    run.pages(stream, repo.id, source, time_of=lambda c: getattr(c, "committer_date", None), cursor_at_end=True)
