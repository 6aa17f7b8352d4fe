"""ADO's three paging mechanisms (ENDPOINTS.md §0.5), each as a generator of pages of raw dicts.

A paginator knows only how to ask for the next page and when to stop; the client does the HTTP, and parsing
into domain records happens elsewhere. Every paginator refuses to loop: a continuation token seen before, or
a page identical to an earlier one (a server ignoring ``$skip``, the builds token that "returned the first
page again", BEHAVIOUR.md §8), raises :class:`PaginationLoopError` instead of repeating forever.

Each page is a :class:`Page` — a plain list with ``next_params``: the query that fetches the page after it
(None on the last one), which a checkpoint can store to resume a listing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import MalformedResponseError, PaginationLoopError

Params = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PageResponse:
    """What a paginator needs from one HTTP answer: the decoded JSON body and the headers."""

    body: Any
    headers: Mapping[str, str]


Fetch = Callable[[Params], PageResponse]


class Page(list):
    """One page of raw items; ``next_params`` resumes the listing after it (None: this was the last)."""

    next_params: Params | None = None

    def __init__(self, items: list[Any], next_params: Params | None) -> None:
        super().__init__(items)
        self.next_params = next_params


def items_of(body: Any, keys: tuple[str, ...] = ("value",), what: str = "listing") -> list[Any]:
    """The items of a collection body: a bare list, or the first of ``keys`` present in an object."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in keys:
            if isinstance(body.get(key), list):
                return body[key]
        if not any(key in body for key in keys):
            raise MalformedResponseError(f"{what}: the response has no {' or '.join(keys)} list.")
        return []
    raise MalformedResponseError(f"{what}: expected a JSON list or object, got {type(body).__name__}.")


class _LoopGuard:
    """Remembers tokens and page fingerprints of one listing."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._tokens: set[str] = set()
        self._pages: set[str] = set()

    def token(self, token: str) -> None:
        if token in self._tokens:
            raise PaginationLoopError(
                f"{self.what}: Azure DevOps returned the continuation token {token!r} twice; stopped the "
                "listing instead of looping. Items read so far are kept; the next sync retries it.",
                endpoint=self.what,
            )
        self._tokens.add(token)

    def page(self, items: list[Any]) -> None:
        if not items:
            return
        digest = hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()
        if digest in self._pages:
            raise PaginationLoopError(
                f"{self.what}: Azure DevOps returned the same page of {len(items)} items twice; stopped the "
                "listing instead of looping. Items read so far are kept; the next sync retries it.",
                endpoint=self.what,
            )
        self._pages.add(digest)


@dataclass(frozen=True, slots=True)
class TopSkipPaginator:
    """``$top``/``$skip``: ask for ``page_size``; a shorter page is the last (no total is returned).
    ``page_size`` must not exceed ADO's cap for the endpoint, or a capped page would look like the end."""

    page_size: int
    top_param: str = "$top"
    skip_param: str = "$skip"
    item_keys: tuple[str, ...] = ("value",)
    what: str = "listing"

    def pages(self, fetch: Fetch, params: Mapping[str, Any]) -> Iterator[Page]:
        guard = _LoopGuard(self.what)

        def step(query: Params) -> tuple[Page, Params | None]:
            skip = int(query.get(self.skip_param) or 0)
            body = fetch({**query, self.top_param: self.page_size, self.skip_param: skip}).body
            items = items_of(body, self.item_keys, self.what)
            guard.page(items)
            following = None if len(items) < self.page_size else {**query, self.skip_param: skip + len(items)}
            return Page(items, following), following

        return _walk(step, {**params, self.skip_param: int(params.get(self.skip_param) or 0)})


@dataclass(frozen=True, slots=True)
class HeaderTokenPaginator:
    """Continuation token in the ``x-ms-continuationtoken`` response header, sent back as the
    ``continuationToken`` query parameter (httpx percent-encodes it, ``+ / = #`` included); the listing
    ends when the header is absent or empty."""

    page_size: int | None = None
    top_param: str | None = "$top"
    header: str = "x-ms-continuationtoken"
    token_param: str = "continuationToken"
    item_keys: tuple[str, ...] = ("value",)
    what: str = "listing"

    def pages(self, fetch: Fetch, params: Mapping[str, Any]) -> Iterator[Page]:
        guard = _LoopGuard(self.what)
        query: Params = dict(params)
        if self.top_param and self.page_size:
            query[self.top_param] = self.page_size
        if query.get(self.token_param):
            guard.token(str(query[self.token_param]))

        def step(query: Params) -> tuple[Page, Params | None]:
            response = fetch(query)
            items = items_of(response.body, self.item_keys, self.what)
            guard.page(items)
            token = _header(response.headers, self.header)
            if token:
                guard.token(token)
            following = {**query, self.token_param: token} if token else None
            return Page(items, following), following

        return _walk(step, query)


@dataclass(frozen=True, slots=True)
class BodyTokenPaginator:
    """Continuation token in the JSON body (``userentitlements``: ``{items|members, continuationToken,
    totalCount}``); the listing ends when the token is null, empty or absent."""

    item_keys: tuple[str, ...] = ("items", "members")
    token_key: str = "continuationToken"
    token_param: str = "continuationToken"
    what: str = "listing"

    def pages(self, fetch: Fetch, params: Mapping[str, Any]) -> Iterator[Page]:
        guard = _LoopGuard(self.what)
        query: Params = dict(params)
        if query.get(self.token_param):
            guard.token(str(query[self.token_param]))

        def step(query: Params) -> tuple[Page, Params | None]:
            body = fetch(query).body
            items = items_of(body, self.item_keys, self.what)
            guard.page(items)
            raw = body.get(self.token_key) if isinstance(body, dict) else None
            token = str(raw) if raw not in (None, "") else None
            if token:
                guard.token(token)
            following = {**query, self.token_param: token} if token else None
            return Page(items, following), following

        return _walk(step, query)


def _walk(step: Callable[[Params], tuple[Page, Params | None]], query: Params) -> Iterator[Page]:
    """The pages ``step`` fetches, from ``query`` until it gives no next query. Between pages the generator
    keeps only the next query, never a page: a page's raw dicts are freed as soon as its reader is done
    with them, not when the next page (a request later) replaces them."""
    following: list[Params | None] = [query]

    def advance() -> Page:
        page, following[0] = step(following[0])
        return page

    while following[0] is not None:
        yield advance()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # a plain dict with other casing
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    if value is None:
        return None
    return value.strip() or None


Paginator = TopSkipPaginator | HeaderTokenPaginator | BodyTokenPaginator
