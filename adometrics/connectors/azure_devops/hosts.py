"""Which hosts the client may reach, and where each of ADO's host families lives for one organization.

The user gives only the organization (a cloud name, an Azure DevOps Server collection URL, or the
simulator's URL). The other hosts come from ADO's Resource Areas API, as Microsoft's SDKs do, so cloud,
Server and the simulator work unchanged; every host, given or returned, must pass the host allow-list so a
hostile ``locationUrl`` cannot send our credential elsewhere (ENDPOINTS.md §0.1).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from adometrics.config import CLOUD_HOSTS
from adometrics.errors import ConfigurationError, RetriableError

from .endpoints import HostFamily
from .errors import (
    AuthenticationError,
    BadRequestError,
    ForbiddenError,
    HostNotAllowedError,
    MalformedResponseError,
    NotFoundError,
    UnexpectedResponseError,
)

# Public area ids (ENDPOINTS.md §0.1).
AREA_IDS: dict[str, str] = {
    "core": "79134c72-4a58-4b42-976c-04e7115f32bf",
    "git": "4e080c62-fa21-4fbc-8fef-2a10a2b38049",
    "build": "965220d5-5bb9-42cf-8d67-9b146df2a5a4",
    "release": "efc2f575-36ef-48e9-b672-0c6fb4a48ac5",
    "member_entitlement_management": "68ddce18-2501-45f1-a17b-7931a9922690",
    "graph": "bb1e7ec9-e901-4b68-999a-de7012b920f8",
    "profile": "8ccfef3d-2b87-4e99-8ccb-66e343d2daa8",
    "account": "0d55247a-1c47-4462-9b1f-5e2125590ee6",
    "distributedtask": "a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd",
    "policy": "fb13a388-40dd-4a04-b530-013a739c72ef",
}
FAMILY_AREA: dict[str, str] = {
    "vsrm": AREA_IDS["release"],
    "vsaex": AREA_IDS["member_entitlement_management"],
    "vssps": AREA_IDS["graph"],
    "app": AREA_IDS["profile"],
}
# The fixed cloud patterns, used when discovery is unavailable on Azure DevOps Services.
CLOUD_ROOTS: dict[str, str] = {
    "dev": "https://dev.azure.com",
    "vsrm": "https://vsrm.dev.azure.com",
    "vsaex": "https://vsaex.dev.azure.com",
    "vssps": "https://vssps.dev.azure.com",
    "app": "https://app.vssps.visualstudio.com",
}
ORGLESS_FAMILIES = frozenset({"app"})  # app.vssps has no organization in its paths
_ORG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class _HostRule:
    host: str  # exact name, or ".suffix" for a "*.suffix" wildcard
    port: int | None


def _rule(entry: str) -> _HostRule:
    text = entry.strip().lower()
    if "://" in text:
        url = httpx.URL(text)
        return _HostRule(url.host, url.port)
    if text.startswith("*."):
        return _HostRule(text[1:], None)
    if text.startswith("["):  # [::1]:8080
        host, _, rest = text[1:].partition("]")
        return _HostRule(host, int(rest[1:]) if rest.startswith(":") else None)
    host, sep, port = text.rpartition(":")
    if sep and port.isdigit() and ":" not in host:
        return _HostRule(host, int(port))
    return _HostRule(text, None)


class HostAllowList:
    """Azure DevOps Services' own hosts (HTTPS only) plus the ``ADOMETRICS_ALLOWED_HOSTS`` entries
    (``host``, ``host:port``, ``*.suffix``), passed in by the entry point."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self._cloud = tuple(_rule(h) for h in CLOUD_HOSTS)
        self._extra = tuple(_rule(h) for h in extra if h.strip())

    @staticmethod
    def _matches(rules: tuple[_HostRule, ...], url: httpx.URL) -> bool:
        host = url.host.lower()
        port = url.port or (443 if url.scheme == "https" else 80)
        for rule in rules:
            name_ok = host.endswith(rule.host) if rule.host.startswith(".") else host == rule.host
            if name_ok and (rule.port is None or rule.port == port):
                return True
        return False

    def is_cloud(self, url: httpx.URL) -> bool:
        return self._matches(self._cloud, url)

    def check(self, url: httpx.URL | str, *, why: str = "") -> httpx.URL:
        """Return the parsed URL if its host may be contacted, else raise HostNotAllowedError."""
        parsed = httpx.URL(url) if isinstance(url, str) else url
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise HostNotAllowedError(str(parsed) or "(empty URL)", why=why or "not an http(s) URL")
        if self.is_cloud(parsed):
            if parsed.scheme != "https":
                raise HostNotAllowedError(parsed.host, why="Azure DevOps Services is reached over https only")
            return parsed
        if self._matches(self._extra, parsed):
            return parsed
        raise HostNotAllowedError(parsed.netloc.decode("ascii"), why=why)


