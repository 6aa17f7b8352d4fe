"""Allow-list and deny-list (ENDPOINTS.md §12): content endpoints are refused before any I/O."""

from __future__ import annotations

import httpx
import pytest
from ado_fakes import ado_json, make_client

from adometrics.connectors.azure_devops import endpoints as eps
from adometrics.connectors.azure_devops.errors import ContentEndpointRefused, EndpointNotAllowed
from adometrics.errors import FatalError

B = "https://dev.azure.com/fabrikam/proj/_apis"
R = B + "/git/repositories/0001"
RM = "https://vsrm.dev.azure.com/fabrikam/proj/_apis"

# Every §12 pattern, written as a request the client might be talked into: (method, url, rule).
CONTENT_REQUESTS = [
    ("GET", R + "/items?path=/README.md", "git.items"),
    ("GET", R + "/Items/some/path", "git.items"),
    ("GET", "https://dev.azure.com/fabrikam/_apis/git/repositories/0001/items", "git.items"),
    ("POST", R + "/itemsbatch", "git.itemsbatch"),
    ("POST", R + "/blobs", "git.blobs"),
    ("GET", R + "/blobs/abc123", "git.blobs"),
    ("GET", R + "/trees/abc123", "git.trees"),
    ("GET", R + "/diffs/commits?baseVersion=main", "git.diffs"),
    ("POST", R + "/filediffs", "git.filediffs"),
    ("GET", R + "/commits/abc123/changes", "git.commit_changes"),
    ("GET", R + "/pullRequests/7/iterations/2/changes", "git.pr_iteration_changes"),
    ("GET", R + "/pullRequests/7/attachments/file.png", "git.pr_attachments"),
    ("GET", R + "/annotatedtags/abc123", "git.annotated_tags"),
    ("POST", R + "/pushes", "git.push_create"),
    ("POST", R + "/cherryPicks", "git.write_operations"),
    ("POST", R + "/reverts", "git.write_operations"),
    ("GET", R + "/merges/1", "git.write_operations"),
    ("POST", R + "/importRequests", "git.write_operations"),
    ("POST", R + "/forkSyncRequests", "git.write_operations"),
    ("POST", R + "/refs", "git.ref_updates"),
    ("PATCH", R + "/refs?filter=heads/main", "git.ref_updates"),
    ("GET", "https://dev.azure.com/fabrikam/proj/_git/repo", "git.web_and_protocol"),
    ("GET", "https://dev.azure.com/fabrikam/proj/_git/repo.git/info/refs?service=git-upload-pack",
     "git.web_and_protocol"),
    ("POST", "https://dev.azure.com/fabrikam/proj/repo/git-upload-pack", "git.web_and_protocol"),
    ("GET", B + "/build/builds/12/logs", "build.logs"),
    ("GET", B + "/build/builds/12/logs/3", "build.logs"),
    ("GET", B + "/build/builds/12/artifacts?artifactName=drop&fileId=1", "build.artifacts"),
    ("GET", B + "/build/builds/12/attachments/x", "build.attachments"),
    ("GET", B + "/build/builds/12/a/b/attachments/x", "build.attachments"),
    ("GET", B + "/build/definitions/5/yaml", "build.definition_details"),
    ("GET", B + "/build/definitions/5", "build.definition_details"),
    ("GET", B + "/build/definitions/5/revisions", "build.definition_details"),
    ("GET", B + "/sourceProviders/tfsgit/filecontents?path=x", "sourceproviders.content"),
    ("GET", B + "/sourceProviders/github/pathcontents", "sourceproviders.content"),
    ("GET", B + "/pipelines/3/runs/4/logs/1", "pipelines.logs"),
    ("POST", B + "/pipelines/3/preview", "pipelines.preview"),
    ("GET", RM + "/release/releases/9/logs", "release.logs"),
    ("GET", RM + "/release/releases/9/environments/1/deployPhases/2/tasks/3/logs", "release.logs"),
    ("GET", RM + "/release/releases/9/environments/1/attempts/1/timelines/x/attachments/y",
     "release.attachments"),
    ("GET", B + "/distributedtask/hubs/build/plans/p/logs/1", "distributedtask.logs"),
    ("GET", B + "/distributedtask/taskgroups/abc", "distributedtask.taskgroups"),
    ("GET", "https://dev.azure.com/fabrikam/_apis/resources/Containers/1?itemPath=drop",
     "resources.containers"),
    ("GET", B + "/tfvc/items?path=$/", "tfvc"),
    ("GET", B + "/tfvc/changesets/1/changes", "tfvc"),
    ("GET", B + "/wiki/wikis", "wiki"),
    ("GET", B + "/wit/workitems/1", "wit"),
    ("GET", "https://dev.azure.com/fabrikam/_apis/tokens/pats", "tokens"),
    ("GET", "https://almsearch.dev.azure.com/fabrikam/proj/_apis/search/codesearchresults", "search"),
    # allowed routes made to return content by their query
    ("GET", R + "/commits/abc123?changeCount=100", "query.changeCount"),
    ("GET", R + "/commits?searchCriteria.changeCount=5", "query.changeCount"),
    ("GET", B + "/build/definitions?includeAllProperties=true", "query.includeAllProperties"),
    ("GET", R + "/commits?includeContent=true", "query.includeContent"),
    ("GET", R + "/refs?$format=zip", "query.format"),
    ("GET", R + "/pushes?download=true", "query.download"),
    ("GET", RM + "/release/releases?$expand=variables", "query.expand_variables"),
]


