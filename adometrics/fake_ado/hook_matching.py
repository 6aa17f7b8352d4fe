"""Service hooks: which subscriptions an event reaches, and the input filters of a SubscriptionsQuery.

``wants`` checks what needs no rendering (event type, project, repository); ``inputs_match`` the entity
filters against the facts of the rendered event; ``filters_match`` a query's input filters (any filter, all
its conditions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .render import hook_events
from .scenario.model import ActivityEvent

if TYPE_CHECKING:
    from .hooks import Subscription


def wants(sub: Subscription, event: ActivityEvent) -> bool:
    """Event type and the container filters (project, repository) that need no rendering."""
    if hook_events.canonical(sub.event_type) != hook_events.canonical(event.event_type):
        return False
    inputs = sub.publisher_inputs
    project = inputs.get("projectId", "")
    if project and project.lower() != event.project_id.lower():
        return False
    repository = inputs.get("repository", "")
    return not repository or repository.lower() == (event.repository_id or "").lower()


def inputs_match(inputs: dict[str, str], facts: dict[str, str]) -> bool:
    """The entity filters: branch (full or short ref), PR notificationType, build and release filters."""
    for key, fact in facts.items():
        wanted = inputs.get(key, "")
        if not wanted or key == "repository":
            continue
        if key == "branch":
            refs = {r.removeprefix("refs/heads/").lower() for r in fact.split()}
            if wanted.removeprefix("refs/heads/").lower() not in refs:
                return False
        elif wanted.lower() != fact.lower():
            return False
    return True


def filters_match(filters: Any, inputs: dict[str, str]) -> bool:
    if not filters:
        return True
    for input_filter in filters:
        conditions = (input_filter or {}).get("conditions") or []
        if all(_condition(c, inputs) for c in conditions):
            return True
    return False


def _condition(condition: dict[str, Any], inputs: dict[str, str]) -> bool:
    actual, wanted = inputs.get(condition.get("inputId", ""), ""), condition.get("inputValue") or ""
    if not condition.get("caseSensitive"):
        actual, wanted = actual.lower(), wanted.lower()
    equal = actual == wanted
    return not equal if (condition.get("operator") or "equals").lower() == "notequals" else equal
