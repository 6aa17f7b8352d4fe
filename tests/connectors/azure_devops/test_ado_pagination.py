"""The three paging mechanisms, resume positions, token encoding and loop detection."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from ado_fakes import ado_json, make_client

from adometrics.connectors.azure_devops.errors import MalformedResponseError, PaginationLoopError
from adometrics.connectors.azure_devops.pagination import (
    BodyTokenPaginator,
    HeaderTokenPaginator,
    PageResponse,
    TopSkipPaginator,
    items_of,
)

NASTY_TOKEN = "+RID:~a/b==#RT:1#TRC:100"


def _rows(start: int, stop: int) -> list[dict[str, int]]:
    return [{"id": i} for i in range(start, stop)]


# -- $top / $skip --------------------------------------------------------------------------------


def test_top_skip_stops_on_a_short_page() -> None:
    calls: list[dict[str, Any]] = []

    def fetch(params: dict[str, Any]) -> PageResponse:
        calls.append(params)
        start = params["$skip"]
        return PageResponse({"count": 0, "value": _rows(start, min(start + params["$top"], 7))}, {})

    pages = list(TopSkipPaginator(3).pages(fetch, {"searchCriteria.status": "all"}))
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [c["$skip"] for c in calls] == [0, 3, 6]
    assert all(c["searchCriteria.status"] == "all" for c in calls)
    assert pages[0].next_params == {"searchCriteria.status": "all", "$skip": 3}
    assert pages[-1].next_params is None


def test_top_skip_exact_multiple_ends_with_an_empty_page() -> None:
    fetch = _serve_slice(_rows(0, 4))
    pages = list(TopSkipPaginator(2).pages(fetch, {}))
    assert [len(p) for p in pages] == [2, 2, 0]


def test_top_skip_resumes_from_a_stored_position() -> None:
    pages = list(TopSkipPaginator(2).pages(_serve_slice(_rows(0, 5)), {"$skip": 2}))
    assert [row["id"] for page in pages for row in page] == [2, 3, 4]


def test_top_skip_uses_the_endpoint_parameter_names() -> None:
    seen: list[dict[str, Any]] = []

    def fetch(params: dict[str, Any]) -> PageResponse:
        seen.append(params)
        return PageResponse({"value": []}, {})

    list(TopSkipPaginator(50, "searchCriteria.$top", "searchCriteria.$skip").pages(fetch, {}))
    assert seen == [{"searchCriteria.$top": 50, "searchCriteria.$skip": 0}]


def test_top_skip_detects_a_server_ignoring_skip() -> None:
    with pytest.raises(PaginationLoopError, match="same page"):
        list(TopSkipPaginator(2, what="git.pushes.list").pages(lambda p: PageResponse(
            {"value": _rows(0, 2)}, {}), {}))


def _serve_slice(rows: list[dict[str, int]]):
    def fetch(params: dict[str, Any]) -> PageResponse:
        skip, top = params.get("$skip", 0), params["$top"]
        return PageResponse({"value": rows[skip: skip + top]}, {})

    return fetch


# -- continuation token in a header --------------------------------------------------------------


def test_header_token_follows_until_the_header_is_absent() -> None:
    tokens = {None: ("t1", _rows(0, 2)), "t1": ("t2", _rows(2, 4)), "t2": (None, _rows(4, 5))}
    sent: list[Any] = []

    def fetch(params: dict[str, Any]) -> PageResponse:
        sent.append(params.get("continuationToken"))
        nxt, rows = tokens[params.get("continuationToken")]
        return PageResponse({"value": rows}, {"x-ms-continuationtoken": nxt} if nxt else {})

    pages = list(HeaderTokenPaginator(page_size=2).pages(fetch, {"queryOrder": "finishTimeAscending"}))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sent == [None, "t1", "t2"]
    assert pages[0].next_params == {"queryOrder": "finishTimeAscending", "$top": 2, "continuationToken": "t1"}
    assert pages[-1].next_params is None


def test_header_token_keeps_going_through_empty_pages() -> None:
    script = iter([({"value": []}, "a"), ({"value": _rows(0, 1)}, None)])

    def fetch(params: dict[str, Any]) -> PageResponse:
        body, token = next(script)
        return PageResponse(body, {"X-MS-ContinuationToken": token} if token else {})

    assert [len(p) for p in HeaderTokenPaginator().pages(fetch, {})] == [0, 1]


def test_header_token_repeated_is_a_loop() -> None:
    counter = iter(range(100))

    def fetch(params: dict[str, Any]) -> PageResponse:
        return PageResponse({"value": [{"n": next(counter)}]}, {"x-ms-continuationtoken": "same"})

    with pytest.raises(PaginationLoopError, match="'same' twice"):
        list(HeaderTokenPaginator(what="build.builds.list").pages(fetch, {}))


def test_header_token_returning_the_first_page_again_is_a_loop() -> None:
    tokens = iter(["t1", "t2", "t3"])

    def fetch(params: dict[str, Any]) -> PageResponse:  # a new token each time, but always page 1
        return PageResponse({"value": _rows(0, 3)}, {"x-ms-continuationtoken": next(tokens)})

    with pytest.raises(PaginationLoopError, match="same page"):
        list(HeaderTokenPaginator().pages(fetch, {}))


def test_header_token_is_url_encoded_on_the_wire() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if "continuationToken" not in request.url.params:
            headers = {"x-ms-continuationtoken": NASTY_TOKEN}
            return ado_json({"count": 1, "value": [{"id": 1}]}, headers=headers)
        return ado_json({"count": 1, "value": [{"id": 2}]})

    client, recorder = make_client(answer)
    pages = list(client.paged("build.builds.list", {"queryOrder": "finishTimeAscending"}, project="p"))
    assert [p[0]["id"] for p in pages] == [1, 2]
    raw = recorder.requests[1].url.query.decode()
    assert "continuationToken=%2BRID%3A~a%2Fb%3D%3D%23RT%3A1%23TRC%3A100" in raw
    assert recorder.requests[1].url.params["continuationToken"] == NASTY_TOKEN


# -- continuation token in the body ---------------------------------------------------------------


def test_body_token_reads_items_or_members_and_encodes_the_token() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/resourceAreas"):
            return ado_json({"count": 0, "value": []})  # no discovery: the fixed cloud host
        if request.url.params.get("continuationToken") == NASTY_TOKEN:
            return ado_json({"members": [{"id": "u2"}], "continuationToken": None, "totalCount": 2})
        return ado_json({"items": [{"id": "u1"}], "continuationToken": NASTY_TOKEN, "totalCount": 2})

    client, recorder = make_client(answer)
    pages = list(client.paged("entitlements.users.list", {"select": "license"}))
    assert [p[0]["id"] for p in pages] == ["u1", "u2"]
    listing = [r for r in recorder.requests if r.url.path.endswith("/userentitlements")]
    assert [r.url.host for r in listing] == ["vsaex.dev.azure.com"] * 2
    assert b"continuationToken=%2BRID%3A~a%2Fb%3D%3D%23RT%3A1%23TRC%3A100" in listing[1].url.query
    assert listing[1].url.params["select"] == "license"


def test_body_token_repeated_is_a_loop() -> None:
    n = iter(range(10))

    def fetch(params: dict[str, Any]) -> PageResponse:
        return PageResponse({"items": [{"i": next(n)}], "continuationToken": "abc"}, {})

    with pytest.raises(PaginationLoopError):
        list(BodyTokenPaginator().pages(fetch, {}))


def test_body_token_stops_on_empty_token() -> None:
    pages = list(BodyTokenPaginator().pages(
        lambda p: PageResponse({"items": _rows(0, 2), "continuationToken": ""}, {}), {}))
    assert [len(p) for p in pages] == [2]


def test_items_of_shapes() -> None:
    assert items_of([{"a": 1}]) == [{"a": 1}]
    assert items_of({"count": 0, "value": []}) == []
    with pytest.raises(MalformedResponseError):
        items_of({"unexpected": 1})
    with pytest.raises(MalformedResponseError):
        items_of("text")


def test_unpaged_listing_yields_one_page() -> None:
    client, recorder = make_client(lambda r: ado_json({"count": 2, "value": [{"id": "a"}, {"id": "b"}]}))
    pages = list(client.paged("git.repositories.list", project="p"))
    assert [list(p) for p in pages] == [[{"id": "a"}, {"id": "b"}]]
    assert len(recorder.requests) == 1


def test_page_size_cannot_exceed_the_endpoint_cap_for_top_skip() -> None:
    client, recorder = make_client(lambda r: ado_json({"count": 0, "value": []}))
    list(client.paged("git.pullrequests.list", page_size=5000, project="p", repo="r"))
    list(client.paged("git.pullrequests.list", page_size=10, project="p", repo="r"))
    assert [r.url.params["$top"] for r in recorder.requests] == ["1000", "10"]
