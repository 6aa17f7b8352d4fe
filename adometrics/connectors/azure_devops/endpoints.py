"""Every Azure DevOps endpoint the client may call, and every content endpoint it must never call.

Promise 1 of ARCHITECTURE.md lives here: a request is checked against the deny-list of ENDPOINTS.md §12 first
(path, method and the query parameters that make a metadata route return content), then it must be exactly
the allow-listed endpoint the caller named. Both checks run before any I/O, on the path as sent and as
decoded, case-insensitively (ADO's own examples mix ``pullRequests``/``pullrequests``).

Templates are written as in ENDPOINTS.md (``/{org}/{project}/_apis/...``) and matched on the part of the path
below the host's prefix (an Azure DevOps Server's ``/tfs``, the simulator's ``/_vsrm``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from .errors import ContentEndpointRefused, EndpointNotAllowed

HostFamily = Literal["dev", "vsrm", "vsaex", "vssps", "app"]
Paging = Literal["none", "top_skip", "header_token", "body_token"]

# Scopes an endpoint accepts (any of; ENDPOINTS.md §0.4), named in errors when ADO refuses one.
PROJECT = ("vso.project",)
CODE = ("vso.code",)
CODE_STATUS = ("vso.code_status", "vso.code_write")
BUILD = ("vso.build",)
RELEASE = ("vso.release",)
ENTITLEMENTS = ("vso.memberentitlementmanagement",)
GRAPH = ("vso.graph",)
PROFILE = ("vso.profile",)
HOOKS = ("vso.code", "vso.build")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One allowed operation. ``page_size`` is what ``paged`` asks for; for ``$top``/``$skip`` paging it must
    not exceed ADO's cap, because a short page is how the end is detected."""

    name: str
    method: str
    host: HostFamily
    template: str
    scopes: tuple[str, ...]
    api_version: str = "7.1"
    paging: Paging = "none"
    top_param: str | None = "$top"
    skip_param: str = "$skip"
    page_size: int = 100
    idempotent: bool = True  # safe to repeat after an unclear failure (every GET, and commitsbatch)

    @property
    def pattern(self) -> re.Pattern[str]:
        return _template_regex(self.template)

    def segments(self) -> tuple[str, ...]:
        """Placeholder names of the template, in order (``org`` included)."""
        return tuple(re.findall(r"\{(\w+)\}", self.template))


@functools.cache
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", template)
    body = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(body + "/?", re.IGNORECASE)


def _e(name: str, template: str, scopes: tuple[str, ...], host: HostFamily = "dev", method: str = "GET",
       **kw) -> Endpoint:
    return Endpoint(name=name, method=method, host=host, template=template, scopes=scopes, **kw)


_P = "/{org}/{project}/_apis"
_R = _P + "/git/repositories/{repo}"
_PR = _R + "/pullrequests/{pr}"
_TS = {"paging": "top_skip"}
_HT = {"paging": "header_token"}

