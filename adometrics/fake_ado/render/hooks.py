"""Service-hook shapes: the publisher/event-type/consumer catalog, subscriptions and notifications.

The catalog follows ``specs/hooks/7.1/httpExamples`` (publishers, eventtypes, consumers). Only what the
simulator can deliver is listed: publisher ``tfs`` (git and build events) and ``rm`` (classic release
deployments), consumer ``webHooks``/``httpRequest``.

Release event id: the docs disagree (``ms.vss-release.*`` in older docs and third-party code,
``ms.azure-devops-release.*`` in current docs; BEHAVIOUR.md §6.4). The ``rm`` event-type list shows
``ms.vss-release.deployment-completed-event``; creating a subscription with either spelling is accepted and
its deliveries carry the spelling it was created with.
"""

from __future__ import annotations

from typing import Any

from ..registry import Call
from ..wire import iso
from .common import identity_ref

RELEASE_DEPLOYMENT_COMPLETED = "ms.vss-release.deployment-completed-event"
RELEASE_ALIASES = {
    RELEASE_DEPLOYMENT_COMPLETED: RELEASE_DEPLOYMENT_COMPLETED,
    "ms.azure-devops-release.deployment-completed-event": RELEASE_DEPLOYMENT_COMPLETED,
}
TFS_VERSIONS = ["1.0", "1.0-preview.1"]
RM_VERSIONS = ["3.0-preview.1"]
ANY = {"value": "", "displayValue": "[Any]"}
CONFIDENTIAL_MASK = "********"  # how the subscriptions example shows a confidential input


