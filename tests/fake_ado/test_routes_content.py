"""The deny-listed git content routes (ENDPOINTS.md §12): served with plausible made-up data and flagged as
content in the request log, so tests elsewhere can prove the collector never calls them."""

from __future__ import annotations

import io
import zipfile

import pytest
from routes_support import V, base

from adometrics.fake_ado.registry import ENDPOINTS

CONTENT_NAMES = {
    "git.items",
    "git.itemsbatch",
    "git.blobs",
    "git.blob",
    "git.tree",
    "git.diffs.commits",
    "git.commit.changes",
    "git.pr.iteration.changes",
    "git.pr.attachments",
    "git.annotatedtag",
    "git.web",
    "git.info.refs",
}


@pytest.fixture(scope="module")
def repo(msim):
    return next(r for r in msim.world.repositories() if r.default_branch and not r.is_disabled)


@pytest.fixture(scope="module")
def tip(msim, repo):
    return msim.world.commit(repo.id, msim.world.resolve_version(repo.id, repo.default_branch, "branch"))


def fetch(api, msim, method: str, path: str, *, params=None, json=None, status: int = 200):
    """Call a content route; assert it answered and that the log flagged the call as content."""
    response = api.request(method, path, params={**V, **(params or {})}, json=json)
    assert response.status_code == status, response.text
    entry = msim.log.entries[-1]
    assert entry.path == path and entry.content is True
    return response


def test_every_content_route_is_registered_as_content():
    names = {ep.name.removesuffix("@org") for ep in ENDPOINTS if ep.content}
    assert names >= CONTENT_NAMES
    for ep in ENDPOINTS:
        if ep.name.removesuffix("@org") in CONTENT_NAMES:
            assert ep.content, ep.name
    for ep in ENDPOINTS:
        if ep.name.removesuffix("@org") in {"git.commits", "git.commit", "git.refs", "git.pushes"}:
            assert not ep.content, ep.name


def test_metadata_routes_are_not_flagged(api, msim, repo):
    api.get(base(repo) + "/commits", params=V)
    assert msim.log.entries[-1].content is False


def test_item_with_content_and_download(api, msim, repo, tip):
    item = fetch(
        api, msim, "GET", base(repo) + "/items", params={"path": "/src/app.py", "includeContent": "true"}
    )
    body = item.json()
    assert body["path"] == "/src/app.py" and body["commitId"] == tip.sha and body["gitObjectType"] == "blob"
    assert "simulated file /src/app.py" in body["content"]
    plain = fetch(api, msim, "GET", base(repo) + "/items", params={"path": "/src/app.py"}).json()
    assert "content" not in plain
    raw = fetch(api, msim, "GET", base(repo) + "/items", params={"path": "/src/app.py", "download": "true"})
    assert raw.text == body["content"]


def test_folder_listing_and_zip(api, msim, repo, tip):
    listing = fetch(
        api, msim, "GET", base(repo) + "/items", params={"scopePath": "/", "recursionLevel": "full"}
    )
    items = listing.json()["value"]
    files = [i["path"] for i in items if i["gitObjectType"] == "blob"]
    assert items[0]["isFolder"] is True and files
    archive = fetch(api, msim, "GET", base(repo) + "/items", params={"path": "/", "$format": "zip"})
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert sorted("/" + n for n in names) == sorted(files)
    again = fetch(api, msim, "GET", base(repo, project=False) + "/items", params={"scopePath": "/"})
    assert again.json() == listing.json()


def test_items_batch(api, msim, repo):
    body = fetch(
        api,
        msim,
        "POST",
        base(repo) + "/itemsbatch",
        json={"itemDescriptors": [{"path": "/", "recursionLevel": "full"}, {"path": "/src"}]},
    ).json()
    assert body["count"] == 2 and all(isinstance(group, list) and group for group in body["value"])


def test_blobs(api, msim, repo):
    sha = "a" * 40
    blob = fetch(api, msim, "GET", base(repo) + f"/blobs/{sha}").json()
    assert blob["objectId"] == sha and blob["size"] > 0
    octets = fetch(api, msim, "GET", base(repo) + f"/blobs/{sha}", params={"$format": "octetstream"})
    assert (
        octets.headers["content-type"] == "application/octet-stream" and len(octets.content) == blob["size"]
    )
    archive = fetch(api, msim, "POST", base(repo) + "/blobs", json=[sha, "b" * 40])
    assert sorted(zipfile.ZipFile(io.BytesIO(archive.content)).namelist()) == [sha, "b" * 40]


