"""Projects of the organization (``core.projects.list``, continuation-token paging)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from adometrics.domain import Project

from ..client import AdoClient
from ..parse import parse_project
from .base import Batch, batches, start_params


def collect_projects(client: AdoClient, org_id: str, resume: dict | None = None,
                     **filters: Any) -> Iterator[Batch[Project]]:
    """Well-formed projects (ADO's default ``stateFilter``), one batch per page; ``filters`` are passed as
    query parameters (e.g. ``stateFilter="all"``)."""
    params = start_params(resume, filters)
    pages = client.paged("core.projects.list", params)
    yield from batches(pages, "project", partial(parse_project, org_id=org_id))
