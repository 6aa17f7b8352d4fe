"""Service hooks: the subscription store, event matching and webhook delivery (ENDPOINTS §11, BEHAVIOUR §6).
The matching predicates live in ``hook_matching``.

``publish(events)`` is called when simulated time advances (the control endpoint). It matches each event
against the enabled and on-probation subscriptions, numbers a notification within each subscription, builds
ADO's envelope and POSTs it to ``consumerInputs.url`` with the subscription's basic auth and custom headers.

Delivery is synchronous inside ``publish``: deterministic, and a test sees the outcome when the call
returns. So the receiver must not be served by the event loop that runs the simulator itself. Unlike ADO,
loopback targets are allowed (tests and the demo receive on 127.0.0.1).

Failure rules (BEHAVIOUR §6.2): 410 disables the subscription at once (``disabledBySystem``); 408/502/503/504
and network errors are retried up to 8 times after 1, 2, 4, … 60 s (times ``retry_scale``, ~0 in tests),
then count as an enduring failure; any other status is an enduring failure, which puts the subscription
``onProbation``. On probation, later notifications are held and the failed one is retried at 20 min, 40 min, …
15 h of *simulated* time (times ``probation_scale``) whenever ``publish``/``pump`` runs; a success restores
``enabled`` and flushes the held ones, the 7th failed retry disables the subscription. A notification keeps
its ``notificationId`` across all retries.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from .hook_matching import filters_match, inputs_match, wants
from .registry import Call
from .render import hook_events
from .render.hook_catalog import PUBLISHERS, supported_versions
from .scenario.model import ActivityEvent
from .wire import bad_request, iso, not_found

if TYPE_CHECKING:
    from .state import Simulator

TRANSIENT = frozenset({408, 502, 503, 504})
RETRY_WAITS = (1, 2, 4, 8, 16, 32, 60, 60)  # seconds between the attempts on a transient failure
PROBATION_WAITS = (20, 40, 80, 160, 320, 640, 900)  # minutes between the retries while on probation
DELIVERING = frozenset({"enabled", "onProbation"})
_NAMESPACE = uuid.UUID("5b0e7c1e-8d0c-4a55-9a57-6f6b6f6b0001")


@dataclass(slots=True)
class Notification:
    """One event delivered (or being delivered) to one subscription."""

    id: int
    subscription_id: str
    subscriber_id: str
    event_id: str
    event_type: str
    publisher_id: str
    created: datetime
    modified: datetime
    payload: dict[str, Any]
    publisher_inputs: dict[str, str]
    consumer_inputs: dict[str, str]
    status: str = "queued"  # queued | processing | requestInProgress | completed
    result: str = "pending"  # pending | succeeded | failed | filtered
    attempts: int = 0
    duration: float = 0.0
    request: str = ""
    response: str = ""
    error: str | None = None


@dataclass(slots=True)
class Subscription:
    id: str
    publisher_id: str
    event_type: str
    resource_version: str | None
    consumer_id: str
    consumer_action_id: str
    publisher_inputs: dict[str, str]
    consumer_inputs: dict[str, str]
    created_by: str
    created: datetime
    modified_by: str
    modified: datetime
    base_url: str  # the simulator's address as the creating client saw it (for url fields in payloads)
    status: str = "enabled"
    probation_retries: int = 0
    last_probation_retry: datetime | None = None
    next_retry: datetime | None = None
    retrying: Notification | None = None  # the failed notification retried while on probation
    held: list[Notification] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)

    @property
    def event_description(self) -> str:
        filters = [f"{k} {v}" for k, v in sorted(self.publisher_inputs.items())
                   if v and k not in ("hostId", "tfsSubscriptionId", "projectId")]
        return ", ".join(filters) if filters else f"Any {self.event_type} event"

    @property
    def action_description(self) -> str:
        return f"To host {urlsplit(self.consumer_inputs.get('url', '')).hostname or ''}"


class ServiceHooks:
    """The subscriptions of one simulated organization and their deliveries."""

    def __init__(self, sim: Simulator, *, client: httpx.Client | None = None, retry_scale: float = 1.0,
                 probation_scale: float = 1.0, sleep: Callable[[float], None] = time.sleep):
        self.sim = sim
        self.client = client
        self.retry_scale = retry_scale
        self.probation_scale = probation_scale
        self.sleep = sleep
        self.reset()

    def reset(self) -> None:
        """Forget subscriptions and history (the simulator's reset); the client and timing stay."""
        self.subscriptions: dict[str, Subscription] = {}
        self._created = 0

    # -- store ------------------------------------------------------------------------------------------

    def create(self, call: Call, body: Any) -> Subscription:
        fields = self._validated(body)
        now = self.sim.world.now
        self._created += 1
        sub_id = str(uuid.uuid5(_NAMESPACE, f"{self.sim.world.organization}|subscription|{self._created}"))
        who = call.identity_id or ""
        sub = Subscription(id=sub_id, created_by=who, created=now, modified_by=who, modified=now,
                           base_url=call.base_url, **fields)
        if sub.publisher_id == "tfs":
            sub.publisher_inputs.setdefault("hostId", self.sim.world.organization_id)
            sub.publisher_inputs.setdefault("tfsSubscriptionId", str(uuid.uuid5(_NAMESPACE, sub_id)))
        self.subscriptions[sub.id] = sub
        return sub

    def replace(self, call: Call, sub_id: str, body: Any) -> Subscription:
        """PUT: the full subscription again; a status in the body applies (a monitor re-enables this way)."""
        sub = self.get(sub_id)
        fields = self._validated(body)
        server_added = {k: v for k, v in sub.publisher_inputs.items() if k in ("hostId", "tfsSubscriptionId")}
        for name, value in fields.items():
            setattr(sub, name, value)
        sub.publisher_inputs = {**server_added, **sub.publisher_inputs}
        status = body.get("status") or sub.status
        if status not in ("enabled", "onProbation", "disabledByUser", "disabledBySystem",
                          "disabledByInactiveIdentity"):
            raise bad_request(f"The subscription status '{status}' is not valid.")
        if status == "enabled":
            self._restore(sub)
        sub.status = status
        sub.modified_by, sub.modified = call.identity_id or "", self.sim.world.now
        return sub

    def get(self, sub_id: str) -> Subscription:
        sub = self.subscriptions.get(sub_id.lower())
        if sub is None:
            raise not_found(f"The subscription with id '{sub_id}' does not exist.")
        return sub

    def delete(self, sub_id: str) -> None:
        self.subscriptions.pop(self.get(sub_id).id)

    def list(self, publisher_id: str | None = None, event_type: str | None = None,
             consumer_id: str | None = None, consumer_action_id: str | None = None) -> list[Subscription]:
        wanted = {"publisher_id": publisher_id, "event_type": event_type, "consumer_id": consumer_id,
                  "consumer_action_id": consumer_action_id}
        return [s for s in self.subscriptions.values()
                if all(v is None or getattr(s, k).lower() == v.lower() for k, v in wanted.items())]

    def query(self, body: dict[str, Any]) -> list[Subscription]:
        """SubscriptionsQuery: the plain criteria, then input filters (any filter; all its conditions)."""
        found = self.list(body.get("publisherId"), body.get("eventType"), body.get("consumerId"),
                          body.get("consumerActionId"))
        subscriber = body.get("subscriberId")
        return [s for s in found
                if (not subscriber or s.created_by == subscriber.lower())
                and filters_match(body.get("publisherInputFilters"), s.publisher_inputs)
                and filters_match(body.get("consumerInputFilters"), s.consumer_inputs)]

    def notifications(self, sub_id: str, max_results: int = 100, status: str | None = None,
                      result: str | None = None) -> list[Notification]:
        """Delivery history, newest first."""
        notes = [n for n in reversed(self.get(sub_id).notifications)
                 if (status is None or n.status.lower() == status.lower())
                 and (result is None or n.result.lower() == result.lower())]
        return notes[: max(0, max_results)]

    def _validated(self, body: Any) -> dict[str, Any]:
        """The subscription fields a create/replace body sets, or ADO's 400."""
        if not isinstance(body, dict):
            raise bad_request("The subscription body is missing or not a JSON object.")
        publisher, event_type = body.get("publisherId") or "", body.get("eventType") or ""
        if publisher not in PUBLISHERS:
            raise bad_request(f"The publisher '{publisher}' does not exist.")
        versions = supported_versions(publisher, event_type)
        if versions is None:
            raise bad_request(f"The event type '{event_type}' is not supported by publisher '{publisher}'.")
        version = body.get("resourceVersion")
        if version and version not in versions:
            raise bad_request(f"The resource version '{version}' of '{event_type}' is not supported.")
        if (body.get("consumerId"), body.get("consumerActionId")) != ("webHooks", "httpRequest"):
            raise bad_request("Only the consumer 'webHooks' with action 'httpRequest' is supported.")
        publisher_inputs = _inputs(body.get("publisherInputs"))
        consumer_inputs = _inputs(body.get("consumerInputs"))
        url = urlsplit(consumer_inputs.get("url", ""))
        if url.scheme not in ("http", "https") or not url.hostname:
            raise bad_request("The consumer input 'url' must be an absolute http or https URL.")
        project = publisher_inputs.get("projectId")
        if project and self.sim.world.project(project) is None:
            raise bad_request(f"The project '{project}' does not exist.")
        return {"publisher_id": publisher, "event_type": event_type, "resource_version": version or None,
                "consumer_id": "webHooks", "consumer_action_id": "httpRequest",
                "publisher_inputs": publisher_inputs, "consumer_inputs": consumer_inputs}

    # -- delivery -----------------------------------------------------------------------------------------

    def publish(self, events: Iterable[ActivityEvent]) -> list[Notification]:
        """Queue a notification per (event, matching subscription), then deliver what is due."""
        created: list[Notification] = []
        for event in events:
            subs = [s for s in self.subscriptions.values() if s.status in DELIVERING and wants(s, event)]
            rendered: dict[str, hook_events.Subject | None] = {}
            for sub in subs:
                if sub.base_url not in rendered:
                    rendered[sub.base_url] = hook_events.subject(self._call(sub.base_url), event)
                subject = rendered[sub.base_url]
                if subject is not None and inputs_match(sub.publisher_inputs, subject.facts):
                    note = self._notification(sub, event, subject)
                    sub.notifications.append(note)
                    sub.held.append(note)
                    created.append(note)
        self.pump()
        return created

    def pump(self) -> None:
        """Deliver held notifications of enabled subscriptions; retry probation ones that are due."""
        now = self.sim.world.now
        for sub in list(self.subscriptions.values()):
            if sub.status == "onProbation" and sub.retrying is not None and sub.next_retry is not None \
                    and now >= sub.next_retry:
                self._attempt(sub, sub.retrying)
            while sub.status == "enabled" and sub.held:
                self._attempt(sub, sub.held[0])

    def _attempt(self, sub: Subscription, note: Notification) -> None:
        outcome = self._send(sub, note)
        now = self.sim.world.now
        note.status, note.modified = "completed", now
        if note in sub.held:
            sub.held.remove(note)
        if outcome == "ok":
            note.result, note.error = "succeeded", None
            self._restore(sub)
            return
        note.result = "failed"
        if outcome == "gone":
            self._disable(sub)
        elif sub.status == "enabled":
            sub.status, sub.retrying, sub.probation_retries = "onProbation", note, 0
            sub.next_retry = now + self._probation_wait(0)
        else:
            sub.probation_retries += 1
            sub.last_probation_retry = now
            if sub.probation_retries >= len(PROBATION_WAITS):
                self._disable(sub)
            else:
                sub.next_retry = now + self._probation_wait(sub.probation_retries)

    def _send(self, sub: Subscription, note: Notification) -> str:
        """POST with the transient-retry schedule; "ok", "gone" or "failed"."""
        inputs = sub.consumer_inputs
        headers = {"Content-Type": "application/json; charset=utf-8",
                   **_custom_headers(inputs.get("httpHeaders"))}
        user, password = inputs.get("basicAuthUsername", ""), inputs.get("basicAuthPassword", "")
        auth = httpx.BasicAuth(user, password) if user or password else None
        content = json.dumps(note.payload)
        # Custom headers are not a confidential input (consumers example), so history shows them; the basic
        # auth password is, and httpx adds it outside ``headers``.
        note.request = f"POST {inputs['url']}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) \
            + f"\r\n{content}"
        for attempt in range(len(RETRY_WAITS) + 1):
            if attempt and RETRY_WAITS[attempt - 1] * self.retry_scale > 0:
                self.sleep(RETRY_WAITS[attempt - 1] * self.retry_scale)
            note.attempts += 1
            started = time.perf_counter()
            try:
                response = self._client().post(inputs["url"], content=content, headers=headers, auth=auth)
            except httpx.HTTPError as exc:
                note.duration = time.perf_counter() - started
                note.response, note.error = "", f"{type(exc).__name__}: {exc}"
                continue
            note.duration = time.perf_counter() - started
            note.response = f"{response.status_code} {response.reason_phrase}\r\n{response.text[:2000]}"
            if response.is_success:
                return "ok"
            note.error = f"The remote server returned an error: ({response.status_code}) " \
                f"{response.reason_phrase}."
            if response.status_code == 410:
                return "gone"
            if response.status_code not in TRANSIENT:
                return "failed"
        return "failed"

    def _restore(self, sub: Subscription) -> None:
        if sub.status == "onProbation" or sub.retrying is not None:
            sub.status = "enabled"
        sub.retrying, sub.next_retry, sub.probation_retries = None, None, 0

    def _disable(self, sub: Subscription) -> None:
        sub.status, sub.retrying, sub.next_retry = "disabledBySystem", None, None
        for note in sub.held:
            note.status, note.result, note.modified = "completed", "failed", self.sim.world.now
            note.error = "The subscription was disabled by the system."
        sub.held.clear()

    def _probation_wait(self, index: int) -> timedelta:
        return timedelta(minutes=PROBATION_WAITS[index] * self.probation_scale)

    def _client(self) -> httpx.Client:
        if self.client is None:
            self.client = httpx.Client(timeout=10.0)
        return self.client

    def _call(self, base_url: str) -> Call:
        """A Call for the renderers, as if the subscription's creator asked (no request is in flight)."""
        return Call(sim=self.sim, endpoint=None, identity_id=None, base_url=base_url)  # type: ignore[arg-type]

    def _notification(self, sub: Subscription, event: ActivityEvent, subject) -> Notification:
        world = self.sim.world
        event_id = str(uuid.uuid5(_NAMESPACE, f"{world.organization}|{event.event_type}|{event.resource_id}|"
                                              f"{event.at.isoformat()}|{event.notification_type or ''}"))
        inputs = sub.consumer_inputs
        base = f"{sub.base_url}/{world.organization}/"
        note_id = len(sub.notifications) + 1
        text, detailed = subject.messages
        resource = subject.resource
        versions = supported_versions(sub.publisher_id, sub.event_type) or ["1.0"]
        payload = {
            "subscriptionId": sub.id,
            "notificationId": note_id,
            "id": event_id,
            "eventType": sub.event_type,
            "publisherId": sub.publisher_id,
            "message": hook_events.message(inputs.get("messagesToSend", ""), text),
            "detailedMessage": hook_events.message(inputs.get("detailedMessagesToSend", ""), detailed),
            "resource": hook_events.resource_details(inputs.get("resourceDetailsToSend", ""), resource),
            "resourceVersion": sub.resource_version or versions[0],
            "resourceContainers": {
                "collection": {"id": world.organization_id, "baseUrl": base},
                "account": {"id": world.organization_id, "baseUrl": base},
                "project": {"id": event.project_id, "baseUrl": base},
            },
            "createdDate": iso(event.at),
        }
        return Notification(note_id, sub.id, sub.created_by, event_id, sub.event_type, sub.publisher_id,
                            world.now, world.now, payload, dict(sub.publisher_inputs), dict(inputs))


def _inputs(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise bad_request("Subscription inputs must be a JSON object of strings.")
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def _custom_headers(raw: str | None) -> dict[str, str]:
    """``httpHeaders``: one ``Key:value`` per line."""
    headers = {}
    for line in (raw or "").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            headers[key.strip()] = value.strip()
    return headers
