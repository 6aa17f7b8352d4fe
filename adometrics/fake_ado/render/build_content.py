"""Build content for the deny-listed routes (ENDPOINTS.md §12): log lists and plausible log text, artifact
references and a pipeline YAML. Never a repository's real content; every call is flagged in the request log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..registry import Call
from ..scenario.model import Build, BuildDefinition, TimelineRecord
from ..wire import iso
from .builds import api_base, log_records, stable_guid


def build_logs(call: Call, b: Build, records: Sequence[TimelineRecord]) -> list[dict[str, Any]]:
    api = api_base(call, b.project_id)
    now = call.world.now
    return [
        {
            "lineCount": len(log_lines(r, now)),
            "createdOn": iso(r.started),
            "lastChangedOn": iso(min(r.finished, now)),
            "id": log_id,
            "type": "Container",
            "url": f"{api}/builds/{b.id}/logs/{log_id}",
        }
        for log_id, r in log_records(records).items()
        if r.started <= now
    ]


def log_lines(r: TimelineRecord, now: datetime) -> list[str]:
    """A plausible agent log for one record, cut at ``now`` while it runs."""
    stamp = iso(r.started)
    lines = [
        f"{stamp} ##[section]Starting: {r.name}",
        f"{stamp} ==============================================================================",
        f"{stamp} Task         : {r.name}",
        f"{stamp} Version      : 2.0.0",
        f"{stamp} ==============================================================================",
    ]
    if r.finished <= now:
        end = iso(r.finished)
        if r.result == "failed":
            lines.append(f"{end} ##[error]Process completed with exit code 1.")
        lines.append(f"{end} ##[section]Finishing: {r.name}")
    return lines


def artifact(call: Call, b: Build, name: str = "drop") -> dict[str, Any]:
    api = api_base(call, b.project_id)
    container = 1_000_000 + b.id
    url = f"{api}/builds/{b.id}/artifacts?artifactName={name}&api-version=7.1"
    return {
        "id": 1,
        "name": name,
        "source": stable_guid("artifact-source", b.id),
        "resource": {
            "type": "Container",
            "data": f"#/{container}/{name}",
            "properties": {"localpath": "/home/vsts/work/1/a", "artifactsize": str(40_000 + b.id % 9973)},
            "url": url,
            "downloadUrl": f"{api}/builds/{b.id}/artifacts?artifactName={name}&api-version=7.1&%24format=zip",
        },
    }


def yaml_text(definition: BuildDefinition) -> str:
    """A pipeline a definition of this name could plausibly have (never the repository's real content)."""
    return "\n".join(
        [
            "trigger:",
            "  branches:",
            "    include:",
            "    - main",
            "",
            "pool:",
            "  vmImage: ubuntu-latest",
            "",
            "stages:",
            "- stage: Build",
            "  jobs:",
            "  - job: Build",
            "    steps:",
            f"    - script: echo Building {definition.name}",
            "- stage: Deploy",
            "  dependsOn: Build",
            "  jobs:",
            "  - deployment: Deploy",
            "    environment: production",
            "    strategy:",
            "      runOnce:",
            "        deploy:",
            "          steps:",
            "          - script: echo Deploying",
            "",
        ]
    )
