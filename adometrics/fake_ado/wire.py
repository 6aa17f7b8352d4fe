"""ADO wire conventions shared by every route: envelopes, error bodies, dates, paging, api-version."""

from __future__ import annotations

import base64
import re
from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

NOT_SET = "0001-01-01T00:00:00Z"


def iso(dt: datetime | None) -> str:
    """ADO date format: UTC, ``Z``, 7 fractional digits when there are any (as the examples show)."""
    if dt is None:
        return NOT_SET
    dt = dt.astimezone(UTC)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        return f"{base}.{dt.microsecond:06d}0Z"
    return base + "Z"


def envelope(values: Sequence[Any]) -> dict[str, Any]:
    return {"count": len(values), "value": list(values)}


class AdoError(Exception):
    """An error answered with ADO's JSON error body."""

    def __init__(self, status: int, type_key: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.type_key = type_key
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        return error_response(self.status, self.type_key, self.message, self.headers)


_TYPE_NAMESPACES = {
    "UnauthorizedRequestException": "Microsoft.TeamFoundation.Framework.Server",
    "RequestBlockedException": "Microsoft.TeamFoundation.Framework.Server",
    "GitRepositoryNotFoundException": "Microsoft.TeamFoundation.Git.Server",
    "GitPullRequestNotFoundException": "Microsoft.TeamFoundation.Git.Server",
    "ProjectDoesNotExistWithNameException": "Microsoft.TeamFoundation.Core.WebApi",
}


def error_response(
    status: int, type_key: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    assembly = _TYPE_NAMESPACES.get(type_key, "Microsoft.VisualStudio.Services.WebApi")
    body = {
        "$id": "1",
        "innerException": None,
        "message": message,
        "typeName": f"{assembly}.{type_key}, {assembly}",
        "typeKey": type_key,
        "errorCode": 0,
        "eventId": 3000,
    }
    return JSONResponse(body, status_code=status, headers=headers)


def not_found(what: str) -> AdoError:
    return AdoError(404, "NotFoundException", what)


def bad_request(message: str, type_key: str = "InvalidArgumentValueException") -> AdoError:
    return AdoError(400, type_key, message)


# -- query helpers ---------------------------------------------------------------------------------


def query(request: Request, *names: str) -> str | None:
    """First of ``names`` present in the query string; ``$`` names match their ``%24`` form too
    (Starlette decodes both), and the ``searchCriteria.`` prefix is optional where ADO allows it."""
    params = request.query_params
    for name in names:
        if name in params:
            return params[name]
    return None


def query_int(request: Request, *names: str, default: int | None = None) -> int | None:
    raw = query(request, *names)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"The value '{raw}' is not valid for parameter {names[0]}.") from None


def query_bool(request: Request, *names: str) -> bool:
    raw = query(request, *names)
    return raw is not None and raw.lower() == "true"


def query_choice(request: Request, name: str, default: str, allowed: Container[str]) -> str:
    """The parameter lower-cased (``default`` when absent or empty); it must be one of ``allowed``."""
    raw = query(request, name)
    value = (raw or default).lower()
    if value not in allowed:
        raise bad_request(f"The value '{raw}' is not valid for parameter {name}.")
    return value


def query_datetime(request: Request, *names: str) -> datetime | None:
    raw = query(request, *names)
    if not raw:
        return None
    return parse_datetime(raw)


def parse_datetime(raw: str) -> datetime:
    """ISO 8601 (any fraction, ``Z`` or offset) or the US form ``6/14/2018 12:00:00 AM`` the examples send."""
    text = raw.strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p")
        except ValueError:
            raise bad_request(f"The date '{raw}' is not a valid date.") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


# -- paging ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Any]
    continuation: str | None  # for token paging: the value to send back, else None


def top_skip(
    items: Sequence[Any], top: int | None, skip: int | None, default: int, maximum: int
) -> list[Any]:
    """``$top``/``$skip`` with ADO's default page size when ``$top`` is absent and a cap at the maximum."""
    size = default if top is None else max(0, min(top, maximum))
    start = max(0, skip or 0)
    return list(items[start : start + size])


def encode_token(position: int, salt: str = "") -> str:
    """An opaque continuation token that needs URL-encoding (base64 keeps ``+``, ``/`` and ``=``)."""
    raw = f"{salt}|{position}|".encode()
    return base64.b64encode(raw + b"\xfb\xff").decode()


def decode_token(token: str | None, salt: str = "") -> int:
    if not token:
        return 0
    try:
        raw = base64.b64decode(token.encode(), validate=True)
        prefix, position, _ = raw[:-2].decode().split("|")
        if prefix != salt:
            raise ValueError
        return int(position)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(f"The continuation token '{token}' is not valid.") from None


def token_page(
    items: Sequence[Any], token: str | None, top: int | None, default: int, maximum: int, salt: str = ""
) -> Page:
    """Continuation paging: a token is returned while more items remain, absent on the last page."""
    start = decode_token(token, salt)
    size = default if top is None else max(1, min(top, maximum))
    chunk = list(items[start : start + size])
    more = start + size < len(items)
    return Page(chunk, encode_token(start + size, salt) if more else None)


# -- api-version -----------------------------------------------------------------------------------

_VERSION = re.compile(r"^(\d+)\.(\d+)(?:-(preview)(?:\.(\d+))?)?$", re.IGNORECASE)
SERVER_MAX = (7, 2)  # 7.2 exists only as preview


@dataclass(frozen=True, slots=True)
class ApiVersion:
    major: int
    minor: int
    preview: bool
    resource: int | None

    @property
    def number(self) -> tuple[int, int]:
        return (self.major, self.minor)


def parse_api_version(text: str) -> ApiVersion | None:
    m = _VERSION.match(text.strip())
    if not m:
        return None
    return ApiVersion(int(m[1]), int(m[2]), bool(m[3]), int(m[4]) if m[4] else None)


def requested_api_version(request: Request) -> str | None:
    """The api-version from the query string, else from ``Accept: application/json;api-version=…``."""
    if "api-version" in request.query_params:
        return request.query_params["api-version"]
    for part in request.headers.get("accept", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "api-version" and value:
            return value.strip()
    return None


def check_api_version(request: Request, route_version: str, min_version: str = "1.0") -> None:
    """Raise the 400 ADO gives for a missing, malformed, out-of-range or non-preview api-version."""
    sent = requested_api_version(request)
    if sent is None:
        raise AdoError(
            400,
            "VssVersionNotSpecifiedException",
            f'No api-version was supplied for the "{request.method}" request. The version must be supplied '
            'either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query '
            'parameter (e.g. "?api-version=1.0").',
        )
    version = parse_api_version(sent)
    if version is None:
        raise AdoError(
            400,
            "VssInvalidApiVersionException",
            f"The api-version '{sent}' is not valid. It must be of the form "
            "{major}.{minor}[-{stage}[.{resource-version}]], such as 7.1 or 7.1-preview.1.",
        )
    route = parse_api_version(route_version)
    minimum = parse_api_version(min_version)
    assert route is not None and minimum is not None
    if version.number > SERVER_MAX:
        raise AdoError(
            400,
            "VssVersionOutOfRangeException",
            f"The requested REST API version of {sent} is out of range for this server. The latest REST API "
            f"version this server supports is {SERVER_MAX[0]}.{SERVER_MAX[1]}.",
        )
    # A version above the resource's latest (up to the server's) is served at the resource's latest.
    if version.number < minimum.number:
        raise AdoError(
            400,
            "VssVersionOutOfRangeException",
            f"The requested version {sent} of the resource is out of range. The minimum version this "
            f"resource supports is {min_version}.",
        )
    preview_needed = (route.preview and version.number == route.number) or version.number == SERVER_MAX
    if preview_needed and not version.preview:
        raise AdoError(
            400,
            "VssInvalidPreviewVersionException",
            f'The requested version "{sent}" of the resource is under preview. The -preview flag must be '
            f'supplied in the api-version for such requests. For example: "{sent}-preview"',
        )
