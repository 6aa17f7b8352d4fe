"""api-version checks, ADO-like 404/405/500 bodies, and the order of the dispatcher's checks."""

from __future__ import annotations

import base64

import pytest

PROBE = "/fabrikam/_apis/probe"
V = {"api-version": "7.1"}


def basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f":{token}".encode()).decode()}


def fetch(client, sim, path: str, version: str | None, headers: dict[str, str] | None = None):
    params = {} if version is None else {"api-version": version}
    return client.get(PROBE + path, params=params, headers={**basic(sim.pat), **(headers or {})})


def type_key(response) -> str:
    return response.json()["typeKey"]


@pytest.mark.parametrize("version", ["7.1", "7.0", "6.0", "7.1-preview.1", "7.2-preview.1", "7.2-preview"])
def test_released_route_accepts(probe_client, probe_sim, version):
    assert fetch(probe_client, probe_sim, "/code", version).status_code == 200


def test_missing_version(probe_client, probe_sim):
    response = fetch(probe_client, probe_sim, "/code", None)
    assert response.status_code == 400
    assert type_key(response) == "VssVersionNotSpecifiedException"
    assert 'for the "GET" request' in response.json()["message"]


def test_version_in_the_accept_header(probe_client, probe_sim):
    headers = {"Accept": "application/json; api-version=7.1"}
    assert fetch(probe_client, probe_sim, "/code", None, headers).status_code == 200


@pytest.mark.parametrize("version", ["seven", "7", "7.1-beta", "7.1.2", ""])
def test_malformed_version(probe_client, probe_sim, version):
    response = fetch(probe_client, probe_sim, "/code", version)
    assert response.status_code == 400
    assert type_key(response) in {"VssInvalidApiVersionException", "VssVersionNotSpecifiedException"}


def test_above_the_server(probe_client, probe_sim):
    response = fetch(probe_client, probe_sim, "/code", "8.0")
    assert response.status_code == 400 and type_key(response) == "VssVersionOutOfRangeException"
    assert response.json()["message"] == (
        "The requested REST API version of 8.0 is out of range for this server. "
        "The latest REST API version this server supports is 7.2."
    )


def test_below_the_route_minimum(probe_client, probe_sim):
    assert fetch(probe_client, probe_sim, "/newer", "5.0").status_code == 200
    response = fetch(probe_client, probe_sim, "/newer", "4.1")
    assert response.status_code == 400 and type_key(response) == "VssVersionOutOfRangeException"


def test_preview_needs_the_flag(probe_client, probe_sim):
    response = fetch(probe_client, probe_sim, "/preview", "7.1")
    assert response.status_code == 400 and type_key(response) == "VssInvalidPreviewVersionException"
    for ok in ("7.1-preview.3", "7.1-preview", "7.1-preview.1"):
        assert fetch(probe_client, probe_sim, "/preview", ok).status_code == 200, ok
    # 7.2 exists only as preview on the server, whatever the route
    assert type_key(fetch(probe_client, probe_sim, "/code", "7.2")) == "VssInvalidPreviewVersionException"


def test_auth_is_checked_before_the_version(probe_client, probe_sim):
    response = probe_client.get(PROBE + "/code", headers={"X-TFS-FedAuthRedirect": "Suppress"})
    assert response.status_code == 401


def test_control_routes_need_no_version(probe_client):
    assert probe_client.get("/_control/clock").status_code == 200


def test_unknown_api_path_is_an_ado_json_404(probe_client):
    for path in ("/fabrikam/_apis/nothing/here", "/_apis/nowhere", "/_vsrm/fabrikam/_apis/nope"):
        response = probe_client.get(path, params={"api-version": "7.1"})
        assert response.status_code == 404, path
        body = response.json()
        assert body["typeKey"] == "HttpException"
        expected = f"The controller for path '{path}' was not found or does not implement IController."
        assert body["message"] == expected
        assert set(body) >= {"$id", "innerException", "typeName", "errorCode", "eventId"}


def test_unknown_page_is_html(probe_client):
    response = probe_client.get("/fabrikam/some/page")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")


def test_wrong_method_is_a_json_405(probe_client, probe_sim):
    response = probe_client.delete(PROBE + "/code", params=V, headers=basic(probe_sim.pat))
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert "does not support http method 'DELETE'" in response.json()["message"]


def test_handler_crash_is_an_ado_500(probe_client, probe_sim, caplog):
    response = fetch(probe_client, probe_sim, "/crash", "7.1")
    assert response.status_code == 500
    assert response.json()["message"].startswith("TF400898")
    assert probe_sim.log.by_status[500] == 1
    assert "handler bug" in caplog.text


def test_bad_json_body_is_a_400(probe_client, probe_sim):
    response = probe_client.post(
        PROBE + "/echo", params={"api-version": "7.1"}, headers=basic(probe_sim.pat), content=b"{not json"
    )
    assert response.status_code == 400 and type_key(response) == "JsonReaderException"
    ok = probe_client.post(PROBE + "/echo", params=V, headers=basic(probe_sim.pat), json=[1])
    assert ok.json()["received"] == [1]
