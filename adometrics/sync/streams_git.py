"""Git streams of one repository: branch heads (a full listing) and commit metadata on the default branch.

Branch heads are current state, not history: a branch deleted in Azure DevOps is dropped once a complete
listing no longer has it.

Commit lists come newest first, so their cursor (the latest committer date seen) is promoted only with the
last page; the next run reads from it minus an overlap, because a push can bring commits whose committer
dates are older than ones already seen.
"""

from __future__ import annotations

from sqlalchemy import delete

from ..domain import Repository
from ..store.read import blind
from ..store.schema import refs as ref_table
from .checkpoints import parse_time
from .run import Run, TimeCursor


def refs(run: Run, repo: Repository) -> None:
    """Branch heads mirror the repository now: after a complete listing, deleted branches are forgotten."""
    if run.done("refs", repo.id):
        return
    resume = run.resume("refs", repo.id)
    source = run.collectors.collect_refs(run.client, run.org_id, repo.project_id, repo.id, resume)
    heads = run.pages("refs", repo.id, source, keep=True)
    if resume is None:  # a listing resumed half-way does not know every branch: prune next time
        run.commit([], before=lambda conn: _forget_other_refs(conn, run, repo, [r.name for r in heads]))


def _forget_other_refs(conn, run: Run, repo: Repository, names: list[str]) -> None:
    c = ref_table.c
    keep = [blind(conn, run.keyring, run.org_id, "branch", name) for name in names]
    conn.execute(delete(ref_table).where(c.org_id == run.org_id, c.repo_id == repo.id,
                                         c.name_bidx.not_in(keep)))


def commits(run: Run, repo: Repository) -> None:
    stream = "commits"
    if run.done(stream, repo.id):
        return
    cursor = None if run.options.full else parse_time(run.checkpoints.cursor(stream, repo.id))
    since = cursor - run.options.commit_overlap if cursor else None
    source = run.collectors.collect_commits(run.client, run.org_id, repo.project_id, repo.id,
                                            repo.default_branch, since, run.resume(stream, repo.id))
    run.pages(stream, repo.id, source, cursor=TimeCursor("committer_date"), cursor_at_end=True)
