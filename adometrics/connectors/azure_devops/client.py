"""The Azure DevOps HTTP client: allow-listed metadata endpoints only, paced, retried, counted.

Every request goes through the same steps: host allow-list and content deny-list (no I/O yet), the named
endpoint's template, the identity's rate limiter (waits out ``Retry-After``), the injected ``httpx.Client``
(redirects never followed), then one classification of the answer into data or one of the errors in
:mod:`.errors`. Transient failures are retried with ``stamina`` (exponential backoff with jitter); a 429 is
retried after exactly the wait ADO asked for, which the limiter enforces.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import stamina

from . import endpoints as eps
from .auth import DEFAULT_HEADERS, identity_of, sign_in_failure
from .endpoints import Endpoint
from .errors import (
    AuthenticationError,
    EndpointNotAllowed,
    MalformedResponseError,
    NetworkError,
    ServerError,
    ThrottledError,
    UnexpectedResponseError,
    error_for_status,
    parse_error_body,
)
from .hosts import HostAllowList, HostDirectory, parse_org_url
from .pagination import (
    BodyTokenPaginator,
    HeaderTokenPaginator,
    Page,
    PageResponse,
    Params,
    TopSkipPaginator,
    items_of,
)
from .ratelimit import RateLimiter

T = TypeVar("T")
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


_DECODING = threading.Lock()  # one page decoded and parsed at a time in this process (see Listing)


class Listing:
    """The pages of one listing, fetched as they are iterated.

    Decoding a page of a thousand builds makes ~14 MB of short-lived dicts. A sync decoding pages on many
    threads at once would hold several of them together, and the allocator keeps that high-water mark for
    the rest of the run. So once a page's answer has arrived, it is decoded and turned into records
    (:meth:`parsed`) under one lock per process: that work is CPU-bound (the GIL runs one thread of it at a
    time anyway), requests still overlap, and at most one page of raw dicts is alive at any moment however
    many streams run side by side.
    """

    def __init__(self, pages: Callable[[Callable[[], None]], Iterator[Page]]) -> None:
        self._holding = False
        self._pages = pages(self._hold)  # calls _hold once an answer is in, before decoding it

    def _hold(self) -> None:
        _DECODING.acquire()
        self._holding = True

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            _DECODING.release()

    def parsed(self, parse: Callable[[Page], T]) -> Iterator[T]:
        """``parse(page)`` for each page, decoded and parsed under the lock; the raw page is dropped before
        the result is handed on."""
        try:
            for page in self._pages:
                try:
                    result = parse(page)
                finally:
                    del page
                    self._release()
                yield result
        finally:
            self._release()

    def __iter__(self) -> Iterator[Page]:
        """The raw pages, handed on outside the lock (for a reader that keeps them)."""
        return self.parsed(lambda page: page)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long transient failures are retried (passed to ``stamina``)."""

    attempts: int = 5
    timeout: float | None = 900.0  # seconds for all attempts, throttling waits included
    wait_initial: float = 1.0
    wait_max: float = 30.0
    wait_jitter: float = 1.0


def make_http_client(timeout: float = 30.0, **kwargs: Any) -> httpx.Client:
    """The production ``httpx.Client``: no redirects, no proxy or ``.netrc`` from the environment (a
    credential must not leak to a host we did not choose)."""
    return httpx.Client(
        timeout=timeout, follow_redirects=False, trust_env=False, headers=DEFAULT_HEADERS, **kwargs
    )


