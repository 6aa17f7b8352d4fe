"""What can go wrong talking to Azure DevOps, as one small tree under :mod:`adometrics.errors`.

Each class is also a Fatal / Retriable / Skippable error, so the sync layer decides what to do from the kind
alone; each carries ADO's own words (HTTP status, ``TF``/``VS`` code, ``typeKey``, message) for logs and for
the connection's health reason. ``str(error)`` is one line a user can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from adometrics.errors import (
    AdometricsError,
    ConfigurationError,
    FatalError,
    RetriableError,
    SkippableError,
)

_CODE = re.compile(r"^\s*((?:TF|VS)\d{4,6})\s*:", re.IGNORECASE)
_SCOPE = re.compile(r"\bvso\.[a-z_]+\b", re.IGNORECASE)


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace and cut long server text, so every message stays one readable line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """The useful part of ADO's JSON error body (BEHAVIOUR.md §2.1); every field may be missing."""

    message: str | None = None
    type_key: str | None = None
    tf_code: str | None = None

    def describe(self) -> str:
        """``TF401019: The Git repository …`` or the typeKey, for the end of a summary."""
        return self.message or self.type_key or ""


def parse_error_body(response: httpx.Response) -> ErrorBody:
    """Read ``message``/``typeKey`` when the body is JSON; anything else gives an empty ErrorBody."""
    if "json" not in response.headers.get("content-type", "").lower():
        return ErrorBody()
    try:
        data = response.json()
    except ValueError:
        return ErrorBody()
    if not isinstance(data, dict):
        return ErrorBody()
    message = data.get("message") if isinstance(data.get("message"), str) else None
    type_key = data.get("typeKey") if isinstance(data.get("typeKey"), str) else None
    match = _CODE.match(message or "")
    return ErrorBody(one_line(message) if message else None, type_key, match[1].upper() if match else None)


class AzureDevOpsError(AdometricsError):
    """Base of the connector's errors: a one-line summary plus what ADO said, when it said anything."""

    def __init__(
        self,
        summary: str,
        *,
        status: int | None = None,
        endpoint: str | None = None,
        body: ErrorBody | None = None,
    ) -> None:
        super().__init__(one_line(summary, 600))
        body = body or ErrorBody()
        self.status = status
        self.endpoint = endpoint
        self.tf_code = body.tf_code
        self.type_key = body.type_key
        self.server_message = body.message


class AuthenticationError(AzureDevOpsError, FatalError):
    """The credential was not accepted: 401, the 203 sign-in page, a redirect to sign-in, an HTML page."""


class ForbiddenError(AzureDevOpsError, FatalError):
    """The identity is known but may not do this (403)."""


