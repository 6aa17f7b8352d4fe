"""Teams of a project and their members (``$top``/``$skip`` paging)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from adometrics.domain import Team, TeamMember

from ..client import AdoClient
from ..parse import parse_team, parse_team_member
from .base import Batch, batches, start_params


def collect_teams(client: AdoClient, org_id: str, project_id: str, resume: dict | None = None,
                  **filters: Any) -> Iterator[Batch[Team]]:
    pages = client.paged("core.teams.list", start_params(resume, filters), project=project_id)
    yield from batches(pages, "team", partial(parse_team, org_id=org_id, project_id=project_id))


def collect_team_members(client: AdoClient, org_id: str, project_id: str, team_id: str,
                         resume: dict | None = None, **filters: Any) -> Iterator[Batch[TeamMember]]:
    """Members are users or groups (flagged ``is_group``; expanding groups needs ``vso.graph``, which the
    product does not ask for)."""
    pages = client.paged("core.teams.members", start_params(resume, filters), project=project_id,
                         team=team_id)
    parse = partial(parse_team_member, org_id=org_id, team_id=team_id)
    yield from batches(pages, "team_member", parse, keys=())
