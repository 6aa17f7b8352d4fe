"""Decrypting the few sensitive values an export may show, on request only: PR titles and branches, and
the branch each deployment deployed. Reports never call this; ``export --include-sensitive`` does."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, and_, select, tuple_

from ..domain import DeploymentKind, PullRequest
from .crypto import aad_prefix, row_key
from .keyring import Keyring
from .read import load
from .schema import (
    build_definitions,
    builds,
    classic_deployments,
    environment_deployments,
    pull_requests,
    release_artifacts,
)

Key = tuple[str, str, int]  # (deployment kind, project id, id)


def pull_request_texts(conn: Connection, keyring: Keyring, org_id: str,
                       keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], PullRequest]:
    """Decrypted PRs by (project id, PR id), for the keys asked (a bounded IN list at a time)."""
    ordered, found = sorted(set(keys)), {}
    p = pull_requests.c
    for at in range(0, len(ordered), 500):
        chunk = tuple_(p.project_id, p.id).in_(ordered[at:at + 500])
        for pr in load(conn, keyring, PullRequest, org_id, chunk):
            found[(pr.project_id, pr.id)] = pr
    return found


def deployment_branches(conn: Connection, keyring: Keyring, org_id: str) -> dict[Key, str]:
    """The branch each deployment deployed: its release's Build artifacts' branches (classic), or the
    source branch of the build that ran it (environment records, deployment pipelines)."""
    cipher = keyring.cipher(conn, org_id, create=False)
    found: dict[Key, str] = {}
    d, a = classic_deployments.c, release_artifacts.c
    rows = conn.execute(select(d.project_id, d.id, a.release_id, a.alias, a.branch_enc)
                        .join(release_artifacts, and_(a.org_id == d.org_id, a.project_id == d.project_id,
                                                      a.release_id == d.release_id))
                        .where(d.org_id == org_id, a.branch_enc.is_not(None))
                        .order_by(d.project_id, d.id, a.alias))
    prefix = aad_prefix(org_id, release_artifacts.name, "branch_enc")
    for project_id, dep_id, release_id, alias, blob in rows:
        key_values = row_key([project_id, release_id, alias])
        branch = cipher.decrypt(blob, prefix, key_values, "release_artifacts.branch")
        key = (DeploymentKind.CLASSIC.value, project_id, dep_id)
        found[key] = f"{found[key]} {branch}" if key in found else branch
    b, r, dfn = builds.c, environment_deployments.c, build_definitions.c
    prefix = aad_prefix(org_id, builds.name, "source_branch_enc")
    queries = {
        DeploymentKind.ENVIRONMENT: select(r.project_id, r.id, b.id, b.source_branch_enc).join(
            builds, and_(b.org_id == r.org_id, b.project_id == r.project_id, b.id == r.build_id))
        .where(r.org_id == org_id),
        DeploymentKind.BUILD: select(b.project_id, b.id, b.id, b.source_branch_enc).join(
            build_definitions, and_(dfn.org_id == b.org_id, dfn.project_id == b.project_id,
                                    dfn.id == b.definition_id))
        .where(b.org_id == org_id, dfn.is_deployment_pipeline),
    }
    for kind, query in queries.items():
        for project_id, dep_id, build_id, blob in conn.execute(query.where(b.source_branch_enc.is_not(None))):
            found[(kind.value, project_id, dep_id)] = cipher.decrypt(
                blob, prefix, row_key([project_id, build_id]), "builds.source_branch")
    return found
