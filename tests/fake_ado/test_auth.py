"""PAT authentication, scopes and ADO's failure shapes (BEHAVIOUR.md §2–4)."""

from __future__ import annotations

import base64
from datetime import timedelta

from adometrics.fake_ado.auth import PRODUCT_SCOPES, Principal, effective_scopes
from adometrics.fake_ado.state import Simulator, SimulatorConfig

SUPPRESS = {"X-TFS-FedAuthRedirect": "Suppress"}
V = {"api-version": "7.1"}
ORG = "/fabrikam/_apis/probe"


def basic(token: str, user: str = "") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()}


def get(client, path: str, headers: dict[str, str] | None = None, **kw):
    return client.get(ORG + path, params=V, headers=headers or {}, **kw)


def assert_tf400813(response, user: str = "") -> None:
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["typeKey"] == "UnauthorizedRequestException"
    assert body["message"] == f"TF400813: The user '{user}' is not authorized to access this resource."
    assert set(body) >= {"$id", "innerException", "typeName", "errorCode", "eventId"}


def assert_signin_page(response) -> None:
    assert response.status_code == 203
    assert response.headers["content-type"].startswith("text/html")
    assert "Sign in" in response.text


# -- the default PAT ---------------------------------------------------------------------------------


def test_default_pat_has_product_scopes_and_an_active_admin_owner(probe_sim):
    pat = probe_sim.auth.pats[probe_sim.pat]
    assert pat.scopes == PRODUCT_SCOPES
    owner = probe_sim.auth.find_user(pat.identity_id)
    assert owner is not None and owner.status == "active"
    assert len(probe_sim.pat) == 52


def test_default_pat_is_stable_per_seed_and_can_be_chosen():
    a = Simulator(SimulatorConfig(scenario="tiny", seed=3))
    b = Simulator(SimulatorConfig(scenario="tiny", seed=3))
    c = Simulator(SimulatorConfig(scenario="tiny", seed=4))
    assert a.pat == b.pat != c.pat
    assert Simulator(SimulatorConfig(scenario="tiny", pat="my-token")).pat == "my-token"


def test_any_user_name_is_accepted_with_the_pat_as_password(probe_client, probe_sim):
    for user in ("", "someone", "x@example.com"):
        response = get(probe_client, "/code", basic(probe_sim.pat, user))
        assert response.status_code == 200, user
        assert response.json()["caller"] == probe_sim.auth.pats[probe_sim.pat].identity_id


def test_product_scopes_reach_their_routes_and_implied_ones(probe_client, probe_sim):
    headers = basic(probe_sim.pat)
    for path in ("/projects", "/builds", "/code", "/releases", "/hooks"):
        assert get(probe_client, path, headers).status_code == 200, path
    # vso.release implies vso.profile (on the app.vssps host)
    assert probe_client.get("/_app.vssps/_apis/probe/profile", params=V, headers=headers).status_code == 200


def test_a_scope_the_pat_lacks_gives_401_even_without_suppress(probe_client, probe_sim):
    owner = probe_sim.auth.pats[probe_sim.pat].identity_id
    assert_tf400813(get(probe_client, "/graph", basic(probe_sim.pat)), owner)


def test_build_only_token(probe_client, probe_sim):
    owner = probe_sim.auth.pats[probe_sim.pat].identity_id
    pat = probe_sim.auth.add_pat(None, owner, ["vso.build"])
    headers = basic(pat.token)
    assert get(probe_client, "/builds", headers).status_code == 200
    assert get(probe_client, "/hooks", headers).status_code == 200  # vso.build implies vso.hooks_write
    for path in ("/code", "/projects", "/releases", "/content"):
        assert_tf400813(get(probe_client, path, headers), owner)
    assert probe_client.get("/_app.vssps/_apis/probe/profile", params=V, headers=headers).status_code == 401


def test_scope_implications():
    closure = effective_scopes({"vso.code_full"})
    implied = {"vso.code_full", "vso.code_manage", "vso.code_write", "vso.code"}
    implied |= {"vso.hooks_write", "vso.hooks"}
    assert implied <= closure
    assert "vso.code_status" not in closure
    assert "vso.profile" in effective_scopes({"vso.release"})
    assert "vso.release" in effective_scopes({"vso.release_manage"})
    assert "vso.memberentitlementmanagement" in effective_scopes({"vso.memberentitlementmanagement_write"})
    assert effective_scopes({"vso.project"}) == {"vso.project"}


# -- bad credentials ---------------------------------------------------------------------------------


