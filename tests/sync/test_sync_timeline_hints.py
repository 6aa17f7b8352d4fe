"""Where YAML environments cannot be read, build timelines find the pipelines that deploy to production: one
timeline call per pipeline with a new build, a note that says how to count it, nothing when nothing is new."""

from __future__ import annotations

import shlex
from types import SimpleNamespace

from sqlalchemy import func, select
from sync_support import connect, control, sync

from adometrics import domain as d
from adometrics.reports.settings import set_pipeline
from adometrics.store import upsert
from adometrics.store.facts import deployment_attempts
from adometrics.store.schema import build_definitions, builds
from adometrics.sync.timeline_hints import pipeline_argument, production_stages

TIMELINE = "build.builds.timeline"


def _pipelines_with_builds(engine, org_id: str) -> int:
    b = builds.c
    query = (select(func.count(func.distinct(b.definition_id)))
             .select_from(builds.join(build_definitions, build_definitions.c.id == b.definition_id))
             .where(b.org_id == org_id, b.status == "completed", b.reason != "pullRequest"))
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_refused_environments_lead_to_timeline_hints_that_work(db, keyring, tiny):
    org = connect(db, keyring, tiny).org
    control(tiny, "POST", "/faults", {"kind": "status", "status": 401, "endpoint": "environments.*"})
    first = sync(db, keyring, org.id)
    assert first.completed, first.error
    assert first.api_calls[TIMELINE] == _pipelines_with_builds(db, org.id) > 0
    assert first.notes and all("'Deploy_production'" in note for note in first.notes)

    idle = sync(db, keyring, org.id)
    assert idle.api_calls[TIMELINE] == 0 and idle.notes == []

    command = shlex.split(first.notes[0].split("to count its runs as deployments: ", 1)[1])
    options = dict(zip(command[3::2], command[4::2], strict=True))
    with db.begin() as conn:
        before = len(deployment_attempts(conn, org.id))
        set_pipeline(conn, options["--org"], options["--project"], options["--pipeline"], enabled=True)
        assert len(deployment_attempts(conn, org.id)) > before  # the marked pipeline's builds now count


def test_production_stages_match_the_pattern_on_the_name_or_a_word():
    from adometrics.metrics.deployments import ProductionMatcher

    default = ProductionMatcher()
    names = ["Build", "Deploy_staging", "Deploy_production", "Prod", "reproduce", "live-eu"]
    assert production_stages(default, "p", names) == ["Deploy_production", "Prod", "live-eu"]
    custom = ProductionMatcher({"p": "^release$"})
    assert production_stages(custom, "p", ["Release", "deploy-release", "Deploy_production"]) == [
        "deploy-release"]


def test_the_command_names_a_pipeline_by_id_where_its_name_would_not_find_it_alone(sqlite_db, keyring):
    named = {1: "deploy", 2: "Deploy", 3: "7", 4: "api-ci"}  # 1 and 2: one name in two folders
    pipelines = [d.BuildDefinition(org_id="o", project_id="p", id=i, name=name) for i, name in named.items()]
    with sqlite_db.begin() as conn:
        upsert(conn, keyring, [d.Organization(id="o", name="o", url="https://dev.azure.com/o"),
                               d.Project(org_id="o", id="p", name="P"), *pipelines])
    with sqlite_db.connect() as conn:
        run = SimpleNamespace(org_id="o", query=lambda statement: conn.execute(statement).all())
        arguments = [pipeline_argument(run, SimpleNamespace(id=p.id, project_id="p", name=p.name))
                     for p in pipelines]
    assert arguments == ["1", "2", "3", "api-ci"]
