"""Running a sync of one organization: start or resume a run, follow the plan, record the outcome.

A run is marked in the ``run`` checkpoint; an interrupted run (crash, kill, revoked token) is resumed by the
next one, which skips the streams it already finished. The connection shows ``syncing`` meanwhile, then
``healthy``, or ``broken`` with a reason when the credential stopped working. No failure deletes data.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from ..clock import Clock, utcnow
from ..connectors.azure_devops.errors import AuthenticationError, ForbiddenError
from ..domain import Connection, Health, Organization, SyncCheckpoint
from ..errors import AdometricsError, ConfigurationError
from ..store import Keyring, count_entities, load, upsert
from ..store.maintenance import refresh_statistics
from .checkpoints import RUN, Checkpoints, parse_time
from .health import broken_reason, set_health
from .plan import run_plan
from .progress import NullProgress, Progress
from .report import SyncReport
from .run import Run, SyncOptions

log = logging.getLogger("adometrics.sync")
ClientFactory = Callable[[str, str], Any]  # (organization URL, credential) -> AdoClient


def default_collectors() -> Any:
    from ..connectors.azure_devops import collectors

    return collectors


@dataclass(frozen=True, slots=True)
class Started:
    run_id: str
    started: datetime
    options: SyncOptions
    checkpoints: Checkpoints


def _start(engine: Engine, keyring: Keyring, org_id: str, options: SyncOptions, clock: Clock) -> Started:
    """Resume the unfinished run (unless a full run replaces an incremental one), else mark a new one."""
    with engine.begin() as conn:
        checkpoints = Checkpoints(conn, org_id)
        marker = checkpoints.get(RUN)
        pending = json.loads(marker.position) if marker and marker.position else None
        if pending and (pending.get("full") or not options.full):
            run_id = pending["run"]
            started, options = parse_time(run_id), replace(options, full=bool(pending.get("full")))
        else:
            started = clock()
            run_id = started.isoformat()
            checkpoint = SyncCheckpoint(org_id=org_id, stream=RUN, scope="",
                                        cursor=marker.cursor if marker else None,
                                        position=json.dumps({"run": run_id, "full": options.full}),
                                        updated_at=started)
            upsert(conn, keyring, [checkpoint])
            checkpoints.committed(checkpoint)
        set_health(conn, org_id, Health.SYNCING)
    return Started(run_id, started, options, checkpoints)


def _finish(run: Run) -> None:
    """The run is complete: forget its marker, remember when it started, say the connection works, and
    refresh the planner's statistics when rows were written (the metrics' joins depend on them)."""
    checkpoint = SyncCheckpoint(org_id=run.org_id, stream=RUN, scope="", cursor=run.run_id, position=None,
                                updated_at=run.clock())
    with run.engine.begin() as conn:
        upsert(conn, run.keyring, [checkpoint])
        set_health(conn, run.org_id, Health.HEALTHY, None, last_sync_at=run.clock())
        if any(run.report.fetched.values()):
            refresh_statistics(conn)


def _set(engine: Engine, org_id: str, health: Health, reason: str | None = None) -> None:
    with engine.begin() as conn:
        set_health(conn, org_id, health, reason)


def sync_organization(engine: Engine, keyring: Keyring, client: Any, org: Organization, *,
                      options: SyncOptions | None = None, progress: Progress | None = None,
                      collectors: Any = None, clock: Clock = utcnow) -> SyncReport:
    """Backfill or incrementally sync one organization through ``client``; never raises for ADO failures:
    the report says whether the run completed, and why not."""
    report = SyncReport(org.id, org.name)
    begin = _start(engine, keyring, org.id, options or SyncOptions(), clock)
    calls_before = Counter(client.api_calls)
    run = Run(engine, keyring, client, org.id, run_id=begin.run_id, started=begin.started,
              checkpoints=begin.checkpoints, report=report, options=begin.options,
              progress=progress or NullProgress(), collectors=collectors or default_collectors(), clock=clock)
    try:
        with client.bounded(run.options.concurrency):
            run_plan(run)
        _finish(run)
        report.completed = True
    except (AuthenticationError, ForbiddenError) as exc:
        report.error = broken_reason(exc, client)
        report.health = Health.BROKEN.value
        _set(engine, org.id, Health.BROKEN, report.error)
    except ConfigurationError as exc:  # asked for a project the organization does not have
        report.error = str(exc)
        _set(engine, org.id, Health.HEALTHY)
    except AdometricsError as exc:  # throttled or unreachable beyond the retries, a refused request, ...
        report.error = f"{exc} The next sync resumes where this one stopped."
        _set(engine, org.id, Health.HEALTHY)
    except BaseException:
        _set(engine, org.id, Health.HEALTHY)
        raise
    finally:
        run.close()
        report.api_calls = Counter(client.api_calls) - calls_before
        with engine.connect() as conn:
            report.entities = count_entities(conn, org.id)
    log.info("%s", report.summary())
    return report


def stored_connection(engine: Engine, keyring: Keyring, org_id: str) -> tuple[Organization, Connection]:
    with engine.connect() as conn:
        orgs = load(conn, keyring, Organization, org_id)
        found = load(conn, keyring, Connection, org_id)
    if not orgs or not found:
        raise ConfigurationError(f"no connection for organization {org_id}; run `adometrics connect` first")
    return orgs[0], found[0]


def sync_connection(engine: Engine, keyring: Keyring, make_client: ClientFactory, org_id: str,
                    **kwargs: Any) -> SyncReport:
    """Sync a stored connection with its stored credential."""
    org, connection = stored_connection(engine, keyring, org_id)
    if not connection.credential:
        raise ConfigurationError(f"the connection to {org.name} has no credential; run `adometrics connect`")
    client = make_client(org.url, connection.credential)
    try:
        return sync_organization(engine, keyring, client, org, **kwargs)
    finally:
        client.http.close()
