"""The service-hook catalog: publishers, event types and their input descriptors.

It follows ``specs/hooks/7.1/httpExamples`` (publishers, eventtypes, consumers). Only what the simulator can
deliver is listed: publisher ``tfs`` (git and build events) and ``rm`` (classic release deployments).

Release event id: the docs disagree (``ms.vss-release.*`` in older docs and third-party code,
``ms.azure-devops-release.*`` in current docs; BEHAVIOUR.md §6.4). The ``rm`` event-type list shows
``ms.vss-release.deployment-completed-event``; creating a subscription with either spelling is accepted and
its deliveries carry the spelling it was created with.
"""

from __future__ import annotations

from typing import Any

RELEASE_DEPLOYMENT_COMPLETED = "ms.vss-release.deployment-completed-event"
RELEASE_ALIASES = {
    RELEASE_DEPLOYMENT_COMPLETED: RELEASE_DEPLOYMENT_COMPLETED,
    "ms.azure-devops-release.deployment-completed-event": RELEASE_DEPLOYMENT_COMPLETED,
}
TFS_VERSIONS = ["1.0", "1.0-preview.1"]
RM_VERSIONS = ["3.0-preview.1"]
ANY = {"value": "", "displayValue": "[Any]"}


def input_descriptor(
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


_REPOSITORY = input_descriptor(
    "repository",
    "Repository",
    "The repository that code was pushed to",
    data_type="guid",
    values=[ANY],
    hasDynamicValueInformation=True,
)
_TARGET = input_descriptor(
    "branch",
    "Target branch",
    "The target branch of the pull request",
    values=[ANY],
    dependencyInputIds=["repository"],
    hasDynamicValueInformation=True,
)
_NOTIFICATION_TYPE = input_descriptor(
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
            input_descriptor(
                "definitionName",
                "Build Definition",
                "Filter events to include only completed builds for the specified definition",
                data_type="string",
                values=[ANY],
                hasDynamicValueInformation=True,
            ),
            input_descriptor(
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
            input_descriptor(
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
            input_descriptor(
                "releaseDefinitionId",
                "Release pipeline name",
                "Filter by release pipeline",
                data_type="number",
                values=[ANY],
                hasDynamicValueInformation=True,
            ),
            input_descriptor(
                "releaseEnvironmentId",
                "Stage name",
                "Filter by stage",
                data_type="number",
                values=[ANY],
                dependencyInputIds=["releaseDefinitionId"],
                hasDynamicValueInformation=True,
            ),
            input_descriptor(
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
