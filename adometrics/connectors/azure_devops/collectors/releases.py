"""Classic releases (vsrm): definitions, releases with their artifacts, and deployments (ENDPOINTS §9).

Releases and deployments are read oldest first from a time (``queryOrder=ascending``) at 100 per page, the
largest page ADO serves for them. Releases are expanded with ``artifacts`` only: a Build artifact's
``definitionReference`` names the build, its pipeline, its repository and the deployed ``sourceVersion``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

from adometrics.domain import ClassicDeployment, Release, ReleaseDefinition

from ..client import AdoClient
from ..parse import parse_deployment, parse_release, parse_release_definition
from ..parse_common import iso_z
from .base import Batch, batches, start_params

RELEASE_PAGE = 100


def collect_release_definitions(client: AdoClient, org_id: str, project_id: str, resume: dict | None = None,
                                **filters: Any) -> Iterator[Batch[ReleaseDefinition]]:
    """Definitions with their stages (``$expand=environments``; only ids, names and ranks are kept)."""
    params = start_params(resume, {"$expand": "environments", **filters})
    pages = client.paged("release.definitions.list", params, project=project_id)
    yield from batches(pages, "release_definition",
                       partial(parse_release_definition, org_id=org_id, project_id=project_id))


def collect_releases(client: AdoClient, org_id: str, project_id: str, min_created: datetime | None,
                     resume: dict | None = None, **filters: Any) -> Iterator[Batch[Release]]:
    params: dict[str, Any] = {"queryOrder": "ascending", "$expand": "artifacts", **filters}
    if min_created is not None:
        params["minCreatedTime"] = iso_z(min_created)
    pages = client.paged("release.releases.list", start_params(resume, params), page_size=RELEASE_PAGE,
                         project=project_id)
    yield from batches(pages, "release", partial(parse_release, org_id=org_id, project_id=project_id))


def collect_deployments(client: AdoClient, org_id: str, project_id: str, min_modified: datetime | None,
                        resume: dict | None = None, **filters: Any) -> Iterator[Batch[ClassicDeployment]]:
    """Deployments modified at or after ``min_modified``, oldest first (a deployment that finishes later is
    modified again, so an incremental run sees its outcome)."""
    params: dict[str, Any] = {"queryOrder": "ascending", **filters}
    if min_modified is not None:
        params["minModifiedTime"] = iso_z(min_modified)
    pages = client.paged("release.deployments.list", start_params(resume, params), page_size=RELEASE_PAGE,
                         project=project_id)
    yield from batches(pages, "deployment", partial(parse_deployment, org_id=org_id, project_id=project_id))