def _explode(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"I/O happened: {request.method} {request.url}")


@pytest.mark.parametrize(("method", "url", "rule"), CONTENT_REQUESTS, ids=[r[2] + ":" + r[1][-40:]
                                                                           for r in CONTENT_REQUESTS])
def test_content_request_is_refused_before_io_with_its_rule(method: str, url: str, rule: str) -> None:
    client, recorder = make_client(_explode, allowed_hosts=("almsearch.dev.azure.com",))
    # Use any allow-listed endpoint with the same method: the deny-list is checked first.
    name = {"GET": "git.repositories.get", "POST": "git.commits.batch",
            "PATCH": "git.pullrequests.statuses.update"}
    with pytest.raises(ContentEndpointRefused) as caught:
        client.request_url(name[method], url)
    assert caught.value.rule == rule
    assert rule in str(caught.value)
    assert isinstance(caught.value, FatalError)
    assert recorder.requests == []


def test_every_deny_rule_has_an_example() -> None:
    named = {rule.name for rule in eps.DENIED} | set(eps.DENIED_PARAMS.values())
    named |= {"query.format", "query.expand_variables"}
    assert named == {rule for _, _, rule in CONTENT_REQUESTS}


def test_deny_list_matches_percent_encoded_paths() -> None:
    with pytest.raises(ContentEndpointRefused) as caught:
        eps.check_denied("GET", "dev.azure.com", "/fabrikam/p/_apis/git/repositories/r/%69tems")
    assert caught.value.rule == "git.items"


def test_refs_and_pushes_are_readable_but_not_writable() -> None:
    eps.check_denied("GET", "dev.azure.com", "/fabrikam/p/_apis/git/repositories/r/refs")
    eps.check_denied("GET", "dev.azure.com", "/fabrikam/p/_apis/git/repositories/r/pushes")
    with pytest.raises(ContentEndpointRefused):
        eps.check_denied("POST", "dev.azure.com", "/fabrikam/p/_apis/git/repositories/r/pushes")


def test_unknown_endpoint_name_is_refused() -> None:
    client, recorder = make_client(_explode)
    with pytest.raises(EndpointNotAllowed, match="not an allow-listed"):
        client.get("git.items.get", project="p", repo="r")
    assert recorder.requests == []


def _areas_only(request: httpx.Request) -> httpx.Response:
    """Answer host discovery (cloud locations); any other request is a failure."""
    if request.url.path.endswith("/_apis/resourceAreas"):
        area = {"id": "efc2f575-36ef-48e9-b672-0c6fb4a48ac5", "name": "Release",
                "locationUrl": "https://vsrm.dev.azure.com/fabrikam/"}
        return ado_json({"count": 1, "value": [area]})
    return _explode(request)


