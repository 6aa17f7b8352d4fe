"""Declarative endpoint table: each simulated ADO operation with its host, path, scopes and api-version.

Route modules register handlers here; the dispatcher in ``app.py`` applies the cross-cutting rules
(request log, faults, authentication, scopes, throttling, api-version) uniformly from this metadata, and the
coverage ledger and fidelity tests read it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from starlette.requests import Request

    from .state import Simulator

Host = Literal["dev", "vsrm", "vsaex", "vssps", "app", "control"]

# Where each ADO host family lives on the simulator's single loopback address. An organization name can
# not start with "_", so these prefixes never collide with one.
HOST_PREFIX: dict[str, str] = {
    "dev": "",
    "vsrm": "/_vsrm",
    "vsaex": "/_vsaex",
    "vssps": "/_vssps",
    "app": "/_app.vssps",
    "control": "/_control",
}

Handler = Callable[["Request", "Call"], Any]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation. ``path`` is a Starlette template below the host prefix, e.g.
    ``/{org}/{project}/_apis/git/repositories/{repo}/pullrequests``.

    ``scopes`` are any-of (as in the specs' ``security``); empty means no credential needed.
    ``api_version`` is the highest version the route serves: ``"7.1"`` for released routes (any
    version from ``min_version`` up is accepted), or an exact preview string such as
    ``"7.1-preview.3"`` (then ``-preview`` must be sent).
    ``content`` marks the deny-listed routes of ENDPOINTS.md §12: served, but flagged in the log.
    """

    name: str
    host: Host
    method: str
    path: str
    handler: Handler
    scopes: frozenset[str]
    api_version: str | None = "7.1"
    min_version: str = "1.0"
    content: bool = False
    spec: str | None = None  # e.g. "git/7.1/git.json"
    operation_id: str | None = None
    tstu: float = 1.0  # throttling cost of one call

    @property
    def full_path(self) -> str:
        return HOST_PREFIX[self.host] + self.path


@dataclass(slots=True)
class Call:
    """What the dispatcher hands a handler: the simulator, the endpoint and the authenticated caller."""

    sim: Simulator
    endpoint: Endpoint
    identity_id: str | None
    base_url: str  # scheme://host:port of this request, for rendering url fields
    body: Any = None  # parsed JSON body of POST/PUT/PATCH

    @property
    def world(self):
        return self.sim.world

    def host_url(self, host: Host) -> str:
        return self.base_url + HOST_PREFIX[host]


ENDPOINTS: list[Endpoint] = []


def endpoint(
    name: str,
    host: Host,
    method: str,
    path: str,
    *,
    scopes: tuple[str, ...] | frozenset[str] = (),
    api_version: str | None = "7.1",
    min_version: str = "1.0",
    content: bool = False,
    spec: str | None = None,
    operation_id: str | None = None,
    tstu: float = 1.0,
) -> Callable[[Handler], Handler]:
    """Decorator registering a handler. A handler returns a dict/list (JSON 200), or a Starlette Response."""

    def register(fn: Handler) -> Handler:
        ENDPOINTS.append(
            Endpoint(
                name=name,
                host=host,
                method=method.upper(),
                path=path,
                handler=fn,
                scopes=frozenset(scopes),
                api_version=api_version,
                min_version=min_version,
                content=content,
                spec=spec,
                operation_id=operation_id,
                tstu=tstu,
            )
        )
        return fn

    return register


# Scope sets used by many routes (ENDPOINTS.md §0.4; "any of").
PROJECT = ("vso.project", "vso.profile")
CODE = ("vso.code", "vso.code_write", "vso.code_manage", "vso.code_full")
CODE_STATUS_READ = (*CODE, "vso.code_status")
CODE_STATUS_WRITE = ("vso.code_status", "vso.code_write", "vso.code_manage", "vso.code_full")
BUILD = ("vso.build", "vso.build_execute")
RELEASE = ("vso.release", "vso.release_execute", "vso.release_manage")
ENTITLEMENTS = ("vso.memberentitlementmanagement", "vso.memberentitlementmanagement_write")
GRAPH = ("vso.graph", "vso.graph_manage")
PROFILE = ("vso.profile",)
ENVIRONMENT_71 = ("vso.environment_manage",)
ENVIRONMENT_72 = ("vso.build", "vso.environment_manage")
HOOKS = ("vso.hooks_write", "vso.hooks")
