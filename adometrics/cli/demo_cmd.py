"""``adometrics demo``: the whole product on a simulated organization, in a minute, touching nothing real."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import click
from rich.console import Console

from ..domain import Window
from ..errors import FatalError
from ..reports import compute
from ..sync import SyncOptions, default_collectors, save, sync_connection, verify
from .common import app_of
from .context import AppContext
from .progress import RichProgress
from .reporting import print_report, refresh_metrics

DEMO_DB = "demo.db"
DEMO_DAYS = 90
LOOPBACK = "127.0.0.1"


def demo_context(app: AppContext) -> AppContext:
    """The user's settings with the demo's own database file in the data directory, and the simulator's
    host allowed. The file is started afresh, so a demo never mixes with another (or with real data)."""
    settings = app.settings
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for suffix in ("", "-wal", "-shm"):
        (data_dir / f"{DEMO_DB}{suffix}").unlink(missing_ok=True)
    hosts = ",".join(h for h in (settings.allowed_hosts, LOOPBACK) if h)
    return AppContext(settings.model_copy(update={
        "database_url": f"sqlite:///{data_dir / DEMO_DB}", "allowed_hosts": hosts}))


EPILOG = (f"The demo keeps its data in {DEMO_DB} in ADOMETRICS_DATA_DIR (re-created by every run; "
          "ADOMETRICS_DATABASE_URL is ignored), so a real installation is never touched. It uses the master "
          "key of that directory (or ADOMETRICS_MASTER_KEY) and leaves nothing running when it exits.")


@click.command("demo", epilog=EPILOG)
@click.option("--no-serve", is_flag=True, help="Exit after printing the metrics.")
@click.option("--seed", default=1, show_default=True, type=int, help="Seed of the simulated organization.")
@click.pass_context
def demo(ctx: click.Context, no_serve: bool, seed: int) -> None:
    """Simulate an organization, connect, backfill it, and print its DORA metrics and PR flow for the
    last 90 days of simulated time."""
    from ..fake_ado.server import running  # the simulator: imported only here (ARCHITECTURE §2)

    console = Console(stderr=True)
    app = demo_context(app_of(ctx))
    try:
        started = time.monotonic()
        with running(scenario="small", seed=seed) as srv:
            console.print(f"Simulated organization at {srv.organization_url}")
            org_id = _connect_and_sync(app, srv.organization_url, srv.pat, console)
            now = srv.sim.world.now
            window = Window(start=now - timedelta(days=DEMO_DAYS), end=now)
            with app.engine.connect() as conn:
                report = compute(conn, organization=org_id, window=window)
            report["scope"]["organization"] = srv.sim.world.organization
            print_report(report)
            console.print(f"Done in {time.monotonic() - started:.0f} s.")
            if not no_serve:
                _serve(console, srv)
    finally:
        app.close()


def _connect_and_sync(app: AppContext, url: str, pat: str, console: Console) -> str:
    client = app.client(url, pat)
    try:
        verified = verify(client, default_collectors())
    finally:
        client.http.close()
    save(app.engine, app.keyring, verified, pat)
    console.print(f"Connected as {verified.identity_name}; backfilling…")
    with RichProgress(console) as progress:
        report = sync_connection(app.engine, app.keyring, app.client, verified.org.id, options=SyncOptions(),
                                 progress=progress)
    console.print(report.summary())
    if not report.completed:
        raise FatalError(f"the demo's sync did not complete: {report.error}")
    refresh_metrics(app.engine, verified.org.id, console)
    return verified.org.id


def _serve(console: Console, srv) -> None:
    """There is no web dashboard yet: keep the simulator up for exploring until Ctrl-C."""
    console.print("The web dashboard is not built yet. The simulator stays up until Ctrl-C:\n"
                  f"  ORG_URL={srv.organization_url}\n  AZURE_DEVOPS_EXT_PAT={srv.pat}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("Stopped.")
