"""Acceptance: a credential that stops working breaks the connection with a reason, keeps every row, and a
new PAT for the same organization resumes the interrupted run without duplicates."""

from __future__ import annotations

import time
from types import SimpleNamespace

from sync_support import client, connect, control, diff, snapshot, sync

from adometrics.connectors.azure_devops.errors import AuthenticationError, MissingScopeError
from adometrics.fake_ado.auth import PRODUCT_SCOPES
from adometrics.store import count_entities
from adometrics.store.engine import make_engine
from adometrics.store.migrate import upgrade
from adometrics.sync import default_collectors, list_connections
from adometrics.sync.health import broken_reason
from adometrics.sync.run import SyncOptions
from adometrics.sync.runner import sync_connection


def _revoking(srv, token: str, after_lists: int, stored=lambda: True):
    """The real collectors, except that the PAT is revoked when the Nth PR listing starts, once ``stored()``
    (repositories run side by side: the first one's PRs may still be on their way)."""
    real = default_collectors()
    seen = []

    def collect_pull_requests(*args, **kwargs):
        seen.append(1)
        if len(seen) == after_lists:
            deadline = time.monotonic() + 30
            while not stored() and time.monotonic() < deadline:
                time.sleep(0.01)
            control(srv, "POST", f"/pats/{token}/revoke")
        return real.collect_pull_requests(*args, **kwargs)

    names = {n: getattr(real, n) for n in dir(real) if not n.startswith("_")}
    return SimpleNamespace(**{**names, "collect_pull_requests": collect_pull_requests})


def _health(engine, org_id: str):
    (row,) = [r for r in list_connections(engine) if r.org_id == org_id]
    return row.health, row.reason


def test_revoked_pat_breaks_then_a_new_pat_resumes(db, keyring, tiny, tmp_path):
    first = control(tiny, "POST", "/pats", {})["token"]
    org = connect(db, keyring, tiny, first).org


    def prs_stored() -> bool:
        with db.connect() as conn:
            return count_entities(conn, org.id).get("pull_requests", 0) > 0

    report = sync_connection(db, keyring, client, org.id, options=SyncOptions(),
                             collectors=_revoking(tiny, first, after_lists=2, stored=prs_stored))
    assert not report.completed and report.health == "broken"
    assert "refused the PAT" in report.error and "adometrics connect" in report.error
    health, reason = _health(db, org.id)
    assert health == "broken" and reason == report.error
    with db.connect() as conn:
        kept = count_entities(conn, org.id)
    assert kept["projects"] and kept["repositories"] and kept["pull_requests"]  # nothing was deleted

    second = control(tiny, "POST", "/pats", {})["token"]
    connect(db, keyring, tiny, second)
    assert _health(db, org.id) == ("healthy", None)
    resumed = sync(db, keyring, org.id)
    assert resumed.completed and resumed.api_calls["core.projects.list"] == 0  # finished streams stay done

    clean = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    upgrade(clean)
    connect(clean, keyring, tiny, second)
    assert sync(clean, keyring, org.id).completed
    assert diff(snapshot(db, keyring, org.id), snapshot(clean, keyring, org.id)) == {}
    clean.dispose()


def test_disabled_user_breaks_the_connection(sqlite_db, keyring, tiny):
    org = connect(sqlite_db, keyring, tiny).org
    owner = control(tiny, "GET", "/")  # the default PAT belongs to an administrator
    pat = tiny.sim.auth.pats[owner["pat"]]
    control(tiny, "POST", f"/users/{pat.identity_id}/disable")
    report = sync(sqlite_db, keyring, org.id)
    assert report.health == "broken" and "disabled" in report.error
    assert _health(sqlite_db, org.id)[0] == "broken"
    control(tiny, "POST", f"/users/{pat.identity_id}/enable")
    assert sync(sqlite_db, keyring, org.id).completed
    assert _health(sqlite_db, org.id) == ("healthy", None)


def test_missing_scope_is_named(sqlite_db, keyring, tiny):
    scopes = sorted(PRODUCT_SCOPES - {"vso.release"})
    token = control(tiny, "POST", "/pats", {"scopes": scopes})["token"]
    verified = connect(sqlite_db, keyring, tiny, token)
    assert verified.missing == ["vso.release"]
    health, reason = _health(sqlite_db, verified.org.id)
    assert health == "broken" and "vso.release (Release (read))" in reason
    report = sync(sqlite_db, keyring, verified.org.id)
    assert report.health == "broken" and "lacks vso.release" in report.error
    assert "release.definitions.list" in report.error


class _Client:
    def __init__(self, works: bool) -> None:
        self.works = works

    def connection_data(self):
        if not self.works:
            raise AuthenticationError("refused", status=401, endpoint="core.connection_data")
        return {}


def test_broken_reasons_name_the_cause():
    sign_in = AuthenticationError("x", status=203, endpoint="git.refs.list")
    assert "sign-in page (HTTP 203)" in broken_reason(sign_in, _Client(False))
    revoked = AuthenticationError("x", status=401, endpoint="git.refs.list")
    assert "expired or revoked, or its user is disabled" in broken_reason(revoked, _Client(False))
    assert "lacks vso.code (Code (read))" in broken_reason(revoked, _Client(True))
    scope = MissingScopeError("x", scopes=("vso.build",), status=401, endpoint="build.builds.list")
    expected = "lacks vso.build (Build (read)), needed by build.builds.list"
    assert expected in broken_reason(scope, _Client(True))
