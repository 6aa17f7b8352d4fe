"""What a sync of a simulated organization must store, computed from the simulator's own records."""

from __future__ import annotations

from adometrics.fake_ado.scenario import views


def active_repositories(world) -> list:
    return [r for r in world.repositories() if not r.is_disabled and r.default_branch]


def default_head(world, repo) -> str:
    return world.resolve_version(repo.id, repo.default_branch, "branch")


def pull_requests(world) -> list:
    return [world.pull_request(s.id) for s in world.pull_request_index()]


def expected_counts(world, pr_statuses: bool = False) -> dict[str, int]:
    """Rows per entity that a complete sync stores (what the simulator serves as of its now)."""
    now = world.now
    projects = world.projects()
    teams = [t for p in projects for t in world.teams(p.id)]
    repos = active_repositories(world)
    prs = pull_requests(world)
    active = [pr for pr in prs if views.pr_status(pr, now) == "active"]
    builds = [b for p in projects for b in world.builds(p.id) if views.build_state(b, now)[0] != "notStarted"]
    envs = [e for p in projects for e in world.environments(p.id)]
    return {
        "projects": len(projects),
        "teams": len(teams),
        "team_members": sum(len(set(t.member_ids)) for t in teams),
        "users": len(world.users()),
        "repositories": len(world.repositories()),
        "refs": sum(1 for r in repos for ref, _ in world.refs(r.id) if ref.name.startswith("refs/heads/")),
        "commits": sum(len(world.commits(r.id, default_head(world, r))) for r in repos),
        "pull_requests": len(prs),
        "pr_reviewers": sum(len(views.visible_reviewers(pr, now)) for pr in prs),
        "pr_commits": sum(len(set(views.pr_commit_shas(pr, now))) for pr in prs),
        "pr_iterations": sum(len(views.visible_iterations(pr, now)) for pr in active),
        "pr_statuses": sum(len(views.visible_statuses(pr, now)) for pr in active) if pr_statuses else 0,
        "build_definitions": sum(len(world.build_definitions(p.id)) for p in projects),
        "builds": len(builds),
        "release_definitions": sum(len(world.release_definitions(p.id)) for p in projects),
        "releases": sum(len(world.releases(p.id)) for p in projects),
        "classic_deployments": sum(len(world.deployments(p.id)) for p in projects),
        "environments": len(envs),
        "environment_deployments": sum(len(world.deployment_records(e.id)) for e in envs),
    }
