"""The derived metric results: when they go stale, that a report rebuilds them, and that a rebuild reads PRs
a page at a time without changing a number."""

from __future__ import annotations

from dataclasses import replace

from test_store_facts import ORG, WINDOW, classic, h, organization, release, two_repository_releases

from adometrics import domain as d
from adometrics.reports import compute, materialize, refresh
from adometrics.store import metric_facts, upsert
from adometrics.store.settings import set_production_pattern
from adometrics.store.upsert import set_deployment_pipeline

ARGS = {"organization": "contoso", "window": WINDOW}


def merged_pr(pr_id: int, closed: float, *, merge: str = "a1") -> d.PullRequest:
    return d.PullRequest(org_id=ORG, project_id="p1", repo_id="ra", id=pr_id, creator_id="u1",
                         created_at=h(1), closed_at=h(closed), status="completed", is_draft=False, title="t",
                         source_branch="refs/heads/f", target_branch="refs/heads/main",
                         last_merge_commit=merge)


def test_a_change_of_synced_rows_makes_the_results_stale_and_the_same_rows_do_not(db, keyring):
    records = two_repository_releases()
    with db.begin() as conn:
        upsert(conn, keyring, records)
        assert not metric_facts.is_current(conn, ORG)
        assert refresh(conn, "contoso") is True
        assert metric_facts.is_current(conn, ORG) and refresh(conn, "contoso") is False
        upsert(conn, keyring, records)  # an idle sync writes the same rows: nothing changes
        assert metric_facts.is_current(conn, ORG)
        upsert(conn, keyring, [d.SyncCheckpoint(org_id=ORG, stream="prs", scope="ra", cursor="x",
                                                position=None, updated_at=h(0))])
        assert metric_facts.is_current(conn, ORG)  # the sync's bookkeeping is no metric input
        upsert(conn, keyring, [classic(5, 3, 40)])
        assert not metric_facts.is_current(conn, ORG)


def test_settings_make_the_results_stale(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, two_repository_releases())
        refresh(conn, "contoso")
        set_production_pattern(conn, ORG, "p1", "(?i)^prod")
        assert not metric_facts.is_current(conn, ORG)
        refresh(conn, "contoso")
        upsert(conn, keyring, [d.BuildDefinition(org_id=ORG, project_id="p1", id=7, name="deploy",
                                                 repo_id="ra")])
        refresh(conn, "contoso")
        assert set_deployment_pipeline(conn, ORG, "p1", 7, enabled=True)
        assert not metric_facts.is_current(conn, ORG)


def test_a_report_sees_a_change_made_after_the_last_rebuild(db, keyring):
    with db.begin() as conn:
        upsert(conn, keyring, two_repository_releases())
        before = compute(conn, **ARGS)
        upsert(conn, keyring, [release(5, ("ra", "a5")), classic(6, 5, 50, "failed")])
        after = compute(conn, **ARGS)
    assert after["change_failure_rate"]["attempts"] == before["change_failure_rate"]["attempts"] + 1
    assert after["change_failure_rate"]["failures"] == before["change_failure_rate"]["failures"] + 1


def test_paged_rebuild_equals_one_page(db, keyring, monkeypatch):
    prs = [merged_pr(i, 5 + i) for i in range(1, 8)]
    with db.begin() as conn:
        upsert(conn, keyring, [*organization(), *prs, *two_repository_releases()[6:]])
        materialize.rebuild(conn, ORG)
        whole = compute(conn, **ARGS)
        monkeypatch.setattr(materialize, "PR_PAGE", 2)
        materialize.rebuild(conn, ORG)
        assert compute(conn, **ARGS) == whole
    assert whole["pull_requests"]["merged"] == 7


def test_results_of_one_organization_leave_the_others_alone(db, keyring):
    other = [replace(r, org_id="o2") if hasattr(r, "org_id") else r for r in two_repository_releases()[1:]]
    with db.begin() as conn:
        upsert(conn, keyring, [*two_repository_releases(),
                               d.Organization(id="o2", name="Fabrikam", url="https://dev.azure.com/fabrikam"),
                               *other])
        first = compute(conn, **ARGS)
        assert compute(conn, organization="fabrikam", window=WINDOW)["change_failure_rate"] == \
            first["change_failure_rate"]
        upsert(conn, keyring, [classic(9, 3, 60, "failed")])
        assert metric_facts.is_current(conn, "o2") and not metric_facts.is_current(conn, ORG)
        assert compute(conn, **ARGS) != first


def test_a_rebuild_writes_only_what_changed(db, keyring, monkeypatch):
    monkeypatch.setattr(materialize, "PR_PAGE", 3)
    prs = [merged_pr(i, 5 + i) for i in range(1, 8)]
    with db.begin() as conn:
        upsert(conn, keyring, [*two_repository_releases(), *prs])
        assert materialize.rebuild(conn, ORG) > 10
        assert materialize.rebuild(conn, ORG) == 0
        upsert(conn, keyring, [replace(prs[3], closed_at=h(30))])
        assert materialize.rebuild(conn, ORG) == 1
        set_production_pattern(conn, ORG, "p1", "^nothing$")  # p1's deployments leave the results
        assert materialize.rebuild(conn, ORG) > 3
        assert compute(conn, project="Shop", **ARGS)["change_failure_rate"]["attempts"] == 0
        assert materialize.rebuild(conn, ORG) == 0
