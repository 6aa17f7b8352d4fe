"""Service hooks (ENDPOINTS.md §11, BEHAVIOUR.md §6): the catalog, subscription CRUD and query, and
delivery — matching, the envelope, basic auth and headers, retries, probation, disabling, history."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx
import pytest

from adometrics.fake_ado.hooks import PROBATION_WAITS, RETRY_WAITS, ServiceHooks
from adometrics.fake_ado.scenario.model import ActivityEvent

V = {"api-version": "7.1"}
URL = "https://receiver.example/ado/hooks"


class Receiver:
    """A MockTransport endpoint answering from a script of status codes (then 200), recording requests."""

    def __init__(self, *statuses: int):
        self.statuses = list(statuses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.statuses.pop(0) if self.statuses else 200, text="ok")

    @property
    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]


@pytest.fixture
def receiver(sim) -> Receiver:
    """Deliveries go to an in-memory receiver; retry waits are recorded, not slept."""
    recv = Receiver()
    sim.hooks.client = httpx.Client(transport=httpx.MockTransport(recv))
    sim.hooks.retry_scale = 0.001
    sim.hooks.probation_scale = 0.0
    sim.hooks.slept = []
    sim.hooks.sleep = sim.hooks.slept.append
    return recv


def hooks_url(sim, *parts: str) -> str:
    return "/".join([f"/{sim.world.organization}/_apis/hooks", *parts])


def body(sim, event_type: str = "git.pullrequest.updated", publisher: str = "tfs", **inputs) -> dict:
    project = inputs.pop("projectId", None)
    consumer = {
        "url": URL,
        "basicAuthUsername": "ado",
        "basicAuthPassword": "s3cret",
        "httpHeaders": "X-Collector-Key: hdr-secret-1\nX-Other:two",
        "messagesToSend": "none",
        "detailedMessagesToSend": "none",
        **inputs.pop("consumer", {}),
    }
    return {
        "publisherId": publisher,
        "eventType": event_type,
        "resourceVersion": None,
        "consumerId": "webHooks",
        "consumerActionId": "httpRequest",
        "publisherInputs": {**({"projectId": project} if project else {}), **inputs},
        "consumerInputs": consumer,
    }


def create(client, sim, pat_headers, payload: dict) -> dict:
    response = client.post(hooks_url(sim, "subscriptions"), params=V, json=payload, headers=pat_headers)
    assert response.status_code == 200, response.text
    return response.json()


def advance_events(sim, days: int = 2) -> list[ActivityEvent]:
    return sim.world.advance(timedelta(days=days))


def pr_event(sim, **changes) -> ActivityEvent:
    pr = max(sim.world.pull_request_index(), key=lambda s: s.id)
    fields = {
        "at": sim.world.now,
        "event_type": "git.pullrequest.updated",
        "project_id": pr.project_id,
        "repository_id": pr.repository_id,
        "resource_id": pr.id,
        "notification_type": "StatusUpdateNotification",
        **changes,
    }
    return ActivityEvent(**fields)


# -- catalog ------------------------------------------------------------------------------------------------


def test_publishers_event_types_and_consumers(client, sim, pat_headers):
    publishers = client.get(hooks_url(sim, "publishers"), params=V, headers=pat_headers).json()
    assert [p["id"] for p in publishers["value"]] == ["tfs", "rm"]
    tfs = client.get(hooks_url(sim, "publishers/tfs/eventtypes"), params=V, headers=pat_headers).json()
    assert {e["id"] for e in tfs["value"]} == {
        "git.push",
        "git.pullrequest.created",
        "git.pullrequest.updated",
        "git.pullrequest.merged",
        "build.complete",
    }
    updated = next(e for e in tfs["value"] if e["id"] == "git.pullrequest.updated")
    kinds = next(i for i in updated["inputDescriptors"] if i["id"] == "notificationType")
    assert {v["value"] for v in kinds["values"]["possibleValues"]} >= {
        "PushNotification",
        "ReviewersUpdateNotification",
        "StatusUpdateNotification",
        "ReviewerVoteNotification",
    }
    rm = client.get(hooks_url(sim, "publishers/rm/eventtypes"), params=V, headers=pat_headers).json()
    assert [e["id"] for e in rm["value"]] == ["ms.vss-release.deployment-completed-event"]
    assert (
        client.get(hooks_url(sim, "publishers/nope/eventtypes"), params=V, headers=pat_headers).status_code
        == 404
    )
    consumers = client.get(hooks_url(sim, "consumers"), params=V, headers=pat_headers).json()
    action = consumers["value"][0]["actions"][0]
    assert (consumers["value"][0]["id"], action["id"]) == ("webHooks", "httpRequest")
    inputs = {i["id"]: i for i in action["inputDescriptors"]}
    assert set(inputs) == {
        "url",
        "httpHeaders",
        "basicAuthUsername",
        "basicAuthPassword",
        "resourceDetailsToSend",
        "messagesToSend",
        "detailedMessagesToSend",
    }
    assert inputs["basicAuthPassword"]["isConfidential"] is True


def test_hooks_routes_need_a_hooks_capable_scope(client, sim):
    owner = sim.auth.pats[sim.pat].identity_id
    release_only = sim.auth.add_pat("release-only", owner, ["vso.release"]).token
    headers = {
        "Authorization": "Basic " + base64.b64encode(f":{release_only}".encode()).decode(),
        "X-TFS-FedAuthRedirect": "Suppress",
    }
    assert client.get(hooks_url(sim, "subscriptions"), params=V, headers=headers).status_code == 401


# -- subscriptions ------------------------------------------------------------------------------------------


def test_subscription_crud(client, sim, pat_headers):
    project = sim.world.projects()[0].id
    created = create(client, sim, pat_headers, body(sim, projectId=project))
    sub_id = created["id"]
    assert created["status"] == "enabled"
    assert created["url"].endswith(f"/_apis/hooks/subscriptions/{sub_id}")
    assert created["publisherInputs"]["projectId"] == project
    assert {"hostId", "tfsSubscriptionId"} <= set(created["publisherInputs"])
    assert created["consumerInputs"]["basicAuthPassword"] == "********"  # confidential: never echoed
    assert created["createdBy"]["id"] == sim.auth.pats[sim.pat].identity_id

    listed = client.get(hooks_url(sim, "subscriptions"), params=V, headers=pat_headers).json()
    assert [s["id"] for s in listed["value"]] == [sub_id] and listed["count"] == 1
    other = client.get(
        hooks_url(sim, "subscriptions"), params={**V, "eventType": "git.push"}, headers=pat_headers
    ).json()
    assert other == {"count": 0, "value": []}

    replaced_body = body(sim, "git.push", projectId=project, consumer={"url": "https://new.example/h"})
    replaced = client.put(
        hooks_url(sim, "subscriptions", sub_id), params=V, json=replaced_body, headers=pat_headers
    ).json()
    assert (replaced["id"], replaced["eventType"]) == (sub_id, "git.push")
    assert replaced["consumerInputs"]["url"] == "https://new.example/h"
    assert replaced["publisherInputs"]["hostId"] == created["publisherInputs"]["hostId"]
    got = client.get(hooks_url(sim, "subscriptions", sub_id), params=V, headers=pat_headers).json()
    assert got["eventType"] == "git.push"

    deleted = client.delete(hooks_url(sim, "subscriptions", sub_id), params=V, headers=pat_headers)
    assert deleted.status_code == 204 and deleted.content == b""
    assert (
        client.get(hooks_url(sim, "subscriptions", sub_id), params=V, headers=pat_headers).status_code == 404
    )
    assert client.get(hooks_url(sim, "subscriptions"), params=V, headers=pat_headers).json()["count"] == 0


@pytest.mark.parametrize(
    "change, message",
    [
        ({"eventType": "workitem.created"}, "not supported"),
        ({"publisherId": "jenkins"}, "publisher"),
        ({"consumerId": "zapier"}, "webHooks"),
        ({"consumerInputs": {"url": "not a url"}}, "url"),
        ({"resourceVersion": "9.9"}, "resource version"),
        ({"publisherInputs": {"projectId": "00000000-0000-0000-0000-000000000000"}}, "project"),
    ],
)
def test_invalid_subscriptions_are_refused(client, sim, pat_headers, change, message):
    response = client.post(
        hooks_url(sim, "subscriptions"), params=V, json={**body(sim), **change}, headers=pat_headers
    )
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert client.get(hooks_url(sim, "subscriptions"), params=V, headers=pat_headers).json()["count"] == 0


def test_both_release_event_spellings_are_accepted(client, sim, pat_headers):
    for event_type in (
        "ms.vss-release.deployment-completed-event",
        "ms.azure-devops-release.deployment-completed-event",
    ):
        created = create(client, sim, pat_headers, body(sim, event_type, publisher="rm"))
        assert created["eventType"] == event_type


def test_subscriptions_query_filters_on_inputs(client, sim, pat_headers):
    first, second = (p.id for p in sim.world.projects()[:2])
    a = create(client, sim, pat_headers, body(sim, projectId=first))
    create(client, sim, pat_headers, body(sim, "git.push", projectId=second))
    query = {
        "publisherId": "tfs",
        "publisherInputFilters": [
            {"conditions": [{"inputId": "projectId", "operator": "equals", "inputValue": first.upper()}]}
        ],
    }
    answer = client.post(
        hooks_url(sim, "subscriptionsquery"), params=V, json=query, headers=pat_headers
    ).json()
    assert [s["id"] for s in answer["results"]] == [a["id"]]
    assert answer["publisherId"] == "tfs"
    negated = {
        "publisherInputFilters": [
            {"conditions": [{"inputId": "projectId", "operator": "notEquals", "inputValue": first}]}
        ]
    }
    answer = client.post(
        hooks_url(sim, "subscriptionsquery"), params=V, json=negated, headers=pat_headers
    ).json()
    assert [s["eventType"] for s in answer["results"]] == ["git.push"]


# -- delivery -----------------------------------------------------------------------------------------------


def test_delivery_envelope_auth_and_headers(client, sim, pat_headers, receiver):
    project = sim.world.projects()[0].id
    sub = create(client, sim, pat_headers, body(sim, projectId=project))
    events = [e for e in advance_events(sim) if e.event_type == "git.pullrequest.updated"]
    expected = [e for e in events if e.project_id == project]
    assert expected and len(expected) < len(events)  # the project filter matters here
    notes = sim.hooks.publish(events)
    assert len(notes) == len(receiver.requests) == len(expected)
    request = receiver.requests[0]
    assert request.method == "POST" and str(request.url) == URL
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"ado:s3cret").decode()
    assert request.headers["x-collector-key"] == "hdr-secret-1" and request.headers["x-other"] == "two"
    assert request.headers["content-type"].startswith("application/json")
    payloads = receiver.bodies
    assert [p["notificationId"] for p in payloads] == list(range(1, len(expected) + 1))
    first = payloads[0]
    assert first["subscriptionId"] == sub["id"]
    assert (first["eventType"], first["publisherId"], first["resourceVersion"]) == (
        "git.pullrequest.updated",
        "tfs",
        "1.0",
    )
    assert first["message"] is None and first["detailedMessage"] is None  # messagesToSend: none
    assert first["resource"]["pullRequestId"] == expected[0].resource_id
    assert first["resource"]["repository"]["id"] == expected[0].repository_id
    assert first["resourceContainers"]["project"]["id"] == project
    assert first["resourceContainers"]["collection"]["id"] == sim.world.organization_id
    assert first["createdDate"].endswith("Z") and len(first["id"]) == 36


def test_every_event_kind_is_delivered_with_its_resource(client, sim, pat_headers, receiver):
    kinds = {
        "git.push": "tfs",
        "git.pullrequest.updated": "tfs",
        "build.complete": "tfs",
        "ms.vss-release.deployment-completed-event": "rm",
    }
    for event_type, publisher in kinds.items():
        create(client, sim, pat_headers, body(sim, event_type, publisher=publisher))
    events = advance_events(sim, days=3)
    assert {e.event_type for e in events} >= set(kinds)
    sim.hooks.publish(events)
    by_type = {}
    for payload in receiver.bodies:
        by_type.setdefault(payload["eventType"], payload)
    assert set(by_type) == set(kinds)
    assert by_type["git.push"]["resource"]["pushId"] and by_type["git.push"]["resource"]["refUpdates"]
    assert by_type["build.complete"]["resource"]["status"] == "completed"
    deployment = by_type["ms.vss-release.deployment-completed-event"]
    assert {"environment", "release", "project"} <= set(deployment["resource"])
    assert deployment["resourceVersion"] == "3.0-preview.1"


def test_event_ids_are_shared_and_notification_ids_per_subscription(client, sim, pat_headers, receiver):
    create(client, sim, pat_headers, body(sim))
    create(client, sim, pat_headers, body(sim))
    event = pr_event(sim)
    sim.hooks.publish([event, event])
    payloads = receiver.bodies
    assert len(payloads) == 4
    assert len({p["id"] for p in payloads}) == 1  # one event id, seen by both subscriptions
    per_sub: dict[str, list[int]] = {}
    for p in payloads:
        per_sub.setdefault(p["subscriptionId"], []).append(p["notificationId"])
    assert sorted(per_sub.values()) == [[1, 2], [1, 2]]


@pytest.mark.parametrize(
    "inputs, matches",
    [
        ({"notificationType": "StatusUpdateNotification"}, True),
        ({"notificationType": "ReviewerVoteNotification"}, False),
        ({"branch": "__target__"}, True),
        ({"branch": "refs/heads/never"}, False),
        ({"repository": "__repo__"}, True),
        ({"repository": "00000000-0000-0000-0000-000000000000"}, False),
    ],
)
def test_publisher_input_filters(client, sim, pat_headers, receiver, inputs, matches):
    event = pr_event(sim)
    pr = sim.world.pull_request(event.resource_id)
    values = {"__target__": pr.target_ref.removeprefix("refs/heads/"), "__repo__": pr.repository_id.upper()}
    create(client, sim, pat_headers, body(sim, **{k: values.get(v, v) for k, v in inputs.items()}))
    assert len(sim.hooks.publish([event])) == int(matches)
    assert len(receiver.requests) == int(matches)


def test_messages_and_resource_details_follow_the_inputs(client, sim, pat_headers, receiver):
    create(
        client,
        sim,
        pat_headers,
        body(
            sim,
            consumer={
                "messagesToSend": "",
                "detailedMessagesToSend": "text",
                "resourceDetailsToSend": "minimal",
            },
        ),
    )
    create(client, sim, pat_headers, body(sim, consumer={"resourceDetailsToSend": "none"}))
    sim.hooks.publish([pr_event(sim)])
    full, bare = receiver.bodies
    assert set(full["message"]) == {"text", "html", "markdown"}
    assert set(full["detailedMessage"]) == {"text"}
    assert "pullRequestId" in full["resource"] and "reviewers" not in full["resource"]
    assert bare["resource"] is None


def test_transient_failures_are_retried_with_the_same_notification(client, sim, pat_headers, receiver):
    receiver.statuses = [503, 502, 408]
    sub = create(client, sim, pat_headers, body(sim))
    sim.hooks.publish([pr_event(sim)])
    assert len(receiver.requests) == 4
    assert {b["notificationId"] for b in receiver.bodies} == {1}
    assert sim.hooks.slept == pytest.approx([w * 0.001 for w in RETRY_WAITS[:3]])
    note = client.get(
        hooks_url(sim, "subscriptions", sub["id"], "notifications"), params=V, headers=pat_headers
    ).json()["value"][0]
    assert (note["result"], note["status"], note["details"]["requestAttempts"]) == (
        "succeeded",
        "completed",
        4,
    )
    assert sim.hooks.get(sub["id"]).status == "enabled"


def test_transient_failures_that_last_put_the_subscription_on_probation(client, sim, pat_headers, receiver):
    receiver.statuses = [503] * (len(RETRY_WAITS) + 1)
    sub = create(client, sim, pat_headers, body(sim))
    sim.hooks.publish([pr_event(sim)])
    assert len(receiver.requests) == len(RETRY_WAITS) + 1
    assert sim.hooks.get(sub["id"]).status == "onProbation"


def test_gone_disables_at_once(client, sim, pat_headers, receiver):
    receiver.statuses = [410]
    sub = create(client, sim, pat_headers, body(sim))
    assert len(sim.hooks.publish([pr_event(sim)])) == 1
    assert len(receiver.requests) == 1
    got = client.get(hooks_url(sim, "subscriptions", sub["id"]), params=V, headers=pat_headers).json()
    assert got["status"] == "disabledBySystem"
    assert sim.hooks.publish([pr_event(sim)]) == [] and len(receiver.requests) == 1


def test_probation_holds_then_recovers_in_order(client, sim, pat_headers, receiver):
    receiver.statuses = [500]
    sim.hooks.probation_scale = 1.0  # the first probation retry is due 20 simulated minutes later
    sub = create(client, sim, pat_headers, body(sim))
    sim.hooks.publish([pr_event(sim)])
    assert sim.hooks.get(sub["id"]).status == "onProbation"
    sim.hooks.publish([pr_event(sim, notification_type="ReviewerVoteNotification")])
    assert len(receiver.requests) == 1  # held while on probation, nothing due yet
    sim.world.advance(timedelta(minutes=PROBATION_WAITS[0]))
    sim.hooks.pump()
    state = sim.hooks.get(sub["id"])
    assert state.status == "enabled" and state.probation_retries == 0
    assert [b["notificationId"] for b in receiver.bodies] == [1, 1, 2]  # the retry, then the held one
    listed = client.get(
        hooks_url(sim, "subscriptions", sub["id"], "notifications"), params=V, headers=pat_headers
    ).json()
    assert [(n["id"], n["result"]) for n in listed["value"]] == [(2, "succeeded"), (1, "succeeded")]


def test_seven_failed_probation_retries_disable(client, sim, pat_headers, receiver):
    receiver.statuses = [500] * 20
    sub = create(client, sim, pat_headers, body(sim))
    sim.hooks.publish([pr_event(sim)])
    for retry in range(1, len(PROBATION_WAITS) + 1):
        sim.hooks.publish([])
        state = sim.hooks.get(sub["id"])
        if retry < len(PROBATION_WAITS):
            assert (state.status, state.probation_retries) == ("onProbation", retry)
            shown = client.get(
                hooks_url(sim, "subscriptions", sub["id"]), params=V, headers=pat_headers
            ).json()
            assert shown["probationRetries"] == retry and "lastProbationRetryDate" in shown
    assert sim.hooks.get(sub["id"]).status == "disabledBySystem"
    assert len(receiver.requests) == 1 + len(PROBATION_WAITS)
    failed = client.get(
        hooks_url(sim, "subscriptions", sub["id"], "notifications"),
        params={**V, "result": "failed"},
        headers=pat_headers,
    ).json()
    assert failed["count"] == 1 and failed["value"][0]["details"]["requestAttempts"] == 1 + len(
        PROBATION_WAITS
    )


def test_replace_with_enabled_re_enables_a_disabled_subscription(client, sim, pat_headers, receiver):
    receiver.statuses = [410]
    sub = create(client, sim, pat_headers, body(sim))
    sim.hooks.publish([pr_event(sim)])
    again = client.put(
        hooks_url(sim, "subscriptions", sub["id"]),
        params=V,
        json={**body(sim), "status": "enabled"},
        headers=pat_headers,
    ).json()
    assert again["status"] == "enabled"
    sim.hooks.publish([pr_event(sim)])
    assert receiver.bodies[-1]["notificationId"] == 2


def test_network_errors_count_as_transient(sim, client, pat_headers):
    calls = []

    def refuse(request):
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    sim.hooks.client = httpx.Client(transport=httpx.MockTransport(refuse))
    sim.hooks.retry_scale, sim.hooks.sleep = 0.0, lambda s: None
    sub = create(client, sim, pat_headers, body(sim))
    sim.hooks.publish([pr_event(sim)])
    assert len(calls) == len(RETRY_WAITS) + 1
    note = sim.hooks.notifications(sub["id"])[0]
    assert note.result == "failed" and "ConnectError" in note.error


def test_notifications_list_filters_and_limits(client, sim, pat_headers, receiver):
    receiver.statuses = [200, 404]
    sub = create(client, sim, pat_headers, body(sim))
    sim.hooks.publish([pr_event(sim), pr_event(sim)])
    url = hooks_url(sim, "subscriptions", sub["id"], "notifications")
    everything = client.get(url, params=V, headers=pat_headers).json()
    assert [n["id"] for n in everything["value"]] == [2, 1]
    only_one = client.get(url, params={**V, "maxResults": 1}, headers=pat_headers).json()
    assert only_one["count"] == 1
    ok = client.get(url, params={**V, "result": "succeeded"}, headers=pat_headers).json()
    assert [n["id"] for n in ok["value"]] == [1]
    details = everything["value"][1]["details"]
    assert details["event"]["eventType"] == "git.pullrequest.updated"
    assert "s3cret" not in json.dumps(everything)  # the confidential input is never shown
    assert "X-Collector-Key: hdr-secret-1" in details["request"]  # httpHeaders is not confidential
    assert details["request"].startswith(f"POST {URL}")


def test_clock_advance_through_the_control_endpoint_delivers(client, sim, pat_headers, receiver):
    create(client, sim, pat_headers, body(sim, "git.push"))
    response = client.post("/_control/clock/advance", json={"days": 1})
    assert response.status_code == 200 and response.json()["events"] > 0
    assert receiver.bodies and {b["eventType"] for b in receiver.bodies} == {"git.push"}


def test_reset_forgets_subscriptions_but_keeps_the_client(sim):
    client = httpx.Client(transport=httpx.MockTransport(Receiver()))
    sim.hooks.client = client
    sim.hooks.subscriptions["x"] = object()
    sim.reset()
    assert sim.hooks.subscriptions == {} and sim.hooks.client is client
    assert isinstance(sim.hooks, ServiceHooks)
