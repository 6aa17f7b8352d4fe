"""Set-based reads of the deployment facts (``domain.facts``) for one organization, for the metrics.

A handful of queries, each one pass over indexed rows; Python only shapes the rows into records. Nothing
is decrypted: the metrics need no sensitive value.

Two restrictions keep the rows few without changing any number (the report tests compare against the
pure computation over everything):

- ``environments``: only the attempts to these (project id, environment name) pairs — the production ones,
  which the caller decides with the metrics' own matcher (:func:`environment_names` lists the candidates).
  No metric looks at a non-production attempt.
- ``repo_ids``: only the attempts that deployed one of these repositories. Rollbacks and restores are
  decided per repository and environment over *all* attempts to it, so the caller passes a set closed under
  "deployed together" (:func:`co_deployed_repositories`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    exists,
    false,
    func,
    literal,
    literal_column,
    select,
    tuple_,
    type_coerce,
)

from ..domain import DeploymentAttempt, DeploymentKind, ShippedCommits
from .schema import (
    build_definitions,
    builds,
    classic_deployments,
    deployment_commits,
    deployment_comparisons,
    environment_deployments,
    environments,
    projects,
    pull_requests,
    release_artifacts,
)

DEFAULT_BUILD_ENVIRONMENT = "production"  # METRICS.md §1.3: a deployment pipeline's default environment
Pair = tuple[str, str]
KEY_CHUNK = 500  # ids per IN list: far below every database's parameter limit

_ORDER = (DeploymentKind.CLASSIC, DeploymentKind.ENVIRONMENT, DeploymentKind.BUILD)


def utc_column(column, dialect: str):
    """Select a ``UtcDateTime`` column for :func:`utc_reader`. On SQLite the stored text is fetched as is:
    parsing it with ``fromisoformat`` costs a tenth of the generic type conversion, which on a report over
    a large organization is most of the time spent in Python."""
    return type_coerce(column, String) if dialect == "sqlite" else column


def utc_reader(dialect: str) -> Callable[[object], datetime | None]:
    """The converter for values selected with :func:`utc_column`: aware UTC datetimes (or None)."""
    if dialect != "sqlite":
        return lambda value: value
    parse = datetime.fromisoformat
    return lambda value: None if value is None else parse(value + "+00:00")


def _build_artifact(a) -> list:
    """An artifact that tells what a classic deployment deployed: a Build artifact with a commit."""
    return [func.lower(a.type) == "build", a.repo_id.is_not(None), a.source_version.is_not(None)]


def _pipeline_environment():
    return func.coalesce(build_definitions.c.deployment_environment, DEFAULT_BUILD_ENVIRONMENT)


def environment_names(conn: Connection, org_id: str) -> set[Pair]:
    """(project id, environment name) pairs covering every attempt of the organization, so the caller can
    classify them once. Classic names (read from an index alone) are paired with every project (a sync
    stores a project before its deployments): a pair that names no attempt selects nothing, so the superset
    is harmless."""
    d, e, b, p = classic_deployments.c, environments.c, build_definitions.c, projects.c
    classic = set(conn.execute(select(d.environment_name).where(d.org_id == org_id).distinct()).scalars())
    project_ids = set(conn.execute(select(p.id).where(p.org_id == org_id)).scalars()) if classic else set()
    queries = [
        select(e.project_id, e.name).where(e.org_id == org_id),
        select(b.project_id, _pipeline_environment()).where(b.org_id == org_id, b.is_deployment_pipeline)
        .distinct(),
    ]
    found = {(project, name) for project in project_ids for name in classic}
    return found | {(project, name) for query in queries for project, name in conn.execute(query)}


def co_deployed_repositories(conn: Connection, org_id: str, seeds: Collection[str]) -> set[str]:
    """``seeds`` plus every repository deployed together with one of them (classic releases with several
    Build artifacts), repeatedly: a set whose deployment streams are complete within it."""
    found, fresh = set(seeds), set(seeds)
    a, other = release_artifacts.alias("a").c, release_artifacts.alias("other").c
    while fresh:
        releases = select(a.project_id, a.release_id).where(a.org_id == org_id, a.repo_id.in_(sorted(fresh)),
                                                           *_build_artifact(a))
        query = (select(other.repo_id).distinct()
                 .where(other.org_id == org_id, tuple_(other.project_id, other.release_id).in_(releases),
                        func.lower(other.type) == "build", other.source_version.is_not(None)))
        fresh = set(conn.execute(query).scalars()) - found - {None}
        found |= fresh
    return found


def _in_pairs(project, name, pairs: Collection[Pair] | None):
    if pairs is None:
        return None
    return tuple_(project, name).in_(sorted(pairs)) if pairs else false()


def _classic(org_id: str, pairs: Collection[Pair] | None, dialect: str,
             release_ids: Collection[int] | None = None) -> Select:
    """Classic deployments with their release's Build artifacts, one row per artifact (in key order, so
    :func:`_attempts` can group them); only those of ``release_ids`` when given."""
    d, a = classic_deployments.c, release_artifacts.c
    query = (select(literal(0), d.project_id, d.id, d.environment_name, d.status, d.operation_status,
                    utc_column(d.completed_at, dialect), utc_column(d.last_modified_at, dialect), a.repo_id,
                    a.source_version)
             .outerjoin(release_artifacts, and_(a.org_id == d.org_id, a.project_id == d.project_id,
                                                a.release_id == d.release_id, *_build_artifact(a)))
             .where(d.org_id == org_id))
    if (where := _in_pairs(d.project_id, d.environment_name, pairs)) is not None:
        query = query.where(where)
    if release_ids is not None:
        query = query.where(d.release_id.in_(sorted(release_ids)))
    return query.order_by(d.project_id, d.id, a.alias)


def _records(org_id: str, pairs: Collection[Pair] | None, dialect: str,
             build_ids: Collection[int] | None = None) -> Select:
    """Environment records with the commit of the build that ran them; only those of ``build_ids`` when
    given (found through the (org_id, build_id) index)."""
    r, e, b = environment_deployments.c, environments.c, builds.c
    query = (select(literal(1), r.project_id, r.id, e.name, r.result, literal(None),
                    utc_column(r.finished_at, dialect), literal(None), b.repo_id, b.source_version)
             .outerjoin(environments, and_(e.org_id == r.org_id, e.project_id == r.project_id,
                                           e.id == r.environment_id))
             .outerjoin(builds, and_(b.org_id == r.org_id, b.project_id == r.project_id, b.id == r.build_id))
             .where(r.org_id == org_id))
    if (where := _in_pairs(r.project_id, e.name, pairs)) is not None:
        query = query.where(where)
    if build_ids is not None:
        query = query.where(r.build_id.in_(sorted(build_ids)))
    return query


def _pipelines(org_id: str, pairs: Collection[Pair] | None, repo_ids: Collection[str] | None, dialect: str,
               definition_ids: Collection[int]) -> Select:
    """Builds of the deployment pipelines, found through the (org_id, definition_id) index: most
    organizations have none or few, and a scan of every build would cost more than the rest."""
    b, dfn = builds.c, build_definitions.c
    query = (select(literal(2), b.project_id, b.id, dfn.deployment_environment, b.result, literal(None),
                    utc_column(b.finished_at, dialect), literal(None), b.repo_id, b.source_version)
             .join(build_definitions, and_(dfn.org_id == b.org_id, dfn.project_id == b.project_id,
                                           dfn.id == b.definition_id))
             .where(b.org_id == org_id, b.definition_id.in_(sorted(definition_ids)),
                    dfn.is_deployment_pipeline, b.status == "completed"))
    if (where := _in_pairs(b.project_id, _pipeline_environment(), pairs)) is not None:
        query = query.where(where)
    return query if repo_ids is None else query.where(b.repo_id.in_(sorted(repo_ids)))


def deployment_pipelines(conn: Connection, org_id: str) -> set[int]:
    """Ids of the build definitions marked as deployment pipelines (METRICS.md §1.3, opt-in)."""
    dfn = build_definitions.c
    return set(conn.execute(select(dfn.id).where(dfn.org_id == org_id, dfn.is_deployment_pipeline)).scalars())


def deployment_attempts(conn: Connection, org_id: str, *, environments: Collection[Pair] | None = None,
                        repo_ids: Collection[str] | None = None) -> list[DeploymentAttempt]:
    """The candidate attempts of METRICS.md §1 from the three sources (not yet classified), restricted as
    the module says. With ``repo_ids`` the repositories' releases and builds are found first, by index, and
    only their deployments read, in bounded IN lists: both planners then seek instead of scanning."""
    dialect = conn.dialect.name
    if repo_ids is None:
        queries = [_classic(org_id, environments, dialect), _records(org_id, environments, dialect)]
    else:
        releases, runs = _repository_releases_and_builds(conn, org_id, repo_ids)
        queries = [_classic(org_id, environments, dialect, chunk) for chunk in _chunks(releases)]
        queries += [_records(org_id, environments, dialect, chunk) for chunk in _chunks(runs)]
    if definitions := deployment_pipelines(conn, org_id):
        queries.append(_pipelines(org_id, environments, repo_ids, dialect, definitions))
    found: list[DeploymentAttempt] = []
    utc = utc_reader(dialect)
    for query in queries:
        found.extend(a for a in _attempts(conn.execute(query).all(), utc)
                     if repo_ids is None or not repo_ids.isdisjoint(a.commits_by_repo))
    return found


def _repository_releases_and_builds(conn: Connection, org_id: str,
                                    repo_ids: Collection[str]) -> tuple[list[int], list[int]]:
    """Ids of the releases with a Build artifact of these repositories, and of the builds of them."""
    a, b = release_artifacts.c, builds.c
    releases = conn.execute(select(a.release_id).where(a.org_id == org_id, a.repo_id.in_(sorted(repo_ids)),
                                                       *_build_artifact(a)).distinct()).scalars().all()
    r = environment_deployments.c
    ran = exists().where(r.org_id == b.org_id, r.build_id == b.id)  # most builds deploy nothing
    query = select(b.id).where(b.org_id == org_id, b.repo_id.in_(sorted(repo_ids)), ran)
    runs = conn.execute(query).scalars()
    return list(releases), list(runs)


def _chunks(ids: list, size: int = KEY_CHUNK) -> list[list]:
    return [ids[at:at + size] for at in range(0, len(ids), size)]


def _attempts(rows: Iterable, utc: Callable[[object], datetime | None]) -> list[DeploymentAttempt]:
    """Rows of one source (one per attempt and repository, in key order) → attempts."""
    found: list[DeploymentAttempt] = []
    key = None
    commits: dict[str, str] = {}
    for kind, project_id, dep_id, env, status, operation, finished, modified, repo, sha in rows:
        if (project_id, dep_id) != key:
            key, commits = (project_id, dep_id), {}
            found.append(DeploymentAttempt(
                kind=_ORDER[kind], project_id=project_id, id=dep_id, environment=env, status=status,
                operation_status=operation, finished_at=utc(finished), modified_at=utc(modified),
                commits_by_repo=commits))
        if repo is not None and sha is not None:
            commits.setdefault(repo, sha.lower())
    return found


def ancestry_pairs(conn: Connection, org_id: str,
                   keys: Collection[tuple[str, str, int]] | None = None) -> list[tuple[str, str, str]]:
    """(repository, ancestor, descendant) facts from the collector's comparisons: a deployed commit that
    is a strict ancestor of the previous deployment's (a rollback). Only those of the deployments ``keys``
    ((kind, project id, id)) when given, looked up by primary key a bounded IN list at a time."""
    c = deployment_comparisons.c
    query = select(c.repo_id, c.deployed_sha, c.base_sha).where(
        c.org_id == org_id, c.is_ancestor_of_base, c.base_sha.is_not(None), c.base_sha != c.deployed_sha)
    if keys is None:
        queries = [query]
    else:
        ordered = sorted((project, kind, dep_id) for kind, project, dep_id in keys)
        queries = [query.where(tuple_(c.project_id, c.deployment_kind, c.deployment_id).in_(chunk))
                   for chunk in _chunks(ordered)]
    return [(repo, deployed.lower(), base.lower()) for query in queries for repo, deployed, base in
            conn.execute(query)]


def shipped_merge_commits(conn: Connection, org_id: str, pr_filter: Iterable = ()) -> list[tuple]:
    """Rows (kind, project id, deployment id, repository, sha, PR's project id, PR id) of the deployments
    that shipped the merge commit of a completed PR matching ``pr_filter`` (expressions on
    ``pull_requests``).

    The metrics look at shipped commits only to find PRs' merge commits (first deployments, team
    deployments), so the other commits — most of ``deployment_commits`` — are never read. The query is
    driven by the PRs, through the ``(org_id, sha)`` index.
    """
    p, dc = pull_requests.c, deployment_commits.c
    query = (select(dc.deployment_kind, dc.project_id, dc.deployment_id, dc.repo_id, dc.sha, p.project_id,
                    p.id)
             .join_from(pull_requests, deployment_commits, _by_merge_commit(conn.dialect.name))
             .where(p.org_id == org_id, p.status == "completed", *pr_filter)
             .order_by(p.project_id, p.id))  # PRs in key order: the table is read front to back
    return conn.execute(query).all()


def _by_merge_commit(dialect: str):
    """``deployment_commits`` rows of a PR's merge commit, through the ``(org_id, sha)`` index.

    Without statistics, SQLite's planner prefers the covering primary key with only its ``org_id`` prefix,
    i.e. a scan of the whole table per PR; looking the rows up by rowid from the index that answers the
    question keeps it at one index seek per PR. PostgreSQL plans the plain join well.
    """
    p, dc = pull_requests.c, deployment_commits.c
    if dialect != "sqlite":
        return and_(dc.org_id == p.org_id, dc.sha == p.last_merge_commit)
    x = deployment_commits.alias("x")
    rowids = select(literal_column("x.rowid")).where(x.c.org_id == p.org_id, x.c.sha == p.last_merge_commit)
    return literal_column("deployment_commits.rowid").in_(rowids)


def group_shipped(rows: Iterable[tuple]) -> list[ShippedCommits]:
    """Rows of :func:`shipped_merge_commits` → one record per deployment and repository."""
    grouped: dict[tuple, set[str]] = {}
    for kind, project_id, dep_id, repo, sha, *_ in rows:
        grouped.setdefault((kind, project_id, dep_id, repo), set()).add(sha)
    return [ShippedCommits(kind=DeploymentKind(kind), project_id=project_id, deployment_id=dep_id,
                           repo_id=repo, shas=frozenset(shas))
            for (kind, project_id, dep_id, repo), shas in grouped.items()]

