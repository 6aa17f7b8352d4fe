"""Equality lookups on encrypted values through blind indexes, and the time-window filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from store_samples import T0, organization, pull_request

from adometrics import domain as d
from adometrics.store.read import load_builds, load_pull_requests
from adometrics.store.upsert import upsert

MAIN = "refs/heads/main"


def _setup(conn, keyring):
    repos = [d.Repository(org_id="org-1", project_id="proj-1", id="r1", name="one", default_branch=MAIN),
             d.Repository(org_id="org-1", project_id="proj-1", id="r2", name="two",
                          default_branch="refs/heads/dev")]
    prs = [pull_request(pr_id=1, repo="r1", target=MAIN, closed_at=T0),
           pull_request(pr_id=2, repo="r1", target="refs/heads/release", closed_at=T0 + timedelta(days=1)),
           pull_request(pr_id=3, repo="r2", target=MAIN, closed_at=T0 + timedelta(days=2)),
           pull_request(pr_id=4, repo="r2", target="refs/heads/dev", closed_at=None, status="active")]
    build = d.Build(org_id="org-1", project_id="proj-1", id=1, definition_id=5, source_branch=MAIN,
                    finished_at=T0)
    builds = [build, replace(build, id=2, source_branch="refs/pull/4/merge"),
              replace(build, id=3, finished_at=T0 + timedelta(days=3))]
    upsert(conn, keyring, [organization(), *repos, *prs, *builds])


def test_prs_by_target_branch_and_into_default_branch(db, keyring):
    with db.begin() as conn:
        _setup(conn, keyring)
    with db.connect() as conn:
        assert [p.id for p in load_pull_requests(conn, keyring, "org-1", target_branch=MAIN)] == [1, 3]
        assert [p.id for p in load_pull_requests(conn, keyring, "org-1", into_default_branch=True)] == [1, 4]
        assert [p.id for p in load_pull_requests(conn, keyring, "org-1", repo_id="r2",
                                                 into_default_branch=True)] == [4]
        assert load_pull_requests(conn, keyring, "org-1", target_branch="refs/heads/none") == []
        assert load_pull_requests(conn, keyring, "org-9", target_branch=MAIN) == []  # no keys, no match


def test_closed_window_is_half_open(db, keyring):
    with db.begin() as conn:
        _setup(conn, keyring)
    with db.connect() as conn:
        found = load_pull_requests(conn, keyring, "org-1", closed_from=T0, closed_to=T0 + timedelta(days=2))
        assert [p.id for p in found] == [1, 2]
        assert [p.id for p in load_pull_requests(conn, keyring, "org-1", status="active")] == [4]


def test_builds_of_a_branch(db, keyring):
    with db.begin() as conn:
        _setup(conn, keyring)
    with db.connect() as conn:
        assert [b.id for b in load_builds(conn, keyring, "org-1", branch=MAIN)] == [1, 3]
        before = T0 + timedelta(days=1)
        assert [b.id for b in load_builds(conn, keyring, "org-1", branch=MAIN, finished_to=before)] == [1]
        assert [b.id for b in load_builds(conn, keyring, "org-1", definition_id=5,
                                          finished_from=T0 + timedelta(days=1))] == [3]
