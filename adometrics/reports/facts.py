"""Loading the deployment facts an analysis needs, no more: the store's set-based queries, narrowed by scope
in ways that leave every number unchanged (``tests/reports/test_equivalence.py`` holds us to that). The
metric results are built from them over the whole organization (:mod:`.materialize`); an export narrows.

- Only production attempts are read (no metric looks at another), classified by the metrics' own
  matcher over the few distinct environment names.
- At repository scope, only attempts that deployed the repository or one deployed together with it
  (closed under "deployed together"): rollbacks and restores are decided per repository and
  environment, so those streams stay complete.
- Shipped commits are read only where they are PRs' merge commits, of the PRs in scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from ..domain import DeploymentAttempt, ShippedCommits
from ..metrics import DeploymentHistory, ProductionMatcher, analyse, ancestry_from_pairs
from ..store import facts as store_facts
from ..store import pr_facts
from ..store.settings import production_patterns
from .scope import Target


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a report reads from the store, before analysis."""

    attempts: Sequence[DeploymentAttempt]
    shipped: Sequence[ShippedCommits]
    ancestry: Sequence[tuple[str, str, str]]
    patterns: Mapping[str, str]
    shipped_rows: Sequence[tuple]  # (kind, project, deployment id, repository, sha, PR project, PR id)

    def analyse(self) -> DeploymentHistory:
        return analyse(self.attempts, self.shipped, ancestry_from_pairs(self.ancestry), self.patterns)


def production_environments(conn: Connection, org_id: str,
                            matcher: ProductionMatcher) -> set[tuple[str, str]]:
    """The (project id, environment name) pairs the project's production pattern matches."""
    return {pair for pair in store_facts.environment_names(conn, org_id) if matcher(*pair)}


def deployment_repositories(conn: Connection, target: Target) -> set[str] | None:
    """The repositories whose deployment streams a repository report needs; None (all) at other scopes,
    where reading every attempt costs little more than finding a project's and is always complete."""
    scope = target.scope
    if scope.repo_id is None:
        return None
    return store_facts.co_deployed_repositories(conn, target.org_id, {scope.repo_id})


def pr_filter(target: Target) -> list:
    scope = target.scope
    return pr_facts.pr_scope(project_id=scope.project_id, repo_id=scope.repo_id,
                             author_keys=scope.team_member_ids)


def load_deployment_facts(conn: Connection, target: Target, *, production_only: bool = True) -> Facts:
    """Attempts, the merge commits they shipped and the rollback facts, for the target's scope."""
    org_id = target.org_id
    patterns = production_patterns(conn, org_id)
    matcher = ProductionMatcher(patterns)  # fails early, with a clear message, on a broken pattern
    environments = production_environments(conn, org_id, matcher) if production_only else None
    repo_ids = deployment_repositories(conn, target)
    attempts = store_facts.deployment_attempts(conn, org_id, environments=environments, repo_ids=repo_ids)
    keys = {a.key for a in attempts}  # DeploymentKey is a NamedTuple: equal to (and hashed as) a plain tuple
    shipped = store_facts.shipped_merge_commits(conn, org_id, pr_filter(target))
    rows = [row for row in shipped if row[:3] in keys]
    return Facts(attempts=attempts, shipped=store_facts.group_shipped(rows),
                 ancestry=store_facts.ancestry_pairs(conn, org_id, keys if repo_ids is not None else None),
                 patterns=patterns, shipped_rows=rows)
