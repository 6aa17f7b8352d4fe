"""Generic paging checks over every registered list endpoint that pages (ENDPOINTS.md §0.5).

Which mechanism an endpoint has comes from its spec operation's parameters: ``$top``/``$skip`` (also
``searchCriteria.$top``/``$skip`` and ``top``/``skip``) and ``continuationToken``. For ``$top``/``$skip``
pages are disjoint and together equal the whole list; for continuation tokens the loop ends, repeats nothing,
equals the whole list, and tokens are sent back URL-encoded (they may hold ``+ / =``).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest

from adometrics.fake_ado.registry import ENDPOINTS, Endpoint
from adometrics.fake_ado.specs import load_library

PAGE = 2
BIG = 1000
TOP_NAMES = ("$top", "searchCriteria.$top", "top")
SKIP_NAMES = ("$skip", "searchCriteria.$skip", "skip")
IDENTITY_KEYS = ("id", "pullRequestId", "commitId", "pushId", "descriptor", "name")
# Filters that widen a list so the tiny world has enough items to page (PR lists default to active ones).
WIDEN = {
    "pulls.list": {"searchCriteria.status": "all"},
    "pulls.list.noproject": {"searchCriteria.status": "all"},
    "pulls.list_by_project": {"searchCriteria.status": "all"},
}
UNSAFE = re.compile(r"[^A-Za-z0-9_.~-]")  # characters a query value must percent-encode


def _paging(mechanism: str) -> list[str]:
    """Registered GET endpoints (content routes aside) whose spec operation offers ``mechanism``."""
    library = load_library()
    if library is None:
        return []
    found = []
    for ep in ENDPOINTS:
        if ep.method != "GET" or ep.content or not (ep.spec and ep.operation_id):
            continue
        op = library.operation(ep.spec, ep.operation_id)
        if op is None or not _is_list(library.spec(ep.spec), op):
            continue
        names = set(library.spec(ep.spec).parameter_names(op, "query"))
        if mechanism == "skip" and names & set(TOP_NAMES) and names & set(SKIP_NAMES):
            found.append(ep.name)
        if mechanism == "token" and "continuationToken" in names:
            found.append(ep.name)
    return sorted(found)


def _is_list(spec, op) -> bool:
    """A list response: a bare array in the spec, or a ``Paged*`` object (userentitlements)."""
    schema = spec.response_schema(op) or {}
    return schema.get("type") == "array" or (spec.item_definition(op) or "").startswith("Paged")


SKIP_PAGED = _paging("skip")
TOKEN_PAGED = _paging("token")
BY_NAME = {ep.name: ep for ep in ENDPOINTS}


def _names(ep: Endpoint) -> set[str]:
    library = load_library()
    op = library.operation(ep.spec, ep.operation_id)
    return set(library.spec(ep.spec).parameter_names(op, "query"))


def _items(body) -> list:
    for key in ("value", "items", "members"):
        if isinstance(body, dict) and isinstance(body.get(key), list):
            return body[key]
    raise AssertionError(f"no list in {str(body)[:200]}")


def _key(item) -> str:
    if isinstance(item, dict):
        for key in IDENTITY_KEYS:
            if key in item:
                return f"{key}={item[key]}"
    return json.dumps(item, sort_keys=True)


def _get(client, headers, url: str, query: dict[str, str]):
    """GET with every query value percent-encoded by us (``safe=""``), as a careful client sends it."""
    response = client.get(f"{url}?{urlencode(query, quote_via=quote, safe='')}", headers=headers)
    assert response.status_code == 200, f"{url} {query} -> {response.status_code} {response.text[:300]}"
    return response


def _whole(ep, world_client, world_headers, world_params, top: str | None) -> tuple[str, dict, list]:
    url, query, _ = world_params.request(ep)
    query.update(WIDEN.get(ep.name, {}))
    if top:
        query[top] = str(BIG)
    return url, query, [_key(i) for i in _items(_get(world_client, world_headers, url, query).json())]


@pytest.mark.parametrize("name", SKIP_PAGED)
def test_top_skip_pages_are_disjoint_and_cover_the_list(
    name, specs, world_client, world_headers, world_params
):
    ep = BY_NAME[name]
    names = _names(ep)
    top = next(n for n in TOP_NAMES if n in names)
    skip = next(n for n in SKIP_NAMES if n in names)
    url, query, whole = _whole(ep, world_client, world_headers, world_params, top)
    if len(whole) < 2:
        pytest.skip(f"{name}: only {len(whole)} item(s) in the tiny world, nothing to page")
    size = min(PAGE, len(whole) - 1)  # at least two pages
    seen: list[str] = []
    for page_number in range(BIG):
        page = _items(
            _get(
                world_client, world_headers, url, {**query, top: str(size), skip: str(page_number * size)}
            ).json()
        )
        assert len(page) <= size
        seen += [_key(i) for i in page]
        if len(page) < size:
            break
    assert len(seen) == len(set(seen)), f"{name}: pages overlap"
    assert seen == whole, f"{name}: the pages differ from the whole list"


def _token(response) -> str | None:
    header = response.headers.get("x-ms-continuationtoken")
    if header:
        return header
    body = response.json()
    return body.get("continuationToken") if isinstance(body, dict) else None


TOKENS_SEEN: list[str] = []


@pytest.mark.parametrize("name", TOKEN_PAGED)
def test_continuation_loop_ends_without_repeats(name, specs, world_client, world_headers, world_params):
    ep = BY_NAME[name]
    names = _names(ep)
    top = next((n for n in TOP_NAMES if n in names), None)
    url, query, whole = _whole(ep, world_client, world_headers, world_params, top)
    if top is not None:
        query[top] = str(PAGE)
    seen: list[str] = []
    token = None
    for _ in range(BIG):
        response = _get(
            world_client, world_headers, url, {**query, **({"continuationToken": token} if token else {})}
        )
        seen += [_key(i) for i in _items(response.json())]
        token = _token(response)
        if not token:
            break
        TOKENS_SEEN.append(token)
    else:
        pytest.fail(f"{name}: the continuation loop did not end")
    assert len(seen) == len(set(seen)), f"{name}: a page repeated items"
    if top is not None:  # without $top the first answer is just the server's first page
        assert seen == whole, f"{name}: the pages differ from the whole list"
    else:
        assert seen[: len(whole)] == whole


def test_some_token_needed_url_encoding_and_round_tripped():
    """Runs after the loops above (file order): at least one token carried ``+``, ``/`` or ``=``."""
    if not TOKEN_PAGED or not TOKENS_SEEN:
        pytest.skip("no continuation-token endpoint paged in this run")
    assert any(UNSAFE.search(t) for t in TOKENS_SEEN), TOKENS_SEEN[:5]


def test_the_registry_has_paged_endpoints_of_both_kinds(specs):
    assert SKIP_PAGED and TOKEN_PAGED