def _input(
    input_id: str,
    name: str,
    description: str,
    *,
    mode: str = "combo",
    data_type: str | None = None,
    values: list[dict[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An InputDescriptor as the examples show them."""
    descriptor: dict[str, Any] = {
        "id": input_id,
        "name": name,
        "description": description,
        "inputMode": mode,
        "isConfidential": extra.pop("confidential", False),
        "useInDefaultDescription": False,
    }
    validation = extra.pop("validation", {})
    if data_type:
        validation = {"dataType": data_type, **validation}
    if validation:
        descriptor["validation"] = validation
    if values is not None:
        descriptor["values"] = {
            "inputId": input_id,
            "defaultValue": "",
            "possibleValues": values,
            "isLimitedToPossibleValues": True,
        }
    descriptor.update(extra)
    return descriptor


def _choices(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [ANY, *({"value": v, "displayValue": d} for v, d in pairs)]


_REPOSITORY = _input(
    "repository",
    "Repository",
    "The repository that code was pushed to",
    data_type="guid",
    values=[ANY],
    hasDynamicValueInformation=True,
)
_TARGET = _input(
    "branch",
    "Target branch",
    "The target branch of the pull request",
    values=[ANY],
    dependencyInputIds=["repository"],
    hasDynamicValueInformation=True,
)
_NOTIFICATION_TYPE = _input(
    "notificationType",
    "Change",
    "The type of pull request change",
    data_type="string",
    values=_choices(
        ("PushNotification", "Source branch updated"),
        ("ReviewersUpdateNotification", "Reviewers changed"),
        ("StatusUpdateNotification", "Status changed"),
        ("ReviewerVoteNotification", "Votes score changed"),
    ),
)

# (publisher, event id, name, description, input descriptors, resource versions)
EVENT_TYPES: list[tuple[str, str, str, str, list[dict[str, Any]], list[str]]] = [
    (
        "tfs",
        "build.complete",
        "Build completed",
        "A build completes",
        [
            _input(
                "definitionName",
                "Build Definition",
                "Filter events to include only completed builds for the specified definition",
                data_type="string",
                values=[ANY],
                hasDynamicValueInformation=True,
            ),
            _input(
                "buildStatus",
                "Build Status",
                "Filter events to include only completed builds for the specified completion status",
                values=_choices(
                    ("Succeeded", "Succeeded"),
                    ("PartiallySucceeded", "Partially Succeeded"),
                    ("Failed", "Failed"),
                    ("Stopped", "Stopped"),
                ),
            ),
        ],
        TFS_VERSIONS,
    ),
    (
        "tfs",
        "git.pullrequest.created",
        "Pull request created",
        "Pull request is created in a git repository",
        [_REPOSITORY, _TARGET],
        TFS_VERSIONS,
    ),
    (
        "tfs",
        "git.pullrequest.merged",
        "Pull request merge attempted",
        "Pull request - Merge attempted",
        [_REPOSITORY, _TARGET],
        TFS_VERSIONS,
    ),
    (
        "tfs",
        "git.pullrequest.updated",
        "Pull request updated",
        "Pull request is updated \u2013 status, review list, reviewer vote changed or the source branch is "
        "updated with a push",
        [_REPOSITORY, _TARGET, _NOTIFICATION_TYPE],
        TFS_VERSIONS,
    ),
    (
        "tfs",
        "git.push",
        "Code pushed",
        "Code is pushed to a git repository",
        [
            _REPOSITORY,
            _input(
                "branch",
                "Branch",
                "The branch that code was pushed to",
                values=[ANY],
                dependencyInputIds=["repository"],
                hasDynamicValueInformation=True,
            ),
        ],
        TFS_VERSIONS,
    ),
    (
        "rm",
        RELEASE_DEPLOYMENT_COMPLETED,
        "Release deployment completed",
        "A deployment completed",
        [
            _input(
                "releaseDefinitionId",
                "Release pipeline name",
                "Filter by release pipeline",
                data_type="number",
                values=[ANY],
                hasDynamicValueInformation=True,
            ),
            _input(
                "releaseEnvironmentId",
                "Stage name",
                "Filter by stage",
                data_type="number",
                values=[ANY],
                dependencyInputIds=["releaseDefinitionId"],
                hasDynamicValueInformation=True,
            ),
            _input(
                "releaseEnvironmentStatus",
                "Status",
                "Filter by deployment status",
                values=_choices(
                    ("4", "Succeeded"),
                    ("128", "Partially succeeded"),
                    ("8", "Canceled"),
                    ("16", "Rejected"),
                    ("32", "Failed"),
                ),
            ),
        ],
        RM_VERSIONS,
    ),
]

PUBLISHERS = {
    "tfs": ("Azure DevOps Server", "Publishes Azure DevOps Server events"),
    "rm": ("Release Management", "Publishes release management events"),
}


def supported_versions(publisher: str, event_type: str) -> list[str] | None:
    """Resource versions of a known event type, else None (release aliases accepted)."""
    event_type = RELEASE_ALIASES.get(event_type, event_type)
    for pub, event_id, *_, versions in EVENT_TYPES:
        if pub == publisher and event_id == event_type:
            return versions
    return None


def hooks_url(call: Call, *parts: str) -> str:
    return "/".join([call.host_url("dev"), call.world.organization, "_apis/hooks", *parts])


def event_type(call: Call, entry: tuple) -> dict[str, Any]:
    publisher, event_id, name, description, inputs, versions = entry
    return {
        "publisherId": publisher,
        "id": event_id,
        "url": hooks_url(call, "publishers", publisher, "eventTypes", event_id),
        "name": name,
        "description": description,
        "supportedResourceVersions": list(versions),
        "inputDescriptors": inputs,
    }


def event_types(call: Call, publisher: str) -> list[dict[str, Any]]:
    return [event_type(call, entry) for entry in EVENT_TYPES if entry[0] == publisher]


def publisher(call: Call, publisher_id: str) -> dict[str, Any]:
    name, description = PUBLISHERS[publisher_id]
    inputs = [
        _input("projectId", "Project", "Team Project to restrict events to", mode="none", data_type="guid"),
        _input(
            "teamId", "Team", "Team that the subscription is associated with", mode="none", data_type="guid"
        ),
    ]
    return {
        "id": publisher_id,
        "url": hooks_url(call, "publishers", publisher_id),
        "name": name,
        "description": description,
        "supportedEvents": event_types(call, publisher_id),
        "inputDescriptors": inputs,
    }


def web_hooks_consumer(call: Call) -> dict[str, Any]:
    """The ``webHooks`` consumer with its ``httpRequest`` action and inputs (consumers example)."""
    auth_validation = {"dataType": "string", "pattern": "^[\\S]+$", "minLength": 1, "maxLength": 256}
    auth_note = (
        "Basic HTTP authentication sends credentials in plain text (unencrypted) which means you "
        'should use a URL beginning with "https" to enable encryption of these credentials.'
    )
    formats = (("text", "Text"), ("html", "HTML"), ("markdown", "Markdown"), ("none", "None"))
    all_choice = {"value": "", "displayValue": "All"}
    message_choices = [all_choice, *({"value": v, "displayValue": d} for v, d in formats)]
    inputs = [
        _input(
            "url",
            "URL",
            "The URL to which an HTTP POST will be sent.",
            mode="textBox",
            validation={"dataType": "uri", "isRequired": True},
        ),
        _input(
            "httpHeaders",
            "HTTP headers",
            'HTTP header keys and values separated by a colon(e.g. "Key1:value1") with each '
            "key-value-pair appearing on its own line of text.",
            mode="textArea",
            data_type="string",
        ),
        _input(
            "basicAuthUsername",
            "Basic authentication username",
            "Enter a username for standard HTTP authentication. " + auth_note,
            mode="textBox",
            validation=auth_validation,
        ),
        _input(
            "basicAuthPassword",
            "Basic authentication password",
            "Enter a password for standard HTTP authentication. " + auth_note,
            mode="passwordBox",
            validation=auth_validation,
            confidential=True,
        ),
        _input(
            "resourceDetailsToSend",
            "Resource details to send",
            "Control the resource fields to send",
            data_type="string",
            values=[
                all_choice,
                {"value": "minimal", "displayValue": "Minimal"},
                {"value": "none", "displayValue": "None"},
            ],
        ),
        _input(
            "messagesToSend",
            "Messages to send",
            "Control the messages to send",
            data_type="string",
            values=message_choices,
        ),
        _input(
            "detailedMessagesToSend",
            "Detailed messages to send",
            "Control the detailed messages to send",
            data_type="string",
            values=message_choices,
        ),
    ]
    action = {
        "id": "httpRequest",
        "consumerId": "webHooks",
        "url": hooks_url(call, "consumers", "webHooks", "actions", "httpRequest"),
        "name": "Post via HTTP",
        "description": "This action posts a JSON object representation of the event to the specified URL. "
        "Secure, HTTPS endpoints are recommended due to the potential for private data in the "
        "event payload.",
        "supportedEventTypes": ["*"],
        "supportedResourceVersions": {},
        "allowResourceVersionOverride": True,
        "inputDescriptors": inputs,
    }
    return {
        "id": "webHooks",
        "url": hooks_url(call, "consumers", "webHooks"),
        "name": "Web Hooks",
        "description": "Provides event communication via HTTP",
        "informationUrl": "http://go.microsoft.com/fwlink/?LinkID=390531",
        "authenticationType": "none",
        "inputDescriptors": [],
        "actions": [action],
    }


def _identity(call: Call, identity_id: str) -> dict[str, Any]:
    return identity_ref(call, identity_id) or {"id": identity_id}


def masked_inputs(inputs: dict[str, str]) -> dict[str, str]:
    """Confidential consumer inputs are never echoed back in clear."""
    return {k: (CONFIDENTIAL_MASK if k == "basicAuthPassword" and v else v) for k, v in inputs.items()}


def subscription(call: Call, sub) -> dict[str, Any]:
    """A Subscription (``hooks.Subscription`` record) as the subscriptions examples show it."""
    body: dict[str, Any] = {
        "id": sub.id,
        "url": hooks_url(call, "subscriptions", sub.id),
        "status": sub.status,
        "publisherId": sub.publisher_id,
        "eventType": sub.event_type,
        "resourceVersion": sub.resource_version,
        "eventDescription": sub.event_description,
        "consumerId": sub.consumer_id,
        "consumerActionId": sub.consumer_action_id,
        "actionDescription": sub.action_description,
        "createdBy": _identity(call, sub.created_by),
        "createdDate": iso(sub.created),
        "modifiedBy": _identity(call, sub.modified_by),
        "modifiedDate": iso(sub.modified),
        "publisherInputs": dict(sub.publisher_inputs),
        "consumerInputs": masked_inputs(sub.consumer_inputs),
        "subscriber": _identity(call, sub.created_by),
    }
    if sub.probation_retries:
        body["probationRetries"] = sub.probation_retries
    if sub.last_probation_retry is not None:
        body["lastProbationRetryDate"] = iso(sub.last_probation_retry)
    return body


def notification(note, *, with_details: bool = True) -> dict[str, Any]:
    """A Notification (``hooks.Notification`` record): delivery history of one event to one subscription."""
    body: dict[str, Any] = {
        "id": note.id,
        "subscriptionId": note.subscription_id,
        "subscriberId": note.subscriber_id,
        "eventId": note.event_id,
        "status": note.status,
        "result": note.result,
        "createdDate": iso(note.created),
        "modifiedDate": iso(note.modified),
    }
    if with_details:
        details = {
            "publisherId": note.publisher_id,
            "eventType": note.event_type,
            "consumerId": "webHooks",
            "consumerActionId": "httpRequest",
            "publisherInputs": dict(note.publisher_inputs),
            "consumerInputs": masked_inputs(note.consumer_inputs),
            "queuedDate": iso(note.created),
            "requestAttempts": note.attempts,
            "requestDuration": round(note.duration, 3),
            "request": note.request,
            "response": note.response,
            "event": {k: v for k, v in note.payload.items() if k not in ("subscriptionId", "notificationId")},
        }
        if note.status != "queued":
            details.update({"dequeuedDate": iso(note.created), "processedDate": iso(note.modified)})
        if note.status == "completed":
            details["completedDate"] = iso(note.modified)
        if note.error:
            details["errorMessage"] = note.error
        body["details"] = details
    return body