class AdoClient:
    """One organization seen through one credential.

    ``http_client`` is injected (production: :func:`make_http_client`; tests: a ``MockTransport`` client, or
    Starlette's ``TestClient`` over the simulator). ``allowed_hosts`` are the ``ADOMETRICS_ALLOWED_HOSTS``
    entries. ``identity`` keys the rate limiter (ADO meters per user, so pass the user's id when several
    tokens belong to one user); by default it is a fingerprint of the credential. ``api_versions`` overrides
    the api-version of endpoints by name (an older Azure DevOps Server)."""

    def __init__(
        self,
        org_url: str,
        http_client: httpx.Client,
        auth: httpx.Auth,
        *,
        allowed_hosts: tuple[str, ...] = (),
        limiter: RateLimiter | None = None,
        identity: str | None = None,
        retry: RetryPolicy | None = None,
        api_versions: Mapping[str, str] | None = None,
    ) -> None:
        self.allow = HostAllowList(allowed_hosts)
        self.org = parse_org_url(org_url, self.allow)
        self.hosts = HostDirectory(self.org, self.allow, self.resource_areas)
        self.http = http_client
        self.auth = auth
        self.limiter = limiter or RateLimiter()
        self.identity = identity or identity_of(auth)
        self.retry = retry or RetryPolicy()
        self.api_versions = dict(api_versions or {})
        self.api_calls: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        self._gate: threading.BoundedSemaphore | None = None

    # -- public API ----------------------------------------------------------------------------------

    def get(self, endpoint: str, params: Mapping[str, Any] | None = None, **segments: str | int) -> Any:
        """GET an allow-listed endpoint; returns the decoded JSON (None for an empty body)."""
        return self._json(*self._request(endpoint, "GET", params, None, segments))

    def post(self, endpoint: str, json: Any, params: Mapping[str, Any] | None = None,
             **segments: str | int) -> Any:
        """POST to an allow-listed endpoint (commitsbatch, statuses, hook subscriptions)."""
        return self._json(*self._request(endpoint, "POST", params, json, segments))

    def send(self, endpoint: str, json: Any = None, params: Mapping[str, Any] | None = None,
             **segments: str | int) -> Any:
        """Call an endpoint with its own method (PUT/PATCH/DELETE ones included)."""
        ep = eps.endpoint(endpoint)
        return self._json(*self._request(endpoint, ep.method, params, json, segments))

    def request_url(self, endpoint: str, url: str, params: Mapping[str, Any] | None = None,
                    json: Any = None) -> Any:
        """Call an absolute URL (e.g. a ``url`` field ADO returned) with the endpoint's method; the URL is
        checked like any other and must be the endpoint named."""
        ep = eps.endpoint(endpoint)
        return self._json(ep, self._call(ep, ep.method, url, params, json))

    def paged(
        self,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        *,
        json: Any = None,
        page_size: int | None = None,
        **segments: str | int,
    ) -> Listing:
        """The pages of a listing (lists of raw dicts) with the endpoint's own paging mechanism; an endpoint
        without paging has one page. ``page_size`` overrides the endpoint's default, but for ``$top``/
        ``$skip`` listings it can only lower it (a page capped by ADO would look like the end)."""
        ep = eps.endpoint(endpoint)

        def pages(hold: Callable[[], None]) -> Iterator[Page]:
            url = self.url_for(endpoint, **segments)  # on first use, like every request

            def fetch(query: Params) -> PageResponse:
                response = self._call(ep, ep.method, url, query, json)
                hold()
                return PageResponse(self._json(ep, response), response.headers)

            if ep.paging == "none":
                yield Page(items_of(fetch(dict(params or {})).body, what=ep.name), None)
                return
            yield from self._paginator(ep, page_size).pages(fetch, dict(params or {}))

        return Listing(pages)

    @contextmanager
    def bounded(self, calls: int) -> Iterator[None]:
        """At most ``calls`` requests of this client in flight meanwhile (a sync's concurrency), whatever
        the number of threads using it: they may parse one answer while others wait for theirs."""
        previous, self._gate = self._gate, threading.BoundedSemaphore(max(1, calls))
        try:
            yield
        finally:
            self._gate = previous

    def connection_data(self) -> dict[str, Any]:
        """Who the credential is in this organization (``authenticatedUser.id``); a cheap first call."""
        return self.get("core.connection_data")

    def resource_areas(self) -> list[dict[str, Any]]:
        """Every resource area of the organization with its ``locationUrl`` (host discovery)."""
        return items_of(self.get("core.resource_areas.list"), what="core.resource_areas.list")

    def url_for(self, endpoint: str, **segments: str | int) -> str:
        """The URL of an endpoint; each segment value is percent-encoded as one path segment."""
        ep = eps.endpoint(endpoint)
        names = [n for n in ep.segments() if n != "org"]
        if set(segments) != set(names):
            raise TypeError(f"{ep.name} needs path segments {names}, got {sorted(segments)}")
        values = {n: quote(str(v), safe="") for n, v in segments.items()}
        if any(v in ("", ".", "..") for v in values.values()):
            raise EndpointNotAllowed(f"{ep.name}: an empty or dot path segment changes the route; refused.")
        path = ep.template.format(org=quote(self.org.name, safe=""), **values)
        return self.hosts.root(ep.host) + path

    def api_version(self, ep: Endpoint) -> str:
        return self.api_versions.get(ep.name, ep.api_version)

    # -- one request ----------------------------------------------------------------------------------

    def _request(self, endpoint: str, method: str, params: Mapping[str, Any] | None, json: Any,
                 segments: Mapping[str, str | int]) -> tuple[Endpoint, httpx.Response]:
        ep = eps.endpoint(endpoint)
        if ep.method != method:
            raise EndpointNotAllowed(f"{ep.name} is a {ep.method} endpoint; {method} refused.")
        return ep, self._call(ep, method, self.url_for(endpoint, **segments), params, json)

    def _call(self, ep: Endpoint, method: str, url: str, params: Mapping[str, Any] | None,
              json: Any) -> httpx.Response:
        target, query = self._check(ep, method, url, params)
        policy = self.retry
        for attempt in stamina.retry_context(
            on=_retry_hook(ep), attempts=policy.attempts, timeout=policy.timeout,
            wait_initial=policy.wait_initial, wait_max=policy.wait_max, wait_jitter=policy.wait_jitter,
        ):
            with attempt:
                return self._send_once(ep, method, target, query, json, attempt.num)
        raise AssertionError("unreachable: stamina re-raises the last failure")  # pragma: no cover

    def _check(self, ep: Endpoint, method: str, url: str,
               params: Mapping[str, Any] | None) -> tuple[httpx.URL, dict[str, str]]:
        """All the refusals, before any I/O on this URL: host, deny-list, then the named endpoint."""
        parsed = self.allow.check(url)
        query = dict(parsed.params.multi_items())
        query.update((k, _query_value(v)) for k, v in (params or {}).items())
        query["api-version"] = self.api_version(ep)
        path = parsed.raw_path.decode("ascii").split("?", 1)[0]
        eps.check_denied(method, parsed.host, path, query.items())
        root = httpx.URL(self.hosts.root(ep.host))
        prefix = root.raw_path.decode("ascii").rstrip("/")
        same_host = (parsed.scheme, parsed.netloc.lower()) == (root.scheme, root.netloc.lower())
        if not same_host or not path.lower().startswith(prefix.lower() + "/"):
            raise EndpointNotAllowed(f"{url} is not on the {ep.host} host of {self.org.name}; refused.")
        eps.match(ep, method, path[len(prefix):], self.org.name)
        return parsed.copy_with(query=None), query

    def _send_once(self, ep: Endpoint, method: str, url: httpx.URL, query: dict[str, str], json: Any,
                   attempt: int) -> httpx.Response:
        headers = dict(DEFAULT_HEADERS)
        if json is not None:
            patch = method == "PATCH"  # ADO's PATCH bodies are JSON Patch documents
            headers["Content-Type"] = "application/json-patch+json" if patch else "application/json"
        request = self.http.build_request(method, url, params=query, json=json, headers=headers)
        with self._gate or nullcontext(), self.limiter.slot(self.identity):
            with self._count_lock:
                self.api_calls[ep.name] += 1
            try:
                response = self.http.send(request, auth=self.auth, follow_redirects=False)
            except httpx.TransportError as exc:
                raise _network_error(ep, url, exc) from exc
            pause = self.limiter.observe(self.identity, response.status_code, response.headers, attempt)
        _raise_for(ep, response, pause)
        return response

    def _json(self, ep: Endpoint, response: httpx.Response) -> Any:
        """Decode a success body; anything but JSON is dropped unread, never parsed or stored."""
        if response.status_code == 204 or not response.content:
            return None
        if "json" not in response.headers.get("content-type", "").lower():
            raise MalformedResponseError(
                f"{ep.name}: Azure DevOps answered with {response.headers.get('content-type') or 'no type'} "
                "instead of JSON; the body was discarded.", status=response.status_code, endpoint=ep.name)
        try:
            return response.json()
        except ValueError:
            raise MalformedResponseError(f"{ep.name}: the JSON body could not be decoded; skipped.",
                                         status=response.status_code, endpoint=ep.name) from None

    def _paginator(self, ep: Endpoint, page_size: int | None):
        size = min(page_size, ep.page_size) if page_size else ep.page_size
        if ep.paging == "top_skip":
            return TopSkipPaginator(size, ep.top_param or "$top", ep.skip_param, what=ep.name)
        if ep.paging == "header_token":
            return HeaderTokenPaginator(page_size or ep.page_size, ep.top_param, what=ep.name)
        return BodyTokenPaginator(what=ep.name)


