"""Service-hook shapes: publishers, event types, the ``webHooks`` consumer, subscriptions and notifications.

The catalog they draw on (publishers, event types, input descriptors) is in ``hook_catalog``; the consumer is
``webHooks``/``httpRequest`` (consumers example).
"""

from __future__ import annotations

from typing import Any

from ..registry import Call
from ..wire import iso
from .common import identity_ref
from .hook_catalog import EVENT_TYPES, PUBLISHERS, input_descriptor

CONFIDENTIAL_MASK = "********"  # how the subscriptions example shows a confidential input


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
        input_descriptor(
            "projectId", "Project", "Team Project to restrict events to", mode="none", data_type="guid"
        ),
        input_descriptor(
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
        input_descriptor(
            "url",
            "URL",
            "The URL to which an HTTP POST will be sent.",
            mode="textBox",
            validation={"dataType": "uri", "isRequired": True},
        ),
        input_descriptor(
            "httpHeaders",
            "HTTP headers",
            'HTTP header keys and values separated by a colon(e.g. "Key1:value1") with each '
            "key-value-pair appearing on its own line of text.",
            mode="textArea",
            data_type="string",
        ),
        input_descriptor(
            "basicAuthUsername",
            "Basic authentication username",
            "Enter a username for standard HTTP authentication. " + auth_note,
            mode="textBox",
            validation=auth_validation,
        ),
        input_descriptor(
            "basicAuthPassword",
            "Basic authentication password",
            "Enter a password for standard HTTP authentication. " + auth_note,
            mode="passwordBox",
            validation=auth_validation,
            confidential=True,
        ),
        input_descriptor(
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
        input_descriptor(
            "messagesToSend",
            "Messages to send",
            "Control the messages to send",
            data_type="string",
            values=message_choices,
        ),
        input_descriptor(
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
