"""Routes: build content — logs, artifacts, attachments, definition YAML and pipeline run logs. Imported by
``builds.py``.

ENDPOINTS.md §12 forbids the collector these routes; the simulator serves plausible content (never a
repository's real files) and registers them with ``content=True``, so every call is flagged in the request
log. The pipelines ``Logs`` routes are not in the reference specs: pipeline = definition, run = build.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .. import registry
from ..registry import Call, endpoint
from ..render import build_content as content
from ..render import builds as render
from ..scenario import views
from ..scenario.model import Build
from ..wire import AdoError, envelope, iso, query
from .builds import SPEC, build_or_404
from .pulls import project_or_404

BUILD = "build/builds/{build}"
RUN = "pipelines/{definition}/runs/{build}"


def _content(name: str, path: str, operation_id: str | None = None):
    """Register a GET content route at ``/{org}/{project}/_apis/<path>``; with an ``operation_id``, one of
    the build spec."""
    return endpoint(
        name,
        "dev",
        "GET",
        "/{org}/{project}/_apis/" + path,
        scopes=registry.BUILD,
        content=True,
        spec=SPEC if operation_id else None,
        operation_id=operation_id,
    )


@_content("builds.logs", BUILD + "/logs", "Builds_Get Build Logs")
def build_logs(request: Request, call: Call):
    b = build_or_404(request, call)
    return envelope(content.build_logs(call, b, list(call.world.timeline(b.id))))


@_content("builds.log", BUILD + "/logs/{log}", "Builds_Get Build Log")
def build_log(request: Request, call: Call):
    b = build_or_404(request, call)
    return PlainTextResponse("\n".join(content.log_lines(_log_record(request, call, b), call.world.now)))


def _log_record(request: Request, call: Call, b: Build):
    raw = request.path_params.get("log") or ""
    records = render.log_records(list(call.world.timeline(b.id)))
    record = records.get(int(raw)) if raw.isdigit() else None
    if record is None or record.started > call.world.now:
        raise AdoError(404, "BuildLogNotFoundException", f"Log {raw} for build {b.id} was not found.")
    return record


@_content("builds.artifacts", BUILD + "/artifacts", "Artifacts_List")
def build_artifacts(request: Request, call: Call):
    """The list; with ``artifactName`` one artifact (Artifacts_Get Artifact); with ``fileId`` a file."""
    b = build_or_404(request, call)
    done = views.build_state(b, call.world.now)[0] == "completed"
    name = query(request, "artifactName")
    if name is None:
        return envelope([content.artifact(call, b)] if done else [])
    if not done or name != "drop":
        raise AdoError(404, "ArtifactNotFoundException", f"Artifact {name} was not found for build {b.id}.")
    if query(request, "fileId") is not None:
        return Response(b"PK\x05\x06" + bytes(18), media_type="application/octet-stream")
    return content.artifact(call, b)


@_content("builds.attachments", BUILD + "/attachments/{type}", "Attachments_List")
def build_attachments(request: Request, call: Call):
    b = build_or_404(request, call)
    kind = request.path_params["type"]
    plan = render.plan_id(call, b)
    records = [r for r in call.world.timeline(b.id) if r.type == "Job" and r.finished <= call.world.now]
    api = f"{call.host_url('dev')}/{call.world.organization}/{b.project_id}/_apis/build/builds/{b.id}"
    return envelope(
        [
            {
                "name": f"{r.identifier}.md",
                "_links": {"self": {"href": f"{api}/{plan}/{r.id}/attachments/{kind}/{r.identifier}.md"}},
            }
            for r in records
        ]
    )


@_content("builds.attachment", BUILD + "/{timeline}/{record}/attachments/{type}/{name}", "Attachments_Get")
def build_attachment(request: Request, call: Call):
    b = build_or_404(request, call)
    return Response(f"# Summary of build {b.number}\n".encode(), media_type="application/octet-stream")


@_content("builds.definition_yaml", "build/definitions/{definition}/yaml", "Yaml_Get")
def definition_yaml(request: Request, call: Call):
    project = project_or_404(request, call)
    raw = request.path_params["definition"]
    for d in call.world.build_definitions(project.id):
        if str(d.id) == raw and d.created <= call.world.now:
            return {"yaml": content.yaml_text(d)}
    raise AdoError(404, "DefinitionNotFoundException", f"The requested definition {raw} could not be found.")


def _run(request: Request, call: Call) -> Build:
    b = build_or_404(request, call)
    if str(b.definition_id) != request.path_params["definition"]:
        raise AdoError(404, "PipelineRunNotFoundException", f"Run {b.id} was not found.")
    return b


def _run_logs_url(call: Call, b: Build) -> str:
    return (
        f"{call.host_url('dev')}/{call.world.organization}/{b.project_id}/_apis/pipelines/{b.definition_id}"
        f"/runs/{b.id}/logs"
    )


@_content("pipelines.run_logs", RUN + "/logs")
def run_logs(request: Request, call: Call):
    """Pipelines ``Logs - List`` (pipelines.json is not in the reference set): pipeline = definition,
    run = build."""
    b = _run(request, call)
    base = _run_logs_url(call, b)
    logs = [
        {k: v for k, v in log.items() if k in ("createdOn", "id", "lastChangedOn", "lineCount")}
        | {"url": f"{base}/{log['id']}"}
        for log in content.build_logs(call, b, list(call.world.timeline(b.id)))
    ]
    return {"logs": logs, "url": base}


@_content("pipelines.run_log", RUN + "/logs/{log}")
def run_log(request: Request, call: Call):
    b = _run(request, call)
    record = _log_record(request, call, b)
    lines = content.log_lines(record, call.world.now)
    return {
        "createdOn": iso(record.started),
        "id": int(request.path_params["log"]),
        "lastChangedOn": iso(min(record.finished, call.world.now)),
        "lineCount": len(lines),
        "url": f"{_run_logs_url(call, b)}/{request.path_params['log']}",
    }