ALLOWED: tuple[Endpoint, ...] = (
    # who am I, where things live (ENDPOINTS.md §1, §13.3, §0.1)
    _e("profile.me", "/_apis/profile/profiles/me", PROFILE, host="app"),
    _e("accounts.list", "/_apis/accounts", PROFILE, host="app"),
    _e("core.connection_data", "/{org}/_apis/connectionData", (), api_version="7.1-preview.1"),
    _e("core.resource_areas.list", "/{org}/_apis/resourceAreas", (), api_version="7.1-preview.1"),
    _e("core.resource_areas.get", "/{org}/_apis/resourceAreas/{area}", (), api_version="7.1-preview.1"),
    _e("core.resource_areas.get_by_account", "/_apis/resourceAreas/{area}", (), api_version="7.1-preview.1"),
    # projects and teams (§2)
    _e("core.projects.list", "/{org}/_apis/projects", PROJECT, page_size=500, **_HT),
    _e("core.projects.get", "/{org}/_apis/projects/{project}", PROJECT),
    _e("core.teams.list", "/{org}/_apis/projects/{project}/teams", PROJECT, **_TS),
    _e("core.teams.get", "/{org}/_apis/projects/{project}/teams/{team}", PROJECT),
    _e("core.teams.members", "/{org}/_apis/projects/{project}/teams/{team}/members", PROJECT, **_TS),
    _e("core.teams.all", "/{org}/_apis/teams", PROJECT, api_version="7.1-preview.3", **_TS),
    # users (§3)
    _e("entitlements.users.list", "/{org}/_apis/userentitlements", ENTITLEMENTS, host="vsaex",
       paging="body_token", top_param=None),
    _e("entitlements.users.get", "/{org}/_apis/userentitlements/{user}", ENTITLEMENTS, host="vsaex"),
    _e("graph.users.list", "/{org}/_apis/graph/users", GRAPH, host="vssps", api_version="7.1-preview.1",
       paging="header_token", top_param=None),
    _e("graph.users.get", "/{org}/_apis/graph/users/{descriptor}", GRAPH, host="vssps",
       api_version="7.1-preview.1"),
    _e("graph.storage_keys.get", "/{org}/_apis/graph/storagekeys/{descriptor}", GRAPH, host="vssps"),
    _e("graph.descriptors.get", "/{org}/_apis/graph/descriptors/{key}", GRAPH, host="vssps"),
    # repositories, refs, pushes, commits (§4, §5, §7)
    _e("git.repositories.list", _P + "/git/repositories", CODE),
    _e("git.repositories.get", _R, CODE),
    _e("git.refs.list", _R + "/refs", CODE, page_size=1000, **_HT),
    _e("git.branch_stats.list", _R + "/stats/branches", CODE),
    _e("git.pushes.list", _R + "/pushes", CODE, **_TS),
    _e("git.pushes.get", _R + "/pushes/{push}", CODE),
    _e("git.commits.list", _R + "/commits", CODE, top_param="searchCriteria.$top",
       skip_param="searchCriteria.$skip", page_size=1000, **_TS),
    _e("git.commits.get", _R + "/commits/{sha}", CODE),
    _e("git.commits.batch", _R + "/commitsbatch", CODE, method="POST", page_size=1000, **_TS),
    _e("git.commit_statuses.list", _R + "/commits/{sha}/statuses", CODE_STATUS + CODE, top_param="top",
       skip_param="skip", page_size=1000, **_TS),
    _e("git.commit_statuses.create", _R + "/commits/{sha}/statuses", CODE_STATUS, method="POST",
       idempotent=False),
    # pull requests (§6)
    _e("git.pullrequests.list_by_project", _P + "/git/pullrequests", CODE, page_size=1000, **_TS),
    _e("git.pullrequests.get_by_project", _P + "/git/pullrequests/{pr}", CODE),
    _e("git.pullrequests.list", _R + "/pullrequests", CODE, page_size=1000, **_TS),
    _e("git.pullrequests.get", _PR, CODE),
    _e("git.pullrequests.threads", _PR + "/threads", CODE),
    _e("git.pullrequests.iterations", _PR + "/iterations", CODE),
    _e("git.pullrequests.iteration", _PR + "/iterations/{iteration}", CODE),
    _e("git.pullrequests.commits", _PR + "/commits", CODE, page_size=500, **_HT),
    _e("git.pullrequests.iteration_commits", _PR + "/iterations/{iteration}/commits", CODE, top_param="top",
       skip_param="skip", page_size=500, **_TS),
    _e("git.pullrequests.reviewers", _PR + "/reviewers", CODE),
    _e("git.pullrequests.statuses.list", _PR + "/statuses", CODE_STATUS + CODE),
    _e("git.pullrequests.statuses.create", _PR + "/statuses", CODE_STATUS, method="POST", idempotent=False),
    _e("git.pullrequests.statuses.update", _PR + "/statuses", CODE_STATUS, method="PATCH", idempotent=False),
    _e("git.pullrequests.iteration_statuses.list", _PR + "/iterations/{iteration}/statuses",
       CODE_STATUS + CODE),
    _e("git.pullrequests.iteration_statuses.create", _PR + "/iterations/{iteration}/statuses", CODE_STATUS,
       method="POST", idempotent=False),
    # builds (§8)
    _e("build.builds.list", _P + "/build/builds", BUILD, page_size=1000, **_HT),
    _e("build.builds.get", _P + "/build/builds/{build}", BUILD),
    _e("build.builds.changes", _P + "/build/builds/{build}/changes", BUILD, page_size=500, **_HT),
    _e("build.builds.timeline", _P + "/build/builds/{build}/timeline", BUILD),
    _e("build.builds.timeline_by_id", _P + "/build/builds/{build}/timeline/{timeline}", BUILD),
    _e("build.definitions.list", _P + "/build/definitions", BUILD, page_size=500, **_HT),
    # classic releases (§9)
    _e("release.releases.list", _P + "/release/releases", RELEASE, host="vsrm", **_HT),
    _e("release.releases.get", _P + "/release/releases/{release}", RELEASE, host="vsrm"),
    _e("release.deployments.list", _P + "/release/deployments", RELEASE, host="vsrm", **_HT),
    _e("release.definitions.list", _P + "/release/definitions", RELEASE, host="vsrm", **_HT),
    # YAML environments (§10): the 7.1 route needs vso.environment_manage, the 7.2-preview one vso.build
    _e("distributedtask.environments.list", _P + "/distributedtask/environments", ("vso.environment_manage",),
       **_HT),
    _e("distributedtask.environments.get", _P + "/distributedtask/environments/{environment}",
       ("vso.environment_manage",)),
    _e("distributedtask.environments.deployments",
       _P + "/distributedtask/environments/{environment}/environmentdeploymentrecords",
       ("vso.environment_manage",), top_param="top", **_HT),
    _e("pipelines.environments.list", _P + "/pipelines/environments", BUILD, api_version="7.2-preview.1",
       **_HT),
    _e("pipelines.environments.get", _P + "/pipelines/environments/{environment}", BUILD,
       api_version="7.2-preview.1"),
    _e("pipelines.environments.deployments",
       _P + "/pipelines/environments/{environment}/environmentdeploymentrecords", BUILD,
       api_version="7.2-preview.1", top_param="top", **_HT),
    # service hooks (§11)
    _e("hooks.subscriptions.list", "/{org}/_apis/hooks/subscriptions", HOOKS),
    _e("hooks.subscriptions.create", "/{org}/_apis/hooks/subscriptions", HOOKS, method="POST",
       idempotent=False),
    _e("hooks.subscriptions.get", "/{org}/_apis/hooks/subscriptions/{subscription}", HOOKS),
    _e("hooks.subscriptions.replace", "/{org}/_apis/hooks/subscriptions/{subscription}", HOOKS, method="PUT"),
    _e("hooks.subscriptions.delete", "/{org}/_apis/hooks/subscriptions/{subscription}", HOOKS,
       method="DELETE"),
    _e("hooks.subscriptions.notifications", "/{org}/_apis/hooks/subscriptions/{subscription}/notifications",
       HOOKS),
    _e("hooks.publishers.list", "/{org}/_apis/hooks/publishers", HOOKS),
    _e("hooks.publishers.event_types", "/{org}/_apis/hooks/publishers/{publisher}/eventtypes", HOOKS),
    _e("hooks.consumers.list", "/{org}/_apis/hooks/consumers", HOOKS),
    # branch policies (§13.1)
    _e("policy.git_configurations.list", _P + "/git/policy/configurations", CODE, **_HT),
    _e("policy.configurations.list", _P + "/policy/configurations", CODE, **_HT),
)

