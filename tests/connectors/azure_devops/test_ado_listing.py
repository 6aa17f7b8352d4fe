"""A listing's memory: one page of raw dicts decoded at a time per process, none kept between pages."""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

import httpx
import pytest
from ado_fakes import ado_json, make_client

from adometrics.connectors.azure_devops import client as client_module
from adometrics.connectors.azure_devops.collectors.base import batches
from adometrics.connectors.azure_devops.errors import MalformedResponseError, PaginationLoopError
from adometrics.connectors.azure_devops.pagination import (
    BodyTokenPaginator,
    HeaderTokenPaginator,
    PageResponse,
    TopSkipPaginator,
)


class Raw(dict):
    """A decoded item that can be watched (plain dicts take no weak references)."""


def _top_skip(params: dict[str, Any]) -> PageResponse:
    start = params["$skip"]
    return PageResponse({"value": [Raw(id=i) for i in range(start, min(start + 2, 5))]}, {})


def _header_token(params: dict[str, Any]) -> PageResponse:
    n = int(params.get("continuationToken") or 0)
    return PageResponse({"value": [Raw(id=n)]}, {"x-ms-continuationtoken": str(n + 1)} if n < 2 else {})


def _body_token(params: dict[str, Any]) -> PageResponse:
    n = int(params.get("continuationToken") or 0)
    return PageResponse({"items": [Raw(id=n)], "continuationToken": str(n + 1) if n < 2 else None}, {})


@pytest.mark.parametrize(("paginator", "fetch"), [
    (TopSkipPaginator(2), _top_skip),
    (HeaderTokenPaginator(), _header_token),
    (BodyTokenPaginator(), _body_token),
])
def test_a_paginator_keeps_no_page_while_the_next_is_fetched(paginator, fetch) -> None:
    pages = paginator.pages(fetch, {})
    seen = 0
    for page in pages:
        watched = weakref.ref(page[0])
        seen += 1
        del page
        assert watched() is None, "the paginator still holds the page it handed on"
    assert seen == 3


def _paged_answer(pages: int, delay: float, in_flight: list[int], lock: threading.Lock):
    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        time.sleep(delay)
        with lock:
            in_flight[0] -= 1
        n = int(request.url.params.get("continuationToken") or 0)
        headers = {"x-ms-continuationtoken": str(n + 1)} if n + 1 < pages else {}
        return ado_json({"count": 1, "value": [{"id": n}]}, headers=headers)
    return answer


def test_pages_are_parsed_one_at_a_time_while_requests_overlap() -> None:
    in_flight, counts = [0, 0], threading.Lock()
    client, _ = make_client(_paged_answer(4, 0.05, in_flight, counts))
    parsing, most = [0], [0]

    def parse(raw: dict) -> int:
        with counts:
            parsing[0] += 1
            most[0] = max(most[0], parsing[0])
        time.sleep(0.01)  # long enough for another thread to start parsing, were it allowed
        with counts:
            parsing[0] -= 1
        return raw["id"]

    results: list[list[int]] = []

    def read() -> None:
        listing = client.paged("build.builds.list", project="p")
        results.append([r for batch in batches(listing, "build", parse) for r in batch.records])

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == [[0, 1, 2, 3]] * 3
    assert most[0] == 1
    assert in_flight[1] >= 2, "requests should still overlap"
    assert not client_module._DECODING.locked()


def test_the_lock_is_released_when_a_page_cannot_be_read() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("continuationToken"):
            return httpx.Response(200, content=b"{not json", headers={"content-type": "application/json"})
        return ado_json({"value": [{"id": 1}]}, headers={"x-ms-continuationtoken": "next"})

    client, _ = make_client(answer)
    with pytest.raises(MalformedResponseError):
        list(batches(client.paged("build.builds.list", project="p"), "build", lambda raw: raw["id"]))
    assert not client_module._DECODING.locked()


def test_the_lock_is_released_when_the_listing_loops_or_its_reader_fails() -> None:
    client, _ = make_client(lambda request: ado_json({"value": [{"id": 1}]},
                                                     headers={"x-ms-continuationtoken": "same"}))
    with pytest.raises(PaginationLoopError):
        list(client.paged("build.builds.list", project="p"))
    assert not client_module._DECODING.locked()

    def failing(raw: dict) -> int:
        raise RuntimeError("a parser bug")

    with pytest.raises(RuntimeError, match="parser bug"):
        list(batches(client.paged("build.builds.list", project="p"), "build", failing))
    assert not client_module._DECODING.locked()
