"""HTTP answers map onto one error tree (fatal / retriable / skippable) carrying ADO's code and words."""

from __future__ import annotations

import httpx
import pytest
from ado_fakes import ado_error, ado_json, make_client

from adometrics.connectors.azure_devops.errors import (
    AuthenticationError,
    AzureDevOpsError,
    BadRequestError,
    ErrorBody,
    ForbiddenError,
    MalformedResponseError,
    MissingScopeError,
    NotFoundError,
    ServerError,
    ThrottledError,
    error_for_status,
    parse_error_body,
)
from adometrics.errors import FatalError, RetriableError, SkippableError

REPO_GONE = ("TF401019: The Git repository with name or identifier r does not exist or you do not have "
             "permissions.")
BLOCKED = ("TF400733: The request has been canceled: Request was blocked due to exceeding usage of "
           "resource 'x' in namespace 'y'.")


@pytest.mark.parametrize(
    ("response", "kind", "family", "code", "type_key"),
    [
        (ado_error(400, "VssInvalidPreviewVersionException", "The requested version is under preview."),
         BadRequestError, FatalError, None, "VssInvalidPreviewVersionException"),
        (ado_error(403, "InvalidAccessException", "The requested operation is not allowed."),
         ForbiddenError, FatalError, None, "InvalidAccessException"),
        (ado_error(404, "GitRepositoryNotFoundException", REPO_GONE),
         NotFoundError, SkippableError, "TF401019", "GitRepositoryNotFoundException"),
        (ado_error(429, "RequestBlockedException", BLOCKED, {"Retry-After": "0"}),
         ThrottledError, RetriableError, "TF400733", "RequestBlockedException"),
        (ado_error(500, "JsonReaderException", "TF400898: An Internal Error Occurred. Activity Id: abc."),
         ServerError, RetriableError, "TF400898", "JsonReaderException"),
        (httpx.Response(503, text="Service Unavailable"), ServerError, RetriableError, None, None),
    ],
    ids=["400", "403", "404", "429", "500", "503-text"],
)
def test_status_maps_to_the_error_tree(response, kind, family, code, type_key) -> None:
    with pytest.raises(kind) as caught:
        error_raised_by(response)
    error = caught.value
    assert isinstance(error, family) and isinstance(error, AzureDevOpsError)
    assert (error.status, error.tf_code, error.type_key) == (response.status_code, code, type_key)
    assert error.endpoint == "git.repositories.get"
    assert "\n" not in str(error) and "git.repositories.get" in str(error)
    if code:
        assert code in str(error)


def error_raised_by(response: httpx.Response) -> None:
    client, _ = make_client(lambda r: response)
    client.get("git.repositories.get", project="p", repo="r")


def test_4xx_are_not_retried_but_5xx_are() -> None:
    for status, attempts in ((400, 1), (404, 1), (403, 1), (500, 3), (503, 3)):
        client, recorder = make_client(lambda r, s=status: ado_error(s, "X", "TF000001: x"))
        with pytest.raises(AzureDevOpsError):
            client.get("core.projects.list")
        assert len(recorder.requests) == attempts, status
        assert client.api_calls["core.projects.list"] == attempts


def test_missing_scope_is_named() -> None:
    body = ErrorBody("TF400813: The token does not have the required scope vso.release.", None, "TF400813")
    error = error_for_status(401, body, "release.releases.list", ("vso.release",))
    assert isinstance(error, MissingScopeError) and isinstance(error, ForbiddenError)
    assert error.scopes == ("vso.release",)
    assert "vso.release" in str(error)
    vague = ErrorBody("Insufficient scopes for this request.", None, None)
    assert error_for_status(403, vague, "build.builds.list", ("vso.build",)).scopes == ("vso.build",)


def test_a_plain_401_suggests_the_endpoint_scope() -> None:
    body = ErrorBody("TF400813: not authorized", None, "TF400813")
    error = error_for_status(401, body, "build.builds.list", ("vso.build",))
    assert type(error) is AuthenticationError
    assert "vso.build" in str(error)


def test_error_body_parsing_is_defensive() -> None:
    assert parse_error_body(httpx.Response(500, text="<html/>")) == ErrorBody()
    assert parse_error_body(httpx.Response(500, json=["not", "an", "object"])) == ErrorBody()
    body = parse_error_body(httpx.Response(400, json={"message": "VS403403: bad\nthing", "typeKey": 7}))
    assert body == ErrorBody("VS403403: bad thing", None, "VS403403")


def test_long_server_messages_stay_one_line() -> None:
    error = error_for_status(500, ErrorBody("x " * 1000 + "\n\nend", None, None), "core.projects.list")
    assert "\n" not in str(error) and len(str(error)) <= 600


def test_success_bodies_that_are_not_json_are_dropped() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, content=b"PK\x03\x04zip",
                                                     headers={"Content-Type": "application/zip"}))
    with pytest.raises(MalformedResponseError, match="discarded"):
        client.get("core.projects.list")
    client, _ = make_client(lambda r: httpx.Response(200, content=b"{oops",
                                                     headers={"Content-Type": "application/json"}))
    with pytest.raises(MalformedResponseError):
        client.get("core.projects.list")


def test_empty_success_is_none() -> None:
    client, _ = make_client(lambda r: httpx.Response(204))
    assert client.send("hooks.subscriptions.delete", subscription="s1") is None
    client, _ = make_client(lambda r: ado_json({"id": "p1"}))
    assert client.get("core.projects.get", project="p1") == {"id": "p1"}
