"""Credentials, the headers sent on every call, and sign-in answers that do not look like a 401."""

from __future__ import annotations

import base64

import httpx
import pytest
from ado_fakes import PAT, ado_error, ado_json, make_client

from adometrics.connectors.azure_devops.auth import BearerAuth, BearerTokenProvider, PatAuth
from adometrics.connectors.azure_devops.client import make_http_client
from adometrics.connectors.azure_devops.errors import AuthenticationError, UnexpectedResponseError
from adometrics.errors import FatalError

SIGN_IN_PAGE = "<html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in</body></html>"


def test_pat_is_basic_with_an_empty_user_name_and_headers_are_always_sent() -> None:
    client, recorder = make_client(lambda r: ado_json({"count": 0, "value": []}))
    client.get("core.projects.list")
    sent = recorder.requests[0]
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(f":{PAT}".encode()).decode()
    assert sent.headers["X-TFS-FedAuthRedirect"] == "Suppress"
    assert sent.headers["Accept"] == "application/json"


def test_the_token_stays_out_of_repr_and_identity() -> None:
    auth = PatAuth(PAT)
    assert PAT not in repr(auth)
    assert PAT not in auth.identity
    assert auth.identity == PatAuth(PAT).identity != PatAuth("other").identity


def test_401_is_an_authentication_failure_with_the_tf_code() -> None:
    failure = ado_error(401, "UnauthorizedRequestException",
                        "TF400813: The user 'x' is not authorized to access this resource.")
    client, recorder = make_client([failure])
    with pytest.raises(AuthenticationError) as caught:
        client.get("core.projects.list")
    error = caught.value
    assert (error.status, error.tf_code, error.type_key) == (401, "TF400813", "UnauthorizedRequestException")
    assert isinstance(error, FatalError)
    assert "reconnect" in str(error) and "\n" not in str(error)
    assert len(recorder.requests) == 1  # never retried


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(203, html=SIGN_IN_PAGE),
        httpx.Response(203, json={"value": []}),  # a 203 is never data, whatever its body
        httpx.Response(302, headers={"Location": "https://login.microsoftonline.com/common/oauth2/authorize"}),
        httpx.Response(302, headers={"Location": "https://app.vssps.visualstudio.com/_signin?realm=x"}),
        httpx.Response(200, html=SIGN_IN_PAGE),
        httpx.Response(404, html=SIGN_IN_PAGE),
    ],
    ids=["203-html", "203-json", "302-login-host", "302-signin-path", "200-html", "404-html"],
)
def test_sign_in_answers_are_authentication_failures(answer: httpx.Response) -> None:
    client, recorder = make_client([answer])
    with pytest.raises(AuthenticationError, match="credential was not accepted"):
        client.get("core.projects.list")
    assert len(recorder.requests) == 1


def test_other_redirects_are_not_followed() -> None:
    client, recorder = make_client(lambda r: httpx.Response(
        301, headers={"Location": "https://elsewhere.example.com/fabrikam/_apis/projects"}))
    with pytest.raises(UnexpectedResponseError, match=r"elsewhere\.example\.com"):
        client.get("core.projects.list")
    assert [r.url.host for r in recorder.requests] == ["dev.azure.com"]


def test_html_on_a_server_error_stays_a_server_error() -> None:
    from adometrics.connectors.azure_devops.errors import ServerError

    client, _ = make_client(lambda r: httpx.Response(502, html="<html>Bad gateway</html>"))
    with pytest.raises(ServerError):
        client.get("core.projects.list")


class _Tokens:
    """A BearerTokenProvider that hands out numbered tokens."""

    identity = "user:42"

    def __init__(self) -> None:
        self.issued = 0

    def get_token(self, *, force_refresh: bool = False) -> str:
        if force_refresh or not self.issued:
            self.issued += 1
        return f"token-{self.issued}"


def test_bearer_refreshes_once_on_401() -> None:
    provider = _Tokens()
    assert isinstance(provider, BearerTokenProvider)

    seen: list[str] = []  # the auth flow re-sends the same Request object: copy the header as sent

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        if request.headers["Authorization"] == "Bearer token-1":
            return ado_error(401, "UnauthorizedRequestException", "TF400813: expired")
        return ado_json({"count": 0, "value": []})

    client, recorder = make_client(answer, auth=BearerAuth(provider))
    assert client.get("core.projects.list") == {"count": 0, "value": []}
    assert seen == ["Bearer token-1", "Bearer token-2"]
    assert len(recorder.requests) == 2
    assert client.identity == "user:42"


def test_bearer_gives_up_after_one_refresh() -> None:
    client, recorder = make_client(lambda r: ado_error(401, "UnauthorizedRequestException", "TF400813: no"),
                                   auth=BearerAuth(_Tokens()))
    with pytest.raises(AuthenticationError):
        client.get("core.projects.list")
    assert len(recorder.requests) == 2


def test_production_http_client_ignores_the_environment_and_redirects() -> None:
    http = make_http_client(timeout=12.0)
    try:
        assert http.trust_env is False
        assert http.follow_redirects is False
        assert http.timeout.read == 12.0
        assert http.headers["X-TFS-FedAuthRedirect"] == "Suppress"
    finally:
        http.close()
