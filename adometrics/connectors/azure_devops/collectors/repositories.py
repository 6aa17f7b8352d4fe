"""Git repositories of a project (one unpaged list).

Disabled repositories are yielded too, with ``is_disabled=True``: their other git routes fail, so the sync
records them and fetches nothing else for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from adometrics.domain import Repository

from ..client import AdoClient
from ..parse import parse_repository
from .base import Batch, batches


def collect_repositories(client: AdoClient, org_id: str, project_id: str) -> Iterator[Batch[Repository]]:
    pages = client.paged("git.repositories.list", project=project_id)
    yield from batches(pages, "repository", partial(parse_repository, org_id=org_id, project_id=project_id))