_BY_NAME = {ep.name: ep for ep in ALLOWED}


def endpoint(name: str) -> Endpoint:
    """The allow-listed endpoint called ``name``; an unknown name is refused like any other URL."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise EndpointNotAllowed(f"'{name}' is not an allow-listed Azure DevOps endpoint; refused.") from None


# -- deny-list ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DenyRule:
    name: str
    pattern: re.Pattern[str]
    why: str
    methods: frozenset[str] | None = None  # None: every method


def _d(name: str, pattern: str, why: str, methods: Iterable[str] | None = None) -> DenyRule:
    return DenyRule(name, re.compile(pattern, re.IGNORECASE), why,
                    frozenset(methods) if methods is not None else None)


_END = r"(?:/|$)"
_REPO = r"/_apis/git/repositories/[^/]+"
_WRITES = ("POST", "PUT", "PATCH", "DELETE")

DENIED: tuple[DenyRule, ...] = (
    _d("git.items", _REPO + r"/items" + _END, "file and folder content"),
    _d("git.itemsbatch", _REPO + r"/itemsbatch" + _END, "batch file content"),
    _d("git.blobs", _REPO + r"/blobs" + _END, "raw blob bytes"),
    _d("git.trees", _REPO + r"/trees" + _END, "directory trees and zip content"),
    _d("git.diffs", _REPO + r"/diffs" + _END, "commit and branch diffs"),
    _d("git.filediffs", _REPO + r"/filediffs" + _END, "line-level diffs"),
    _d("git.commit_changes", _REPO + r"/commits/[^/]+/changes" + _END, "per-file change lists"),
    _d("git.pr_iteration_changes", _REPO + r"/pullrequests/[^/]+/iterations/[^/]+/changes" + _END,
       "per-file change lists of a pull request"),
    _d("git.pr_attachments", _REPO + r"/pullrequests/[^/]+/attachments" + _END, "uploaded files"),
    _d("git.annotated_tags", _REPO + r"/annotatedtags" + _END, "tag messages"),
    _d("git.push_create", _REPO + r"/pushes/?$", "pushes write content", ["POST"]),
    _d("git.write_operations",
       _REPO + r"/(?:cherrypicks|reverts|merges|importrequests|forksyncrequests)" + _END,
       "repository write operations"),
    _d("git.ref_updates", _REPO + r"/refs" + _END, "ref updates write to the repository", _WRITES),
    _d("git.web_and_protocol", r"(?:/_git(?:/|$)|/info/refs|git-upload-pack|git-receive-pack)",
       "web UI and git protocol (clone) URLs"),
    _d("build.logs", r"/_apis/build/builds/[^/]+/logs" + _END, "build logs"),
    _d("build.artifacts", r"/_apis/build/builds/[^/]+/artifacts" + _END, "build artifacts"),
    _d("build.attachments", r"/_apis/build/builds/(?:[^/]+/)+attachments" + _END, "build attachments"),
    _d("build.definition_details", r"/_apis/build/definitions/[^/]+" + _END,
       "full definitions, revisions and YAML carry pipeline source and inline scripts"),
    _d("sourceproviders.content", r"/_apis/sourceproviders/[^/]+/(?:filecontents|pathcontents)" + _END,
       "repository file content through the build service"),
    _d("pipelines.logs", r"/_apis/pipelines/[^/]+/runs/[^/]+/logs" + _END, "pipeline logs"),
    _d("pipelines.preview", r"/_apis/pipelines/[^/]+/preview" + _END, "final pipeline YAML"),
    _d("release.logs", r"/_apis/release/releases/(?:[^/]+/)*logs" + _END, "release logs"),
    _d("release.attachments", r"/_apis/release/releases/(?:[^/]+/)*attachments" + _END,
       "release attachments"),
    _d("distributedtask.logs", r"/_apis/distributedtask/hubs/(?:[^/]+/)*logs" + _END, "job logs"),
    _d("distributedtask.taskgroups", r"/_apis/distributedtask/taskgroups" + _END, "task-group scripts"),
    _d("resources.containers", r"/_apis/resources/containers" + _END, "drop and log downloads"),
    _d("tfvc", r"/_apis/tfvc" + _END, "TFVC items and changesets"),
    _d("wiki", r"/_apis/wiki" + _END, "wiki pages"),
    _d("wit", r"/_apis/wit" + _END, "work items (not in scope)"),
    _d("search", r"/_apis/search" + _END, "code search"),
    _d("tokens", r"/_apis/tokens" + _END, "token administration"),
)

# Query parameters that make an allowed route return content, by normalised name (see _param_key).
DENIED_PARAMS: dict[str, str] = {
    "changecount": "query.changeCount",
    "includecontent": "query.includeContent",
    "includecontentmetadata": "query.includeContent",
    "includeallproperties": "query.includeAllProperties",
    "download": "query.download",
}
DENIED_HOSTS = {"almsearch.dev.azure.com": "search"}


def _param_key(name: str) -> str:
    """``searchCriteria.$changeCount`` and ``changecount`` are the same parameter to ADO."""
    key = name.strip().lower()
    if key.startswith("searchcriteria."):
        key = key[len("searchcriteria."):]
    return key.lstrip("$")


def _refuse(rule: str, why: str, what: str) -> ContentEndpointRefused:
    return ContentEndpointRefused(
        f"Refused {what}: deny-list rule '{rule}' ({why}); adometrics reads metadata only, never source "
        "code, diffs, logs or artifacts.",
        rule=rule,
    )


def check_denied(method: str, host: str, path: str, params: Iterable[tuple[str, str]] = ()) -> None:
    """Raise ContentEndpointRefused if the request would read content (ENDPOINTS.md §12)."""
    method = method.upper()
    if host.lower() in DENIED_HOSTS:
        raise _refuse(DENIED_HOSTS[host.lower()], "code search host", f"{method} {host}")
    for candidate in {path, unquote(path)}:
        for rule in DENIED:
            if (rule.methods is None or method in rule.methods) and rule.pattern.search(candidate):
                raise _refuse(rule.name, rule.why, f"{method} {path}")
    for name, value in params:
        key = _param_key(name)
        if key in DENIED_PARAMS:
            raise _refuse(DENIED_PARAMS[key], f"'{name}' makes the route return content", f"{method} {path}")
        if key == "format" and value.strip().lower() != "json":
            raise _refuse("query.format", f"'{name}={value}' downloads content", f"{method} {path}")
        if key == "expand" and "variables" in value.lower():
            raise _refuse("query.expand_variables", "variables may hold secrets", f"{method} {path}")


def match(ep: Endpoint, method: str, path: str, org: str | None) -> Mapping[str, str]:
    """Check that ``path`` (below the host prefix) is ``ep`` for ``org``; return its segment values."""
    if method.upper() != ep.method:
        raise EndpointNotAllowed(f"{method.upper()} is not allowed on {ep.name} (only {ep.method}); refused.")
    found = ep.pattern.fullmatch(path)
    if found is None:
        raise EndpointNotAllowed(f"{path} is not the endpoint {ep.name} ({ep.template}); refused.")
    values = {k: unquote(v) for k, v in found.groupdict().items()}
    if any(v in (".", "..") or "/" in v for v in values.values()):
        raise EndpointNotAllowed(f"{path} has a path segment that changes the route; refused.")
    if "org" in values and (org is None or values["org"].lower() != org.lower()):
        raise EndpointNotAllowed(f"{path} is not in the organization {org}; refused.")
    return values