def test_tree(api, msim, repo, tip):
    body = fetch(api, msim, "GET", base(repo) + f"/trees/{tip.tree_id}").json()
    assert body["objectId"] == tip.tree_id and body["treeEntries"]
    assert {"objectId", "relativePath", "mode", "gitObjectType", "url", "size"} <= set(body["treeEntries"][0])


def test_commit_changes_match_the_change_counts(api, msim, repo, tip):
    body = fetch(api, msim, "GET", base(repo) + f"/commits/{tip.sha}/changes").json()
    add, edit, delete = tip.change_counts
    assert body["changeCounts"] == {"Add": add, "Edit": edit, "Delete": delete}
    kinds = [c["changeType"] for c in body["changes"]]
    assert kinds.count("add") == add and kinds.count("edit") == edit and kinds.count("delete") == delete
    assert all(c["item"]["path"].startswith("/") for c in body["changes"])


def test_commit_diffs(api, msim, repo):
    branch = next(
        r.name
        for r, _ in msim.world.refs(repo.id)
        if r.name.startswith("refs/heads/") and r.name != repo.default_branch
    )
    body = fetch(
        api,
        msim,
        "GET",
        base(repo) + "/diffs/commits",
        params={
            "baseVersion": repo.default_branch.removeprefix("refs/heads/"),
            "targetVersion": branch.removeprefix("refs/heads/"),
        },
    ).json()
    assert {
        "changes",
        "changeCounts",
        "aheadCount",
        "behindCount",
        "baseCommit",
        "targetCommit",
        "commonCommit",
        "allChangesIncluded",
    } <= set(body)


def test_pull_request_iteration_changes_and_attachments(api, msim):
    summary = msim.world.pull_request_index()[0]
    pr = msim.world.pull_request(summary.id)
    repo = next(r for r in msim.world.repositories() if r.id == pr.repository_id)
    iteration = pr.iterations[0]
    path = base(repo) + f"/pullRequests/{pr.id}/iterations/{iteration.id}/changes"
    body = fetch(api, msim, "GET", path).json()
    expected = sum(sum(msim.world.commit(repo.id, sha).change_counts) for sha in iteration.commit_shas)
    assert len(body["changeEntries"]) == min(expected, 100)
    assert {"changeTrackingId", "item", "changeType"} <= set(body["changeEntries"][0])
    attachments = fetch(api, msim, "GET", base(repo) + f"/pullRequests/{pr.id}/attachments").json()
    assert attachments["count"] == 1 and attachments["value"][0]["displayName"].endswith(".png")
    fetch(api, msim, "GET", base(repo) + "/pullRequests/999999/attachments", status=404)


def test_annotated_tag(api, msim):
    repo, target = next(
        (r, t)
        for r in msim.world.repositories()
        for ref, t in msim.world.refs(r.id)
        if ref.name.startswith("refs/tags/")
    )
    body = fetch(api, msim, "GET", base(repo) + f"/annotatedtags/{target}").json()
    assert body["taggedObject"]["objectId"] == target
    assert "refs/tags/" + body["name"] in {x.name for x, t in msim.world.refs(repo.id) if t == target}
    assert fetch(api, msim, "GET", base(repo) + f"/annotatedtags/{body['objectId']}").json() == body


def test_web_and_git_protocol_paths(api, msim, repo):
    project = msim.world.project(repo.project_id)
    page = fetch(api, msim, "GET", f"/fabrikam/{project.name}/_git/{repo.name}")
    assert page.headers["content-type"].startswith("text/html") and repo.name in page.text
    refs = fetch(
        api,
        msim,
        "GET",
        f"/fabrikam/{project.name}/_git/{repo.name}/info/refs",
        params={"service": "git-upload-pack"},
    )
    assert refs.text.startswith("001e# service=git-upload-pack\n0000")
    assert repo.default_branch in refs.text
