"""The fallback where a project's YAML environments cannot be read (the 7.2-preview route refused,
ARCHITECTURE §4): build timelines tell which pipelines deploy to production, and the sync says how to count
them.

METRICS.md §1 counts a YAML pipeline's runs from its environments' deployment records or, opt-in, as the
builds of a pipeline marked as a deployment pipeline; a timeline names stages, not environments, so it can
not stand in for the records. What it can do is find the pipelines to mark: the latest completed build (not a
PR validation) of each pipeline not yet marked is read once — one timeline call per pipeline, and only for a
build newer than any read before, so a sync with no new builds makes none — and a pipeline with a stage named
after production gets a note with the command that marks it.
"""

from __future__ import annotations

import re
import shlex

from sqlalchemy import func, select

from ..domain import Project
from ..errors import SkippableError
from ..metrics.deployments import ProductionMatcher
from ..store.schema import build_definitions, builds
from ..store.settings import production_patterns
from .run import Run

STREAM = "deployment_hints"
_WORDS = re.compile(r"[^0-9A-Za-z]+")


def latest_builds(org_id: str, project_id: str, after: int | None):
    """(definition id, project id, name, latest completed non-PR build id) of each pipeline not marked as
    deploying."""
    b, d = builds.c, build_definitions.c
    latest = (select(b.definition_id, func.max(b.id).label("build_id"))
              .where(b.org_id == org_id, b.project_id == project_id, b.status == "completed",
                     b.reason.is_distinct_from("pullRequest"))
              .group_by(b.definition_id).subquery())
    query = (select(d.id, d.project_id, d.name, latest.c.build_id)
             .join(latest, latest.c.definition_id == d.id)
             .where(d.org_id == org_id, d.project_id == project_id, ~d.is_deployment_pipeline)
             .order_by(d.id))
    return query.where(latest.c.build_id > after) if after is not None else query


def production_stages(matcher: ProductionMatcher, project_id: str, names: list[str]) -> list[str]:
    """Stage names that look like production: the project's pattern on the name or on one of its words
    (``Deploy_production``)."""
    return [name for name in names
            if matcher(project_id, name) or any(matcher(project_id, w) for w in _WORDS.split(name) if w)]


def stage_names(run: Run, project: Project, build_id: int) -> list[str]:
    try:
        timeline = run.collectors.collect_build_timeline(run.client, run.org_id, project.id, build_id)
    except SkippableError:  # the build was deleted meanwhile: nothing to learn from it
        return []
    return [r.name for r in timeline if r.type.casefold() == "stage"]


def pipeline_argument(run: Run, row) -> str:
    """The pipeline's name for ``--pipeline``, or its id where the name would not find it alone (another
    pipeline of the project has it, in another folder, or it looks like an id)."""
    d = build_definitions.c
    same = run.query(select(func.count()).where(d.org_id == run.org_id, d.project_id == row.project_id,
                                                func.lower(d.name) == row.name.casefold()))[0][0]
    return row.name if same == 1 and not row.name.isdigit() else str(row.id)


def suggest_deployment_pipelines(run: Run, project: Project) -> None:
    """Read the new builds' timelines; note each pipeline that deploys to production, and how to mark it."""
    if run.done(STREAM, project.id):
        return
    seen = None if run.options.full else run.checkpoints.cursor(STREAM, project.id)
    rows = run.query(latest_builds(run.org_id, project.id, int(seen) if seen else None))
    matcher = ProductionMatcher(run.read(lambda conn: production_patterns(conn, run.org_id)))
    stages = run.ahead(lambda row: stage_names(run, project, row.build_id), rows)()
    for row, names in zip(rows, stages, strict=True):
        production = production_stages(matcher, project.id, names)
        if production:
            command = shlex.join(["adometrics", "config", "deployment-pipeline", "--org", run.report.org_name,
                                  "--project", project.name, "--pipeline", pipeline_argument(run, row)])
            run.hint(f"{project.name}: pipeline {row.name!r} runs a production stage ({production[0]!r}) "
                     f"whose deployment records cannot be read; to count its runs as deployments: {command}")
    newest = max((row.build_id for row in rows), default=int(seen) if seen else None)
    run.finish(STREAM, project.id, None if newest is None else str(newest))
