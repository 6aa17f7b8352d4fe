"""One record of every stored type, with recognisable (canary) values in every sensitive field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adometrics import domain as d

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
CANARY = "zqx"  # every sensitive plaintext below contains it; nothing else does


def sensitive(org: str, what: str) -> str:
    return f"{CANARY}-{what}-{org}"


def organization(org: str = "org-1") -> d.Organization:
    return d.Organization(id=org, name=f"name-{org}", url=f"https://dev.azure.com/{org}")


def pull_request(org: str = "org-1", pr_id: int = 1, *, repo: str = "repo-1", target: str | None = None,
                 title: str | None = None, closed_at: datetime | None = None, status: str = "completed"):
    return d.PullRequest(
        org_id=org, project_id="proj-1", repo_id=repo, id=pr_id, creator_id="user-1",
        created_at=T0 + timedelta(hours=pr_id), closed_at=closed_at, status=status,
        title=title or sensitive(org, f"title{pr_id}"),
        source_branch=sensitive(org, f"refs/heads/topic{pr_id}"),
        target_branch=target or sensitive(org, "refs/heads/main"), merge_strategy="squash",
        last_merge_source_commit="a" * 40, last_merge_target_commit="b" * 40, last_merge_commit="c" * 40,
        fingerprint=f"fp{pr_id}")


def every_record(org: str = "org-1") -> list:
    """Records of every type the store keeps (nested ones inside their parents)."""
    main = sensitive(org, "refs/heads/default")
    return [
        organization(org),
        d.Connection(org_id=org, identity_id="user-1", identity_name="Ada", health=d.Health.BROKEN,
                     health_reason="401 from ADO: reconnect", last_sync_at=T0,
                     credential=sensitive(org, "pat-secret")),
        d.Project(org_id=org, id="proj-1", name="Fabrikam Web"),
        d.Team(org_id=org, project_id="proj-1", id="team-1", name="Web Team"),
        d.TeamMember(org_id=org, team_id="team-1", identity_id="user-1", is_admin=True),
        d.TeamMember(org_id=org, team_id="team-1", identity_id="group-1", is_group=True),
        d.User(org_id=org, id="user-1", display_name="Ada", email=sensitive(org, "ada@example.com"),
               license="Basic", status="active", last_accessed_at=T0),
        d.Repository(org_id=org, project_id="proj-1", id="repo-1", name="web", default_branch=main),
        d.Repository(org_id=org, project_id="proj-1", id="repo-2", name="empty", is_disabled=True),
        d.Ref(org_id=org, repo_id="repo-1", name=sensitive(org, "refs/heads/ref"), object_id="c" * 40),
        d.Commit(org_id=org, repo_id="repo-1", sha="c" * 40, author_name="Ada",
                 author_email=sensitive(org, "author@example.com"), author_date=T0, committer_date=T0,
                 parents=("a" * 40, "b" * 40)),
        d.Commit(org_id=org, repo_id="repo-1", sha="d" * 40, author_date=T0),
        pull_request(org, 1, closed_at=T0 + timedelta(days=1)),
        d.Reviewer(org_id=org, project_id="proj-1", pr_id=1, identity_id="user-2", vote=10, is_required=True),
        d.ReviewEvent(org_id=org, project_id="proj-1", pr_id=1, thread_id=7, comment_id=1, actor_id="user-2",
                      at=T0 + timedelta(hours=3), kind=d.ReviewEventKind.VOTE, vote=10),
        d.ReviewEvent(org_id=org, project_id="proj-1", pr_id=1, thread_id=8, comment_id=2, actor_id="user-3",
                      at=T0 + timedelta(hours=2), kind=d.ReviewEventKind.COMMENT),
        d.PrIteration(org_id=org, project_id="proj-1", pr_id=1, id=1, created_at=T0,
                      source_commit="a" * 40, target_commit="b" * 40),
        d.PrCommit(org_id=org, project_id="proj-1", pr_id=1, sha="a" * 40,
                   author_date=T0 - timedelta(days=1)),
        d.PrStatus(org_id=org, project_id="proj-1", pr_id=1, id=1, iteration_id=1, state="succeeded",
                   context_genre="adometrics", context_name="dora", created_at=T0),
        d.BuildDefinition(org_id=org, project_id="proj-1", id=11, name="ci", path="\\web", repo_id="repo-1"),
        d.Build(org_id=org, project_id="proj-1", id=101, definition_id=11, repo_id="repo-1",
                source_branch=sensitive(org, "refs/heads/build"),
                source_version="c" * 40, reason="individualCI", status="completed", result="succeeded",
                queued_at=T0, started_at=T0, finished_at=T0 + timedelta(minutes=9)),
        d.ReleaseDefinition(org_id=org, project_id="proj-1", id=21, name="web release", path="\\",
                            environments=(d.ReleaseEnvironmentDef(id=1, name="staging", rank=1),
                                          d.ReleaseEnvironmentDef(id=2, name="production", rank=2))),
        d.Release(org_id=org, project_id="proj-1", id=31, definition_id=21, name="Release-1", created_at=T0,
                  artifacts=(d.ReleaseArtifact(alias="_web", type="Build", build_id=101,
                                               build_definition_id=11, repo_id="repo-1",
                                               source_version="c" * 40,
                                               branch=sensitive(org, "refs/heads/artifact")),)),
        d.ClassicDeployment(org_id=org, project_id="proj-1", id=41, release_id=31, release_definition_id=21,
                            environment_id=5, definition_environment_id=2, environment_name="production",
                            attempt=1, status="succeeded", operation_status="Approved", queued_at=T0,
                            started_at=T0, completed_at=T0 + timedelta(hours=1), last_modified_at=T0),
        d.Environment(org_id=org, project_id="proj-1", id=51, name="prod"),
        d.EnvironmentDeployment(org_id=org, project_id="proj-1", id=61, environment_id=51, build_id=101,
                                definition_id=11, stage_name="deploy", stage_attempt=1, result="succeeded",
                                queued_at=T0, started_at=T0, finished_at=T0 + timedelta(hours=2)),
        d.DeploymentCommit(org_id=org, project_id="proj-1", deployment_kind=d.DeploymentKind.CLASSIC,
                           deployment_id=41, repo_id="repo-1", sha="c" * 40),
        d.DeploymentComparison(org_id=org, project_id="proj-1", deployment_kind=d.DeploymentKind.ENVIRONMENT,
                               deployment_id=61, repo_id="repo-1", deployed_sha="c" * 40, base_sha=None,
                               commit_count=2, is_ancestor_of_base=False),
        d.SyncCheckpoint(org_id=org, stream="pull_requests", scope="repo-1", cursor="2026-01-05T09:30:00Z",
                         position="skip=200", updated_at=T0),
    ]


def sensitive_values(org: str = "org-1") -> set[str]:
    """Every sensitive plaintext in :func:`every_record`."""
    from dataclasses import fields

    from adometrics.domain import sensitive_fields

    found: set[str] = set()

    def walk(record) -> None:
        for name in sensitive_fields(type(record)):
            if getattr(record, name):
                found.add(getattr(record, name))
        for f in fields(record):
            value = getattr(record, f.name)
            if isinstance(value, tuple) and value and hasattr(value[0], "__dataclass_fields__"):
                for item in value:
                    walk(item)

    for record in every_record(org):
        walk(record)
    return found