def _root(url: httpx.URL, prefix: str = "") -> str:
    netloc = url.netloc.decode("ascii")
    return f"{url.scheme}://{netloc}{prefix.rstrip('/')}"


@dataclass(frozen=True, slots=True)
class Organization:
    """An organization (or Server collection): its name and the root its dev-host paths start from."""

    name: str
    root: str  # scheme://host[:port][/prefix] — the org URL is root + "/" + name
    cloud: bool

    @property
    def url(self) -> str:
        return f"{self.root}/{self.name}"


def parse_org_url(text: str, allow: HostAllowList) -> Organization:
    """Turn what the user typed into an Organization: ``fabrikam``, ``https://dev.azure.com/fabrikam``,
    ``https://fabrikam.visualstudio.com``, ``https://tfs.example.com/tfs/DefaultCollection`` or the
    simulator's ``http://127.0.0.1:8765/fabrikam``."""
    raw = text.strip()
    if not raw:
        raise ConfigurationError("No organization given: pass a name or URL, e.g. https://dev.azure.com/fabrikam.")
    if "://" not in raw:
        raw = f"https://dev.azure.com/{raw}" if _ORG_NAME.match(raw) else f"https://{raw}"
    url = allow.check(raw, why="organization URL")
    segments = [s for s in url.path.split("/") if s]
    host = url.host.lower()
    if host.endswith(".visualstudio.com") and allow.is_cloud(url) and host.count(".") == 2:
        # the legacy https://{org}.visualstudio.com form of the same organization
        return Organization(host.split(".")[0], CLOUD_ROOTS["dev"], cloud=True)
    if host == "dev.azure.com":
        if not segments:
            raise ConfigurationError(
                f"{text.strip()} names no organization; use https://dev.azure.com/<organization>."
            )
        return Organization(segments[0], CLOUD_ROOTS["dev"], cloud=True)
    if not segments:
        raise ConfigurationError(
            f"{text.strip()} names no collection; an Azure DevOps Server URL ends with its collection, "
            "e.g. https://tfs.example.com/tfs/DefaultCollection."
        )
    if allow.is_cloud(url):
        raise ConfigurationError(f"{text.strip()} is not an organization URL; use https://dev.azure.com/<org>.")
    return Organization(segments[-1], _root(url, "/" + "/".join(segments[:-1])), cloud=False)


AreaFetcher = Callable[[], list[dict[str, Any]]]


class HostDirectory:
    """The root URL of each host family for one organization, discovered once and cached.

    ``fetch_areas`` returns the raw ``resourceAreas`` list (the client's call, so it is authenticated,
    limited and counted like any other)."""

    def __init__(self, org: Organization, allow: HostAllowList, fetch_areas: AreaFetcher) -> None:
        self.org = org
        self._allow = allow
        self._fetch = fetch_areas
        self._roots: dict[str, str] = {"dev": org.root}
        self._areas: dict[str, str] | None = None
        self._lock = threading.RLock()  # discovery itself asks for the dev root

    def root(self, family: HostFamily) -> str:
        """``scheme://host[/prefix]`` for ``family``; paths below it start with ``/{org}`` (except app)."""
        with self._lock:
            if family not in self._roots:
                self._roots[family] = self._resolve(family)
            return self._roots[family]

    def _resolve(self, family: str) -> str:
        areas = self._discover()
        location = areas.get(FAMILY_AREA[family])
        if location is None:
            # Azure DevOps Server serves every area on the collection URL; cloud has fixed patterns.
            return CLOUD_ROOTS[family] if self.org.cloud else self.org.root
        return self.root_from_location(family, location)

    def _discover(self) -> dict[str, str]:
        if self._areas is None:
            try:
                listed = self._fetch()
            except (AuthenticationError, ForbiddenError):
                raise
            except (NotFoundError, BadRequestError, MalformedResponseError):
                listed = []  # no discovery here: cloud patterns, or the collection URL on a Server
            except RetriableError:
                if not self.org.cloud:
                    raise
                listed = []
            self._areas = {
                str(a.get("id", "")).lower(): str(a["locationUrl"])
                for a in listed
                if isinstance(a, dict) and a.get("locationUrl")
            }
        return self._areas

    def root_from_location(self, family: str, location: str) -> str:
        """Check a returned ``locationUrl`` against the allow-list and strip its ``/{org}`` ending."""
        url = self._allow.check(location, why=f"returned by Azure DevOps as the {family} host")
        segments = [s for s in url.path.split("/") if s]
        if family in ORGLESS_FAMILIES:
            return _root(url, "/" + "/".join(segments))
        if not segments or segments[-1].lower() != self.org.name.lower():
            raise UnexpectedResponseError(
                f"Azure DevOps gave {location} as the {family} host of {self.org.name}, which does not end "
                "with the organization; refusing to guess."
            )
        return _root(url, "/" + "/".join(segments[:-1]))