def _query_value(value: Any) -> str:
    """ADO expects ``true``/``false`` and ISO 8601 dates in query strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def _retry_hook(ep: Endpoint):
    """What stamina may retry: 429 at once (the limiter waits exactly Retry-After), 5xx and network
    failures with backoff — for calls that may be repeated, or that surely never reached ADO."""

    def hook(exc: Exception) -> bool | float:
        if isinstance(exc, ThrottledError):
            return 0.0
        if isinstance(exc, NetworkError):
            return ep.idempotent or not exc.sent
        if isinstance(exc, ServerError):
            return ep.idempotent
        return False

    return hook


def _network_error(ep: Endpoint, url: httpx.URL, exc: httpx.TransportError) -> NetworkError:
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return NetworkError(
        f"Could not reach {url.host} for {ep.name} ({detail}); check the network, proxy or firewall.",
        endpoint=ep.name, sent=not isinstance(exc, _NOT_SENT),
    )


def _raise_for(ep: Endpoint, response: httpx.Response, pause: float) -> None:
    """Turn a non-success answer into the matching error; sign-in pages count as refused credentials.
    ``pause`` is the wait the limiter imposed (Retry-After, or its own fallback on a bare 429)."""
    reason = sign_in_failure(response)
    if reason:
        raise AuthenticationError(
            f"Azure DevOps answered {ep.name} with {reason}: the credential was not accepted. Check that the "
            "token is valid and not expired, then reconnect.", status=response.status_code, endpoint=ep.name)
    status = response.status_code
    if status < 300:
        return
    if status < 400:
        raise UnexpectedResponseError(
            f"Azure DevOps redirected {ep.name} (HTTP {status}) to {response.headers.get('location', '?')}; "
            "redirects are not followed. Check the organization URL.", status=status, endpoint=ep.name)
    raise error_for_status(status, parse_error_body(response), ep.name, ep.scopes, pause or None)
