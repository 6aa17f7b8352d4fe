"""AdoClient: retries, accounting, query building, and the small public calls."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
import stamina
from ado_fakes import ado_error, ado_json, make_client

from adometrics.connectors.azure_devops.errors import NetworkError, NotFoundError, ServerError
from adometrics.errors import RetriableError

OK = {"count": 0, "value": []}


def _flaky(failures: list[Exception | httpx.Response], then: httpx.Response):
    def answer(request: httpx.Request) -> httpx.Response:
        if failures:
            failure = failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        return then

    return answer


@pytest.mark.parametrize(
    "failure",
    [
        ado_error(500, "X", "TF400898: An Internal Error Occurred."),
        ado_error(503, "X", "unavailable"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("reset"),
    ],
    ids=["500", "503", "connect", "read-timeout", "reset"],
)
def test_transient_failures_are_retried(failure) -> None:
    client, recorder = make_client(_flaky([failure, failure], ado_json(OK)))
    assert client.get("core.projects.list") == OK
    assert len(recorder.requests) == 3
    assert client.api_calls["core.projects.list"] == 3


def test_retries_are_bounded_and_the_last_error_surfaces() -> None:
    with stamina.set_testing(True, attempts=4):
        client, recorder = make_client(lambda r: (_ for _ in ()).throw(httpx.ConnectTimeout("no route")))
        with pytest.raises(NetworkError) as caught:
            client.get("core.projects.list")
    assert isinstance(caught.value, RetriableError)
    assert "dev.azure.com" in str(caught.value) and "core.projects.list" in str(caught.value)
    assert len(recorder.requests) == 4


def test_404_is_not_retried() -> None:
    gone = ado_error(404, "GitRepositoryNotFoundException", "TF401019: gone")
    client, recorder = make_client(lambda r: gone)
    with pytest.raises(NotFoundError):
        client.get("git.repositories.get", project="p", repo="r")
    assert len(recorder.requests) == 1


def test_a_status_write_is_not_repeated_after_an_unclear_failure() -> None:
    client, recorder = make_client(lambda r: ado_error(500, "X", "boom"))
    with pytest.raises(ServerError):
        client.post("git.pullrequests.statuses.create", {"context": {"name": "x"}},
                    project="p", repo="r", pr="1")
    assert len(recorder.requests) == 1
    client, recorder = make_client(lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("maybe sent")))
    with pytest.raises(NetworkError):
        client.post("git.commit_statuses.create", {"state": "succeeded"}, project="p", repo="r", sha="abc")
    assert len(recorder.requests) == 1


def test_a_write_that_never_left_is_retried() -> None:
    client, recorder = make_client(_flaky([httpx.ConnectError("refused")], ado_json({"id": 1})))
    result = client.post("git.pullrequests.statuses.create", {"context": {"name": "x"}},
                         project="p", repo="r", pr="1")
    assert result == {"id": 1}
    assert len(recorder.requests) == 2
    assert recorder.requests[-1].headers["Content-Type"] == "application/json"


def test_commitsbatch_is_a_read_and_is_retried_and_paged() -> None:
    busy = ado_error(503, "X", "busy")
    client, recorder = make_client(_flaky([busy], ado_json({"count": 1, "value": [{}]})))
    criteria = {"itemVersion": {"versionType": "commit", "version": "a" * 40}}
    pages = list(client.paged("git.commits.batch", json=criteria, page_size=100, project="p", repo="r"))
    assert [len(p) for p in pages] == [1]
    assert [r.method for r in recorder.requests] == ["POST", "POST"]
    assert recorder.requests[-1].url.params["$top"] == "100"
    assert json.loads(recorder.requests[-1].content) == criteria


def test_api_calls_are_counted_per_endpoint_name() -> None:
    client, _ = make_client(lambda r: ado_json(OK))
    client.get("core.projects.list")
    client.get("core.projects.list")
    client.get("git.repositories.list", project="p")
    assert client.api_calls == {"core.projects.list": 2, "git.repositories.list": 1}


def test_query_values_are_written_the_way_ado_reads_them() -> None:
    client, recorder = make_client(lambda r: ado_json(OK))
    since = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    client.get("build.builds.list", {"minTime": since, "includeLatestBuilds": True, "$top": 5}, project="p")
    params = recorder.requests[0].url.params
    assert params["minTime"] == "2025-03-01T08:30:00Z"
    assert params["includeLatestBuilds"] == "true"
    assert params["$top"] == "5"
    assert params["api-version"] == "7.1"


def test_api_version_can_be_overridden_per_endpoint() -> None:
    client, recorder = make_client(lambda r: ado_json(OK), api_versions={"core.projects.list": "6.0"})
    client.get("core.projects.list", {"api-version": "1.0"})
    assert recorder.requests[0].url.params.get_list("api-version") == ["6.0"]


def test_request_url_keeps_its_own_query_and_is_checked() -> None:
    client, recorder = make_client(lambda r: ado_json({"id": 5}))
    url = "https://dev.azure.com/fabrikam/p/_apis/build/builds/5?propertyFilters=x"
    assert client.request_url("build.builds.get", url) == {"id": 5}
    params = recorder.requests[0].url.params
    assert (params["propertyFilters"], params["api-version"]) == ("x", "7.1")


def test_connection_data_uses_the_preview_version() -> None:
    me = {"authenticatedUser": {"id": "u-1"}}
    client, recorder = make_client(lambda r: ado_json(me))
    assert client.connection_data()["authenticatedUser"]["id"] == "u-1"
    assert recorder.requests[0].url.params["api-version"] == "7.1-preview.1"
    assert recorder.paths == ["/fabrikam/_apis/connectionData"]


def test_url_for_requires_exactly_the_template_segments() -> None:
    client, _ = make_client(lambda r: ado_json(OK))
    assert client.url_for("git.pullrequests.threads", project="p", repo="r", pr="3") == (
        "https://dev.azure.com/fabrikam/p/_apis/git/repositories/r/pullrequests/3/threads")
    with pytest.raises(TypeError, match="pr"):
        client.url_for("git.pullrequests.threads", project="p", repo="r")


def test_bounded_caps_requests_in_flight_across_threads() -> None:
    """``bounded(n)`` (a sync's concurrency) holds any further thread back until a request returns."""
    in_flight, most, lock = 0, 0, threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.02)
        with lock:
            in_flight -= 1
        return ado_json(OK)

    client, recorder = make_client(answer)
    with client.bounded(2), ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: client.get("core.projects.list"), range(12)))
    assert most == 2 and len(recorder.requests) == 12
