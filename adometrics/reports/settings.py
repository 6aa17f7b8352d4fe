"""Per-project settings behind the metrics: the production pattern and opted-in deployment pipelines.
Checked here (a pattern must compile, names must exist) so the CLI and the web API refuse the same input."""

from __future__ import annotations

from sqlalchemy import Connection

from ..errors import ConfigurationError
from ..metrics import DEFAULT_PRODUCTION_PATTERN, ProductionMatcher
from ..store import lookup, set_deployment_pipeline
from ..store.settings import production_patterns, set_production_pattern
from .scope import resolve


def set_pattern(conn: Connection, organization: str, project: str, pattern: str | None) -> None:
    """Store a project's production pattern (``None``: the default) after checking it compiles."""
    target = resolve(conn, organization, project=project)
    project_id = target.scope.project_id
    if pattern is not None:
        if not pattern.strip():
            raise ConfigurationError("the production pattern is empty; use --reset for the default")
        ProductionMatcher({project_id: pattern})  # raises a ConfigurationError naming the problem
    set_production_pattern(conn, target.org_id, project_id, pattern)


def describe_patterns(conn: Connection, organization: str, project: str | None = None) -> list[str]:
    """One line per project: its name and the pattern in force."""
    target = resolve(conn, organization, project=project)
    configured = production_patterns(conn, target.org_id)
    names = lookup.project_names(conn, target.org_id)
    if target.scope.project_id is not None:
        names = {target.scope.project_id: names[target.scope.project_id]}
    default = f"{DEFAULT_PRODUCTION_PATTERN} (default)"
    return [f"{name}: {configured.get(pid, default)}"
            for pid, name in sorted(names.items(), key=lambda item: item[1].casefold())]


def set_pipeline(conn: Connection, organization: str, project: str, pipeline: str, *, enabled: bool,
                 environment: str | None = None) -> str:
    """Opt a build pipeline in or out as a deployment pipeline; returns what changed, in words."""
    target = resolve(conn, organization, project=project)
    found = lookup.find_pipelines(conn, target.org_id, target.scope.project_id, pipeline)
    if len(found) != 1:
        what = "no pipeline" if not found else f"{len(found)} pipelines"
        raise ConfigurationError(f"{what} called {pipeline!r} in project {project}; give its id")
    definition_id, name = found[0]
    set_deployment_pipeline(conn, target.org_id, target.scope.project_id, definition_id, enabled=enabled,
                            environment=environment)
    if not enabled:
        return f"{name}: its builds are no longer deployments"
    return f"{name}: each completed build is a deployment to {environment or 'production'}"