class MissingScopeError(ForbiddenError):
    """The token lacks a scope the endpoint needs; ``scopes`` names it (any of) when known."""

    def __init__(self, summary: str, *, scopes: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(summary, **kwargs)
        self.scopes = scopes


class BadRequestError(AzureDevOpsError, FatalError):
    """ADO rejected the request itself (400 and other 4xx): our bug or a retired api-version."""


class NotFoundError(AzureDevOpsError, SkippableError):
    """404: gone or not visible (ADO does not tell which); skip it, never delete what is stored."""


class ThrottledError(AzureDevOpsError, RetriableError):
    """429: the identity is blocked for ``retry_after`` seconds (None when ADO did not say)."""

    def __init__(self, summary: str, *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(summary, **kwargs)
        self.retry_after = retry_after


class ServerError(AzureDevOpsError, RetriableError):
    """5xx: ADO (or a gateway in front of it) failed; worth another try."""


class NetworkError(AzureDevOpsError, RetriableError):
    """No HTTP answer (timeout, refused connection, reset). ``sent`` is False when the request surely
    never left, so even a non-idempotent call may be repeated."""

    def __init__(self, summary: str, *, sent: bool = True, **kwargs) -> None:
        super().__init__(summary, **kwargs)
        self.sent = sent


class MalformedResponseError(AzureDevOpsError, SkippableError):
    """A success status with a body we cannot read as the JSON we expected."""


class UnexpectedResponseError(AzureDevOpsError, FatalError):
    """An answer the client refuses to act on, such as a redirect (redirects are never followed)."""


class PaginationLoopError(AzureDevOpsError, SkippableError):
    """A listing repeated a continuation token or a whole page: stop rather than loop forever."""


class RequestRefused(AzureDevOpsError, FatalError):
    """Refused before any I/O by the client's own rules (ARCHITECTURE.md §1, promise 1)."""


class ContentEndpointRefused(RequestRefused):
    """The URL or its query would return content (code, diffs, logs, artifacts); ``rule`` names the
    deny-list entry of ENDPOINTS.md §12 that matched."""

    def __init__(self, summary: str, *, rule: str, **kwargs) -> None:
        super().__init__(summary, **kwargs)
        self.rule = rule


class EndpointNotAllowed(RequestRefused):
    """The URL is not on the allow-list, or is not the endpoint the caller named."""


class HostNotAllowedError(RequestRefused, ConfigurationError):
    """A host (given by the user or returned by ADO) that is not on the host allow-list."""

    def __init__(self, host: str, *, why: str = "") -> None:
        reason = f" ({why})" if why else ""
        super().__init__(
            f"Refusing to contact {host}{reason}: it is not an Azure DevOps Services host; if you trust it "
            "(an Azure DevOps Server, the simulator), add it to ADOMETRICS_ALLOWED_HOSTS."
        )
        self.host = host


def scopes_named(body: ErrorBody, endpoint_scopes: tuple[str, ...]) -> tuple[str, ...] | None:
    """The scopes to name when ADO's message is about scopes (those it names, else the endpoint's)."""
    text = body.message or ""
    named = tuple(dict.fromkeys(s.lower() for s in _SCOPE.findall(text)))
    if named:
        return named
    if re.search(r"\bscopes?\b", text, re.IGNORECASE):
        return endpoint_scopes
    return None


def _said(status: int, body: ErrorBody) -> str:
    """``(HTTP 404): TF401019: The Git repository …`` — what ADO said, to end a sentence with."""
    if body.message:
        return f"(HTTP {status}): {body.message.rstrip('. ')}"
    return f"(HTTP {status}, {body.type_key})" if body.type_key else f"(HTTP {status})"


def error_for_status(
    status: int,
    body: ErrorBody,
    endpoint: str,
    scopes: tuple[str, ...] = (),
    retry_after: float | None = None,
) -> AzureDevOpsError:
    """The error for an HTTP error status (BEHAVIOUR.md §2.2: 401/403 stop, 404 skips, 429/5xx retry)."""
    said = _said(status, body)
    kw = {"status": status, "endpoint": endpoint, "body": body}
    named = scopes_named(body, scopes) if status in (401, 403) else None
    if named:
        return MissingScopeError(
            f"The credential lacks the scope {' or '.join(named)} that {endpoint} needs {said}. Connect "
            "with a token that has it.", scopes=named, **kw)
    if status == 401:
        lacks = f", or lacks the scope {' or '.join(scopes)}" if scopes else ""
        return AuthenticationError(
            f"Azure DevOps refused the credential on {endpoint} {said}. The token is invalid, expired or "
            f"revoked{lacks}; create a new one and reconnect.", **kw)
    if status == 403:
        return ForbiddenError(
            f"Access denied on {endpoint} {said}. Ask an organization administrator for access, or connect "
            "with an identity that has it.", **kw)
    if status == 404:
        return NotFoundError(
            f"{endpoint}: not found, or not visible to this identity {said}. Skipped; nothing stored is "
            "deleted.", **kw)
    if status == 429:
        wait = f"waiting {retry_after:g} s as asked" if retry_after is not None else "backing off"
        return ThrottledError(
            f"Azure DevOps is throttling this identity on {endpoint} {said}; {wait} before retrying.",
            retry_after=retry_after, **kw)
    if status >= 500:
        return ServerError(f"Azure DevOps failed on {endpoint} {said}; it will be retried.", **kw)
    return BadRequestError(
        f"Azure DevOps rejected {endpoint} {said}. This is likely a bug in adometrics or an api-version the "
        "server does not support; please report it.", **kw)