def test_url_must_be_the_endpoint_named() -> None:
    client, recorder = make_client(_areas_only)
    with pytest.raises(EndpointNotAllowed, match=r"git\.repositories\.get"):
        client.request_url("git.repositories.get", B + "/build/builds")
    with pytest.raises(EndpointNotAllowed, match="organization"):
        client.request_url("git.repositories.get", "https://dev.azure.com/contoso/proj/_apis/git/repositories/x")
    with pytest.raises(EndpointNotAllowed, match="host"):
        client.request_url("release.releases.list", B + "/release/releases")  # dev host, not vsrm
    assert recorder.paths == ["/fabrikam/_apis/resourceAreas"]  # discovery only, never the refused URL


def test_method_is_part_of_the_allow_list() -> None:
    client, recorder = make_client(_explode)
    with pytest.raises(EndpointNotAllowed, match="GET"):
        client.post("git.pullrequests.list", json={}, project="p", repo="r")
    assert recorder.requests == []


def test_segment_values_cannot_change_the_route() -> None:
    client, recorder = make_client(lambda r: ado_json({"count": 0, "value": []}))
    client.get("git.repositories.get", project="My Project", repo="r1")
    assert recorder.requests[0].url.raw_path.startswith(b"/fabrikam/My%20Project/_apis/git/repositories/r1?")
    with pytest.raises(ContentEndpointRefused):  # %2F is decoded by some servers: checked decoded too
        client.get("git.repositories.get", project="p", repo="x/items")
    with pytest.raises(EndpointNotAllowed):
        client.get("git.repositories.get", project="p", repo="a/b")
    with pytest.raises(EndpointNotAllowed):
        client.get("git.repositories.get", project="p", repo="..")
    assert len(recorder.requests) == 1


def test_paths_are_matched_case_insensitively() -> None:
    ep = eps.endpoint("git.pullrequests.threads")
    eps.match(ep, "GET", "/Fabrikam/p/_apis/git/repositories/r/pullRequests/1/threads", "fabrikam")
    eps.match(ep, "GET", "/fabrikam/p/_apis/git/repositories/r/pullrequests/1/threads/", "fabrikam")


def test_endpoint_names_are_unique_and_templates_distinct() -> None:
    names = [ep.name for ep in eps.ALLOWED]
    assert len(names) == len(set(names))
    keys = [(ep.method, ep.host, ep.template.lower()) for ep in eps.ALLOWED]
    assert len(keys) == len(set(keys))


def test_no_allowed_endpoint_is_on_the_deny_list() -> None:
    for ep in eps.ALLOWED:
        path = ep.template.format(**{n: f"x{n}" for n in ep.segments()})
        eps.check_denied(ep.method, "dev.azure.com", path)


@pytest.mark.parametrize("ep", eps.ALLOWED, ids=lambda ep: ep.name)
def test_every_allowed_endpoint_is_reachable_with_its_api_version(ep: eps.Endpoint) -> None:
    client, recorder = make_client(lambda r: ado_json({"count": 0, "value": []}))
    segments = {n: f"v-{n}" for n in ep.segments() if n != "org"}
    client.send(ep.name, json={} if ep.method != "GET" else None, **segments)
    sent = recorder.requests[-1]
    assert sent.method == ep.method
    assert sent.url.params["api-version"] == ep.api_version


def test_exact_preview_versions() -> None:
    versions = {ep.name: ep.api_version for ep in eps.ALLOWED}
    assert versions["core.teams.all"] == "7.1-preview.3"
    assert versions["graph.users.list"] == "7.1-preview.1"
    assert versions["pipelines.environments.deployments"] == "7.2-preview.1"
    assert versions["core.connection_data"] == "7.1-preview.1"
    assert versions["git.pullrequests.list"] == "7.1"


def test_server_collection_prefix_is_matched_below_the_prefix() -> None:
    client, recorder = make_client(lambda r: ado_json({"count": 0, "value": []}),
                                   org_url="https://tfs.example.com/tfs/DefaultCollection",
                                   allowed_hosts=("tfs.example.com",))
    client.get("git.pullrequests.list", project="p", repo="r")
    assert recorder.paths == ["/tfs/DefaultCollection/p/_apis/git/repositories/r/pullrequests"]
    with pytest.raises(EndpointNotAllowed):
        client.request_url("git.repositories.list", "https://tfs.example.com/other/DefaultCollection/p/_apis/git/repositories")
