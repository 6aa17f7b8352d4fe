"""Scenario generation: org -> per-repository plans -> organization-wide ids -> records.

``plan_org`` is shared by every size; ``materialize`` turns all plans into a ``RecordWorld`` (tiny, small),
while ``lazy.LazyWorld`` keeps only indexes and rebuilds per-repository detail on demand (large).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import gitgraph, pipelines
from .ids import IdMap, assign
from .names import to_dt
from .org import Org, build_org
from .plan import RepoPlan, plan_repo
from .records import RecordWorld
from .review import pull_request
from .sizes import Size

HORIZON_DAYS = 200


@dataclass(slots=True)
class Planned:
    org: Org
    plans: list[RepoPlan]
    ids: IdMap


def make_org(size: Size, key: str, organization: str, now: datetime) -> Org:
    return build_org(size, key, organization, now, HORIZON_DAYS)


def assign_ids(plans: list[RepoPlan]) -> IdMap:
    """Number PRs, builds, releases, deployments and records organization-wide by time."""
    return IdMap(
        prs=assign([[pr.created for pr in p.prs] for p in plans]),
        builds=assign([[b.queued for b in p.builds] for p in plans]),
        releases=assign([[r.created for r in p.releases] for p in plans]),
        deployments=assign([[d.queued for d in p.deployments] for p in plans]),
        records=assign([[r.queued for r in p.records] for p in plans]),
    )


def plan_org(size: Size, key: str, organization: str, now: datetime) -> Planned:
    org = make_org(size, key, organization, now)
    plans = [plan_repo(org, prof) for prof in org.profiles]
    return Planned(org, plans, assign_ids(plans))


def materialize(planned: Planned) -> RecordWorld:
    """Every record of every repository, wrapped in a RecordWorld."""
    org, ids = planned.org, planned.ids
    world = RecordWorld(
        org.organization,
        org.organization_id,
        to_dt(org.now),
        to_dt(org.start),
        identities=list(org.identities),
        user_list=list(org.users),
        project_list=list(org.projects),
        team_list=list(org.teams),
        repository_list=[p.repo for p in org.profiles],
        build_definition_list=list(org.build_definitions),
        release_definition_list=list(org.release_definitions),
        environment_list=list(org.environments),
    )
    for plan in planned.plans:
        _add_repo(world, plan, ids)
    world.reindex()
    return world


def _add_repo(world: RecordWorld, plan: RepoPlan, ids: IdMap) -> None:
    repo = plan.prof.repo
    prs = [pull_request(plan, pr, ids) for pr in plan.prs]
    world.pull_requests.extend(prs)
    if plan.main:
        world.commit_maps[repo.id] = gitgraph.all_commits(plan, [p.id for p in prs], [p.title for p in prs])
        world.push_lists[repo.id] = gitgraph.pushes(plan)
        world.ref_lists[repo.id] = gitgraph.refs(plan)
    for b in plan.builds:
        record = pipelines.build(plan, b, ids)
        world.build_list.append(record)
        world.timelines[record.id] = pipelines.timeline(plan, b, record.id)
    world.release_list.extend(pipelines.release(plan, rel, ids) for rel in plan.releases)
    world.deployment_list.extend(pipelines.deployment(plan, d, ids) for d in plan.deployments)
    world.record_list.extend(pipelines.record(plan, rec, ids) for rec in plan.records)