def test_bad_token_gets_the_signin_page_or_401_with_suppress(probe_client):
    assert_signin_page(get(probe_client, "/code", basic("not-a-pat")))
    response = get(probe_client, "/code", {**basic("not-a-pat"), **SUPPRESS})
    assert_tf400813(response)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="http://testserver/"'


def test_no_credential_is_the_same_as_a_bad_one(probe_client):
    assert_signin_page(get(probe_client, "/code"))
    assert_tf400813(get(probe_client, "/code", SUPPRESS))


def test_malformed_basic_values_are_refused(probe_client, probe_sim):
    no_colon = {"Authorization": "Basic " + base64.b64encode(probe_sim.pat.encode()).decode()}
    assert_signin_page(get(probe_client, "/code", no_colon))
    assert_signin_page(get(probe_client, "/code", {"Authorization": "Basic %%%"}))
    assert_signin_page(get(probe_client, "/code", {"Authorization": f"Bearer {probe_sim.pat}"}))


def test_revocation_takes_effect_at_once(probe_client, probe_sim):
    owner = probe_sim.auth.pats[probe_sim.pat].identity_id
    pat = probe_sim.auth.add_pat("short-lived", owner, ["vso.code"])
    assert get(probe_client, "/code", basic(pat.token)).status_code == 200
    probe_sim.auth.revoke(pat.token)
    assert_signin_page(get(probe_client, "/code", basic(pat.token)))
    assert_tf400813(get(probe_client, "/code", {**basic(pat.token), **SUPPRESS}))
    assert get(probe_client, "/code", basic(probe_sim.pat)).status_code == 200  # others unaffected


def test_disabled_user_is_refused_until_enabled(probe_client, probe_sim):
    owner = probe_sim.auth.pats[probe_sim.pat].identity_id
    user = probe_sim.auth.set_user_status(owner, "disabled")
    assert user.status == "disabled"
    assert any(u.identity.id == owner and u.status == "disabled" for u in probe_sim.world.users())
    assert_signin_page(get(probe_client, "/code", basic(probe_sim.pat)))
    assert_tf400813(get(probe_client, "/code", {**basic(probe_sim.pat), **SUPPRESS}))
    probe_sim.auth.set_user_status(user.identity.unique_name, "active")
    assert get(probe_client, "/code", basic(probe_sim.pat)).status_code == 200


def test_expiry_follows_the_simulated_clock(probe_client, probe_sim):
    owner = probe_sim.auth.pats[probe_sim.pat].identity_id
    expires = probe_sim.world.now + timedelta(hours=1)
    pat = probe_sim.auth.add_pat(None, owner, ["vso.code"], expires)
    assert get(probe_client, "/code", basic(pat.token)).status_code == 200
    probe_sim.world.advance(timedelta(hours=2))
    assert_tf400813(get(probe_client, "/code", {**basic(pat.token), **SUPPRESS}))


def test_routes_without_scopes_need_no_credential(probe_client):
    assert get(probe_client, "/anonymous").status_code == 200


# -- pluggable bearer validators ---------------------------------------------------------------------


def test_bearer_validators_plug_in_beside_pats(probe_client, probe_sim):
    owner = probe_sim.auth.pats[probe_sim.pat].identity_id
    probe_sim.auth.add_validator(lambda token: None)  # a validator that knows nothing passes the turn on
    probe_sim.auth.add_validator(
        lambda token: Principal(owner, frozenset({"vso.code"}), "entra") if token == "entra-ok" else None
    )
    ok = {"Authorization": "Bearer entra-ok"}
    response = get(probe_client, "/code", ok)
    assert response.status_code == 200 and response.json()["caller"] == owner
    assert_tf400813(get(probe_client, "/builds", ok), owner)
    assert_signin_page(get(probe_client, "/code", {"Authorization": "Bearer nope"}))


def test_extra_challenges_are_advertised(probe_client, probe_sim):
    probe_sim.auth.challenges.append('Bearer authorization_uri="https://login.example/tenant"')
    response = get(probe_client, "/code", SUPPRESS)
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="http://testserver/", Bearer ')


def test_the_log_records_who_called(probe_client, probe_sim):
    get(probe_client, "/code", basic(probe_sim.pat))
    get(probe_client, "/code", basic("bad"))
    entries = probe_sim.log.entries
    assert entries[-2].identity_id == probe_sim.auth.pats[probe_sim.pat].identity_id
    assert entries[-1].identity_id is None and entries[-1].status == 203
