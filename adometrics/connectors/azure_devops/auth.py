"""Credentials as ``httpx.Auth`` objects, and the checks for sign-in pages that do not look like a 401.

ADO answers a bad credential with a 401, but also with a 203 HTML sign-in page or a 302 to a login host
(BEHAVIOUR.md §3). We ask it not to (``X-TFS-FedAuthRedirect: Suppress``) and still treat those answers as
authentication failures, never as data.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Generator
from typing import Protocol, runtime_checkable

import httpx

# Sent on every request (ENDPOINTS.md §0.6).
DEFAULT_HEADERS = {
    "Accept": "application/json",
    "X-TFS-FedAuthRedirect": "Suppress",
    "User-Agent": "adometrics",
}
SIGN_IN_HOSTS = (
    "login.microsoftonline.com",
    "login.microsoft.com",
    "login.live.com",
    "login.windows.net",
)


def _fingerprint(secret: str) -> str:
    """A stable, non-reversible key for a credential (limiter state, logs): never the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


class PatAuth(httpx.Auth):
    """A personal access token as HTTP Basic with an empty user name (BEHAVIOUR.md §4)."""

    def __init__(self, token: str) -> None:
        if not token or not token.strip():
            raise ValueError("empty personal access token")
        self._header = "Basic " + base64.b64encode(f":{token.strip()}".encode()).decode("ascii")
        self.identity = "pat:" + _fingerprint(token.strip())

    def __repr__(self) -> str:  # keep the token out of tracebacks and logs
        return f"PatAuth(identity={self.identity!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


@runtime_checkable
class BearerTokenProvider(Protocol):
    """Where OAuth access tokens come from (MSAL later). ``identity`` keys the rate limiter;
    ``get_token(force_refresh=True)`` must not return the token that was just refused."""

    identity: str

    def get_token(self, *, force_refresh: bool = False) -> str: ...


class BearerAuth(httpx.Auth):
    """An Entra access token; on a 401 (or the 203 sign-in page) it refreshes once and retries."""

    def __init__(self, provider: BearerTokenProvider) -> None:
        self._provider = provider
        self.identity = provider.identity

    def __repr__(self) -> str:
        return f"BearerAuth(identity={self.identity!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._provider.get_token()}"
        response = yield request
        if response.status_code in (401, 203):
            request.headers["Authorization"] = f"Bearer {self._provider.get_token(force_refresh=True)}"
            yield request


def identity_of(auth: httpx.Auth) -> str:
    """The limiter key of a credential built here; other ``httpx.Auth`` objects get one per instance."""
    return getattr(auth, "identity", None) or f"auth:{id(auth):x}"


def sign_in_failure(response: httpx.Response) -> str | None:
    """Why ``response`` is really a refused credential (203, redirect to sign-in, an HTML page), or None.

    HTML on a 5xx is left to the server-error path: gateways answer outages with HTML pages."""
    status = response.status_code
    if status == 203:
        return "a sign-in page (HTTP 203) instead of data"
    if 300 <= status < 400:
        location = response.headers.get("location", "")
        if _is_sign_in(location):
            return f"a redirect to sign-in ({httpx.URL(location).host or location})"
        return None
    content_type = response.headers.get("content-type", "").lower()
    if status < 500 and "text/html" in content_type:
        return f"an HTML page (HTTP {status}) instead of JSON"
    return None


def _is_sign_in(location: str) -> bool:
    if not location:
        return False
    try:
        url = httpx.URL(location)
    except httpx.InvalidURL:
        return False
    host = (url.host or "").lower()
    path = url.path.lower()
    return host in SIGN_IN_HOSTS or host.startswith("login.") or "_signin" in path or "/signin" in path
