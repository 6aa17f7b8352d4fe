"""Builds, in-progress builds, pipeline definitions and build timelines (ENDPOINTS §8).

Completed builds are read in finish-time order from ``min_finish`` (``queryOrder=finishTimeAscending``,
``minTime``): the robust incremental pattern, since ADO's build continuation token has had bugs. The sync
keeps the cursor (largest finish time seen) and de-duplicates by id when it re-reads with an overlap.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

from adometrics.domain import Build, BuildDefinition

from ..client import AdoClient
from ..parse import TimelineRecord, parse_build, parse_build_definition, parse_timeline_record
from ..parse_common import iso_z
from .base import Batch, Collected, batches, parse_items, start_params

TIMELINE_TYPES = frozenset({"stage", "job"})


def collect_builds(client: AdoClient, org_id: str, project_id: str, min_finish: datetime | None,
                   resume: dict | None = None, **filters: Any) -> Iterator[Batch[Build]]:
    """Completed builds finished at or after ``min_finish`` (all when None), oldest finish first."""
    params: dict[str, Any] = {"queryOrder": "finishTimeAscending", "statusFilter": "completed", **filters}
    if min_finish is not None:
        params["minTime"] = iso_z(min_finish)
    yield from _builds(client, org_id, project_id, start_params(resume, params))


def collect_inprogress_builds(client: AdoClient, org_id: str, project_id: str, resume: dict | None = None,
                              **filters: Any) -> Iterator[Batch[Build]]:
    """Builds still running (no finish time yet, so the finish-time stream cannot see them)."""
    params = {"queryOrder": "queueTimeAscending", "statusFilter": "inProgress", **filters}
    yield from _builds(client, org_id, project_id, start_params(resume, params))


def _builds(client: AdoClient, org_id: str, project_id: str,
            params: dict[str, Any]) -> Iterator[Batch[Build]]:
    pages = client.paged("build.builds.list", params, project=project_id)
    yield from batches(pages, "build", partial(parse_build, org_id=org_id, project_id=project_id))


def collect_build_definitions(client: AdoClient, org_id: str, project_id: str, resume: dict | None = None,
                              **filters: Any) -> Iterator[Batch[BuildDefinition]]:
    """Definition references only (never ``includeAllProperties``: full definitions carry scripts)."""
    pages = client.paged("build.definitions.list", start_params(resume, filters), project=project_id)
    yield from batches(pages, "build_definition",
                       partial(parse_build_definition, org_id=org_id, project_id=project_id))


def collect_build_timeline(client: AdoClient, org_id: str, project_id: str,
                           build_id: int) -> Collected[TimelineRecord]:
    """The Stage and Job records of a build's timeline (one call; a build without one gives nothing).
    Phases, tasks and checkpoints are dropped; so are logs and issues."""
    body = client.get("build.builds.timeline", project=project_id, build=build_id)
    raw = body.get("records") if isinstance(body, dict) else None
    wanted = [r for r in raw or []
              if isinstance(r, dict) and str(r.get("type", "")).casefold() in TIMELINE_TYPES]
    parse = partial(parse_timeline_record, build_id=build_id)
    records, skipped = parse_items(wanted, "timeline_record", parse)
    return Collected(records, skipped)
