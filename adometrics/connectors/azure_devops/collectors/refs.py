"""Branch heads of a repository (``refs?filter=heads/``, 1,000 per page, continuation token).

Only branches: tags are not needed by any metric (a release is identified by what it deployed, not by a
tag), and their names would be more sensitive text to encrypt.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from adometrics.domain import Ref

from ..client import AdoClient
from ..parse import parse_ref
from .base import Batch, batches, start_params


def collect_refs(client: AdoClient, org_id: str, project_id: str, repo_id: str, resume: dict | None = None,
                 **filters: Any) -> Iterator[Batch[Ref]]:
    params = start_params(resume, {"filter": "heads/", **filters})
    pages = client.paged("git.refs.list", params, project=project_id, repo=repo_id)
    yield from batches(pages, "ref", partial(parse_ref, org_id=org_id, repo_id=repo_id), keys=("objectId",))
