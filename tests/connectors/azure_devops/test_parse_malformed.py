"""Malformed and incomplete records: each is skipped with a reason, and the rest of the page goes on.

Also the parsers without official examples (builds, timelines, environments), on the shapes the specs
describe (ENDPOINTS.md §8, §10).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adometrics.connectors.azure_devops import parse as p
from adometrics.connectors.azure_devops.collectors.base import Batch, Skipped, batches, parse_items
from adometrics.connectors.azure_devops.pagination import Page
from adometrics.domain import PullRequest, ReviewEventKind

ORG = "org-1"
PR = {
    "pullRequestId": 7, "status": "completed", "creationDate": "2024-01-02T03:04:05.1234567Z",
    "closedDate": "2024-01-03T00:00:00Z", "title": "t", "sourceRefName": "refs/heads/a",
    "targetRefName": "refs/heads/main", "repository": {"id": "R1"}, "createdBy": {"id": "U1"},
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"pullRequestId": None}, "pullRequestId is missing"),
        ({"pullRequestId": "seven"}, "pullRequestId is not an integer"),
        ({"creationDate": "not a date"}, "creationDate is not an ISO 8601 date"),
        ({"creationDate": "0001-01-01T00:00:00"}, "creationDate is missing"),
        ({"closedDate": 12}, "closedDate is a int, not a date"),
        ({"status": None}, "status is missing"),
        ({"repository": None}, "repository.id is missing"),
        ({"reviewers": {"id": "x"}}, "reviewers is not a list"),
        ({"targetRefName": None}, "targetRefName is missing"),
    ],
)
def test_a_bad_pull_request_is_malformed_with_a_reason(change: dict, reason: str) -> None:
    with pytest.raises(p.MalformedRecord) as caught:
        raw = {**PR, **change}
        p.parse_pull_request(raw, ORG, "proj")
        p.parse_pr_reviewers(raw, ORG, "proj")
    assert caught.value.reason == reason


def test_a_good_page_survives_its_bad_records() -> None:
    page = Page([PR, {**PR, "pullRequestId": 8, "creationDate": "garbage"}, "not an object",
                 {**PR, "pullRequestId": 9}], {"$skip": 3})
    (batch,) = list(batches([page], "pull_request", lambda raw: p.parse_pull_request(raw, ORG, "proj"),
                            keys=("pullRequestId",)))
    assert isinstance(batch, Batch) and batch.resume == {"$skip": 3}
    assert [r.id for r in batch.records] == [7, 9]
    assert batch.skipped == [
        Skipped("pull_request", "8", "creationDate is not an ISO 8601 date"),
        Skipped("pull_request", "#2", "pull request is a str, not an object"),
    ]


def test_skipped_keys_never_carry_names() -> None:
    raw = {"name": "refs/heads/secret-branch", "objectId": None}
    records, skipped = parse_items([raw], "ref", lambda r: p.parse_ref(r, ORG, "repo"), keys=("objectId",))
    assert records == [] and skipped == [Skipped("ref", "#0", "objectId is missing")]


def test_pull_request_identity_ids_are_canonical() -> None:
    pr = p.parse_pull_request({**PR, "createdBy": {"id": "B335B0D4578F4944B94CA45216EB1A1A"}}, ORG, "proj")
    assert isinstance(pr, PullRequest) and pr.creator_id == "b335b0d4-578f-4944-b94c-a45216eb1a1a"
    assert pr.repo_id == "R1" and pr.project_id == "proj"
    assert pr.created_at == datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


def _vote_thread(**props) -> dict:
    bag = {"CodeReviewThreadType": {"$type": "System.String", "$value": "VoteUpdate"},
           "CodeReviewVoteResult": {"$type": "System.String", "$value": "-5"},
           "CodeReviewVotedByTfId": {"$type": "System.String", "$value": "AAAABBBBCCCCDDDDEEEEFFFF00001111"}}
    bag.update(props)
    return {"id": 3, "publishedDate": "2024-01-02T00:00:00Z", "properties": bag,
            "comments": [{"id": 1, "commentType": "system", "content": "X voted -5", "author": {"id": "s"}}]}


def test_vote_threads() -> None:
    (vote,) = p.parse_review_events(_vote_thread(), ORG, "proj", 7, "someone-else")
    assert (vote.kind, vote.vote, vote.actor_id, vote.comment_id) == (
        ReviewEventKind.VOTE, -5, "aaaabbbb-cccc-dddd-eeee-ffff00001111", 0)
    reset = _vote_thread(CodeReviewVoteResult={"$type": "System.Int32", "$value": 0})
    assert p.parse_review_events(reset, ORG, "proj", 7, None) == []
    with pytest.raises(p.MalformedRecord, match="CodeReviewVotedByTfId is missing"):
        p.parse_review_events(_vote_thread(CodeReviewVotedByTfId=None), ORG, "proj", 7, None)
    with pytest.raises(p.MalformedRecord, match="publishedDate is missing"):
        p.parse_review_events({**_vote_thread(), "publishedDate": None}, ORG, "proj", 7, None)


def test_a_bad_comment_is_left_out_and_the_thread_goes_on() -> None:
    thread = {"id": 4, "status": "active", "properties": {}, "comments": [
        {"id": 1, "commentType": "text", "publishedDate": "2024-01-02T00:00:00Z",
         "author": {"id": "u1", "descriptor": "aad.x"}, "content": "secret text"},
        {"id": 2, "commentType": "text", "publishedDate": "bad", "author": {"id": "u2"}},
        {"id": 3, "commentType": "text", "publishedDate": "2024-01-02T01:00:00Z",
         "author": {"id": "g1", "isContainer": True}},
        {"id": 4, "commentType": "codeChange", "publishedDate": "2024-01-02T01:00:00Z",
         "author": {"id": "u3"}},
    ]}
    problems: list[str] = []
    events = p.parse_review_events(thread, ORG, "proj", 7, None, problems)
    assert [(e.comment_id, e.actor_is_user) for e in events] == [(1, True), (3, False)]
    assert problems == ["thread 4: publishedDate is not an ISO 8601 date"]
    assert all("secret text" not in str(e) for e in events)


def test_builds() -> None:
    raw = {"id": 124, "definition": {"id": 2, "name": "ci"}, "project": {"id": "P"},
           "repository": {"id": "479281A8-5116-4E5E-BC75-7CB9B04779EB", "type": "TfsGit"},
           "sourceBranch": "refs/pull/42/merge", "sourceVersion": "ABC", "reason": "PullRequest",
           "status": "Completed", "result": "PartiallySucceeded", "queueTime": "2026-05-31T16:15:13.35Z",
           "startTime": "2026-05-31T16:15:58Z", "finishTime": "2026-05-31T16:20:58.7720000Z",
           "logs": {"url": "https://x/logs"}, "triggerInfo": {}}
    build = p.parse_build(raw, ORG, "ignored")
    assert (build.id, build.definition_id, build.project_id, build.pr_id) == (124, 2, "P", 42)
    assert build.repo_id == "479281a8-5116-4e5e-bc75-7cb9b04779eb" and build.source_version == "abc"
    assert (build.status, build.result, build.reason) == ("completed", "partiallySucceeded", "pullRequest")
    assert p.parse_build({**raw, "triggerInfo": {"pr.number": "9"}}, ORG, "p").pr_id == 9
    assert p.parse_build({**raw, "sourceBranch": "refs/heads/main"}, ORG, "p").pr_id is None
    with pytest.raises(p.MalformedRecord, match=r"definition\.id is missing"):
        p.parse_build({**raw, "definition": None}, ORG, "p")


def test_timeline_records_and_environments() -> None:
    record = p.parse_timeline_record({"id": "a", "parentId": None, "type": "stage", "name": "Deploy",
                                      "identifier": "Deploy_prod", "result": "Succeeded", "attempt": 2,
                                      "startTime": "2024-01-01T00:00:00Z", "finishTime": None,
                                      "log": {"url": "x"}, "issues": [{"message": "compiler output"}]},
                                     build_id=5)
    assert (record.type, record.result, record.attempt, record.finished_at) == ("Stage", "succeeded", 2, None)
    assert "compiler output" not in str(record)
    env = p.parse_environment({"id": 3, "name": "prod", "project": {"id": "P"}}, ORG, "x")
    assert (env.id, env.name, env.project_id) == (3, "prod", "P")
    raw = {"id": 50, "environmentId": 3, "scopeId": "P", "planType": "Build", "owner": {"id": 121},
           "definition": {"id": 2}, "stageName": "Deploy_prod", "stageAttempt": 1, "result": "Succeeded",
           "queueTime": "2026-05-29T10:21:08.115Z", "startTime": "2026-05-29T10:22:35Z"}
    record = p.parse_environment_deployment(raw, ORG, "x")
    assert (record.build_id, record.definition_id) == (121, 2)
    assert (record.result, record.finished_at) == ("succeeded", None)
    assert p.parse_environment_deployment({**raw, "planType": "Release"}, ORG, "x").build_id is None
    assert p.parse_environment_deployment({**raw, "environmentId": None}, ORG, "x", 9).environment_id == 9


def test_release_artifacts_of_every_kind() -> None:
    def pair(value: str) -> dict:
        return {"id": value, "name": value}

    build = {"alias": "_web", "type": "Build", "definitionReference": {
        "definition": pair("1"), "version": {"id": "112", "name": "20260518.2"},
        "branch": pair("refs/heads/main"),
        "repository": pair("953321BD-6B27-4CFB-A24B-272842D75C2E"), "sourceVersion": pair("FD59" + "0" * 36),
        "buildUri": pair("vstfs:///Build/Build/112")}}
    artifact = p.parse_release_artifact(build)
    assert (artifact.build_id, artifact.build_definition_id) == (112, 1)
    assert artifact.source_version == "fd59" + "0" * 36
    assert artifact.repo_id == "953321bd-6b27-4cfb-a24b-272842d75c2e"
    by_uri = {**build, "definitionReference": {**build["definitionReference"], "version": pair("20260518.2")}}
    assert p.parse_release_artifact(by_uri).build_id == 112
    git = {"alias": "repo", "type": "Git", "definitionReference": {
        "definition": pair("953321bd-6b27-4cfb-a24b-272842d75c2e"), "version": pair("AB" * 20),
        "branches": pair("refs/heads/main")}}
    artifact = p.parse_release_artifact(git)
    assert (artifact.repo_id, artifact.source_version, artifact.build_id) == (
        "953321bd-6b27-4cfb-a24b-272842d75c2e", "ab" * 20, None)
    with pytest.raises(p.MalformedRecord, match="alias is missing"):
        p.parse_release_artifact({"type": "Build"})
    with pytest.raises(p.MalformedRecord, match=r"releaseDefinition\.id is missing"):
        p.parse_release({"id": 1, "artifacts": []}, ORG, "p")


def test_detail_listings_are_lists_that_read_as_one_batch() -> None:
    from adometrics.connectors.azure_devops.collectors.base import Collected

    done = Collected([1, 2], [Skipped("pr_commit", "#3", "commitId is missing")])
    assert done == [1, 2] and isinstance(done, list)
    assert (done.records, done.resume, done.skipped) == ([1, 2], None, [Skipped("pr_commit", "#3",
                                                                                "commitId is missing")])
