"""Users of the organization from member entitlements (vsaex ``userentitlements``; token in the body).

Graph users would need ``vso.graph``, which the product does not ask for; an entitlement's id is the same
identity id that IdentityRefs carry (ENDPOINTS §3.1).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from adometrics.domain import User

from ..client import AdoClient
from ..parse import parse_user
from .base import Batch, batches, start_params


def collect_users(client: AdoClient, org_id: str, resume: dict | None = None,
                  **filters: Any) -> Iterator[Batch[User]]:
    pages = client.paged("entitlements.users.list", start_params(resume, filters))
    yield from batches(pages, "user", partial(parse_user, org_id=org_id))
